"""(d) apache-airflow-providers-google's ``OracleToGCSOperator``, ``export_format="json"``,
``gzip=True``, on the same table and the same GCS emulator.

It writes every row to a local temporary file (``json.dump`` per row), then gzips that file
to a second local file and uploads it: both files show in the local-disk column, which is
the point of measuring it. Its defaults are kept (cursor arraysize, 1.9 GB files). One
connection setting is needed for the LOB table: ``fetch_lobs: false`` in the Oracle
connection's extra, without which CLOB values reach ``json.dump`` as ``oracledb.LOB``
objects and the export fails; it changes nothing for tables without LOBs.
"""

from __future__ import annotations

from collections.abc import Callable

from .airflow_env import GCP_CONN_ID, set_connections
from .harness import CaseSpec

CONN_ID = "bench_oracle_google"


def prepare(spec: CaseSpec) -> Callable[[], int]:
    set_connections(spec, oracle_conn_id=CONN_ID, fetch_lobs=False)
    from airflow.providers.google.cloud.transfers.oracle_to_gcs import OracleToGCSOperator

    operator = OracleToGCSOperator(
        task_id="bench_google",
        oracle_conn_id=CONN_ID,
        gcp_conn_id=GCP_CONN_ID,
        sql=f"SELECT * FROM {spec.owner}.{spec.table}",
        bucket=spec.bucket,
        filename=f"{spec.prefix}/{spec.table.lower()}_{{}}.json",
        export_format="json",
        gzip=True,
    )

    def work() -> int:
        meta = operator.execute(context={})  # type: ignore[arg-type]
        return int(meta["total_row_count"])

    return work
