"""The closing summary of a build, read from the tables it wrote: patients screened and
eligible, evaluations, data issues by rule with the query that lists them, and the notes
other checks add (NOTE_READERS)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from analysis_py.warehouse import input_options

# Each reader takes a connection to the built tables and returns lines for the summary
# (unmatched site texts, date-format hints...): a check adds its reader here.
NOTE_READERS: list[Callable[[duckdb.DuckDBPyConnection], list[str]]] = [input_options.build_notes]
TOP_REASONS = 3


@dataclass
class BuildSummary:
    screened: int = 0
    eligible: int = 0
    evaluations: int = 0
    issues: list[tuple[str, int]] = field(default_factory=list)       # (rule, rows), most first
    exclusions: list[tuple[str, int]] = field(default_factory=list)   # (reason, patients), most first
    notes: list[str] = field(default_factory=list)


def read_summary(con: duckdb.DuckDBPyConnection) -> BuildSummary:
    """The summary of the tables `con` sees (cohort_flow, fct_evaluations, data_issues)."""
    flow = con.execute("select reason, n_patients from cohort_flow order by n_patients desc, reason").fetchall()
    summary = BuildSummary(
        screened=sum(n for _, n in flow),
        eligible=sum(n for reason, n in flow if reason == "eligible"),
        evaluations=con.execute("select count(*) from fct_evaluations").fetchone()[0],
        exclusions=[(reason, n) for reason, n in flow if reason != "eligible"][:TOP_REASONS])
    summary.issues = issues_by_rule(con)
    for reader in NOTE_READERS:
        summary.notes += reader(con)
    return summary


def issues_by_rule(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return con.execute("select rule, count(*) as n from data_issues group by rule order by n desc, rule").fetchall()


def issue_lines(issues: list[tuple[str, int]]) -> list[str]:
    """One line per rule: its rows and the query that lists them."""
    return [f"  {rule}: {n:,} (select * from data_issues where rule = '{rule}')" for rule, n in issues]


def summary_lines(summary: BuildSummary) -> list[str]:
    lines = [f"{summary.screened:,} patients screened, {summary.eligible:,} eligible; "
             f"{summary.evaluations:,} evaluations"]
    total = sum(n for _, n in summary.issues)
    lines.append(f"data issues: {total:,}" + (" by rule:" if total else ""))
    return lines + issue_lines(summary.issues) + summary.notes


def no_eligible_message(summary: BuildSummary) -> str:
    reasons = ", ".join(f"{reason} ({n:,})" for reason, n in summary.exclusions) or "no patients"
    return f"no patient is eligible among {summary.screened:,} screened; top exclusion reasons: {reasons}"
