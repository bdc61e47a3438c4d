"""`lesionwise simulate`: same seed same bytes, files in the contract's format, a cohort that
looks like the seed study's (checked on the files, without building)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from typer.testing import CliRunner

from analysis_py.simulation import cohorts as simulate_module
from analysis_py.cli import app
from analysis_py.simulation.cohorts import HEADERS, simulate

FILES = tuple(HEADERS)


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cohort")
    simulate(3000, 11, folder)
    return folder


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    for name in ("a", "b", "c"):
        simulate(400, 5 if name != "c" else 6, tmp_path / name)
    for file in FILES:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    assert (tmp_path / "a" / "measurements.csv").read_bytes() != (tmp_path / "c" / "measurements.csv").read_bytes()


def test_chunks_join_into_one_cohort(tmp_path, monkeypatch):
    monkeypatch.setattr(simulate_module, "CHUNK_PATIENTS", 70)
    rows = simulate(250, 3, tmp_path)
    patients = read(tmp_path, "patients.csv")
    assert rows["patients.csv"] == 250 and patients.patient_id.is_unique
    assert patients.patient_id.iloc[0] == "P0001" and patients.patient_id.iloc[-1] == "P0250"


def test_headers_and_keys_follow_the_contract(cohort):
    for name, header in HEADERS.items():
        assert (cohort / name).read_text().splitlines()[0] == ",".join(header)
    lesions = read(cohort, "lesions.csv")
    measurements = read(cohort, "measurements.csv")
    assert not read(cohort, "patients.csv").patient_id.duplicated().any()
    assert not lesions.duplicated(["patient_id", "lesion_id"]).any()
    assert not measurements.duplicated(["patient_id", "lesion_id", "assessment_date"]).any()
    assert not read(cohort, "assessments.csv").duplicated(["patient_id", "assessment_date"]).any()
    targets = lesions[lesions.role == "target"].set_index(["patient_id", "lesion_id"]).index
    assert measurements.set_index(["patient_id", "lesion_id"]).index.isin(targets).all()


def test_values_and_codes_follow_the_contract(cohort):
    measurements = read(cohort, "measurements.csv")
    valued = measurements[measurements.diameter_mm != ""]
    assert valued.diameter_mm.str.fullmatch(r"\d+\.\d{2}").all()
    assert valued.diameter_mm.astype(float).between(0, 1000).all()
    assert set(measurements.status) <= {"", "too_small", "absent", "not_evaluable"}
    assert (measurements[measurements.status != ""].diameter_mm == "").all()
    patients = read(cohort, "patients.csv")
    assert set(patients.sex) == {"M", "F"}
    assert set(patients.exclusion_reason) == {"", "screening_failure", "concomitant_chemotherapy",
                                              "concomitant_targeted_therapy"}
    assessments = read(cohort, "assessments.csv")
    assert set(assessments.new_lesions) <= {"no", "yes", "equivocal"}
    assert set(assessments.non_target_response) <= {"CR", "NON_CR_NON_PD", "PD", "NE", ""}
    procedures = read(cohort, "procedures.csv")
    assert set(procedures.procedure) == {"radiotherapy", "biopsy"}
    for name, columns in {"patients.csv": ["inclusion_date", "death_date"], "measurements.csv": ["assessment_date"],
                          "procedures.csv": ["procedure_date"]}.items():
        for column in columns:
            dates = read(cohort, name)[column]
            assert dates[dates != ""].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    dead = patients[patients.death_date != ""]
    assert (dead.death_date >= dead.inclusion_date).all()


def test_protocol_exclusions_in_flow_chart_proportions(cohort):
    reasons = read(cohort, "patients.csv").exclusion_reason.value_counts(normalize=True)
    assert abs(reasons["screening_failure"] - 104 / 269) < 0.03
    assert abs(reasons["concomitant_chemotherapy"] - 33 / 269) < 0.02
    lesions = read(cohort, "lesions.csv")
    single = (lesions[lesions.role == "target"].groupby("patient_id").size() == 1).mean()
    assert 0.03 < single < 0.10


def test_scans_every_six_to_twelve_weeks(cohort):
    dates = read(cohort, "measurements.csv")[["patient_id", "assessment_date"]].drop_duplicates()
    dates["day"] = pd.to_datetime(dates.assessment_date)
    gaps = dates.sort_values(["patient_id", "day"]).groupby("patient_id").day.diff().dt.days.dropna()
    assert gaps.between(42, 84 + 21).all()
    scans = dates.groupby("patient_id").size()
    assert scans.median() >= 2 and scans.max() >= 10


def best_shrinkage(cohort: Path) -> pd.DataFrame:
    """Per target lesion: its site and the smallest value over baseline."""
    measurements = read(cohort, "measurements.csv")
    measurements = measurements[measurements.status.isin(["", "absent"])]
    measurements["mm"] = measurements.diameter_mm.replace("", "0").astype(float)
    measurements = measurements.sort_values("assessment_date")
    per_lesion = measurements.groupby(["patient_id", "lesion_id"]).mm.agg(["first", "min", "size"])
    per_lesion = per_lesion[per_lesion["size"] > 1]
    lesions = read(cohort, "lesions.csv").set_index(["patient_id", "lesion_id"])
    return per_lesion.join(lesions.site).assign(ratio=lambda t: t["min"] / t["first"])


def test_liver_lesions_respond_less_than_lung_and_nodes(cohort):
    table = best_shrinkage(cohort)
    responding = table.ratio <= 0.7
    site = table.site.str.lower()
    liver, lung = responding[site.str.contains("liver")].mean(), responding[site.str.contains("lung")].mean()
    node = responding[site.str.contains("lymph")].mean()
    assert liver < 0.15 and lung > 2 * liver and node > 2 * liver


def test_overall_survival_like_the_study(cohort):
    patients = read(cohort, "patients.csv")
    followed = patients[patients.exclusion_reason == ""]
    end = np.where(followed.death_date != "", followed.death_date, followed.last_contact_date)
    months = (pd.to_datetime(end) - pd.to_datetime(followed.inclusion_date)).dt.days / 30.4375
    median = KaplanMeierFitter().fit(months, followed.death_date != "").median_survival_time_
    assert 9 <= median <= 20


def test_cli_writes_a_cohort_and_reports_progress(tmp_path):
    result = CliRunner().invoke(app, ["simulate", "--patients", "30", "--seed", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"simulated 30 / 30 patients", result.output)
    assert len(read(tmp_path, "patients.csv")) == 30
    quiet = CliRunner().invoke(app, ["simulate", "--patients", "30", "--out", str(tmp_path / "q"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_irecist_inputs_new_lesions_pseudo_progressions_and_non_target_increase(cohort):
    new_lesions = read(cohort, "new_lesions.csv")
    assessments = read(cohort, "assessments.csv")
    assert not new_lesions.duplicated(["patient_id", "lesion_id", "assessment_date"]).any()
    assert new_lesions.diameter_mm.str.fullmatch(r"\d+\.\d{2}").all()
    flagged = new_lesions.merge(assessments, on=["patient_id", "assessment_date"], how="left")
    assert (flagged.new_lesions == "yes").all()                       # a listed new lesion: new lesions yes
    sizes = new_lesions.groupby(["patient_id", "lesion_id"]).size()
    first_mm = new_lesions.groupby(["patient_id", "lesion_id"]).diameter_mm.first().astype(float)
    assert ((first_mm >= 10) & (sizes > 1)).any()                     # measurable, followed over scans
    assert ((first_mm == 6.0) & (sizes == 1)).sum() >= 10             # pseudo-progressions: seen once
    assert set(assessments.non_target_increase) == {"", "yes", "no"}
    increased = assessments[assessments.non_target_increase != ""]
    assert (increased.non_target_response == "PD").all()
