"""The rules of the contract tables' columns (not NULL, one of a code list) are constraints
in their YAML; DuckDB keeps them on the tables it writes and rejects a row that breaks one."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent.parent
MODEL_YAML = sorted((PROJECT / "models" / "marts").rglob("*.yml"))  # the marts and marts/audit


def declared_constraints() -> set[tuple[str, str, str]]:
    """(table, NOT NULL or CHECK, column) for each column constraint in the YAML."""
    kinds = {"not_null": "NOT NULL", "check": "CHECK"}
    return {(model["name"], kinds[constraint["type"]], column["name"])
            for path in MODEL_YAML
            for model in yaml.safe_load(path.read_text())["models"]
            for column in model.get("columns", [])
            for constraint in column.get("constraints", [])}


def built_constraints(db_path: Path) -> set[tuple[str, str, str]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.sql("select table_name, constraint_type, constraint_column_names[1] "
                       "from duckdb_constraints() where constraint_type in ('NOT NULL', 'CHECK')").fetchall()
    return set(rows)


def test_every_declared_constraint_is_on_the_duckdb_table(contract_sample_db):
    declared = declared_constraints()
    assert ("fct_lesion_measurements", "CHECK", "lesion_response") in declared
    assert ("fct_evaluations", "NOT NULL", "overall_response") in declared
    # 30 of the first six tables, 6 of site_mapping and input_date_formats, 23 of the three beyond RECIST 1.1
    # and two dim_patients columns, 19 of the three *_by_reader marts (their contract marts' own)
    assert len(declared) == 78
    assert built_constraints(contract_sample_db) == declared


@pytest.mark.parametrize("update, broken", [
    ("update fct_lesion_measurements set lesion_response = 'XX' where lesion_response = 'PR'", "CHECK"),
    ("update fct_evaluations set dr_type = 'DR4' where dr_type = 'DR1'", "CHECK"),
    ("update fct_evaluations set overall_response = null where overall_response = 'PD'", "NOT NULL"),
    ("update dim_patients set patient_id = null where eligible", "NOT NULL"),
])
def test_duckdb_rejects_a_row_that_breaks_a_constraint(contract_sample_db, tmp_path, update, broken):
    db_copy = tmp_path / "copy.duckdb"
    shutil.copy(contract_sample_db, db_copy)
    with duckdb.connect(str(db_copy)) as con:
        with pytest.raises(duckdb.ConstraintException, match=broken):
            con.execute(update)


def test_dr_type_null_is_allowed_by_its_check(contract_sample_db, tmp_path):
    """A CHECK passes on NULL, as accepted_values did: an evaluation without DR has none."""
    db_copy = tmp_path / "copy.duckdb"
    shutil.copy(contract_sample_db, db_copy)
    with duckdb.connect(str(db_copy)) as con:
        con.execute("update fct_evaluations set dr_type = null where dr_type = 'DR1'")
        assert con.execute("select count(*) from fct_evaluations where dr_type is null").fetchone()[0] == 102 - 54 + 1
