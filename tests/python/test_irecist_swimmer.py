"""The iRECIST swimmer's lanes and events, from hand-made iRECIST evaluations."""
from __future__ import annotations

import pandas as pd

from analysis_py.outputs.figures.irecist_swimmer import irecist_lanes, irecist_swimmer_figure

DAYS_PER_MONTH = 30.4375  # the build setting days_per_month, as the report passes it

# A: iUPD on day 61, reset by an iSD on day 122 (pseudo-progression). B: iUPD on day 120,
# still iUPD on day 150, confirmed on day 180. C: never an iUPD.
PATIENTS = pd.DataFrame({
    "patient_id": ["A", "B", "C"], "os_months": [12.0, 8.0, 20.0], "os_event": [False, True, False],
    "irecist_best_overall_response": ["iSD", "iCPD", "iPR"],
    "irecist_icpd_date": [None, "2024-07-01", None]})
EVALUATIONS = pd.DataFrame({
    "patient_id": ["A", "A", "B", "B", "B", "C"],
    "days_from_inclusion": [61, 122, 120, 150, 180, 60],
    "overall_response": ["iUPD", "iSD", "iUPD", "iUPD", "iCPD", "iPR"],
    "resets_iupd": [False, True, False, False, False, False],
    "confirms_icpd": [False, False, False, False, True, False]})


def test_lanes_are_the_patients_with_an_iupd_confirmed_first():
    lanes, events = irecist_lanes(PATIENTS, EVALUATIONS, DAYS_PER_MONTH)
    assert lanes["patient_id"].tolist() == ["B", "A"]
    assert lanes["confirmed"].tolist() == [True, False]
    assert lanes["first_iupd_months"].tolist() == [120 / DAYS_PER_MONTH, 61 / DAYS_PER_MONTH]
    assert lanes["last_evaluation_months"].tolist() == [180 / DAYS_PER_MONTH, 122 / DAYS_PER_MONTH]
    assert sorted(zip(events["patient_id"], events["event"], events["months"] * DAYS_PER_MONTH)) == [
        ("A", "iupd", 61), ("A", "reset", 122), ("B", "icpd", 180), ("B", "iupd", 120), ("B", "iupd", 150)]


def test_the_figure_has_a_lane_per_patient_and_names_the_confirmed_count():
    lanes, events = irecist_lanes(PATIENTS, EVALUATIONS, DAYS_PER_MONTH)
    axes = irecist_swimmer_figure(lanes, events, {"A": "Patient 1"}).axes[0]
    assert [tick.get_text() for tick in axes.get_yticklabels()] == ["B", "Patient 1"]
    assert axes.get_title(loc="left") == "iRECIST swimmer (2 patients with an iUPD, 1 confirmed as iCPD)"
