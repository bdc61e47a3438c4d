"""The descriptive tables of the seed study from the marts: flow, Table 1, Table 2, Fig. 3, DR."""
from __future__ import annotations

import pandas as pd

RESPONSES = ("CR", "PR", "SD", "PD", "NE")
RESPONDING = ("CR", "PR")
DR_TYPES = ("DR1", "DR2", "DR3")


# the level of each block of table2_best_response, and the row of dr_prevalence counting the DR1
# patients with a biopsied progressive lesion: the keys the report and the terminal find rows by
PATIENT_LEVEL = "patient (best overall response)"
LESION_LEVEL = "target lesion (best response)"
MEASUREMENT_LEVEL = "post-baseline target lesion measurement"
DR1_BIOPSIED = "DR1 with the progressive lesion biopsied"

def eligible(patients: pd.DataFrame) -> pd.DataFrame:
    return patients[patients["eligible"].fillna(False).astype(bool)]


def cohort_flow(flow: pd.DataFrame) -> pd.DataFrame:
    """The mart's reasons in its order, with the share of screened patients."""
    if "display_order" in flow:
        flow = flow.sort_values("display_order")
    flow = flow[["reason", "n_patients"]].reset_index(drop=True)
    return flow.assign(percent_of_screened=100 * flow["n_patients"] / flow["n_patients"].sum())


def _counts(section: str, values: pd.Series, order=None) -> pd.DataFrame:
    counts = values.value_counts(dropna=False)
    if order is not None:
        counts = counts.reindex(order, fill_value=0)
    total = len(values)
    return pd.DataFrame({"section": section, "category": counts.index.astype(str).str.replace("nan", "missing"),
                         "n": counts.to_numpy(), "percent": 100 * counts.to_numpy() / total})


def _median_range(section: str, values: pd.Series) -> pd.DataFrame:
    v = values.dropna()
    return pd.DataFrame([{"section": section, "category": "median [range]", "n": len(v),
                          "median": v.median(), "min": v.min(), "max": v.max()}])


def _prior_lines(lines: pd.Series) -> pd.Series:
    return lines.map(lambda x: x if pd.isna(x) else (str(int(x)) if x < 3 else ">= 3"))


def table1_patients(patients: pd.DataFrame, lesions: pd.DataFrame) -> pd.DataFrame:
    """Table 1 over eligible patients: one row per category (n, %) or per median [range]."""
    p = eligible(patients)
    any_rt = (p["n_prior_radiotherapy_primary"] + p["n_prior_radiotherapy_metastasis"]) > 0
    parts = [
        _median_range("age at inclusion", p["age"]),
        _counts("sex", p["sex"]),
        _counts("primary tumour", p["primary_tumor"]),
        _counts("regimen", p["regimen"]),
        _counts("prior lines (recurrent/metastatic)", _prior_lines(p["prior_lines"]), ["0", "1", "2", ">= 3"]),
        _counts("prior radiotherapy", any_rt.map({True: "any", False: "none"}), ["none", "any"]),
        _counts("prior radiotherapy of the primary", (p["n_prior_radiotherapy_primary"] > 0).map(str), ["True"]),
        _counts("prior radiotherapy of a metastasis", (p["n_prior_radiotherapy_metastasis"] > 0).map(str), ["True"]),
        _counts("radiotherapy within 6 months", p["any_recent_radiotherapy"].fillna(False).astype(bool).map(str),
                ["True"]),
        _median_range("months from recurrent/metastatic diagnosis to ICI", p["months_metastatic_to_ici"]),
        _median_range("target lesions per patient", p["n_target_lesions"]),
        _median_range("tumour evaluations per patient (baseline included)", p["n_evaluations"]),
        _counts("target lesion site", lesions["site_group"]),
    ]
    return pd.concat(parts, ignore_index=True).reindex(
        columns=["section", "category", "n", "percent", "median", "min", "max"])


def _response_counts(level: str, responses: pd.Series) -> pd.DataFrame:
    counts = responses.value_counts().reindex(RESPONSES, fill_value=0)
    rows = [(r, counts[r]) for r in ("CR", "PR")] + [("ORR", counts[list(RESPONDING)].sum())] + \
        [(r, counts[r]) for r in ("SD", "PD", "NE")]
    total = len(responses)
    return pd.DataFrame({"level": level, "response": [r for r, _ in rows], "n": [n for _, n in rows],
                         "total": total, "percent": [100 * n / total if total else float("nan") for _, n in rows]})


def table2_best_response(patients, lesions, measurements) -> pd.DataFrame:
    """CR, PR, ORR, SD, PD (and NE) per patient, per target lesion, per post-baseline reading."""
    return pd.concat([
        _response_counts(PATIENT_LEVEL, eligible(patients)["best_overall_response"].fillna("NE")),
        _response_counts(LESION_LEVEL, lesions["best_response"].fillna("NE")),
        _response_counts(MEASUREMENT_LEVEL, measurements["lesion_response"].fillna("NE")),
    ], ignore_index=True)


def best_response_by_site(lesions: pd.DataFrame) -> pd.DataFrame:
    """Fig. 3: per site group, the number of target lesions by best response and the response rate (percent)."""
    counts = pd.crosstab(lesions["site_group"], lesions["best_response"].fillna("NE")).reindex(
        columns=list(RESPONSES), fill_value=0)
    n = counts.sum(axis=1)
    table = counts.add_prefix("n_").assign(n_lesions=n, response_rate=100 * counts[list(RESPONDING)].sum(axis=1) / n)
    return table.reset_index().sort_values("n_lesions", ascending=False, kind="stable").reset_index(drop=True)


def _biopsied_progression(evaluations, measurements, lesions) -> tuple[int, int]:
    """DR1 patients, and those of them with a biopsied lesion progressing at a DR1 evaluation."""
    dr1 = evaluations.loc[evaluations["dr_type"] == "DR1", ["patient_id", "assessment_date"]]
    progressing = measurements[measurements["lesion_response"] == "PD"].merge(dr1)
    biopsied = progressing.merge(lesions[["patient_id", "lesion_id", "prior_biopsy"]])
    return dr1["patient_id"].nunique(), biopsied.loc[biopsied["prior_biopsy"].astype(bool), "patient_id"].nunique()


def dr_prevalence(patients, evaluations, measurements, lesions) -> pd.DataFrame:
    """DR1/DR2/DR3/any per eligible patient and per post-baseline evaluation, and the DR1
    patients whose progressive lesion had been biopsied."""
    rows = []
    for level, dr in (("patient", eligible(patients)["dr_type"]), ("evaluation", evaluations["dr_type"])):
        for kind in (*DR_TYPES, "any"):
            n = int(dr.notna().sum() if kind == "any" else (dr == kind).sum())
            rows.append({"level": level, "dr_type": kind, "n": n, "total": len(dr),
                         "percent": 100 * n / len(dr) if len(dr) else float("nan")})
    n_dr1, n_biopsied = _biopsied_progression(evaluations, measurements, lesions)
    rows.append({"level": "patient", "dr_type": DR1_BIOPSIED, "n": n_biopsied,
                 "total": n_dr1, "percent": 100 * n_biopsied / n_dr1 if n_dr1 else float("nan")})
    return pd.DataFrame(rows)
