"""`lesionwise stats`: every table of the seed study as `<table>.csv` and the Kaplan-Meier
figures in a folder, with a manifest naming the build they came from, so that `report` reuses
them instead of fitting the models again."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis_py.outputs.figures.km import km_figures
from analysis_py.study.results import study_results
from analysis_py.warehouse.marts import build_record, study_marts

MANIFEST = "manifest.json"  # written last: the build the folder's tables came from, and their names


def write_stats(source: Path, out: Path, progress: Callable[[str], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """Reads the marts in `source`, fits every model once, writes the folder `out` and returns
    the tables."""
    marts = study_marts(source)
    progress(f"marts read from {source}")
    tables = study_results(marts, progress, source=str(source))
    write_stats_folder(out, tables, marts["dim_patients"], build_record(source))
    return tables


def write_stats_folder(out: Path, tables: dict[str, pd.DataFrame], patients: pd.DataFrame,
                       build: dict[str, str]) -> None:
    """`<table>.csv` of each table, km_os.png and km_pfs.png, then the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST).unlink(missing_ok=True)  # a folder half rewritten is never taken for a finished one
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
    for name, figure in km_figures(patients).items():
        figure.savefig(out / f"km_{name.lower()}.png", dpi=120)
    manifest = {"build": build, "tables": list(tables)}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def read_stats_folder(folder: Path, build: dict[str, str]) -> dict[str, pd.DataFrame] | None:
    """The tables of a stats folder written from the build `build`; None when the folder has no
    manifest, names another build or misses a table."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    paths = {name: folder / f"{name}.csv" for name in manifest.get("tables", [])}
    if manifest.get("build") != build or not all(path.is_file() for path in paths.values()):
        return None
    return {name: pd.read_csv(path) for name, path in paths.items()}


def stats_tables(source: Path, folder: Path, progress: Callable[[str], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """The study's tables for `source` as its stats folder holds them: those of an earlier
    `stats` run on the same build, else fitted now and written there first. Either way the
    tables are read back from the CSV files, so a report is the same on both paths."""
    build = build_record(source)
    tables = read_stats_folder(folder, build)
    if tables is not None:
        progress(f"stats of this build reused from {folder}: no model fitted")
        return tables
    progress(f"no stats of this build in {folder}: fitting the models and writing them there")
    write_stats(source, folder, progress)
    return read_stats_folder(folder, build)
