"""Where the project's own files are: the dbt project (models, seeds, dbt_project.yml) beside
the `analysis_py` package."""
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
