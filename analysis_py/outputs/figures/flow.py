"""Flow chart of the cohort (the seed study's Fig. 2): screened, excluded by reason, eligible."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch


def _box(ax, x: float, y: float, w: float, h: float, text: str, bold_first: bool = True) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.005,rounding_size=0.015",
                                facecolor="#F4F6F8", edgecolor="#333333", linewidth=1))
    lines = text.split("\n")
    ax.text(x + 0.02, y + h - 0.03, lines[0], va="top", ha="left", fontsize=12,
            fontweight="bold" if bold_first else "normal")
    if len(lines) > 1:
        ax.text(x + 0.02, y + h - 0.085, "\n".join(lines[1:]), va="top", ha="left", fontsize=10.5, linespacing=1.4)


def flow_figure(flow: pd.DataFrame, n_trials: int | None, eligible_split: pd.Series) -> Figure:
    """`flow` as study_tables.cohort_flow gives (reason, n_patients; `eligible` last);
    `eligible_split` counts the eligible patients by regimen."""
    reasons = flow[flow["reason"] != "eligible"]
    n_eligible = int(flow.loc[flow["reason"] == "eligible", "n_patients"].sum())
    screened = int(flow["n_patients"].sum())
    fig = Figure(figsize=(7, 4.2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.axis("off")
    trials = f" in {n_trials} trials" if n_trials else ""
    _box(ax, 0.05, 0.78, 0.42, 0.17, f"Screened\n{screened} patients{trials}")
    excluded = "\n".join(f"{str(r).replace('_', ' ')}: {n}" for r, n in zip(reasons["reason"], reasons["n_patients"]))
    h_ex = min(0.12 + 0.052 * max(len(reasons), 1), 0.7)
    _box(ax, 0.53, 0.62 - h_ex / 2 + 0.05, 0.44, h_ex, f"Excluded: {int(reasons['n_patients'].sum())}\n{excluded}")
    split = "\n".join(f"{name}: {n}" for name, n in eligible_split.items())
    h_el = min(0.12 + 0.052 * max(len(eligible_split), 1), 0.55)
    _box(ax, 0.05, 0.05, 0.42, h_el, f"Eligible and analysed: {n_eligible}\n{split}")
    arrow = {"arrowstyle": "-|>", "color": "#333333", "linewidth": 1.2}
    ax.annotate("", xy=(0.26, 0.05 + h_el), xytext=(0.26, 0.78), arrowprops=arrow)
    ax.annotate("", xy=(0.53, 0.67), xytext=(0.26, 0.67), arrowprops=arrow)
    return fig
