"""Reading jobs from Airflow's metadata database, inside the API server.

The plugin runs in the API server process, which has the database; reading the rows directly
costs a few small indexed queries, where going through the public REST API would cost one
call per task instance's state store. Each function reads columns, not ORM objects (no lazy
loads, nothing attached to a session afterwards), and hands plain records of
:mod:`.job_status` on. All of them block: callers in the event loop run them in a thread.

A poll of a job (:meth:`JobReader.read`) is three queries: the run, its task instances, its
``progress`` snapshots; and, only while some mapped partition has not rendered its label
yet, a fourth for the plan's output, read once per plan try and then kept.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from airflow.models.dagrun import DagRun
from airflow.models.task_state_store import TaskStateStoreModel
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XCOM_RETURN_KEY, XComModel
from airflow.utils.session import create_session
from sqlalchemy import select

from airflow_oracle_etl.plugin.job_status import (
    EXTRACT_TASK,
    JobRecords,
    ProgressRecord,
    RunRecord,
    TaskRecord,
)
from airflow_oracle_etl.progress import PROGRESS_KEY

__all__ = ["PLAN_TASK", "JobReader", "find_runs", "list_runs"]

log = logging.getLogger(__name__)

#: the planning task of a transport DAG (``transports.factory.PLAN_TASK``)
PLAN_TASK = "plan"

_RUN_COLUMNS = (
    DagRun.dag_id,
    DagRun.run_id,
    DagRun.state,
    DagRun.run_type,
    DagRun.queued_at,
    DagRun.start_date,
    DagRun.end_date,
    DagRun.conf,
)
#: the stored label, not the ``rendered_map_index`` hybrid (which falls back to the index)
_TI_LABEL = TaskInstance.__table__.c.rendered_map_index


def _run_record(row: Any) -> RunRecord:
    dag_id, run_id, state, run_type, queued_at, start_date, end_date, conf = row
    return RunRecord(
        dag_id=dag_id,
        run_id=run_id,
        state=None if state is None else str(state),
        run_type=None if run_type is None else str(run_type),
        queued_at=queued_at,
        start_date=start_date,
        end_date=end_date,
        conf=conf if isinstance(conf, Mapping) else None,
    )


def find_runs(run_id: str, dag_ids: Collection[str]) -> list[RunRecord]:
    """The runs called ``run_id`` among the DAGs ``dag_ids`` (a run id is unique per DAG
    only, so there may be several)."""
    if not dag_ids:
        return []
    query = select(*_RUN_COLUMNS).where(DagRun.run_id == run_id, DagRun.dag_id.in_(dag_ids))
    with create_session() as session:
        return [_run_record(row) for row in session.execute(query)]


def list_runs(dag_ids: Collection[str], limit: int) -> list[RunRecord]:
    """The newest ``limit`` runs of the DAGs ``dag_ids``, newest first (by creation)."""
    if not dag_ids:
        return []
    query = (
        select(*_RUN_COLUMNS)
        .where(DagRun.dag_id.in_(dag_ids))
        .order_by(DagRun.id.desc())
        .limit(limit)
    )
    with create_session() as session:
        return [_run_record(row) for row in session.execute(query)]


class JobReader:
    """Reads one job's records on each call; keeps the plan's output between calls."""

    def __init__(self, dag_id: str, run_id: str) -> None:
        self.dag_id = dag_id
        self.run_id = run_id
        self._planned: Sequence[Mapping[str, Any]] | None = None
        self._planned_key: object = None

    def read(self) -> JobRecords | None:
        """The run's records, or None if the run does not exist (any more)."""
        with create_session() as session:
            row = session.execute(
                select(*_RUN_COLUMNS).where(
                    DagRun.dag_id == self.dag_id, DagRun.run_id == self.run_id
                )
            ).first()
            if row is None:
                return None
            tasks = self._tasks(session)
            progress = self._progress(session)
            planned = self._plan_output(session, tasks)
        return JobRecords(_run_record(row), tasks, progress, planned)

    def _tasks(self, session: Any) -> list[TaskRecord]:
        query = select(
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.state,
            _TI_LABEL,
            TaskInstance.start_date,
            TaskInstance.end_date,
            TaskInstance.updated_at,
        ).where(TaskInstance.dag_id == self.dag_id, TaskInstance.run_id == self.run_id)
        return [
            TaskRecord(
                task_id=task_id,
                map_index=map_index,
                state=None if state is None else str(state),
                rendered_map_index=label,
                start_date=start_date,
                end_date=end_date,
                updated_at=updated_at,
            )
            for task_id, map_index, state, label, start_date, end_date, updated_at in (
                session.execute(query)
            )
        ]

    def _progress(self, session: Any) -> list[ProgressRecord]:
        query = select(
            TaskStateStoreModel.task_id,
            TaskStateStoreModel.map_index,
            TaskStateStoreModel.value,
            TaskStateStoreModel.updated_at,
        ).where(
            TaskStateStoreModel.dag_id == self.dag_id,
            TaskStateStoreModel.run_id == self.run_id,
            TaskStateStoreModel.key == PROGRESS_KEY,
        )
        records = []
        for task_id, map_index, text, updated_at in session.execute(query):
            try:
                value = json.loads(text)
            except (TypeError, ValueError):
                continue
            if isinstance(value, dict):
                records.append(ProgressRecord(task_id, map_index, value, updated_at))
        return records

    def _plan_output(
        self, session: Any, tasks: Sequence[TaskRecord]
    ) -> Sequence[Mapping[str, Any]] | None:
        """The plan's list of extract arguments, read only while a partition has no label
        (it has not started yet), and once per finished plan try."""
        plan = next((t for t in tasks if t.task_id == PLAN_TASK and t.map_index < 0), None)
        unlabelled = any(
            t.task_id == EXTRACT_TASK and t.map_index >= 0 and not t.rendered_map_index
            for t in tasks
        )
        if plan is None or plan.state != "success" or not unlabelled:
            return None
        key = (plan.start_date, plan.end_date)
        if key != self._planned_key:
            self._planned_key = key
            self._planned = self._read_plan_output(session)
        return self._planned

    def _read_plan_output(self, session: Any) -> Sequence[Mapping[str, Any]] | None:
        row = session.execute(
            select(XComModel.value).where(
                XComModel.dag_id == self.dag_id,
                XComModel.run_id == self.run_id,
                XComModel.task_id == PLAN_TASK,
                XComModel.map_index == -1,
                XComModel.key == XCOM_RETURN_KEY,
            )
        ).first()
        if row is None:
            return None
        try:
            value = XComModel.deserialize_value(row)
        except Exception:  # a custom XCom backend's reference: labels come later instead
            log.debug("plan output of %s %s is not readable", self.dag_id, self.run_id)
            return None
        if isinstance(value, list) and all(isinstance(entry, Mapping) for entry in value):
            return value
        return None
