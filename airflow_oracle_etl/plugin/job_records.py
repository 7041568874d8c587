"""Reading jobs from Airflow's metadata database, inside the API server.

The plugin runs in the API server process, which has the database; reading the rows directly
costs a few small indexed queries, where going through the public REST API would cost one
call per task instance's state store. Each function reads columns, not ORM objects (no lazy
loads, nothing attached to a session afterwards), and hands plain records of
:mod:`.job_status` on. All of them block: callers in the event loop run them in a thread.

A poll of a job (:meth:`JobReader.read`) is three queries whatever the number of tables: the
run, its task instances, its progress snapshots (every read's, in one query); and a fourth for
the plan's output (the list of the job's tables), read once per plan try and then kept.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from typing import Any

from airflow.models.dagrun import DagRun
from airflow.models.task_state_store import TaskStateStoreModel
from airflow.models.taskinstance import TaskInstance
from airflow.models.xcom import XCOM_RETURN_KEY, XComModel
from airflow.utils.session import create_session
from sqlalchemy import or_, select

from airflow_oracle_etl.plugin.job_reads import (
    EXTRACT_TASK,
    PROGRESS_KEY,
    PROGRESS_KEY_PREFIX,
    ProgressRecord,
    TaskRecord,
)
from airflow_oracle_etl.plugin.job_status import JobRecords, RunRecord

__all__ = ["PLAN_TASK", "JobReader", "find_runs", "list_runs"]

log = logging.getLogger(__name__)

#: the planning task of a transport DAG (``transports.factory.PLAN_TASK``)
PLAN_TASK = "plan"
#: plan outputs kept (one per job being watched or paged through; a few MB at most)
PLAN_CACHE_SIZE = 16

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
    """Reads one job's records on each call: a fixed number of queries, whatever the number of
    tables (the run, its task instances, its progress snapshots; the plan's output once per
    plan try, shared by every reader through :func:`_plan_output`)."""

    def __init__(self, dag_id: str, run_id: str) -> None:
        self.dag_id = dag_id
        self.run_id = run_id

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
            tasks, plan_try = self._tasks(session)
            progress = self._progress(session)
        planned = None if plan_try is None else _plan_output(self.dag_id, self.run_id, *plan_try)
        return JobRecords(_run_record(row), tasks, progress, planned)

    def _tasks(self, session: Any) -> tuple[list[TaskRecord], tuple[int, Any] | None]:
        """The task instances, and the plan's finished try (try number, end) if it has one
        that succeeded: the key of its output."""
        query = select(
            TaskInstance.task_id,
            TaskInstance.map_index,
            TaskInstance.state,
            _TI_LABEL,
            TaskInstance.start_date,
            TaskInstance.end_date,
            TaskInstance.updated_at,
            TaskInstance.try_number,
        ).where(TaskInstance.dag_id == self.dag_id, TaskInstance.run_id == self.run_id)
        tasks = []
        plan_try = None
        for task_id, map_index, state, label, start, end, updated, try_number in session.execute(
            query
        ):
            state = None if state is None else str(state)
            tasks.append(TaskRecord(task_id, map_index, state, label, start, end, updated))
            if task_id == PLAN_TASK and map_index < 0 and state == "success":
                plan_try = (try_number, end)
        return tasks, plan_try

    def _progress(self, session: Any) -> list[ProgressRecord]:
        """Every read's snapshot: ``progress/J`` and ``progress/finished`` of packed tasks,
        ``progress`` of tasks planned before packing (never the other keys: checkpoints can
        be large)."""
        key = TaskStateStoreModel.key
        query = select(
            TaskStateStoreModel.task_id,
            TaskStateStoreModel.map_index,
            key,
            TaskStateStoreModel.value,
            TaskStateStoreModel.updated_at,
        ).where(
            TaskStateStoreModel.dag_id == self.dag_id,
            TaskStateStoreModel.run_id == self.run_id,
            TaskStateStoreModel.task_id == EXTRACT_TASK,
            or_(key == PROGRESS_KEY, key.like(f"{PROGRESS_KEY_PREFIX}%")),
        )
        records = []
        for task_id, map_index, name, text, updated_at in session.execute(query):
            try:
                value = json.loads(text)
            except (TypeError, ValueError):
                continue
            if isinstance(value, dict):
                records.append(ProgressRecord(task_id, map_index, value, updated_at, name))
        return records


@lru_cache(maxsize=PLAN_CACHE_SIZE)
def _plan_output(
    dag_id: str, run_id: str, try_number: int, end_date: Any
) -> Sequence[Mapping[str, Any]] | None:
    """The plan's output (the job's list of tables: per map index ``{"reads": [...]}``, or
    one set of extract arguments in runs planned before packing), read once per plan try.

    Cached across readers: a page of a job of 2,000 tables is one request, and each would
    otherwise read and decode the whole list again. A new try of the plan is a new key."""
    with create_session() as session:
        row = session.execute(
            select(XComModel.value).where(
                XComModel.dag_id == dag_id,
                XComModel.run_id == run_id,
                XComModel.task_id == PLAN_TASK,
                XComModel.map_index == -1,
                XComModel.key == XCOM_RETURN_KEY,
            )
        ).first()
    if row is None:
        return None
    try:
        value = XComModel.deserialize_value(row)
    except Exception:  # a custom XCom backend's reference: reads are named by snapshots instead
        log.debug("plan output of %s %s is not readable", dag_id, run_id)
        return None
    if isinstance(value, list) and all(isinstance(entry, Mapping) for entry in value):
        return value
    return None
