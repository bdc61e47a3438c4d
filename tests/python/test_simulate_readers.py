"""`lesionwise simulate --readers 2`: the first reader is the one-reader cohort, and the second
reader's readings differ from it by the variability put in."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis_py.study.agreement import bland_altman
from analysis_py.simulation.cohorts import HEADERS, simulate

READER_CV = 0.1


@pytest.fixture(scope="module")
def one_and_two_readers(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("readers")
    simulate(1500, 4, folder / "one")
    simulate(1500, 4, folder / "two", readers=2, reader_cv=READER_CV)
    return folder / "one", folder / "two"


def test_the_other_files_and_the_first_reader_are_the_one_reader_cohort(one_and_two_readers):
    one, two = one_and_two_readers
    for name in HEADERS:
        if name != "measurements.csv":
            assert (one / name).read_bytes() == (two / name).read_bytes(), name
    single = (one / "measurements.csv").read_text().splitlines()
    double = (two / "measurements.csv").read_text().splitlines()
    assert double[0] == single[0] + ",reader"
    first_reader = [line.removesuffix(",R1") for line in double[1:] if line.endswith(",R1")]
    assert first_reader == single[1:]
    assert sum(line.endswith(",R2") for line in double[1:]) == len(single) - 1


def test_the_second_reader_keeps_the_statuses_and_differs_by_the_cv_put_in(one_and_two_readers):
    readings = pd.read_csv(one_and_two_readers[1] / "measurements.csv", dtype={"status": str})
    pairs = readings[readings.reader == "R1"].merge(
        readings[readings.reader == "R2"], on=["patient_id", "lesion_id", "assessment_date"])
    assert (pairs.status_x.fillna("") == pairs.status_y.fillna("")).all()
    valued = pairs.dropna(subset=["diameter_mm_x", "diameter_mm_y"])
    # R2 = R1 x exp(sigma z), sigma = sqrt(ln(1.01)) = 0.09975: the difference in % of the pair
    # mean is -200 tanh(sigma z / 2), SD about 99.6 sigma = 9.94 %; limits about -/+ 19.5 %
    relative = bland_altman(valued.diameter_mm_x, valued.diameter_mm_y, relative=True)
    half_width = (relative.upper - relative.lower) / 2
    assert relative.estimate == pytest.approx(0, abs=0.5)
    assert half_width == pytest.approx(1.959964 * 99.6 * math.sqrt(math.log1p(READER_CV ** 2)), rel=0.04)
