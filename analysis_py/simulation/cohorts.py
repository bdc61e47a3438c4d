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

from analysis_py.simulation import demo, generator

HEADERS = {
    "patients.csv": demo.PATIENT_COLUMNS,
    "lesions.csv": ("patient_id", "lesion_id", "role", "site", "lymph_node"),
    "measurements.csv": ("patient_id", "lesion_id", "assessment_date", "diameter_mm", "status"),
    "assessments.csv": ("patient_id", "assessment_date", "new_lesions", "non_target_response", "non_target_increase"),
    "procedures.csv": ("patient_id", "procedure", "procedure_date", "lesion_id", "target"),
    "new_lesions.csv": generator.NEW_LESION_HEADER,
}
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
        headers["measurements.csv"] = (*HEADERS["measurements.csv"], "reader")
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(out / name, "w", encoding="utf-8", newline=""))
                 for name in HEADERS}
        for name, header in headers.items():
            files[name].write(",".join(header) + "\n")
        for first in range(0, n_patients, CHUNK_PATIENTS):
            size = min(CHUNK_PATIENTS, n_patients - first)
            for name, columns in generator.chunk_tables(first, size, seed, id_width, readers, reader_cv).items():
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
        with open(out / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(table)
        rows[name] = len(table)
    return rows
