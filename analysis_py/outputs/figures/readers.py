"""Two readers' agreement (docs/readers.md): a Bland-Altman plot of the target-lesion diameters
and a confusion matrix of best overall response, from the per-reader marts."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis_py.study.agreement import bland_altman, paired

RESPONSE_ORDER = ["CR", "PR", "SD", "PD", "NE"]


def bland_altman_figure(measurements: pd.DataFrame, reader_1: str, reader_2: str) -> Figure:
    """Difference against mean of each lesion diameter both readers gave, with the bias and the
    95 % limits of agreement (agreement.bland_altman)."""
    pairs = paired(measurements, ["patient_id", "lesion_id", "assessment_date"], reader_1, reader_2)
    pairs = pairs.dropna(subset=["diameter_mm_1", "diameter_mm_2"])
    first, second = pairs["diameter_mm_1"].astype(float), pairs["diameter_mm_2"].astype(float)
    estimate = bland_altman(first, second)
    figure = Figure(figsize=(6, 4.5), layout="constrained")
    axes = figure.subplots()
    axes.scatter((first + second) / 2, first - second, s=10, alpha=0.5, color="#0072B2")
    for value, style, label in ((estimate.estimate, "-", "bias"), (estimate.lower, "--", "95 % limits"),
                                (estimate.upper, "--", None)):
        axes.axhline(value, linestyle=style, color="black", linewidth=1, label=label)
    axes.set_xlabel(f"mean of {reader_1} and {reader_2}, mm")
    axes.set_ylabel(f"{reader_1} - {reader_2}, mm")
    axes.set_title(f"Target-lesion diameters, {estimate.n} paired readings")
    axes.legend(loc="upper right")
    return figure


def bor_confusion_figure(patients: pd.DataFrame, reader_1: str, reader_2: str) -> Figure:
    """Eligible patients by best overall response of each reader (patients eligible for both)."""
    eligible = patients[patients["eligible"].astype(bool)]
    pairs = paired(eligible, ["patient_id"], reader_1, reader_2)
    counts = pd.crosstab(pairs["best_overall_response_1"], pairs["best_overall_response_2"]).reindex(
        index=RESPONSE_ORDER, columns=RESPONSE_ORDER, fill_value=0)
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    axes = figure.subplots()
    axes.imshow(counts.to_numpy(), cmap="Blues")
    for (row, column), n in pd.DataFrame(counts.to_numpy()).stack().items():
        axes.text(column, row, str(n), ha="center", va="center",
                  color="white" if n > counts.to_numpy().max() / 2 else "black")
    axes.set_xticks(range(len(RESPONSE_ORDER)), RESPONSE_ORDER)
    axes.set_yticks(range(len(RESPONSE_ORDER)), RESPONSE_ORDER)
    axes.set_xlabel(f"best overall response, {reader_2}")
    axes.set_ylabel(f"best overall response, {reader_1}")
    axes.set_title(f"{len(pairs)} patients eligible for both readers")
    return figure
