"""`lesionwise robustness`: draws without error reproduce the marts, a seed gives the same
bytes, and the error model has the spread it claims on a hand-made cohort."""
from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from analysis_py.cli import app
from analysis_py.outputs.robustness_folder import write_robustness
from analysis_py.warehouse.robustness import DATABASE_NAME, ErrorModel, run_draws
from conftest import build_marts


def query(work_db: Path, marts_db: Path, sql: str) -> list[tuple]:
    """`sql` on the draws' file with the marts attached as the models see them."""
    with duckdb.connect(str(work_db), read_only=True) as con:
        con.execute(f"attach '{marts_db}' as marts (read_only)")
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def no_error_draws(contract_sample_db, tmp_path_factory) -> Path:
    work_db = tmp_path_factory.mktemp("no-error") / DATABASE_NAME
    run_draws(contract_sample_db, work_db, ErrorModel(draws=3, cv=0.0, floor_mm=0.0))
    return work_db


def test_no_error_reproduces_every_lesion_reading_nadir_and_response(no_error_draws, contract_sample_db):
    differing = query(no_error_draws, contract_sample_db, """
        with observed as (
            select *, dense_rank() over (order by patient_id, lesion_id) as lesion_key
            from marts.main.fct_lesion_measurements
        )
        select count(*) filter (where drawn.diameter_mm is distinct from observed.diameter_mm
                                   or drawn.baseline_mm is distinct from observed.baseline_mm
                                   or drawn.nadir_mm is distinct from observed.nadir_mm
                                   or drawn.lesion_response is distinct from observed.lesion_response),
               count(*), count(distinct drawn.draw)
        from int_robustness_lesions_redrawn as drawn
        inner join observed using (lesion_key, assessment_date)""")
    n_rows = query(no_error_draws, contract_sample_db, "select count(*) from marts.main.fct_lesion_measurements")
    assert differing == [(0, 3 * n_rows[0][0], 3)]


def test_no_error_keeps_every_evaluation_and_patient(no_error_draws, contract_sample_db):
    evaluations = query(no_error_draws, contract_sample_db, """
        select count(*), min(share_same_overall_response), min(share_same_dr_type), min(n_draws)
        from robustness_evaluations""")
    patients = query(no_error_draws, contract_sample_db, """
        select count(*), min(share_same_best_overall_response), min(share_same_dr_type)
        from robustness_patients""")
    marts = query(no_error_draws, contract_sample_db, """
        select (select count(*) from marts.main.fct_evaluations),
               (select count(*) from marts.main.dim_patients where eligible)""")
    assert evaluations == [(marts[0][0], 1, 1, 3)]
    assert patients == [(marts[0][1], 1, 1)]


def test_no_error_cohort_range_is_the_observed_share(no_error_draws, contract_sample_db):
    cohort = query(no_error_draws, contract_sample_db, """
        select measure, observed_share, share_p2_5, share_p97_5 from robustness_cohort order by measure""")
    observed = query(no_error_draws, contract_sample_db, """
        select count(*) filter (where dr_type is not null), count(*) filter (where dr_type = 'DR2'),
               count(*) filter (where objective_response), count(*)
        from marts.main.dim_patients where eligible""")[0]
    assert [measure for measure, *_ in cohort] == ["dr1", "dr2", "dr3", "dr_any", "orr"]
    assert all(share == low == high for _, share, low, high in cohort)
    shares = {measure: float(share) for measure, share, *_ in cohort}
    assert shares["dr_any"] == pytest.approx(observed[0] / observed[3], abs=5e-5)
    assert shares["dr2"] == pytest.approx(observed[1] / observed[3], abs=5e-5)
    assert shares["orr"] == pytest.approx(observed[2] / observed[3], abs=5e-5)


def test_a_seed_gives_the_same_bytes_and_another_seed_other_draws(contract_sample_db, tmp_path):
    def outputs(folder: str, seed: int) -> dict[str, bytes]:
        write_robustness(contract_sample_db, tmp_path / folder, ErrorModel(draws=20, seed=seed))
        return {path.name: path.read_bytes() for path in sorted((tmp_path / folder).glob("*.csv"))}
    first, again, other = outputs("a", 7), outputs("b", 7), outputs("c", 8)
    assert len(first) == 4
    assert first == again
    assert first["robustness_cohort_draws.csv"] != other["robustness_cohort_draws.csv"]


# One patient, three lung target lesions read the same at baseline and at one follow-up: two
# of 50 mm and one of 5 mm (below floor / cv = 12.5 mm, so the floor sets its error).
HAND_FILES = {
    "patients.csv": "patient_id,inclusion_date\nP1,2024-01-10\n",
    "lesions.csv": "patient_id,lesion_id,role,site\nP1,A,target,Lung\nP1,B,target,Lung\nP1,S,target,Lung\n",
    "measurements.csv": "patient_id,lesion_id,assessment_date,diameter_mm\n"
                        + "".join(f"P1,{lesion},{date},{mm}\n" for date in ("2024-01-05", "2024-03-05")
                                  for lesion, mm in (("A", 50), ("B", 50), ("S", 5))),
}
DRAWS = 4000


@pytest.fixture(scope="module")
def hand_draws(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("hand")
    (folder / "input").mkdir()
    for name, text in HAND_FILES.items():
        (folder / "input" / name).write_text(text)
    marts_db = build_marts(folder / "input", folder / "hand.duckdb")
    work_db = folder / DATABASE_NAME
    run_draws(marts_db, work_db, ErrorModel(draws=DRAWS, cv=0.08, floor_mm=1.0, seed=3))
    return work_db, marts_db


def log_ratio_moments(hand_draws, lesion_key: int, column: str, observed_mm: float) -> tuple[float, float]:
    return query(*hand_draws, f"""
        select avg(ln({column} / {observed_mm})), stddev_samp(ln({column} / {observed_mm}))
        from int_robustness_lesions_redrawn where lesion_key = {lesion_key}""")[0]


def test_a_large_reading_is_log_normal_with_median_the_reading_and_the_cv(hand_draws):
    # CV 0.08: log-scale SD sqrt(ln(1 + 0.08^2)) = 0.07988; SE of the mean 0.0013, of the SD 0.0009
    mean, sd = log_ratio_moments(hand_draws, 1, "diameter_mm", 50)
    assert mean == pytest.approx(0, abs=0.005)
    assert sd == pytest.approx(math.sqrt(math.log(1 + 0.08 ** 2)), abs=0.004)


def test_a_small_reading_has_the_floor_as_its_error(hand_draws):
    # 5 mm, floor 1 mm: CV 1 / 5 = 0.2, log-scale SD sqrt(ln(1.04)) = 0.19804 (SE 0.0022)
    _, sd = log_ratio_moments(hand_draws, 3, "baseline_mm", 5)
    assert sd == pytest.approx(math.sqrt(math.log(1.04)), abs=0.009)


def test_a_stable_lesion_is_called_pd_as_often_as_the_error_model_says(hand_draws):
    # PD at the follow-up when A' / A_baseline' >= 1.2 (the +5 mm holds at 50 mm): the log
    # ratio is normal with SD 0.07988 x sqrt(2), so P = 1 - Phi(ln 1.2 / 0.11297) = 1 - Phi(1.6139)
    # = 0.0533; PR (ratio <= 0.7, z <= -3.157) in 0.0008. SE over 4,000 draws 0.0036.
    shares = dict(query(*hand_draws, """
        select lesion_response, count(*) / 4000 from int_robustness_lesions_redrawn
        where lesion_key = 1 group by lesion_response"""))
    assert shares["PD"] == pytest.approx(0.0533, abs=0.012)
    assert shares.get("PR", 0) < 0.004
    assert shares["SD"] == pytest.approx(1 - 0.0533 - 0.0008, abs=0.012)


def test_a_missing_database_or_a_negative_cv_is_one_line_naming_the_fix(tmp_path):
    missing = CliRunner().invoke(app, ["robustness", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert missing.exit_code == 1
    assert "no DuckDB file at" in missing.output and "make build" in missing.output
    (tmp_path / "x.duckdb").touch()
    negative = CliRunner().invoke(app, ["robustness", "--db", str(tmp_path / "x.duckdb"), "--cv", "-0.1",
                                        "--out", str(tmp_path)])
    assert negative.exit_code == 1 and "cannot be negative" in negative.output
