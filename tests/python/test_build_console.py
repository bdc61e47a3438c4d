"""What `lesionwise build` and `make build` say and take (issues 15 and 16): a progress line per
phase and a closing summary, dbt's lines only with --verbose, dbt's errors without a traceback,
and paths that stay data through make and the CLI, whatever their characters."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import duckdb
from typer.testing import CliRunner

from analysis_py.warehouse.build import PROJECT_DIR
from analysis_py.cli import app
from conftest import CONTRACT_SAMPLE

ODD_NAME = "O'Brien \"cohort\" $(touch pwned) `touch pwned` {{ 7*7 }}; é"
# the input folder's path reaches dbt's SQL too: quotes and braces there are the input reader's
# (macros/input_files.sql); here it tests make and the shell
ODD_INPUT = "cohort $(touch pwned) `touch pwned`; é"
ANSI = re.compile(r"\x1b\[")


def test_the_console_is_a_line_per_phase_and_a_summary_without_dbt_lines_or_colour(tmp_path):
    db = tmp_path / "sample.duckdb"
    result = CliRunner().invoke(app, ["build", "--input", str(CONTRACT_SAMPLE / "input"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    phases = [line.split("] ")[1] for line in lines if line.startswith("[")]
    assert sorted(phases) == sorted(f"building {phase}" for phase in
                                    ("seeds", "staging", "intermediate", "marts", "tests"))
    with duckdb.connect(str(db), read_only=True) as con:
        screened, eligible = con.execute("select sum(n_patients), sum(n_patients) filter (reason = 'eligible') "
                                         "from cohort_flow").fetchone()
        evaluations = con.execute("select count(*) from fct_evaluations").fetchone()[0]
    assert lines[len(phases):] == [f"{screened} patients screened, {eligible} eligible; {evaluations} evaluations",
                                   "data issues: 0",
                                   "site texts that matched no keyword, grouped `other` (lesions): 'kidney' (6), "
                                   "'pleura' (6), 'soft tissue' (6), 'skin' (5), 'muscle' (3), 'spleen' (2), "
                                   "'peritoneum' (1); add keywords with --site-map FILE (docs/input-format.md)",
                                   f"marts written to {db}"]
    assert not ANSI.search(result.output)


def test_verbose_shows_dbt_lines_and_a_summary_of_data_issues_by_rule(tmp_path, sample_copy):
    with (sample_copy / "patients.csv").open("a") as patients:
        patients.write("P-BAD,TRIAL06,F,73,Adrenocortical,1,anti-PD-1,not-a-date,,,,\n")
    result = CliRunner().invoke(app, ["build", "--input", str(sample_copy), "--db", str(tmp_path / "x.duckdb"),
                                      "--verbose"])
    assert result.exit_code == 0, result.output
    assert "OK created sql table model main.dim_patients" in result.output
    assert ("data issues: 1 by rule:\n  unparseable_date: 1 (select * from data_issues where rule = 'unparseable_date')"
            in result.output)
    assert not ANSI.search(result.output)


def test_a_dbt_error_is_its_message_without_a_traceback(tmp_path, sample_copy):
    patients = sample_copy / "patients.csv"
    patients.write_text(patients.read_text().replace("patient_id,", "pid,", 1))
    result = CliRunner().invoke(app, ["build", "--input", str(sample_copy), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 1
    errors = result.output[result.output.index("error: "):].splitlines()
    assert errors[0] == f"error: dbt build failed on {sample_copy}:"
    assert errors[-1] == "nothing was written"
    assert any(line.startswith("Input file patients.csv has no column 'patient_id'") for line in errors)
    assert len(errors) <= 5 and "Traceback" not in result.output


def make(tmp_path, *variables: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MAKEFLAGS": ""}
    return subprocess.run(["make", "--no-print-directory", "build", *variables], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True)


def test_make_build_takes_paths_as_data(tmp_path):
    folder = tmp_path / ODD_NAME
    shutil.copytree(CONTRACT_SAMPLE / "input", tmp_path / ODD_INPUT)
    db, export = folder / f"{ODD_NAME}.duckdb", folder / f"export {ODD_NAME}"
    result = make(tmp_path, f"INPUT={tmp_path / ODD_INPUT}", f"DB={db}", f"EXPORT={export}",
                  "VARS={recist_pd_min_ratio: 1.25}")
    assert result.returncode == 0, result.stdout + result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from dim_patients").fetchone()[0] == 60
        assert con.execute("select value from build_settings where name = 'recist_pd_min_ratio'").fetchone() == ("1.25",)
    assert (export / "dim_patients.parquet").is_file() and (export / "build_record.parquet").is_file()
    assert not list(PROJECT_DIR.glob("pwned")) and not list(tmp_path.rglob("pwned"))


def test_make_build_runs_nothing_a_path_says(tmp_path):
    result = make(tmp_path, f"INPUT=a;touch {tmp_path}/p;b", f"DB={tmp_path}/x.duckdb")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[0] == f"error: input folder a;touch {tmp_path}/p;b does not exist: pass --input <folder>"
    assert not (tmp_path / "p").exists()


def test_zero_eligible_patients_says_so_with_the_top_reasons_and_exits_non_zero(tmp_path, sample_copy):
    patients = sample_copy / "patients.csv"
    header, *rows = patients.read_text().splitlines()
    patients.write_text("\n".join([header] + [row + "screening_failure" if row.endswith(",") else row
                                              for row in rows]) + "\n")
    result = CliRunner().invoke(app, ["build", "--input", str(sample_copy), "--db", str(tmp_path / "x.duckdb"),
                                      "--quiet"])
    assert result.exit_code == 1
    assert re.fullmatch(r"error: no patient is eligible among 60 screened; top exclusion reasons: "
                        r"screening_failure \(\d+\)(, [a-z_]+ \(\d+\)){0,2}\n", result.output), result.output
