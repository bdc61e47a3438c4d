"""More than one reader in a simulated cohort: every further reader reads the same scans as
the first, each valued reading multiplied by a log-normal error of a chosen coefficient of
variation (the inter-reader variability); statuses (absent, too small, not evaluable) are
kept. Each reader draws from its own stream, so the first reader's rows are the one-reader
cohort's."""
from __future__ import annotations

import numpy as np


def reader_names(readers: int) -> list[str]:
    return [f"R{number}" for number in range(1, readers + 1)]


def reread(measurements: dict[str, np.ndarray], reader_cv: float, rng: np.random.Generator,
           max_value: int) -> dict[str, np.ndarray]:
    """The measurements as another reader reads them: value x exp(sigma z), sigma =
    sqrt(ln(1 + cv^2)) (log-normal with median the first reading and CV `reader_cv`),
    in whole hundredths of a mm, at most `max_value`."""
    sigma = np.sqrt(np.log1p(reader_cv ** 2))
    value = measurements["value"] * np.exp(sigma * rng.standard_normal(len(measurements["value"])))
    return {**measurements, "value": np.minimum(np.round(value), max_value).astype(np.int64)}


def with_readers(columns: list[np.ndarray], reread_columns: list[list[np.ndarray]]) -> list[np.ndarray]:
    """The first reader's measurement columns and the other readers', one below the other,
    with a last column naming the reader."""
    tables = [columns, *reread_columns]
    names = reader_names(len(tables))
    stacked = [np.concatenate([table[index] for table in tables]) for index in range(len(columns))]
    return stacked + [np.concatenate([np.full(len(table[0]), name) for table, name in zip(tables, names)])]
