"""The `lesionwise` command line: commands only; the work lives in the packages (warehouse,
study, outputs, simulation, sdtm; docs/architecture.md). The only module that prints."""
from __future__ import annotations

import os

# Multi-threaded BLAS on the models' thin matrices is slower than one thread, and far slower on a
# busy machine: pinned here, at the entry point, before any command loads numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Optional  # noqa: E402

import typer  # noqa: E402

from analysis_py.errors import UserError  # noqa: E402
from analysis_py.warehouse.build import run_dbt_build  # noqa: E402

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Lesion-level RECIST 1.1 response and dissociated response.")

DEMO_INPUT = Path("data/demo")
DEFAULT_DB = Path("build/lesionwise.duckdb")
DEFAULT_STATS = Path("build/stats")


def fail(error: UserError) -> None:
    """Print a user error on one line and exit non-zero."""
    typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def progress_printer(quiet: bool) -> Callable[[str], None]:
    """Prints each progress message after the seconds since the command started; nothing when quiet."""
    if quiet:
        return lambda _: None
    start = time.perf_counter()
    return lambda message: typer.echo(f"[{time.perf_counter() - start:6.1f} s] {message}")


@app.command()
def build(
    input: Path = typer.Option(DEMO_INPUT, help="Input folder in the data contract's format."),
    db: Path = typer.Option(DEFAULT_DB, help="DuckDB file to write the marts to (target duckdb)."),
    target: str = typer.Option("duckdb", help="dbt target in profiles.yml: duckdb, or spark (a local "
                                              "Spark; docs/spark.md)."),
    export: Optional[Path] = typer.Option(None, help="Folder to also write each contract table to, "
                                                     "as <table>.parquet."),
    strict: bool = typer.Option(False, help="Fail the build on any data issue."),
    overrides: Optional[str] = typer.Option(None, "--vars", help="Settings to override, as dbt takes them: "
                                                            "'{recist_confirmation_min_days: 28}'."),
    verbose: bool = typer.Option(False, help="Show dbt's own lines."),
    quiet: bool = typer.Option(False, help="Print errors only."),
    date_format: Optional[str] = typer.Option(None, help="How every date of every file is written, as strftime "
                                                         "(%d, %m, %Y, %y), e.g. '%d/%m/%Y'; default ISO YYYY-MM-DD."),
    site_map: Optional[Path] = typer.Option(None, help="CSV keyword,site_group: your site keywords, tried "
                                                       "before the shipped ones (docs/input-format.md)."),
) -> None:
    """Run `dbt build` on an input folder and write the contract's marts (the previous ones are
    replaced only when the whole build passes)."""
    from analysis_py.warehouse.summary import no_eligible_message, summary_lines
    from analysis_py.warehouse.input_options import input_vars
    say = progress_printer(quiet)
    try:
        result = run_dbt_build(input, db, target=target, strict=strict, quiet=quiet, export_dir=export,
                               overrides=overrides, variables=input_vars(date_format, site_map),
                               progress=lambda phase: say(f"building {phase}"),
                               dbt_lines=typer.echo if verbose else None)
    except UserError as error:
        fail(error)
    except KeyboardInterrupt:
        fail(UserError(f"build interrupted: {db if target == 'duckdb' else export} left as it was"))
    written = (str(db) if target == "duckdb" else f"the {target} target") + (f", and as Parquet to {export}" if export else "")
    if not quiet:
        typer.echo("\n".join(result.notes + (summary_lines(result.summary) if result.summary else [])))
        typer.echo(f"marts written to {written}")
    if result.summary is not None and result.summary.eligible == 0:
        fail(UserError(no_eligible_message(result.summary)))


@app.command("import-sdtm")
def import_sdtm_command(
    sdtm: Path = typer.Option(..., help="Folder of SDTM datasets (CSV, .csv.gz or SAS XPORT .xpt)."),
    out: Path = typer.Option(..., help="Folder to write in the data contract's input format."),
    evaluator: str = typer.Option("investigator",
                                  help="investigator, independent (the accepted assessor), or all "
                                       "(every evaluator a reader, docs/readers.md)."),
    suffix: str = typer.Option("", help="Domain file name suffix: `_onco` reads tu_onco.csv "
                                        "(falling back to tu.csv, dm.csv...)."),
    quiet: bool = typer.Option(False, help="Print errors only."),
) -> None:
    """Import CDISC SDTM (DM, DS, TU, TR, RS) into an input folder (docs/sdtm-mapping.md)."""
    from analysis_py.sdtm import importer as sdtm_import
    try:
        result = sdtm_import.import_sdtm(sdtm_import.read_sdtm(sdtm, suffix), evaluator)
    except UserError as error:
        fail(error)
    sdtm_import.write_contract_folder(result, out)
    if not quiet:
        counts = result.counts()
        typer.echo(f"{counts['patients']} patients ({counts['subjects_with_tumour_results']} with "
                   f"tumour results), {counts['lesions']} lesions, {counts['measurements']} "
                   f"measurements, {counts['evaluations']} evaluations, "
                   f"{counts['recorded_responses']} recorded responses, "
                   f"{counts['import_issues']} import issues written to {out}")


@app.command()
def audit(
    db: Path = typer.Option(DEFAULT_DB, help="DuckDB file built from an SDTM import (`make sdtm`)."),
) -> None:
    """Print how often the recorded responses agree with the recomputed ones, and why not."""
    from analysis_py.warehouse.marts import read_marts
    from analysis_py.sdtm.audit import audit_agreement, audit_reasons
    try:
        table = read_marts(db, ("fct_response_audit",))["fct_response_audit"]
    except UserError as error:
        fail(error)
    if table.empty:
        fail(UserError(f"no recorded responses in {db}: the input folder had no recorded_responses.csv "
                       "(write one with `lesionwise import-sdtm`)"))
    typer.echo(audit_agreement(table).to_string(index=False))
    typer.echo("")
    typer.echo(audit_reasons(table).to_string(index=False))


@app.command()
def stats(
    db: Path = typer.Option(DEFAULT_DB, help="DuckDB file with the marts (or a folder of <mart>.parquet)."),
    out: Path = typer.Option(DEFAULT_STATS, help="Folder to write the tables (CSV) and figures (PNG) to."),
    quiet: bool = typer.Option(False, help="Print errors only."),
) -> None:
    """Write the seed study's tables, survival figures and models from the marts (README: outputs)."""
    from analysis_py.outputs.stats_folder import write_stats
    from analysis_py.outputs.terminal import summary_lines
    try:
        tables = write_stats(db, out, progress=progress_printer(quiet))
    except UserError as error:
        fail(error)
    if not quiet:
        typer.echo("\n".join(summary_lines(tables)))
        typer.echo(f"tables and figures written to {out}")


@app.command()
def report(
    db: Path = typer.Option(DEFAULT_DB, help="DuckDB file with the marts (or a folder of <mart>.parquet)."),
    out: Path = typer.Option(Path("build/report"), help="Folder to write report.html to."),
    pseudonymise: bool = typer.Option(False, help="Show pseudonyms (Patient 001, TL1...) instead of patient "
                                                  "and lesion identifiers."),
    max_patient_plots: int = typer.Option(200, min=1, help="Most patients drawn in the spider and swimmer plots "
                                                           "(DR patients first)."),
    robustness: Path | None = typer.Option(None, help="Folder of `lesionwise robustness` outputs to add its figure."),
    stats: Path = typer.Option(DEFAULT_STATS, help="Stats folder of this DB: reused when `lesionwise stats` wrote "
                                                   "it from the same build, else the models are fitted once and "
                                                   "written there."),
    quiet: bool = typer.Option(False, help="Print errors only."),
) -> None:
    """Write one self-contained HTML report: flow, Tables 1-2, DR, spider, waterfall, swimmer, KM, predictors."""
    from analysis_py.outputs.report import write_report
    try:
        path = write_report(db, out, pseudonymise=pseudonymise, max_patient_plots=max_patient_plots,
                            progress=progress_printer(quiet), robustness=robustness, stats=stats)
    except UserError as error:
        fail(error)
    if not quiet:
        typer.echo(f"report written to {path}")


@app.command()
def robustness(
    db: Path = typer.Option(DEFAULT_DB, help="DuckDB file of a finished build (opened read-only)."),
    out: Path = typer.Option(Path("build/robustness"), help="Folder to write the tables (CSV), the figure (PNG) "
                                                            "and the draws' own DuckDB file to."),
    draws: int | None = typer.Option(None, help="Times every reading is redrawn [default: var robustness_draws]."),
    cv: float | None = typer.Option(None, help="Coefficient of variation of a reading's log-normal error "
                                               "[default: var robustness_cv, or with two readers the one they imply]."),
    floor_mm: float | None = typer.Option(None, help="Smallest error SD in mm: a reading's CV is at least floor / "
                                                     "value [default: var robustness_floor_mm]."),
    seed: int | None = typer.Option(None, help="The same seed, draws and marts give the same output "
                                               "[default: var robustness_seed]."),
    quiet: bool = typer.Option(False, help="Print errors only."),
) -> None:
    """Redraw every reading with measurement error: how often each DR call and BOR survives (docs/robustness.md)."""
    from analysis_py.outputs.robustness_folder import write_robustness
    from analysis_py.study.readers import default_cv
    from analysis_py.warehouse.marts import by_reader_marts
    from analysis_py.warehouse.robustness import ErrorModel
    given = {name: value for name, value in (("draws", draws), ("floor_mm", floor_mm), ("seed", seed))
             if value is not None}
    try:
        model = ErrorModel(**given, cv=default_cv(by_reader_marts(db), ErrorModel().cv) if cv is None else cv)
        tables = write_robustness(db, out, model, progress=progress_printer(quiet))
    except UserError as error:
        fail(error)
    if not quiet:
        typer.echo(tables["robustness_cohort"].to_string(index=False))


@app.command()
def simulate(
    out: Path = typer.Option(..., help="Folder to write the input CSV files to (the five of the contract, and new_lesions.csv)."),
    patients: int = typer.Option(1000, min=1, help="Screened patients to draw."),
    seed: int = typer.Option(0, help="Random seed: the same seed writes the same bytes."),
    demo: bool = typer.Option(False, help="Write the calibrated demo cohort (data/demo) instead; "
                                          "--patients and --seed are then ignored."),
    readers: int = typer.Option(1, min=1, help="Readers of every scan; from 2, measurements.csv has a reader "
                                               "column (R1, R2...)."),
    reader_cv: float = typer.Option(0.1, min=0.0, help="Coefficient of variation of a further reader's "
                                                       "readings around the first reader's (log-normal)."),
    quiet: bool = typer.Option(False, help="No progress or summary output."),
) -> None:
    """Write a synthetic cohort in the input contract's format (docs/demo-cohort.md)."""
    from analysis_py.simulation.cohorts import simulate as simulate_cohort, write_demo

    def report(done: int, total: int) -> None:
        typer.echo(f"simulated {done:,} / {total:,} patients", err=True)
    rows = write_demo(out) if demo else simulate_cohort(patients, seed, out, progress=None if quiet else report,
                                                        readers=readers, reader_cv=reader_cv)
    if not quiet:
        typer.echo(", ".join(f"{n:,} rows in {name}" for name, n in rows.items()) + f" written to {out}", err=True)


if __name__ == "__main__":
    app()
