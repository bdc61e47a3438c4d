"""A user's own export through `lesionwise build`: dates day-first (the build names the
option, then reads them with --date-format), French site names grouped as the English ones,
a site map tried first, and its mistakes as one line."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import CONTRACT_SAMPLE, read_table

LESIONWISE = str(Path(sys.executable).with_name("lesionwise"))
FRENCH_SITES = {"Lung": "Poumon droit", "Liver": "Métastase hépatique", "lymph node": "Ganglion médiastinal",
                "adrenal": "Surrénale gauche", "Bone": "Lésion osseuse"}
SAME_MARTS = ("dim_patients", "fct_evaluations", "fct_lesion_measurements", "cohort_flow", "data_issues")


def lesionwise_build(folder: Path, db: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([LESIONWISE, "build", "--input", str(folder), "--db", str(db), *options],
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def french_export(tmp_path_factory) -> Path:
    """The contract sample with dates DD/MM/YYYY and French site names."""
    folder = tmp_path_factory.mktemp("french") / "input"
    shutil.copytree(CONTRACT_SAMPLE / "input", folder)
    for path in folder.glob("*.csv"):
        path.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", path.read_text()))
    lesions = folder / "lesions.csv"
    lines = lesions.read_text().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        row[3] = FRENCH_SITES.get(row[3], row[3])
    lesions.write_text("\n".join([lines[0], *(",".join(row) for row in rows)]) + "\n", encoding="utf-8")
    return folder


def test_day_first_dates_get_a_hint_naming_the_option(french_export, tmp_path):
    result = lesionwise_build(french_export, tmp_path / "iso.duckdb")
    assert result.returncode == 1  # no inclusion date parses: no patient is eligible
    assert result.stderr.startswith("error: no patient is eligible among 60 screened"), result.stderr
    assert ("measurements.csv: 574 of 574 dates are not ISO (YYYY-MM-DD) but look like %d/%m/%Y: "
            "build with --date-format '%d/%m/%Y'") in result.stdout.splitlines()
    assert sum("but look like %d/%m/%Y" in line for line in result.stdout.splitlines()) == 4


def test_the_french_export_with_its_date_format_gives_the_plain_marts(french_export, tmp_path, contract_sample_db):
    site_map = tmp_path / "sites.csv"
    site_map.write_text("keyword,site_group\nKidney,other\n")
    db = tmp_path / "french.duckdb"
    result = lesionwise_build(french_export, db, "--date-format", "%d/%m/%Y", "--site-map", str(site_map))
    assert result.returncode == 0, result.stderr
    for name in SAME_MARTS:
        pd.testing.assert_frame_equal(in_order(read_table(db, name)), in_order(read_table(contract_sample_db, name)),
                                      obj=name)
    lesions = read_table(db, "dim_target_lesions").drop(columns="site")
    pd.testing.assert_frame_equal(in_order(lesions), in_order(read_table(contract_sample_db, "dim_target_lesions")
                                                              .drop(columns="site")))
    mapping = read_table(db, "site_mapping").set_index("site")
    assert mapping.loc["Ganglion médiastinal", ["site_group", "matched_keyword"]].tolist() == ["lymph_node", "ganglion"]
    assert mapping.loc["Surrénale gauche", ["site_group", "matched_keyword"]].tolist() == ["adrenal", "surrenal"]
    assert mapping.loc["kidney", ["site_group", "matched_keyword"]].tolist() == ["other", "kidney"]
    assert ("site texts that matched no keyword, grouped `other` (lesions): 'pleura' (6), 'soft tissue' (6), "
            "'skin' (5), 'muscle' (3), 'spleen' (2), 'peritoneum' (1); add keywords with --site-map FILE "
            "(docs/input-format.md)") in result.stdout.splitlines()
    assert "dates are not" not in result.stdout


def in_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.mark.parametrize("content, message", [
    ("keyword,site_group\nplevre,pleura\n",
     ", line 2: site_group 'pleura' is not one of lymph_node, lung, liver, adrenal, bone, head_neck, other"),
    ("keyword,group\nplevre,lung\n", ": the header must be keyword,site_group (found keyword,group)"),
    ("keyword,site_group\n,lung\n", ", line 2: the keyword is empty"),
])
def test_a_wrong_site_map_is_one_line(tmp_path, content, message):
    site_map = tmp_path / "sites.csv"
    site_map.write_text(content)
    result = lesionwise_build(CONTRACT_SAMPLE / "input", tmp_path / "x.duckdb", "--site-map", str(site_map))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: --site-map {site_map}{message}"
    assert "Traceback" not in result.stderr


def test_an_unsupported_date_format_stops_the_build_saying_what_is_supported(tmp_path):
    result = lesionwise_build(CONTRACT_SAMPLE / "input", tmp_path / "x.duckdb", "--date-format", "%b %Y")
    assert result.returncode == 1
    assert ("date format '%b %Y': %b is not supported; supported are %d, %m, %Y, %y and the separators "
            "/ . - : , and space") in result.stderr
