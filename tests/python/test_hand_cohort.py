"""A cohort small enough to compute by hand (tests/data/hand-cohort), checked end to end.

H1 (inclusion 2020-01-10): a screening scan on 2019-12-01 is ignored, baseline 2020-01-05
(L1 lung 30, L2 node 15, sum 45). 02-20: L1 20 (PR, -33.33 %), L2 9.50 (node < 10: CR),
sum 29.50 PR, non-target NON_CR_NON_PD: overall PR. 04-01: L1 too_small = 5 (PR), L2 has
no row (NE): target NE, non-target not assessed (NE), overall NE. 05-15: L1 12 over nadir
5 (PD), L2 12 over nadir 9.50 (SD), sum 24 PR: overall PR, DR2. Best PR; PFS censored at
05-15 (126 d); OS censored at last contact 08-01 (204 d). L1 irradiated 162 days before
inclusion (recent), L2 biopsied.
H2 (inclusion 2020-03-01): baseline 02-25 (L1 liver 50, L2 bone 25). 04-15: L1 60 =
1.2 x 50 and +10 mm (PD), L2 SD, sum 85 vs 75 (+13.3 %: SD), new lesion: overall PD, DR2.
05-20: L1 not evaluable, partial sum 20: NE. Best PD; PFS event day 45; OS death day 92.
L1 radiotherapy undated (unknown), L2 remote (the 2020-04-01 course is after inclusion).
H3 screening failure; H4 a single target lesion.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import TEST_DATA, build_marts, read_table


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory) -> Path:
    return build_marts(TEST_DATA / "hand-cohort", tmp_path_factory.mktemp("hand") / "hand.duckdb")


def rows(db, table, columns, key):
    frame = read_table(db, table)
    frame[key[-1]] = frame[key[-1]].astype(str)
    return {tuple(r[:len(key)]): tuple(r[len(key):]) for r in frame[key + columns].itertuples(index=False)}


def test_lesion_responses(hand_db):
    got = rows(hand_db, "fct_lesion_measurements",
               ["diameter_mm", "nadir_mm", "pct_change_baseline", "lesion_response"],
               ["patient_id", "lesion_id", "assessment_date"])
    clean = {k: tuple(None if pd.isna(v) else float(v) if i < 3 else v for i, v in enumerate(vals))
             for k, vals in got.items()}
    assert clean == {
        ("H1", "L1", "2020-02-20"): (20.0, 30.0, -33.3333, "PR"),
        ("H1", "L2", "2020-02-20"): (9.5, 15.0, -36.6667, "CR"),
        ("H1", "L1", "2020-04-01"): (5.0, 20.0, -83.3333, "PR"),
        ("H1", "L2", "2020-04-01"): (None, 9.5, None, "NE"),
        ("H1", "L1", "2020-05-15"): (12.0, 5.0, -60.0, "PD"),
        ("H1", "L2", "2020-05-15"): (12.0, 9.5, -20.0, "SD"),
        ("H2", "L1", "2020-04-15"): (60.0, 50.0, 20.0, "PD"),
        ("H2", "L2", "2020-04-15"): (25.0, 25.0, 0.0, "SD"),
        ("H2", "L1", "2020-05-20"): (None, 50.0, None, "NE"),
        ("H2", "L2", "2020-05-20"): (20.0, 25.0, -20.0, "SD"),
    }


def test_evaluation_responses(hand_db):
    got = rows(hand_db, "fct_evaluations",
               ["target_response", "non_target_response", "new_lesions", "overall_response", "dr_type"],
               ["patient_id", "assessment_date"])
    clean = {k: tuple(None if pd.isna(v) else v for v in vals) for k, vals in got.items()}
    assert clean == {
        ("H1", "2020-02-20"): ("PR", "NON_CR_NON_PD", "no", "PR", None),
        ("H1", "2020-04-01"): ("NE", "NE", "no", "NE", None),
        ("H1", "2020-05-15"): ("PR", "NE", "no", "PR", "DR2"),
        ("H2", "2020-04-15"): ("SD", None, "yes", "PD", "DR2"),
        ("H2", "2020-05-20"): ("NE", None, "no", "NE", None),
    }


def test_patients(hand_db):
    patients = read_table(hand_db, "dim_patients").set_index("patient_id")
    h1, h2 = patients.loc["H1"], patients.loc["H2"]
    assert (h1.best_overall_response, h1.dr_type, h1.pfs_days, h1.pfs_event, h1.os_days, h1.os_event,
            h1.n_target_lesions, h1.n_evaluations) == ("PR", "DR2", 126, False, 204, False, 2, 4)
    assert (h2.best_overall_response, h2.dr_type, h2.pfs_days, h2.pfs_event, h2.os_days, h2.os_event,
            h2.n_evaluations) == ("PD", "DR2", 45, True, 92, True, 3)
    assert patients.loc["H3", "exclusion_reason"] == "screening_failure"
    assert patients.loc["H4", "exclusion_reason"] == "fewer_than_two_target_lesions"
    flow = read_table(hand_db, "cohort_flow").sort_values("display_order")
    assert list(zip(flow.reason, flow.n_patients)) == [
        ("screening_failure", 1), ("fewer_than_two_target_lesions", 1), ("eligible", 2)]


def test_target_lesions(hand_db):
    got = rows(hand_db, "dim_target_lesions",
               ["site_group", "lymph_node", "radiotherapy_timing", "prior_biopsy", "best_response"],
               ["patient_id", "lesion_id"])
    assert got == {
        ("H1", "L1"): ("lung", False, "recent", False, "PR"),
        ("H1", "L2"): ("lymph_node", True, "never", True, "CR"),
        ("H2", "L1"): ("liver", False, "unknown", False, "PD"),
        ("H2", "L2"): ("bone", False, "remote", False, "SD"),
    }
    assert read_table(hand_db, "data_issues").empty
