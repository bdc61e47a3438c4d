"""Diameters that give a planned sequence of RECIST 1.1 lesion responses.

A lesion's plan is one letter per post-baseline evaluation: C (complete response), P (partial
response), S (stable disease), D (progressive disease), read against the contract's rules
with the settings' thresholds (simulation/rules.py; CR: 0 mm, or a node below
recist_node_normal_mm; PD: recist_pd_min_increase_mm over the nadir and recist_pd_min_ratio
times it; PR: recist_pr_max_ratio times the baseline or less). Values are in hundredths of a
millimetre so every comparison is exact, and each is drawn with a margin of at least 0.3 mm
from the boundary it must not cross.
"""
from __future__ import annotations

import math

import numpy as np

from analysis_py.simulation import rules

MARGIN = 30              # 0.30 mm away from every threshold
SUM_SAFE_GROWTH = 1.10   # before progression, no lesion grows more than 10 % over its nadir

BASELINE_MEDIAN_MM = {"lung": 20, "lymph_node": 21, "liver": 30, "head_neck": 32,
                      "adrenal": 33, "bone": 25, "other": 24}


class Unreachable(ValueError):
    """The planned response cannot follow from the values drawn so far."""


def draw_baseline(site_group: str, node: bool, rng: np.random.Generator) -> int:
    """A baseline diameter (hundredths of mm): >= 15 mm short axis for a node, >= 10 mm otherwise."""
    millimetres = BASELINE_MEDIAN_MM[site_group] * math.exp(rng.normal(0, 0.4))
    return int(round(min(max(millimetres, 15.5 if node else 10.5), 110) * 100))


def pd_threshold(nadir: int) -> int:
    """The smallest value (hundredths) that is progression over `nadir`."""
    return max(nadir + math.ceil(rules.PD_MIN_INCREASE), math.ceil(nadir * rules.PD_MIN_RATIO))


def pr_limit(baseline: int) -> int:
    """The largest value (hundredths) that is a partial response against `baseline`."""
    return math.floor(baseline * rules.PR_MAX_RATIO)


def node_abnormal() -> int:
    """The smallest value (hundredths) of a lymph node that is not normal (not CR)."""
    return math.ceil(rules.NODE_NORMAL)


def interval(letter: str, baseline: int, nadir: int, node: bool, before_progression: bool) -> tuple[int, int]:
    """Lowest and highest value (hundredths) that give response `letter`."""
    not_pd = pd_threshold(nadir) - MARGIN
    cap = min(not_pd, math.floor(nadir * SUM_SAFE_GROWTH)) if before_progression else not_pd
    if letter == "C":
        return (550, min(node_abnormal() - 50, cap)) if node else (0, 0)
    if letter == "P":
        return (node_abnormal() + MARGIN if node else max(300, baseline // 8), min(pr_limit(baseline) - MARGIN, cap))
    if letter == "S":
        return (pr_limit(baseline) + MARGIN + 20, cap)
    low = pd_threshold(nadir) + MARGIN
    return (max(low, node_abnormal() + MARGIN) if node else low, 10**6)


def preferred(letter: str, baseline: int, previous: int, previous_letter: str, rng: np.random.Generator) -> float:
    """Where the value would go if no threshold were in the way: a noisy step from the previous one."""
    if letter == "D":
        return previous * rng.uniform(1.04, 1.22) if previous_letter == "D" else 0
    if letter in "PC" and previous_letter not in "PC":
        return baseline * rng.uniform(0.3, 0.65)
    if letter in "PC":
        return previous * rng.uniform(0.85, 1.01)
    return previous * rng.uniform(0.93, 1.06)


def draw_values(plan: str, baseline: int, node: bool, first_progression: int | None,
                rng: np.random.Generator) -> list[int]:
    """One value per letter of `plan`; raises Unreachable when an interval is empty."""
    values, nadir, previous, previous_letter = [], baseline, baseline, "S"
    for k, letter in enumerate(plan):
        before = first_progression is None or k < first_progression
        low, high = interval(letter, baseline, nadir, node, before)
        if low > high:
            raise Unreachable(plan)
        wish = preferred(letter, baseline, previous, previous_letter, rng)
        value = max(int(wish), low + int(rng.integers(0, max(2, low // 5)))) if letter == "D" \
            else int(round(min(max(wish, low), high)))
        values.append(value)
        nadir, previous, previous_letter = min(nadir, value), value, letter
    return values
