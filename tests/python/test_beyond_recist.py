"""The marts beyond RECIST 1.1 on a cohort computed by hand (tests/data/beyond-recist/README.md):
confirmed best response and durations, dissociated response by definition, iRECIST."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import TEST_DATA, build_marts, read_table


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory) -> Path:
    return build_marts(TEST_DATA / "beyond-recist", tmp_path_factory.mktemp("beyond") / "beyond.duckdb")


def by_patient(db, columns):
    frame = read_table(db, "dim_patients").set_index("patient_id")[columns]
    return {patient: tuple(None if pd.isna(value) else value for value in row)
            for patient, row in zip(frame.index, frame.itertuples(index=False))}


def test_confirmed_best_response_and_durations(cohort_db):
    got = by_patient(cohort_db, ["best_overall_response", "confirmed_best_overall_response",
                                 "disease_control", "duration_of_response_days", "duration_of_response_event"])
    assert got == {
        "B1": ("PD", "PD", False, None, None),        # PD first: nothing after counts
        "B2": ("PD", "PD", False, None, None),
        "B3": ("PR", "PR", True, 70, True),           # PR 02-20 confirmed on 03-31 (40 days, one NE between), PD 04-30
        "B4": ("SD", "PD", False, None, None),        # SD on day 41 < 42: not SD once confirmed; then PD
    }


def test_irecist_patient_columns(cohort_db):
    got = by_patient(cohort_db, ["irecist_best_overall_response", "irecist_icpd_date",
                                 "irecist_pfs_days", "irecist_pfs_event", "pfs_days"])
    got = {p: (r[0], None if r[1] is None else str(r[1].date()), *r[2:]) for p, r in got.items()}
    assert got == {
        "B1": ("iPR", None, 110, False, 50),           # pseudo-progression: censored at the last evaluation
        "B2": ("iUPD", "2020-03-21", 50, True, 50),    # iUPD 02-20 confirmed by another new lesion
        "B3": ("iPR", None, 120, True, 120),           # an iUPD unconfirmed at the last evaluation counts
        "B4": ("iSD", "2020-04-20", 80, True, 80),     # confirmed by a non-target increase 30 days on
    }


def test_irecist_evaluations(cohort_db):
    frame = read_table(cohort_db, "fct_evaluations_irecist").sort_values(["patient_id", "assessment_date"])
    assert {p: list(g["overall_response"]) for p, g in frame.groupby("patient_id")} == {
        "B1": ["iUPD", "iPR", "iPR"], "B2": ["iUPD", "iCPD"], "B3": ["iPR", "NE", "iPR", "iUPD"],
        "B4": ["iSD", "iUPD", "iCPD"]}
    b2 = frame[frame["patient_id"] == "B2"]
    assert list(b2["n_new_lesions"]) == [1, 2]
    assert [float(x) for x in b2["new_lesion_sum_mm"]] == [12.0, 12.0]     # N2 (8 mm) is not measurable
    assert list(b2["new_lesion_appeared"]) == [False, True]
    assert list(frame[frame["patient_id"] == "B1"]["resets_iupd"]) == [False, True, False]


def test_dissociated_response_by_definition(cohort_db):
    frame = read_table(cohort_db, "fct_dissociated_response").query("is_dissociated")
    got = {(r.patient_id, str(r.assessment_date.date()), r.definition): (r.dr_type, r.worse_side, r.better_side)
           for r in frame.itertuples()}
    assert got == {
        ("B2", "2020-02-20", "seed"): ("DR1", "L2", "L1"),
        ("B2", "2020-02-20", "lesion_threshold"): (None, "L2", "L1"),       # +25 % from nadir, -40 % from baseline
        ("B2", "2020-02-20", "organ"): (None, "liver", "lung"),             # lung -40 % PR, liver +10 mm PD
        ("B2", "2020-02-20", "first_scan_pd"): (None, "L2, new lesions", "L1"),
        ("B2", "2020-03-21", "seed"): ("DR1", "L2", "L1"),
        ("B2", "2020-03-21", "lesion_threshold"): (None, "L2", "L1"),
        ("B3", "2020-04-30", "mixed_with_new"): (None, "new lesions", "L1, L2"),
    }
    patients = read_table(cohort_db, "fct_dissociated_response_patients")
    seed = patients.query("definition == 'seed'").set_index("patient_id")["comparison_group"].to_dict()
    assert seed == {"B1": "concordant_PD", "B2": "DR", "B3": "concordant_PD", "B4": "concordant_PD"}
    assert len(patients) == 4 * 5


def test_new_lesion_row_contradicting_assessments_is_an_issue(cohort_db):
    issues = read_table(cohort_db, "data_issues")
    assert issues[["source_file", "patient_id", "rule"]].values.tolist() == [
        ["assessments.csv", "B2", "conflicting_duplicate"]]
