"""Fault tests: the GCS fault proxy's fixtures, and the operator tests' Airflow harness
(``run_dag`` with a migrated database and the test connections), by name."""

from oracle_etl_stack.gcs_faults import (  # noqa: F401 (fixtures, by name)
    faulty_bucket,
    faulty_client,
    faulty_gcs,
)
from tests.integration.operators.conftest import (  # noqa: F401 (fixtures, by name)
    airflow_connections,
    airflow_db,
    run_dag,
)
