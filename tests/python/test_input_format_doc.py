"""docs/input-format.md against the single declarations it documents: the input source's
YAML (files, columns, required flags), the code lists (macros/codes.sql), the site keywords
and the data issue rules (seeds). A file, column, flag, code, keyword or rule that is missing
or wrong in the doc fails here."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "input-format.md"


def doc_sections() -> dict[str, str]:
    """The doc's `## ` sections by heading."""
    parts = re.split(r"^## (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in `text`, as stripped cells."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    return [row for row in rows if not set("".join(row)) <= set("-")][1:]


def input_files() -> list[dict]:
    source = yaml.safe_load((ROOT / "models" / "staging" / "_input_sources.yml").read_text())["sources"][0]
    return source["tables"]


def code_lists() -> dict[str, list[str]]:
    text = (ROOT / "macros" / "codes.sql").read_text()
    return {name: re.findall(r"'([^']+)'", codes) for name, codes in re.findall(r"'(\w+)': \[([^\]]*)\]", text)}


def seed(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("table", input_files(), ids=lambda t: t["name"])
def test_each_input_file_and_column_is_documented_with_its_required_flag(table):
    sections = doc_sections()
    flag = "required" if table["meta"]["required"] else "optional"
    heading = f"{table['name']}.csv ({flag})"
    assert heading in sections, f"no section '## {heading}' in {DOC.name}"
    rows = table_rows(sections[heading])
    documented = {row[0]: row for row in rows}
    declared = [column["name"] for column in table["columns"]]
    assert [row[0] for row in rows] == declared
    for column in table["columns"]:
        required = "yes" if column.get("meta", {}).get("required") else "no"
        assert documented[column["name"]][2] == required, f"{table['name']}.{column['name']}: required flag"


def test_each_coded_column_lists_exactly_its_codes():
    lists = code_lists()
    checked = 0
    for table in input_files():
        rows = {row[0]: row for row in table_rows(doc_sections()[next(
            h for h in doc_sections() if h.startswith(table["name"] + ".csv"))])}
        for column in table["columns"]:
            if column["name"] in lists:
                assert re.findall(r"`([^`]+)`", rows[column["name"]][1]) == lists[column["name"]], column["name"]
                checked += 1
    # sex, role, status (twice), new_lesions, non_target_response, non_target_increase, procedure, target
    assert checked == 9


def test_the_site_keywords_are_the_shipped_ones_in_their_order():
    shipped: dict[str, list[str]] = {}
    for row in sorted(seed("site_group_keywords"), key=lambda r: int(r["precedence"])):
        shipped.setdefault(row["site_group"], []).append(row["keyword"])
    rows = table_rows(doc_sections()["Site keywords"])
    documented = {row[0]: row[1].split(", ") for row in rows if row[0] != "other"}
    assert list(documented) == list(shipped)
    assert {group: sorted(words) for group, words in documented.items()} == \
        {group: sorted(words) for group, words in shipped.items()}


def test_every_data_issue_rule_is_documented_with_its_severity_and_fix():
    rows = {row[0].strip("`"): row for row in table_rows(doc_sections()["What each bad input gets"])}
    for rule in seed("data_issue_rules"):
        assert rule["rule"] in rows, f"rule {rule['rule']} missing from {DOC.name}"
        assert rows[rule["rule"]][1:] == [rule["severity"], rule["description"], rule["how_to_fix"]], rule["rule"]
    assert len(rows) == len(seed("data_issue_rules"))


def test_messages_and_readme_point_to_the_doc():
    assert "see docs/input-format.md" in (ROOT / "macros" / "input_files.sql").read_text()
    assert "docs/input-format.md" in (ROOT / "README.md").read_text()
