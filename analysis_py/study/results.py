"""Every table of the seed study from the marts, in one pass: the results `stats` writes and the
report lays out (the models are fitted here, once)."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis_py.errors import UserError
from analysis_py.study import tables as study_tables
from analysis_py.study.dr_definitions import dr_definition_tables
from analysis_py.study.predictors import dr_predictors, response_predictors
from analysis_py.study.readers import reader_tables
from analysis_py.study.survival import km_summary

ENDPOINTS = {"OS": ("os_months", "os_event"), "PFS": ("pfs_months", "pfs_event")}
CI_METHOD = "log-log"  # pointwise 95 % CI of S(t) and of the median (SAS's default; R: conf.type)


def study_results(marts: dict[str, pd.DataFrame], progress: Callable[[str], None] = lambda _: None,
                  source: str = "the marts") -> dict[str, pd.DataFrame]:
    """The study's tables by name (descriptive, survival, predictors; with the dissociated-response
    marts the dr_definition_* tables; with per-reader marts reader_agreement)."""
    patients, lesions = marts["dim_patients"], marts["dim_target_lesions"]
    measurements, evaluations = marts["fct_lesion_measurements"], marts["fct_evaluations"]
    cohort = study_tables.eligible(patients)
    if cohort.empty:
        raise UserError(f"no eligible patients in {source}: nothing to model "
                        "(the mart cohort_flow gives each patient's exclusion reason)")
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
    return tables | dr_definition_tables(marts, ENDPOINTS, CI_METHOD) | reader_tables(marts)
