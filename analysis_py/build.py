"""Runs the dbt project on an input folder: `lesionwise build` and `make build`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from analysis_py.errors import UserError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def dbt_environment(input_dir: Path, db_path: Path) -> dict[str, str]:
    """The environment dbt reads its input folder, DuckDB file and tracking switch from."""
    env = dict(os.environ)
    env.update(
        LESIONWISE_INPUT=str(input_dir.resolve()),
        LESIONWISE_DB=str(db_path.resolve()),
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def dbt_command(args: list[str]) -> list[str]:
    """The dbt executable of this interpreter's environment, run on this project."""
    dbt = Path(sys.executable).with_name("dbt")
    return [str(dbt), *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]


def run_dbt_build(input_dir: Path, db_path: Path, target: str = "duckdb",
                  strict: bool = False, quiet: bool = False) -> None:
    """`dbt build` on `input_dir`, writing `db_path`; raises UserError when the build fails.
    The build runs the data tests; the unit tests of the rules run in `make test`."""
    if not input_dir.is_dir():
        raise UserError(f"input folder {input_dir} does not exist: pass --input <folder>")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    args = ["build", "--target", target, "--exclude-resource-type", "unit_test"]
    if strict:
        args += ["--vars", "{strict: true}"]
    if quiet:
        args += ["--quiet"]
    result = subprocess.run(dbt_command(args), cwd=PROJECT_DIR,
                            env=dbt_environment(input_dir, db_path))
    if result.returncode != 0:
        raise UserError(f"dbt build failed on {input_dir} (see the messages above)")
