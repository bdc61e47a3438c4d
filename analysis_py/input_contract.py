"""The input contract as the project declares it once, for every Python reader and writer of
the input format (the simulator, the SDTM importer, the build's file check, the doc test):

- files and columns: the dbt source `input` (models/staging/_input_sources.yml, and any other
  YAML under models/ that adds files to that source, such as the SDTM import's two): each
  file in order, whether it is required, its columns in order and their flags (`meta`);
- code lists: macro contract_codes (macros/codes.sql), where staging reads them: dbt's unit
  tests compile a model without the sources' YAML, so dbt keeps them in a macro;
- site keywords: the seed site_group_keywords, and the rule that applies them.
"""
from __future__ import annotations

import ast
import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from analysis_py.project import PROJECT_DIR

SOURCE = "input"
CONTRACT_YAML = "models/staging/_input_sources.yml"
CODES_MACRO = "macros/codes.sql"
SITE_KEYWORDS_SEED = "seeds/site_group_keywords.csv"
NO_SITE_GROUP = "other"  # a site text with no keyword (int_site_texts_grouped)
CODE_LISTS = re.compile(r"\{%-? set lists = (\{.*?\}) -?%\}", re.S)


@dataclass(frozen=True)
class ContractColumn:
    """A column of an input file. `required`: a row needs a value; `required_column`: the
    header needs the column, though values may be empty; `decimal`: read with a decimal
    comma in a ';'- or tab-separated file."""

    name: str
    required: bool
    required_column: bool
    decimal: bool


@dataclass(frozen=True)
class ContractFile:
    """An input file `<name>.csv`: `required` files must be in the folder."""

    name: str
    required: bool
    description: str
    columns: tuple[ContractColumn, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def contract_files(project_dir: Path = PROJECT_DIR) -> dict[str, ContractFile]:
    """Every file of the `input` source by name, in the order declared (the contract's YAML
    first, then the other YAML files under models/ in path order)."""
    return dict(_contract_files(project_dir.resolve()))  # a copy: the cached one stays as read


@cache
def _contract_files(project_dir: Path) -> dict[str, ContractFile]:
    files = {}
    for path in source_yaml_files(project_dir):
        for source in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sources") or []:
            if source["name"] == SOURCE:
                files.update((table["name"], contract_file(table)) for table in source["tables"])
    return files


def source_yaml_files(project_dir: Path) -> list[Path]:
    """The YAML files under models/, the contract's own first."""
    contract = project_dir / CONTRACT_YAML
    return [contract, *sorted(path for path in (project_dir / "models").rglob("*.yml") if path != contract)]


def contract_file(table: dict) -> ContractFile:
    columns = tuple(ContractColumn(column["name"], bool(meta(column).get("required")),
                                   bool(meta(column).get("required_column")), bool(meta(column).get("decimal")))
                    for column in table["columns"])
    return ContractFile(table["name"], bool(meta(table).get("required")), table.get("description", ""), columns)


def meta(node: dict) -> dict:
    return node.get("meta") or {}


def columns(file: str, leave_out: Iterable[str] = (), project_dir: Path = PROJECT_DIR) -> tuple[str, ...]:
    """The columns of input file `file` in the contract's order, without `leave_out` (columns
    a writer does not fill; each must be one of the file's, so a renamed column fails here)."""
    declared = contract_files(project_dir)[file].column_names
    unknown = [name for name in leave_out if name not in declared]
    if unknown:
        raise ValueError(f"{file}.csv has no column {', '.join(unknown)} in the contract")
    return tuple(name for name in declared if name not in leave_out)


def code_lists(project_dir: Path = PROJECT_DIR) -> dict[str, tuple[str, ...]]:
    """The contract's code lists by name, in their order, as macro contract_codes holds them."""
    return _code_lists(project_dir.resolve())


@cache
def _code_lists(project_dir: Path) -> dict[str, tuple[str, ...]]:
    found = CODE_LISTS.search((project_dir / CODES_MACRO).read_text(encoding="utf-8"))
    if found is None:
        raise ValueError(f"{CODES_MACRO}: no `set lists = {{...}}` in macro contract_codes")
    return {name: tuple(codes) for name, codes in ast.literal_eval(found.group(1)).items()}


def codes(name: str, project_dir: Path = PROJECT_DIR) -> tuple[str, ...]:
    """One code list of the contract, e.g. codes('status')."""
    return code_lists(project_dir)[name]


@dataclass(frozen=True)
class SiteKeyword:
    """A row of the seed site_group_keywords: a site text holding `keyword` (both folded)
    is in `site_group`; the lowest `precedence` wins."""

    keyword: str
    site_group: str
    precedence: int


def site_keywords(project_dir: Path = PROJECT_DIR) -> tuple[SiteKeyword, ...]:
    """The shipped site keywords, by precedence."""
    return _site_keywords(project_dir.resolve())


@cache
def _site_keywords(project_dir: Path) -> tuple[SiteKeyword, ...]:
    with (project_dir / SITE_KEYWORDS_SEED).open(newline="", encoding="utf-8") as seed:
        rows = [SiteKeyword(row["keyword"], row["site_group"], int(row["precedence"])) for row in csv.DictReader(seed)]
    return tuple(sorted(rows, key=lambda row: (row.precedence, row.keyword)))


def folded(text: str) -> str:
    """`text` in lower case without accents (`Ganglion médiastinal` -> `ganglion mediastinal`)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def site_group(site: str, project_dir: Path = PROJECT_DIR) -> str:
    """The site group the shipped keywords give a site text, by the rule of
    int_site_texts_grouped (without the user's --site-map keywords): of the keywords found
    anywhere in the folded text, the one of lowest precedence, then found first; `other`
    when none is."""
    text = folded(site)
    found = [(row.precedence, text.index(row.keyword), row.keyword, row.site_group)
             for row in site_keywords(project_dir) if row.keyword in text]
    return min(found)[3] if found else NO_SITE_GROUP
