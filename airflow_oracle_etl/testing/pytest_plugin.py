"""All of the stand-ins' pytest fixtures in one plugin:
``pytest_plugins = ["airflow_oracle_etl.testing.pytest_plugin"]``.

Oracle: ``oracle_emulator`` (one emulator process with the demo schema per session),
``oracle_connect``. GCS: ``gcs_emulator`` (one fake-gcs-server per session), ``gcs_client``,
``gcs_bucket`` (a fresh bucket per test). Airflow: ``airflow_stack`` (one real Airflow per
session, wired to both emulators; mark its tests ``slow``).
"""

from airflow_oracle_etl.testing.airflow_fixtures import airflow_stack
from airflow_oracle_etl.testing.gcs import gcs_bucket, gcs_client, gcs_emulator
from airflow_oracle_etl.testing.oracle.pytest_plugin import (
    new_table,
    oracle_connect,
    oracle_emulator,
)

__all__ = [
    "airflow_stack",
    "gcs_bucket",
    "gcs_client",
    "gcs_emulator",
    "new_table",
    "oracle_connect",
    "oracle_emulator",
]
