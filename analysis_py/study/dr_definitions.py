"""Dissociated response read under each published definition (docs/dissociated-response.md):
prevalence, overlap between definitions, and Kaplan-Meier OS/PFS of DR against concordant
progression. The definitions themselves are computed by dbt (fct_dissociated_response*)."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from lifelines.statistics import logrank_test

from analysis_py.study.tables import eligible
from analysis_py.study.survival import km_summary
from analysis_py.warehouse.marts import DR_MARTS

COMPARED_GROUPS = ("DR", "concordant_PD")


def dr_definition_tables(marts: dict[str, pd.DataFrame], endpoints: dict[str, tuple[str, str]],
                         method: str) -> dict[str, pd.DataFrame]:
    """The three tables, or none when `marts` lack the dissociated-response marts (a build that
    predates them)."""
    if not set(DR_MARTS) <= set(marts):
        return {}
    evaluations, by_patient = (marts[name] for name in DR_MARTS)
    return {
        "dr_definition_prevalence": prevalence(evaluations, by_patient),
        "dr_definition_overlap": overlap(by_patient),
        "dr_definition_survival": survival_by_group(by_patient, eligible(marts["dim_patients"]), endpoints, method),
    }


def prevalence(evaluations: pd.DataFrame, by_patient: pd.DataFrame) -> pd.DataFrame:
    """One row per definition: patients and evaluations assessed, with DR, and the shares."""
    patients = by_patient.groupby("definition").agg(
        patients=("patient_id", "size"), patients_dr=("is_dissociated", "sum"))
    scans = evaluations.groupby("definition").agg(
        evaluations=("patient_id", "size"), evaluations_dr=("is_dissociated", "sum"))
    table = patients.join(scans).reset_index()
    table["pct_patients"] = 100 * table["patients_dr"] / table["patients"]
    table["pct_evaluations"] = 100 * table["evaluations_dr"] / table["evaluations"]
    return table[["definition", "patients", "patients_dr", "pct_patients",
                  "evaluations", "evaluations_dr", "pct_evaluations"]]


def overlap(by_patient: pd.DataFrame) -> pd.DataFrame:
    """One row per pair of definitions: patients DR under both, under one only, and Jaccard."""
    flags = by_patient.pivot(index="patient_id", columns="definition", values="is_dissociated").astype(bool)
    rows = []
    for first, second in combinations(sorted(flags.columns), 2):
        both = int((flags[first] & flags[second]).sum())
        first_only = int((flags[first] & ~flags[second]).sum())
        second_only = int((~flags[first] & flags[second]).sum())
        union = both + first_only + second_only
        rows.append({"definition": first, "other_definition": second, "both": both,
                     "definition_only": first_only, "other_only": second_only,
                     "jaccard": both / union if union else np.nan})
    return pd.DataFrame(rows)


def survival_by_group(by_patient: pd.DataFrame, patients: pd.DataFrame,
                      endpoints: dict[str, tuple[str, str]], method: str) -> pd.DataFrame:
    """Kaplan-Meier OS/PFS of each definition's DR patients against its concordant progressions
    (comparison_group), with the log-rank p-value of the two curves; a group without patients
    has no row."""
    joined = by_patient.merge(patients, on="patient_id")
    rows = []
    for definition, group in joined.groupby("definition"):
        compared = group[group["comparison_group"].isin(COMPARED_GROUPS)]
        for name, (time_col, event_col) in endpoints.items():
            p_value = logrank_p(compared, time_col, event_col, "comparison_group")
            for label in COMPARED_GROUPS:
                members = compared[compared["comparison_group"] == label]
                if members[[time_col, event_col]].dropna().empty:
                    continue
                summary = km_summary(members, {name: (time_col, event_col)}, method=method)
                rows.append(summary.assign(definition=definition, group=label, logrank_p=p_value))
    columns = ["definition", "endpoint", "group", "n", "events", "median_months", "ci_low", "ci_high",
               "median_reached", "logrank_p"]
    return pd.concat(rows, ignore_index=True)[columns] if rows else pd.DataFrame(columns=columns)


def logrank_p(data: pd.DataFrame, time_col: str, event_col: str, group_col: str) -> float:
    """Two-sided p-value of the log-rank test between the two groups of `group_col` (NaN
    unless there are two groups and an event)."""
    data = data[[time_col, event_col, group_col]].dropna()
    groups = data[group_col].unique()
    if len(groups) != 2 or not data[event_col].astype(bool).any():
        return np.nan
    first, second = (data[data[group_col] == label] for label in groups)
    return float(logrank_test(first[time_col], second[time_col],
                              first[event_col].astype(bool), second[event_col].astype(bool)).p_value)
