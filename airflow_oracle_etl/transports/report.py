"""The ``report`` task of a transport's DAG: fail the job when tables were not committed.

``finalize`` must succeed for Airflow to record the asset events of the tables it did commit,
so it returns the failed tables instead of failing for them. This last task turns that back
into the job's outcome: it fails, naming each failed table with the run conf that reruns
only them, exactly when some table was not committed, and the run (whose state Airflow takes
from its last tasks) fails with it.

It runs only when there is something to report: when every table was committed,
``finalize`` skips it (Airflow marks it skipped without starting a process for it, and a run
whose last task is skipped succeeds). It keeps the default trigger rule (all upstream tasks
succeeded): when ``finalize`` itself failed (no table committed, or its own error), this task
is ``upstream_failed``, which fails the run just the same, and the reason is in
``finalize``'s log, not repeated here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_oracle_etl.transports.finalize import (
    FAILED_RESULT,
    TransportTablesFailedError,
    failure_message,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["TransportReportOperator", "tables_not_committed"]


def tables_not_committed(result: Any, *, finalize_task_id: str) -> tuple[dict[str, list[str]], int]:
    """The tables ``finalize`` returned as not committed, with their errors, and how many
    tables were planned; an error naming the task when its result is not what it returns."""
    if not isinstance(result, Mapping) or not isinstance(result.get(FAILED_RESULT), Mapping):
        raise RuntimeError(
            f"task {finalize_task_id!r} returned no {FAILED_RESULT!r} tables: got {result!r}"
        )
    failed = {
        str(table): [str(error) for error in errors]
        if isinstance(errors, Sequence) and not isinstance(errors, str)
        else [str(errors)]
        for table, errors in result[FAILED_RESULT].items()
    }
    return failed, int(result.get("planned") or len(failed))


class TransportReportOperator(BaseOperator):
    """Fail when ``finalize`` did not commit every planned table, naming them.

    :param finalize_task_id: the task whose return value lists the tables not committed.
    """

    ui_color = "#f0e4d7"

    def __init__(self, *, finalize_task_id: str = "finalize", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finalize_task_id = finalize_task_id

    def execute(self, context: Context) -> None:
        result = context["ti"].xcom_pull(task_ids=self.finalize_task_id)
        failed, planned = tables_not_committed(result, finalize_task_id=self.finalize_task_id)
        if failed:
            raise TransportTablesFailedError(failure_message(failed, planned))
        self.log.info("every table of the job was committed (%d)", planned)
