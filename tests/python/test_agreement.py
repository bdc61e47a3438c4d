"""Agreement statistics against values computed by hand (and statsmodels' kappa SE)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa as statsmodels_kappa

from analysis_py.study.agreement import (bland_altman, cohen_kappa, discordance, icc_2_1, implied_cv, reader_agreement,
                                   wilson_interval)

# 50 pairs: 20 R/R, 5 R/N, 10 N/R, 15 N/N. po = 0.7, margins (0.5, 0.5) and (0.6, 0.4), pe = 0.5,
# kappa = 0.4; FCE variance (0.04624 + 0.06348 + 0.36 x 0.283 - 0.01) / (50 x 0.25) = 0.016128.
FIRST = pd.Series(["R"] * 25 + ["N"] * 25)
SECOND = pd.Series(["R"] * 20 + ["N"] * 5 + ["R"] * 10 + ["N"] * 15)


def test_kappa_and_its_ci_by_hand():
    result = cohen_kappa(FIRST, SECOND)
    assert result.n == 50
    assert result.estimate == pytest.approx(0.4)
    assert (result.upper - result.estimate) / 1.959964 == pytest.approx(np.sqrt(0.016128), rel=1e-6)
    assert (result.lower, result.upper) == pytest.approx((0.15109, 0.64891), abs=1e-5)


def test_kappa_se_is_statsmodels_fleiss_cohen_everitt():
    reference = statsmodels_kappa(pd.crosstab(FIRST, SECOND).to_numpy())
    result = cohen_kappa(FIRST, SECOND)
    assert result.estimate == pytest.approx(reference.kappa)
    assert (result.lower, result.upper) == pytest.approx((reference.kappa_low, reference.kappa_upp))


def test_kappa_of_a_category_one_reader_never_uses():
    # pairs (CR, CR), (PR, SD), (SD, SD): po 2/3; margins CR 1/3 1/3, PR 1/3 0, SD 1/3 2/3;
    # pe = 1/9 + 2/9 = 1/3; kappa = (2/3 - 1/3) / (2/3) = 0.5
    assert cohen_kappa(pd.Series(["CR", "PR", "SD"]), pd.Series(["CR", "SD", "SD"])).estimate == pytest.approx(0.5)


def test_kappa_is_undefined_when_both_readers_use_one_category():
    assert np.isnan(cohen_kappa(pd.Series(["SD", "SD"]), pd.Series(["SD", "SD"])).estimate)


def test_icc_2_1_of_shrout_and_fleiss_table_2():
    # Shrout & Fleiss (1979), 6 targets x 4 judges: ICC(2,1) = 0.29 (MSR 11.24, MSC 32.49, MSE 1.02)
    ratings = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]])
    assert icc_2_1(ratings).estimate == pytest.approx(0.28976, abs=1e-5)


def test_icc_2_1_of_two_readers_by_hand():
    # rows (10, 12), (20, 18), (30, 33), grand mean 20.5; row means 11, 19, 31.5 -> SSR = 2 (90.25 + 2.25 + 121) = 427; col means 20, 21 -> SSC = 1.5;
    # SST = 110.25+72.25+0.25+6.25+90.25+156.25 = 435.5 -> SSE = 7; MSR 213.5, MSC 1.5, MSE 3.5
    # ICC = (213.5 - 3.5) / (213.5 + 3.5 + 2 (1.5 - 3.5) / 3) = 210 / 215.6667
    assert icc_2_1(pd.DataFrame({"a": [10, 20, 30], "b": [12, 18, 33]})).estimate == pytest.approx(210 / 215.6667, rel=1e-6)


def test_bland_altman_absolute_and_relative_by_hand():
    first, second = pd.Series([10.0, 20.0, 30.0]), pd.Series([12.0, 18.0, 33.0])
    # differences -2, 2, -3: bias -1, SD sqrt(7) = 2.64575, limits -1 -/+ 5.18558
    absolute = bland_altman(first, second)
    assert (absolute.n, absolute.estimate) == (3, -1.0)
    assert (absolute.lower, absolute.upper) == pytest.approx((-6.18558, 4.18558), abs=1e-5)
    # in % of the pair means 11, 19, 31.5: -18.1818, 10.5263, -9.5238 -> bias -5.72644
    relative = bland_altman(first, second, relative=True)
    assert relative.estimate == pytest.approx(-5.72644, abs=1e-5)
    sd = np.std([-200 / 11, 200 / 19, -300 / 31.5], ddof=1)
    assert (relative.lower, relative.upper) == pytest.approx((-5.72644 - 1.959964 * sd, -5.72644 + 1.959964 * sd), abs=1e-4)


def test_relative_bland_altman_leaves_out_pairs_whose_mean_is_zero():
    assert bland_altman(pd.Series([0.0, 10.0, 20.0]), pd.Series([0.0, 10.0, 10.0]), relative=True).n == 2


def test_implied_cv_by_hand():
    # log ratios ln(10/11) = -0.0953102, ln(20/20) = 0, ln(40/36) = 0.1053605 (the 0 pair left
    # out): mean 0.0033501; squared deviations 0.0097339, 0.0000112, 0.0104061: sample variance
    # 0.0100756; sigma^2 = 0.0050378, cv = sqrt(e^0.0050378 - 1) = 0.071067
    first, second = pd.Series([10.0, 20.0, 40.0, 0.0]), pd.Series([11.0, 20.0, 36.0, 5.0])
    assert implied_cv(first, second) == pytest.approx(np.sqrt(np.expm1(0.0100756 / 2)), rel=1e-4)
    assert implied_cv(first, second) == pytest.approx(0.07107, abs=1e-5)


def test_discordance_counts_a_missing_value_against_a_value_and_wilson_interval():
    result = discordance(pd.Series(["a", "b", None, None]), pd.Series(["a", "c", "d", None]))
    assert (result.n, result.estimate) == (4, 0.5)
    # Wilson 3 / 10: 0.1078, 0.6032
    assert wilson_interval(3, 10) == pytest.approx((0.10779, 0.60322), abs=1e-5)


def per_reader_marts() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Two readers, two patients. P1: A reads PR, PR (BOR PR, DR3), B reads SD, SD (SD, no DR);
    P2: A reads PD at d1, B SD at d1 and PD at d2 (both BOR PD, DR2)."""
    d1, d2 = pd.Timestamp("2024-03-01"), pd.Timestamp("2024-05-01")
    evaluations = pd.DataFrame(
        [(reader, patient, date, response, response, mm) for reader, patient, date, response, mm in [
            ("A", "P1", d1, "PR", 30.0), ("A", "P1", d2, "PR", 28.0), ("A", "P2", d1, "PD", 80.0),
            ("B", "P1", d1, "SD", 40.0), ("B", "P1", d2, "SD", 41.0), ("B", "P2", d1, "SD", 66.0),
            ("B", "P2", d2, "PD", 90.0)]],
        columns=["reader", "patient_id", "assessment_date", "target_response", "overall_response", "sum_mm"])
    measurements = pd.DataFrame(
        [("A", "P1", "L1", d1, 10.0, "PR"), ("B", "P1", "L1", d1, 12.0, "SD"),
         ("A", "P1", "L2", d1, 20.0, "PR"), ("B", "P1", "L2", d1, 18.0, "SD"),
         ("A", "P1", "L3", d1, 30.0, "SD"), ("B", "P1", "L3", d1, 33.0, "SD")],
        columns=["reader", "patient_id", "lesion_id", "assessment_date", "diameter_mm", "lesion_response"])
    patients = pd.DataFrame(
        [("A", "P1", True, "PR", "DR3"), ("B", "P1", True, "SD", None),
         ("A", "P2", True, "PD", "DR2"), ("B", "P2", True, "PD", "DR2")],
        columns=["reader", "patient_id", "eligible", "best_overall_response", "dr_type"])
    return measurements, evaluations, patients


def test_reader_agreement_table_of_two_readers_by_hand():
    table = reader_agreement(*per_reader_marts()).set_index(["measure", "statistic"])
    assert len(table) == 15
    assert set(table["reader_1"]) == {"A"} and set(table["reader_2"]) == {"B"}
    # overall response pairs (PR,SD) (PR,SD) (PD,SD): po 0; B reads only SD, A never: pe 0, kappa 0
    assert table.loc[("overall_response", "kappa"), "estimate"] == pytest.approx(0.0)
    assert table.loc[("overall_response", "kappa"), "n"] == 3
    assert table.loc[("diameter_mm", "bland_altman_mm"), "estimate"] == pytest.approx(-1.0)
    assert table.loc[("pd_declared", "discordance"), "estimate"] == 0.0
    assert table.loc[("pd_date", "discordance"), ["n", "estimate"]].tolist() == [1, 1.0]
    assert table.loc[("best_overall_response", "discordance"), "estimate"] == 0.5
    assert table.loc[("first_response_date", "discordance"), "n"] == 0
    # DR type: (DR3, none), (DR2, DR2): po 1/2, pe = 1/2 x 1/2 (DR2) = 1/4, kappa 1/3
    assert table.loc[("dr_type", "kappa"), "estimate"] == pytest.approx(1 / 3)


def test_reader_agreement_of_one_reader_is_empty():
    measurements, evaluations, patients = (table[table["reader"] == "A"] for table in per_reader_marts())
    assert reader_agreement(measurements, evaluations, patients).empty
