"""(b) ``OracleToGCSJsonlOperator`` as one task: plan, fetch, encode, gzip, upload the parts,
write the manifest, all in this process, as a worker runs it (Airflow and the Google client
imported, connections from the environment)."""

from __future__ import annotations

from collections.abc import Callable

from .airflow_env import GCP_CONN_ID, ORACLE_CONN_ID, set_connections
from .harness import CaseSpec


class _TaskInstance:
    """What ``execute`` reads of the task instance outside a scheduler: the try number."""

    try_number = 1


def prepare(spec: CaseSpec) -> Callable[[], int]:
    set_connections(spec)
    from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator

    operator = OracleToGCSJsonlOperator(
        task_id="bench_ours",
        table=f"{spec.owner}.{spec.table}",
        oracle_conn_id=ORACLE_CONN_ID,
        gcp_conn_id=GCP_CONN_ID,
        bucket=spec.bucket,
        prefix=spec.prefix,
        transport="bench",
    )
    context = {"run_id": spec.run_id, "ti": _TaskInstance()}

    def work() -> int:
        summary = operator.execute(context)  # type: ignore[arg-type]
        return int(summary["rows"])

    return work
