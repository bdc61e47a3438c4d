"""The per-reader pipeline (docs/readers.md) on tests/data/two-readers, computed by hand in
its README: per-reader marts, the chosen reader's contract marts, duplicates and issues per
reader, a shared assessment replaced by one reader, and the var `reader`."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis_py.warehouse.build import run_dbt_build
from analysis_py.errors import UserError
from analysis_py.study.readers import default_cv, reader_tables
from analysis_py.warehouse.marts import by_reader_marts
from conftest import TEST_DATA, read_table

TWO_READERS = TEST_DATA / "two-readers"
CONTRACT_MARTS = ["fct_lesion_measurements", "fct_evaluations", "dim_patients", "dim_target_lesions", "cohort_flow"]


@pytest.fixture(scope="module")
def two_readers_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("two") / "two.duckdb"
    run_dbt_build(TWO_READERS, db, quiet=True)
    return db


def rows(db, table: str, columns: list[str], order: list[str]) -> list[tuple]:
    frame = read_table(db, table).sort_values(order)
    return [tuple(None if pd.isna(value) else value for value in row) for row in frame[columns].itertuples(index=False)]


def sorted_table(db, table: str) -> pd.DataFrame:
    frame = read_table(db, table)
    return frame.sort_values(list(frame.columns[:3])).reset_index(drop=True)


def test_lesion_responses_per_reader_pd_for_one_sd_for_the_other(two_readers_db):
    assert rows(two_readers_db, "fct_lesion_measurements_by_reader", ["reader", "patient_id", "lesion_id", "lesion_response"],
                ["reader", "patient_id", "lesion_id"]) == [
        ("R1", "P1", "L1", "PD"), ("R1", "P1", "L2", "SD"), ("R1", "P2", "L1", "PR"), ("R1", "P2", "L2", "PR"),
        ("R2", "P1", "L1", "SD"), ("R2", "P1", "L2", "SD"), ("R2", "P2", "L1", "PR"), ("R2", "P2", "L2", "PR")]


def test_evaluations_per_reader_with_the_shared_assessment_replaced_for_r2(two_readers_db):
    got = rows(two_readers_db, "fct_evaluations_by_reader",
               ["reader", "patient_id", "sum_mm", "target_response", "new_lesions", "overall_response", "dr_type"],
               ["reader", "patient_id"])
    assert [(r, p, float(s), t, n, o, d) for r, p, s, t, n, o, d in got] == [
        ("R1", "P1", 49.0, "SD", "no", "SD", "DR2"), ("R1", "P2", 30.0, "PR", "no", "PR", None),
        ("R2", "P1", 46.0, "SD", "no", "SD", None), ("R2", "P2", 34.0, "PR", "yes", "PD", None)]


def test_patients_per_reader(two_readers_db):
    assert rows(two_readers_db, "dim_patients_by_reader", ["reader", "patient_id", "eligible", "best_overall_response", "dr_type"],
                ["reader", "patient_id"]) == [
        ("R1", "P1", True, "SD", "DR2"), ("R1", "P2", True, "PR", None),
        ("R2", "P1", True, "SD", None), ("R2", "P2", True, "PD", None)]


def test_the_contract_marts_are_the_first_readers(two_readers_db):
    by_reader = read_table(two_readers_db, "fct_evaluations_by_reader")
    chosen = by_reader[by_reader["reader"] == "R1"].drop(columns="reader").sort_values("patient_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(read_table(two_readers_db, "fct_evaluations").sort_values("patient_id").reset_index(drop=True),
                                  chosen)
    assert rows(two_readers_db, "dim_patients", ["patient_id", "dr_type"], ["patient_id"]) == [("P1", "DR2"), ("P2", None)]


def test_issues_name_their_reader_a_duplicate_within_r2_and_a_reading_without_reader(two_readers_db):
    assert rows(two_readers_db, "data_issues", ["rule", "reader", "patient_id", "lesion_id"], ["rule"]) == [
        ("duplicate_row", "R2", "P1", "L2"), ("missing_reader", None, "P1", "L1")]


def test_the_reader_setting_chooses_r2(tmp_path):
    db = tmp_path / "r2.duckdb"
    run_dbt_build(TWO_READERS, db, quiet=True, overrides="{reader: R2}")
    assert rows(db, "fct_evaluations", ["patient_id", "overall_response"], ["patient_id"]) == [("P1", "SD"), ("P2", "PD")]
    assert rows(db, "dim_patients", ["patient_id", "best_overall_response", "dr_type"], ["patient_id"]) == [
        ("P1", "SD", None), ("P2", "PD", None)]


def test_a_reader_setting_naming_no_reader_fails_with_one_line(tmp_path):
    with pytest.raises(UserError) as failure:
        run_dbt_build(TWO_READERS, tmp_path / "r9.duckdb", quiet=True, overrides="{reader: R9}")
    assert ("The setting reader is 'R9', which no row of measurements.csv names; its readers are: R1, R2 "
            "(docs/readers.md).") in str(failure.value).splitlines()


def test_a_one_reader_folder_gives_the_first_readers_contract_marts_and_no_reader_issue(two_readers_db, tmp_path):
    folder = tmp_path / "one"
    shutil.copytree(TWO_READERS, folder)
    readings = pd.read_csv(TWO_READERS / "measurements.csv", dtype=str)
    readings[readings["reader"] == "R1"].drop(columns="reader").to_csv(folder / "measurements.csv", index=False)
    assessments = pd.read_csv(TWO_READERS / "assessments.csv", dtype=str)
    assessments[assessments["reader"].isna()].drop(columns="reader").to_csv(folder / "assessments.csv", index=False)
    db = tmp_path / "one.duckdb"
    run_dbt_build(folder, db, quiet=True)
    for table in CONTRACT_MARTS:
        pd.testing.assert_frame_equal(sorted_table(db, table), sorted_table(two_readers_db, table), obj=table)
    assert read_table(db, "data_issues").empty
    assert read_table(db, "fct_evaluations_by_reader")["reader"].isna().all()


def test_stats_agreement_and_the_robustness_cv_from_the_paired_readings(two_readers_db):
    """The four post-baseline pairs 25/22, 24/24, 20/22, 10/12: var ln(r1/r2) = 0.017685 (n - 1),
    sigma^2 = 0.0088426, cv = sqrt(exp(sigma^2) - 1) = 0.094244."""
    agreement = reader_tables(by_reader_marts(two_readers_db))["reader_agreement"]
    icc = agreement[(agreement["measure"] == "diameter_mm") & (agreement["statistic"] == "bland_altman_mm")].iloc[0]
    assert (icc["reader_1"], icc["reader_2"], icc["n"]) == ("R1", "R2", 4)
    assert icc["estimate"] == pytest.approx((3 + 0 - 2 - 2) / 4)
    assert default_cv(by_reader_marts(two_readers_db), 0.08) == pytest.approx(0.094244, abs=1e-6)


def test_one_reader_has_no_agreement_and_keeps_the_given_cv(tmp_path):
    folder = tmp_path / "one"
    shutil.copytree(TWO_READERS, folder)
    readings = pd.read_csv(TWO_READERS / "measurements.csv", dtype=str)
    readings[readings["reader"] == "R1"].to_csv(folder / "measurements.csv", index=False)
    db = tmp_path / "one.duckdb"
    run_dbt_build(folder, db, quiet=True)
    assert reader_tables(by_reader_marts(db)) == {}
    assert default_cv(by_reader_marts(db), 0.08) == 0.08
