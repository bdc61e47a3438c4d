"""A build never loses the last good marts (issue 16): a failed strict build and a build killed
part-way leave the DuckDB file byte for byte as it was; one build at a time per file; a file
held open elsewhere, a file without a build record, a FIFO for a CSV: one line each."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis_py.warehouse.build import PROJECT_DIR, run_dbt_build
from analysis_py.warehouse.safety import build_lock, work_path
from analysis_py.cli import app
from analysis_py.warehouse.marts import read_marts
from analysis_py.errors import UserError
from conftest import CONTRACT_SAMPLE

LESIONWISE = Path(sys.executable).with_name("lesionwise")
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def every_table(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1").fetchall()]
        return {name: con.execute(f'select * from "{name}" order by all').df() for name in names}


def assert_unchanged(path: Path, digest: str, tables: dict[str, pd.DataFrame]) -> None:
    assert file_hash(path) == digest
    after = every_table(path)
    assert list(after) == list(tables)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)
    assert not Path(f"{path}.wal").exists()


@pytest.fixture
def good_db(tmp_path, contract_sample_db) -> Path:
    """A copy of the contract sample's warehouse, as the last good build of a user."""
    path = tmp_path / "warehouse" / "lesionwise.duckdb"
    path.parent.mkdir()
    shutil.copyfile(contract_sample_db, path)
    return path


@pytest.fixture
def other_cohort(sample_copy) -> Path:
    """The sample with one more patient whose inclusion date is not a date: a data issue."""
    with (sample_copy / "patients.csv").open("a") as patients:
        patients.write("P-BAD,TRIAL06,F,73,Adrenocortical,1,anti-PD-1,not-a-date,,,,\n")
    return sample_copy


def test_a_failed_strict_build_leaves_the_previous_db_byte_for_byte(good_db, other_cohort):
    digest, tables = file_hash(good_db), every_table(good_db)
    with pytest.raises(UserError, match=r"(?s)no_data_issues_when_strict.*unparseable_date: 1 .*left as it was"):
        run_dbt_build(other_cohort, good_db, strict=True, quiet=True)
    assert_unchanged(good_db, digest, tables)
    assert sorted(p.name for p in good_db.parent.iterdir()) == ["lesionwise.duckdb"]  # no work file, no lock


@pytest.mark.parametrize("kill_at", ["building seeds", "building marts", "building tests"])
def test_a_build_killed_part_way_leaves_the_previous_db_and_the_next_build_cleans_up(good_db, other_cohort, kill_at):
    digest, tables = file_hash(good_db), every_table(good_db)
    build = subprocess.Popen([str(LESIONWISE), "build", "--input", str(other_cohort), "--db", str(good_db)],
                             stdout=subprocess.PIPE, text=True, start_new_session=True, cwd=PROJECT_DIR)
    for line in build.stdout:
        if kill_at in line:
            os.killpg(build.pid, signal.SIGKILL)  # lesionwise and its dbt
            break
    build.wait()
    assert build.returncode == -signal.SIGKILL, f"the build ended before '{kill_at}'"
    assert_unchanged(good_db, digest, tables)
    run_dbt_build(other_cohort, good_db, quiet=True)  # the next build removes the dead one's work file
    assert sorted(p.name for p in good_db.parent.iterdir()) == ["lesionwise.duckdb"]
    assert "P-BAD" in set(read_marts(good_db, ("dim_patients",))["dim_patients"]["patient_id"])


def test_a_second_build_on_the_same_db_is_one_line_naming_the_file_and_the_pid(good_db):
    with build_lock(good_db):
        result = CliRunner().invoke(app, ["build", "--input", str(CONTRACT_SAMPLE / "input"), "--db", str(good_db)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {good_db}: another build (pid {os.getpid()}) is writing it; wait for it to finish "
        f"(its lock is {good_db}.lock)"]


def test_stats_during_a_first_build_says_a_build_is_running(tmp_path):
    db = tmp_path / "new.duckdb"
    with build_lock(db):
        result = CliRunner().invoke(app, ["stats", "--db", str(db), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: a build of {db} is running (pid {os.getpid()}): wait for it to finish"


def test_stats_on_a_file_without_a_completed_build_record_is_one_line(good_db, tmp_path):
    with duckdb.connect(str(good_db)) as con:
        con.execute("drop table build_record")
    result = CliRunner().invoke(app, ["stats", "--db", str(good_db), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {good_db} has no record of a completed build (table build_record): it was not written by "
        "`lesionwise build`, or that build did not finish; build it again with `make build`")


def held_elsewhere(path: Path) -> bool:
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException:
        return True
    return False


def test_a_db_held_open_by_a_duckdb_shell_is_one_line_naming_it(good_db):
    digest = file_hash(good_db)
    shell = subprocess.Popen([str(DUCKDB_CLI), str(good_db)], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        shell.stdin.write(b"select 1;\n")
        shell.stdin.flush()
        for _ in range(100):  # until the shell holds the file
            if held_elsewhere(good_db):
                break
            time.sleep(0.1)
        result = CliRunner().invoke(app, ["build", "--input", str(CONTRACT_SAMPLE / "input"), "--db", str(good_db)])
    finally:
        shell.stdin.close()
        shell.wait()
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()  # the pid: the duckdb binary the `duckdb` script starts
    assert re.fullmatch(re.escape(f"error: {good_db} is held open for writing by duckdb (pid ") + r"\d+"
                        + re.escape("), likely a `duckdb` shell or a notebook: close it (or its connection) "
                                    "and build again"), line), line
    assert file_hash(good_db) == digest


def test_a_fifo_for_a_csv_is_one_line_without_waiting(sample_copy, tmp_path):
    (sample_copy / "measurements.csv").unlink()
    os.mkfifo(sample_copy / "measurements.csv")
    with pytest.raises(UserError, match=r"measurements.csv is not a regular file \(a pipe, device, socket or folder\)"):
        run_dbt_build(sample_copy, tmp_path / "x.duckdb", quiet=True)
    assert not (tmp_path / "x.duckdb").exists() and not work_path(tmp_path / "x.duckdb").exists()


def test_the_build_records_its_run_and_its_settings_with_overrides(tmp_path):
    db = tmp_path / "vars.duckdb"
    run_dbt_build(CONTRACT_SAMPLE / "input", db, quiet=True, overrides="{recist_pd_min_ratio: 1.25}")
    with duckdb.connect(str(db), read_only=True) as con:
        settings = dict(con.execute("select name, value from build_settings").fetchall())
        record = con.execute("select input_folder, vars_given, outcome, finished_at >= started_at "
                             "from build_record").fetchall()
        files = con.execute("select file, bytes from build_input_files order by file").fetchall()
    assert settings["recist_pd_min_ratio"] == "1.25"
    assert settings["recist_pr_max_ratio"] == "0.7" and settings["strict"] == "false"
    assert record == [(str((CONTRACT_SAMPLE / "input").resolve()), '{"recist_pd_min_ratio": 1.25}', "passed", True)]
    assert files == [(p.name, p.stat().st_size) for p in sorted((CONTRACT_SAMPLE / "input").iterdir())]


def test_an_unknown_setting_is_one_line_naming_it(tmp_path):
    with pytest.raises(UserError, match="--vars: no setting named recist_pd_ratio; the settings are"):
        run_dbt_build(CONTRACT_SAMPLE / "input", tmp_path / "x.duckdb", quiet=True,
                      overrides="{recist_pd_ratio: 1.25}")
