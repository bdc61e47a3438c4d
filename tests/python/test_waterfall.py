"""Waterfall figures: every bar drawn at its value (capped at +100 %), in its colour, at any size."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch

from analysis_py.outputs.figures.palette import RESPONSE_COLOURS, site_colour
from analysis_py.outputs.figures.waterfall import MAX_OUTLINED_BARS, lesion_waterfall_figure, patient_waterfall_figure


def _bars_by_colour(figure) -> dict[tuple, PathPatch]:
    return {patch.get_facecolor(): patch for patch in figure.axes[0].patches if isinstance(patch, PathPatch)}


def _rectangles(patch: PathPatch) -> np.ndarray:
    """(bars, 5 corners, x/y): lower left, upper left, upper right, lower right, back to the start."""
    return patch.get_path().vertices.reshape(-1, 5, 2)


def test_each_lesion_is_a_bar_at_its_best_change_in_its_site_colour_capped_at_100():
    best = pd.DataFrame({"best_pct_change": [150.0, 40.0, -35.0, -100.0],
                         "site_group": ["lung", "liver", "lung", "lymph_node"], "best_response": "SD"})
    bars = _bars_by_colour(lesion_waterfall_figure(best))
    assert set(bars) == {to_rgba(site_colour(g)) for g in ("lung", "liver", "lymph_node")}
    lung = _rectangles(bars[to_rgba(site_colour("lung"))])
    assert lung[:, 1, 1].tolist() == [100.0, -35.0]  # tops: 150 % is drawn at the cap
    assert lung[:, 0, 1].tolist() == [0.0, 0.0]
    assert lung[:, 0, 0] == pytest.approx([-0.425, 1.575]) and lung[:, 2, 0] == pytest.approx([0.425, 2.425])
    assert _rectangles(bars[to_rgba(site_colour("lymph_node"))])[:, 1, 1].tolist() == [-100.0]
    assert all(bar.get_edgecolor() == to_rgba("#333333") for bar in bars.values())


def test_more_bars_than_pixels_touch_and_have_no_outline_and_none_is_lost():
    n = MAX_OUTLINED_BARS + 1
    values = np.linspace(90, -90, n)
    best = pd.DataFrame({"patient_id": [f"P{i}" for i in range(n)], "best_sum_change": values,
                         "best_overall_response": np.where(values <= -30, "PR", np.where(values >= 20, "PD", "SD"))})
    bars = _bars_by_colour(patient_waterfall_figure(best))
    assert set(bars) == {to_rgba(RESPONSE_COLOURS[r]) for r in ("PR", "SD", "PD")}
    rectangles = np.concatenate([_rectangles(bar) for bar in bars.values()])
    assert len(rectangles) == n
    assert sorted(rectangles[:, 1, 1]) == pytest.approx(sorted(values))
    assert (rectangles[:, 2, 0] - rectangles[:, 1, 0]) == pytest.approx(np.ones(n))
    assert all(bar.get_edgecolor()[3] == 0 for bar in bars.values())
