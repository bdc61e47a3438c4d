"""`lesionwise robustness`: how robust each DR call and best overall response is to measurement
error. The draws run in dbt (models/robustness, the marts' rule macros) in a DuckDB file of
their own, with the built marts attached read-only; this module runs them and reads their
tables (outputs.robustness_folder writes them)."""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from analysis_py.warehouse.build import PROJECT_DIR, dbt_command, dbt_environment
from analysis_py.warehouse.marts import read_marts, sorted_tables
from analysis_py.errors import UserError
from analysis_py.project import project_vars

OUTPUT_TABLES = ("robustness_patients", "robustness_evaluations", "robustness_cohort", "robustness_cohort_draws")
DATABASE_NAME = "robustness.duckdb"


def _var(name: str, kind: type):
    """The default of a field: the var `name` of dbt_project.yml."""
    return field(default_factory=lambda: kind(project_vars()[name]))


@dataclass(frozen=True)
class ErrorModel:
    """The measurement error of every reading; by default the vars robustness_* of dbt_project.yml."""
    draws: int = _var("robustness_draws", int)
    cv: float = _var("robustness_cv", float)
    floor_mm: float = _var("robustness_floor_mm", float)
    seed: int = _var("robustness_seed", int)

    def check(self) -> None:
        if self.draws < 1:
            raise UserError(f"--draws {self.draws}: at least 1 draw is needed")
        if self.cv < 0 or self.floor_mm < 0:
            raise UserError(f"--cv {self.cv} --floor-mm {self.floor_mm}: an error SD cannot be negative")

    def dbt_vars(self) -> str:
        return json.dumps({"robustness": True, "robustness_draws": self.draws, "robustness_cv": self.cv,
                           "robustness_floor_mm": self.floor_mm, "robustness_seed": self.seed})


def run_draws(marts_db: Path, work_db: Path, model: ErrorModel) -> None:
    """`dbt run` of models/robustness into `work_db` (replaced), reading `marts_db` read-only."""
    if not marts_db.is_file():
        raise UserError(f"no DuckDB file at {marts_db}: run `make build` first (or pass --db)")
    model.check()
    remove_database(work_db)
    work_db.parent.mkdir(parents=True, exist_ok=True)
    env = dbt_environment(PROJECT_DIR / "data" / "demo", marts_db)
    env["LESIONWISE_ROBUSTNESS_DB"] = str(work_db.resolve())
    args = ["run", "--target", "robustness", "--select", "tag:robustness", "--vars", model.dbt_vars(),
            "--quiet", "--log-level-file", "info"]
    result = subprocess.run(dbt_command(args), cwd=PROJECT_DIR, env=env)
    if result.returncode != 0:
        raise UserError(f"the robustness draws failed on {marts_db} (see the messages above); "
                        "is it a finished `lesionwise build`?")


def remove_database(path: Path) -> None:
    """A DuckDB file with its write-ahead log and spill folder."""
    for extra in (path, path.with_name(path.name + ".wal")):
        extra.unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def draw_tables(marts_db: Path, work_db: Path, model: ErrorModel) -> dict[str, pd.DataFrame]:
    """Runs the draws into `work_db` (left there for queries) and returns its output tables."""
    read_marts(marts_db, ())  # a finished build's marts, or one line saying why not
    run_draws(marts_db, work_db, model)
    with duckdb.connect(str(work_db), read_only=True) as con:
        return sorted_tables(con, OUTPUT_TABLES)
