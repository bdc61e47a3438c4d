"""Read-only access to a finished build: its marts, the settings they were built with and
its build record, from a DuckDB file (opened read-only) or a folder of Parquet files written
by a build that completed (its build record says so)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from analysis_py.warehouse.record import RECORD, completed
from analysis_py.warehouse.safety import running_build
from analysis_py.errors import UserError

MARTS = ("dim_patients", "dim_target_lesions", "fct_lesion_measurements", "fct_evaluations",
         "cohort_flow")
DR_MARTS = ("fct_dissociated_response", "fct_dissociated_response_patients")
BY_READER_MARTS = ("fct_lesion_measurements_by_reader", "fct_evaluations_by_reader", "dim_patients_by_reader")
SETTINGS = "build_settings"


def read_marts(source: Path, names: tuple[str, ...] = MARTS) -> dict[str, pd.DataFrame]:
    """The named marts as DataFrames; `source` is a DuckDB file or a folder of `<mart>.parquet`.
    Tables keep no row order (the build does not preserve insertion order): rows come sorted
    by every column, left to right (the key columns come first in the fact and dimension
    marts), so that every run sees them in the same order."""
    if source.is_dir():
        _check_parquet_record(source)
        return {name: _read_parquet(source, name) for name in names}
    with _query_connection(source) as (con, _):
        present = _duckdb_tables(con)
        missing = [name for name in names if name not in present]
        if missing:
            raise UserError(f"mart {', '.join(missing)} missing from {source}: run `make build`")
        if RECORD not in present or not completed(con, f'main."{RECORD}"'):
            raise UserError(_building(source) or _no_record(source))
        return sorted_tables(con, names)


def study_marts(source: Path) -> dict[str, pd.DataFrame]:
    """What the study layer reads: the contract's marts, the dissociated-response marts when the
    build has them, and the per-reader marts when they hold two readers or more."""
    marts = read_marts(source)
    present = present_tables(source)
    if set(DR_MARTS) <= present:
        marts |= read_marts(source, DR_MARTS)
    return marts | by_reader_marts(source)


def by_reader_marts(source: Path) -> dict[str, pd.DataFrame]:
    """The per-reader marts of `source` when they hold two readers or more, else none."""
    if BY_READER_MARTS[0] not in present_tables(source):
        return {}
    with _query_connection(source) as (con, relation):
        readers = con.execute(f"select count(distinct reader) from {relation(BY_READER_MARTS[0])}").fetchone()[0]
    return read_marts(source, BY_READER_MARTS) if readers >= 2 else {}


def read_settings(source: Path) -> dict[str, str]:
    """The settings in force when `source` was built (mart build_settings: name -> value as
    text, `--vars` overrides included)."""
    if SETTINGS not in present_tables(source):
        raise UserError(f"{source} has no table {SETTINGS} (it predates lesionwise's settings record): "
                        "build it again with `make build`")
    with _query_connection(source) as (con, relation):
        return dict(con.execute(f"select name, value from {relation(SETTINGS)}").fetchall())


def build_record(source: Path) -> dict[str, str]:
    """The row of the build that wrote `source`, every value as text: what identifies that
    build (its times, input folder, settings given and versions)."""
    record = read_marts(source, (RECORD,))[RECORD]
    return {column: str(value) for column, value in record.iloc[0].items()}


def present_tables(source: Path) -> set[str]:
    """The tables of `source`: those of its DuckDB file, or the `<name>.parquet` of its folder."""
    if source.is_dir():
        return {path.name.removesuffix(".parquet") for path in source.glob("*.parquet")}
    with _query_connection(source) as (con, _):
        return _duckdb_tables(con)


def _duckdb_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return set(con.execute("select table_name from information_schema.tables "
                           "where table_schema = 'main'").df()["table_name"])


@contextmanager
def _query_connection(source: Path):
    """A DuckDB connection on `source` (a Parquet folder, or a DuckDB file opened read-only) and
    the SQL relation of a table of it by name; one line saying why not when it cannot be opened."""
    if source.is_dir():
        with duckdb.connect() as con:
            yield con, lambda name: _parquet_relation(source, name)
        return
    if not source.is_file():
        raise UserError(_building(source) or f"no DuckDB file at {source}: run `make build` first (or pass --db)")
    try:
        con = duckdb.connect(str(source), read_only=True)
    except duckdb.Error as error:
        raise UserError(f"cannot open {source} as a DuckDB file ({error}): run `make build`") from error
    with con:
        con.execute("SET enable_progress_bar = false")
        yield con, lambda name: f'main."{name}"'


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
    return duckdb.sql(f"select * from {_parquet_relation(folder, name)} order by all").df()


def _parquet_relation(folder: Path, name: str) -> str:
    """`<name>.parquet` of `folder` as a relation: a file (DuckDB's export, `lesionwise build
    --export`), or a folder of part files as Spark writes it on a cluster."""
    path = folder / f"{name}.parquet"
    if path.is_dir():
        files = path / "*.parquet"
    elif path.is_file():
        files = path
    else:
        raise UserError(f"mart {name} missing: no {path} (run `make build EXPORT={folder}`)")
    return f"read_parquet('{_quoted(files.as_posix())}')"
