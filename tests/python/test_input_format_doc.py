"""docs/input-format.md against the single declarations it documents, as
analysis_py/input_contract.py reads them: the input source's YAML (files, columns, required
flags), the code lists (macro contract_codes), the site keywords (seed); and the data issue
rules (seed). A file, column, flag, code, keyword or rule that is missing or wrong in the doc
fails here. The files the SDTM import adds are documented in docs/sdtm-mapping.md."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from analysis_py import input_contract

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "input-format.md"
SDTM_DOC = ROOT / "docs" / "sdtm-mapping.md"


def doc_sections(doc: Path = DOC) -> dict[str, str]:
    """The doc's `## ` sections by heading."""
    parts = re.split(r"^## (.+)$", doc.read_text(encoding="utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in `text`, as stripped cells."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    return [row for row in rows if not set("".join(row)) <= set("-")][1:]


def section_of(file: str, doc: Path = DOC) -> str | None:
    """The section of `doc` whose heading starts with `<file>.csv`."""
    return next((text for heading, text in doc_sections(doc).items() if re.match(rf"{file}\.csv\b", heading)), None)


def documented_in(file: input_contract.ContractFile) -> Path:
    """docs/sdtm-mapping.md for a file whose description names it (the SDTM import's own
    files), else docs/input-format.md."""
    return SDTM_DOC if "docs/sdtm-mapping.md" in file.description else DOC


def input_files() -> list[input_contract.ContractFile]:
    """The files documented in docs/input-format.md."""
    return [file for file in input_contract.contract_files().values() if documented_in(file) == DOC]


def seed(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("file", input_contract.contract_files().values(), ids=lambda f: f.name)
def test_every_file_and_column_is_documented(file):
    section = section_of(file.name, documented_in(file))
    assert section is not None, f"{file.name}.csv has no section in {documented_in(file).name}"
    undocumented = [name for name in file.column_names if not re.search(rf"\b{name}\b", section)]
    assert not undocumented, f"{file.name}.csv: columns not documented: {undocumented}"


@pytest.mark.parametrize("file", input_files(), ids=lambda f: f.name)
def test_each_input_file_and_column_is_documented_with_its_required_flag(file):
    sections = doc_sections()
    heading = f"{file.name}.csv ({'required' if file.required else 'optional'})"
    assert heading in sections, f"no section '## {heading}' in {DOC.name}"
    rows = table_rows(sections[heading])
    assert [row[0] for row in rows] == list(file.column_names)
    for column, row in zip(file.columns, rows):
        assert row[2] == ("yes" if column.required else "no"), f"{file.name}.{column.name}: required flag"


def test_each_coded_column_lists_exactly_its_codes():
    lists = input_contract.code_lists()
    checked = 0
    for file in input_files():
        rows = {row[0]: row for row in table_rows(section_of(file.name))}
        for name in file.column_names:
            if name in lists:
                assert tuple(re.findall(r"`([^`]+)`", rows[name][1])) == lists[name], name
                checked += 1
    # sex, role, status (twice), new_lesions, non_target_response, non_target_increase, procedure, target
    assert checked == 9


def test_the_site_keywords_are_the_shipped_ones_in_their_order():
    shipped: dict[str, list[str]] = {}
    for row in input_contract.site_keywords():
        shipped.setdefault(row.site_group, []).append(row.keyword)
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
