"""Bad input: each kind of the contract gets a data_issues row and leaves every other
patient's results unchanged; missing files and columns stop the build with one message."""
from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis_py.warehouse.build import run_dbt_build
from analysis_py.errors import UserError
from conftest import CONTRACT_SAMPLE, build_marts, read_table

TOOLS = Path(__file__).resolve().parent.parent / "tools" / "compare_marts.py"
spec = importlib.util.spec_from_file_location("compare_marts", TOOLS)
compare_marts = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_marts)

# (file, row appended to it, expected data_issues rule). Each names its own patient.
INJECTED = [
    ("measurements.csv", ["P0001", "L01", "2016-02-02", "24.57", ""], "duplicate_row"),
    ("measurements.csv", ["P0005", "L01", "2019-02-03", "14.00", ""], "conflicting_duplicate"),
    ("measurements.csv", ["P9999", "L01", "2017-01-01", "10.00", ""], "unknown_patient"),
    ("measurements.csv", ["P0006", "L99", "2017-01-18", "10.00", ""], "unknown_lesion"),
    ("measurements.csv", ["P0008", "L01", "2015/09/03", "50.00", ""], "unparseable_date"),
    ("measurements.csv", ["P0011", "L04", "2016-12-01", "12,5", ""], "unparseable_number"),
    ("measurements.csv", ["P0013", "L05", "2016-12-01", "-3.00", ""], "negative_diameter"),
    ("measurements.csv", ["P0015", "L01", "2017-12-01", "1500.00", ""], "implausible_diameter"),
    ("measurements.csv", ["P0017", "L01", "2017-12-01", "12.345", ""], "too_many_decimals"),
    ("measurements.csv", ["P0018", "L01", "2019-06-01", "10.00", "shrunk"], "invalid_code"),
    ("measurements.csv", ["P0031", "", "2017-01-01", "10.00", ""], "missing_required_value"),
    ("assessments.csv", ["P0019", "2017-12-01", "maybe", ""], "invalid_code"),
    ("assessments.csv", ["P0020", "2018-12-01", "no", "STABLE"], "invalid_code"),
    ("assessments.csv", ["P9997", "2018-12-01", "no", ""], "unknown_patient"),
    ("lesions.csv", ["P0021", "L09", "target", "lung", ""], "target_without_baseline"),
    ("lesions.csv", ["P9998", "L01", "target", "lung", ""], "unknown_patient"),
    ("lesions.csv", ["P0029", "L09", "tumour", "lung", ""], "invalid_code"),
    ("procedures.csv", ["P0027", "biopsy", "2010-01-01", "L99", ""], "unknown_lesion"),
]
# (patient, column, new value) edits of a patients.csv row, and copies with a changed age.
EDITED_PATIENTS = [("P0024", "death_date", "2000-01-01", "date_before_inclusion"),
                   ("P0030", "sex", "X", "invalid_code")]
CONFLICTING_PATIENT = ("P0025", "age", "99", "conflicting_duplicate")
NON_TARGET_READING = ("P0036", "2019-01-01", "non_target_measurement")


def append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def first_lesion(folder: Path, patient: str, role: str) -> str:
    with (folder / "lesions.csv").open() as f:
        return next(r["lesion_id"] for r in csv.DictReader(f) if r["patient_id"] == patient and r["role"] == role)


def inject(folder: Path) -> list[tuple[str, str, str | None, str]]:
    """Writes every bad row into `folder`; returns the expected (file, patient, lesion, rule)."""
    expected = []
    for file, row, rule in INJECTED:
        append_rows(folder / file, [row])
        lesion = row[1] if file in ("measurements.csv", "lesions.csv") else (row[3] if file == "procedures.csv" else None)
        expected.append((file, row[0], lesion or None, rule))
    append_rows(folder / "measurements.csv", [["P0021", "L09", "2019-04-01", "12.00", ""]])
    patient, date, rule = NON_TARGET_READING
    lesion = first_lesion(folder, patient, "non_target")
    append_rows(folder / "measurements.csv", [[patient, lesion, date, "10.00", ""]])
    expected.append(("measurements.csv", patient, lesion, rule))

    with (folder / "patients.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        header, patients = reader.fieldnames, list(reader)
    for patient, column, value, rule in EDITED_PATIENTS:
        next(p for p in patients if p["patient_id"] == patient)[column] = value
        expected.append(("patients.csv", patient, None, rule))
    patient, column, value, rule = CONFLICTING_PATIENT
    copy = dict(next(p for p in patients if p["patient_id"] == patient), **{column: value})
    patients.append(copy)
    expected.append(("patients.csv", patient, None, rule))
    with (folder / "patients.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(patients)
    return expected


@pytest.fixture(scope="module")
def injected_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad") / "input"
    shutil.copytree(CONTRACT_SAMPLE / "input", folder)
    expected = inject(folder)
    return build_marts(folder, folder.parent / "bad.duckdb"), expected


def test_every_bad_row_is_reported_with_its_rule(injected_build):
    db, expected = injected_build
    issues = read_table(db, "data_issues")
    reported = set(zip(issues.source_file, issues.patient_id, issues.lesion_id.where(issues.lesion_id.notna(), None), issues.rule))
    missing = [e for e in expected if e not in reported]
    assert not missing, f"not reported: {missing}\nreported: {sorted(reported, key=str)}"
    assert issues["message"].str.len().min() > 20


def test_no_issue_for_a_patient_without_bad_rows(injected_build):
    db, expected = injected_build
    issues = read_table(db, "data_issues")
    assert set(issues.patient_id.dropna()) <= {e[1] for e in expected} | {"P0021"}
    assert issues.query("patient_id == 'P0001'").rule.tolist() == ["duplicate_row"]


def test_other_patients_results_are_unchanged(injected_build):
    db, expected = injected_build
    injected_patients = frozenset(e[1] for e in expected) - {"P0001"}
    with duckdb.connect(str(db), read_only=True) as con:
        for name, table_spec in compare_marts.TABLES.items():
            result = compare_marts.compare_table(con, name, table_spec, str(CONTRACT_SAMPLE / "expected"),
                                                 True, injected_patients)
            assert result.mismatches == result.on_injected, f"{name}: {result.examples}"


def test_conflicting_reading_is_ne_and_bad_diameters_are_ne(injected_build):
    db, _ = injected_build
    readings = read_table(db, "fct_lesion_measurements")
    readings["assessment_date"] = readings["assessment_date"].astype(str)
    readings = readings.set_index(["patient_id", "lesion_id", "assessment_date"]).sort_index()
    conflicting = readings.loc[("P0005", "L01", "2019-02-03")]
    assert conflicting["lesion_response"] == "NE"
    assert pd.isna(conflicting["diameter_mm"])
    assert readings.loc[("P0013", "L05", "2016-12-01"), "lesion_response"] == "NE"


def test_death_before_inclusion_is_treated_as_missing(injected_build):
    db, _ = injected_build
    patient = read_table(db, "dim_patients").set_index("patient_id").loc["P0024"]
    assert bool(patient["os_event"]) is False
    assert patient["death_date"] is None or str(patient["death_date"]) in ("NaT", "None")


def test_strict_mode_fails_the_build_on_a_data_issue(injected_build, tmp_path):
    db, _ = injected_build
    folder = Path(db).parent / "input"
    with pytest.raises(UserError):
        run_dbt_build(folder, tmp_path / "strict.duckdb", strict=True, quiet=True)


@pytest.mark.parametrize("name", ["main", "MAIN", "system", "temp"])
def test_a_reserved_database_file_name_stops_the_build_saying_so(sample_copy, tmp_path, name):
    with pytest.raises(UserError, match=f"'{name}' is a name it reserves; choose another file name"):
        run_dbt_build(sample_copy, tmp_path / f"{name}.duckdb", quiet=True)
    assert not (tmp_path / f"{name}.duckdb").exists()


@pytest.mark.parametrize("file", ["patients.csv", "lesions.csv", "measurements.csv"])
def test_missing_required_file_stops_the_build_naming_it(sample_copy, tmp_path, file):
    (sample_copy / file).unlink()
    with pytest.raises(UserError, match=f"Input file {file} is missing"):
        run_dbt_build(sample_copy, tmp_path / "x.duckdb", quiet=True)


def test_missing_optional_files_still_build(sample_copy, tmp_path):
    (sample_copy / "assessments.csv").unlink()
    (sample_copy / "procedures.csv").unlink()
    db = build_marts(sample_copy, tmp_path / "x.duckdb")
    evaluations = read_table(db, "fct_evaluations")
    assert set(evaluations["new_lesions"]) == {"no"}
    assert not read_table(db, "dim_target_lesions")["prior_radiotherapy"].any()


def test_missing_required_column_stops_the_build_naming_it(sample_copy, tmp_path):
    path = sample_copy / "measurements.csv"
    text = path.read_text().replace("assessment_date", "scan_date", 1)
    path.write_text(text)
    with pytest.raises(UserError, match="measurements.csv has no column 'assessment_date'"):
        run_dbt_build(sample_copy, tmp_path / "x.duckdb", quiet=True)
