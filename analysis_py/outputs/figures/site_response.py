"""Best response of target lesions by site group (the seed study's Fig. 3)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_py.outputs.figures.palette import RESPONSE_COLOURS, site_label


def site_response_figure(by_site: pd.DataFrame) -> Figure:
    """Stacked bars of the share of target lesions by best response, per site group, with the
    response rate (CR + PR) and the number of lesions; `by_site` as study_tables.best_response_by_site."""
    table = by_site.iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(8, 0.9 + 0.42 * len(table)), dpi=100)
    fig.subplots_adjust(left=0.17, right=0.8, top=1 - 0.45 / (0.9 + 0.42 * len(table)),
                        bottom=0.55 / (0.9 + 0.42 * len(table)))
    ax = fig.add_subplot()
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for response, colour in RESPONSE_COLOURS.items():
        column = f"n_{response}"
        if column not in table or not table[column].any():
            continue
        share = 100 * table[column].to_numpy(float) / table["n_lesions"].to_numpy(float)
        ax.barh(y, share, left=left, color=colour, edgecolor="#444444", linewidth=0.4, label=response, height=0.7)
        left += share
    for yi, (_, row) in zip(y, table.iterrows()):
        ax.text(101.5, yi, f"{row['response_rate']:.0f} % response  (n = {int(row['n_lesions'])})",
                va="center", fontsize=8.5)
    ax.set_yticks(y, [site_label(s) for s in table["site_group"]], fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of target lesions (best response)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=8, ncol=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return fig
