"""The same dbt models on a local Apache Spark (`--target spark`): the contract sample's marts,
read back from the Parquet export, equal the expected tables and the DuckDB build. Needs
Java; skipped without it unless LESIONWISE_REQUIRE_SPARK is set (CI sets it)."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis_py.warehouse.build import PROJECT_DIR, run_dbt_build
from analysis_py.warehouse.marts import MARTS, read_marts
from conftest import CONTRACT_SAMPLE
from test_export import CONTRACT_TABLES, in_order

TOOLS = Path(__file__).resolve().parent.parent / "tools"
SPARK_LEFTOVERS = ("metastore_db", "derby.log", "spark-warehouse")


def spark_missing() -> str | None:
    """Why a local Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (`make build TARGET=spark` installs the `spark` extra; `make test` does with LESIONWISE_REQUIRE_SPARK=1)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (Spark needs Java 17: apt-get install openjdk-17-jre-headless)"
    return None


def sample_with_parquet_procedures(folder: Path) -> Path:
    """The contract sample's input, with procedures.csv given as procedures.parquet instead,
    a folder of one part file as Spark writes it, its date typed: the same build then also
    reads a Parquet input."""
    shutil.copytree(CONTRACT_SAMPLE / "input", folder, ignore=shutil.ignore_patterns("procedures.csv"))
    (folder / "procedures.parquet").mkdir()
    duckdb.sql(f"""select * replace (cast(procedure_date as date) as procedure_date)
                   from read_csv('{(CONTRACT_SAMPLE / "input" / "procedures.csv").as_posix()}', all_varchar = true)
                """).write_parquet(str(folder / "procedures.parquet" / "part-00000.parquet"))
    return folder


@pytest.fixture(scope="module")
def spark_export(tmp_path_factory) -> Path:
    """The contract sample built on a local Spark, exported as Parquet. Spark's metastore and
    warehouse go to a temporary folder, removed afterwards, like dbt's target and logs."""
    reason = spark_missing()
    if reason:
        if os.environ.get("LESIONWISE_REQUIRE_SPARK"):
            pytest.fail(f"LESIONWISE_REQUIRE_SPARK is set but {reason}")
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("spark")
    sample = sample_with_parquet_procedures(work / "input")
    before = {name for name in SPARK_LEFTOVERS if (PROJECT_DIR / name).exists()}
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LESIONWISE_SPARK_DIR", str(work / "spark"))
        env.setenv("LESIONWISE_SPARK_SCHEMA", "lesionwise_test")
        env.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        env.setenv("DBT_TARGET_PATH", str(work / "target"))
        env.setenv("DBT_LOG_PATH", str(work / "logs"))
        try:
            run_dbt_build(sample, work / "unused.duckdb", target="spark",
                          quiet=True, export_dir=work / "export")
        finally:
            shutil.rmtree(work / "spark", ignore_errors=True)
            created = {name for name in SPARK_LEFTOVERS if (PROJECT_DIR / name).exists()} - before
            for name in created:                            # a Spark that ignored the settings
                path = PROJECT_DIR / name
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    assert not created, f"Spark wrote {', '.join(sorted(created))} into the project folder"
    return work / "export"


def load_compare_marts():
    spec = importlib.util.spec_from_file_location("compare_marts", TOOLS / "compare_marts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parquet_views(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per exported table."""
    con = duckdb.connect()
    for name in CONTRACT_TABLES:
        con.execute(f"create view {name} as select * from read_parquet('{(folder / name).as_posix()}.parquet')")
    return con


def test_spark_writes_one_parquet_file_per_contract_table(spark_export):
    written = (*CONTRACT_TABLES, "build_settings", "build_record", "build_input_files")
    assert sorted(p.name for p in spark_export.iterdir()) == sorted(f"{t}.parquet" for t in written)
    assert all(p.is_file() for p in spark_export.iterdir())


def test_spark_marts_have_zero_mismatches_with_the_expected_tables(spark_export):
    compare = load_compare_marts()
    expected = str(CONTRACT_SAMPLE / "expected")
    with parquet_views(spark_export) as con:
        results = [compare.compare_table(con, name, spec, expected, True, frozenset())
                   for name, spec in compare.TABLES.items()]
        results.append(compare.compare_issues_exact(con, expected))
    mismatches = {r.name: r.examples for r in results if r.mismatches}
    assert not mismatches
    assert sum(r.checked for r in results) > 4000


def test_spark_tables_equal_the_duckdb_tables_in_every_column_and_type(spark_export, contract_sample_db):
    with parquet_views(spark_export) as con:
        con.execute(f"attach '{contract_sample_db.as_posix()}' as duck (read_only)")
        for name in CONTRACT_TABLES:
            spark_types = con.execute(f"describe select * from {name}").fetchall()
            duck_types = con.execute(f"describe select * from duck.main.{name}").fetchall()
            assert [c[:2] for c in spark_types] == [c[:2] for c in duck_types], name
            for left, right in [(name, f"duck.main.{name}"), (f"duck.main.{name}", name)]:
                rows = con.execute(f"select * from {left} except all select * from {right}").fetchall()
                assert not rows, f"{name}: rows only in {left}: {rows[:3]}"


def test_stats_layer_reads_the_spark_export_as_it_reads_the_duckdb_file(spark_export, contract_sample_db):
    from_spark, from_duckdb = read_marts(spark_export), read_marts(contract_sample_db)
    for name in MARTS:
        pd.testing.assert_frame_equal(in_order(from_spark[name]), in_order(from_duckdb[name]), obj=name)


def test_spark_checks_the_column_constraints_duckdb_enforces(spark_export):
    """Spark enforces no constraint on Parquet tables: the build ran constraints_hold on each
    contract table instead, and it checked the constraints of the YAML."""
    target = spark_export.parent / "target"
    results = json.loads((target / "run_results.json").read_text())["results"]
    checks = {r["unique_id"].split(".")[2].rstrip("_"): r["status"] for r in results if ".constraints_hold_" in r["unique_id"]}
    assert sorted(checks) == sorted(f"constraints_hold_{table}" for table in CONTRACT_TABLES)
    assert set(checks.values()) == {"pass"}
    [compiled] = [path for path in (target / "compiled").rglob("constraints_hold_fct_lesion_measurements*.sql")
                  if "by_reader" not in path.name]
    sql = " ".join(compiled.read_text().split())
    assert "patient_id is null or lesion_id is null or assessment_date is null" in sql
    assert "or lesion_response is null or not (lesion_response in ('CR', 'PR', 'SD', 'PD', 'NE'))" in sql
