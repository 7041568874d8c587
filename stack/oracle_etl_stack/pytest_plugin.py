"""The local stack's pytest fixtures: ``pytest_plugins = ["oracle_etl_stack.pytest_plugin"]``.

GCS: ``gcs_emulator`` (one fake-gcs-server per session), ``gcs_client``, ``gcs_bucket`` (a fresh
bucket per test). Airflow: ``airflow_stack`` (one real Airflow per session, wired to both
stand-ins; mark its tests ``slow``), ``lineage_receiver`` (the OpenLineage events that Airflow
sends). The Oracle fixtures (``oracle_emulator``,
``oracle_connect``, ``new_table``) come from the emulator's distribution, which registers them
with pytest wherever it is installed.
"""

from oracle_etl_stack.airflow_fixtures import airflow_stack, lineage_receiver
from oracle_etl_stack.gcs import gcs_bucket, gcs_client, gcs_emulator

__all__ = ["airflow_stack", "gcs_bucket", "gcs_client", "gcs_emulator", "lineage_receiver"]
