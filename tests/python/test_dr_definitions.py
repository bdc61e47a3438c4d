"""Prevalence, overlap and survival of dissociated response by definition (analysis_py/study/dr_definitions.py),
on frames small enough to count by hand."""
from __future__ import annotations

import pandas as pd

from analysis_py.study.dr_definitions import overlap, prevalence, survival_by_group

BY_PATIENT = pd.DataFrame({
    "patient_id": ["P1", "P2", "P3", "P4"] * 2,
    "definition": ["seed"] * 4 + ["organ"] * 4,
    "is_dissociated": [True, True, False, False, True, False, False, False],
    "comparison_group": ["DR", "DR", "concordant_PD", "other", "DR", "concordant_PD", "concordant_PD", "other"],
})
EVALUATIONS = pd.DataFrame({
    "patient_id": ["P1", "P1", "P2", "P3", "P4", "P1", "P2", "P3", "P4"],
    "definition": ["seed"] * 5 + ["organ"] * 4,
    "is_dissociated": [True, False, True, False, False, True, False, False, False],
})
PATIENTS = pd.DataFrame({"patient_id": ["P1", "P2", "P3", "P4"], "os_months": [10.0, 20.0, 5.0, 7.0],
                         "os_event": [True, False, True, True]})


def test_prevalence_counts_patients_and_evaluations():
    table = prevalence(EVALUATIONS, BY_PATIENT).set_index("definition")
    assert table.loc["seed"].tolist() == [4, 2, 50.0, 5, 2, 40.0]
    assert table.loc["organ"].tolist() == [4, 1, 25.0, 4, 1, 25.0]


def test_overlap_of_two_definitions():
    [row] = overlap(BY_PATIENT).to_dict("records")
    assert row == {"definition": "organ", "other_definition": "seed", "both": 1, "definition_only": 0,
                   "other_only": 1, "jaccard": 0.5}


def test_survival_compares_dr_with_concordant_progression_only():
    table = survival_by_group(BY_PATIENT, PATIENTS, {"OS": ("os_months", "os_event")}, "log-log")
    got = {(r.definition, r.group): (r.n, r.events) for r in table.itertuples()}
    assert got == {("organ", "DR"): (1, 1), ("organ", "concordant_PD"): (2, 1),
                   ("seed", "DR"): (2, 1), ("seed", "concordant_PD"): (1, 1)}     # P4 (other) left out
    assert table["logrank_p"].between(0, 1).all()
