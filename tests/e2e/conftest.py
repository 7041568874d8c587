"""End-to-end tests against a real Airflow (``airflow_stack`` from the shared plugin): DAG
sources the tests drop into the stack's dags folder."""

from __future__ import annotations

import textwrap

from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID


def extract_dag_source(dag_id: str, bucket: str, table: str, prefix: str = "e2e") -> str:
    """A DAG with one ``extract`` task copying ``table`` into ``bucket`` under ``prefix``."""
    return textwrap.dedent(
        f"""\
        import datetime as dt

        from airflow.sdk import DAG

        from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator

        with DAG({dag_id!r}, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
            OracleToGCSJsonlOperator(
                task_id="extract",
                table={table!r},
                oracle_conn_id={ORACLE_CONN_ID!r},
                gcp_conn_id={GCP_CONN_ID!r},
                bucket={bucket!r},
                prefix={prefix!r},
                progress_interval=0.5,
            )
        """
    )
