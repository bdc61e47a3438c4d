"""Writes synthetic cohorts in the input contract's format: `lesionwise simulate`.

`simulate` streams the generative model of `simulation/generator.py` in chunks, so memory
does not grow with the number of patients; `write_demo` writes the calibrated demo cohort of
`simulation/demo.py` (the bundled data/demo).
"""
from __future__ import annotations

import csv
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from analysis_py import input_contract
from analysis_py.simulation import demo, generator

READER = "reader"  # the contract's reader column: `simulate` writes it (measurements.csv) with several readers only
# the files `simulate` writes, in the order it reports them, each with the contract's columns but the reader's
HEADERS = {f"{name}.csv": tuple(column for column in input_contract.columns(name) if column != READER)
           for name in ("patients", "lesions", "measurements", "assessments", "procedures", "new_lesions")}
CHUNK_PATIENTS = 20_000  # part of the output's identity: a seed gives the same bytes at this chunk size


def simulate(n_patients: int, seed: int, out: Path,
             progress: Callable[[int, int], None] | None = None, readers: int = 1,
             reader_cv: float = 0.0) -> dict[str, int]:
    """Write `n_patients` screened patients drawn with `seed` to `out`; returns rows per file.
    With `readers` > 1, measurements.csv holds every reader's readings and a `reader` column,
    the further readers' readings drawn with coefficient of variation `reader_cv`."""
    out.mkdir(parents=True, exist_ok=True)
    id_width = max(4, len(str(n_patients)))
    rows = dict.fromkeys(HEADERS, 0)
    headers = dict(HEADERS)
    if readers > 1:
        headers["measurements.csv"] = input_contract.columns("measurements")
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(out / name, "w", encoding="utf-8", newline=""))
                 for name in HEADERS}
        for name, header in headers.items():
            files[name].write(",".join(header) + "\n")
        for first in range(0, n_patients, CHUNK_PATIENTS):
            size = min(CHUNK_PATIENTS, n_patients - first)
            for name, columns in generator.chunk_tables(first, size, seed, id_width, readers, reader_cv).items():
                check_width(name, headers[name], len(columns))
                files[name].write(generator.csv_text(columns))
                rows[name] += len(columns[0])
            if progress:
                progress(first + size, n_patients)
    return rows


def write_demo(out: Path) -> dict[str, int]:
    """Write the calibrated demo cohort to `out`; returns rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for name, (header, table) in demo.cohort_tables(demo.build_demo_cohort()).items():
        check_width(name, header, len(table[0]) if table else len(header))
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(table)
        rows[name] = len(table)
    return rows


def check_width(name: str, header: tuple[str, ...], width: int) -> None:
    """Rows as wide as the header taken from the contract, or a ValueError (a column added
    to the contract that the simulation does not write yet)."""
    if width != len(header):
        raise ValueError(f"{name}: the simulation writes {width} columns, the contract's header has "
                         f"{len(header)} ({', '.join(header)})")
