"""Contingency-table tests as R's `fisher.test` and `chisq.test` compute them."""
from __future__ import annotations

import numpy as np
from scipy.special import gammaln
from scipy.stats import chi2_contingency, fisher_exact, norm

RELATIVE_ERROR = 1 + 1e-7  # R's fisher.test: tables this close to the observed one count as ties
WINDOW_SD = 15  # r x 2 exact test: rows' counts enumerated within mean +/- 15 SD (mass beyond < 1e-40)
MAX_TABLES = 20_000_000  # r x 2 exact test: larger enumerations are not attempted
Z95 = norm.ppf(0.975)


def _log_choose(n, k):
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def fisher_exact_rx2(table: np.ndarray) -> float:
    """Two-sided exact p of an r x 2 table: the probability of the tables with the same
    margins that are no more likely than the observed one. NaN if too large to enumerate."""
    table = np.asarray(table, int)
    if table.shape == (2, 2):
        return float(fisher_exact(table).pvalue)
    rows = table.sum(axis=1)
    total, first = int(rows.sum()), int(table[:, 0].sum())
    order = np.argsort(rows)
    free, last = order[:-1], order[-1]
    axes = []
    for i in free:
        n = rows[i]
        mean = first * n / total
        sd = np.sqrt(mean * (1 - first / total) * (total - n) / max(total - 1, 1))
        lo, hi = max(0, int(mean - WINDOW_SD * sd)), min(n, first, int(np.ceil(mean + WINDOW_SD * sd)))
        axes.append(np.arange(lo, hi + 1))
    if np.prod([len(a) for a in axes], dtype=float) > MAX_TABLES:
        return float("nan")
    grid = np.meshgrid(*axes, indexing="ij", sparse=True)
    rest = first - sum(grid)
    logp = sum(_log_choose(rows[i], x) for i, x in zip(free, grid))
    logp = logp + np.where((rest >= 0) & (rest <= rows[last]), _log_choose(rows[last], np.clip(rest, 0, rows[last])), -np.inf)
    logp = logp - _log_choose(total, first)
    observed = sum(_log_choose(rows[i], table[i, 0]) for i in range(len(rows))) - _log_choose(total, first)
    p = np.exp(logp)
    return float(min(1.0, p[logp <= observed + np.log(RELATIVE_ERROR)].sum()))


def contingency_tests(table: np.ndarray) -> dict[str, float]:
    """Fisher exact p, chi-square p with Yates' correction (2 x 2 only, as R) and without."""
    table = np.asarray(table)
    return {"fisher_p": fisher_exact_rx2(table),
            "chisq_p": float(chi2_contingency(table, correction=True).pvalue),
            "chisq_nocorr_p": float(chi2_contingency(table, correction=False).pvalue)}


def two_by_two(exposed: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """[[exposed with, exposed without], [unexposed with, unexposed without]] the outcome."""
    exposed, outcome = np.asarray(exposed, bool), np.asarray(outcome, bool)
    return np.array([[np.sum(exposed & outcome), np.sum(exposed & ~outcome)],
                     [np.sum(~exposed & outcome), np.sum(~exposed & ~outcome)]])


def compare_rates(exposed: np.ndarray, outcome: np.ndarray) -> dict[str, float]:
    """Outcome rates in the exposed and unexposed, the sample odds ratio with its Woolf 95 % CI
    (empty when a cell is 0), Fisher and chi-square (Yates) p; untested when a margin is 0."""
    table = two_by_two(exposed, outcome)
    with np.errstate(invalid="ignore"):
        rates = table[:, 0] / table.sum(axis=1)
    row = {"rate_exposed": rates[0], "rate_unexposed": rates[1], "n_exposed": int(table[0].sum()),
           "n_unexposed": int(table[1].sum())}
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return row | {"note": "not tested: an exposure group or an outcome is empty"}
    tests = contingency_tests(table)
    row |= {"fisher_p": tests["fisher_p"], "chisq_p": tests["chisq_p"]}
    if (table == 0).any():
        return row
    a, b, c, d = table.ravel().astype(float)
    log_or, se = np.log(a * d / (b * c)), np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return row | {"odds_ratio": np.exp(log_or), "ci_low": np.exp(log_or - Z95 * se),
                  "ci_high": np.exp(log_or + Z95 * se)}
