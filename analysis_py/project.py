"""Where the project's own files are: the dbt project (models, seeds, dbt_project.yml) beside
the `analysis_py` package, and its settings (the vars of dbt_project.yml)."""
from functools import cache
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent


@cache
def project_vars() -> dict:
    """The vars of dbt_project.yml with their values (the single home of every setting); read
    once, not to be changed in place."""
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
