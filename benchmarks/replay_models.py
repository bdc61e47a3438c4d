"""Per-model wall and CPU time of a dbt build, without dbt: the compiled models and data tests
of a finished build, replayed one after another in one DuckDB connection (BENCHMARKS.md,
"What bounds the remaining time").

    DBT_TARGET_PATH=/tmp/t lesionwise build --input DIR --db /tmp/m.duckdb   # compiles every node
    python benchmarks/replay_models.py --target-path /tmp/t --built-db /tmp/m.duckdb --db /tmp/replay.duckdb

`--profile DIR` also writes DuckDB's JSON profile (the operator tree of EXPLAIN ANALYZE) of
each model to DIR/<model>.json.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent


def build_order(manifest: dict) -> list[dict]:
    """The project's seeds, models and data tests in dependency order."""
    nodes = {key: node for key, node in manifest["nodes"].items()
             if node["resource_type"] in ("seed", "model", "test") and node["package_name"] == "lesionwise"}
    order, seen = [], set()

    def visit(key: str) -> None:
        if key in seen or key not in nodes:
            return
        seen.add(key)
        for parent in nodes[key]["depends_on"].get("nodes", []):
            visit(parent)
        order.append(nodes[key])
    for key in nodes:
        visit(key)
    return order


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (MB): the node that raises it is the peak's."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", required=True, help="DBT_TARGET_PATH of the finished build")
    parser.add_argument("--built-db", required=True, help="the DuckDB file that build wrote (its name is in the SQL)")
    parser.add_argument("--db", required=True, help="a new DuckDB file to replay into, or :memory:")
    parser.add_argument("--profile", help="folder for one JSON profile per model")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a DuckDB setting for the replay (repeatable), e.g. preserve_insertion_order=false")
    parser.add_argument("--min-seconds", type=float, default=0.0, help="print only nodes at least this long")
    args = parser.parse_args()

    manifest = json.loads((Path(args.target_path) / "manifest.json").read_text())
    database = Path(args.built_db).stem
    if args.db != ":memory:":
        Path(args.db).unlink(missing_ok=True)
    con = duckdb.connect(args.db, config={"storage_compatibility_version": "v1.5.0"})
    con.execute("SET enable_progress_bar = false")
    # a staging model's post-hook keeps the CSV reader's rejects of the build's own connection:
    # the replay copies them from the built file
    con.execute(f"ATTACH '{args.built_db}' AS built (READ_ONLY)")
    for setting in args.set:
        name, value = setting.split("=", 1)
        con.execute(f"SET {name} = '{value}'")
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    totals = {"wall": 0.0, "cpu": 0.0}
    print(f"{'wall s':>7} {'CPU s':>7} {'RSS MB':>7}  node")
    for node in build_order(manifest):
        sql = (node.get("compiled_code") or "").replace(f'"{database}"."main".', "")
        if node["resource_type"] == "seed":
            statement = (f"create table {node['name']} as select * from "
                         f"read_csv('{PROJECT / node['original_file_path']}', header = true)")
        elif node["resource_type"] == "model":
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            statement = f"create or replace {kind} {node['name']} as {sql}"
        elif sql:
            statement = f"select count(*) from ({sql})"
        else:
            continue
        if args.profile and node["resource_type"] == "model":
            con.execute("PRAGMA enable_profiling = 'json'")
            con.execute(f"PRAGMA profiling_output = '{Path(args.profile) / (node['name'] + '.json')}'")
        wall, cpu = time.perf_counter(), time.process_time()
        con.execute(statement).fetchall()
        if any("keep_malformed_rows" in hook["sql"] for hook in node["config"].get("post-hook", [])):
            con.execute(f"create or replace table {node['name']}__malformed as "
                        f"select * from built.main.{node['name']}__malformed")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if args.profile:
            con.execute("PRAGMA disable_profiling")
        totals["wall"] += wall
        totals["cpu"] += cpu
        if wall >= args.min_seconds:
            print(f"{wall:7.2f} {cpu:7.2f} {peak_rss_mb():7.0f}  {node['resource_type']} {node['name']}")
    print(f"{totals['wall']:7.2f} {totals['cpu']:7.2f}  total")


if __name__ == "__main__":
    main()
