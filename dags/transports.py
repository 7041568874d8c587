"""Airflow DAG file: one DAG per transport file in ``transports/`` beside this file.

Each ``transports/*.yaml`` becomes the DAG named by its ``id`` (see
``airflow_oracle_etl.transports.factory``). A broken transport file registers no DAG, is
logged as an error naming the file, field and reason, and never stops the other transports
from loading; ``TRANSPORT_ERRORS`` holds the errors by file (``oracle-etl-transports check``
gives the same verdict before deploying).
"""

from __future__ import annotations

from pathlib import Path

from airflow_oracle_etl.transports.factory import load_transport_dags

TRANSPORTS_DIR = Path(__file__).resolve().parent / "transports"

TRANSPORT_DAGS, TRANSPORT_ERRORS = load_transport_dags(TRANSPORTS_DIR)
globals().update(TRANSPORT_DAGS)
