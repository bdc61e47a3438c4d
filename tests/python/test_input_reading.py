"""Reading the input files as hospitals export them: each file's dialect detected, every
input line either used or reported, paths that are data, never code (analysis_py/warehouse/input_files.py,
macros/input_files.sql)."""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis_py.warehouse.build import PROJECT_DIR, run_dbt_build
from analysis_py.errors import UserError
from analysis_py.warehouse.input_files import prepared_input
from conftest import CONTRACT_SAMPLE, build_marts, read_table

CONTRACT_MARTS = ["dim_patients", "dim_target_lesions", "fct_lesion_measurements", "fct_evaluations",
                  "cohort_flow", "data_issues"]
HEADER = "patient_id,lesion_id,assessment_date,diameter_mm,status\n"


def dialect(folder: Path, table: str = "measurements"):
    """The detected InputFile of `table` in `folder`, and the build's notes."""
    with prepared_input(folder) as files:
        return next(f for f in files.files if f.table == table), files.notes


# Detection, file by file

@pytest.mark.parametrize(("content", "encoding", "delimiter", "note"), [
    (HEADER.encode() + b"P1,L1,2020-01-01,18.5,\n", "UTF-8", ",", None),
    (b"\xef\xbb\xbf" + HEADER.encode() + b"P1,L1,2020-01-01,18.5,\n", "UTF-8 with BOM", ",", None),
    (HEADER.replace(",", ";").replace("\n", "\r\n").encode() + b"P1;L1;2020-01-01;18,5;\r\n", "UTF-8", ";",
     "measurements.csv: ';'-separated (decimal commas read as points)"),
    (HEADER.replace(",", "\t").encode() + b"P1\tL1\t2020-01-01\t18,5\t\n", "UTF-8", "\t",
     "measurements.csv: tab-separated (decimal commas read as points)"),
    (HEADER.replace(",", ";").encode() + "P1;Lé’;2020-01-01;18,5;\n".encode("cp1252"), "Windows-1252", ";",
     "measurements.csv: read as Windows-1252, ';'-separated (decimal commas read as points)"),
    (HEADER.encode() + b"P1,L\xe9,2020-01-01,5,\n", "Windows-1252", ",", "measurements.csv: read as Windows-1252"),
    # valid multi-byte UTF-8 elsewhere: the stray byte is a malformed row, not Windows-1252
    (HEADER.encode() + "P1,Lé,2020-01-01,5,\n".encode() + b"P2,L\xe9,2020-01-01,5,\n", "UTF-8", ",", None),
    # a header value quoting a semicolon does not make the file ';'-separated
    (b'patient_id,lesion_id,"a;b;c",diameter_mm\nP1,L1,x,5\n', "UTF-8", ",", None),
])
def test_each_file_dialect_is_detected_and_said(tmp_path, content, encoding, delimiter, note):
    (tmp_path / "measurements.csv").write_bytes(content)
    found, notes = dialect(tmp_path)
    assert (found.encoding, found.delimiter) == (encoding, delimiter)
    assert notes == ([note] if note else [])
    assert found.columns[:2] == ["patient_id", "lesion_id"]


def test_a_utf8_file_with_a_bom_is_read_from_a_copy_without_it(tmp_path):
    (tmp_path / "lesions.csv").write_bytes(b"\xef\xbb\xbfpatient_id,site\r\nP1,Foie\r\n")
    with prepared_input(tmp_path) as files:
        assert files.files[0].path.read_bytes() == b"patient_id,site\r\nP1,Foie\r\n"
        assert files.files[0].columns == ["patient_id", "site"]


def test_a_windows_1252_file_is_read_from_a_utf8_copy_line_for_line(tmp_path):
    lines = ["patient_id;site", "P1;Ganglion médiastinal", "P2;Poumon – droit €", ""]
    (tmp_path / "lesions.csv").write_bytes("\r\n".join(lines).encode("cp1252"))
    with prepared_input(tmp_path) as files:
        copy = files.files[0].path
        assert copy.read_bytes().decode("utf-8").split("\r\n") == lines
    assert not copy.exists()


def test_a_fifo_named_like_an_input_file_stops_at_once_with_one_line(sample_copy, tmp_path):
    (sample_copy / "measurements.csv").unlink()
    os.mkfifo(sample_copy / "measurements.csv")
    result = subprocess.run([str(Path(sys.executable).with_name("lesionwise")), "build", "--input", str(sample_copy),
                             "--db", str(tmp_path / "x.duckdb")], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "measurements.csv is not a regular file (a pipe, device, socket or folder)" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_folder_named_like_an_input_file_is_not_a_regular_file(sample_copy):
    (sample_copy / "lesions.csv").unlink()
    (sample_copy / "lesions.csv").mkdir()
    with pytest.raises(UserError, match="lesions.csv is not a regular file"):
        dialect(sample_copy)


@pytest.mark.parametrize(("content", "said"), [(b"", "has no rows (not even a header)"),
                                               (b"patient_id,lesion_id,role,site\r\n", "has no rows"),
                                               (b"patient_id,lesion_id,role,site\n  \n\n", "has no rows")])
def test_a_required_file_without_rows_stops_the_build_saying_so(sample_copy, content, said):
    (sample_copy / "lesions.csv").write_bytes(content)
    with pytest.raises(UserError, match=re.escape(f"lesions.csv {said}: lesions.csv is required")):
        dialect(sample_copy)


@pytest.mark.parametrize("content", [b"", b"patient_id,procedure\n"])
def test_an_optional_file_without_rows_is_read_as_absent(sample_copy, content):
    (sample_copy / "procedures.csv").write_bytes(content)
    with prepared_input(sample_copy) as files:
        assert "procedures" not in {f.table for f in files.files}


def test_a_missing_diameter_column_stops_the_build_naming_it(sample_copy, tmp_path):
    frame = pd.read_csv(sample_copy / "measurements.csv", dtype=str).drop(columns="diameter_mm")
    frame.to_csv(sample_copy / "measurements.csv", index=False)
    with pytest.raises(UserError) as failure:
        run_dbt_build(sample_copy, tmp_path / "x.duckdb", quiet=True)
    assert "Input file measurements.csv has no column 'diameter_mm': it is required (see docs/input-format.md)" \
        in str(failure.value)


# Every line used or reported

Z100_READINGS = ["#Z100,L01,2017-01-01,10.00,", "#Z100,L01,2017-02-01,11.00,",
                 "#Z100,L02,2017-01-01,20.00,", "#Z100,L02,2017-02-01,21.00,"]
FAULTS = [  # (line appended after the sample's rows, what data_issues says of it; None = blank)
    ("P0001,L01,2016-03-01,10.00,,surplus", "has more fields than the header"),
    ("P0001,L01,2016-03-02", "has fewer fields than the header"),
    ("   ", None),
    ("P0001,L\xff01,2016-03-03,10.00,", "has bytes that are not text in the file's encoding"),
    ("P0001,Lé1,2016-03-04,10.00,", "used"),  # valid UTF-8: the file stays UTF-8, the row is used
    ('P0001,"L01,2016-03-05,10.00,', "opens a quote that is never closed"),
]


@pytest.fixture(scope="module")
def faulty_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("faults") / "input"
    folder.mkdir()
    for path in (CONTRACT_SAMPLE / "input").glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    header, *rows = (CONTRACT_SAMPLE / "input" / "measurements.csv").read_text().splitlines()
    lines = [header, *Z100_READINGS, *rows, *(line for line, _ in FAULTS)]
    data = "\n".join(lines).encode("utf-8").replace("\xff".encode("utf-8"), b"\xff")
    (folder / "measurements.csv").write_bytes(data)
    return build_marts(folder, folder.parent / "faults.duckdb"), len(rows)


def test_every_input_line_is_a_row_used_or_a_row_reported(faulty_build):
    db, n_sample_rows = faulty_build
    with duckdb.connect(str(db), read_only=True) as con:
        used = con.execute("select count(*) from stg_measurements").fetchone()[0]
        reported = con.execute("select count(*) from data_issues where rule = 'malformed_row' "
                               "and source_file = 'measurements.csv'").fetchone()[0]
    # 1 header + 4 #Z100 + 574 sample rows + 6 fault lines = 585 lines
    assert n_sample_rows == 574
    assert used == 4 + 574 + 1
    assert reported == 4
    assert 1 + used + reported + 1 == 1 + 4 + n_sample_rows + len(FAULTS)


def test_a_malformed_row_is_reported_by_line_without_its_content(faulty_build):
    db, n_sample_rows = faulty_build
    first_fault_line = 1 + len(Z100_READINGS) + n_sample_rows + 1
    expected = [f"line {first_fault_line + i} {said}; the row is left out (docs/input-format.md)"
                for i, (_, said) in enumerate(FAULTS) if said not in (None, "used")]
    issues = read_table(db, "data_issues").query("rule == 'malformed_row'")
    assert sorted(issues["message"]) == sorted(expected)
    assert set(issues["source_file"]) == {"measurements.csv"} and issues["patient_id"].isna().all()
    assert not issues["message"].str.contains("P0001|surplus|2016-03").any()


def test_a_hash_prefixed_patient_keeps_its_rows(faulty_build):
    db, _ = faulty_build
    readings = read_table(db, "data_issues").query("patient_id == '#Z100'")
    assert readings["rule"].tolist() == ["unknown_patient"] * 4


# Paths are data

HOSTILE = ["O'Brien \"cohort\" $(touch pwned) {{ 7*7 }} ; é",
           "x'); copy (select 42) to 'PWNED.csv'; select count(*) from glob('y"]


def test_any_folder_name_builds_and_runs_nothing(tmp_path, contract_sample_db):
    folder = tmp_path.joinpath(*HOSTILE)
    folder.mkdir(parents=True)
    for path in (CONTRACT_SAMPLE / "input").glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    db = build_marts(folder, tmp_path / "hostile.duckdb")
    for table in CONTRACT_MARTS:
        assert_same_rows(read_table(db, table), read_table(contract_sample_db, table), table)
    assert not list(tmp_path.rglob("PWNED.csv")) and not list(tmp_path.rglob("pwned"))
    assert not (PROJECT_DIR / "PWNED.csv").exists() and not (PROJECT_DIR / "pwned").exists()


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame, table: str) -> None:
    def ordered(frame):
        return frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)
    pd.testing.assert_frame_equal(ordered(actual), ordered(expected), obj=table)


# The French export case

FRENCH_SITES = {"Lung": "Poumon", "Liver": "Foie", "lymph node": "Ganglion médiastinal",
                "Lymph node": "Ganglion médiastinal"}


def write_french_and_plain(source: Path, plain: Path, french: Path) -> None:
    """The contract sample with French site names, written plainly (UTF-8, comma, LF, decimal
    point, ISO dates) and as a French hospital exports it (Windows-1252, ';', CRLF, decimal
    comma, dates DD/MM/YYYY)."""
    plain.mkdir()
    french.mkdir()
    for path in source.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "site" in frame:
            frame["site"] = frame["site"].replace(FRENCH_SITES)
        frame.to_csv(plain / path.name, index=False, lineterminator="\n")
        if "diameter_mm" in frame:
            frame["diameter_mm"] = frame["diameter_mm"].str.replace(".", ",", regex=False)
        for column in (name for name in frame if name.endswith("_date")):
            frame[column] = frame[column].str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", regex=True)
        text = io.StringIO()
        frame.to_csv(text, index=False, sep=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        (french / path.name).write_bytes(text.getvalue().encode("cp1252"))


def test_a_french_export_gives_the_marts_of_the_same_cohort_written_plainly(tmp_path):
    write_french_and_plain(CONTRACT_SAMPLE / "input", tmp_path / "plain", tmp_path / "french")
    assert "Ganglion médiastinal".encode("cp1252") in (tmp_path / "french" / "lesions.csv").read_bytes()
    assert b"\r\nP0031;L02;19/02/2017;46,78;\r\n" in (tmp_path / "french" / "measurements.csv").read_bytes()
    plain = build_marts(tmp_path / "plain", tmp_path / "plain.duckdb")
    notes = run_dbt_build(tmp_path / "french", tmp_path / "french.duckdb", quiet=True,
                          variables={"date_format": "%d/%m/%Y"}).notes
    separated = "';'-separated (decimal commas read as points)"
    assert notes == [f"patients.csv: {separated}", f"lesions.csv: read as Windows-1252, {separated}",
                     *(f"{name}.csv: {separated}" for name in ("measurements", "assessments", "procedures"))]
    for table in CONTRACT_MARTS:
        assert_same_rows(read_table(tmp_path / "french.duckdb", table), read_table(plain, table), table)
    sites = read_table(tmp_path / "french.duckdb", "dim_target_lesions")["site"]
    assert {"Poumon", "Foie", "Ganglion médiastinal"} <= set(sites)
