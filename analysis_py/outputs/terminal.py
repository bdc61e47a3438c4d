"""The study's results in a few lines for the terminal (and the report's glance): cohort, ORR,
DR, medians, and per predictor model its estimate, whether the fit is singular and whether the
sensitivity models point the other way."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis_py.outputs.numbers import months_text, odds_ratio_text, p_text, percent_text
from analysis_py.study.predictors import PRIMARY_ROLES, SENSITIVITY
from analysis_py.study.tables import PATIENT_LEVEL

MODEL_NAMES = {"nested": "nested GLMM", "ar1": "AR(1) GLMM", "patient": "patient GLMM"}


def model_name(row: pd.Series) -> str:
    if row["method"] == "glmm_laplace":
        return MODEL_NAMES.get(row["structure"], f"{row['structure']} GLMM")
    return f"{row['structure']} GEE" if row["method"] == "gee" else row["method"]


def _direction(odds_ratio) -> int:
    return 0 if pd.isna(odds_ratio) else int(np.sign(np.log(odds_ratio)))


def _disagreeing(row: pd.Series, table: pd.DataFrame) -> list[str]:
    """The sensitivity models of the same factor and level whose odds ratio is on the other side of 1."""
    others = table[(table["level"] == row["level"]) & (table["factor"] == row["factor"])
                   & (table["role"] == SENSITIVITY) & table["method"].isin(["glmm_laplace", "gee"])]
    own = _direction(row["odds_ratio"])
    return [f"{model_name(o)} OR {odds_ratio_text(o['odds_ratio'])}" for _, o in others.iterrows()
            if own and _direction(o["odds_ratio"]) == -own]


def _singular(row: pd.Series) -> str:
    flag = row.get("singular_fit")
    if pd.isna(flag) or not bool(flag):
        return ""
    sds = ", ".join(f"{label} SD {row[column]:.2g}" for column, label in
                    (("sd_patient", "patient"), ("sd_evaluation", "evaluation")) if pd.notna(row.get(column)))
    return f"; singular fit ({sds})"


def model_lines(table: pd.DataFrame) -> list[str]:
    """One line per primary GLMM row: comparison, OR, p, the model, singular fit, disagreement."""
    lines = []
    used = table[table["role"].isin(PRIMARY_ROLES) & (table["method"] == "glmm_laplace")]
    for _, row in used.iterrows():
        if not row["converged"]:
            lines.append(f"{row['level']}: {row['comparison']}: {row['note']} ({model_name(row)})")
            continue
        line = (f"{row['level']}: {row['comparison']}: OR {odds_ratio_text(row['odds_ratio'])}, "
                f"p {'= ' if row['p_value'] >= 0.001 else ''}{p_text(row['p_value'])} ({model_name(row)}"
                f"{_singular(row)})")
        against = _disagreeing(row, table)
        lines.append(line + (f"; other direction in: {', '.join(against)}" if against else ""))
    return lines


def summary_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """A few lines: cohort, ORR, DR, medians, the study model's p-values."""
    return headline_lines(tables) + model_lines(tables["response_predictors"]) + model_lines(tables["dr_predictors"])


def headline_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Cohort, objective response, DR, and the median of each survival endpoint."""
    flow = tables["cohort_flow"].set_index("reason")["n_patients"]
    t2 = tables["table2_best_response"]
    orr = t2[(t2["response"] == "ORR") & (t2["level"] == PATIENT_LEVEL)].iloc[0]
    dr = tables["dr_prevalence"].set_index(["level", "dr_type"])
    lines = [f"eligible patients: {flow.get('eligible', 0)} of {flow.sum()} screened",
             f"objective response: {orr['n']} ({percent_text(orr['percent'])})",
             f"DR: {dr.loc[('patient', 'any'), 'n']} patients, {dr.loc[('evaluation', 'any'), 'n']} of "
             f"{dr.loc[('evaluation', 'any'), 'total']} post-baseline evaluations"]
    for _, row in tables["survival"].iterrows():
        lines.append(f"median {row['endpoint']}: {months_text(row['median_months'])} months "
                     f"(95 % CI {months_text(row['ci_low'])}-{months_text(row['ci_high'])})")
    return lines
