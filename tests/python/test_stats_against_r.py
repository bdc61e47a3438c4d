"""Every model of tests/data/stats-reference/results_r.csv (lme4, glmmTMB, geepack, survival,
fisher.test, chisq.test in R) reproduced by the statistics layer within the issue's tolerances."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis_py.study.association import contingency_tests
from analysis_py.study.repeated_measures import gee, glmm
from analysis_py.study.survival import km_curve, km_median, survival_at

REF = Path(__file__).resolve().parents[1] / "data" / "stats-reference"
LESION = ["lymph_node", "irradiated", "biopsied"]
TIMING = ["rt_recent", "rt_remote"]
DR = ["has_lymph_node_tl", "has_irradiated_tl", "has_biopsied_tl"]
MODEL_TOL = 1e-4  # GLMM and GEE coefficients, SEs and p-values
KM_TOL = 1e-6
TEST_TOL = 1e-8


@pytest.fixture(scope="module")
def r_results() -> pd.DataFrame:
    return pd.read_csv(REF / "results_r.csv")


@pytest.fixture(scope="module")
def readings() -> pd.DataFrame:
    data = pd.read_csv(REF / "lesion_measurements.csv")
    data = data[data["lesion_response"] != "NE"]
    return data.assign(rt_recent=(data["radiotherapy_timing"] == "recent").astype(int),
                       rt_remote=(data["radiotherapy_timing"] == "remote").astype(int))


@pytest.fixture(scope="module")
def evaluations() -> pd.DataFrame:
    return pd.read_csv(REF / "evaluations.csv")


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    return pd.read_csv(REF / "patients.csv")


def r_model(results: pd.DataFrame, model: str) -> pd.DataFrame:
    return results[results["model"] == model].set_index("term")


def assert_fixed_effects(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    fixed = ours[ours["kind"] == "fixed"].set_index("term")
    assert fixed["converged"].all(), fixed["note"].tolist()
    expected = theirs.loc[fixed.index]
    np.testing.assert_allclose(fixed["estimate"], expected["estimate"], rtol=0, atol=MODEL_TOL)
    np.testing.assert_allclose(fixed["std_error"], expected["se"], rtol=0, atol=MODEL_TOL)
    np.testing.assert_allclose(fixed["p_value"], expected["p"], rtol=0, atol=MODEL_TOL)


def extra(ours: pd.DataFrame, term: str) -> float:
    return float(ours.set_index("term").loc[term, "estimate"])


GLMM_CASES = [  # R model, data, covariates, structure, first-4-evaluations subset
    ("glmm_nested_laplace", "readings", LESION, "nested", False),
    ("glmmtmb_nested_laplace", "readings", LESION, "nested", False),
    ("glmmtmb_ar1_evaluation", "readings", LESION, "ar1", False),
    ("glmmtmb_ar1_evaluation_first4", "readings", LESION, "ar1", True),
    ("glmm_patient_laplace_dr", "evaluations", DR, "patient", False),
]


@pytest.mark.parametrize("model, data, covariates, structure, first4", GLMM_CASES)
def test_glmm_matches_lme4_and_glmmtmb(request, r_results, model, data, covariates, structure, first4):
    df = request.getfixturevalue(data)
    if first4:
        df = df[df["eval_num"] <= 4]
    outcome = "dr" if data == "evaluations" else "response"
    ours = glmm(df, outcome, covariates, structure)
    theirs = r_model(r_results, model)
    assert_fixed_effects(ours, theirs)
    assert extra(ours, "deviance") == pytest.approx(theirs.loc["deviance", "estimate"], abs=1e-5)
    if structure == "ar1":
        assert extra(ours, "rho") == pytest.approx(theirs.loc["rho_lag1", "estimate"], abs=MODEL_TOL)
        assert extra(ours, "sd_ar1") == pytest.approx(theirs.loc["sd_ar1", "estimate"], abs=MODEL_TOL)
    else:
        assert extra(ours, "sd_patient") == pytest.approx(
            theirs.loc["sd_patient" if "sd_patient" in theirs.index else "sd_2", "estimate"], abs=MODEL_TOL)


GEE_CASES = [  # R model, data, covariates, structure, cluster, sequence, first 4
    ("gee_exch_patient", "readings", LESION, "exchangeable", "patient_id", None, False),
    ("gee_exch_patient_timing", "readings", TIMING, "exchangeable", "patient_id", None, False),
    ("gee_nested", "readings", LESION, "nested", "patient_id", None, False),
    ("gee_ar1_lesion", "readings", LESION, "ar1", "lesion_id", "lesion_id", False),
    ("gee_ar1_lesion_patientcluster", "readings", LESION, "ar1", "patient_id", "lesion_id", False),
    ("gee_ar1_lesion_first4", "readings", LESION, "ar1", "lesion_id", "lesion_id", True),
    ("gee_exch_patient_dr", "evaluations", DR, "exchangeable", "patient_id", None, False),
    ("gee_ar1_patient_dr", "evaluations", DR, "ar1", "patient_id", "patient_id", False),
]


@pytest.mark.parametrize("model, data, covariates, structure, cluster, sequence, first4", GEE_CASES)
def test_gee_matches_geepack(request, r_results, model, data, covariates, structure, cluster,
                             sequence, first4):
    df = request.getfixturevalue(data)
    if first4:
        df = df[df["eval_num"] <= 4]
    outcome = "dr" if data == "evaluations" else "response"
    ours = gee(df, outcome, covariates, structure, cluster=cluster, sequence=sequence or "lesion_id")
    theirs = r_model(r_results, model)
    assert_fixed_effects(ours, theirs)
    alphas = ours[ours["kind"] == "correlation"]
    np.testing.assert_allclose(alphas["estimate"].iloc[:-1],
                               theirs.loc[[f"dep[{i}]" for i in range(len(alphas) - 1)], "estimate"],
                               atol=1e-8)
    if "scale_phi" in theirs.index:
        assert extra(ours, "scale") == pytest.approx(theirs.loc["scale_phi", "estimate"], abs=1e-8)


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
@pytest.mark.parametrize("method", ["log-log", "log", "plain"])
def test_kaplan_meier_matches_survfit(r_results, patients, endpoint, method):
    theirs = r_model(r_results, f"km_{endpoint}")["estimate"]
    tag = method.replace("-", "")
    curve = km_curve(patients[f"{endpoint}_months"], patients[f"{endpoint}_event"])
    median, low, high = km_median(curve, method)
    assert median == pytest.approx(theirs["median"], abs=KM_TOL)
    assert low == pytest.approx(theirs[f"lcl_{tag}"], abs=KM_TOL)
    assert high == pytest.approx(theirs[f"ucl_{tag}"], abs=KM_TOL)
    for t in (6, 12, 24):
        s, lo, hi = survival_at(curve, t, method)
        assert s == pytest.approx(theirs[f"surv@{t}"], abs=KM_TOL)
        assert lo == pytest.approx(theirs[f"surv_lcl_{tag}@{t}"], abs=KM_TOL)
        assert hi == pytest.approx(theirs[f"surv_ucl_{tag}@{t}"], abs=KM_TOL)


def test_pfs_median_uses_the_midpoint_where_the_curve_is_exactly_one_half(patients):
    curve = km_curve(patients["pfs_months"], patients["pfs_event"])
    flat = curve[np.isclose(curve["surv"], 0.5)]
    assert len(flat) > 0  # the reference data has the flat at 0.5
    median, _, _ = km_median(curve, "log-log")
    later = curve[(curve["time"] > flat["time"].iloc[0]) & (curve["n_event"] > 0)]["time"].iloc[0]
    assert median == pytest.approx((flat["time"].iloc[0] + later) / 2)


def test_contingency_tables_match_fisher_and_chisq(r_results, readings, patients):
    lesions = readings.groupby("lesion_id").agg(
        responded=("response", "max"), lymph_node=("lymph_node", "first"),
        irradiated=("irradiated", "first"), biopsied=("biopsied", "first"),
        timing=("radiotherapy_timing", "first"))
    tables = {
        "dr_by_lymph_node_patient": (patients["has_lymph_node_tl"], patients["dr_any"]),
        "dr_by_irradiated_patient": (patients["has_irradiated_tl"], patients["dr_any"]),
        "dr_by_biopsied_patient": (patients["has_biopsied_tl"], patients["dr_any"]),
        "resp_by_lymph_node_lesion": (lesions["lymph_node"], lesions["responded"]),
        "resp_by_irradiated_lesion": (lesions["irradiated"], lesions["responded"]),
        "resp_by_biopsied_lesion": (lesions["biopsied"], lesions["responded"]),
        "resp_by_timing_lesion": (lesions["timing"], lesions["responded"]),  # 3 x 2
    }
    for name, (rows, cols) in tables.items():
        ours = contingency_tests(pd.crosstab(rows, cols).to_numpy())
        theirs = r_model(r_results, f"test:{name}")["estimate"]
        for key, value in ours.items():
            assert value == pytest.approx(theirs[key], abs=TEST_TOL), (name, key)
