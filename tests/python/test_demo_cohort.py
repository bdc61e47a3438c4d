"""The bundled demo cohort, built by the pipeline, gives the seed study's published figures.

Every figure is read from the marts (or from the input files joined to the marts' eligibility),
never from the generator's own bookkeeping. Exact where paper-targets.md asks for exact counts;
within 3 percentage points or 0.5 months elsewhere.
"""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from analysis_py.warehouse.build import run_dbt_build
from analysis_py.simulation.cohorts import write_demo

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    run_dbt_build(DEMO, db, quiet=True)
    connection = duckdb.connect(str(db), read_only=True)
    yield connection
    connection.close()


def counts(marts, sql: str) -> dict:
    return {key: value for key, value in marts.execute(sql).fetchall()}


def scalar(marts, sql: str):
    return marts.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def eligible_inputs(marts) -> dict[str, pd.DataFrame]:
    """The input files restricted to the patients the marts call eligible."""
    eligible = {row[0] for row in marts.execute("select patient_id from main.dim_patients where eligible").fetchall()}
    tables = {name: pd.read_csv(DEMO / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("patients", "lesions", "procedures")}
    return {name: table[table.patient_id.isin(eligible)] for name, table in tables.items()}


def test_demo_files_are_reproducible_from_the_command(tmp_path):
    write_demo(tmp_path)
    for name in ("patients", "lesions", "measurements", "assessments", "procedures", "new_lesions"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (DEMO / f"{name}.csv").read_bytes(), name


def test_flow_chart(marts):
    assert counts(marts, "select reason, n_patients from main.cohort_flow") == {
        "screening_failure": 104, "concomitant_chemotherapy": 33, "fewer_than_two_target_lesions": 16,
        "no_follow_up_assessment": 15, "concomitant_targeted_therapy": 1, "eligible": 100}
    assert scalar(marts, "select count(*) from main.dim_patients") == 269


def test_no_data_issues(marts):
    assert scalar(marts, "select count(*) from main.data_issues") == 0


def test_target_lesions_by_site(marts):
    assert counts(marts, "select site_group, count(*) from main.dim_target_lesions group by 1") == {
        "lung": 94, "lymph_node": 63, "liver": 45, "head_neck": 25, "adrenal": 11, "other": 34}


def test_irradiated_and_biopsied_lesions(marts):
    assert scalar(marts, "select count(*) from main.dim_target_lesions where prior_radiotherapy") == 49
    assert counts(marts, "select radiotherapy_timing, count(*) from main.dim_target_lesions group by 1") == {
        "never": 223, "recent": 11, "remote": 38}
    assert scalar(marts, "select count(*) from main.dim_target_lesions where prior_biopsy") == 42


def test_evaluations_and_measurements(marts):
    assert scalar(marts, "select sum(n_evaluations) from main.dim_patients where eligible") == 463
    assert scalar(marts, "select count(*) from main.fct_evaluations") == 363
    assert scalar(marts, "select count(*) from main.fct_lesion_measurements") == 972
    baseline = scalar(marts, "select sum(n_target_lesions) from main.dim_patients where eligible")
    assert baseline + 972 == 1244
    assert marts.execute("select median(n_evaluations), min(n_evaluations), max(n_evaluations), "
                         "median(n_target_lesions), min(n_target_lesions), max(n_target_lesions) "
                         "from main.dim_patients where eligible").fetchone() == (3, 2, 17, 3, 2, 5)


def test_table2_best_response_per_patient(marts):
    assert counts(marts, "select best_overall_response, count(*) from main.dim_patients where eligible group by 1") == {
        "CR": 2, "PR": 20, "SD": 33, "PD": 45}
    assert scalar(marts, "select count(*) from main.dim_patients where objective_response") == 22


def test_table2_best_response_per_target_lesion(marts):
    assert counts(marts, "select best_response, count(*) from main.dim_target_lesions group by 1") == {
        "CR": 10, "PR": 42, "SD": 142, "PD": 78}


def test_table2_response_per_post_baseline_measurement(marts):
    assert counts(marts, "select lesion_response, count(*) from main.fct_lesion_measurements group by 1") == {
        "CR": 41, "PR": 283, "SD": 399, "PD": 249}


def test_dissociated_responses(marts):
    assert counts(marts, "select dr_type, count(*) from main.dim_patients where eligible group by 1") == {
        "DR1": 8, "DR2": 44, "DR3": 10, None: 38}
    assert scalar(marts, "select count(*) from main.fct_evaluations where dr_type is not null") == 169


@pytest.mark.parametrize("site_group, percent", [("liver", 2), ("lung", 25), ("lymph_node", 17)])
def test_response_rate_by_site(marts, site_group, percent):
    rate = scalar(marts, "select 100 * avg(case when best_response in ('CR', 'PR') then 1 else 0 end) "
                         f"from main.dim_target_lesions where site_group = '{site_group}'")
    assert abs(rate - percent) <= 3


@pytest.mark.parametrize("outcome, months", [("pfs", 3.8), ("os", 13.4)])
def test_median_survival(marts, outcome, months):
    table = marts.execute(f"select {outcome}_months::double, {outcome}_event from main.dim_patients "
                          "where eligible").df()
    fitter = KaplanMeierFitter().fit(table.iloc[:, 0], table.iloc[:, 1].astype(bool))
    assert abs(fitter.median_survival_time_ - months) <= 0.5


def test_table1_patients(eligible_inputs):
    patients = eligible_inputs["patients"]
    ages = patients.age.astype(int)
    assert (ages.median(), ages.min(), ages.max()) == (59, 21, 90)
    assert patients.sex.value_counts().to_dict() == {"M": 59, "F": 41}
    primaries = patients.primary_tumor.value_counts()
    assert (primaries["Head and neck"], primaries["Lung"], primaries["Adrenocortical"], primaries["Breast"]) == (43, 16, 9, 8)
    assert len(primaries) == 15 and primaries.sum() == 100
    lines = patients.prior_lines.astype(int).clip(upper=3).value_counts().to_dict()
    assert lines == {0: 15, 1: 47, 2: 20, 3: 18}
    assert (patients.regimen == "anti-PD-1 + anti-CTLA-4").sum() == 3
    months = (pd.to_datetime(patients.inclusion_date) - pd.to_datetime(patients.metastatic_diagnosis_date)).dt.days / 30.4375
    assert abs(months.median() - 12) <= 0.5 and months.min() >= 0.5 and months.max() <= 119.5
    assert pd.read_csv(DEMO / "patients.csv").study_id.nunique() == 19


def test_table1_metastases(eligible_inputs):
    lesions = eligible_inputs["lesions"]
    per_patient = lesions.groupby("patient_id").size()
    assert (per_patient < 5).sum() == 18
    site = lesions.site.str.lower()

    def patients_with(word: str) -> int:  # a node is a node wherever it is ("retroperitoneal lymph node")
        matches = site.str.contains(word) & (word == "lymph" or ~site.str.contains("lymph"))
        return lesions[matches].patient_id.nunique()
    for word, n in {"lung": 60, "lymph": 54, "liver": 31, "neck": 27, "bone": 22, "pleura": 13,
                    "periton": 8, "skin": 7, "adrenal": 7, "brain": 3}.items():
        assert abs(patients_with(word) - n) <= 3, word


def test_table1_prior_radiotherapy(eligible_inputs):
    procedures = eligible_inputs["procedures"].merge(eligible_inputs["patients"][["patient_id", "inclusion_date"]])
    radiotherapy = procedures[procedures.procedure == "radiotherapy"]
    days_before = (pd.to_datetime(radiotherapy.inclusion_date) - pd.to_datetime(radiotherapy.procedure_date)).dt.days
    by_target = radiotherapy.groupby("target").patient_id.nunique().to_dict()
    recent = radiotherapy[days_before < 183].groupby("target").patient_id.nunique().to_dict()
    assert radiotherapy.patient_id.nunique() == 62
    assert by_target == {"primary": 44, "metastasis": 18}
    assert recent == {"primary": 7, "metastasis": 10}


def test_inputs_are_plain_contract_csv():
    with open(DEMO / "measurements.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["status"] in ("", "absent") for row in rows)
    assert all(row["diameter_mm"] == "" or row["diameter_mm"].split(".")[1].__len__() == 2 for row in rows)


def test_new_lesions_are_listed_only_where_assessments_say_yes():
    """new_lesions.csv adds lesions at the 36 evaluations (23 of eligible patients) whose
    assessments.csv says `yes`, and nowhere else, so no RECIST 1.1 response changes."""
    new = pd.read_csv(DEMO / "new_lesions.csv", dtype=str, keep_default_na=False)
    assessments = pd.read_csv(DEMO / "assessments.csv", dtype=str, keep_default_na=False)
    listed = set(zip(new.patient_id, new.assessment_date))
    assert listed == set(zip(*assessments.loc[assessments.new_lesions == "yes", ["patient_id", "assessment_date"]]
                             .to_dict("list").values()))
    assert (len(new), len(listed)) == (50, 36)


def test_irecist(marts):
    """iRECIST on the demo (docs/demo-cohort.md): the new lesions are all at the iUPD itself
    (every eligible patient's one `yes` evaluation is its first PD, and the later evaluations
    are fixed), so they measure the iUPD but confirm none: 83 patients with an iUPD and 8
    with an iCPD, as without new_lesions.csv (the 8 confirmed by the target sum). The two
    pseudo-progressions (iUPD at a new lesion, iSD at the next scan) have one small lesion."""
    patients = "select count(irecist_first_iupd_date), count(irecist_icpd_date) from main.dim_patients"
    assert marts.execute(patients).fetchone() == (83, 8)
    assert counts(marts, """select confirms_icpd and target_sum_increased, count(*) from main.fct_evaluations_irecist
                            where confirms_icpd or new_lesion_sum_increased or new_lesion_appeared group by 1""") == {True: 8}
    resets = marts.execute("""select patient_id, n_new_lesions, new_lesion_sum_mm from main.fct_evaluations_irecist
        where patient_id in (select patient_id from main.fct_evaluations_irecist where resets_iupd)
        and n_new_lesions > 0 order by 1""").fetchall()
    assert resets == [("P0202", 1, None), ("P0207", 1, None)]  # 5.56 and 6.01 mm: not measurable
    # P0135: peritoneum 18.66, mediastinal node 17.09 (>= 15), bone 15.97 mm, all measurable
    assert float(scalar(marts, "select new_lesion_sum_mm from main.fct_evaluations_irecist where patient_id = 'P0135' "
                               "and n_new_lesions = 3")) == 51.72
    assert scalar(marts, "select count(new_lesion_sum_mm) from main.fct_evaluations_irecist") == 14
