"""Documentation that users rely on: every mart column described, README queries run."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml

from conftest import read_table

ROOT = Path(__file__).resolve().parent.parent.parent
MART_YAML = sorted((ROOT / "models" / "marts").rglob("*.yml"))  # the marts and marts/audit


def documented_columns() -> dict[str, dict[str, str]]:
    models = {}
    for path in MART_YAML:
        for model in yaml.safe_load(path.read_text())["models"]:
            models[model["name"]] = {c["name"]: c.get("description", "") for c in model["columns"]}
    return models


def test_every_mart_column_is_described_and_exists(contract_sample_db):
    for model, columns in documented_columns().items():
        actual = list(read_table(contract_sample_db, model).columns)
        assert list(columns) == actual, f"{model}: YAML columns differ from the table"
        undescribed = [c for c, text in columns.items() if len(text.strip()) < 10]
        assert not undescribed, f"{model}: columns without a description: {undescribed}"


def readme_queries() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_readme_queries_answer_on_the_contract_sample(contract_sample_db):
    queries = readme_queries()
    assert len(queries) == 3
    with duckdb.connect(str(contract_sample_db), read_only=True) as con:
        prevalence, progressing, by_site = (con.sql(q).df() for q in queries)
    assert prevalence.set_index("dr_type")["evaluations"].to_dict() == {"DR1": 1, "DR2": 24, "DR3": 29, "none": 48}
    assert len(progressing) >= 1 and set(progressing.columns) >= {"patient_id", "lesion_id", "site"}
    assert by_site["target_lesions"].sum() == 111


def test_every_make_target_is_documented():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][a-z-]*):(?!=)", makefile, flags=re.M)
    undocumented = [t for t in targets if not re.search(rf"^{t}:.*## ", makefile, flags=re.M)]
    assert not undocumented
