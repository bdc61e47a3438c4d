"""Several readers (docs/readers.md): the per-reader marts of a build, read when they hold two
readers or more, and what `stats`, `report` and `robustness` make of them."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis_py.study.agreement import implied_cv, paired, reader_agreement
from analysis_py.warehouse.marts import read_marts

BY_READER_MARTS = ("fct_lesion_measurements_by_reader", "fct_evaluations_by_reader", "dim_patients_by_reader")
READING_KEY = ["patient_id", "lesion_id", "assessment_date"]


def n_readers(source: Path) -> int:
    """The readers of fct_lesion_measurements_by_reader in `source` (a DuckDB file or a Parquet
    folder); 0 when the build predates the per-reader marts."""
    table = BY_READER_MARTS[0]
    if source.is_dir():
        path = source / f"{table}.parquet"
        if not path.exists():
            return 0
        query = "select count(distinct reader) from read_parquet(?)"
        with duckdb.connect() as con:
            return con.execute(query, [str(path)]).fetchone()[0]
    with duckdb.connect(str(source), read_only=True) as con:
        present = con.execute("select count(*) from information_schema.tables where table_name = ?", [table]).fetchone()[0]
        return con.execute(f"select count(distinct reader) from main.{table}").fetchone()[0] if present else 0


def by_reader_marts(source: Path) -> dict[str, pd.DataFrame]:
    """The per-reader marts of `source` when they hold two readers or more, else none."""
    return read_marts(source, BY_READER_MARTS) if n_readers(source) >= 2 else {}


def reader_tables(source: Path) -> dict[str, pd.DataFrame]:
    """`reader_agreement` (agreement.reader_agreement) when `source` has two readers or more."""
    marts = by_reader_marts(source)
    if not marts:
        return {}
    return {"reader_agreement": reader_agreement(*(marts[name] for name in BY_READER_MARTS))}


def readers_implied_cv(source: Path) -> float | None:
    """The coefficient of variation of one reading that the first two readers' paired diameters
    imply (agreement.implied_cv; docs/robustness.md), or None with fewer than two readers."""
    marts = by_reader_marts(source)
    if not marts:
        return None
    measurements = marts[BY_READER_MARTS[0]]
    first, second = sorted(measurements["reader"].unique())[:2]
    pairs = paired(measurements, READING_KEY, first, second)
    return implied_cv(pairs["diameter_mm_1"], pairs["diameter_mm_2"])


def default_cv(source: Path, single_reader_cv: float) -> float:
    """`lesionwise robustness --cv` when not given: with two readers or more, the CV their
    paired readings imply; else `single_reader_cv`."""
    if not source.is_file():
        return single_reader_cv
    implied = readers_implied_cv(source)
    return single_reader_cv if implied is None or pd.isna(implied) else implied
