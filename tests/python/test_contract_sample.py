"""The contract sample: every contract column of the six tables equals the expected tables."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CONTRACT_SAMPLE, read_table

COMPARE = Path(__file__).resolve().parent.parent / "tools" / "compare_marts.py"


def test_contract_sample_has_zero_mismatches(contract_sample_db):
    result = subprocess.run(
        [sys.executable, str(COMPARE), str(contract_sample_db), str(CONTRACT_SAMPLE / "expected"), "--strict"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "SUMMARY: 0 mismatches" in result.stdout


def test_contract_sample_figures(contract_sample_db):
    flow = read_table(contract_sample_db, "cohort_flow").set_index("reason")["n_patients"].to_dict()
    assert flow == {"screening_failure": 13, "concomitant_chemotherapy": 5,
                    "fewer_than_two_target_lesions": 2, "no_baseline_assessment": 2,
                    "no_follow_up_assessment": 2, "concomitant_targeted_therapy": 1, "eligible": 35}
    evaluations = read_table(contract_sample_db, "fct_evaluations")
    assert len(evaluations) == 102
    assert evaluations["dr_type"].value_counts().to_dict() == {"DR3": 29, "DR2": 24, "DR1": 1}
    patients = read_table(contract_sample_db, "dim_patients").query("eligible")
    assert patients["best_overall_response"].value_counts().to_dict() == {"PD": 15, "SD": 12, "PR": 7, "CR": 1}
    assert len(read_table(contract_sample_db, "data_issues")) == 0
