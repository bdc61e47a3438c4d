"""The benchmark harness runs end to end on 1,000 patients (no timing asserted): every step
succeeds and the SQL floor and the pandas implementation agree with the marts."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent.parent / "benchmarks" / "run.py"


def test_bench_harness_smoke(tmp_path):
    result = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "1000", "--runs", "1", "--work", str(tmp_path / "work"),
         "--results", str(tmp_path / "results"), "--no-markdown", "--quiet", "--robustness-draws", "5"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(tmp_path / "results" / "summary-latest.csv") as handle:
        rows = {row["step"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"generate_csv", "dbt_build", "lesionwise_stats", "report_after_stats", "sql_floor",
                         "pandas_groupby_apply", "pyrecist", "robustness"}
    for step in ("generate_csv", "dbt_build", "lesionwise_stats", "report_after_stats", "sql_floor",
                 "pandas_groupby_apply", "robustness"):
        assert rows[step]["runs"] == "1" and float(rows[step]["median_seconds"]) > 0, rows[step]
    for step in ("sql_floor", "pandas_groupby_apply"):
        assert rows[step]["check"].startswith("agrees:"), rows[step]["check"]
        assert "0 only in marts, 0 extra, 0 differ; evaluation rows" in rows[step]["check"]
