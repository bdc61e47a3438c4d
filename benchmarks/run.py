"""`make bench`: times the pipeline on simulated cohorts, side by side with the alternatives.

For each size: `lesionwise simulate` (CSV generation), `dbt build` with its data tests (as
`lesionwise build` runs it: unit tests excluded), `lesionwise stats`, and on the same input
(1) benchmarks/floor.sql, the hand-written DuckDB floor, (2) benchmarks/pandas_naive.py, a
groupby + apply implementation, (3) pyrecist from PyPI on the target sums. (1) and (2) are
compared with the marts row by row before their times are reported. Every step runs as its
own process; wall time, CPU time (user + system) and peak RSS come from wait4(2).

    python benchmarks/run.py                         # 10k, 100k, 1M; results/ and BENCHMARKS.md
    python benchmarks/run.py --sizes 1000 --runs 1 --work /tmp/b --results /tmp/b/results --no-markdown
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata, util
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))

from analysis_py.warehouse.build import build_arguments, dbt_command, dbt_environment  # noqa: E402,F401 (compare_builds.py imports them from here)

BIN = Path(sys.executable).parent
SEED = 20240501
TARGETS = {  # issue 5, on this 2-core machine
    "dbt_build_1m_seconds": 30.0,
    "dbt_build_1m_rss_mb": 3072.0,
    "dbt_build_over_floor": 2.0,
    "pandas_over_dbt_100k": 100.0,
    "stats_100k_seconds": 60.0,
}


@dataclass
class Measurement:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool = False


def measure(command: list[str], env: dict[str, str] | None = None, timeout: float | None = None,
            log: Path | None = None) -> Measurement:
    """Runs `command` as a child process; its wall time, CPU time and peak RSS (wait4)."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=PROJECT, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout and time.perf_counter() - start > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                timed_out = True
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    return Measurement(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                       process.returncode, timed_out)


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                         if line.startswith("MemTotal")))
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory_gb": f"{memory_kb / 1024 ** 2:.1f}",
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "duckdb": metadata.version("duckdb"), "dbt_core": metadata.version("dbt-core"),
            "dbt_duckdb": metadata.version("dbt-duckdb"), "pandas": metadata.version("pandas")}


def remove_database(db: Path) -> None:
    """Deletes a DuckDB file and its write-ahead log, so that a build starts from nothing."""
    db.unlink(missing_ok=True)
    Path(f"{db}.wal").unlink(missing_ok=True)


def load_average() -> float:
    return os.getloadavg()[0]


# --- the floor, run in its own process: `run.py --floor INPUT DB` --------------------------

def run_floor(input_dir: str, db_path: str) -> None:
    import duckdb
    sql = (HERE / "floor.sql").read_text().replace("{input}", input_dir)
    remove_database(Path(db_path))
    with duckdb.connect(db_path) as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(sql)


# --- checks against the marts ------------------------------------------------------------

LESION_COLUMNS = ["diameter_mm", "baseline_mm", "nadir_mm", "lesion_response"]
EVALUATION_COLUMNS = ["n_cr", "n_pr", "n_sd", "n_pd", "n_ne", "dr_type"]


def _differences(con, mart: str, other: str, key: list[str], columns: list[str]) -> dict[str, int]:
    on = " and ".join(f"m.{k} = o.{k}" for k in key)
    # diameters compared as DECIMAL(12, 2): pandas writes the float 12.5 for the marts' 12.50
    differ = " or ".join(f"cast(m.{c} as decimal(12, 2)) is distinct from cast(o.{c} as decimal(12, 2))"
                         if c.endswith("_mm") else f"m.{c} is distinct from o.{c}" for c in columns)
    row = con.execute(f"""
        select count(*) filter (where m.{key[0]} is null),
               count(*) filter (where o.{key[0]} is null),
               count(*) filter (where m.{key[0]} is not null and o.{key[0]} is not null and ({differ})),
               count(*) filter (where m.{key[0]} is not null)
        from {mart} as m full join {other} as o on {on}""").fetchone()
    return {"only_other": row[0], "only_mart": row[1], "differ": row[2], "mart_rows": row[3]}


def compare_with_marts(marts_db: Path, lesion_relation: str, evaluation_relation: str,
                       attach: str | None = None) -> tuple[bool, str]:
    """Row-by-row comparison of a (lesion responses, evaluations) pair with the two marts."""
    import duckdb
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"attach '{marts_db}' as marts (read_only)")
        if attach:
            con.execute(f"attach '{attach}' as other (read_only)")
        lesions = _differences(con, "marts.fct_lesion_measurements", lesion_relation,
                               ["patient_id", "lesion_id", "assessment_date"], LESION_COLUMNS)
        evaluations = _differences(con, "marts.fct_evaluations", evaluation_relation,
                                   ["patient_id", "assessment_date"], EVALUATION_COLUMNS)
    ok = all(v == 0 for d in (lesions, evaluations) for k, v in d.items() if k != "mart_rows")
    detail = (f"lesion rows {lesions['mart_rows']}: {lesions['only_mart']} only in marts, "
              f"{lesions['only_other']} extra, {lesions['differ']} differ; evaluation rows "
              f"{evaluations['mart_rows']}: {evaluations['only_mart']} only in marts, "
              f"{evaluations['only_other']} extra, {evaluations['differ']} differ")
    return ok, detail


def measurement_rows(input_dir: Path) -> int:
    with open(input_dir / "measurements.csv", "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1


# --- the benchmark ----------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = Path(args.work).resolve()
        self.work.mkdir(parents=True, exist_ok=True)
        self.log = self.work / "bench.log"
        self.runs: list[dict] = []
        self.summary: list[dict] = []
        self.failures: list[str] = []
        self.dbt_dirs = Path(tempfile.mkdtemp(prefix="dbt-", dir=self.work))

    def say(self, text: str) -> None:
        if not self.args.quiet:
            print(text, flush=True)

    def step(self, size: int, name: str, command: list[str], runs: int, env: dict | None = None,
             before=None, timeout: float | None = None) -> list[Measurement]:
        results = []
        for run in range(1, runs + 1):
            if before:
                before()
            load = load_average()
            result = measure(command, env=env, timeout=timeout, log=self.log)
            results.append(result)
            self.runs.append({"patients": size, "step": name, "run": run, "seconds": round(result.seconds, 3),
                              "cpu_seconds": round(result.cpu_seconds, 3), "peak_rss_mb": round(result.peak_rss_mb, 1),
                              "returncode": result.returncode, "timed_out": result.timed_out,
                              "load_before": round(load, 2)})
            self.say(f"  {name:<18} run {run}: {result.seconds:8.2f} s wall, {result.cpu_seconds:8.2f} s CPU, "
                     f"{result.peak_rss_mb:7.0f} MB" + (" TIMED OUT" if result.timed_out else "")
                     + (f" exit {result.returncode}" if result.returncode and not result.timed_out else ""))
            if result.returncode or result.timed_out:
                break
        return results

    def record(self, size: int, rows: int, name: str, results: list[Measurement], check: str = "", note: str = "",
               timed: bool = True) -> None:
        ok = [r for r in results if not r.returncode and not r.timed_out]
        row = {"patients": size, "measurement_rows": rows, "step": name, "runs": len(ok),
               "median_seconds": "", "min_seconds": "", "max_seconds": "", "median_cpu_seconds": "",
               "peak_rss_mb": "", "check": check, "note": note}
        if ok and timed:
            row.update(median_seconds=round(statistics.median(r.seconds for r in ok), 2),
                       min_seconds=round(min(r.seconds for r in ok), 2),
                       max_seconds=round(max(r.seconds for r in ok), 2),
                       median_cpu_seconds=round(statistics.median(r.cpu_seconds for r in ok), 2),
                       peak_rss_mb=round(max(r.peak_rss_mb for r in ok)))
        self.summary.append(row)

    def size(self, size: int) -> None:
        args = self.args
        big = size >= 1_000_000
        runs = args.runs_1m if big else args.runs
        folder = self.work / f"cohort-{size}"
        db = self.work / f"marts-{size}.duckdb"
        self.say(f"{size:,} patients")

        # CSV generation
        simulate = [str(BIN / "lesionwise"), "simulate", "--patients", str(size), "--seed", str(SEED),
                    "--out", str(folder), "--quiet"]
        results = self.step(size, "generate_csv", simulate, runs,
                            before=lambda: shutil.rmtree(folder, ignore_errors=True))
        rows = measurement_rows(folder) if folder.is_dir() else 0
        self.record(size, rows, "generate_csv", results, note=f"seed {SEED}")
        if not rows:
            self.failures.append(f"{size}: simulate failed")
            return

        # `lesionwise build`: dbt build with its data tests, the input files hashed for the
        # build record, the work file checkpointed and moved onto the DB
        env = dict(os.environ, DBT_TARGET_PATH=str(self.dbt_dirs / "target"), DBT_LOG_PATH=str(self.dbt_dirs / "logs"))
        build = [str(BIN / "lesionwise"), "build", "--input", str(folder), "--db", str(db), "--quiet"]

        results = self.step(size, "dbt_build", build, runs, env=env, before=lambda: remove_database(db))
        self.record(size, rows, "dbt_build", results, note="data tests included; unit tests excluded")
        if results[-1].returncode:
            self.failures.append(f"{size}: dbt build failed (see {self.log})")
            return

        # lesionwise stats on the marts
        if size <= args.stats_max:
            stats = [str(BIN / "lesionwise"), "stats", "--db", str(db), "--out", str(self.work / f"stats-{size}"),
                     "--quiet"]
            results = self.step(size, "lesionwise_stats", stats, runs, timeout=args.stats_timeout)
            if results[-1].timed_out:
                self.record(size, rows, "lesionwise_stats", [], note=f"did not finish in {args.stats_timeout:.0f} s")
            else:
                self.record(size, rows, "lesionwise_stats", results)
            if results[-1].returncode and not results[-1].timed_out:
                self.failures.append(f"{size}: lesionwise stats failed")
            else:
                self.report_after_stats(size, rows, db, runs)
        else:
            self.record(size, rows, "lesionwise_stats", [], note=f"not run (--stats-max {args.stats_max})")

        if args.robustness_draws and size <= args.robustness_max:
            self.robustness(size, rows, db)

        # (1) the hand-written SQL floor
        floor_db = self.work / f"floor-{size}.duckdb"
        floor = [sys.executable, str(Path(__file__).resolve()), "--floor", str(folder), str(floor_db)]
        results = self.step(size, "sql_floor", floor, runs)
        ok, detail = compare_with_marts(db, "other.floor_lesion_responses", "other.floor_evaluations",
                                        attach=str(floor_db)) if not results[-1].returncode else (False, "failed")
        self.record(size, rows, "sql_floor", results, check=("agrees: " if ok else "MISMATCH: ") + detail, timed=ok)
        if not ok:
            self.failures.append(f"{size}: the SQL floor does not agree with the marts: {detail}")

        # (2) pandas groupby + apply
        if size <= args.pandas_max:
            prefix = self.work / f"pandas-{size}"
            naive = [sys.executable, str(HERE / "pandas_naive.py"), "--input", str(folder), "--out", str(prefix)]
            results = self.step(size, "pandas_groupby_apply", naive, runs, timeout=args.pandas_timeout)
            if results[-1].timed_out:
                self.record(size, rows, "pandas_groupby_apply", [],
                            note=f"did not finish in {args.pandas_timeout:.0f} s")
            else:
                ok, detail = compare_with_marts(
                    db, f"read_parquet('{prefix}_lesion_responses.parquet')",
                    f"read_parquet('{prefix}_evaluations.parquet')") if not results[-1].returncode else (False, "failed")
                self.record(size, rows, "pandas_groupby_apply", results,
                            check=("agrees: " if ok else "MISMATCH: ") + detail, timed=ok)
                if not ok:
                    self.failures.append(f"{size}: pandas does not agree with the marts: {detail}")
        else:
            self.record(size, rows, "pandas_groupby_apply", [], note=f"not run (--pandas-max {args.pandas_max})")

        # (3) pyrecist, on the target sums
        if util.find_spec("pyrecist") is None:
            self.record(size, rows, "pyrecist", [], note="not installed (pip install -e '.[bench]')")
        elif size <= args.pyrecist_max:
            sys.path.insert(0, str(HERE))
            import pyrecist_compare
            source = self.work / f"pyrecist-{size}.csv"
            out = self.work / f"pyrecist-{size}"
            out.mkdir(exist_ok=True)
            n_input = pyrecist_compare.write_input(db, source)
            command = [sys.executable, "-m", "pyrecist", str(source), "-o", str(out)]
            results = self.step(size, "pyrecist", command, runs, timeout=args.timeout)
            if results[-1].timed_out:
                self.record(size, rows, "pyrecist", [], note=f"did not finish in {args.timeout:.0f} s")
            elif results[-1].returncode:
                self.record(size, rows, "pyrecist", results, note="failed (see bench.log)", timed=False)
            else:
                agreement = pyrecist_compare.agreement(db, source, out / "recist_evaluation.csv")
                self.record(size, rows, "pyrecist", results,
                            note=f"{n_input} input rows; not required to agree: {agreement}")
        else:
            self.record(size, rows, "pyrecist", [], note=f"not run (--pyrecist-max {args.pyrecist_max})")

    def report_after_stats(self, size: int, rows: int, db: Path, runs: int) -> None:
        """`lesionwise report` on the stats folder `lesionwise stats` just wrote: it reuses the
        fitted models (fits none) and draws the report."""
        report = [str(BIN / "lesionwise"), "report", "--db", str(db), "--out", str(self.work / f"report-{size}"),
                  "--stats", str(self.work / f"stats-{size}"), "--quiet"]
        results = self.step(size, "report_after_stats", report, runs)
        self.record(size, rows, "report_after_stats", results, note="reuses the stats folder: no model fitted")
        if results[-1].returncode:
            self.failures.append(f"{size}: lesionwise report failed")

    def robustness(self, size: int, rows: int, db: Path) -> None:
        """Optional (--robustness-draws): `lesionwise robustness` on the marts."""
        draws = self.args.robustness_draws
        command = [str(BIN / "lesionwise"), "robustness", "--db", str(db), "--out",
                   str(self.work / f"robustness-{size}"), "--draws", str(draws), "--quiet"]
        results = self.step(size, "robustness", command, self.args.runs, timeout=self.args.timeout)
        self.record(size, rows, "robustness", results, note=f"{draws} draws, cv 0.08, floor 1 mm")
        if results[-1].returncode or results[-1].timed_out:
            self.failures.append(f"{size}: lesionwise robustness failed or timed out")

    def run(self) -> int:
        started = dt.datetime.now(dt.timezone.utc)
        self.say(f"benchmark in {self.work}; step output in {self.log}")
        for size in self.args.sizes:
            self.size(size)
        self.write(started)
        return 1 if self.failures else 0

    # --- reporting ------------------------------------------------------------------------

    def median(self, size: int, step: str) -> float | None:
        for row in self.summary:
            if row["patients"] == size and row["step"] == step and row["median_seconds"] != "":
                return float(row["median_seconds"])
        return None

    def target_lines(self) -> list[str]:
        lines = []
        sizes = sorted({row["patients"] for row in self.summary})
        for size in sizes:
            build, floor = self.median(size, "dbt_build"), self.median(size, "sql_floor")
            pandas = self.median(size, "pandas_groupby_apply")
            parts = []
            if build and floor:
                parts.append(f"dbt build / SQL floor = {build / floor:.2f}")
            if build and pandas:
                parts.append(f"pandas groupby-apply / dbt build = {pandas / build:.1f}")
            if parts:
                lines.append(f"{size:,} patients: " + "; ".join(parts))
        return lines

    def table(self) -> str:
        header = ["patients", "measurement rows", "step", "runs", "median s", "min s", "max s", "median CPU s",
                  "peak RSS MB", "check / note"]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.summary:
            text = "; ".join(x for x in (row["check"], row["note"]) if x)
            lines.append("| " + " | ".join(str(x) for x in (
                f"{row['patients']:,}", f"{row['measurement_rows']:,}", row["step"], row["runs"],
                row["median_seconds"], row["min_seconds"], row["max_seconds"], row["median_cpu_seconds"],
                row["peak_rss_mb"], text)) + " |")
        return "\n".join(lines)

    def write(self, started: dt.datetime) -> None:
        results = Path(self.args.results)
        results.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        info = machine()
        info.update(started_utc=started.isoformat(timespec="seconds"),
                    finished_utc=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        for name, rows in (("summary", self.summary), ("runs", self.runs)):
            if not rows:
                continue
            for path in (results / f"{name}-{stamp}.csv", results / f"{name}-latest.csv"):
                with open(path, "w", newline="") as handle:
                    writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
        with open(results / "machine-latest.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["key", "value"])
            writer.writerows(info.items())
        table = self.table()
        ratios = self.target_lines()
        print("\n" + table + "\n" + "\n".join(ratios))
        for failure in self.failures:
            print(f"FAILED: {failure}")
        if self.args.markdown:
            self.update_markdown(table, ratios, info)

    def update_markdown(self, table: str, ratios: list[str], info: dict[str, str]) -> None:
        path = PROJECT / "BENCHMARKS.md"
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        machine_line = (f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['os']}; "
                        f"Python {info['python']}, DuckDB {info['duckdb']}, dbt-core {info['dbt_core']}, "
                        f"dbt-duckdb {info['dbt_duckdb']}, pandas {info['pandas']}. "
                        f"Run {info['started_utc']} to {info['finished_utc']} (UTC).")
        block = "\n".join([begin, machine_line, "", table, "", *[f"- {line}" for line in ratios], end])
        text = path.read_text() if path.exists() else f"# Benchmarks\n\n{begin}\n{end}\n"
        head, rest = text.split(begin, 1)
        path.write_text(head + block + rest.split(end, 1)[1])


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000, 1_000_000],
                        help="screened patients per cohort, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each step (median reported)")
    parser.add_argument("--runs-1m", type=int, default=3, help="runs of each step at 1M and more")
    parser.add_argument("--stats-max", type=int, default=1_000_000, help="largest cohort for lesionwise stats")
    parser.add_argument("--pandas-max", type=int, default=100_000, help="largest cohort for pandas groupby-apply")
    parser.add_argument("--pyrecist-max", type=int, default=100_000, help="largest cohort for pyrecist")
    parser.add_argument("--robustness-draws", type=int, default=0,
                        help="draws of `lesionwise robustness` on each cohort's marts (0: not run; issue 20: 100)")
    parser.add_argument("--robustness-max", type=int, default=100_000, help="largest cohort for the robustness draws")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before pyrecist (issue 5) or the robustness draws are stopped")
    parser.add_argument("--pandas-timeout", type=float, default=1800, help="seconds before pandas is stopped")
    parser.add_argument("--stats-timeout", type=float, default=1800, help="seconds before lesionwise stats is stopped")
    parser.add_argument("--work", default=str(PROJECT / "build" / "bench"), help="cohorts and databases go here")
    parser.add_argument("--results", default=str(HERE / "results"), help="CSV results go here")
    parser.add_argument("--no-markdown", dest="markdown", action="store_false", help="leave BENCHMARKS.md alone")
    parser.add_argument("--quiet", action="store_true", help="print the final table only")
    parser.add_argument("--floor", nargs=2, metavar=("INPUT", "DB"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.floor:
        run_floor(*args.floor)
        return 0
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
