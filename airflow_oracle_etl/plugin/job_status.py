"""What a transport job is doing, per table, computed from plain records of its run.

Pure on purpose: :mod:`.job_records` reads the rows (the run, its task instances, the progress
snapshots of the task state store and the plan's output) and this module decides what they
mean, so the rules are unit-tested without Airflow or a database.

A job is made of reads: one table, or one partition of a table. The plan packs them into the
mapped ``extract`` tasks (``{"reads": [...]}`` per map index) and the J-th read of a task
publishes its snapshots under the key ``progress/J`` (:mod:`.job_reads` turns both into
:class:`Read` records). Runs planned before packing had one read per task, published under
``progress`` and named by the task's label (``DEMO.X p1/2``); they still display.

A table adds up its reads: rows and bytes from their latest snapshots (the last one has phase
``done`` and the final totals); its state aggregates theirs; its rate is the sum of the reading
reads' rates while it runs, and rows over wall time once it has finished. Each table carries
the time of its last change (its reads' newest: :class:`~.job_reads.Read`), which the
event stream turns into event ids (:mod:`.events`). :func:`page` picks the tables one answer
carries: a job of thousands of tables is read a page at a time, with totals over all of them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from airflow_oracle_etl.plugin.job_reads import (
    DONE_PHASE,
    EXTRACT_TASK,
    FAILED,
    FAILED_PHASE,
    PENDING,
    RUNNING,
    SKIPPED,
    SUCCESS,
    ProgressRecord,
    Read,
    TaskRecord,
    job_reads,
    planned_label,
    table_of_label,
)

__all__ = [
    "EXTRACT_TASK",
    "FINAL_RUN_STATES",
    "RUNNING",
    "TABLE_STATES",
    "JobRecords",
    "JobView",
    "ProgressRecord",
    "RunRecord",
    "TableView",
    "TaskRecord",
    "job_view",
    "page",
    "planned_label",
    "table_of_label",
]

#: run states after which nothing changes any more
FINAL_RUN_STATES = frozenset({"success", "failed"})
#: the states of a table, in the order totals list them
TABLE_STATES = (PENDING, RUNNING, SUCCESS, FAILED, SKIPPED)

#: when reads of one table are in different phases, the one shown (most telling first)
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
class JobRecords:
    """Everything read about one run; ``planned`` is the plan task's output (per map index
    ``{"reads": [...]}``, or one set of extract arguments in runs planned before packing)."""

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
    """The job: ``header`` is its JSON object without ``tables`` (totals over every table
    included); ``changed_us`` the time of the run's last state change and ``last_change_us``
    of anything in the job."""

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
        """The job with every table: :func:`page` of all of them."""
        return page(self, offset=0, limit=len(self.tables))


def page(job: JobView, *, offset: int, limit: int, states: Collection[str] = ()) -> dict[str, Any]:
    """The job as ``GET /jobs/{run_id}`` answers it: the header with totals over every table,
    and ``limit`` tables from ``offset`` among those in ``states`` (all when empty), in plan
    order. ``page.matching`` counts the tables the filter keeps, so a client can page on;
    ``event_id`` is where its event stream may start (:mod:`.events`)."""
    chosen = [t.data for t in job.tables if not states or t.data["state"] in states]
    return {
        **job.header,
        "page": {"offset": offset, "limit": limit, "matching": len(chosen)},
        "event_id": job.last_change_us,
        "tables": chosen[offset : offset + limit],
    }


def job_view(records: JobRecords) -> JobView:
    """The job of ``records``: per table state, rows, bytes, rate, ETA; and totals."""
    run = records.run
    groups: dict[str, list[Read]] = {}
    for read in job_reads(records.tasks, records.progress, records.planned):
        groups.setdefault(read.table, []).append(read)
    tables = tuple(_table(name, reads) for name, reads in groups.items())
    extract_tasks = [t for t in records.tasks if t.task_id == EXTRACT_TASK and t.map_index >= 0]
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
        "totals": _totals(tables, extract_tasks),
    }
    last_change = max([run_changed, *(t.changed_us for t in tables)])
    return JobView(header, tables, changed_us=run_changed, last_change_us=last_change)


# -- one table ---------------------------------------------------------------------------------


def _table(name: str, reads: list[Read]) -> TableView:
    state = _table_state([read.state for read in reads])
    values = [read.value for read in reads if read.value is not None]
    rows = sum(_int(value.get("rows")) for value in values)
    estimates = [
        e for e in (value.get("estimated_total_rows") for value in values) if isinstance(e, int)
    ]
    # every read of a table carries the whole table's estimate (ALL_TABLES.NUM_ROWS)
    estimated = max(estimates) if estimates else None
    if state == RUNNING:
        rate = math.fsum(
            _float(read.value.get("rows_per_s"))
            for read in reads
            if read.value is not None and read.reading
        )
    else:
        rate = _wall_rate(rows, [interval for read in reads if (interval := read.interval)])
    changed = [_us(moment) for read in reads for moment in read.changed]
    # every read of a table carries the whole table's estimate, as the plan packs by tables
    planned_bytes = [read.estimated_bytes for read in reads if read.estimated_bytes is not None]
    errors = list(dict.fromkeys(read.error for read in reads if read.error))
    data = {
        "table": name,
        "state": state,
        "rows": rows,
        "bytes": sum(_int(value.get("bytes")) for value in values),
        "rows_per_second": round(rate, 1),
        "eta_seconds": _eta(state, rows, estimated, rate),
        "estimated_rows": estimated,
        "estimated_bytes": max(planned_bytes) if planned_bytes else None,
        "partitions": len(reads),
        "partitions_done": sum(read.state == SUCCESS for read in reads),
        "phase": _phase([value.get("phase") for value in values]),
        "error": "; ".join(errors) if errors else None,
    }
    return TableView(name, data, max(changed, default=0))


def _table_state(states: Sequence[str]) -> str:
    """Failed if any read failed; running if any runs, or if some are finished and others
    still wait (the table is under way); success when all succeeded (skipped ones aside);
    else pending."""
    if FAILED in states:
        return FAILED
    if RUNNING in states:
        return RUNNING
    finished = [s in (SUCCESS, SKIPPED) for s in states]
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
    if FAILED_PHASE in known:
        return FAILED_PHASE
    return next(p for p in known if p != DONE_PHASE)


def _eta(state: str, rows: int, estimated: int | None, rate: float) -> float | None:
    """Seconds left: 0 when done; unknown (None) without an estimate, without a rate, or
    once the rows have passed the estimate (statistics are only estimates)."""
    if state == SUCCESS:
        return 0.0
    if state != RUNNING or estimated is None or rate <= 0 or rows >= estimated:
        return None
    return round((estimated - rows) / rate, 1)


def _wall_rate(rows: int, intervals: Sequence[tuple[dt.datetime, dt.datetime]]) -> float:
    """Rows over the time from the first start to the last end."""
    if not rows or not intervals:
        return 0.0
    span = max(end for _, end in intervals) - min(start for start, _ in intervals)
    seconds = span.total_seconds()
    return rows / seconds if seconds > 0 else 0.0


def _totals(tables: Sequence[TableView], tasks: Sequence[TaskRecord]) -> dict[str, Any]:
    """Sums over every table, whatever page a client reads: rows, bytes, rate, the tables
    per state, and the share of the work done (:func:`_progress`)."""
    rows = sum(t.data["rows"] for t in tables)
    running = [t for t in tables if t.data["state"] == RUNNING]
    if running:
        rate = math.fsum(t.data["rows_per_second"] for t in running)
    else:
        rate = _wall_rate(
            rows,
            [(t.start_date, t.end_date) for t in tasks if t.start_date and t.end_date],
        )
    return {
        "rows": rows,
        "bytes": sum(t.data["bytes"] for t in tables),
        "rows_per_second": round(rate, 1),
        "tables": len(tables),
        "tables_by_state": {
            state: sum(t.data["state"] == state for t in tables) for state in TABLE_STATES
        },
        "progress": _progress(tables),
    }


def _progress(tables: Sequence[TableView]) -> float | None:
    """The share of the job's work done, 0 to 1 (None without tables).

    Each table weighs its planned bytes when the plan estimated every table (runs planned
    before packing did not: then each table weighs one); its own share is 1 once finished,
    its rows over its estimate while it runs (below 1: statistics can be stale), else 0."""
    if not tables:
        return None
    weights = [t.data["estimated_bytes"] for t in tables]
    if not all(isinstance(w, int) and w > 0 for w in weights):
        weights = [1] * len(tables)
    done = 0.0
    for table, weight in zip(tables, weights, strict=True):
        data = table.data
        if data["state"] in (SUCCESS, SKIPPED):
            share = 1.0
        elif data["estimated_rows"] and data["rows"]:
            share = min(data["rows"] / data["estimated_rows"], 0.99)
        else:
            share = 0.0
        done += weight * share
    fraction = done / sum(weights)
    if any(t.data["state"] not in (SUCCESS, SKIPPED) for t in tables):
        fraction = min(fraction, 0.999)
    return round(fraction, 4)


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
