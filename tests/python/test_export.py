"""The Parquet export (`make build EXPORT=<folder>`) on the DuckDB target, and how the stats
layer reads it."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analysis_py.warehouse.build import run_dbt_build, single_parquet_files
from analysis_py.warehouse.record import input_files, now, record_row, write_record_parquet
from analysis_py.warehouse.marts import MARTS, read_marts
from analysis_py.errors import UserError
from conftest import CONTRACT_SAMPLE

CONTRACT_TABLES = (*MARTS, "data_issues", "fct_response_audit", "site_mapping", "input_date_formats",
                   "fct_dissociated_response", "fct_dissociated_response_patients", "fct_evaluations_irecist",
                   "fct_lesion_measurements_by_reader", "fct_evaluations_by_reader", "dim_patients_by_reader")
RECORD_TABLES = ("build_settings", "build_record", "build_input_files")


def record_build(folder) -> None:
    """The build record a passed build writes beside its Parquet tables."""
    write_record_parquet(folder, record_row(now(), CONTRACT_SAMPLE / "input", "duckdb", {}),
                         input_files(CONTRACT_SAMPLE / "input"))


def test_duckdb_export_writes_each_contract_table_and_reads_back_the_same(tmp_path, contract_sample_db):
    export = tmp_path / "export"
    run_dbt_build(CONTRACT_SAMPLE / "input", tmp_path / "lesionwise.duckdb", quiet=True, export_dir=export)
    assert sorted(p.name for p in export.iterdir()) == sorted(f"{t}.parquet" for t in CONTRACT_TABLES + RECORD_TABLES)
    from_parquet, from_duckdb = read_marts(export), read_marts(contract_sample_db)
    for name in MARTS:
        pd.testing.assert_frame_equal(in_order(from_parquet[name]), in_order(from_duckdb[name]), obj=name)


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted on every column: a table's row order is not part of the contract."""
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_a_failed_build_leaves_the_earlier_export_as_it_was(tmp_path, sample_copy):
    export = tmp_path / "export"
    run_dbt_build(CONTRACT_SAMPLE / "input", tmp_path / "lesionwise.duckdb", quiet=True, export_dir=export)
    before = {p.name: p.read_bytes() for p in export.iterdir()}
    with (sample_copy / "patients.csv").open("a") as patients:
        patients.write("P-BAD,TRIAL06,F,73,Adrenocortical,1,anti-PD-1,not-a-date,,,,\n")
    with pytest.raises(UserError):
        run_dbt_build(sample_copy, tmp_path / "lesionwise.duckdb", strict=True, quiet=True, export_dir=export)
    assert {p.name: p.read_bytes() for p in export.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "input", "lesionwise.duckdb"]


def test_an_export_folder_holding_other_files_is_refused(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "notes.txt").write_text("not ours")
    with pytest.raises(UserError, match=r"--export .*export holds files a build does not write \(notes.txt\)"):
        run_dbt_build(CONTRACT_SAMPLE / "input", tmp_path / "lesionwise.duckdb", quiet=True, export_dir=export)
    assert [p.name for p in export.iterdir()] == ["notes.txt"]


def test_a_parquet_folder_without_a_build_record_is_refused(tmp_path):
    duckdb.sql("select 'eligible' as reason, 1 as n_patients").write_parquet(str(tmp_path / "cohort_flow.parquet"))
    with pytest.raises(UserError, match="has no record of a completed build"):
        read_marts(tmp_path, ("cohort_flow",))


def test_a_spark_parquet_folder_becomes_one_file_and_reads_either_way(tmp_path):
    spark_style = tmp_path / "cohort_flow.parquet"
    spark_style.mkdir()
    part = spark_style / "part-00000-abc-c000.snappy.parquet"
    duckdb.sql("select * from (values ('eligible', 35), ('other', 2)) as t(reason, n_patients)").write_parquet(str(part))
    frame = duckdb.sql(f"select * from read_parquet('{part.as_posix()}')").df()
    (spark_style / "_SUCCESS").touch()
    record_build(tmp_path)
    pd.testing.assert_frame_equal(read_marts(tmp_path, ("cohort_flow",))["cohort_flow"], frame)
    single_parquet_files(tmp_path)
    assert spark_style.is_file()
    pd.testing.assert_frame_equal(read_marts(tmp_path, ("cohort_flow",))["cohort_flow"], frame)
