"""Reads the contract's marts: from a DuckDB file (opened read-only) or a folder of Parquet files,
written by a build that completed (its build record says so)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis_py.warehouse.record import RECORD, completed
from analysis_py.warehouse.safety import running_build
from analysis_py.errors import UserError

MARTS = ("dim_patients", "dim_target_lesions", "fct_lesion_measurements", "fct_evaluations",
         "cohort_flow")


def read_marts(source: Path, names: tuple[str, ...] = MARTS) -> dict[str, pd.DataFrame]:
    """The named marts as DataFrames; `source` is a DuckDB file or a folder of `<mart>.parquet`.
    Tables keep no row order (the build does not preserve insertion order): rows come sorted
    by every column, left to right (the key columns come first in the fact and dimension
    marts), so that every run sees them in the same order."""
    if source.is_dir():
        _check_parquet_record(source)
        return {name: _read_parquet(source, name) for name in names}
    if not source.is_file():
        raise UserError(_building(source) or f"no DuckDB file at {source}: run `make build` first (or pass --db)")
    try:
        con = duckdb.connect(str(source), read_only=True)
    except duckdb.Error as error:
        raise UserError(f"cannot open {source} as a DuckDB file ({error}): run `make build`") from error
    with con:
        con.execute("SET enable_progress_bar = false")
        present = set(con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'").df()["table_name"])
        missing = [name for name in names if name not in present]
        if missing:
            raise UserError(f"mart {', '.join(missing)} missing from {source}: run `make build`")
        if RECORD not in present or not completed(con, f'main."{RECORD}"'):
            raise UserError(_building(source) or _no_record(source))
        return sorted_tables(con, names)


def sorted_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The named tables of `con`, rows sorted by every column (as read_marts gives them); for
    tables that are not a build's marts, such as the robustness draws' outputs."""
    return {name: con.execute(f'select * from main."{name}" order by all').df() for name in names}


def _building(target: Path) -> str | None:
    """The message for a target a build is writing now, else None."""
    pid = running_build(target)
    return None if pid is None else f"a build of {target} is running (pid {pid}): wait for it to finish"


def _no_record(source: Path) -> str:
    return (f"{source} has no record of a completed build (table {RECORD}): it was not written by "
            "`lesionwise build`, or that build did not finish; build it again with `make build`")


def _check_parquet_record(folder: Path) -> None:
    path = folder / f"{RECORD}.parquet"
    if not path.is_file():
        raise UserError(_building(folder) or _no_record(folder))
    with duckdb.connect() as con:
        if not completed(con, f"read_parquet('{_quoted(path.as_posix())}')"):
            raise UserError(_no_record(folder))


def _quoted(text: str) -> str:
    """`text` inside a SQL string literal."""
    return text.replace("'", "''")


def _read_parquet(folder: Path, name: str) -> pd.DataFrame:
    """`<name>.parquet`: a file (DuckDB's export, `lesionwise build --export`), or a folder of
    part files as Spark writes it on a cluster."""
    path = folder / f"{name}.parquet"
    if path.is_dir():
        files = path / "*.parquet"
    elif path.is_file():
        files = path
    else:
        raise UserError(f"mart {name} missing: no {path} (run `make build EXPORT={folder}`)")
    return duckdb.sql(f"select * from read_parquet('{_quoted(files.as_posix())}') order by all").df()
