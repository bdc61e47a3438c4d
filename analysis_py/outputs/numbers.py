"""Numbers for people: how the report and the command line round what the CSVs keep in full.

Odds ratios with 2 decimals, p-values with 2 significant digits (below 0.001 as "< 0.001"),
percentages 0-100 with a % sign, months with 1 decimal ("not reached" when there is none).
"""
from __future__ import annotations

import math

import pandas as pd

P_FLOOR = 0.001  # smaller p-values are shown as "< 0.001"


def p_text(p) -> str:
    if pd.isna(p):
        return ""
    if p < P_FLOOR:
        return f"< {P_FLOOR:g}"
    decimals = max(1, 1 - math.floor(math.log10(p)))
    return f"{p:.{decimals}f}"


def odds_ratio_text(odds_ratio, ci_low=None, ci_high=None) -> str:
    if pd.isna(odds_ratio):
        return ""
    interval = f" ({ci_low:.2f}-{ci_high:.2f})" if ci_low is not None and pd.notna(ci_low) else ""
    return f"{odds_ratio:.2f}{interval}"


def percent_text(percent) -> str:
    """A percentage (0-100) as "29 %"; "" when there is none."""
    return "" if pd.isna(percent) else f"{percent:.0f} %"


def months_text(value) -> str:
    return "not reached" if pd.isna(value) or math.isinf(value) else f"{value:.1f}"
