"""Predictors of response and of DR: lesion/patient-level tests, reading/evaluation-level models.

The study's model is the GLMM with an evaluation effect nested in the patient; the GLMM
with AR(1)-correlated evaluation effects is fitted beside it, as a sensitivity analysis, or
as the model used when the nested one does not converge (`role` says which); the GEEs are
sensitivity analyses. Rates are percentages (0-100). The radiotherapy timing rows compare with the never-irradiated lesions,
their rates included. Models are multivariable, as in the study: response ~
lymph node + prior radiotherapy + prior biopsy; radiotherapy timing in its own model
(recent and remote against never, lesions of unknown timing left out); DR ~ the three
has_*_tl flags.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis_py.study.association import compare_rates
from analysis_py.study.repeated_measures import gee, glmm
from analysis_py.study.tables import RESPONDING, eligible

RESPONSE_FACTORS = {  # covariate: comparison as the study words it
    "lymph_node": "lymph node vs other sites",
    "prior_radiotherapy": "prior radiotherapy vs none",
    "rt_remote": "radiotherapy >= 6 months before vs never",
    "rt_recent": "radiotherapy < 6 months before vs never",
    "prior_biopsy": "prior biopsy vs none",
}
MAIN_MODEL = ["lymph_node", "prior_radiotherapy", "prior_biopsy"]
TIMING_MODEL = ["rt_recent", "rt_remote"]
DR_FACTORS = {
    "has_lymph_node_tl": "lymph node target lesion vs none",
    "has_irradiated_tl": "irradiated target lesion vs none",
    "has_biopsied_tl": "biopsied target lesion vs none",
}
Progress = Callable[[str], None]  # receives one line for the user before each model fit
# the `role` of a row: the model the study reports, the fallback used in its place when it did
# not converge, a sensitivity analysis
PRIMARY, PRIMARY_FALLBACK, SENSITIVITY = "primary", "primary (fallback)", "sensitivity"
NOT_CONVERGED = "not used: did not converge"
PRIMARY_ROLES = (PRIMARY, PRIMARY_FALLBACK)
COLUMNS = ["level", "factor", "comparison", "method", "structure", "role", "rate_exposed", "rate_unexposed",
           "odds_ratio", "ci_low", "ci_high", "p_value", "n_obs", "n_clusters", "converged", "note", "formula",
           "sd_patient", "sd_evaluation", "rho_evaluation", "singular_fit"]
MODEL_COLUMNS = ["method", "structure", "role", "odds_ratio", "ci_low", "ci_high", "p_value", "n_obs", "n_clusters",
                 "converged", "note", "formula", "sd_patient", "sd_evaluation", "rho_evaluation", "singular_fit"]


def _lesion_flags(lesions: pd.DataFrame) -> pd.DataFrame:
    timing = lesions["radiotherapy_timing"]
    return lesions.assign(
        lymph_node=lesions["lymph_node"].astype(bool).astype(int),
        prior_radiotherapy=lesions["prior_radiotherapy"].astype(bool).astype(int),
        prior_biopsy=lesions["prior_biopsy"].astype(bool).astype(int),
        rt_recent=(timing == "recent").astype(int), rt_remote=(timing == "remote").astype(int),
        timing_known=timing.isin(["never", "recent", "remote"]),
        lesion_key=lesions["patient_id"].astype(str) + "/" + lesions["lesion_id"].astype(str))


def _evaluation_numbers(rows: pd.DataFrame) -> pd.Series:
    """One number per tumour evaluation (patient, date), in order of first appearance: the
    evaluation's id for the models (a text id took 5 s to build for 6M readings)."""
    return rows.groupby(["patient_id", "assessment_date"], sort=False, dropna=False).ngroup()


def reading_design(measurements: pd.DataFrame, lesions: pd.DataFrame) -> pd.DataFrame:
    """Post-baseline readings with a response (NE dropped), response 0/1 and the lesion's flags."""
    readings = measurements[measurements["lesion_response"].notna() & (measurements["lesion_response"] != "NE")]
    flags = _lesion_flags(lesions)[["patient_id", "lesion_id", "lesion_key", "timing_known", *RESPONSE_FACTORS]]
    readings = readings.drop(columns=["lymph_node"], errors="ignore").merge(flags, on=["patient_id", "lesion_id"])
    return readings.assign(
        response=readings["lesion_response"].isin(RESPONDING).astype(int),
        evaluation_id=_evaluation_numbers(readings), eval_num=readings["evaluation_number"])


def evaluation_design(evaluations: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Post-baseline evaluations, dr 0/1 and the patient's has_*_tl flags."""
    flags = patients[["patient_id", *DR_FACTORS]].copy()
    flags[list(DR_FACTORS)] = flags[list(DR_FACTORS)].astype(bool).astype(int)
    data = evaluations.merge(flags, on="patient_id")
    return data.assign(dr=data["dr_type"].notna().astype(int), eval_num=data["evaluation_number"],
                       evaluation_id=_evaluation_numbers(data))


def _test_rows(level: str, factor: str, comparison: str, exposed, outcome, unit: str) -> list[dict]:
    result = compare_rates(exposed, outcome)
    base = {"level": level, "factor": factor, "comparison": comparison, "structure": "none",
            "role": PRIMARY, "rate_exposed": 100 * result["rate_exposed"],
            "rate_unexposed": 100 * result["rate_unexposed"],
            "n_obs": result["n_exposed"] + result["n_unexposed"], "n_clusters": np.nan,
            "formula": f"{unit} outcome by {factor} (2 x 2 table)"}
    if "note" in result:
        return [base | {"method": "fisher_exact", "converged": False, "note": result["note"]}]
    return [base | {"method": "fisher_exact", "odds_ratio": result.get("odds_ratio"), "ci_low": result.get("ci_low"),
                    "ci_high": result.get("ci_high"), "p_value": result["fisher_p"], "converged": True,
                    "note": "" if "odds_ratio" in result else "odds ratio not estimable: a cell is 0"},
            base | {"method": "chi_square_yates", "role": SENSITIVITY, "p_value": result["chisq_p"],
                    "converged": True, "note": ""}]


def _unexposed(data: pd.DataFrame, factor: str) -> pd.Series:
    """The comparison group: lesions never irradiated for a timing factor, else those without the factor."""
    if factor in TIMING_MODEL:
        return ~data[TIMING_MODEL].astype(bool).any(axis=1)
    return ~data[factor].astype(bool)


def _model_rows(fits: pd.DataFrame, level: str, factors: dict[str, str], data: pd.DataFrame,
                outcome: str) -> list[dict]:
    rows = []
    for factor in fits.loc[fits["kind"] == "fixed", "term"].unique():
        if factor not in factors:
            continue
        rates = {"rate_exposed": 100 * data.loc[data[factor].astype(bool), outcome].mean(),
                 "rate_unexposed": 100 * data.loc[_unexposed(data, factor), outcome].mean()}
        for _, fit in fits[fits["term"] == factor].iterrows():
            rows.append({"level": level, "factor": factor, "comparison": factors[factor], **rates,
                         **{c: fit.get(c) for c in MODEL_COLUMNS}})
    return rows


def _scope(data: pd.DataFrame, outcome: str, covariates: list[str], unit: str) -> str:
    """What a model is fitted on, for the progress line: formula, rows, patients."""
    return (f"{outcome} ~ {' + '.join(covariates)} on {len(data):,} {unit} of "
            f"{data['patient_id'].nunique():,} patients")


def _fitted(fits: list[tuple[str, Callable[[], pd.DataFrame]]], scope: str, progress: Progress) -> pd.DataFrame:
    """Runs each (label, fit) in turn, saying which model it fits on what first (a fit
    takes minutes on a million patients)."""
    frames = []
    for label, fit in fits:
        progress(f"fitting the {label}: {scope}")
        frames.append(fit())
    return pd.concat(frames, ignore_index=True)


def _glmm_roles(primary: pd.DataFrame, fallback: pd.DataFrame, progress: Progress) -> pd.DataFrame:
    """The study's GLMM as primary and the fallback structure's beside it as a sensitivity
    analysis; the fallback becomes the primary when the study's GLMM does not converge."""
    if primary.loc[primary["kind"] == "fixed", "converged"].all():
        return pd.concat([primary.assign(role=PRIMARY), fallback.assign(role=SENSITIVITY)])
    progress(f"the {primary['structure'].iloc[0]} GLMM did not converge; "
             f"the {fallback['structure'].iloc[0]} GLMM is used instead")
    return pd.concat([primary.assign(role=NOT_CONVERGED), fallback.assign(role=PRIMARY_FALLBACK)])


def _reading_models(data: pd.DataFrame, covariates: list[str], progress: Progress) -> pd.DataFrame:
    glmms = _fitted([
        ("nested GLMM", lambda: glmm(data, "response", covariates, "nested")),
        ("AR(1) GLMM", lambda: glmm(data, "response", covariates, "ar1")),
    ], _scope(data, "response", covariates, "readings"), progress)
    nested, ar1 = (glmms[glmms["structure"] == s] for s in ("nested", "ar1"))
    return pd.concat([_glmm_roles(nested, ar1, progress), _fitted([
        ("exchangeable GEE", lambda: gee(data, "response", covariates, "exchangeable").assign(role=SENSITIVITY)),
        ("nested GEE", lambda: gee(data, "response", covariates, "nested").assign(role=SENSITIVITY)),
        ("AR(1) GEE", lambda: gee(data, "response", covariates, "ar1", sequence="lesion_key")
         .assign(role=SENSITIVITY)),
    ], _scope(data, "response", covariates, "readings"), progress)], ignore_index=True)


def response_predictors(patients, lesions, measurements, progress: Progress = lambda _: None) -> pd.DataFrame:
    """Response (CR/PR) by site, radiotherapy and biopsy: per target lesion (best response;
    Fisher, chi-square) and per post-baseline reading (GLMM, GEE)."""
    flags = _lesion_flags(lesions)
    responded = flags["best_response"].isin(RESPONDING)
    rows = []
    for factor, comparison in RESPONSE_FACTORS.items():
        subset = flags["timing_known"] & ((flags[factor] == 1) | (flags["radiotherapy_timing"] == "never")) \
            if factor in TIMING_MODEL else pd.Series(True, index=flags.index)
        rows += _test_rows("target lesion", factor, comparison, flags.loc[subset, factor],
                           responded[subset], "target lesion best-response")
    readings = reading_design(measurements, lesions)
    rows += _model_rows(_reading_models(readings, MAIN_MODEL, progress), "measurement", RESPONSE_FACTORS, readings,
                        "response")
    timing = readings[readings["timing_known"]]
    rows += _model_rows(_reading_models(timing, TIMING_MODEL, progress), "measurement", RESPONSE_FACTORS, timing,
                        "response")
    return pd.DataFrame(rows).reindex(columns=COLUMNS)


def dr_predictors(patients, evaluations, progress: Progress = lambda _: None) -> pd.DataFrame:
    """DR (any type) by lymph-node, irradiated and biopsied target lesions: per patient
    (Fisher, chi-square) and per post-baseline evaluation (GLMM with a patient effect, GEE)."""
    cohort = eligible(patients)
    rows = []
    for factor, comparison in DR_FACTORS.items():
        rows += _test_rows("patient", factor, comparison, cohort[factor].astype(bool), cohort["dr_type"].notna(),
                           "patient DR")
    data = evaluation_design(evaluations, cohort)
    covariates = list(DR_FACTORS)
    fits = _fitted([
        ("patient GLMM", lambda: glmm(data, "dr", covariates, "patient").assign(role=PRIMARY)),
        ("exchangeable GEE", lambda: gee(data, "dr", covariates, "exchangeable").assign(role=SENSITIVITY)),
        ("AR(1) GEE", lambda: gee(data, "dr", covariates, "ar1", sequence="patient_id").assign(role=SENSITIVITY)),
    ], _scope(data, "dr", covariates, "evaluations"), progress)
    rows += _model_rows(fits, "evaluation", DR_FACTORS, data, "dr")
    return pd.DataFrame(rows).reindex(columns=COLUMNS)

