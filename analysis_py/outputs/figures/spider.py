"""Spider plot: percent change from baseline of each target lesion of one patient over time."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis_py.outputs.figures.palette import DR_STYLES, site_colour, site_label


def spider_readings(patients: pd.DataFrame, lesions: pd.DataFrame, measurements: pd.DataFrame,
                    days_per_month: float) -> pd.DataFrame:
    """One row per target lesion x evaluation, baseline included (0 %): patient_id, lesion_id,
    site_group, months (from inclusion), pct_change (NaN where the reading has no value)."""
    inclusion = patients.set_index("patient_id")["inclusion_date"]
    base = lesions[["patient_id", "lesion_id", "site_group", "baseline_date"]].copy()
    offset = (pd.to_datetime(base["baseline_date"]) - pd.to_datetime(base["patient_id"].map(inclusion))).dt.days
    base = base.assign(months=offset / days_per_month, pct_change=0.0).drop(columns="baseline_date")
    post = measurements[["patient_id", "lesion_id", "days_from_inclusion", "pct_change_baseline"]].merge(
        lesions[["patient_id", "lesion_id", "site_group"]], on=["patient_id", "lesion_id"])
    post = post.assign(months=post["days_from_inclusion"] / days_per_month,
                       pct_change=post["pct_change_baseline"].astype(float))
    columns = ["patient_id", "lesion_id", "site_group", "months", "pct_change"]
    return pd.concat([base[columns], post[columns]], ignore_index=True).sort_values(
        ["patient_id", "lesion_id", "months"], kind="stable").reset_index(drop=True)


def spider_figure(readings: pd.DataFrame, dr_evaluations: pd.DataFrame, title: str,
                  pr_line: float = -30.0, pd_line: float = 20.0) -> Figure:
    """One line per lesion (`readings` of one patient, as `spider_readings` gives) coloured by
    site; the PR and PD lines; each DR evaluation (months, dr_type) marked by type on top."""
    fig = Figure(figsize=(4.2, 3.0), dpi=100)
    fig.subplots_adjust(left=0.16, right=0.97, top=0.86, bottom=0.15)
    ax = fig.add_subplot()
    ax.axhline(0, color="#444444", linewidth=0.6)
    ax.axhline(pd_line, color="#D6604D", linewidth=0.8, linestyle="--")
    ax.axhline(pr_line, color="#1B7837", linewidth=0.8, linestyle="--")
    handles = {}
    for lesion_id, lesion in readings.groupby("lesion_id", sort=True):
        group = lesion["site_group"].iloc[0]
        colour = site_colour(group)
        ax.plot(lesion["months"], lesion["pct_change"], color=colour, marker="o", markersize=3, linewidth=1.4)
        last = lesion.dropna(subset=["pct_change"]).tail(1)
        if len(last):
            ax.annotate(str(lesion_id), (last["months"].iloc[0], last["pct_change"].iloc[0]), xytext=(3, 0),
                        textcoords="offset points", fontsize=6, color=colour, va="center")
        handles.setdefault(group, Line2D([], [], color=colour, marker="o", markersize=3, label=site_label(group)))
    values = readings["pct_change"].dropna()
    low = min(-40.0, values.min() - 8) if len(values) else -40.0
    high = max(30.0, values.max() + 18) if len(values) else 30.0
    ax.set_ylim(max(low, -105.0), high)
    right = max(readings["months"].max() if len(readings) else 1.0, 1.0)
    ax.set_xlim(min(readings["months"].min() if len(readings) else 0.0, 0.0) - 0.3, right * 1.10 + 0.5)
    for _, evaluation in dr_evaluations.iterrows():
        colour, marker = DR_STYLES[evaluation["dr_type"]]
        ax.axvline(evaluation["months"], color=colour, linewidth=0.8, alpha=0.5)
        ax.plot(evaluation["months"], high, marker=marker, color=colour, markersize=6, clip_on=False)
        handles.setdefault(evaluation["dr_type"], Line2D([], [], color=colour, marker=marker, linestyle="",
                                                         label=evaluation["dr_type"]))
    ax.set_title(title, fontsize=8.5, loc="left")
    ax.set_xlabel("months from inclusion", fontsize=8)
    ax.set_ylabel("% change from baseline", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.25, linewidth=0.5)
    if handles:
        ax.legend(handles=list(handles.values()), fontsize=6.5, loc="best", frameon=True, framealpha=0.8,
                  handlelength=1.2, borderpad=0.3, labelspacing=0.2, ncol=2 if len(handles) > 3 else 1)
    return fig

