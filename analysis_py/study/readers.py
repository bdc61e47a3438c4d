"""Several readers (docs/readers.md): what `stats`, `report` and `robustness` make of the
per-reader marts of a build (warehouse.marts.by_reader_marts: none below two readers)."""
from __future__ import annotations

import pandas as pd

from analysis_py.study.agreement import implied_cv, paired, reader_agreement
from analysis_py.warehouse.marts import BY_READER_MARTS

READING_KEY = ["patient_id", "lesion_id", "assessment_date"]


def reader_tables(marts: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """`reader_agreement` (agreement.reader_agreement) when `marts` hold the per-reader marts."""
    if not set(BY_READER_MARTS) <= set(marts):
        return {}
    return {"reader_agreement": reader_agreement(*(marts[name] for name in BY_READER_MARTS))}


def readers_implied_cv(by_reader: dict[str, pd.DataFrame]) -> float | None:
    """The coefficient of variation of one reading that the first two readers' paired diameters
    imply (agreement.implied_cv; docs/robustness.md), or None without per-reader marts."""
    if BY_READER_MARTS[0] not in by_reader:
        return None
    measurements = by_reader[BY_READER_MARTS[0]]
    first, second = sorted(measurements["reader"].unique())[:2]
    pairs = paired(measurements, READING_KEY, first, second)
    return implied_cv(pairs["diameter_mm_1"], pairs["diameter_mm_2"])


def default_cv(by_reader: dict[str, pd.DataFrame], single_reader_cv: float) -> float:
    """`lesionwise robustness --cv` when not given: with two readers or more, the CV their
    paired readings imply; else `single_reader_cv`."""
    implied = readers_implied_cv(by_reader)
    return single_reader_cv if implied is None or pd.isna(implied) else implied
