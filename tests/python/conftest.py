"""Shared fixtures: build an input folder with the real pipeline into a DuckDB file."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis_py.warehouse.build import run_dbt_build

TEST_DATA = Path(__file__).resolve().parent.parent / "data"
CONTRACT_SAMPLE = TEST_DATA / "contract-sample"


def build_marts(input_dir: Path, db_path: Path) -> Path:
    """Runs `dbt build` on `input_dir` (quietly) and returns the DuckDB file."""
    run_dbt_build(input_dir, db_path, quiet=True)
    return db_path


def read_table(db_path: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.sql(f"select * from {table}").df()


@pytest.fixture(scope="session")
def contract_sample_db(tmp_path_factory) -> Path:
    return build_marts(CONTRACT_SAMPLE / "input", tmp_path_factory.mktemp("sample") / "sample.duckdb")


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the contract sample's input folder."""
    folder = tmp_path / "input"
    shutil.copytree(CONTRACT_SAMPLE / "input", folder)
    return folder
