"""Kaplan-Meier estimates as R's `survival::survfit` gives them.

Greenwood standard error of the cumulative hazard; 95 % pointwise intervals on the log,
log-log or plain scale; the median and its interval by R's `quantile.survfit` rule: the
first time the curve is at or below 0.5, or the midpoint to the next drop when the curve
sits exactly on 0.5 (within sqrt(machine epsilon)), as R and SAS do.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

CI_METHODS = ("log-log", "log", "plain")
Z95 = norm.ppf(0.975)
TOLERANCE = np.sqrt(np.finfo(float).eps)


def km_curve(time: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """One row per distinct time: n at risk, events, censored, S(t) and the SE of log S."""
    time = np.asarray(time, float)
    event = np.asarray(event, bool)
    times, inverse = np.unique(time, return_inverse=True)
    n_event = np.bincount(inverse, event, len(times))
    n_total = np.bincount(inverse, minlength=len(times))
    n_risk = n_total[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1 - n_event / n_risk)
        greenwood = np.cumsum(np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0))
    return pd.DataFrame({"time": times, "n_risk": n_risk, "n_event": n_event.astype(int),
                         "n_censor": (n_total - n_event).astype(int), "surv": surv,
                         "std_err": np.sqrt(greenwood)})


def confidence_band(curve: pd.DataFrame, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise 95 % lower and upper limits of S(t) (R's `conf.type`)."""
    s, se = curve["surv"].to_numpy(), curve["std_err"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "log":
            lower, upper = s * np.exp(-Z95 * se), np.minimum(s * np.exp(Z95 * se), 1)
        elif method == "log-log":
            loglog = np.log(-np.log(s))
            shift = Z95 * se / np.log(s)
            lower, upper = np.exp(-np.exp(loglog - shift)), np.exp(-np.exp(loglog + shift))
        elif method == "plain":
            lower, upper = np.clip(s - Z95 * se * s, 0, 1), np.clip(s + Z95 * se * s, 0, 1)
        else:
            raise ValueError(f"unknown confidence interval method {method!r}")
    undefined = (s == 0) | ~np.isfinite(se)
    return np.where(undefined, np.nan, lower), np.where(undefined, np.nan, upper)


def _quantile_time(times: np.ndarray, surv: np.ndarray, p: float = 0.5) -> float:
    """R's findq on the curve 1 - S: where a horizontal line at p meets it; NaN if never."""
    x = np.r_[0.0, times]
    y = np.r_[0.0, 1 - surv]
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    if len(y) == 0 or y.max() < p:
        return np.nan
    xmax = x[-1]
    first = np.r_[True, y[1:] != y[:-1]]
    x, y = x[first], y[first]
    hit_low = np.flatnonzero(y + TOLERANCE >= p)
    hit_high = np.flatnonzero(y - TOLERANCE >= p)
    if len(hit_low) == 0:
        return np.nan
    if len(hit_high) == 0:
        return (x[hit_low[0]] + xmax) / 2 if abs(p - y[-1]) < TOLERANCE else np.nan
    return (x[hit_low[0]] + x[hit_high[0]]) / 2


def km_median(curve: pd.DataFrame, method: str) -> tuple[float, float, float]:
    """Median and its 95 % interval (where the lower and upper bands cross 0.5); NaN = not reached."""
    times = curve["time"].to_numpy()
    lower, upper = confidence_band(curve, method)
    return (_quantile_time(times, curve["surv"].to_numpy()),
            _quantile_time(times, lower), _quantile_time(times, upper))


def survival_at(curve: pd.DataFrame, at: float, method: str) -> tuple[float, float, float]:
    """S(t) with its interval at time `at` (NaN beyond the last observed time)."""
    times = curve["time"].to_numpy()
    if at > times[-1]:
        return np.nan, np.nan, np.nan
    idx = np.searchsorted(times, at, side="right") - 1
    if idx < 0:
        return 1.0, 1.0, 1.0
    lower, upper = confidence_band(curve, method)
    return float(curve["surv"].iloc[idx]), float(lower[idx]), float(upper[idx])


def km_summary(patients: pd.DataFrame, endpoints: dict[str, tuple[str, str]],
               method: str = "log-log", at_months: tuple[float, ...] = (6, 12, 24)) -> pd.DataFrame:
    """One row per endpoint: n, events, median months with 95 % CI, survival at fixed times (percent).

    `endpoints` maps a name to its (time column in months, event column)."""
    rows = []
    for name, (time_col, event_col) in endpoints.items():
        data = patients[[time_col, event_col]].dropna()
        curve = km_curve(data[time_col].to_numpy(), data[event_col].to_numpy())
        median, low, high = km_median(curve, method)
        row = {"endpoint": name, "n": len(data), "events": int(curve["n_event"].sum()),
               "median_months": median, "ci_low": low, "ci_high": high,
               "median_reached": bool(np.isfinite(median)), "ci_method": method}
        for t in at_months:
            s, lo, hi = survival_at(curve, t, method)
            row.update({f"surv_{t:g}m": 100 * s, f"surv_{t:g}m_ci_low": 100 * lo, f"surv_{t:g}m_ci_high": 100 * hi})
        rows.append(row)
    return pd.DataFrame(rows)
