"""Swimmer plot: one bar per patient, time on treatment, with response, DR, progression and death."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis_py.outputs.figures.palette import DR_STYLES, RESPONSE_COLOURS

EVENT_STYLES = {  # event: (label, marker, face colour, edge colour, size)
    "response": ("response onset (first CR/PR)", "*", "#F2C200", "#000000", 8.0),
    "progression": ("progression (first overall PD)", "o", RESPONSE_COLOURS["PD"], "#7F1D1D", 5.0),
    "death": ("death", "X", "#000000", "#000000", 6.0),
    "censored": ("alive at last contact (censored)", ">", "white", "#000000", 5.0),
}


def swimmer_lanes(patients: pd.DataFrame, evaluations: pd.DataFrame, days_per_month: float) -> pd.DataFrame:
    """One row per eligible patient, in months from inclusion: treatment (end of treatment, or
    last follow-up while ongoing), ongoing, response onset, progression, follow-up end and whether
    it is a death, the best overall response; longest treatment first."""
    p = patients.copy()
    inclusion = pd.to_datetime(p["inclusion_date"])
    follow_up = p["os_months"].astype(float)
    treatment = (pd.to_datetime(p["treatment_end_date"]) - inclusion).dt.days / days_per_month
    ongoing = treatment.isna()
    by_patient = evaluations.assign(months=evaluations["days_from_inclusion"] / days_per_month).groupby("patient_id")
    first = {kind: evaluations[evaluations["overall_response"].isin(codes)].assign(
        months=lambda e: e["days_from_inclusion"] / days_per_month).groupby("patient_id")["months"].min()
        for kind, codes in (("response", ("CR", "PR")), ("progression", ("PD",)))}
    lanes = pd.DataFrame({
        "patient_id": p["patient_id"].to_numpy(),
        "treatment_months": treatment.where(~ongoing, follow_up).clip(lower=0).to_numpy(),
        "ongoing": ongoing.to_numpy(),
        "response_months": p["patient_id"].map(first["response"]).to_numpy(),
        "progression_months": p["patient_id"].map(first["progression"]).to_numpy(),
        "follow_up_months": follow_up.to_numpy(),
        "died": p["os_event"].fillna(False).astype(bool).to_numpy(),
        "best_overall_response": p["best_overall_response"].fillna("NE").to_numpy(),
        "last_evaluation_months": p["patient_id"].map(by_patient["months"].max()).to_numpy(),
    })
    return lanes.sort_values(["treatment_months", "patient_id"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def swimmer_figure(lanes: pd.DataFrame, dr_evaluations: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """`lanes` as `swimmer_lanes` gives; `dr_evaluations` has patient_id, months, dr_type;
    `labels` maps patient_id to the label shown on its bar."""
    n = len(lanes)
    height = 1.3 + 0.105 * max(n, 4)
    fig = Figure(figsize=(10, height), dpi=100)
    height += 0.9  # the legend under the axes
    fig.set_size_inches(10, height)
    fig.subplots_adjust(left=0.1, right=0.99, top=1 - 0.75 / height, bottom=1.45 / height)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    row = dict(zip(lanes["patient_id"], y))
    ax.hlines(y, 0, lanes["follow_up_months"], color="#BBBBBB", linewidth=0.8, zorder=1)
    colours = [RESPONSE_COLOURS.get(r, "#FFFFFF") for r in lanes["best_overall_response"]]
    ax.barh(y, lanes["treatment_months"], height=0.72, color=colours, edgecolor="#444444", linewidth=0.3, zorder=2)
    ongoing = lanes["ongoing"].to_numpy(bool)
    if ongoing.any():
        ax.plot(lanes.loc[ongoing, "treatment_months"] + 0.4, y[ongoing], marker="$\u2192$", linestyle="",
                color="#444444", markersize=7, zorder=3)
    for kind, column in (("response", "response_months"), ("progression", "progression_months")):
        label, marker, face, edge, size = EVENT_STYLES[kind]
        ax.plot(lanes[column], y, marker=marker, linestyle="", markerfacecolor=face, markeredgecolor=edge,
                markersize=size, markeredgewidth=0.6, zorder=4)
    draw_follow_up_ends(ax, lanes, y)
    dr = dr_evaluations[dr_evaluations["patient_id"].isin(row)]
    for dr_type, group in dr.groupby("dr_type"):
        colour, marker = DR_STYLES[dr_type]
        ax.plot(group["months"], group["patient_id"].map(row), marker=marker, linestyle="", color=colour,
                markersize=4, markeredgewidth=0.3, markeredgecolor="white", zorder=5)
    set_lane_axes(ax, lanes, y, labels)
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True, labelsize=8)
    present = [r for r in RESPONSE_COLOURS if r in set(lanes["best_overall_response"])]
    legend = [Patch(facecolor=RESPONSE_COLOURS[r], edgecolor="#444444", label=f"on treatment, best {r}")
              for r in present]
    legend.append(Line2D([], [], color="#BBBBBB", label="follow-up after treatment"))
    legend += [Line2D([], [], marker=m, linestyle="", markerfacecolor=f, markeredgecolor=e, markersize=s, label=lab)
               for lab, m, f, e, s in EVENT_STYLES.values()]
    legend += [Line2D([], [], marker=m, linestyle="", color=c, markersize=4, label=f"{t} evaluation")
               for t, (c, m) in DR_STYLES.items()]
    if ongoing.any():
        legend.append(Line2D([], [], marker="$\u2192$", linestyle="", color="#444444", label="treatment ongoing"))
    fig.legend(handles=legend, fontsize=7, loc="lower center", ncol=4, frameon=False)
    ax.set_title(f"Swimmer plot ({n} patients, longest treatment first)", fontsize=10, loc="left", pad=18)
    return fig


def draw_follow_up_ends(ax, lanes: pd.DataFrame, y: np.ndarray) -> None:
    """Death or censoring at the end of each lane's follow-up (`follow_up_months`, `died`)."""
    died = lanes["died"].to_numpy(bool)
    for kind, mask in (("death", died), ("censored", ~died)):
        label, marker, face, edge, size = EVENT_STYLES[kind]
        ax.plot(lanes.loc[mask, "follow_up_months"], y[mask], marker=marker, linestyle="", markerfacecolor=face,
                markeredgecolor=edge, markersize=size, markeredgewidth=0.7, zorder=4)


def set_lane_axes(ax, lanes: pd.DataFrame, y: np.ndarray, labels: dict[str, str]) -> None:
    """A lane per patient labelled `labels` (else its id), months from inclusion across."""
    n = len(lanes)
    ax.set_yticks(y, [labels.get(pid, pid) for pid in lanes["patient_id"]], fontsize=5.5 if n > 60 else 7)
    ax.set_ylim(-0.8, n - 0.2)
    ax.set_xlim(0, max(lanes["follow_up_months"].max() if n else 1.0, 1.0) * 1.02 + 0.5)
    ax.set_xlabel("months from inclusion", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
