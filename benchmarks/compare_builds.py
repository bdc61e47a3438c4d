"""`dbt build` of this checkout against an earlier commit, run after run in turns, on one input.

The machine's speed drifts by about 10 % over minutes (BENCHMARKS.md), more than many
changes gain; builds of the two versions taken in turns share that drift, so their medians
compare. The earlier commit is checked out in a temporary git worktree; both run the dbt
arguments of this checkout, after one warm-up build each (partial parsing).

    python benchmarks/compare_builds.py --base HEAD~1 --input build/bench/cohort-1000000 --runs 3
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from run import PROJECT, Measurement, build_arguments, dbt_command, dbt_environment, measure, remove_database


def timed_build(label: str, project: Path, input_dir: Path, work: Path) -> Measurement:
    """One `dbt build` of `project` on `input_dir` into a new DuckDB file `<label>.duckdb`."""
    db = work / f"{label}.duckdb"
    remove_database(db)
    env = dbt_environment(input_dir, db)
    env.update(DBT_TARGET_PATH=str(work / f"{label}-target"), DBT_LOG_PATH=str(work / f"{label}-logs"))
    log = work / f"{label}.log"
    result = measure(dbt_command([*build_arguments("duckdb"), "--quiet"], project), env=env, log=log)
    if result.returncode != 0:
        raise SystemExit(f"dbt build of {project} failed: see {log}")
    return result


def summary(name: str, runs: list[Measurement]) -> str:
    walls = [r.seconds for r in runs]
    return (f"{name:<6} median {statistics.median(walls):6.2f} s  (min {min(walls):.2f}, max {max(walls):.2f})  "
            f"CPU {statistics.median(r.cpu_seconds for r in runs):6.2f} s  peak {max(r.peak_rss_mb for r in runs):,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="the earlier commit (any git revision)")
    parser.add_argument("--input", type=Path, required=True, help="an input folder, e.g. a make bench cohort")
    parser.add_argument("--runs", type=int, default=3, help="timed builds of each version")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="compare-builds-"))
    base = work / "base"
    subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", "--quiet", str(base), args.base],
                   check=True)
    projects = {"base": base, "head": PROJECT}
    input_dir = args.input.resolve()
    try:
        for label, project in projects.items():
            timed_build(label, project, input_dir, work)  # warm-up: parses the project
        runs: dict[str, list[Measurement]] = {"base": [], "head": []}
        for turn in range(args.runs):
            for label in (("base", "head") if turn % 2 == 0 else ("head", "base")):
                runs[label].append(timed_build(label, projects[label], input_dir, work))
                print(f"  run {turn + 1} {label}: {runs[label][-1].seconds:6.2f} s", flush=True)
        print(summary("base", runs["base"]) + f"   {args.base}")
        print(summary("head", runs["head"]) + "   this checkout")
        delta = statistics.median(r.seconds for r in runs["head"]) - statistics.median(r.seconds for r in runs["base"])
        print(f"head - base: {delta:+.2f} s (medians of {args.runs})")
    finally:
        subprocess.run(["git", "-C", str(PROJECT), "worktree", "remove", "--force", str(base)], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
