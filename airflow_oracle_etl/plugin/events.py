"""The Server-Sent Events stream of one job: what to send, when, and with which ids.

Frames (each ends with a blank line)::

    retry: 2000                                   first: reconnect after 2 s

    event: job                                    first event, then when the run's state
    id: 1767225600123456                          or the totals change
    data: {"job_id": ..., "state": ..., "totals": {...}, ...}   (the job without tables)

    event: table                                  a table that changed since it was sent
    id: 1767225600234567
    data: {"table": "DEMO.SALES_ORDER", "state": ..., "rows": ..., "job_id": ..., "transport": ...}

    event: end                                    the run is final; the stream closes
    id: 1767225601235567
    data: {...the final job without tables...}

    : keep-alive                                  after 15 s without an event

Event ids are the time of the change they report, in microseconds since the epoch (the newest
``updated_at`` of the table's task instances and progress snapshots; the run's start or end
for ``job``), raised by one whenever that would not exceed the previous id, so ids strictly
increase within a stream. A client that reconnects with ``Last-Event-ID: N`` gets the job, then
every table that changed after ``N`` minus :data:`RESUME_MARGIN_US` (rows are stamped when
written and committed a little later, so a change stamped just before ``N`` may not have been
visible when ``N`` was sent; re-sending a table is harmless, the client just overwrites it),
all with ids above ``N``, then the stream goes on as usual. The ``end`` event's id is derived
from the final job alone (:func:`end_event_id`), so a client that has seen it can be told not
to reconnect (the route answers 204).

A job may have thousands of tables: only the tables that changed are sent (a running table
changes with each snapshot its reads publish), and neither ``job`` nor ``end`` carries the
tables (their totals cover them all). A client that has just read a page of the job opens the
stream with the page's ``event_id`` as its last event id, and gets only what changed since.

No Airflow here: :func:`job_events` takes the reading of the job as a callable, so the stream
is unit-tested with a fake job and a fake clock.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio

from airflow_oracle_etl.plugin.job_status import JobView

__all__ = [
    "HEARTBEAT_S",
    "KEEP_ALIVE",
    "RESUME_MARGIN_US",
    "RETRY_MS",
    "EventStream",
    "end_event_id",
    "format_event",
    "job_events",
]

log = logging.getLogger(__name__)

RETRY_MS = 2000
HEARTBEAT_S = 15.0
KEEP_ALIVE = ": keep-alive\n\n"
#: tables changed this long before the client's last event id are sent again on resume
RESUME_MARGIN_US = 10_000_000
#: the end event's id lies this far after the job's last change, above any table event's id
END_GAP_US = 1_000

JOB_EVENT = "job"
TABLE_EVENT = "table"
END_EVENT = "end"

JobSource = Callable[[], Awaitable[JobView | None]]


def format_event(event: str, data: Any, event_id: int) -> str:
    """One SSE frame; ``data`` as one line of JSON (JSON escapes newlines in strings)."""
    payload = json.dumps(data, separators=(",", ":"), default=str)
    return f"event: {event}\nid: {event_id}\ndata: {payload}\n\n"


def retry_frame(retry_ms: int = RETRY_MS) -> str:
    return f"retry: {retry_ms}\n\n"


def end_event_id(job: JobView) -> int:
    """The ``end`` event's id: a function of the final job only, the same on every stream."""
    return job.last_change_us + END_GAP_US


def table_event_data(job: JobView, data: dict[str, Any]) -> dict[str, Any]:
    """A table object with the job it belongs to."""
    return {**data, "job_id": job.header["job_id"], "transport": job.header["transport"]}


class EventStream:
    """What to send for each new look at the job (no I/O, no clock).

    :param last_event_id: the client's ``Last-Event-ID`` when it reconnects.
    """

    def __init__(self, last_event_id: int | None = None) -> None:
        self.last_id = last_event_id if last_event_id is not None else 0
        self._resume_after = None if last_event_id is None else last_event_id - RESUME_MARGIN_US
        self._header: dict[str, Any] | None = None
        self._sent: dict[str, dict[str, Any]] = {}
        self._first = True
        self.ended = False

    def _next_id(self, changed_us: int) -> int:
        self.last_id = max(changed_us, self.last_id + 1)
        return self.last_id

    def frames(self, job: JobView) -> list[str]:
        """The frames ``job`` calls for: ``job`` if the run's state or the totals changed,
        each table that changed, and ``end`` once the run is final."""
        out: list[str] = []
        header = job.header
        if header != self._header:
            self._header = header
            out.append(format_event(JOB_EVENT, header, self._next_id(job.changed_us)))
        for table in sorted(job.tables, key=lambda t: t.changed_us):
            if (
                self._first
                and self._resume_after is not None
                and table.changed_us <= self._resume_after
            ):
                self._sent[table.name] = table.data  # the client has it already
                continue
            if table.data != self._sent.get(table.name):
                self._sent[table.name] = table.data
                data = table_event_data(job, table.data)
                out.append(format_event(TABLE_EVENT, data, self._next_id(table.changed_us)))
        self._first = False
        if job.final and not self.ended:
            self.ended = True
            out.append(format_event(END_EVENT, header, self._next_id(end_event_id(job))))
        return out


async def _never_disconnected() -> bool:
    return False


async def job_events(
    read_job: JobSource,
    *,
    interval_s: float,
    last_event_id: int | None = None,
    first: JobView | None = None,
    is_disconnected: Callable[[], Awaitable[bool]] = _never_disconnected,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    clock: Callable[[], float] = time.monotonic,
    heartbeat_s: float = HEARTBEAT_S,
) -> AsyncIterator[str]:
    """The stream of one job: ``retry:``, then events until the run is final (then ``end``
    and the stream closes), the client goes away, or the run disappears.

    :param read_job: reads the job now (None: it no longer exists); a failed read is logged
        and retried at the next interval.
    :param first: the job as already read by the caller (saves the first read).
    """
    stream = EventStream(last_event_id)
    yield retry_frame()
    job = first if first is not None else await read_job()
    last_output = clock()
    while job is not None:
        frames = stream.frames(job)
        for frame in frames:
            yield frame
        if stream.ended:
            return
        now = clock()
        if frames:
            last_output = now
        elif now - last_output >= heartbeat_s:
            last_output = now
            yield KEEP_ALIVE
        job = await _next_look(read_job, job, interval_s, sleep, is_disconnected)


async def _next_look(
    read_job: JobSource,
    previous: JobView,
    interval_s: float,
    sleep: Callable[[float], Awaitable[None]],
    is_disconnected: Callable[[], Awaitable[bool]],
) -> JobView | None:
    """The job after the next interval; None once the client has gone or the run has.

    A failed read is logged and retried an interval later (a database hiccup should not
    end every open stream)."""
    while True:
        await sleep(interval_s)
        if await is_disconnected():
            return None
        try:
            return await read_job()
        except Exception:
            log.exception("reading job %s failed; trying again", previous.header["job_id"])
