"""The reads of a transport job, each with the task that carries it and its latest snapshot.

A read is one table, or one partition of one, read by one mapped ``extract`` task. Since tables
are packed, a task carries a list of them: the plan's output says which (per map index
``{"reads": [{"label": "DEMO.X", "partition": {...}, "estimated_bytes": ...}, ...]}``) and
the J-th read publishes its progress under the state-store key ``progress/J``, and a task of
several reads its finished reads' last snapshots together under ``progress/finished``
(``{"J": snapshot}``; of the two, the newer record counts for a read). The plan's
output is the only list of the tables: a task renders the label of its first table only
(``DEMO.CUSTOMER +11``), and a read that has not started has no snapshot.

A read's state, from its snapshot and its task instance:

- phase ``done``: success (a read committed by an earlier try of its task keeps its snapshot,
  and the retry skips it);
- the task failed (or an upstream task did): failed, with the read's error if it published
  one, else "not tried" (the task was stopped before it);
- the task waits for a retry: running, as a partition did before packing;
- phase ``failed``: failed, with its ``error`` (the task goes on with its other reads);
- the task runs: running once the read has a snapshot of this try, pending before;
- otherwise (queued, scheduled, not yet created) pending.

Runs planned before packing had one read per task, named by the task's label
(``DEMO.X p1/2``) or the plan's flat arguments, published under ``progress``: their rules are
the task instance's state, as before. When the plan's output cannot be read (an XCom backend
that stores a reference), a packed task's reads appear as their snapshots come, named by them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_oracle_etl.progress import (
    DONE_PHASE,
    FAILED_PHASE,
    FINISHED_KEY,
    PROGRESS_KEY,
    PROGRESS_KEY_OF_READ,
    read_position,
)

__all__ = [
    "DONE_PHASE",
    "EXTRACT_TASK",
    "FAILED",
    "FAILED_PHASE",
    "NOT_TRIED",
    "PENDING",
    "PROGRESS_KEY",
    "PROGRESS_KEY_PREFIX",
    "RUNNING",
    "SKIPPED",
    "SUCCESS",
    "ProgressRecord",
    "Read",
    "TaskRecord",
    "job_reads",
    "planned_label",
    "read_position",
    "table_of_label",
]

#: the mapped task of a transport DAG (``transports.factory.EXTRACT_TASK``; not imported, as
#: that module pulls in Airflow and the operators)
EXTRACT_TASK = "extract"
#: state-store key of the J-th read of a task: this prefix and J (``PROGRESS_KEY`` is the key
#: of a task of one read, as the stand-alone operator and runs planned before packing use)
PROGRESS_KEY_PREFIX = PROGRESS_KEY_OF_READ.format(index="")

PENDING = "pending"
RUNNING = "running"
SUCCESS = "success"
FAILED = "failed"
SKIPPED = "skipped"

_FAILED_TI = frozenset({"failed", "upstream_failed"})
#: a task that will run again at once: its unfinished reads are under way
_RETRYING_TI = frozenset({"up_for_retry", "up_for_reschedule", "restarting"})
#: a task that is being worked on (or will be again at once)
_ACTIVE_TI = frozenset({"running", "deferred"}) | _RETRYING_TI
#: the error of a read its failed task did not reach (stopped early, or an upstream failure)
NOT_TRIED = "not tried: its task ended before this table"
#: a task whose worker heartbeats (its row's ``updated_at`` moves without a change of state)
_RUNNING_TI = frozenset({"running"})
#: a task with nothing more to do
_FINISHED_TI = frozenset({"success", "skipped"})
#: the label of a partition: ``DEMO.SALES_LINE_ITEM p1/2``
_PARTITION_LABEL = re.compile(r"^(?P<table>.+) p(?P<index>\d+)/(?P<count>\d+)$")
#: the label of a task carrying several reads: ``DEMO.CUSTOMER +11``
_PACKED_LABEL = re.compile(r"^(?P<first>.+) \+\d+$")


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
    """A progress value of one task instance (a ``ProgressSnapshot`` as a mapping), under
    ``key``: ``progress/J`` for the J-th read of a task, ``progress`` before packing."""

    task_id: str
    map_index: int
    value: Mapping[str, Any]
    updated_at: dt.datetime | None = None
    key: str = PROGRESS_KEY


@dataclass(frozen=True)
class Read:
    """One read as the job view counts it.

    ``value`` is the snapshot that counts for the task's current try (None: nothing yet);
    ``snapshot`` the record as read; ``changed`` the time of its last change; ``reading``:
    its rate is current; ``interval``: when it ran, once it has finished, for its wall-time
    rate."""

    table: str
    state: str
    task: TaskRecord | None
    snapshot: ProgressRecord | None = None
    value: Mapping[str, Any] | None = None
    changed: tuple[dt.datetime, ...] = ()
    reading: bool = False
    interval: tuple[dt.datetime, dt.datetime] | None = None
    estimated_bytes: int | None = None
    error: str | None = None


def job_reads(
    tasks: Sequence[TaskRecord],
    progress: Sequence[ProgressRecord],
    planned: Sequence[Mapping[str, Any]] | None,
) -> Iterator[Read]:
    """Every read of the job, in the plan's order."""
    extract = {t.map_index: t for t in tasks if t.task_id == EXTRACT_TASK and t.map_index >= 0}
    snapshots = _snapshots_by_key([p for p in progress if p.task_id == EXTRACT_TASK])
    if planned is not None and _is_packed_plan(planned):
        for index, entry in enumerate(planned):
            reads = entry["reads"]
            for position, read in enumerate(reads):
                task = extract.get(index)
                snapshot = snapshots.get((index, f"{PROGRESS_KEY_PREFIX}{position}"))
                name = _read_name(read, index, position)
                yield _packed_read(name, task, snapshot, alone=len(reads) == 1, planned=read)
        return
    positioned: dict[int, dict[int, ProgressRecord]] = {}
    for (map_index, key), snapshot in snapshots.items():
        if (slot := read_position(key)) is not None:
            positioned.setdefault(map_index, {})[slot] = snapshot
    for index, task in sorted(extract.items()):
        own = [snapshot for _, snapshot in sorted(positioned.get(index, {}).items())]
        if own:  # a packed task whose plan is unreadable: its reads as they publish
            for snapshot in own:
                name = _snapshot_table(snapshot) or f"#{index}"
                yield _packed_read(name, task, snapshot, alone=len(own) == 1, planned=None)
        else:
            yield _single_read(task, snapshots.get((index, PROGRESS_KEY)), planned)


def _snapshots_by_key(progress: Sequence[ProgressRecord]) -> dict[tuple[int, str], ProgressRecord]:
    """Each read's record by (map index, ``progress/J``): a finished-reads record stands for
    its entries' keys, and for each read the newer of the two records counts (a read an
    earlier try finished may be running again; the last snapshot of one this try finished
    is saved after its running ones)."""
    snapshots: dict[tuple[int, str], ProgressRecord] = {}
    finished: list[ProgressRecord] = []
    for record in progress:
        if record.key == FINISHED_KEY:
            finished.append(record)
        else:
            snapshots[(record.map_index, record.key)] = record
    for record in finished:
        for position, value in record.value.items():
            if not str(position).isdigit() or not isinstance(value, Mapping):
                continue
            key = f"{PROGRESS_KEY_PREFIX}{int(position)}"
            running = snapshots.get((record.map_index, key))
            if running is None or not _older(record, running):
                snapshots[(record.map_index, key)] = ProgressRecord(
                    record.task_id, record.map_index, value, record.updated_at, key
                )
    return snapshots


def _older(record: ProgressRecord, other: ProgressRecord) -> bool:
    """Whether ``record`` was written before ``other`` (unknown times: not older)."""
    if record.updated_at is None or other.updated_at is None:
        return False
    return record.updated_at < other.updated_at


def table_of_label(label: str) -> tuple[str, int | None, int | None]:
    """``DEMO.X p2/4`` -> (``DEMO.X``, 2, 4); a label without partition suffix -> (label,
    None, None)."""
    match = _PARTITION_LABEL.match(label)
    if match is None:
        return label, None, None
    return match["table"], int(match["index"]), int(match["count"])


def planned_label(entry: Mapping[str, Any]) -> str | None:
    """The label a mapped extract task rendered for one entry of a plan's output before
    packing (quotes dropped, `` pI/N`` when partitioned)."""
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


# -- packed tasks ------------------------------------------------------------------------------


def _is_packed_plan(planned: Sequence[Mapping[str, Any]]) -> bool:
    return all(isinstance(entry.get("reads"), list) for entry in planned)


def _read_name(read: Any, index: int, position: int) -> str:
    """The table of one planned read: its ``label`` (``OWNER.NAME``), else its quoted
    ``table`` without quotes, else its place in the plan."""
    if isinstance(read, Mapping):
        for value in (read.get("label"), read.get("table")):
            if isinstance(value, str) and value:
                return value.replace('"', "")
    return f"#{index}.{position}"


def _packed_read(
    name: str,
    task: TaskRecord | None,
    snapshot: ProgressRecord | None,
    *,
    alone: bool,
    planned: Any,
) -> Read:
    state = None if task is None else task.state
    value = _packed_value(task, snapshot)
    phase = None if value is None else value.get("phase")
    estimated = planned.get("estimated_bytes") if isinstance(planned, Mapping) else None
    error = value.get("error") if value is not None and phase == FAILED_PHASE else None
    if state in _FAILED_TI and value is None:
        error = NOT_TRIED
    return Read(
        table=name,
        state=_packed_state(state, value, phase),
        task=task,
        snapshot=snapshot,
        value=value,
        changed=_packed_changed(task, snapshot),
        reading=state == "running" and phase not in (None, DONE_PHASE, FAILED_PHASE),
        interval=_packed_interval(task, snapshot, value, alone=alone),
        estimated_bytes=estimated if _is_count(estimated) else None,
        error=error if isinstance(error, str) and error else None,
    )


def _packed_value(
    task: TaskRecord | None, snapshot: ProgressRecord | None
) -> Mapping[str, Any] | None:
    """The snapshot that counts: a ``done`` one always (the read stays committed across
    tries); another only while its task is active or over, and, while it runs, only if this
    try wrote it (a previous try's snapshot waits for this try to reach the read)."""
    if snapshot is None:
        return None
    if snapshot.value.get("phase") == DONE_PHASE:
        return snapshot.value
    if task is None or task.state not in _ACTIVE_TI | _FINISHED_TI | _FAILED_TI:
        return None
    if _older_than_try(task, snapshot):
        return None
    return snapshot.value


def _packed_state(task_state: str | None, value: Mapping[str, Any] | None, phase: Any) -> str:
    if phase == DONE_PHASE:
        return SUCCESS
    if task_state in _FAILED_TI:
        return FAILED
    if task_state in _RETRYING_TI:
        return RUNNING
    if phase == FAILED_PHASE:
        return FAILED
    if task_state in _ACTIVE_TI:
        return RUNNING if value is not None else PENDING
    if task_state == "success":  # every read committed, whatever its snapshots say
        return SUCCESS
    if task_state == "skipped":
        return SKIPPED
    return PENDING


def _packed_interval(
    task: TaskRecord | None,
    snapshot: ProgressRecord | None,
    value: Mapping[str, Any] | None,
    *,
    alone: bool,
) -> tuple[dt.datetime, dt.datetime] | None:
    """When a finished read ran: its last snapshot's time less its elapsed seconds (a packed
    task's times span all its reads); a task of one read without them: the task's times."""
    phase = None if value is None else value.get("phase")
    elapsed = None if value is None else value.get("elapsed_s")
    if (
        snapshot is not None
        and snapshot.updated_at is not None
        and phase in (DONE_PHASE, FAILED_PHASE)
        and isinstance(elapsed, int | float)
        and not isinstance(elapsed, bool)
    ):
        return snapshot.updated_at - dt.timedelta(seconds=float(elapsed)), snapshot.updated_at
    if alone and task is not None and task.start_date and task.end_date:
        return task.start_date, task.end_date
    return None


def _packed_changed(
    task: TaskRecord | None, snapshot: ProgressRecord | None
) -> tuple[dt.datetime, ...]:
    """When a read last changed: its snapshot's time, and when its task last changed state.

    A running task's ``updated_at`` moves with each heartbeat, which changes none of its
    reads: while it runs, its start stands for it (the moment its reads not yet reached
    became pending in it). Else a stream resuming would send every read of a running task
    again, which for a pack of hundreds of tables is most of the job."""
    task_changed = None
    if task is not None:
        task_changed = task.start_date if task.state in _RUNNING_TI else task.updated_at
    return _times(task_changed, None if snapshot is None else snapshot.updated_at)


def _times(*moments: dt.datetime | None) -> tuple[dt.datetime, ...]:
    return tuple(moment for moment in moments if moment is not None)


def _snapshot_table(snapshot: ProgressRecord) -> str | None:
    table = snapshot.value.get("table")
    if isinstance(table, str) and table:
        return table_of_label(table.replace('"', ""))[0]
    return None


# -- tasks of one read (runs planned before packing) -------------------------------------------


def _single_read(
    task: TaskRecord, snapshot: ProgressRecord | None, planned: Sequence[Mapping[str, Any]] | None
) -> Read:
    value = _single_value(task, snapshot)
    state = task.state
    if state in _FAILED_TI:
        read_state = FAILED
    elif state in _ACTIVE_TI:
        read_state = RUNNING
    elif state in _FINISHED_TI:
        read_state = SUCCESS if state == "success" else SKIPPED
    else:
        read_state = PENDING
    phase = None if value is None else value.get("phase")
    error = value.get("error") if value is not None and phase == FAILED_PHASE else None
    return Read(
        table=_single_name(task, snapshot, planned),
        state=read_state,
        task=task,
        snapshot=snapshot,
        value=value,
        changed=_times(task.updated_at, None if snapshot is None else snapshot.updated_at),
        reading=state == "running" and value is not None and phase != DONE_PHASE,
        interval=(task.start_date, task.end_date) if task.start_date and task.end_date else None,
        error=error if isinstance(error, str) and error else None,
    )


def _single_name(
    task: TaskRecord,
    snapshot: ProgressRecord | None,
    planned: Sequence[Mapping[str, Any]] | None,
) -> str:
    """The table a task reads: from its rendered label, else the plan, else its snapshot;
    ``#N`` (its map index) when none of them says."""
    label = task.rendered_map_index
    if not label and planned is not None and task.map_index < len(planned):
        label = planned_label(planned[task.map_index])
    if label:
        packed = _PACKED_LABEL.match(label)
        return table_of_label(packed["first"] if packed else label)[0]
    if snapshot is not None and (table := _snapshot_table(snapshot)):
        return table
    return f"#{task.map_index}"


def _single_value(task: TaskRecord, snapshot: ProgressRecord | None) -> Mapping[str, Any] | None:
    """The snapshot that describes the task's current try, if any.

    A task waiting to run counts nothing (a snapshot there is a cleared run's), and a
    running one ignores a snapshot older than its start (its previous try's: retries share
    the task state store)."""
    if snapshot is None or task.state is None:
        return None
    if task.state not in _ACTIVE_TI | _FINISHED_TI | _FAILED_TI:
        return None
    if _older_than_try(task, snapshot):
        return None
    return snapshot.value


def _older_than_try(task: TaskRecord, snapshot: ProgressRecord) -> bool:
    return (
        task.state == "running"
        and task.start_date is not None
        and snapshot.updated_at is not None
        and snapshot.updated_at < task.start_date
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
