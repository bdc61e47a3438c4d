"""Runs the dbt project on an input folder: `lesionwise build` and `make build`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from analysis_py.errors import UserError
from analysis_py.input_files import prepared_input

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESERVED_DATABASE_NAMES = ("main", "system", "temp")  # DuckDB's own catalog and schema names


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


def run_dbt_build(input_dir: Path, db_path: Path, target: str = "duckdb",
                  strict: bool = False, quiet: bool = False, export_dir: Path | None = None,
                  variables: dict[str, object] | None = None) -> list[str]:
    """`dbt build` on `input_dir`, writing `db_path` (target duckdb) or the Spark schema
    (target spark), and each contract table as `<export_dir>/<table>.parquet` when
    `export_dir` is given; raises UserError when the build fails. The build runs the data
    tests; the unit tests of the rules run in `make test`. `variables` are dbt vars,
    given to dbt as JSON. Returns a line per input file that was not plain UTF-8 and
    comma-separated (analysis_py/input_files.py)."""
    if not input_dir.is_dir():
        raise UserError(f"input folder {input_dir} does not exist: pass --input <folder>")
    if target == "duckdb":
        check_database_name(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if export_dir is not None:
        export_dir.mkdir(parents=True, exist_ok=True)
        remove_exports(export_dir)
    args = build_arguments(target)
    variables = {**(variables or {}), **({"strict": True} if strict else {})}
    if variables:
        args += ["--vars", json.dumps(variables)]
    if quiet:
        args += ["--quiet"]
    with prepared_input(input_dir) as files:
        result = subprocess.run(dbt_command(args), cwd=PROJECT_DIR,
                                env=dbt_environment(input_dir, db_path, export_dir) | files.environment)
    if result.returncode != 0:
        raise UserError(f"dbt build failed on {input_dir} (see the messages above)")
    if export_dir is not None:
        single_parquet_files(export_dir)
    return files.notes


def check_database_name(db_path: Path) -> None:
    """DuckDB names a database after its file; main, system and temp are names it reserves,
    and a build into such a file fails deep inside dbt with an unrelated-looking error."""
    if db_path.stem.lower() in RESERVED_DATABASE_NAMES:
        raise UserError(f"--db {db_path}: DuckDB names the database after its file, and "
                        f"'{db_path.stem}' is a name it reserves; choose another file name, "
                        f"e.g. {db_path.with_name('lesionwise.duckdb')}")


def remove_exports(folder: Path) -> None:
    """Removes the `<model>.parquet` a build could write to `folder`, so that a failed build
    leaves none from an earlier one behind."""
    for model in (PROJECT_DIR / "models").rglob("*.sql"):
        path = folder / f"{model.stem}.parquet"
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def single_parquet_files(folder: Path) -> None:
    """Spark writes `<table>.parquet` as a folder holding one part file (and _SUCCESS and
    checksums): make each such folder the part file itself, as DuckDB writes it."""
    for path in sorted(folder.glob("*.parquet")):
        parts = list(path.glob("part-*.parquet")) if path.is_dir() else []
        if len(parts) == 1:
            moved = path.with_name(path.name + ".tmp")
            parts[0].replace(moved)
            shutil.rmtree(path)
            moved.replace(path)
