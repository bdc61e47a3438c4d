"""A user's own export: the options that say how to read it (`--date-format`, `--site-map`)
as dbt vars, and what the build found worth telling (dates in another format, site texts no
keyword matched), read from the marts input_date_formats and site_mapping for the build's summary."""
from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from analysis_py.errors import UserError
from analysis_py.project import PROJECT_DIR

SHIPPED_KEYWORDS = PROJECT_DIR / "seeds" / "site_group_keywords.csv"
SITE_MAP_COLUMNS = ["keyword", "site_group"]
MAX_UNMATCHED_SITES = 10  # site texts named on the console; the mart site_mapping has them all


def input_vars(date_format: str | None, site_map: Path | None) -> dict[str, object]:
    """The dbt vars of the reading options that were given."""
    variables: dict[str, object] = {}
    if date_format:
        variables["date_format"] = date_format
    if site_map is not None:
        variables["site_map"] = read_site_map(site_map)
    return variables


def site_groups() -> list[str]:
    """The site groups a keyword may give: the shipped ones and `other`."""
    with SHIPPED_KEYWORDS.open(newline="", encoding="utf-8") as f:
        groups = dict.fromkeys(row["site_group"] for row in csv.DictReader(f))
    return [*groups, "other"]


def read_site_map(path: Path) -> list[list[str]]:
    """The rows of a site-map CSV (`keyword,site_group`), in order, as [keyword, site_group]."""
    if not path.is_file():
        raise UserError(f"--site-map {path}: no such file; give a CSV with the columns keyword,site_group")
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if [name.strip().lower() for name in reader.fieldnames or []] != SITE_MAP_COLUMNS:
            raise UserError(f"--site-map {path}: the header must be keyword,site_group "
                            f"(found {','.join(reader.fieldnames or [])})")
        rows = [[(value or "").strip() for value in row.values()] for row in reader]
    known = site_groups()
    for line, (keyword, group) in enumerate(rows, start=2):
        if not keyword:
            raise UserError(f"--site-map {path}, line {line}: the keyword is empty")
        if group not in known:
            raise UserError(f"--site-map {path}, line {line}: site_group '{group}' is not one of "
                            f"{', '.join(known)}")
    return rows


def build_notes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The lines the build's summary ends with: a date-format hint per file, and the site texts
    that matched no keyword (the marts input_date_formats and site_mapping)."""
    hints = [row[0] for row in con.execute(
        "select hint from input_date_formats where hint is not null order by source_file").fetchall()]
    unmatched = con.execute(
        "select site, n_lesions from site_mapping where matched_keyword is null "
        "order by n_lesions desc, site").fetchall()
    return hints + unmatched_sites_lines(unmatched)


def unmatched_sites_lines(unmatched: list[tuple[str, int]]) -> list[str]:
    """One line naming the site texts no keyword matched (group `other`), with their lesion counts."""
    if not unmatched:
        return []
    named = ", ".join(f"'{site}' ({n})" for site, n in unmatched[:MAX_UNMATCHED_SITES])
    more = len(unmatched) - MAX_UNMATCHED_SITES
    rest = f" and {more} more (table site_mapping)" if more > 0 else ""
    return [f"site texts that matched no keyword, grouped `other` (lesions): {named}{rest}; "
            "add keywords with --site-map FILE (docs/input-format.md)"]
