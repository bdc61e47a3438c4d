"""The checks of the contract's "Bad input, added checks" on a small cohort: implausible
dates, a status that contradicts its diameter, scans after death; each reported once, with
no other issue, and the day of the build pinned (var build_date)."""
from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis_py.warehouse.build import run_dbt_build
from conftest import CONTRACT_SAMPLE, read_table

BUILD_DATE = "2024-06-30"


def edit_rows(path: Path, edit: Callable[[dict[str, str]], None]) -> None:
    """Rewrites a CSV file with `edit` applied to each row (in place)."""
    with path.open(newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        edit(row)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


MEASUREMENT_EDITS = {  # (patient, lesion, date): changed values
    ("P0011", "L02", "2016-11-14"): {"status": "absent"},                          # absent with 7.67 mm
    ("P0011", "L03", "2016-11-14"): {"status": "too_small"},                       # too_small with 10.60 mm
    ("P0011", "L04", "2016-11-14"): {"status": "too_small", "diameter_mm": "4.99"},  # agrees: no issue
    ("P0011", "L05", "2017-01-01"): {"assessment_date": "2202-03-05"},             # after the build day
}


@pytest.fixture(scope="module")
def checked_build(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("checks") / "input"
    shutil.copytree(CONTRACT_SAMPLE / "input", folder)
    edit_rows(folder / "measurements.csv",
              lambda row: row.update(MEASUREMENT_EDITS.get((row["patient_id"], row["lesion_id"],
                                                            row["assessment_date"]), {})))
    edit_rows(folder / "patients.csv",
              lambda row: row.update({"last_contact_date": "1899-12-31"} if row["patient_id"] == "P0012" else {}))
    with (folder / "assessments.csv").open("a", newline="") as f:  # P0006 died on 2017-08-01
        csv.writer(f, lineterminator="\n").writerows([["P0006", "2017-08-01", "no", ""],
                                                       ["P0006", "2017-08-02", "no", ""]])
    db = folder.parent / "checks.duckdb"
    run_dbt_build(folder, db, quiet=True, variables={"build_date": BUILD_DATE})
    return db


def test_each_added_check_reports_its_rows_and_nothing_else(checked_build):
    issues = read_table(checked_build, "data_issues")
    reported = {(r.source_file, r.patient_id, r.lesion_id if isinstance(r.lesion_id, str) else None,
                 None if r.assessment_date is None or str(r.assessment_date) == "NaT" else str(r.assessment_date)[:10],
                 r.rule) for r in issues.itertuples()}
    assert reported == {
        ("measurements.csv", "P0011", "L02", "2016-11-14", "contradictory_status"),
        ("measurements.csv", "P0011", "L03", "2016-11-14", "contradictory_status"),
        ("measurements.csv", "P0011", "L05", None, "implausible_date"),
        ("patients.csv", "P0012", None, None, "implausible_date"),
        ("patients.csv", "P0006", None, "2017-08-02", "assessment_after_death"),
    }
    assert sorted(issues.query("rule == 'implausible_date'")["message"]) == [
        "assessment_date '2202-03-05' is after the day of the build 2024-06-30; the reading is left out",
        "last_contact_date '1899-12-31' is before 1900-01-01; treated as missing"]
    assert issues.set_index("rule").loc["assessment_after_death", "severity"] == "warning"


def test_the_status_wins_and_an_implausible_scan_is_left_out(checked_build):
    readings = read_table(checked_build, "fct_lesion_measurements")
    readings["assessment_date"] = readings["assessment_date"].astype(str).str[:10]
    value = readings.set_index(["patient_id", "lesion_id", "assessment_date"])["diameter_mm"]
    assert float(value[("P0011", "L02", "2016-11-14")]) == 0.0   # absent: 0 mm, not 7.67
    assert float(value[("P0011", "L03", "2016-11-14")]) == 5.0   # too_small: 5 mm, not 10.60
    assert float(value[("P0011", "L04", "2016-11-14")]) == 5.0
    assert readings.query("patient_id == 'P0011' and lesion_id == 'L05' and assessment_date == '2017-01-01'")[
        "lesion_response"].tolist() == ["NE"]
    assert "2202-03-05" not in set(readings["assessment_date"])
