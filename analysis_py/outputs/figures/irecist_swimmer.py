"""iRECIST swimmer plot: one lane per patient with an unconfirmed progression (iUPD), in months
from inclusion, with each iUPD, the evaluation that confirmed it (iCPD) or the response that
reset it (pseudo-progression), and death or censoring. The iRECIST calls are dbt's
(fct_evaluations_irecist); this module only draws them."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis_py.outputs.figures.palette import RESPONSE_COLOURS
from analysis_py.outputs.figures.swimmer import EVENT_STYLES, draw_follow_up_ends, set_lane_axes

IRECIST_COLOURS = {f"i{code}": colour for code, colour in RESPONSE_COLOURS.items() if code != "PD"} | {
    "iUPD": "#F4A582", "iCPD": RESPONSE_COLOURS["PD"]}
MARKS = {  # event: (label, marker, face colour, edge colour, size)
    "iupd": ("iUPD (unconfirmed progression)", "^", "white", "#B2182B", 6.0),
    "reset": ("iUPD reset by a later iCR/iPR/iSD", "o", "#1B7837", "#1B7837", 5.0),
    "icpd": ("iCPD (progression confirmed)", "s", "#B2182B", "#67001F", 6.0),
}


def irecist_lanes(patients: pd.DataFrame, irecist: pd.DataFrame, days_per_month: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lanes (patients with an iUPD: follow-up, death, iRECIST best response, months to the
    last evaluation; confirmed ones first, then by first iUPD) and their events (patient_id,
    months, event among iupd / reset / icpd)."""
    evaluations = irecist.assign(months=irecist["days_from_inclusion"] / days_per_month)
    events = pd.concat([
        evaluations.loc[evaluations["overall_response"] == "iUPD"].assign(event="iupd"),
        evaluations.loc[evaluations["resets_iupd"].fillna(False).astype(bool)].assign(event="reset"),
        evaluations.loc[evaluations["confirms_icpd"].fillna(False).astype(bool)].assign(event="icpd"),
    ])[["patient_id", "months", "event"]]
    first_iupd = events.loc[events["event"] == "iupd"].groupby("patient_id")["months"].min()
    lanes = patients.loc[patients["patient_id"].isin(first_iupd.index)]
    lanes = pd.DataFrame({
        "patient_id": lanes["patient_id"].to_numpy(),
        "follow_up_months": lanes["os_months"].astype(float).to_numpy(),
        "died": lanes["os_event"].fillna(False).astype(bool).to_numpy(),
        "best_response": lanes["irecist_best_overall_response"].fillna("NE").to_numpy(),
        "confirmed": lanes["irecist_icpd_date"].notna().to_numpy(),
    })
    lanes["first_iupd_months"] = lanes["patient_id"].map(first_iupd).to_numpy()
    lanes["last_evaluation_months"] = lanes["patient_id"].map(evaluations.groupby("patient_id")["months"].max())
    lanes = lanes.sort_values(["confirmed", "first_iupd_months", "patient_id"], ascending=[False, True, True],
                              kind="stable").reset_index(drop=True)
    return lanes, events.loc[events["patient_id"].isin(lanes["patient_id"])]


def irecist_swimmer_figure(lanes: pd.DataFrame, events: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """`lanes` and `events` as irecist_lanes gives them; `labels` maps patient_id to its label."""
    n = len(lanes)
    height = 2.2 + 0.105 * max(n, 4)
    fig = Figure(figsize=(10, height), dpi=100)
    fig.subplots_adjust(left=0.1, right=0.99, top=1 - 0.75 / height, bottom=1.35 / height)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    row = dict(zip(lanes["patient_id"], y))
    ax.hlines(y, 0, lanes["follow_up_months"], color="#BBBBBB", linewidth=0.8, zorder=1)
    ax.barh(y, lanes["last_evaluation_months"], height=0.72, edgecolor="#444444", linewidth=0.3, zorder=2,
            color=[IRECIST_COLOURS.get(r, "#FFFFFF") for r in lanes["best_response"]])
    for event in MARKS:
        label, marker, face, edge, size = MARKS[event]
        shown = events.loc[events["event"] == event]
        ax.plot(shown["months"], shown["patient_id"].map(row), marker=marker, linestyle="", markerfacecolor=face,
                markeredgecolor=edge, markersize=size, markeredgewidth=0.8, zorder=4)
    draw_follow_up_ends(ax, lanes, y)
    set_lane_axes(ax, lanes, y, labels)
    present = [r for r in IRECIST_COLOURS if r in set(lanes["best_response"])]
    legend = [Patch(facecolor=IRECIST_COLOURS[r], edgecolor="#444444", label=f"evaluated, iRECIST best {r}")
              for r in present]
    legend.append(Line2D([], [], color="#BBBBBB", label="follow-up"))
    legend += [Line2D([], [], marker=m, linestyle="", markerfacecolor=f, markeredgecolor=e, markersize=s, label=lab)
               for lab, m, f, e, s in [*MARKS.values(), EVENT_STYLES["death"], EVENT_STYLES["censored"]]]
    fig.legend(handles=legend, fontsize=7, loc="lower center", ncol=4, frameon=False)
    confirmed = int(lanes["confirmed"].sum())
    ax.set_title(f"iRECIST swimmer ({n} patients with an iUPD, {confirmed} confirmed as iCPD)", fontsize=10,
                 loc="left", pad=8)
    return fig
