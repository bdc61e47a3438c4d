"""`lesionwise stats`: every table and figure of the seed study from the marts, written to a folder."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

# Multi-threaded BLAS on the models' thin matrices is slower than one thread, and far slower
# on a busy machine; effective when this module is the first to load numpy (the CLI).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis_py.study import tables as study_tables  # noqa: E402
from analysis_py.warehouse.marts import read_marts  # noqa: E402
from analysis_py.study.dr_definitions import dr_definition_tables  # noqa: E402
from analysis_py.errors import UserError  # noqa: E402
from analysis_py.outputs.figures.km import km_figure  # noqa: E402
from analysis_py.outputs.terminal import model_lines  # noqa: E402
from analysis_py.outputs.numbers import months_text, percent_text  # noqa: E402
from analysis_py.study.predictors import dr_predictors, response_predictors  # noqa: E402
from analysis_py.study.readers import reader_tables  # noqa: E402
from analysis_py.study.survival import km_curve, km_summary  # noqa: E402

ENDPOINTS = {"OS": ("os_months", "os_event"), "PFS": ("pfs_months", "pfs_event")}
CI_METHOD = "log-log"  # pointwise 95 % CI of S(t) and of the median (SAS's default; R: conf.type)


def study_results(marts: dict[str, pd.DataFrame], progress: Callable[[str], None]) -> dict[str, pd.DataFrame]:
    """Every table of the study (descriptive, survival, predictors) from the marts."""
    patients, lesions = marts["dim_patients"], marts["dim_target_lesions"]
    measurements, evaluations = marts["fct_lesion_measurements"], marts["fct_evaluations"]
    cohort = study_tables.eligible(patients)
    tables = {
        "cohort_flow": study_tables.cohort_flow(marts["cohort_flow"]),
        "table1_patients": study_tables.table1_patients(patients, lesions),
        "table2_best_response": study_tables.table2_best_response(patients, lesions, measurements),
        "best_response_by_site": study_tables.best_response_by_site(lesions),
        "dr_prevalence": study_tables.dr_prevalence(patients, evaluations, measurements, lesions),
        "survival": km_summary(cohort, ENDPOINTS, method=CI_METHOD),
    }
    progress("descriptive tables and survival done")
    tables["response_predictors"] = response_predictors(patients, lesions, measurements, progress)
    tables["dr_predictors"] = dr_predictors(patients, evaluations, progress)
    progress("models done")
    return tables


def marts_and_results(source: Path, progress: Callable[[str], None]) -> tuple[dict[str, pd.DataFrame],
                                                                              dict[str, pd.DataFrame]]:
    """The marts in `source` and every table of the study from them (`stats` and `report`); with
    the dissociated-response marts in `source`, also the dr_definition_* tables; with two readers
    or more, reader_agreement."""
    marts = read_marts(source)
    progress(f"marts read from {source}")
    if study_tables.eligible(marts["dim_patients"]).empty:
        raise UserError(f"no eligible patients in {source}: nothing to model "
                        "(the mart cohort_flow gives each patient's exclusion reason)")
    results = study_results(marts, progress)
    results.update(dr_definition_tables(source, marts["dim_patients"], ENDPOINTS, CI_METHOD))
    results.update(reader_tables(source))
    return marts, results


def write_stats(source: Path, out: Path, progress: Callable[[str], None] = lambda _: None) -> dict[str, pd.DataFrame]:
    """Reads the marts in `source`, writes `<table>.csv`, km_os.png and km_pfs.png to `out`."""
    marts, tables = marts_and_results(source, progress)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(out / f"{name}.csv", index=False)
    for name, figure in km_figures(marts["dim_patients"]).items():
        figure.savefig(out / f"km_{name.lower()}.png", dpi=120)
    return tables


def km_figures(patients: pd.DataFrame) -> dict[str, Figure]:
    """The Kaplan-Meier figure of each endpoint over the eligible patients."""
    cohort = study_tables.eligible(patients)
    figures = {}
    for name, (time_col, event_col) in ENDPOINTS.items():
        data = cohort[[time_col, event_col]].dropna()
        figures[name] = km_figure(km_curve(data[time_col].to_numpy(), data[event_col].to_numpy()),
                                  f"{name} (Kaplan-Meier, 95 % {CI_METHOD} band)", CI_METHOD)
    return figures


def summary_lines(tables: dict[str, pd.DataFrame]) -> list[str]:
    """A few lines for the terminal: cohort, ORR, DR, medians, the study model's p-values."""
    flow = tables["cohort_flow"].set_index("reason")["n_patients"]
    t2 = tables["table2_best_response"]
    orr = t2[(t2["response"] == "ORR") & t2["level"].str.startswith("patient")].iloc[0]
    dr = tables["dr_prevalence"].set_index(["level", "dr_type"])
    lines = [f"eligible patients: {flow.get('eligible', 0)} of {flow.sum()} screened",
             f"objective response: {orr['n']} ({percent_text(orr['percent'])})",
             f"DR: {dr.loc[('patient', 'any'), 'n']} patients, {dr.loc[('evaluation', 'any'), 'n']} of "
             f"{dr.loc[('evaluation', 'any'), 'total']} post-baseline evaluations"]
    for _, row in tables["survival"].iterrows():
        lines.append(f"median {row['endpoint']}: {months_text(row['median_months'])} months "
                     f"(95 % CI {months_text(row['ci_low'])}-{months_text(row['ci_high'])})")
    return lines + model_lines(tables["response_predictors"]) + model_lines(tables["dr_predictors"])
