"""Runs the dbt project on an input folder: `lesionwise build` and `make build`.

A build never harms the last good warehouse: it holds `<db>.lock`, writes a work file beside
the DuckDB file (and a work folder beside the Parquet export), records the run in it, and
replaces the target only when every model and test passed; otherwise, or when stopped, the
target is left byte for byte as it was."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from analysis_py.warehouse.dbt_console import JSON_ARGUMENTS, DbtRun, run_dbt
from analysis_py.warehouse.record import input_files, now, record_row, write_record, write_record_parquet
from analysis_py.warehouse.record import INPUT_FILES, RECORD
from analysis_py.warehouse.safety import (build_lock, check_not_held, recover_folder, remove_database, remove_tree,
                                      replace_database, replace_folder, work_path)
from analysis_py.warehouse.summary import BuildSummary, issue_lines, issues_by_rule, read_summary
from analysis_py.errors import UserError
from analysis_py.warehouse.input_files import prepared_input
from analysis_py.project import PROJECT_DIR, project_vars

RESERVED_DATABASE_NAMES = ("main", "system", "temp")  # DuckDB's own catalog and schema names
SUMMARY_TABLES = ("cohort_flow", "fct_evaluations", "data_issues", "input_date_formats", "site_mapping")


@dataclass
class BuildResult:
    """What a passed build wrote and found: its summary, and notes other checks add."""
    summary: BuildSummary | None
    notes: list[str] = field(default_factory=list)


@dataclass
class BuildOutput:
    """Where dbt writes (work paths) and what they replace at the end."""
    target: str
    db_path: Path
    export_dir: Path | None

    @property
    def work_db(self) -> Path:
        return work_path(self.db_path)

    @property
    def work_export(self) -> Path | None:
        return None if self.export_dir is None else work_path(self.export_dir)

    @property
    def locked(self) -> Path | None:
        """The target the build's lock protects: the DuckDB file, else the export folder."""
        return self.db_path if self.target == "duckdb" else self.export_dir


def dbt_environment(input_dir: Path, db_path: Path, export_dir: Path | None = None) -> dict[str, str]:
    """The environment dbt reads its input folder, DuckDB file, export folder and tracking
    switch from. A local Spark binds to the loopback address unless told otherwise."""
    env = dict(os.environ)
    env.update(
        LESIONWISE_INPUT=str(input_dir.resolve()),
        LESIONWISE_DB=str(db_path.resolve()),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    if export_dir is not None:
        env["LESIONWISE_EXPORT"] = str(export_dir.resolve())
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return env


def dbt_command(args: list[str], project_dir: Path = PROJECT_DIR) -> list[str]:
    """The dbt executable of this interpreter's environment, run on this project (or on
    another checkout of it, as benchmarks/compare_builds.py does)."""
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt), *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]


def build_arguments(target: str = "duckdb") -> list[str]:
    """`dbt build` as `lesionwise build` and `make bench` run it: every model and data test
    (the unit tests run in `make test`); the log file at info level, as dbt's debug level
    writes every compiled statement again (10 MB, 0.7 s of CPU per build)."""
    return ["build", "--target", target, "--exclude-resource-type", "unit_test", "--log-level-file", "info"]


def dbt_vars(overrides: str | None, strict: bool) -> dict:
    """The vars given on the command line (`--vars '{name: value}'`, YAML), checked against the
    vars of dbt_project.yml, plus `strict`."""
    given = yaml.safe_load(overrides) if overrides else {}
    if not isinstance(given, dict):
        raise UserError(f"--vars {overrides!r}: give a mapping, e.g. --vars '{{recist_pd_min_ratio: 1.25}}'")
    known = project_vars()
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UserError(f"--vars: no setting named {', '.join(unknown)}; the settings are the vars of "
                        f"dbt_project.yml: {', '.join(known)}")
    return {**given, "strict": True} if strict else given


def run_dbt_build(input_dir: Path, db_path: Path, target: str = "duckdb", strict: bool = False,
                  quiet: bool = False, export_dir: Path | None = None, overrides: str | None = None,
                  variables: dict[str, object] | None = None,
                  progress: Callable[[str], None] | None = None,
                  dbt_lines: Callable[[str], None] | None = None) -> BuildResult:
    """`dbt build` on `input_dir`, writing `db_path` (target duckdb) or the Spark schema
    (target spark), and each contract table as `<export_dir>/<table>.parquet` when
    `export_dir` is given; `overrides` are dbt vars as the user wrote them (YAML),
    `variables` those of the reading options (--date-format, --site-map). Raises UserError
    when the build fails, leaving the DuckDB file and the export folder as they were.
    `progress` hears each phase, `dbt_lines` each of dbt's lines; `quiet` silences both. The
    result's notes say how each input file that was not plain UTF-8 and comma-separated was
    read (analysis_py/warehouse/input_files.py)."""
    if not input_dir.is_dir():
        raise UserError(f"input folder {input_dir} does not exist: pass --input <folder>")
    if target == "duckdb":
        check_database_name(db_path)
    given = dbt_vars(overrides, strict) | (variables or {})
    output = BuildOutput(target, db_path.resolve(), None if export_dir is None else export_dir.resolve())
    started, files = now(), input_files(input_dir)
    for path in (output.db_path.parent, output.export_dir.parent if output.export_dir else None):
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
    with _locked(output) as lock_fds, _work(output), prepared_input(input_dir) as read_as:
        if quiet:
            progress = dbt_lines = None
        run = _run(input_dir, output, given, lock_fds, progress, dbt_lines, read_as.environment)
        if run.returncode != 0:
            raise UserError(_failure(input_dir, output, run))
        summary = _finish(output, record_row(started, input_dir, target, given), files)
    return BuildResult(summary, read_as.notes)


@contextlib.contextmanager
def _locked(output: BuildOutput) -> Iterator[tuple[int, ...]]:
    """The build's lock (none for a Spark build without export), and no other writer on the DuckDB file."""
    if output.locked is None:
        yield ()
        return
    with build_lock(output.locked) as fd:
        if output.target == "duckdb":
            check_not_held(output.db_path)
        yield (fd,)


@contextlib.contextmanager
def _work(output: BuildOutput) -> Iterator[None]:
    """Fresh work paths (a dead build's are removed: the lock says none is running), removed
    again when the build stops before replacing the targets."""
    if output.export_dir is not None:
        recover_folder(output.export_dir)
        check_export_folder(output.export_dir)
    _remove_work(output)
    try:
        yield
    finally:
        _remove_work(output)


def _remove_work(output: BuildOutput) -> None:
    remove_database(output.work_db)
    if output.work_export is not None:
        remove_tree(output.work_export)


def _run(input_dir: Path, output: BuildOutput, given: dict, lock_fds: tuple[int, ...],
         progress, dbt_lines, reading: dict[str, str]) -> DbtRun:
    args = build_arguments(output.target) + JSON_ARGUMENTS
    if given:
        args += ["--vars", json.dumps(given)]
    if output.work_export is not None:
        output.work_export.mkdir()
    env = dbt_environment(input_dir, output.work_db, output.work_export) | reading
    return run_dbt(dbt_command(args), env, PROJECT_DIR, lock_fds, on_phase=progress, on_line=dbt_lines)


def _failure(input_dir: Path, output: BuildOutput, run: DbtRun) -> str:
    """The failed build's message: dbt's errors, what strict mode found, and what was kept."""
    kept = ", ".join(str(path) for path in (output.db_path if output.target == "duckdb" else None,
                                             output.export_dir) if path is not None and path.exists())
    lines = [f"dbt build failed on {input_dir}:", *run.errors]
    issues = _strict_issues(output)
    if issues:
        lines += ["data issues (strict mode fails on any; build without --strict to keep them):", *issue_lines(issues)]
    lines.append(f"{kept} left as it was" if kept else "nothing was written")
    return "\n".join(lines)


def _strict_issues(output: BuildOutput) -> list[tuple[str, int]]:
    """The data issues a failed DuckDB build found, read from its work file."""
    if output.target != "duckdb" or not output.work_db.is_file():
        return []
    with contextlib.suppress(duckdb.Error), duckdb.connect(str(output.work_db), read_only=True) as con:
        return issues_by_rule(con)
    return []


def _finish(output: BuildOutput, record: pd.DataFrame, files: pd.DataFrame) -> BuildSummary | None:
    """Records the run in the work file and folder, reads the summary, and puts them in place."""
    summary = None
    if output.work_export is not None:
        single_parquet_files(output.work_export)
        write_record_parquet(output.work_export, record, files)
    if output.target == "duckdb":
        with duckdb.connect(str(output.work_db)) as con:
            write_record(con, record, files)
            summary = read_summary(con)
            con.execute("checkpoint")
        check_not_held(output.db_path)
        replace_database(output.work_db, output.db_path)
    elif output.work_export is not None:
        summary = _export_summary(output.work_export)
    if output.export_dir is not None:
        replace_folder(output.work_export, output.export_dir)
    return summary


def _export_summary(folder: Path) -> BuildSummary:
    with duckdb.connect() as con:
        for name in SUMMARY_TABLES:
            path = str(folder / f"{name}.parquet").replace("'", "''")  # a view takes no bound parameter
            con.execute(f"create view {name} as select * from read_parquet('{path}')")
        return read_summary(con)


def check_database_name(db_path: Path) -> None:
    """DuckDB names a database after its file (the first dot-separated part); main, system and
    temp are names it reserves, and a build into such a file fails deep inside dbt with an
    unrelated-looking error."""
    name = db_path.name.lstrip(".").split(".")[0]
    if name.lower() in RESERVED_DATABASE_NAMES:
        raise UserError(f"--db {db_path}: DuckDB names the database after its file, and "
                        f"'{name}' is a name it reserves; choose another file name, "
                        f"e.g. {db_path.with_name('lesionwise.duckdb')}")


def export_names() -> set[str]:
    """The `<table>.parquet` names a build can write to an export folder."""
    models = {model.stem for model in (PROJECT_DIR / "models").rglob("*.sql")}
    return {f"{name}.parquet" for name in models | {RECORD, INPUT_FILES}}


def check_export_folder(folder: Path) -> None:
    """The export folder is replaced as a whole: it must hold nothing a build did not write."""
    if not folder.is_dir():
        return
    foreign = sorted(path.name for path in folder.iterdir() if path.name not in export_names())
    if foreign:
        raise UserError(f"--export {folder} holds files a build does not write ({', '.join(foreign[:3])}): "
                        "a build replaces the whole folder; pass an empty or new folder")


def single_parquet_files(folder: Path) -> None:
    """Spark writes `<table>.parquet` as a folder holding one part file (and _SUCCESS and
    checksums): make each such folder the part file itself, as DuckDB writes it."""
    for path in sorted(folder.glob("*.parquet")):
        parts = list(path.glob("part-*.parquet")) if path.is_dir() else []
        if len(parts) == 1:
            moved = path.with_name(path.name + ".tmp")
            parts[0].replace(moved)
            remove_tree(path)
            moved.replace(path)
