"""`lesionwise robustness`: how robust each DR call and best overall response is to measurement
error. The draws run in dbt (models/robustness, the marts' rule macros) in a DuckDB file of
their own, with the built marts attached read-only; this module runs them, writes their
tables as CSV and draws the figure."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.figure import Figure

from analysis_py.warehouse.build import PROJECT_DIR, dbt_command, dbt_environment
from analysis_py.warehouse.marts import read_marts, sorted_tables
from analysis_py.errors import UserError
from analysis_py.outputs.figures.palette import DR_STYLES

OUTPUT_TABLES = ("robustness_patients", "robustness_evaluations", "robustness_cohort", "robustness_cohort_draws")
DATABASE_NAME = "robustness.duckdb"
MEASURE_LABELS = {"dr_any": "any DR", "dr1": "DR1", "dr2": "DR2", "dr3": "DR3", "orr": "ORR"}


@dataclass(frozen=True)
class ErrorModel:
    """The measurement error of every reading (dbt vars robustness_*, dbt_project.yml)."""
    draws: int = 100
    cv: float = 0.08
    floor_mm: float = 1.0
    seed: int = 0

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


def write_robustness(marts_db: Path, out: Path, model: ErrorModel,
                     progress: Callable[[str], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """Runs the draws and writes `<table>.csv` of each output table and robustness.png to `out`;
    the draws' DuckDB file stays in `out` for queries."""
    work_db = out / DATABASE_NAME
    model.check()
    read_marts(marts_db, ())  # a finished build's marts, or one line saying why not
    progress(f"{model.draws} draws, cv {model.cv}, floor {model.floor_mm} mm, seed {model.seed}")
    run_draws(marts_db, work_db, model)
    with duckdb.connect(str(work_db), read_only=True) as con:
        tables = sorted_tables(con, OUTPUT_TABLES)
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
    robustness_figure(tables["robustness_cohort_draws"], tables["robustness_cohort"],
                      tables["robustness_patients"]).savefig(out / "robustness.png", dpi=120)
    progress(f"tables and figure written to {out}")
    return tables


def read_outputs(folder: Path | None) -> dict[str, pd.DataFrame]:
    """The output tables `write_robustness` wrote to `folder` (for the report), or none."""
    if folder is None or not all((folder / f"{name}.csv").is_file() for name in OUTPUT_TABLES):
        return {}
    return {name: pd.read_csv(folder / f"{name}.csv") for name in OUTPUT_TABLES}


def robustness_figure(draws: pd.DataFrame, cohort: pd.DataFrame, patients: pd.DataFrame) -> Figure:
    """Left: each cohort measure over the draws (box: quartiles, whiskers: 2.5-97.5 %) and as
    observed (dot). Right: per observed DR type, how often the patient's type is kept."""
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2)
    measures = list(MEASURE_LABELS)
    shares = [100 * draws.loc[draws["measure"] == m, "share"].astype(float) for m in measures]
    left.boxplot(shares, whis=(2.5, 97.5), showfliers=False, tick_labels=[MEASURE_LABELS[m] for m in measures])
    observed = cohort.set_index("measure")["observed_share"].astype(float)
    left.plot(range(1, len(measures) + 1), [100 * observed[m] for m in measures], "o", color="black",
              label="observed")
    left.set_ylabel("% of eligible patients")
    left.set_title(f"Cohort over {int(cohort['n_draws'].iloc[0])} draws")
    left.legend(loc="upper right")
    groups = [("no DR", patients["dr_type"].isna())] + [(dr, patients["dr_type"] == dr) for dr in DR_STYLES]
    kept = [100 * patients.loc[mask, "share_same_dr_type"].astype(float) for _, mask in groups]
    right.boxplot(kept, showfliers=True, tick_labels=[f"{label}\n(n={int(mask.sum())})" for label, mask in groups])
    right.set_ylabel("% of draws keeping the observed DR type")
    right.set_ylim(-2, 102)
    right.set_title("Per patient, by observed DR type")
    return figure
