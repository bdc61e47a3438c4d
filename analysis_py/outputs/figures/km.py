"""Kaplan-Meier plot with its 95 % band, censoring marks and numbers at risk."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_py.outputs.numbers import months_text
from analysis_py.study.results import CI_METHOD, ENDPOINTS
from analysis_py.study.survival import confidence_band, km_curve, km_median
from analysis_py.study.tables import eligible

RISK_STEP_MONTHS = 6  # numbers at risk every 6 months


def number_at_risk(curve: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """Patients still followed at each time (n at risk at the first time >= t)."""
    times, n_risk = curve["time"].to_numpy(), curve["n_risk"].to_numpy()
    idx = np.searchsorted(times, at, side="left")
    return np.where(idx < len(times), n_risk[np.minimum(idx, len(times) - 1)], 0)


def km_figure(curve: pd.DataFrame, title: str, method: str = "log-log") -> Figure:
    """Step curve of S(t) in months, shaded 95 % band, + for censored, the median marked, numbers at risk below."""
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.add_subplot()
    t = np.r_[0.0, curve["time"].to_numpy()]
    s = np.r_[1.0, curve["surv"].to_numpy()]
    lower, upper = confidence_band(curve, method)
    ax.step(t, s, where="post", color="C0")
    ax.fill_between(t, np.r_[1.0, lower], np.r_[1.0, upper], step="post", color="C0", alpha=0.2, linewidth=0)
    censored = curve["n_censor"].to_numpy() > 0
    ax.plot(curve["time"][censored], curve["surv"][censored], "+", color="C0", markersize=8)
    ax.set(title=title, xlabel="months from inclusion", ylabel="probability", ylim=(0, 1.02),
           xlim=(0, max(t[-1], RISK_STEP_MONTHS)))
    ticks = np.arange(0, t[-1] + RISK_STEP_MONTHS, RISK_STEP_MONTHS)
    ax.set_xticks(ticks)
    for x, n in zip(ticks, number_at_risk(curve, ticks)):
        ax.annotate(str(n), (x, 0), xycoords=("data", "axes fraction"), xytext=(0, -42),
                    textcoords="offset points", ha="center", fontsize=8)
    ax.annotate("at risk", (0, 0), xycoords="axes fraction", xytext=(-30, -42), textcoords="offset points",
                ha="right", fontsize=8)
    _mark_median(ax, km_median(curve, method)[0])
    ax.grid(alpha=0.3)
    return fig


def _mark_median(ax, median: float) -> None:
    """Dashed lines from S = 0.5 to the median and down to the axis, labelled; a note when not reached."""
    if not np.isfinite(median):
        ax.annotate("median not reached", (0.98, 0.55), xycoords="axes fraction", ha="right", fontsize=9)
        return
    ax.plot([0, median, median], [0.5, 0.5, 0], linestyle="--", color="0.4", linewidth=1)
    ax.annotate(f"median {months_text(median)} months", (median, 0.5), xytext=(6, 6), textcoords="offset points",
                fontsize=9)


def km_figures(patients: pd.DataFrame) -> dict[str, Figure]:
    """The Kaplan-Meier figure of each endpoint over the eligible patients."""
    cohort = eligible(patients)
    figures = {}
    for name, (time_col, event_col) in ENDPOINTS.items():
        data = cohort[[time_col, event_col]].dropna()
        figures[name] = km_figure(km_curve(data[time_col].to_numpy(), data[event_col].to_numpy()),
                                  f"{name} (Kaplan-Meier, 95 % {CI_METHOD} band)", CI_METHOD)
    return figures
