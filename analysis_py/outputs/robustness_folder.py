"""`lesionwise robustness`: the draws' tables as `<table>.csv` and robustness.png in a folder
(the draws' own DuckDB file stays there for queries), and what the report reads back."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis_py.outputs.figures.robustness import robustness_figure
from analysis_py.warehouse.robustness import DATABASE_NAME, OUTPUT_TABLES, ErrorModel, draw_tables


def write_robustness(marts_db: Path, out: Path, model: ErrorModel,
                     progress: Callable[[str], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """Runs the draws and writes `<table>.csv` of each output table and robustness.png to `out`."""
    model.check()
    progress(f"{model.draws} draws, cv {model.cv}, floor {model.floor_mm} mm, seed {model.seed}")
    tables = draw_tables(marts_db, out / DATABASE_NAME, model)
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
    robustness_figure(tables["robustness_cohort_draws"], tables["robustness_cohort"],
                      tables["robustness_patients"]).savefig(out / "robustness.png", dpi=120)
    progress(f"tables and figure written to {out}")
    return tables


def read_robustness_folder(folder: Path | None) -> dict[str, pd.DataFrame]:
    """The output tables `write_robustness` wrote to `folder` (for the report), or none."""
    if folder is None or not all((folder / f"{name}.csv").is_file() for name in OUTPUT_TABLES):
        return {}
    return {name: pd.read_csv(folder / f"{name}.csv") for name in OUTPUT_TABLES}
