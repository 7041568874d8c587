"""(b) ``OracleToGCSJsonlOperator`` as one task: plan, fetch, encode, gzip, upload the parts,
write the manifest, all in this process, as a worker runs it (Airflow and the Google client
imported, connections from the environment).

A task has a ``task_state_store``, so by default its read is checkpointed (primary-key order,
a checkpoint per finished part); here an in-memory store stands in for the supervisor's, so
the case pays what a task pays for the order (the store's own round trip, one per part, is
left out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .airflow_env import GCP_CONN_ID, ORACLE_CONN_ID, set_connections
from .harness import CaseSpec


class _TaskInstance:
    """What ``execute`` reads of the task instance outside a scheduler: the try number."""

    try_number = 1


class MemoryStateStore:
    """The ``task_state_store`` calls the operator makes, kept in a dict."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def prepare(spec: CaseSpec, *, checkpoint: bool = True) -> Callable[[], int]:
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
        checkpoint=checkpoint,
    )
    context = {
        "run_id": spec.run_id,
        "ti": _TaskInstance(),
        "task_state_store": MemoryStateStore(),
    }

    def work() -> int:
        summary = operator.execute(context)  # type: ignore[arg-type]
        return int(summary["rows"])

    return work
