"""The simulator's rules are the settings (the vars of dbt_project.yml), exact, and a changed
setting reaches the lesion trajectories, the demo's target sums and the generator."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

from analysis_py import project
from analysis_py.simulation import demo, generator, rules
from analysis_py.simulation.trajectories import MARGIN, draw_values, interval, pd_threshold, pr_limit


@pytest.fixture
def settings(monkeypatch):
    """`settings(name=value, ...)`: the simulator reads these vars as if dbt_project.yml gave them."""
    given = project.project_vars()

    def change(**values) -> None:
        monkeypatch.setattr(project, "project_vars", lambda: {**given, **values})
        importlib.reload(rules)

    yield change
    monkeypatch.undo()
    importlib.reload(rules)


def test_thresholds_are_the_settings_as_exact_fractions():
    assert rules.PR_MAX_RATIO == rules.setting("recist_pr_max_ratio")
    assert str(rules.setting("recist_pr_max_ratio")) == "7/10"
    assert pr_limit(90) == 63  # 90 x 0.7 = 63 exactly; the float 0.7 gives 62.99...


def test_a_changed_pd_ratio_moves_the_progression_boundary(settings):
    settings(recist_pd_min_ratio=1.25)
    assert pd_threshold(10000) == 12500
    assert not rules.progressed(12400, 10000) and rules.progressed(12500, 10000)
    assert interval("S", 10000, 10000, node=False, before_progression=False) == (7050, 12500 - MARGIN)
    assert draw_values("D", 10000, node=False, first_progression=0, rng=np.random.default_rng(0))[0] >= 12500 + MARGIN


def test_a_changed_pd_increase_moves_the_progression_boundary(settings):
    settings(recist_pd_min_increase_mm=7)
    assert pd_threshold(1000) == 1700


def test_a_changed_pr_ratio_moves_the_partial_response_of_lesions_and_sums(settings):
    targets = [demo.Lesion("L01", "target", "lung", "lung", baseline=5000, values=[3250]),
               demo.Lesion("L02", "target", "liver", "liver", baseline=5000, values=[3250])]
    assert demo.sums_follow(targets, ["PR"])
    settings(recist_pr_max_ratio=0.6)
    assert pr_limit(10000) == 6000
    assert not demo.sums_follow(targets, ["PR"]) and demo.sums_follow(targets, ["SD"])


def test_a_changed_node_threshold_moves_a_node_complete_response(settings):
    settings(recist_node_normal_mm=8)
    assert interval("C", 2000, 2000, node=True, before_progression=False)[1] == 750
    assert interval("P", 2000, 2000, node=True, before_progression=False)[0] == 800 + MARGIN


def smallest_valued_diameter(too_small_mm: float, settings) -> float:
    """The smallest diameter of a non-node reading with a value, in a generated chunk."""
    settings(recist_too_small_mm=too_small_mm)
    tables = generator.chunk_tables(0, 2000, 3, 4)
    lesions = tables["lesions.csv"]
    nodes = {(patient, lesion) for patient, lesion, site in zip(lesions[0], lesions[1], lesions[3])
             if "lymph node" in site}
    readings = zip(*tables["measurements.csv"][:2], tables["measurements.csv"][3])
    return min(float(diameter) for patient, lesion, diameter in readings if diameter and (patient, lesion) not in nodes)


def test_a_changed_too_small_value_reaches_the_generator(settings):
    assert smallest_valued_diameter(5, settings) >= 5
    assert 4 <= smallest_valued_diameter(4, settings) < 5
