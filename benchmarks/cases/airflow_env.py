"""Airflow connections for the cases that run an Airflow operator outside a scheduler.

An operator's hooks resolve connections by id; ``AIRFLOW_CONN_*`` variables give them without
a metadata database, as a worker's environment or secrets backend would.
"""

from __future__ import annotations

import json
import os

from .harness import CaseSpec

ORACLE_CONN_ID = "bench_oracle"
GCP_CONN_ID = "bench_gcs"
GCP_PROJECT = "bench"


def oracle_connection(spec: CaseSpec, **extra: object) -> dict[str, object]:
    """The connection to the emulator as Airflow's JSON form (``extra``: hook options)."""
    return {
        "conn_type": "oracle",
        "host": spec.host,
        "port": spec.port,
        "login": spec.user,
        "password": spec.password,
        "extra": {"service_name": spec.service_name, **extra},
    }


def gcs_connection() -> dict[str, object]:
    """Anonymous GCP credentials: the client then talks to ``STORAGE_EMULATOR_HOST``."""
    return {
        "conn_type": "google_cloud_platform",
        "extra": {"is_anonymous": True, "project": GCP_PROJECT},
    }


def set_connections(spec: CaseSpec, oracle_conn_id: str = ORACLE_CONN_ID, **extra: object) -> None:
    """Put the Oracle and GCS connections in this process's environment, and point the GCS
    client at the emulator."""
    os.environ[f"AIRFLOW_CONN_{oracle_conn_id.upper()}"] = json.dumps(
        oracle_connection(spec, **extra)
    )
    os.environ[f"AIRFLOW_CONN_{GCP_CONN_ID.upper()}"] = json.dumps(gcs_connection())
    os.environ["STORAGE_EMULATOR_HOST"] = spec.gcs_url
