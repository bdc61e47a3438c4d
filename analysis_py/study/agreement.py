"""Agreement between readers: Cohen's kappa, ICC(2,1), Bland-Altman limits of agreement and
the discordance rates central reviews report, as pure functions on DataFrames, and the
`reader_agreement.csv` table from the per-reader marts (one row per reader pair x measure)."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054  # standard normal 97.5 % quantile: 95 % intervals and limits of agreement
NO_DR = "none"  # the category of a patient without DR in the DR-type kappa
OBJECTIVE_RESPONSES = ("CR", "PR")
AGREEMENT_COLUMNS = ["reader_1", "reader_2", "measure", "statistic", "n", "estimate", "lower", "upper"]


@dataclass(frozen=True)
class Estimate:
    """A statistic with its n and an interval (a 95 % CI, or Bland-Altman's limits of agreement)."""
    n: int
    estimate: float
    lower: float = np.nan
    upper: float = np.nan


def cohen_kappa(first: pd.Series, second: pd.Series) -> Estimate:
    """Cohen's kappa of two readers' categories (aligned Series, no missing value) with a 95 %
    Wald CI. SE: the large-sample formula of Fleiss, Cohen & Everitt (1969), with p_ij the
    share of pairs rated i by the first reader and j by the second, p_i. and p_.j the margins,
    po and pe the observed and chance agreement:
    var = [sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2 + (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
           - (k - pe (1 - k))^2] / (n (1 - pe)^2).
    kappa is NaN when the chance agreement is 1 (both readers used one and the same category)."""
    table = pd.crosstab(first, second).reindex(
        index=sorted(set(first) | set(second)), columns=sorted(set(first) | set(second)), fill_value=0)
    n = int(table.to_numpy().sum())
    if n == 0:
        return Estimate(0, np.nan)
    p = table.to_numpy(float) / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed, chance = np.trace(p), float(rows @ cols)
    if np.isclose(chance, 1.0):
        return Estimate(n, np.nan)
    kappa = (observed - chance) / (1 - chance)
    diagonal = (np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2).sum()
    spread = p * (cols[:, None] + rows[None, :]) ** 2
    np.fill_diagonal(spread, 0)
    variance = (diagonal + (1 - kappa) ** 2 * spread.sum() - (kappa - chance * (1 - kappa)) ** 2) / (
        n * (1 - chance) ** 2)
    se = float(np.sqrt(max(variance, 0.0)))
    return Estimate(n, float(kappa), float(kappa - Z_95 * se), float(kappa + Z_95 * se))


def icc_2_1(ratings: pd.DataFrame) -> Estimate:
    """ICC(2,1) of Shrout & Fleiss (1979): two-way random effects, absolute agreement, one
    rater; `ratings` has one row per subject, one column per reader, no missing value.
    (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n), from the two-way ANOVA mean squares
    of rows (subjects), columns (readers) and error."""
    values = ratings.to_numpy(float)
    n, k = values.shape
    if n < 2 or k < 2:
        return Estimate(n, np.nan)
    grand = values.mean()
    ss_rows = k * ((values.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((values.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((values - grand) ** 2).sum() - ss_rows - ss_cols
    ms_rows, ms_cols = ss_rows / (n - 1), ss_cols / (k - 1)
    ms_error = ss_error / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error + k * (ms_cols - ms_error) / n
    return Estimate(n, float((ms_rows - ms_error) / denominator) if denominator else np.nan)


def bland_altman(first: pd.Series, second: pd.Series, relative: bool = False) -> Estimate:
    """Bias (mean of first - second) and 95 % limits of agreement (bias -/+ 1.96 SD of the
    differences, SD with n - 1). Relative: each difference in % of the pair's mean, pairs
    whose mean is 0 left out."""
    first, second = first.astype(float), second.astype(float)
    differences = first - second
    if relative:
        mean = (first + second) / 2
        differences = (100 * differences / mean[mean != 0]).dropna()
    n = len(differences)
    if n < 2:
        return Estimate(n, float(differences.mean()) if n else np.nan)
    bias, sd = float(differences.mean()), float(differences.std(ddof=1))
    return Estimate(n, bias, bias - Z_95 * sd, bias + Z_95 * sd)


def implied_cv(first: pd.Series, second: pd.Series) -> float:
    """The coefficient of variation of one reading that two readers' disagreement implies,
    for `lesionwise robustness --cv`: if each reader reads the true size x as x exp(sigma Z),
    independently, ln(first / second) has variance 2 sigma^2; so sigma^2 = var(ln ratio) / 2
    (n - 1) over the pairs where both read more than 0, and cv = sqrt(exp(sigma^2) - 1)."""
    both = (first.astype(float) > 0) & (second.astype(float) > 0)
    log_ratio = np.log(first[both].astype(float) / second[both].astype(float))
    if len(log_ratio) < 2:
        return np.nan
    return float(np.sqrt(np.expm1(log_ratio.var(ddof=1) / 2)))


def discordance(first: pd.Series, second: pd.Series) -> Estimate:
    """Share of the pairs where the two values differ (a missing value differs from any
    value, two missing values agree), with a 95 % Wilson CI."""
    n = len(first)
    if n == 0:
        return Estimate(0, np.nan)
    differ = int((first.ne(second) & ~(first.isna() & second.isna())).sum())
    return Estimate(n, differ / n, *wilson_interval(differ, n))


def wilson_interval(count: int, n: int) -> tuple[float, float]:
    """Wilson's 95 % score interval of a proportion count / n."""
    share = count / n
    centre = (share + Z_95 ** 2 / (2 * n)) / (1 + Z_95 ** 2 / n)
    half = Z_95 * np.sqrt(share * (1 - share) / n + Z_95 ** 2 / (4 * n ** 2)) / (1 + Z_95 ** 2 / n)
    return float(centre - half), float(centre + half)


def patient_dates(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Per reader and patient: the first overall PD and the first overall CR/PR, by date."""
    first = {}
    for name, responses in (("first_pd_date", ("PD",)), ("first_response_date", OBJECTIVE_RESPONSES)):
        chosen = evaluations[evaluations["overall_response"].isin(responses)]
        first[name] = chosen.groupby(["reader", "patient_id"])["assessment_date"].min()
    return pd.DataFrame(first).reset_index()


def paired(table: pd.DataFrame, keys: list[str], reader_1: str, reader_2: str) -> pd.DataFrame:
    """The rows both readers have for the same keys, columns suffixed _1 and _2."""
    return table[table["reader"] == reader_1].merge(
        table[table["reader"] == reader_2], on=keys, suffixes=("_1", "_2"))


def pair_agreement(measurements: pd.DataFrame, evaluations: pd.DataFrame, patients: pd.DataFrame,
                   reader_1: str, reader_2: str) -> list[tuple[str, str, Estimate]]:
    """(measure, statistic, estimate) of one pair of readers."""
    lesions = paired(measurements, ["patient_id", "lesion_id", "assessment_date"], reader_1, reader_2)
    visits = paired(evaluations, ["patient_id", "assessment_date"], reader_1, reader_2)
    eligible = patients[patients["eligible"].astype(bool)]
    people = paired(eligible.merge(patient_dates(evaluations), how="left", on=["reader", "patient_id"]),
                    ["patient_id"], reader_1, reader_2)
    rows = [(column, "kappa", cohen_kappa(table[f"{column}_1"], table[f"{column}_2"]))
            for table, column in ((lesions, "lesion_response"), (visits, "target_response"),
                                  (visits, "overall_response"), (people, "best_overall_response"))]
    rows.append(("dr_type", "kappa", cohen_kappa(people["dr_type_1"].fillna(NO_DR), people["dr_type_2"].fillna(NO_DR))))
    for table, column in ((lesions, "diameter_mm"), (visits, "sum_mm")):
        both = table.dropna(subset=[f"{column}_1", f"{column}_2"])
        rows += [(column, "icc_2_1", icc_2_1(both[[f"{column}_1", f"{column}_2"]])),
                 (column, "bland_altman_mm", bland_altman(both[f"{column}_1"], both[f"{column}_2"])),
                 (column, "bland_altman_pct", bland_altman(both[f"{column}_1"], both[f"{column}_2"], relative=True))]
    return rows + discordance_rows(people)


def discordance_rows(people: pd.DataFrame) -> list[tuple[str, str, Estimate]]:
    """Central-review discordance: PD declared or not (all patients); date of PD (patients
    both readers call PD); best overall response (all patients); date of first response
    (patients both readers call CR/PR)."""
    both_pd = people.dropna(subset=["first_pd_date_1", "first_pd_date_2"])
    both_response = people.dropna(subset=["first_response_date_1", "first_response_date_2"])
    return [
        ("pd_declared", "discordance", discordance(people["first_pd_date_1"].notna(),
                                                   people["first_pd_date_2"].notna())),
        ("pd_date", "discordance", discordance(both_pd["first_pd_date_1"], both_pd["first_pd_date_2"])),
        ("best_overall_response", "discordance", discordance(people["best_overall_response_1"],
                                                             people["best_overall_response_2"])),
        ("first_response_date", "discordance", discordance(both_response["first_response_date_1"],
                                                           both_response["first_response_date_2"])),
    ]


def reader_agreement(measurements: pd.DataFrame, evaluations: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """reader_agreement.csv from fct_lesion_measurements_by_reader, fct_evaluations_by_reader
    and dim_patients_by_reader: one row per pair of readers (in name order) x measure x
    statistic; `lower`/`upper` are a 95 % CI (kappa: Wald; discordance: Wilson) or the 95 %
    limits of agreement (Bland-Altman), NaN for ICC. Empty with fewer than two readers."""
    readers = sorted(set(measurements["reader"]) | set(evaluations["reader"]) | set(patients["reader"]))
    rows = [(reader_1, reader_2, measure, statistic, e.n, e.estimate, e.lower, e.upper)
            for reader_1, reader_2 in combinations(readers, 2)
            for measure, statistic, e in pair_agreement(measurements, evaluations, patients, reader_1, reader_2)]
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
