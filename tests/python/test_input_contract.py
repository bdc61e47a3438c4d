"""analysis_py/input_contract.py: the input format as the project declares it once, and the
writers of input files (simulator, demo, SDTM import) following it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis_py import input_contract
from analysis_py.sdtm import importer as sdtm
from analysis_py.simulation.cohorts import simulate
from conftest import read_table

ROOT = Path(__file__).resolve().parent.parent.parent
SDTM = ROOT / "tests" / "data" / "pharmaverse-sdtm"
EXTENSION = """version: 2
sources:
  - name: input
    tables:
      - name: visits
        meta: {required: false}
        columns:
          - {name: patient_id, meta: {required: true}}
          - {name: visit_date}
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's declarations: models, macros/codes.sql, the site keywords."""
    shutil.copytree(ROOT / "models", tmp_path / "models")
    (tmp_path / "macros").mkdir()
    shutil.copy(ROOT / input_contract.CODES_MACRO, tmp_path / input_contract.CODES_MACRO)
    return tmp_path


def test_a_column_a_file_and_a_code_added_to_the_declarations_are_read(project):
    contract_yaml = project / input_contract.CONTRACT_YAML
    contract_yaml.write_text(contract_yaml.read_text().replace(
        "          - {name: age}\n", "          - {name: age}\n          - {name: ecog, meta: {required: true}}\n"))
    (project / "models" / "extra").mkdir()
    (project / "models" / "extra" / "_extra_sources.yml").write_text(EXTENSION)
    codes = project / input_contract.CODES_MACRO
    codes.write_text(codes.read_text().replace("'sex': ['M', 'F']", "'sex': ['M', 'F', 'X']"))

    files = input_contract.contract_files(project)
    assert input_contract.columns("patients", project_dir=project)[3:5] == ("age", "ecog")
    assert files["patients"].columns[4].required
    assert list(files)[:6] == list(input_contract.contract_files())[:6]  # the contract's own files first
    assert files["visits"].column_names == ("patient_id", "visit_date") and not files["visits"].required
    assert input_contract.codes("sex", project_dir=project) == ("M", "F", "X")


def test_leaving_out_a_column_the_file_lacks_fails():
    assert input_contract.columns("assessments", leave_out=("reader",))[-1] == "non_target_increase"
    with pytest.raises(ValueError, match="lesions.csv has no column reader"):
        input_contract.columns("lesions", leave_out=("reader",))


def test_site_groups_are_the_builds(contract_sample_db):
    mapping = read_table(contract_sample_db, "site_mapping")
    assert len(mapping) > 5 and set(mapping["site_group"]) > {"lymph_node", "other"}
    python = mapping["site"].map(input_contract.site_group)
    assert (python == mapping["site_group"]).all(), mapping[python != mapping["site_group"]]
    assert input_contract.site_group("Adénopathie médiastinale") == "lymph_node"
    assert input_contract.site_group("lung hilum node") == "lymph_node"


def assert_follows_the_contract(folder: Path, extra: tuple[str, ...] = ()) -> None:
    """Each CSV of `folder` is a contract file whose header has the contract's columns in
    their order, every required one among them, and besides them only `extra`."""
    files = input_contract.contract_files()
    for path in sorted(folder.glob("*.csv")):
        declared = files[path.stem]
        header = [name for name in pd.read_csv(path, nrows=0).columns if name not in extra]
        assert header == [name for name in declared.column_names if name in header], path.name
        required = [c.name for c in declared.columns if c.required or c.required_column]
        assert set(required) <= set(header), path.name


def test_the_demo_and_a_simulated_cohort_follow_the_contract(tmp_path):
    assert_follows_the_contract(ROOT / "data" / "demo")
    simulate(50, 1, tmp_path / "one")
    simulate(50, 1, tmp_path / "two", readers=2, reader_cv=0.1)
    assert_follows_the_contract(tmp_path / "one")
    assert_follows_the_contract(tmp_path / "two")
    assert "reader" in pd.read_csv(tmp_path / "two" / "measurements.csv", nrows=0).columns


def test_the_sdtm_import_follows_the_contract(tmp_path):
    result = sdtm.import_sdtm(sdtm.read_sdtm(SDTM, "_onco_recist"), "all")
    sdtm.write_contract_folder(result, tmp_path)
    assert len(list(tmp_path.glob("*.csv"))) == len(input_contract.contract_files())
    assert_follows_the_contract(tmp_path, extra=("arm",))
