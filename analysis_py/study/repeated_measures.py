"""Logistic models for repeated readings (GLMM and GEE) on a DataFrame, as tidy tables.

Each function returns one row per parameter: the fixed effects (odds ratio, 95 % Wald CI,
Wald p; a GLMM's rows also carry its variance components and whether the fit is singular),
then the variance, correlation and scale parameters. A model that cannot be
fitted (too few patients, an exposure or outcome cell with no one in it, separation, an
invalid working correlation) returns its fixed-effect rows with empty estimates and a
`note` saying why; `converged` is False then.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis_py.study.gee_engine import AR1, Exchangeable, InvalidCorrelation, Nested, fit_gee
from analysis_py.study.glmm_engine import GlmmData, fit_glmm
from analysis_py.study.logistic import fit_logistic

MIN_CLUSTERS = 10  # fewer patients than this: no repeated-measures model is fitted
MAX_ABS_LOG_ODDS = 10.0  # a fitted |coefficient| beyond this is taken as separation
Z95 = norm.ppf(0.975)

GLMM_STRUCTURES = {
    "patient": "(1 | {patient})",
    "nested": "(1 | {patient}/{evaluation})",
    "ar1": "ar1(factor({wave}) + 0 | {patient})",
}
VARIANCE_COLUMNS = {"sd_patient": "sd_patient", "sd_evaluation": "sd_evaluation", "sd_ar1": "sd_evaluation",
                    "rho": "rho_evaluation"}  # GLMM parameter: its column on the fixed-effect rows
GEE_STRUCTURES = {
    "exchangeable": "exchangeable within {cluster}",
    "nested": "exchangeable within {evaluation}, another between evaluations of {cluster}",
    "ar1": "AR(1) over {wave} within {sequence}, clusters {cluster}",
}


def _design(df: pd.DataFrame, outcome: str, covariates: list[str]):
    y = df[outcome].astype(float).to_numpy()
    X = np.column_stack([np.ones(len(df))] + [df[c].astype(float).to_numpy() for c in covariates])
    return y, X


def _unfittable(df: pd.DataFrame, outcome: str, covariates: list[str], cluster: str) -> str | None:
    """Why a model cannot be fitted on these data, or None."""
    n_clusters = df[cluster].nunique()
    if n_clusters < MIN_CLUSTERS:
        return f"not fitted: {n_clusters} patients (at least {MIN_CLUSTERS} needed)"
    y = df[outcome].astype(bool)
    for c in covariates:
        x = df[c].astype(bool)
        for exposed, label in ((x, c), (~x, f"not {c}")):
            if not (exposed & y).any() or not (exposed & ~y).any():
                return f"not fitted: empty cell (all or none with {outcome} among {label})"
    return None


def _rows(terms, estimate, vcov, **model) -> pd.DataFrame:
    se = np.sqrt(np.diag(vcov))
    frame = pd.DataFrame({"term": terms, "kind": "fixed", "estimate": estimate, "std_error": se,
                          "p_value": 2 * norm.sf(np.abs(estimate / se)),
                          "odds_ratio": np.exp(estimate), "ci_low": np.exp(estimate - Z95 * se),
                          "ci_high": np.exp(estimate + Z95 * se)})
    return frame.assign(**model)


def _failed(terms, note, **model) -> pd.DataFrame:
    frame = pd.DataFrame({"term": terms, "kind": "fixed"}).reindex(
        columns=["term", "kind", "estimate", "std_error", "p_value", "odds_ratio", "ci_low", "ci_high"])
    return frame.assign(**model, converged=False, note=note)


def _extra(frame: pd.DataFrame, kind: str, values: dict[str, float]) -> pd.DataFrame:
    rows = pd.DataFrame({"term": list(values), "kind": kind, "estimate": list(values.values())})
    model_cols = [c for c in frame.columns if c not in rows.columns and c not in
                  ("std_error", "p_value", "odds_ratio", "ci_low", "ci_high")]
    return pd.concat([frame, rows.assign(**frame[model_cols].iloc[0].to_dict())], ignore_index=True)


def _separated(frame: pd.DataFrame) -> bool:
    fixed = frame[frame["kind"] == "fixed"]
    return bool((fixed["estimate"].abs() > MAX_ABS_LOG_ODDS).any() or ~np.isfinite(fixed["std_error"]).all())


def _glmm_data(df: pd.DataFrame, y, X, patient: str, evaluation: str, wave: str) -> GlmmData:
    """Evaluation codes, their patient, position and gap in AR(1) levels (dense rank of wave)."""
    eval_code, _ = pd.factorize(df[evaluation])
    evals = pd.DataFrame({"patient": df[patient].to_numpy(), "wave": df[wave].to_numpy(),
                          "code": eval_code}).drop_duplicates("code").sort_values("code")
    evals["patient_code"] = pd.factorize(evals["patient"])[0]
    evals["level"] = evals["wave"].rank(method="dense").astype(int)
    ordered = evals.sort_values(["patient_code", "level"])
    position = ordered.groupby("patient_code").cumcount()
    gap = ordered.groupby("patient_code")["level"].diff().fillna(0)
    return GlmmData(y=y, X=np.asfortranarray(X), evaluation=eval_code, eval_patient=evals["patient_code"].to_numpy(),
                    eval_position=position.reindex(evals.index).to_numpy(),
                    eval_gap=gap.reindex(evals.index).to_numpy())


def glmm(df: pd.DataFrame, outcome: str, covariates: list[str], structure: str,
         patient: str = "patient_id", evaluation: str = "evaluation_id",
         wave: str = "eval_num") -> pd.DataFrame:
    """Logistic GLMM by Laplace maximum likelihood (lme4/glmmTMB); `structure` is one of
    GLMM_STRUCTURES."""
    random = GLMM_STRUCTURES[structure].format(patient=patient, evaluation=evaluation, wave=wave)
    model = {"method": "glmm_laplace", "structure": structure,
             "formula": f"{outcome} ~ {' + '.join(covariates)} + {random}",
             "n_obs": len(df), "n_clusters": df[patient].nunique()}
    terms = ["(Intercept)", *covariates]
    reason = _unfittable(df, outcome, covariates, patient)
    if reason:
        return _failed(terms, reason, **model)
    y, X = _design(df, outcome, covariates)
    fit = fit_glmm(_glmm_data(df, y, X, patient, evaluation, wave), structure, fit_logistic(y, X))
    components = {VARIANCE_COLUMNS[name]: value for name, value in fit.theta.items()}
    frame = _rows(terms, fit.beta, fit.vcov, **model, **components, singular_fit=fit.singular,
                  converged=fit.converged,
                  note=fit.message.removeprefix("converged").lstrip("; ") if fit.converged
                  else f"not converged: {fit.message}")
    if _separated(frame):
        return _failed(terms, "not fitted: separation (an odds ratio is infinite)", **model)
    return _extra(frame, "variance", fit.theta | {"deviance": fit.deviance})


def gee(df: pd.DataFrame, outcome: str, covariates: list[str], structure: str,
        cluster: str = "patient_id", evaluation: str = "evaluation_id",
        sequence: str = "lesion_id", wave: str = "eval_num") -> pd.DataFrame:
    """Logistic GEE with robust SE (geepack `geeglm`, tolerance 1e-10); `structure` is one of
    GEE_STRUCTURES. For `ar1`, `sequence` holds the series (a lesion or the patient)."""
    described = GEE_STRUCTURES[structure].format(cluster=cluster, evaluation=evaluation,
                                                 sequence=sequence, wave=wave)
    model = {"method": "gee", "structure": structure,
             "formula": f"{outcome} ~ {' + '.join(covariates)}; working correlation {described}",
             "n_obs": len(df), "n_clusters": df[cluster].nunique()}
    terms = ["(Intercept)", *covariates]
    reason = _unfittable(df, outcome, covariates, cluster)
    if reason:
        return _failed(terms, reason, **model)
    if structure == "ar1":
        df = df.sort_values([sequence, wave], kind="stable")
    y, X = _design(df, outcome, covariates)
    cluster_code = pd.factorize(df[cluster])[0]
    correlation = {
        "exchangeable": lambda: Exchangeable(cluster_code),
        "nested": lambda: Nested(cluster_code, pd.factorize(df[evaluation])[0]),
        "ar1": lambda: AR1(pd.factorize(df[sequence])[0], df[wave].to_numpy()),
    }[structure]()
    try:
        fit = fit_gee(y, X, cluster_code, correlation)
    except InvalidCorrelation as error:
        return _failed(terms, f"not fitted: invalid working correlation ({error})", **model)
    frame = _rows(terms, fit.beta, fit.vcov, **model, converged=fit.converged,
                  note="" if fit.converged else "not converged in 200 iterations")
    if _separated(frame):
        return _failed(terms, "not fitted: separation (an odds ratio is infinite)", **model)
    names = {"exchangeable": ["alpha"], "nested": ["alpha_between_evaluations", "alpha_within_evaluation"],
             "ar1": ["alpha_lag1"]}[structure]
    return _extra(frame, "correlation", dict(zip(names, fit.alpha)) | {"scale": fit.scale})
