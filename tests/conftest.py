"""Fixtures shared by the whole suite: one emulator process per test session, and an Airflow
home of the session's own (set before anything imports Airflow, which reads it at import)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_RUN_DIR = Path(__file__).resolve().parent.parent / ".run"
_RUN_DIR.mkdir(exist_ok=True)
AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="pytest-airflow-", dir=_RUN_DIR))
os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(AIRFLOW_HOME / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}"
(AIRFLOW_HOME / "dags").mkdir(exist_ok=True)

pytest_plugins = ["oracle_etl_stack.pytest_plugin"]
