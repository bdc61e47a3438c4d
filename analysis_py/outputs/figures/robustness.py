"""The robustness figure (`lesionwise robustness`, docs/robustness.md): the cohort's DR and ORR
over the draws, and per patient how often the observed DR type is kept."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from analysis_py.outputs.figures.palette import DR_STYLES

MEASURE_LABELS = {"dr_any": "any DR", "dr1": "DR1", "dr2": "DR2", "dr3": "DR3", "orr": "ORR"}


def robustness_figure(draws: pd.DataFrame, cohort: pd.DataFrame, patients: pd.DataFrame) -> Figure:
    """Left: each cohort measure over the draws (box: quartiles, whiskers: 2.5-97.5 %) and as
    observed (dot). Right: per observed DR type, how often the patient's type is kept."""
    figure = Figure(figsize=(11, 4.5), layout="constrained")
    left, right = figure.subplots(1, 2)
    measures = list(MEASURE_LABELS)
    shares = [100 * draws.loc[draws["measure"] == m, "share"].astype(float) for m in measures]
    left.boxplot(shares, whis=(2.5, 97.5), showfliers=False, tick_labels=[MEASURE_LABELS[m] for m in measures])
    observed = cohort.set_index("measure")["observed_share"].astype(float)
    left.plot(range(1, len(measures) + 1), [100 * observed[m] for m in measures], "o", color="black",
              label="observed")
    left.set_ylabel("% of eligible patients")
    left.set_title(f"Cohort over {int(cohort['n_draws'].iloc[0])} draws")
    left.legend(loc="upper right")
    groups = [("no DR", patients["dr_type"].isna())] + [(dr, patients["dr_type"] == dr) for dr in DR_STYLES]
    kept = [100 * patients.loc[mask, "share_same_dr_type"].astype(float) for _, mask in groups]
    right.boxplot(kept, showfliers=True, tick_labels=[f"{label}\n(n={int(mask.sum())})" for label, mask in groups])
    right.set_ylabel("% of draws keeping the observed DR type")
    right.set_ylim(-2, 102)
    right.set_title("Per patient, by observed DR type")
    return figure
