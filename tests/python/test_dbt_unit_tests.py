"""The dbt unit tests of every RECIST rule (tests/dbt/unit), run on the sample's build."""
from __future__ import annotations

import subprocess

from analysis_py.build import dbt_command, dbt_environment, PROJECT_DIR
from conftest import CONTRACT_SAMPLE


def test_dbt_unit_tests_pass(contract_sample_db):
    result = subprocess.run(dbt_command(["test", "--select", "test_type:unit"]), cwd=PROJECT_DIR,
                            env=dbt_environment(CONTRACT_SAMPLE / "input", contract_sample_db),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "ERROR=0" in summary and "PASS=0" not in summary, summary
