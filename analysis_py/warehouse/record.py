"""The build record: tables naming the run that wrote a warehouse (when, from which files,
with which settings and versions, with which outcome). A build writes them last, just before
its work file replaces the target; `stats`, `report` and `audit` read nothing without them."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import duckdb
import pandas as pd

from analysis_py.warehouse.input_files import check_regular_file

RECORD = "build_record"             # one row: the run
INPUT_FILES = "build_input_files"   # one row per input file: path in the folder, bytes, sha256
COMPLETED = "passed"                # the outcome of a build whose every model and test passed


def input_files(folder: Path) -> pd.DataFrame:
    """Every file under the input folder with its size and sha256, read before the build. A
    FIFO, device or socket there would hang the build: one line says so instead."""
    rows = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        check_regular_file(path)
        rows.append({"file": path.relative_to(folder).as_posix(), "bytes": path.stat().st_size,
                     "sha256": _sha256(path)})
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"]).astype({"bytes": "int64"})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def record_row(started: datetime, input_dir: Path, target: str, dbt_vars: dict) -> pd.DataFrame:
    """The run's row, finished now with outcome `passed` (a build writes it only then)."""
    return pd.DataFrame([{
        "started_at": started.replace(tzinfo=None), "finished_at": now().replace(tzinfo=None),
        "input_folder": str(input_dir.resolve()), "target": target,
        "vars_given": json.dumps(dbt_vars, sort_keys=True),
        "lesionwise_version": version("lesionwise"), "dbt_version": version("dbt-core"),
        "adapter_version": version("dbt-duckdb" if target == "duckdb" else "dbt-spark"),
        "duckdb_version": duckdb.__version__, "outcome": COMPLETED,
    }])


def now() -> datetime:
    return datetime.now(timezone.utc)


def write_record(con: duckdb.DuckDBPyConnection, record: pd.DataFrame, files: pd.DataFrame) -> None:
    """The two record tables in the open DuckDB file (times in UTC)."""
    for name, frame in ((RECORD, record), (INPUT_FILES, files)):
        con.register("frame", frame)
        con.execute(f'create or replace table main."{name}" as select * from frame')
        con.unregister("frame")


def write_record_parquet(folder: Path, record: pd.DataFrame, files: pd.DataFrame) -> None:
    """The two record tables as `<table>.parquet` beside an exported warehouse."""
    with duckdb.connect() as con:
        for name, frame in ((RECORD, record), (INPUT_FILES, files)):
            con.register("frame", frame)
            con.execute("copy frame to $path (format parquet)", {"path": str(folder / f"{name}.parquet")})
            con.unregister("frame")


def completed(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """True when `relation` (a record table, or a Parquet file read through `read_parquet`)
    has the row of a passed build."""
    return con.execute(f"select count(*) from {relation} where outcome = '{COMPLETED}' "
                       "and finished_at is not null").fetchone()[0] == 1
