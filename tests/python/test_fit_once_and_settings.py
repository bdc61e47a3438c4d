"""`report` reuses the tables and models `stats` wrote from the same build (it fits nothing
then), fits once and writes them when there are none; figures read the settings the build was
made with (mart build_settings), `--vars` overrides included."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis_py.outputs import stats_folder
from analysis_py.outputs.report import write_report
from analysis_py.outputs.stats_folder import read_stats_folder, write_stats
from analysis_py.warehouse.build import run_dbt_build
from analysis_py.warehouse.marts import build_record, read_settings
from conftest import CONTRACT_SAMPLE


@pytest.fixture(scope="module")
def pd_125_db(tmp_path_factory):
    """The contract sample built with progression at +25 % instead of +20 %."""
    db = tmp_path_factory.mktemp("pd-125") / "sample.duckdb"
    run_dbt_build(CONTRACT_SAMPLE / "input", db, quiet=True, overrides="{recist_pd_min_ratio: 1.25}")
    return db


def counting_fits(monkeypatch) -> list[int]:
    """Counts the study's fits (study_results) made through the stats folder."""
    calls, fit = [], stats_folder.study_results
    monkeypatch.setattr(stats_folder, "study_results", lambda *a, **k: calls.append(1) or fit(*a, **k))
    return calls


def test_report_after_stats_fits_no_model(contract_sample_db, tmp_path, monkeypatch):
    write_stats(contract_sample_db, tmp_path / "stats")
    fits, messages = counting_fits(monkeypatch), []
    write_report(contract_sample_db, tmp_path / "report", stats=tmp_path / "stats", progress=messages.append)
    assert fits == []
    assert f"stats of this build reused from {tmp_path / 'stats'}: no model fitted" in messages


def test_report_without_stats_fits_once_and_writes_them(contract_sample_db, tmp_path, monkeypatch):
    fits = counting_fits(monkeypatch)
    write_report(contract_sample_db, tmp_path / "report", stats=tmp_path / "stats")
    assert fits == [1]
    again = read_stats_folder(tmp_path / "stats", build_record(contract_sample_db))
    assert again is not None and "response_predictors" in again
    write_report(contract_sample_db, tmp_path / "report-again", stats=tmp_path / "stats")
    assert fits == [1]
    assert (tmp_path / "report" / "report.html").read_bytes() == (tmp_path / "report-again" / "report.html").read_bytes()


def test_stats_of_another_build_are_not_reused(contract_sample_db, pd_125_db, tmp_path):
    written = write_stats(contract_sample_db, tmp_path / "stats")
    assert read_stats_folder(tmp_path / "stats", build_record(pd_125_db)) is None
    read_back = read_stats_folder(tmp_path / "stats", build_record(contract_sample_db))
    assert list(read_back) == list(written)
    pd.testing.assert_frame_equal(read_back["dr_prevalence"], written["dr_prevalence"])


def test_a_half_written_stats_folder_is_not_reused(contract_sample_db, tmp_path):
    write_stats(contract_sample_db, tmp_path / "stats")
    (tmp_path / "stats" / "dr_predictors.csv").unlink()
    assert read_stats_folder(tmp_path / "stats", build_record(contract_sample_db)) is None


def test_the_settings_table_and_the_report_lines_follow_vars(pd_125_db, contract_sample_db, tmp_path):
    assert read_settings(pd_125_db)["recist_pd_min_ratio"] == "1.25"
    assert read_settings(contract_sample_db)["recist_pd_min_ratio"] == "1.2"
    page = write_report(pd_125_db, tmp_path).read_text()
    assert "dashed lines at +25 % and -30 %." in page  # the lesion waterfall
    assert "dashed lines at +25 % (progression) and -30 % (partial response)" in page  # the spider plots
    assert "+20 %" not in page
