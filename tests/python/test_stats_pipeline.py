"""`lesionwise stats` from marts: the R reference data laid out as marts, user errors, unfit models."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis_py.study import predictors
from analysis_py.warehouse.record import input_files, now, record_row, write_record
from analysis_py.cli import app
from analysis_py.warehouse.marts import read_marts
from analysis_py.errors import UserError
from analysis_py.study.repeated_measures import gee, glmm
from analysis_py.outputs.stats_folder import write_stats
from conftest import CONTRACT_SAMPLE

REF = Path(__file__).resolve().parents[1] / "data" / "stats-reference"
OUTPUTS = ["cohort_flow.csv", "table1_patients.csv", "table2_best_response.csv", "best_response_by_site.csv",
           "dr_prevalence.csv", "survival.csv", "response_predictors.csv", "dr_predictors.csv",
           "km_os.png", "km_pfs.png", "manifest.json"]  # manifest.json: the build the tables came from


def reference_marts() -> dict[str, pd.DataFrame]:
    """The stats-reference cohort in the shape of the contract's marts."""
    readings = pd.read_csv(REF / "lesion_measurements.csv")
    evaluations = pd.read_csv(REF / "evaluations.csv")
    patients = pd.read_csv(REF / "patients.csv")
    lesions = readings.groupby(["patient_id", "lesion_id"], as_index=False).agg(
        lymph_node=("lymph_node", "first"), prior_radiotherapy=("irradiated", "first"),
        radiotherapy_timing=("radiotherapy_timing", "first"), prior_biopsy=("biopsied", "first"),
        responded=("response", "max"))
    lesions = lesions.assign(
        site_group=np.where(lesions["lymph_node"] == 1, "lymph_node", "lung"),
        best_response=np.where(lesions["responded"] == 1, "PR", "SD"),
        **{c: lesions[c].astype(bool) for c in ("lymph_node", "prior_radiotherapy", "prior_biopsy")})
    dim_patients = patients.assign(
        eligible=True, exclusion_reason=None, best_overall_response="SD", objective_response=False,
        sex="F", age=60, primary_tumor="Lung", prior_lines=1, regimen="anti-PD-1", months_metastatic_to_ici=12.0,
        n_prior_radiotherapy_primary=0, n_prior_radiotherapy_metastasis=patients["has_irradiated_tl"],
        any_recent_radiotherapy=False,
        **{c: patients[c].astype(bool) for c in ("has_lymph_node_tl", "has_irradiated_tl", "has_biopsied_tl")},
        dr_type=patients["dr_type"].where(patients["dr_any"] == 1))
    measurements = readings.rename(columns={"eval_num": "evaluation_number"})
    fct_evaluations = evaluations.merge(readings[["evaluation_id", "assessment_date"]].drop_duplicates()) \
        .rename(columns={"eval_num": "evaluation_number"}).drop(columns=["has_lymph_node_tl", "has_irradiated_tl",
                                                                        "has_biopsied_tl", "dr"])
    flow = pd.DataFrame({"reason": ["screening_failure", "eligible"], "n_patients": [20, 100]})
    return {"dim_patients": dim_patients, "dim_target_lesions": lesions, "fct_lesion_measurements": measurements,
            "fct_evaluations": fct_evaluations, "cohort_flow": flow}


@pytest.fixture(scope="module")
def reference_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("marts") / "reference.duckdb"
    with duckdb.connect(str(path)) as con:
        for name, frame in reference_marts().items():
            con.register("frame", frame)
            con.execute(f"create table {name} as select * from frame")
            con.unregister("frame")
        write_record(con, record_row(now(), CONTRACT_SAMPLE / "input", "duckdb", {}), input_files(CONTRACT_SAMPLE / "input"))
    return path


@pytest.fixture(scope="module")
def stats_run(reference_db, tmp_path_factory) -> tuple[Path, list[str]]:
    """The output folder of `write_stats` on the reference marts, and its progress messages."""
    out = tmp_path_factory.mktemp("stats")
    messages: list[str] = []
    write_stats(reference_db, out, progress=messages.append)
    return out, messages


@pytest.fixture(scope="module")
def outputs(stats_run) -> Path:
    return stats_run[0]


def test_every_output_is_written(outputs):
    assert sorted(p.name for p in outputs.iterdir()) == sorted(OUTPUTS)


def test_the_study_model_in_the_table_is_lme4s_fit(outputs):
    """response_predictors.csv carries R's glmm_nested_laplace odds ratios and p-values."""
    table = pd.read_csv(outputs / "response_predictors.csv")
    r = pd.read_csv(REF / "results_r.csv").query("model == 'glmm_nested_laplace'").set_index("term")
    rows = table[(table["method"] == "glmm_laplace") & (table["structure"] == "nested")].set_index("factor")
    for ours, theirs in (("lymph_node", "lymph_node"), ("prior_radiotherapy", "irradiated"), ("prior_biopsy", "biopsied")):
        assert np.log(rows.loc[ours, "odds_ratio"]) == pytest.approx(r.loc[theirs, "estimate"], abs=1e-4)
        assert rows.loc[ours, "p_value"] == pytest.approx(r.loc[theirs, "p"], abs=1e-4)
        assert rows.loc[ours, "n_obs"] == 902 and rows.loc[ours, "n_clusters"] == 100
        assert rows.loc[ours, "role"] == "primary" and bool(rows.loc[ours, "converged"])


R_MODELS = [  # table, (method, structure), R model, R variance components (our column: R term)
    ("response_predictors", ("glmm_laplace", "nested"), "glmm_nested_laplace",
     {"sd_patient": "sd_patient", "sd_evaluation": "sd_evaluation"}),
    ("response_predictors", ("glmm_laplace", "ar1"), "glmmtmb_ar1_evaluation",
     {"sd_evaluation": "sd_ar1", "rho_evaluation": "rho_lag1"}),
    ("response_predictors", ("gee", "exchangeable"), "gee_exch_patient", {}),
    ("response_predictors", ("gee", "nested"), "gee_nested", {}),
    ("response_predictors", ("gee", "ar1"), "gee_ar1_lesion_patientcluster", {}),
    ("dr_predictors", ("glmm_laplace", "patient"), "glmm_patient_laplace_dr", {"sd_patient": "sd_patient"}),
    ("dr_predictors", ("gee", "exchangeable"), "gee_exch_patient_dr", {}),
    ("dr_predictors", ("gee", "ar1"), "gee_ar1_patient_dr", {}),
]
R_TERMS = {"prior_radiotherapy": "irradiated", "prior_biopsy": "biopsied"}


@pytest.mark.parametrize("table_name, model, r_model, components", R_MODELS)
def test_every_model_row_agrees_with_r(outputs, table_name, model, r_model, components):
    """Each model row of the written tables, the AR(1) GLMM sensitivity row included: log odds
    ratio, p-value and variance components as R's within 1e-4."""
    table = pd.read_csv(outputs / f"{table_name}.csv")
    r = pd.read_csv(REF / "results_r.csv").query("model == @r_model").set_index("term")
    rows = table[(table["method"] == model[0]) & (table["structure"] == model[1])
                 & ~table["factor"].isin(predictors.TIMING_MODEL)].set_index("factor")
    assert len(rows) == 3 and rows["converged"].all()
    for factor, row in rows.iterrows():
        theirs = r.loc[R_TERMS.get(factor, factor)]
        assert np.log(row["odds_ratio"]) == pytest.approx(theirs["estimate"], abs=1e-4), factor
        assert row["p_value"] == pytest.approx(theirs["p"], abs=1e-4), factor
        for ours, term in components.items():
            assert row[ours] == pytest.approx(r.loc[term, "estimate"], abs=1e-4), (factor, ours)


def test_model_rows_name_their_role_and_singular_fits(outputs):
    table = pd.read_csv(outputs / "response_predictors.csv")
    glmms = table[(table["method"] == "glmm_laplace") & (table["level"] == "measurement")]
    assert glmms.groupby("structure")["role"].unique().map(list).to_dict() == {
        "nested": ["primary"], "ar1": ["sensitivity"]}
    assert not glmms["singular_fit"].astype(bool).any()
    assert table.loc[table["method"] == "gee", ["sd_patient", "singular_fit"]].isna().all().all()


def test_dr_table_carries_the_patient_glmm_and_fisher(outputs):
    table = pd.read_csv(outputs / "dr_predictors.csv")
    r = pd.read_csv(REF / "results_r.csv")
    glmm_row = table[(table["method"] == "glmm_laplace") & (table["factor"] == "has_biopsied_tl")].iloc[0]
    expected = r[(r["model"] == "glmm_patient_laplace_dr") & (r["term"] == "has_biopsied_tl")].iloc[0]
    assert glmm_row["p_value"] == pytest.approx(expected["p"], abs=1e-4)
    fisher = table[(table["method"] == "fisher_exact") & (table["factor"] == "has_lymph_node_tl")].iloc[0]
    expected = r[(r["model"] == "test:dr_by_lymph_node_patient") & (r["term"] == "fisher_p")].iloc[0]
    assert fisher["p_value"] == pytest.approx(expected["estimate"], abs=1e-8)


def test_survival_table_states_median_ci_and_method(outputs):
    table = pd.read_csv(outputs / "survival.csv").set_index("endpoint")
    assert table.loc["PFS", "median_months"] == pytest.approx(4.45175, abs=1e-6)
    assert (table.loc["PFS", "ci_low"], table.loc["PFS", "ci_high"]) == pytest.approx((2.7269, 5.5195), abs=1e-6)
    assert table.loc["OS", "n"] == 100 and table["ci_method"].eq("log-log").all()


def test_dr_prevalence_counts(outputs):
    table = pd.read_csv(outputs / "dr_prevalence.csv").set_index(["level", "dr_type"])
    patients = pd.read_csv(REF / "patients.csv")
    evaluations = pd.read_csv(REF / "evaluations.csv")
    assert table.loc[("patient", "any"), "n"] == patients["dr_any"].sum()
    assert table.loc[("evaluation", "any"), "n"] == evaluations["dr"].sum()
    assert table.loc[("evaluation", "DR2"), "n"] == (evaluations["dr_type"] == "DR2").sum()


def test_progress_names_each_model_and_its_data_before_fitting_it(stats_run, reference_db):
    _, messages = stats_run
    main = "response ~ lymph_node + prior_radiotherapy + prior_biopsy on 902 readings of 100 patients"
    timing = "response ~ rt_recent + rt_remote on 902 readings of 100 patients"
    dr = "dr ~ has_lymph_node_tl + has_irradiated_tl + has_biopsied_tl on 343 evaluations of 100 patients"
    reading_models = ["nested GLMM", "AR(1) GLMM", "exchangeable GEE", "nested GEE", "AR(1) GEE"]
    assert messages == [
        f"marts read from {reference_db}",
        "descriptive tables and survival done",
        *[f"fitting the {model}: {main}" for model in reading_models],
        *[f"fitting the {model}: {timing}" for model in reading_models],
        *[f"fitting the {model}: {dr}" for model in ["patient GLMM", "exchangeable GEE", "AR(1) GEE"]],
        "models done",
    ]


def test_the_command_line_prints_progress_after_the_seconds_elapsed(reference_db, tmp_path):
    loud = CliRunner().invoke(app, ["stats", "--db", str(reference_db), "--out", str(tmp_path / "a")])
    progress = [line for line in loud.output.splitlines() if line.startswith("[")]
    assert loud.exit_code == 0 and len(progress) == 16
    assert all(re.fullmatch(r"\[ *\d+\.\d s\] \S.*", line) for line in progress)
    assert progress[0].endswith(f"] marts read from {reference_db}") and progress[-1].endswith("] models done")
    quiet = CliRunner().invoke(app, ["stats", "--db", str(reference_db), "--out", str(tmp_path / "b"), "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""


def _reading_glmm_roles(monkeypatch, nested_converges: bool) -> tuple[pd.DataFrame, list[str]]:
    def nested_maybe_converges(data, outcome, covariates, structure):
        fit = glmm(data, outcome, covariates, structure)
        return fit if nested_converges or structure != "nested" else fit.assign(converged=False)
    monkeypatch.setattr(predictors, "glmm", nested_maybe_converges)
    messages: list[str] = []
    fits = predictors._reading_models(_series(n_patients=60, seed=2).assign(lesion_key=lambda d: d["lesion_id"]),
                                      ["exposed"], messages.append)
    glmms = fits[(fits["term"] == "exposed") & (fits["method"] == "glmm_laplace")].set_index("structure")
    return glmms, messages


def test_a_nested_glmm_that_does_not_converge_gives_way_to_the_ar1_glmm(monkeypatch):
    fixed, messages = _reading_glmm_roles(monkeypatch, nested_converges=False)
    assert fixed["role"].to_dict() == {"nested": "not used: did not converge", "ar1": "primary (fallback)"}
    assert bool(fixed.loc["ar1", "converged"]) and not fixed.loc["nested", "converged"]
    assert "the nested GLMM did not converge; the ar1 GLMM is used instead" in messages


def test_the_ar1_glmm_is_always_fitted_beside_the_nested_one(monkeypatch):
    fixed, messages = _reading_glmm_roles(monkeypatch, nested_converges=True)
    assert fixed["role"].to_dict() == {"nested": "primary", "ar1": "sensitivity"}
    assert fixed.loc["ar1", "sd_evaluation"] > 0 and -1 < fixed.loc["ar1", "rho_evaluation"] < 1
    assert not any("did not converge" in m for m in messages)


def test_missing_db_is_one_line_saying_make_build(tmp_path):
    result = CliRunner().invoke(app, ["stats", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "make build" in result.output and result.output.strip().count("\n") == 0
    assert "Traceback" not in result.output


def test_missing_mart_is_named(tmp_path):
    path = tmp_path / "partial.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table dim_patients as select 1 as patient_id")
    with pytest.raises(UserError, match="fct_evaluations.*make build"):
        read_marts(path)


def test_marts_are_read_from_parquet_folders_too(reference_db, tmp_path):
    with duckdb.connect(str(reference_db), read_only=True) as con:
        for table in ("cohort_flow", "build_record"):
            con.execute(f"copy {table} to '{tmp_path / table}.parquet' (format parquet)")
    flow = read_marts(tmp_path, ("cohort_flow",))["cohort_flow"]
    # rows sorted by every column, whatever order the file holds them in
    assert flow["reason"].tolist() == ["eligible", "screening_failure"]
    assert flow["n_patients"].tolist() == [100, 20]


def _series(n_patients=30, seed=1, constant_within_lesion=False, patient_sd=0.0):
    """Readings of 2 lesions x 6 evaluations per patient; exposure per lesion."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_patients):
        shift = rng.normal(0, patient_sd)
        for lesion in range(2):
            exposed = int(rng.random() < 0.5)
            base = rng.random() < 0.4
            for e in range(1, 7):
                response = base if constant_within_lesion else rng.random() < 1 / (1 + np.exp(0.8 - exposed - shift))
                rows.append({"patient_id": f"P{p}", "lesion_id": f"P{p}-L{lesion}", "evaluation_id": f"P{p}-E{e}",
                             "eval_num": e, "exposed": exposed, "response": int(response)})
    return pd.DataFrame(rows)


def test_empty_cell_gives_a_row_saying_so():
    data = _series()
    data.loc[data["exposed"] == 1, "response"] = 0
    for fit in (glmm(data, "response", ["exposed"], "nested"), gee(data, "response", ["exposed"], "exchangeable")):
        row = fit.set_index("term").loc["exposed"]
        assert not row["converged"] and "empty cell" in row["note"] and np.isnan(row["estimate"])


def test_too_few_patients_gives_a_row_saying_so():
    row = glmm(_series(n_patients=4), "response", ["exposed"], "nested").set_index("term").loc["exposed"]
    assert not row["converged"] and "4 patients" in row["note"]


def test_lesions_that_never_change_make_the_ar1_working_correlation_invalid():
    fit = gee(_series(constant_within_lesion=True), "response", ["exposed"], "ar1")
    row = fit.set_index("term").loc["exposed"]
    assert not row["converged"] and "invalid working correlation" in row["note"]


def test_glmm_recovers_a_real_effect_and_patient_variance():
    fit = glmm(_series(n_patients=300, seed=3, patient_sd=1.0), "response", ["exposed"], "nested").set_index("term")
    assert fit.loc["exposed", "converged"] and 1.8 < fit.loc["exposed", "odds_ratio"] < 4.5
    assert 0.6 < fit.loc["sd_patient", "estimate"] < 1.4


def test_a_variance_estimated_at_zero_is_a_singular_fit_not_a_failure():
    fit = glmm(_series(n_patients=200, seed=3), "response", ["exposed"], "nested").set_index("term")
    assert fit.loc["exposed", "converged"] and "singular fit" in fit.loc["exposed", "note"]
    assert fit.loc["exposed", "p_value"] < 1e-6 and fit.loc["sd_evaluation", "estimate"] < 1e-3


def test_radiotherapy_timing_rows_compare_with_the_never_irradiated(outputs):
    readings = pd.read_csv(REF / "lesion_measurements.csv").query("lesion_response != 'NE'")
    never = 100 * readings.loc[readings["radiotherapy_timing"] == "never", "response"].mean()
    table = pd.read_csv(outputs / "response_predictors.csv").query("level == 'measurement'")
    timing = table[table["factor"].isin(["rt_recent", "rt_remote"])]
    assert len(timing) == 10 and timing["rate_unexposed"].tolist() == pytest.approx([never] * 10, abs=1e-12)
    recent = 100 * readings.loc[readings["radiotherapy_timing"] == "recent", "response"].mean()
    assert timing.loc[timing["factor"] == "rt_recent", "rate_exposed"].tolist() == pytest.approx([recent] * 5)


@pytest.mark.parametrize("command", ["stats", "report"])
def test_no_eligible_patient_is_one_line_saying_there_is_nothing_to_model(tmp_path, command):
    path = tmp_path / "none_eligible.duckdb"
    with duckdb.connect(str(path)) as con:
        for name, frame in reference_marts().items():
            con.register("frame", frame.assign(eligible=False) if name == "dim_patients" else frame)
            con.execute(f"create table {name} as select * from frame")
            con.unregister("frame")
        write_record(con, record_row(now(), CONTRACT_SAMPLE / "input", "duckdb", {}), input_files(CONTRACT_SAMPLE / "input"))
    result = CliRunner().invoke(app, [command, "--db", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0 and "no eligible patients" in result.output
    assert "nothing to model" in result.output


def test_people_read_rounded_numbers():
    from analysis_py.outputs.numbers import months_text, odds_ratio_text, p_text, percent_text
    assert [p_text(p) for p in (0.6, 0.0123, 0.0009, 1.0, 0.05)] == ["0.60", "0.012", "< 0.001", "1.0", "0.050"]
    assert odds_ratio_text(0.5234, 0.301, 0.9) == "0.52 (0.30-0.90)" and odds_ratio_text(float("nan")) == ""
    assert percent_text(29.4) == "29 %" and percent_text(float("nan")) == ""
    assert months_text(float("nan")) == "not reached" and months_text(13.44) == "13.4"


def test_the_summary_names_the_model_flags_a_singular_fit_and_a_sensitivity_model_pointing_the_other_way():
    from analysis_py.outputs.terminal import model_lines
    base = {"level": "measurement", "factor": "prior_biopsy", "comparison": "prior biopsy vs none",
            "converged": True, "note": "", "sd_patient": 8.6, "sd_evaluation": 0.00034}
    table = pd.DataFrame([
        base | {"method": "glmm_laplace", "structure": "nested", "role": "primary", "odds_ratio": 3.58,
                "p_value": 0.0044, "singular_fit": True},
        base | {"method": "glmm_laplace", "structure": "ar1", "role": "sensitivity", "odds_ratio": 3.6,
                "p_value": 0.0044, "singular_fit": False},
        base | {"method": "gee", "structure": "exchangeable", "role": "sensitivity", "odds_ratio": 0.8,
                "p_value": 0.5, "singular_fit": None},
    ])
    assert model_lines(table) == [
        "measurement: prior biopsy vs none: OR 3.58, p = 0.0044 (nested GLMM; singular fit (patient SD 8.6, "
        "evaluation SD 0.00034)); other direction in: exchangeable GEE OR 0.80"]
