"""The dbt unit tests of every RECIST rule (tests/dbt/unit), run on the sample's build."""
from __future__ import annotations

import csv
import json
import subprocess

from analysis_py.project import project_vars
from analysis_py.warehouse.build import dbt_command, dbt_environment, PROJECT_DIR
from conftest import CONTRACT_SAMPLE


def test_dbt_unit_tests_pass(contract_sample_db):
    result = subprocess.run(dbt_command(["test", "--select", "test_type:unit"]), cwd=PROJECT_DIR,
                            env=dbt_environment(CONTRACT_SAMPLE / "input", contract_sample_db),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "ERROR=0" in summary and "PASS=0" not in summary, summary


# every setting moved off its default: a unit test that depended on a var it does not pin fails
OTHER_SETTINGS = {"recist_confirmation_min_days": 28, "recist_sd_min_days": 42, "recist_pr_max_ratio": 0.5,
                  "recist_pd_min_ratio": 1.5, "recist_pd_min_increase_mm": 9, "recist_node_normal_mm": 15,
                  "recist_too_small_mm": 3, "recist_absent_mm": 1, "min_target_lesions": 3,
                  "max_plausible_diameter_mm": 300, "diameter_decimals": 0, "recent_radiotherapy_days": 30,
                  "days_per_month": 30}


def test_dbt_unit_tests_pin_their_settings_so_any_override_builds(contract_sample_db):
    result = subprocess.run(dbt_command(["test", "--select", "test_type:unit", "--vars", json.dumps(OTHER_SETTINGS)]),
                            cwd=PROJECT_DIR, env=dbt_environment(CONTRACT_SAMPLE / "input", contract_sample_db),
                            capture_output=True, text=True)
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and "ERROR=0" in summary and "PASS=0" not in summary, result.stdout[-5000:]


def test_every_setting_has_a_unit_and_a_description():
    with (PROJECT_DIR / "seeds" / "setting_descriptions.csv").open() as seed:
        described = {row["name"] for row in csv.DictReader(seed) if row["unit"] and len(row["description"]) > 10}
    assert described == set(project_vars())
