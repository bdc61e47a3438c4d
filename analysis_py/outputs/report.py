"""`lesionwise report`: one self-contained HTML file with the study's tables and the DR pictures.

The tables and models come from the stats folder of the same build (`stats_folder.stats_tables`:
fitted once, by `stats` or here); this module lays them out with the field's figures (flow chart, best response by site,
waterfalls, swimmer, spider plots), every figure embedded as a base64 PNG: the file needs
no network and no other file.
"""
from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_py.outputs.figures.flow import flow_figure
from analysis_py.outputs.figures.palette import site_label
from analysis_py.outputs.figures.readers import bland_altman_figure, bor_confusion_figure
from analysis_py.outputs.figures.site_response import site_response_figure
from analysis_py.outputs.figures.spider import spider_figure, spider_readings
from analysis_py.outputs.figures.irecist_swimmer import irecist_lanes, irecist_swimmer_figure
from analysis_py.outputs.figures.swimmer import swimmer_figure, swimmer_lanes
from analysis_py.outputs.figures.waterfall import (best_lesion_change, best_sum_change, lesion_waterfall_figure,
                                           patient_waterfall_figure)
from analysis_py.outputs.numbers import months_text, odds_ratio_text, p_text, percent_text
from analysis_py.outputs.figures.km import km_figures
from analysis_py.outputs.figures.robustness import robustness_figure
from analysis_py.outputs.robustness_folder import read_robustness_folder
from analysis_py.outputs.stats_folder import stats_tables
from analysis_py.outputs.terminal import headline_lines
from analysis_py.study import tables as study_tables
from analysis_py.study.predictors import PRIMARY_FALLBACK, PRIMARY_ROLES
from analysis_py.study.results import CI_METHOD
from analysis_py.warehouse.marts import MARTS, by_reader_marts, read_marts, read_settings

TEMPLATE = Path(__file__).with_name("report_template.html")
MAX_PATIENT_PLOTS = 200  # spider plots and swimmer lanes; DR patients first
REPORT_ONLY_MARTS = ("site_mapping", "fct_evaluations_irecist")  # read by the report, not by the study layer
MAX_SITE_TEXTS = 30  # rows of the site mapping table; the mart site_mapping has them all
PSEUDONYM_SEED = 20240601  # fixed: the same cohort gets the same pseudonyms in every report
LEVEL_LABELS = {"target lesion": "Target lesion level (best response)",
                "measurement": "Measurement level (every post-baseline reading)",
                "patient": "Patient level (any DR)", "evaluation": "Evaluation level (every post-baseline evaluation)"}
METHODS = {
    "fisher_exact": "Fisher's exact test on the 2 x 2 table, one factor at a time; odds ratio with Woolf's 95 % CI",
    "chi_square_yates": "chi-square test with Yates' correction",
    "glmm_laplace": "logistic mixed model (GLMM), Laplace maximum likelihood",
    "gee": "GEE (logistic, robust standard errors)",
}
STRUCTURES = {
    "nested": "random intercepts of the evaluation nested in the patient",
    "ar1": "AR(1) correlation of the evaluations within the patient",
    "patient": "a random intercept per patient",
    "exchangeable": "exchangeable working correlation",
    "none": "",
}


# ----- small HTML helpers -------------------------------------------------------------------------------------

def esc(value) -> str:
    return html.escape(str(value), quote=True)


def png_uri(figure: Figure, dpi: int = 110) -> str:
    """The figure as a `data:image/png;base64,...` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def figure_html(name: str, figure: Figure, caption: str, alt: str, dpi: int = 110) -> str:
    return (f'<figure data-figure="{esc(name)}"><img src="{png_uri(figure, dpi)}" alt="{esc(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def table_html(name: str, header: list[str], rows: list[list], caption: str = "", numeric_from: int = 1,
               groups: list[str | None] | None = None, wide: bool = False) -> str:
    """A table; columns from `numeric_from` on are right-aligned; `groups` puts a group heading
    row before each row whose entry is not None."""
    cls = ['' if i < numeric_from else ' class="num"' for i in range(len(header))]
    head = "".join(f"<th{c}>{esc(h)}</th>" for h, c in zip(header, cls))
    body = []
    for i, row in enumerate(rows):
        if groups is not None and groups[i] is not None:
            body.append(f'<tr class="group"><th colspan="{len(header)}">{esc(groups[i])}</th></tr>')
        body.append("<tr>" + "".join(f"<td{c}>{esc(v)}</td>" for v, c in zip(row, cls)) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    cls_table = ' class="wide"' if wide else ""
    return (f'<table data-table="{esc(name)}"{cls_table}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def section(anchor: str, title: str, body: str, major: bool = True) -> str:
    cls = ' class="major"' if major else ""
    return f'<section id="{anchor}"{cls}><h2>{esc(title)}</h2>{body}</section>'


def n_pct(n, percent) -> str:
    return f"{int(n)} ({percent_text(percent)})" if pd.notna(percent) else f"{int(n)}"


# ----- identifiers ----------------------------------------------------------------------------------------------

def patient_labels(patient_ids: pd.Series, pseudonymise: bool) -> dict[str, str]:
    """Label shown for each patient: the id, or `Patient 001`... in an order unrelated to the ids."""
    ids = sorted(pd.unique(patient_ids.astype(str)))
    if not pseudonymise:
        return {pid: pid for pid in ids}
    order = np.random.default_rng(PSEUDONYM_SEED).permutation(len(ids))
    width = max(3, len(str(len(ids))))
    return {pid: f"Patient {rank + 1:0{width}d}" for pid, rank in zip(ids, order)}


def lesion_labels(lesions: pd.DataFrame, pseudonymise: bool) -> dict[tuple[str, str], str]:
    """Label of each (patient_id, lesion_id): the lesion id, or TL1, TL2... within the patient."""
    labels = {}
    for pid, group in lesions.groupby("patient_id", sort=False):
        for rank, lid in enumerate(sorted(group["lesion_id"].astype(str)), start=1):
            labels[(pid, lid)] = f"TL{rank}" if pseudonymise else lid
    return labels


@dataclass(frozen=True)
class Scales:
    """What the figures take from the settings the marts were built with (mart build_settings,
    `--vars` included): the RECIST PR and PD lines in % and the days of a month."""
    pr_line: float
    pd_line: float
    days_per_month: float

    @classmethod
    def of(cls, settings: dict[str, str]) -> Scales:
        return cls(pr_line=100 * (float(settings["recist_pr_max_ratio"]) - 1),
                   pd_line=100 * (float(settings["recist_pd_min_ratio"]) - 1),
                   days_per_month=float(settings["days_per_month"]))


# ----- sections -------------------------------------------------------------------------------------------------

def _cohort(marts, tables) -> str:
    patients = marts["dim_patients"]
    cohort = study_tables.eligible(patients)
    n_trials = patients["study_id"].nunique() if "study_id" in patients else None
    flow = figure_html("flow", flow_figure(tables["cohort_flow"], n_trials, cohort["regimen"].value_counts()),
                       "Fig. 2. Flow of the patients screened: exclusion reasons (from the mart cohort_flow), "
                       "then the eligible patients by regimen.", "Flow chart of the screened patients")
    t1 = tables["table1_patients"]
    rows, groups, previous = [], [], None
    for _, row in t1.iterrows():
        groups.append(row["section"] if row["section"] != previous else None)
        previous = row["section"]
        category = {"True": "yes", "False": "no"}.get(row["category"], row["category"])
        if row["section"] == "target lesion site":
            category = site_label(category)
        if pd.notna(row["median"]):
            value = f"{row['median']:.0f} [{row['min']:.0f}-{row['max']:.0f}]"
            category = f"{category} (n = {int(row['n'])})"
        else:
            value = n_pct(row["n"], row["percent"])
        rows.append([category, value])
    table1 = table_html("table1", ["", "n (%) or median [range]"], rows,
                        f"Table 1. The {len(cohort)} eligible patients and their target lesions", groups=groups)
    return section("cohort", "1. Cohort", f'<div class="pair">{flow}{table1}</div>')


def _response(marts, tables, scales: Scales) -> str:
    t2 = tables["table2_best_response"]
    levels = list(dict.fromkeys(t2["level"]))
    totals = t2.groupby("level", sort=False)["total"].first()
    short = {"patient (best overall response)": "patients", "target lesion (best response)": "target lesions",
             "post-baseline target lesion measurement": "post-baseline measurements"}
    header = ["best response", *[f"{short.get(level, level)} (N = {int(totals[level])})" for level in levels]]
    rows = []
    for response in dict.fromkeys(t2["response"]):
        cells = [n_pct(r["n"], r["percent"]) for level in levels
                 for _, r in t2[(t2["level"] == level) & (t2["response"] == response)].iterrows()]
        rows.append([response, *cells])
    table2 = table_html("table2", header, rows, "Table 2. Best response, n (%): best overall response per "
                        "patient, best response per target lesion, response of every post-baseline reading")
    by_site = tables["best_response_by_site"]
    fig3 = figure_html("best_response_by_site", site_response_figure(by_site),
                       "Fig. 3. Best response of the target lesions by site group; response = CR or PR.",
                       "Best response of target lesions by site")
    site_rows = [[site_label(r["site_group"]), int(r["n_lesions"]),
                  *[int(r[f"n_{c}"]) for c in study_tables.RESPONSES], percent_text(r["response_rate"])]
                 for _, r in by_site.iterrows()]
    site_table = table_html("best_response_by_site", ["site group", "target lesions", *study_tables.RESPONSES,
                                                      "response rate"], site_rows,
                            "Best response of the target lesions by site group")
    pr_line, pd_line = scales.pr_line, scales.pd_line
    lesions_best = best_lesion_change(marts["dim_target_lesions"], marts["fct_lesion_measurements"])
    n_lesions = len(marts["dim_target_lesions"])
    missing = n_lesions - len(lesions_best)
    wf1 = figure_html("waterfall_lesions", lesion_waterfall_figure(lesions_best, pr_line, pd_line),
                      f"Waterfall of the best (smallest) percent change from baseline of each target lesion, "
                      f"coloured by site; dashed lines at {pd_line:+.0f} % and {pr_line:+.0f} %."
                      + (f" {missing} lesion(s) without a post-baseline value are not drawn." if missing else ""),
                      "Waterfall plot of target lesions")
    patients_best = best_sum_change(study_tables.eligible(marts["dim_patients"]), marts["fct_evaluations"])
    wf2 = figure_html("waterfall_patients", patient_waterfall_figure(patients_best, pr_line, pd_line),
                      "Waterfall of the best percent change of the sum of target-lesion diameters from the "
                      "baseline sum, per patient (evaluations where every target lesion has a value), coloured "
                      "by the best overall response (which also counts non-target and new lesions).",
                      "Waterfall plot of patients")
    return section("response", "2. Response",
                   table2 + fig3 + site_table + _site_mapping(marts["site_mapping"]) + wf1 + wf2)


def _site_mapping(mapping: pd.DataFrame) -> str:
    """The site texts of lesions.csv and the group each was given (mart site_mapping), most
    lesions first; the texts no keyword matched are the ones to check."""
    shown = mapping.sort_values(["n_lesions", "site"], ascending=[False, True]).head(MAX_SITE_TEXTS)
    rows = [[r["site"], r["site_group"], r["matched_keyword"] if pd.notna(r["matched_keyword"]) else "none",
             int(r["n_lesions"])] for _, r in shown.iterrows()]
    more = len(mapping) - len(shown)
    caption = ("Site texts of lesions.csv and their site group: the keyword found in the text (lower case, "
               "without accents); none = grouped other (add keywords with lesionwise build --site-map)"
               + (f"; {more} rarer texts in the table site_mapping" if more > 0 else ""))
    return table_html("site_mapping", ["site text", "site group", "keyword", "lesions"], rows, caption,
                      numeric_from=3)


def _dr(marts, tables, labels, scales: Scales, max_plots, pseudonymise) -> str:
    dr = tables["dr_prevalence"]
    kinds = [k for k in (*study_tables.DR_TYPES, "any")]
    totals = dr.groupby("level")["total"].first()
    rows = []
    for kind in kinds:
        cells = [n_pct(r["n"], r["percent"]) for level in ("patient", "evaluation")
                 for _, r in dr[(dr["level"] == level) & (dr["dr_type"] == kind)].iterrows()]
        rows.append([kind if kind != "any" else "any DR", *cells])
    table = table_html("dr_prevalence", ["DR type", f"patients (N = {int(totals['patient'])})",
                                         f"post-baseline evaluations (N = {int(totals['evaluation'])})"],
                       rows, "Dissociated response, n (%); a patient counts under the highest type it had")
    biopsied = dr[dr["dr_type"] == study_tables.DR1_BIOPSIED]
    note = "".join(f'<p class="note">DR1 patients whose progressive lesion had been biopsied: {int(r["n"])} of '
                   f'{int(r["total"])}.</p>' for _, r in biopsied.iterrows())
    definition = ('<p class="note">DR1: some target lesions progress while others respond; DR2: progression '
                  "and stable disease; DR3: stable disease and response (lesion responses at the same "
                  "evaluation).</p>")
    cohort = study_tables.eligible(marts["dim_patients"])
    evaluations = marts["fct_evaluations"]
    dr_evaluations = evaluations[evaluations["dr_type"].notna()].assign(
        months=lambda e: e["days_from_inclusion"] / scales.days_per_month)
    lanes = swimmer_lanes(cohort, evaluations, scales.days_per_month)
    shown = lanes.head(max_plots)
    cut = f" The {len(shown)} longest-treated of {len(lanes)} patients are drawn." if len(shown) < len(lanes) else ""
    swimmer = figure_html("swimmer", swimmer_figure(shown, dr_evaluations, labels),
                          "Swimmer plot: one bar per patient, the time on treatment (inclusion to the last dose), "
                          "coloured by best overall response; the grey line runs to the end of follow-up (death "
                          "or last contact). Markers: response onset, DR evaluations by type, first overall "
                          f"progression, death or censoring.{cut}", "Swimmer plot of the patients", dpi=100)
    return section("dr", "3. Dissociated response", definition + table + note + swimmer) + \
        _spiders(marts, labels, scales, dr_evaluations, max_plots, pseudonymise)


def _spiders(marts, labels, scales: Scales, dr_evaluations, max_plots, pseudonymise) -> str:
    patients = study_tables.eligible(marts["dim_patients"])
    order = patients.assign(label=patients["patient_id"].map(labels),
                            dr_rank=patients["dr_type"].map({"DR1": 0, "DR2": 1, "DR3": 2}).fillna(3))
    order = order.sort_values(["dr_rank", "label"], kind="stable")
    drawn = order.head(max_plots)
    # only the drawn patients' lesions and readings: the cohort may have millions
    drawn_ids = set(drawn["patient_id"])
    lesions = marts["dim_target_lesions"]
    lesions = lesions[lesions["patient_id"].isin(drawn_ids)]
    measurements = marts["fct_lesion_measurements"]
    readings = spider_readings(drawn, lesions, measurements[measurements["patient_id"].isin(drawn_ids)],
                               scales.days_per_month)
    lesion_names = lesion_labels(lesions, pseudonymise)
    readings["lesion_id"] = [lesion_names.get((p, lid), lid) for p, lid in
                             zip(readings["patient_id"], readings["lesion_id"].astype(str))]
    by_patient = dict(tuple(readings.groupby("patient_id", sort=False)))
    dr_by_patient = dict(tuple(dr_evaluations.groupby("patient_id", sort=False)))
    pr_line, pd_line = scales.pr_line, scales.pd_line
    galleries = {True: [], False: []}
    for _, patient in drawn.iterrows():
        pid = patient["patient_id"]
        label = labels[pid]
        dr_type = patient["dr_type"] if pd.notna(patient["dr_type"]) else "no DR"
        title = f"{label}: {patient['primary_tumor']}, best {patient['best_overall_response']}, {dr_type}"
        figure = spider_figure(by_patient.get(pid, readings.iloc[:0]),
                               dr_by_patient.get(pid, dr_evaluations.iloc[:0]), title, pr_line, pd_line)
        n_dr = len(dr_by_patient.get(pid, []))
        caption = f"{esc(label)}: {n_dr} DR evaluation(s)" if n_dr else f"{esc(label)}: no DR evaluation"
        galleries[pd.notna(patient["dr_type"])].append(
            figure_html(f"spider:{label}", figure, caption, f"Spider plot of {label}", dpi=100))
    n_dr_patients = int(patients["dr_type"].notna().sum())
    cut = (f'<p class="note">{len(drawn)} of {len(patients)} patients are drawn (the DR patients first); '
           f"raise --max-patient-plots to draw more.</p>") if len(drawn) < len(patients) else ""
    intro = ('<p class="note">Percent change from baseline of each target lesion over time, one line per '
             f"lesion coloured by site and labelled at its last reading; dashed lines at {pd_line:+.0f} % "
             f"(progression) and {pr_line:+.0f} % (partial response); a vertical line and marker at each "
             "evaluation with a DR, by type. Progression is judged from the nadir, so a lesion can progress "
             f"below the {pd_line:+.0f} % line.</p>")
    body = intro + cut + f"<h3>Gallery of the {n_dr_patients} DR patients (DR1, then DR2, then DR3)</h3>" + \
        f'<div class="gallery" data-gallery="dr">{"".join(galleries[True])}</div>'
    others = len(patients) - n_dr_patients
    body += f"<h3>The {others} patients without a DR</h3>" + \
        f'<div class="gallery" data-gallery="no-dr">{"".join(galleries[False])}</div>'
    return section("spider", "4. Spider plots, per patient", body)


def _survival(marts, tables) -> str:
    survival = tables["survival"].set_index("endpoint")
    figures = []
    for name, figure in km_figures(marts["dim_patients"]).items():
        row = survival.loc[name]
        figures.append(figure_html(
            f"km_{name.lower()}", figure,
            f"{name}: median {months_text(row['median_months'])} months (95 % CI {months_text(row['ci_low'])}-"
            f"{months_text(row['ci_high'])}); {int(row['events'])} events in {int(row['n'])} patients. "
            "Numbers at risk under the axis; + censored.", f"Kaplan-Meier curve of {name}", dpi=100))
    rows = []
    for name, row in survival.iterrows():
        at = [f"{percent_text(row[f'surv_{t}m'])} ({row[f'surv_{t}m_ci_low']:.0f}-{row[f'surv_{t}m_ci_high']:.0f})"
              if pd.notna(row[f"surv_{t}m"]) else "" for t in (6, 12, 24)]
        rows.append([name, int(row["n"]), int(row["events"]),
                     f"{months_text(row['median_months'])} ({months_text(row['ci_low'])}-{months_text(row['ci_high'])})", *at])
    table = table_html("survival", ["endpoint", "patients", "events", "median, months (95 % CI)", "at 6 months",
                                    "at 12 months", "at 24 months"], rows,
                       "Kaplan-Meier estimates, 95 % CI by the log-log method")
    method = ('<p class="model">OS: inclusion to death; PFS: inclusion to RECIST 1.1 progression or death. '
              f"Kaplan-Meier estimator, Greenwood variance, pointwise {CI_METHOD} 95 % intervals.</p>")
    return section("survival", "5. Survival", f'<div class="pair">{"".join(figures)}</div>' + table + method)


def _model_text(rows: pd.DataFrame) -> str:
    """What was fitted, under a predictor table: method, structure, formulas, size, convergence notes."""
    parts = []
    for (method, structure, role), group in rows.groupby(["method", "structure", "role"], sort=False, dropna=False):
        text = METHODS.get(method, method)
        if STRUCTURES.get(structure):
            text += f", {STRUCTURES[structure]}"
        if role == PRIMARY_FALLBACK:
            text += " (used because the nested model did not converge)"
        if method != "fisher_exact":
            text += ": " + "; ".join(f"<code>{esc(f)}</code>" for f in dict.fromkeys(group["formula"].dropna()))
        low, high = int(group["n_obs"].min()), int(group["n_obs"].max())
        clusters = group["n_clusters"].dropna()
        text += f"; {low if low == high else f'{low}-{high}'} observations" + (
            f" in {int(clusters.max())} patients" if len(clusters) else "")
        notes = sorted({n for n in group["note"].dropna() if n})
        if notes:
            text += f" ({esc('; '.join(notes))})"
        parts.append(text + ".")
    return '<p class="model">Model: ' + " ".join(parts) + "</p>"


def _predictor_tables(name: str, table: pd.DataFrame, outcome: str) -> str:
    out = []
    for level in dict.fromkeys(table["level"]):
        rows = table[(table["level"] == level) & table["role"].isin(PRIMARY_ROLES)]
        body = [[r["comparison"], f"{percent_text(r['rate_exposed'])} vs {percent_text(r['rate_unexposed'])}",
                 odds_ratio_text(r["odds_ratio"], r["ci_low"], r["ci_high"]) or r["note"] or "not estimable",
                 p_text(r["p_value"])] for _, r in rows.iterrows()]
        out.append(table_html(f"{name}:{level}", ["factor", f"{outcome} rate, exposed vs not", "odds ratio (95 % CI)",
                                                  "p"], body, LEVEL_LABELS.get(level, level)))
        out.append(_model_text(rows))
        sensitivity = table[(table["level"] == level) & ~table["role"].isin(PRIMARY_ROLES)]
        if len(sensitivity):
            sens = [[r["comparison"], f"{METHODS.get(r['method'], r['method'])}"
                     + (f", {r['structure']}" if r["structure"] not in ("none", "") else ""), r["role"],
                     odds_ratio_text(r["odds_ratio"], r["ci_low"], r["ci_high"]), p_text(r["p_value"]),
                     r["note"] if isinstance(r["note"], str) else ""]
                    for _, r in sensitivity.iterrows()]
            out.append(f"<details><summary>Sensitivity analyses and models not used ({len(sens)} rows)</summary>"
                       + table_html(f"{name}:{level}:sensitivity", ["factor", "method", "role", "odds ratio (95 % CI)",
                                                                    "p", "note"], sens, numeric_from=3, wide=True)
                       + "</details>")
    return "".join(out)


def _predictors(tables) -> str:
    body = ("<h3>Predictors of response (CR or PR)</h3>"
            + _predictor_tables("response_predictors", tables["response_predictors"], "response")
            + "<h3>Predictors of dissociated response</h3>"
            + _predictor_tables("dr_predictors", tables["dr_predictors"], "DR"))
    return section("predictors", "6. Predictors", body)


def _irecist_swimmer(marts, labels, max_lanes: int, days_per_month: float) -> str:
    """The iRECIST swimmer of the patients with an iUPD (docs/irecist.md), confirmed ones first."""
    lanes, events = irecist_lanes(marts["dim_patients"].loc[lambda p: p["eligible"]], marts["fct_evaluations_irecist"],
                                  days_per_month)
    if lanes.empty:
        return "<p>No patient had an unconfirmed progression (iUPD).</p>"
    shown = lanes.head(max_lanes)
    more = f" The first {len(shown)} of {len(lanes)} patients are shown." if len(lanes) > len(shown) else ""
    return figure_html("irecist_swimmer", irecist_swimmer_figure(shown, events, labels),
                       "iRECIST: each unconfirmed progression (iUPD), the evaluation that confirmed it (iCPD) or the "
                       "response that reset it (pseudo-progression)." + more, "iRECIST swimmer plot")


def _dr_definitions(tables, marts, labels, max_lanes: int, days_per_month: float) -> str:
    """Dissociated response under each published definition (docs/dissociated-response.md) and
    the iRECIST swimmer; empty when the build predates those marts."""
    if "dr_definition_prevalence" not in tables:
        return ""
    prevalence = table_html("dr_definition_prevalence", ["definition", "patients with DR", "evaluations with DR"], [
        [r.definition, n_pct(r.patients_dr, r.pct_patients), n_pct(r.evaluations_dr, r.pct_evaluations)]
        for r in tables["dr_definition_prevalence"].itertuples()], "Patients and evaluations assessed by each definition")
    survival = table_html("dr_definition_survival", ["definition", "endpoint", "group", "patients", "events",
                                                     "median, months (95 % CI)", "log-rank p"], [
        [r.definition, r.endpoint, r.group, r.n, r.events,
         f"{months_text(r.median_months)} ({months_text(r.ci_low)}-{months_text(r.ci_high)})", p_text(r.logrank_p)]
        for r in tables["dr_definition_survival"].itertuples()],
        "Kaplan-Meier, DR against concordant progression", numeric_from=3)
    note = ('<p class="model">seed: the seed study DR1-DR3; lesion_threshold: Ippolito 2021; organ: Sato 2021; '
            "first_scan_pd: Tozuka 2020; mixed_with_new: target PR/CR with new lesions.</p>")
    return section("dr-definitions", "7. Dissociated response by definition, iRECIST",
                   prevalence + survival + note + _irecist_swimmer(marts, labels, max_lanes, days_per_month))


def _readers(marts) -> str:
    """The first two readers' agreement, when the build has several (docs/readers.md)."""
    if "dim_patients_by_reader" not in marts:
        return ""
    first, second = sorted(marts["dim_patients_by_reader"]["reader"].unique())[:2]
    figures = [figure_html("bland_altman", bland_altman_figure(marts["fct_lesion_measurements_by_reader"], first, second),
                           "Bland-Altman plot of the diameters (reader_agreement.csv)", "Bland-Altman plot"),
               figure_html("bor_confusion", bor_confusion_figure(marts["dim_patients_by_reader"], first, second),
                           "Best overall response of each reader", "Confusion matrix of best overall response")]
    return section("readers", "8. Readers", f'<div class="pair">{"".join(figures)}</div>')


def _robustness(tables) -> str:
    """The robustness figure, when `--robustness` names a folder of its outputs (docs/robustness.md)."""
    if "robustness_cohort" not in tables:
        return ""
    figure = robustness_figure(tables["robustness_cohort_draws"], tables["robustness_cohort"],
                               tables["robustness_patients"])
    return section("robustness", "9. Robustness to measurement error", figure_html(
        "robustness", figure, "DR and ORR over the draws; share of draws keeping each patient's DR type", "Robustness"))


# ----- the report -----------------------------------------------------------------------------------------------

def render_report(marts: dict[str, pd.DataFrame], tables: dict[str, pd.DataFrame], settings: dict[str, str],
                  source: str, pseudonymise: bool = False, max_patient_plots: int = MAX_PATIENT_PLOTS,
                  progress: Callable[[str], None] = lambda _: None) -> str:
    """The report's HTML from the marts, the study's tables and the settings of the build."""
    labels = patient_labels(marts["dim_patients"]["patient_id"], pseudonymise)
    scales = Scales.of(settings)
    sections = [_cohort(marts, tables)]
    sections.append(_response(marts, tables, scales))
    progress("cohort and response figures drawn; drawing the swimmer and spider plots")
    sections.append(_dr(marts, tables, labels, scales, max_patient_plots, pseudonymise))
    progress("spider plots drawn")
    sections.append(_survival(marts, tables))
    sections.append(_predictors(tables))
    sections.append(_dr_definitions(tables, marts, labels, max_patient_plots, scales.days_per_month))
    sections.append(_readers(marts))
    sections.append(_robustness(tables))
    nav = "\n".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in (
        ("cohort", "Cohort: flow, Table 1"), ("response", "Response: Table 2, sites, waterfalls"),
        ("dr", "Dissociated response, swimmer"), ("spider", "Spider plots"), ("survival", "Survival: OS, PFS"),
        ("predictors", "Predictors"))
        + (("dr-definitions", "DR by definition, iRECIST"),) * ("dr_definition_prevalence" in tables)
        + (("readers", "Readers"),) * ("dim_patients_by_reader" in marts)
        + (("robustness", "Robustness"),) * ("robustness_cohort" in tables))
    glance = "".join(f"<li>{esc(line)}</li>" for line in headline_lines(tables))
    subtitle = (f"<p>Source: {esc(source)}. RECIST 1.1 lesion responses and dissociated response, computed by "
                "lesionwise; every figure is embedded in this file.</p>"
                + ("<p>Patient identifiers are replaced by pseudonyms (--pseudonymise); times are months from "
                   "inclusion.</p>" if pseudonymise else "")
                + f'<ul class="glance">{glance}</ul>')
    return Template(TEMPLATE.read_text()).substitute(
        title="lesionwise report", subtitle=subtitle, nav=nav, body="\n".join(sections))


def write_report(source: Path, out: Path, pseudonymise: bool = False, max_patient_plots: int = MAX_PATIENT_PLOTS,
                 progress: Callable[[str], None] = lambda _: None, robustness: Path | None = None,
                 stats: Path | None = None) -> Path:
    """Reads the marts in `source`, the study's tables of its stats folder `stats` (default
    `out/stats`; fitted and written there when it holds no `stats` run of this build) and the
    outputs of `lesionwise robustness` in `robustness`; writes `out/report.html`, returns its path."""
    tables = stats_tables(source, out / "stats" if stats is None else stats, progress)
    tables.update(read_robustness_folder(robustness))
    # not the dissociated-response marts: their tables come from the stats folder
    marts = read_marts(source, (*MARTS, *REPORT_ONLY_MARTS)) | by_reader_marts(source)
    page = render_report(marts, tables, read_settings(source), source.name, pseudonymise, max_patient_plots, progress)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
