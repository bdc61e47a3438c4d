"""The comparison an analyst would write: pandas, one `groupby(...).apply` per patient.

Computes what benchmarks/floor.sql computes (per-measurement lesion responses of the eligible
patients' target lesions, and per-evaluation response counts and DR) and writes
<out>_lesion_responses.parquet and <out>_evaluations.parquet. Like the floor it trusts its
input (a clean cohort: no duplicates or bad values). Diameters are handled as integer
hundredths of a millimetre so that the rule boundaries are exact, as DECIMAL is in SQL.

    python benchmarks/pandas_naive.py --input DIR --out PREFIX
"""
from __future__ import annotations

import argparse

import duckdb
import numpy as np
import pandas as pd

STATUS_VALUE = {"too_small": 500, "absent": 0}  # hundredths of a mm


def read_input(folder: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    patients = pd.read_csv(f"{folder}/patients.csv", dtype=str, keep_default_na=False)
    lesions = pd.read_csv(f"{folder}/lesions.csv", dtype=str, keep_default_na=False)
    measurements = pd.read_csv(f"{folder}/measurements.csv", dtype=str, keep_default_na=False)
    assessments = pd.read_csv(f"{folder}/assessments.csv", dtype=str, keep_default_na=False)
    return patients, lesions, measurements, assessments


def reading_value(row: pd.Series) -> float:
    """The value the rules use, in hundredths of a mm (NaN when not evaluable)."""
    status = row["status"] or "measured"
    if status == "measured":
        return round(float(row["diameter_mm"]) * 100) if row["diameter_mm"] else np.nan
    return STATUS_VALUE.get(status, np.nan)


def lesion_response(value: float, baseline: int, nadir: int, lymph_node: bool) -> str:
    if np.isnan(value):
        return "NE"
    if value == 0 or (lymph_node and value < 1000):
        return "CR"
    if value - nadir >= 500 and 10 * value >= 12 * nadir:
        return "PD"
    if 10 * value <= 7 * baseline:
        return "PR"
    return "SD"


def patient_responses(readings: pd.DataFrame, assessment_dates: dict[str, set[str]]) -> pd.DataFrame | None:
    """The lesion responses of one patient (its target-lesion readings), or None if ineligible."""
    patient_id = readings.name
    first = readings.iloc[0]
    if first["exclusion_reason"]:
        return None
    before = readings[readings["assessment_date"] <= first["inclusion_date"]]
    if before.empty:
        return None
    baseline_date = before["assessment_date"].max()
    baseline = readings[(readings["assessment_date"] == baseline_date) & readings["value"].notna()]
    if len(baseline) < 2:
        return None
    in_target_set = readings[readings["lesion_id"].isin(baseline["lesion_id"])]
    dates = set(in_target_set["assessment_date"]) | assessment_dates.get(patient_id, set())
    post = sorted(date for date in dates if date > baseline_date)
    if not post:
        return None
    rows = []
    for lesion in baseline.itertuples():
        values = in_target_set[in_target_set["lesion_id"] == lesion.lesion_id].set_index("assessment_date")["value"]
        nadir = lesion.value
        for date in post:
            value = values.get(date, np.nan)
            rows.append({"patient_id": patient_id, "lesion_id": lesion.lesion_id, "assessment_date": date,
                         "diameter_mm": value / 100, "baseline_mm": lesion.value / 100, "nadir_mm": nadir / 100,
                         "lesion_response": lesion_response(value, lesion.value, nadir, lesion.lymph_node)})
            if not np.isnan(value):
                nadir = min(nadir, value)
    return pd.DataFrame(rows)


def evaluation_summary(lesions: pd.DataFrame) -> pd.Series:
    counts = lesions["lesion_response"].value_counts()
    n = {code: int(counts.get(code, 0)) for code in ("CR", "PR", "SD", "PD", "NE")}
    if n["PD"] and n["CR"] + n["PR"]:
        dr_type = "DR1"
    elif n["PD"] and n["SD"]:
        dr_type = "DR2"
    elif n["SD"] and n["CR"] + n["PR"]:
        dr_type = "DR3"
    else:
        dr_type = None
    return pd.Series({"n_cr": n["CR"], "n_pr": n["PR"], "n_sd": n["SD"], "n_pd": n["PD"], "n_ne": n["NE"],
                      "dr_type": dr_type})


def compute(folder: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    patients, lesions, measurements, assessments = read_input(folder)
    targets = lesions[lesions["role"] == "target"].copy()
    explicit = targets["lymph_node"].str.lower().map({"true": True, "false": False})
    by_site = targets["site"].str.lower().str.contains(r"(?:^|[^a-z])(?:lymph|node)", regex=True)
    targets["lymph_node"] = np.where(explicit.notna(), explicit == True, by_site)  # noqa: E712
    readings = measurements.merge(targets[["patient_id", "lesion_id", "lymph_node"]], on=["patient_id", "lesion_id"])
    readings["value"] = readings.apply(reading_value, axis=1)
    readings = readings.merge(patients[["patient_id", "inclusion_date", "exclusion_reason"]], on="patient_id")
    assessment_dates = assessments.groupby("patient_id")["assessment_date"].apply(set).to_dict()
    responses = (readings.groupby("patient_id", group_keys=False)
                 .apply(lambda group: patient_responses(group, assessment_dates), include_groups=False)
                 .reset_index(drop=True))
    evaluations = (responses.groupby(["patient_id", "assessment_date"])
                   .apply(evaluation_summary, include_groups=False)
                   .reset_index())
    return responses, evaluations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--out", required=True, help="prefix of the two Parquet files")
    args = parser.parse_args()
    responses, evaluations = compute(args.input)
    for name, frame in (("lesion_responses", responses), ("evaluations", evaluations)):  # no pyarrow needed
        duckdb.from_df(frame).write_parquet(f"{args.out}_{name}.parquet")


if __name__ == "__main__":
    main()
