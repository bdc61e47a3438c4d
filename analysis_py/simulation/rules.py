"""The rules a simulated cohort is drawn against, from the settings the marts use (the vars of
dbt_project.yml), not a copy: RECIST 1.1 response of a lesion and of a target sum
(macros/recist_rules.sql), the value of a too-small reading, iRECIST's measurable new lesion,
recent radiotherapy, and days per month.

Diameters are whole hundredths of a millimetre; the thresholds are exact fractions (0.7 is
7/10, not the float nearest it), so every comparison with them is exact.
"""
from __future__ import annotations

import math
from fractions import Fraction

from analysis_py.project import project_vars

HUNDREDTHS_PER_MM = 100


def setting(name: str) -> Fraction:
    """A numeric setting as an exact fraction."""
    return Fraction(str(project_vars()[name]))


PR_MAX_RATIO = setting("recist_pr_max_ratio")                                # PR: value <= this x baseline
PD_MIN_RATIO = setting("recist_pd_min_ratio")                                # PD: value >= this x nadir ...
PD_MIN_INCREASE = setting("recist_pd_min_increase_mm") * HUNDREDTHS_PER_MM   # ... and value - nadir >= this
NODE_NORMAL = setting("recist_node_normal_mm") * HUNDREDTHS_PER_MM           # a node below this is normal (CR)
TOO_SMALL = setting("recist_too_small_mm") * HUNDREDTHS_PER_MM               # the value of a too_small reading
NEW_LESION_MIN = setting("irecist_new_lesion_min_mm") * HUNDREDTHS_PER_MM    # a new lesion from this on is measurable
RECENT_RADIOTHERAPY_DAYS = math.ceil(setting("recent_radiotherapy_days"))    # recent: fewer whole days than this before inclusion
DAYS_PER_MONTH = float(setting("days_per_month"))                            # months = days / this (a float for numpy)


def progressed(value: int, nadir: int) -> bool:
    """PD of a lesion or a target sum over its nadir (is_progression)."""
    return value - nadir >= PD_MIN_INCREASE and value >= PD_MIN_RATIO * nadir


def partial_response(value: int, baseline: int) -> bool:
    """PR of a lesion or a target sum against its baseline (is_partial_response)."""
    return value <= PR_MAX_RATIO * baseline
