"""What a transport job is doing, per table, computed from plain records of its run.

Pure on purpose: :mod:`.job_records` reads the rows (the run, its task instances, the
``progress`` snapshots of the task state store and, when needed, the plan's output) and this
module decides what they mean, so the rules are unit-tested without Airflow or a database.

A table is the set of mapped ``extract`` instances that read it (one per partition). Its rows
and bytes add up the partitions' latest progress snapshots (the operator publishes a last
snapshot with phase ``done`` and the final totals); its state aggregates their task states;
its rate is the sum of the running partitions' rates while it runs, and rows over wall time
once it has finished. Each table also carries the time of its last change (the newest
``updated_at`` of its task instances and snapshots), which the event stream turns into event
ids (:mod:`.events`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EXTRACT_TASK",
    "FINAL_RUN_STATES",
    "RUNNING",
    "JobRecords",
    "JobView",
    "ProgressRecord",
    "RunRecord",
    "TableView",
    "TaskRecord",
    "job_view",
    "planned_label",
    "table_of_label",
]

#: the mapped task of a transport DAG (``transports.factory.EXTRACT_TASK``; not imported, as
#: that module pulls in Airflow and the operators)
EXTRACT_TASK = "extract"
#: run states after which nothing changes any more
FINAL_RUN_STATES = frozenset({"success", "failed"})
DONE_PHASE = "done"

PENDING = "pending"
RUNNING = "running"
SUCCESS = "success"
FAILED = "failed"
SKIPPED = "skipped"

_FAILED_TI = frozenset({"failed", "upstream_failed"})
#: a partition that is being worked on (or will be again at once: a retry or a reschedule)
_ACTIVE_TI = frozenset({"running", "restarting", "up_for_retry", "up_for_reschedule", "deferred"})
#: a partition with nothing more to do
_FINISHED_TI = frozenset({"success", "skipped"})
#: a partition whose task is actually reading (its snapshot rate is current)
_READING_TI = frozenset({"running"})
#: the label of a partition: ``DEMO.SALES_LINE_ITEM p1/2``
_PARTITION_LABEL = re.compile(r"^(?P<table>.+) p(?P<index>\d+)/(?P<count>\d+)$")
#: when partitions of one table are in different phases, the one shown (most telling first)
_PHASE_ORDER = ("extracting", "committing", "planning", "starting")


@dataclass(frozen=True)
class RunRecord:
    """The DAG run (a transport DAG's run is the job)."""

    dag_id: str
    run_id: str
    state: str | None
    run_type: str | None = None
    queued_at: dt.datetime | None = None
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None
    conf: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class TaskRecord:
    """One task instance of the run.

    ``rendered_map_index`` is the label as rendered by the task (None until the task has
    started: Airflow renders mapped labels on the worker)."""

    task_id: str
    map_index: int
    state: str | None
    rendered_map_index: str | None = None
    start_date: dt.datetime | None = None
    end_date: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProgressRecord:
    """The ``progress`` value of one task instance (a ``ProgressSnapshot`` as a mapping)."""

    task_id: str
    map_index: int
    value: Mapping[str, Any]
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class JobRecords:
    """Everything read about one run; ``planned`` is the plan task's output (one set of
    extract arguments per map index), which names partitions that have not started yet."""

    run: RunRecord
    tasks: Sequence[TaskRecord] = ()
    progress: Sequence[ProgressRecord] = ()
    planned: Sequence[Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class TableView:
    """One table: ``data`` is its JSON object; ``changed_us`` its last change (µs since the
    epoch, 0 when nothing is known)."""

    name: str
    data: dict[str, Any]
    changed_us: int


@dataclass(frozen=True)
class JobView:
    """The job: ``header`` is its JSON object without ``tables``; ``changed_us`` the time of
    the run's last state change and ``last_change_us`` of anything in the job."""

    header: dict[str, Any]
    tables: tuple[TableView, ...] = field(default_factory=tuple)
    changed_us: int = 0
    last_change_us: int = 0

    @property
    def state(self) -> str | None:
        return self.header["state"]

    @property
    def final(self) -> bool:
        return self.state in FINAL_RUN_STATES

    def body(self) -> dict[str, Any]:
        """The job as ``GET /jobs/{run_id}`` answers it."""
        return {**self.header, "tables": [table.data for table in self.tables]}


def job_view(records: JobRecords) -> JobView:
    """The job of ``records``: per table state, rows, bytes, rate, ETA; and totals."""
    run = records.run
    snapshots = {(p.task_id, p.map_index): p for p in records.progress}
    groups: dict[str, list[tuple[TaskRecord, ProgressRecord | None]]] = {}
    for task in sorted(records.tasks, key=lambda t: t.map_index):
        if task.task_id != EXTRACT_TASK or task.map_index < 0:
            continue
        snapshot = snapshots.get((task.task_id, task.map_index))
        name = _table_name(task, snapshot, records.planned)
        groups.setdefault(name, []).append((task, snapshot))
    tables = tuple(_table(name, partitions) for name, partitions in groups.items())
    run_changed = max((_us(d) for d in (run.queued_at, run.start_date, run.end_date)), default=0)
    header = {
        "job_id": run.run_id,
        "transport": run.dag_id,
        "state": run.state,
        "run_type": run.run_type,
        "queued_at": _iso(run.queued_at),
        "start_date": _iso(run.start_date),
        "end_date": _iso(run.end_date),
        "conf": dict(run.conf or {}),
        "totals": _totals(tables, groups),
    }
    last_change = max([run_changed, *(t.changed_us for t in tables)])
    return JobView(header, tables, changed_us=run_changed, last_change_us=last_change)


def table_of_label(label: str) -> tuple[str, int | None, int | None]:
    """``DEMO.X p2/4`` -> (``DEMO.X``, 2, 4); a label without partition suffix -> (label,
    None, None)."""
    match = _PARTITION_LABEL.match(label)
    if match is None:
        return label, None, None
    return match["table"], int(match["index"]), int(match["count"])


def planned_label(entry: Mapping[str, Any]) -> str | None:
    """The label a mapped extract task will render for one entry of the plan's output (the
    factory's ``MAP_INDEX_TEMPLATE``: quotes dropped, `` pI/N`` when partitioned)."""
    table = entry.get("table")
    if not isinstance(table, str) or not table:
        return None
    label = table.replace('"', "")
    partition = entry.get("partition")
    if isinstance(partition, Mapping):
        count, index = partition.get("count"), partition.get("index")
        if isinstance(count, int) and isinstance(index, int) and count > 1:
            label += f" p{index + 1}/{count}"
    return label


# -- one table ---------------------------------------------------------------------------------


def _table_name(
    task: TaskRecord,
    snapshot: ProgressRecord | None,
    planned: Sequence[Mapping[str, Any]] | None,
) -> str:
    """The table a partition reads: from its rendered label, else the plan, else its
    snapshot; ``#N`` (its map index) when none of them says."""
    label = task.rendered_map_index
    if not label and planned is not None and task.map_index < len(planned):
        label = planned_label(planned[task.map_index])
    if label:
        return table_of_label(label)[0]
    table = snapshot.value.get("table") if snapshot is not None else None
    if isinstance(table, str) and table:
        return table.replace('"', "")
    return f"#{task.map_index}"


def _current(task: TaskRecord, snapshot: ProgressRecord | None) -> Mapping[str, Any] | None:
    """The snapshot that describes the partition's current try, if any.

    A partition waiting to run counts nothing (a snapshot there is a cleared run's), and a
    running one ignores a snapshot older than its start (its previous try's: retries share
    the task state store)."""
    if snapshot is None or task.state is None:
        return None
    if task.state not in _ACTIVE_TI | _FINISHED_TI | _FAILED_TI:
        return None
    if (
        task.state in _READING_TI
        and task.start_date is not None
        and snapshot.updated_at is not None
        and snapshot.updated_at < task.start_date
    ):
        return None
    return snapshot.value


def _table(name: str, partitions: list[tuple[TaskRecord, ProgressRecord | None]]) -> TableView:
    tasks = [task for task, _ in partitions]
    state = _table_state([task.state for task in tasks])
    current = [(task, _current(task, snapshot)) for task, snapshot in partitions]
    values = [value for _, value in current if value is not None]
    rows = sum(_int(value.get("rows")) for value in values)
    estimates = [
        e for e in (value.get("estimated_total_rows") for value in values) if isinstance(e, int)
    ]
    # every partition's snapshot carries the whole table's estimate (ALL_TABLES.NUM_ROWS)
    estimated = max(estimates) if estimates else None
    if state == RUNNING:
        rate = math.fsum(
            _float(value.get("rows_per_s"))
            for task, value in current
            if value is not None and task.state in _READING_TI and value.get("phase") != DONE_PHASE
        )
    else:
        rate = _wall_rate(rows, tasks)
    changed = [_us(task.updated_at) for task in tasks]
    changed += [_us(snapshot.updated_at) for _, snapshot in partitions if snapshot is not None]
    data = {
        "table": name,
        "state": state,
        "rows": rows,
        "bytes": sum(_int(value.get("bytes")) for value in values),
        "rows_per_second": round(rate, 1),
        "eta_seconds": _eta(state, rows, estimated, rate),
        "estimated_rows": estimated,
        "partitions": len(tasks),
        "partitions_done": sum(task.state == SUCCESS for task in tasks),
        "phase": _phase([value.get("phase") for value in values]),
    }
    return TableView(name, data, max(changed, default=0))


def _table_state(states: Sequence[str | None]) -> str:
    """Failed if any partition failed; running if any is active, or if some are finished and
    others still wait (the table is under way); success when all succeeded (skipped ones
    aside); else pending."""
    if any(s in _FAILED_TI for s in states):
        return FAILED
    if any(s in _ACTIVE_TI for s in states):
        return RUNNING
    finished = [s in _FINISHED_TI for s in states]
    if finished and all(finished):
        return SUCCESS if SUCCESS in states else SKIPPED
    if any(finished):
        return RUNNING
    return PENDING


def _phase(phases: Sequence[Any]) -> str | None:
    known = [p for p in phases if isinstance(p, str)]
    if not known:
        return None
    if all(p == DONE_PHASE for p in known):
        return DONE_PHASE
    for phase in _PHASE_ORDER:
        if phase in known:
            return phase
    return next(p for p in known if p != DONE_PHASE)


def _eta(state: str, rows: int, estimated: int | None, rate: float) -> float | None:
    """Seconds left: 0 when done; unknown (None) without an estimate, without a rate, or
    once the rows have passed the estimate (statistics are only estimates)."""
    if state == SUCCESS:
        return 0.0
    if state != RUNNING or estimated is None or rate <= 0 or rows >= estimated:
        return None
    return round((estimated - rows) / rate, 1)


def _wall_rate(rows: int, tasks: Sequence[TaskRecord]) -> float:
    """Rows over the time from the first partition's start to the last one's end."""
    starts = [t.start_date for t in tasks if t.start_date is not None]
    ends = [t.end_date for t in tasks if t.end_date is not None]
    if not rows or not starts or not ends:
        return 0.0
    seconds = (max(ends) - min(starts)).total_seconds()
    return rows / seconds if seconds > 0 else 0.0


def _totals(
    tables: Sequence[TableView], groups: Mapping[str, list[tuple[TaskRecord, Any]]]
) -> dict[str, Any]:
    rows = sum(t.data["rows"] for t in tables)
    running = [t for t in tables if t.data["state"] == RUNNING]
    if running:
        rate = math.fsum(t.data["rows_per_second"] for t in running)
    else:
        rate = _wall_rate(rows, [task for group in groups.values() for task, _ in group])
    return {
        "rows": rows,
        "bytes": sum(t.data["bytes"] for t in tables),
        "rows_per_second": round(rate, 1),
    }


# -- values ------------------------------------------------------------------------------------


def _us(moment: dt.datetime | None) -> int:
    """Microseconds since the epoch (naive times are UTC, as Airflow stores them)."""
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)
