"""The Parquet export (`make build EXPORT=<folder>`) on the DuckDB target, and how the stats
layer reads it."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analysis_py.build import run_dbt_build, single_parquet_files
from analysis_py.db import MARTS, read_marts
from analysis_py.errors import UserError
from conftest import CONTRACT_SAMPLE

CONTRACT_TABLES = (*MARTS, "data_issues", "fct_response_audit", "fct_dissociated_response",
                   "fct_dissociated_response_patients", "fct_evaluations_irecist")


def test_duckdb_export_writes_each_contract_table_and_reads_back_the_same(tmp_path, contract_sample_db):
    export = tmp_path / "export"
    run_dbt_build(CONTRACT_SAMPLE / "input", tmp_path / "lesionwise.duckdb", quiet=True, export_dir=export)
    assert sorted(p.name for p in export.iterdir()) == sorted(f"{t}.parquet" for t in CONTRACT_TABLES)
    from_parquet, from_duckdb = read_marts(export), read_marts(contract_sample_db)
    for name in MARTS:
        pd.testing.assert_frame_equal(in_order(from_parquet[name]), in_order(from_duckdb[name]), obj=name)


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted on every column: a table's row order is not part of the contract."""
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_a_failed_build_exports_nothing_and_leaves_no_earlier_export(tmp_path, sample_copy):
    with (sample_copy / "patients.csv").open("a") as patients:
        patients.write("P-BAD,TRIAL06,F,73,Adrenocortical,1,anti-PD-1,not-a-date,,,,\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "dim_patients.parquet").write_text("from an earlier build")
    (export / "notes.parquet").write_text("not ours")
    with pytest.raises(UserError):
        run_dbt_build(sample_copy, tmp_path / "lesionwise.duckdb", strict=True, quiet=True, export_dir=export)
    assert [p.name for p in export.iterdir()] == ["notes.parquet"]


def test_a_spark_parquet_folder_becomes_one_file_and_reads_either_way(tmp_path):
    spark_style = tmp_path / "cohort_flow.parquet"
    spark_style.mkdir()
    part = spark_style / "part-00000-abc-c000.snappy.parquet"
    duckdb.sql("select * from (values ('eligible', 35), ('other', 2)) as t(reason, n_patients)").write_parquet(str(part))
    frame = duckdb.sql(f"select * from read_parquet('{part.as_posix()}')").df()
    (spark_style / "_SUCCESS").touch()
    pd.testing.assert_frame_equal(read_marts(tmp_path, ("cohort_flow",))["cohort_flow"], frame)
    single_parquet_files(tmp_path)
    assert spark_style.is_file()
    pd.testing.assert_frame_equal(read_marts(tmp_path, ("cohort_flow",))["cohort_flow"], frame)
