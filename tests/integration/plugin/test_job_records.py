"""The job's records as :class:`~airflow_oracle_etl.plugin.job_records.JobReader` reads them
from a real (SQLite) Airflow metadata database: the same few statements whatever the number of
tables, only the progress keys of the state store, the plan's output read once per plan try.

The rows are written as Airflow stores them for a run whose plan packed its tables (the plan's
``return_value`` XCom, the extract tasks' ``progress/J`` keys beside their ``committed`` and
``checkpoint/J`` keys); running real DAGs belongs to the e2e tests."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

_runs = itertools.count(1)
T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def airflow_db() -> None:
    """``airflow db migrate`` in the session's own AIRFLOW_HOME (tests/conftest.py)."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=300,
    )


@pytest.fixture
def statements(airflow_db: None) -> Iterator[list[str]]:
    """Every SQL statement run on Airflow's engine while the test runs."""
    from airflow import settings
    from sqlalchemy import event

    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(settings.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(settings.engine, "before_cursor_execute", count)


def _write_job(dag_id: str, run_id: str, tables: int, per_task: int) -> None:
    """A running job of ``tables`` tables packed ``per_task`` to a task: in each task, the
    first read committed, the second extracting, the others not reached."""
    from airflow.models.dagrun import DagRun
    from airflow.models.task_state_store import TaskStateStoreModel
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import insert, select

    names = [f"SALES.T{i:04d}" for i in range(tables)]
    plan = [
        {"reads": [{"table": f'"SALES"."{n[6:]}"', "label": n, "estimated_bytes": 100,
                    "partition": {"index": 0, "count": 1}} for n in names[s : s + per_task]]}
        for s in range(0, tables, per_task)
    ]  # fmt: skip
    with create_session() as session:
        session.execute(
            insert(DagRun.__table__).values(dag_id=dag_id, run_id=run_id, run_type="manual",
                                  state="running", queued_at=T0, start_date=T0, run_after=T0)
        )  # fmt: skip
        run_key = session.execute(
            select(DagRun.id).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
        ).scalar_one()
        ti = {"dag_id": dag_id, "run_id": run_id, "pool": "default_pool", "try_number": 1,
              "start_date": T0}  # fmt: skip
        session.execute(
            insert(TaskInstance.__table__),
            [{**ti, "task_id": "plan", "map_index": -1, "state": "success", "end_date": T0,
              "rendered_map_index": None}]
            + [{**ti, "task_id": "extract", "map_index": i, "state": "running", "end_date": None,
                "rendered_map_index": f"{entry['reads'][0]['label']} +{len(entry['reads']) - 1}"}
               for i, entry in enumerate(plan)],
        )  # fmt: skip
        session.execute(
            insert(XComModel.__table__).values(dag_run_id=run_key, task_id="plan", map_index=-1,
                                     key="return_value", dag_id=dag_id, run_id=run_id,
                                     value=plan, timestamp=T0)
        )  # fmt: skip
        store = {"dag_run_id": run_key, "dag_id": dag_id, "run_id": run_id, "task_id": "extract",
                 "updated_at": T0}  # fmt: skip
        rows = []
        big_checkpoint = '{"x": "' + "y" * 4000 + '"}'  # never read by the job view
        for i in range(len(plan)):
            done = '{"phase": "done", "rows": 10, "bytes": 100}'
            reading = '{"phase": "extracting", "rows": 4, "bytes": 40, "rows_per_s": 2.0}'
            rows += [
                {**store, "map_index": i, "key": "progress/0", "value": done},
                {**store, "map_index": i, "key": "progress/1", "value": reading},
                {**store, "map_index": i, "key": "committed", "value": '{"0": {"rows": 10}}'},
                {**store, "map_index": i, "key": "checkpoint/1", "value": big_checkpoint},
            ]  # fmt: skip
        session.execute(insert(TaskStateStoreModel.__table__), rows)


def _read(dag_id: str, run_id: str) -> Any:
    from airflow_oracle_etl.plugin.job_records import JobReader

    return JobReader(dag_id, run_id).read()


@pytest.mark.parametrize("tables", [10, 2_000])
def test_a_poll_is_a_fixed_number_of_statements_whatever_the_number_of_tables(
    statements: list[str], tables: int
) -> None:
    from airflow_oracle_etl.plugin.job_status import job_view

    dag_id, run_id = f"records_{next(_runs)}", "manual__1"
    _write_job(dag_id, run_id, tables, per_task=5)
    statements.clear()
    records = _read(dag_id, run_id)
    first = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    statements.clear()
    again = _read(dag_id, run_id)
    later = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the run, its task instances, its progress snapshots; the plan's output only once
    assert (len(first), len(later)) == (4, 3), (first, later)
    assert again == records
    assert {p.key for p in records.progress} == {"progress/0", "progress/1"}
    assert len(records.progress) == 2 * (tables // 5)
    job = job_view(records)
    assert len(job.tables) == tables
    by_state = job.header["totals"]["tables_by_state"]
    assert (by_state["success"], by_state["running"]) == (tables // 5, tables // 5)
    assert by_state["pending"] == tables - 2 * (tables // 5)
    assert job.tables[0].data["rows"] == 10 and job.tables[1].data["rows"] == 4


def test_a_new_try_of_the_plan_is_read_again(statements: list[str]) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import update

    dag_id, run_id = f"records_{next(_runs)}", "manual__1"
    _write_job(dag_id, run_id, 4, per_task=2)
    _read(dag_id, run_id)
    with create_session() as session:
        session.execute(
            update(TaskInstance)
            .where(TaskInstance.dag_id == dag_id, TaskInstance.task_id == "plan")
            .values(try_number=2, end_date=T0 + dt.timedelta(minutes=1))
        )
    statements.clear()
    assert _read(dag_id, run_id).planned is not None
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 4


def test_a_run_that_does_not_exist_reads_as_none(airflow_db: None) -> None:
    assert _read("records_none", "manual__none") is None
