"""Progress of one extraction, published where people and tools can watch it.

Every few seconds (and at each phase change) a snapshot goes to the task instance's
``task_state_store`` under the key :data:`PROGRESS_KEY`, readable over Airflow's REST API while
the task runs (``.../taskInstances/{task_id}/state-store?map_index=N``), and to the task log as
one line.

A task that reads several tables (a transport's packed task) publishes the J-th read under
``progress/J`` while it runs, and its last snapshot (``done`` or ``failed``) in one record
for the whole task, :data:`FINISHED_KEY` (``{"J": snapshot, ...}``), written at most every
interval and when the task ends (:class:`FinishedReads`): each state-store write is a round
trip through the supervisor to the API server and its database, and a task of hundreds of
small tables would otherwise make one per table.

Publishing happens on the extraction thread between batches: the state store talks to the
supervisor over a channel that is not meant for concurrent use, and a batch takes well under a
second, so no extra thread is needed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import msgspec

log = logging.getLogger(__name__)

PROGRESS_KEY = "progress"
#: the key of the J-th read of a task that runs several (a transport's packed extract task)
PROGRESS_KEY_OF_READ = "progress/{index}"
#: the last snapshots of a packed task's finished reads: ``{"J": snapshot}``
FINISHED_KEY = "progress/finished"
FAILED_PHASE = "failed"
DONE_PHASE = "done"
#: phases after which a read's figures do not change
FINAL_PHASES = frozenset({DONE_PHASE, FAILED_PHASE})
DEFAULT_INTERVAL_S = 3.0
#: the rate is measured over about this many recent seconds, so the ETA follows the current
#: speed instead of an average that includes connecting and the query's first fetch
RATE_WINDOW_S = 15.0


class StateStore(Protocol):
    """The part of Airflow's ``TaskStateStoreAccessor`` this module uses."""

    def set(self, key: str, value: Any) -> None: ...


class ReadableStateStore(StateStore, Protocol):
    """A state store read back too (a retry takes up what earlier tries saved)."""

    def get(self, key: str) -> Any: ...


def read_position(key: str) -> int | None:
    """``progress/3`` -> 3; None for any other key (``progress/finished`` included)."""
    suffix = key.removeprefix(PROGRESS_KEY_OF_READ.format(index=""))
    if suffix == key or not suffix.isdigit():
        return None
    return int(suffix)


def read_snapshots(values: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    """Each read's latest snapshot by position, from a task's state-store values (as
    Airflow's REST API lists them): ``progress/J``, or the J-th entry of :data:`FINISHED_KEY`
    when there is one (a last snapshot: it comes after the read's running ones)."""
    snapshots: dict[int, Mapping[str, Any]] = {}
    for key, value in values.items():
        position = read_position(key)
        if position is not None and isinstance(value, Mapping):
            snapshots[position] = value
    finished = values.get(FINISHED_KEY)
    if isinstance(finished, Mapping):
        for position, value in finished.items():
            if str(position).isdigit() and isinstance(value, Mapping):
                snapshots[int(position)] = value
    return dict(sorted(snapshots.items()))


class FinishedReads:
    """The last snapshots of a task's finished reads, saved together under
    :data:`FINISHED_KEY` at most every ``interval_s`` and by :meth:`flush` (the task's end).

    A retry starts from what earlier tries saved, so a read committed then keeps its row.
    A snapshot not yet saved when the task dies is lost, as a read's figures between two
    publications always were: its row falls back on the task's state. Reads running at once
    on several threads share one record, so its methods take a lock.
    """

    def __init__(
        self,
        store: ReadableStateStore | None,
        *,
        interval_s: float = DEFAULT_INTERVAL_S,
        first_try: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._interval = interval_s
        self._clock = clock
        stored = None
        if store is not None and not first_try:
            stored = store.get(FINISHED_KEY)
        self._snapshots: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
        self._saved_at = clock()
        self._dirty = False
        self._lock = threading.Lock()

    def add(self, index: int, snapshot: ProgressSnapshot) -> None:
        """Record the J-th read's last snapshot; save if the interval has passed."""
        with self._lock:
            self._snapshots[str(index)] = msgspec.to_builtins(snapshot)
            self._dirty = True
            if self._clock() - self._saved_at >= self._interval:
                self._save()

    def forget(self, index: int) -> None:
        """The J-th read is tried again: an earlier try's last snapshot no longer stands."""
        with self._lock:
            if self._snapshots.pop(str(index), None) is not None:
                self._dirty = True

    def flush(self) -> None:
        """Save what is not saved yet; a refusal costs rows of the job view, never the read
        (the next save carries them again)."""
        with self._lock:
            self._save()

    def _save(self) -> None:
        if self._store is None or not self._dirty:
            return
        try:
            self._store.set(FINISHED_KEY, dict(self._snapshots))
        except Exception as error:
            log.warning("could not record the finished reads' progress (%s: %s)",
                        type(error).__name__, error)  # fmt: skip
            return
        self._saved_at = self._clock()
        self._dirty = False


class ProgressLog(Protocol):
    """The part of a logger this module uses: a ``logging.Logger`` or an operator's
    ``self.log`` (Airflow's structlog-based task logger) both fit."""

    def info(self, msg: str, /, *args: object) -> None: ...


class ProgressSnapshot(msgspec.Struct, kw_only=True):
    """What one publication says; also the shape the plugin and the REST flow read back."""

    phase: str
    rows: int
    bytes: int
    parts: int
    rows_per_s: float
    elapsed_s: float
    estimated_total_rows: int | None
    table: str | None = None
    partition: int | None = None
    #: with phase ``failed``: the error's type and message (messages never hold secrets)
    error: str | None = None


class ProgressReporter:
    """Throttled publication of rows, bytes, parts, rate and phase.

    ``store`` may be None (the operator run outside a task, e.g. in a unit of a DAG test that
    gives no store): then only the log line is written.
    """

    def __init__(
        self,
        *,
        store: StateStore | None,
        log: ProgressLog,
        table: str | None,
        partition: int | None = None,
        estimated_total_rows: int | None = None,
        interval_s: float = DEFAULT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        key: str = PROGRESS_KEY,
        eager_phases: bool = True,
        finished: tuple[FinishedReads, int] | None = None,
    ) -> None:
        """:param finished: where the last snapshot goes instead of ``key``: the task's
        record of finished reads and this read's position in it."""
        self._store = store
        self._key = key
        self._finished = finished
        self._eager_phases = eager_phases
        self._log = log
        self._table = table
        self._partition = partition
        self._estimate = estimated_total_rows
        self._interval = interval_s
        self._clock = clock
        self._started = clock()
        #: without eager phases the first publication waits for the interval too (a small
        #: table publishes once, when it is done)
        self._last_published: float | None = None if eager_phases else self._started
        #: (time, rows) of recent publications, oldest first, spanning about RATE_WINDOW_S
        self._samples: deque[tuple[float, int]] = deque([(self._started, 0)])
        self.phase = "starting"
        self.error: str | None = None
        self.rows = 0
        self.bytes = 0
        self.parts = 0

    def advance(self, *, rows: int = 0, bytes_written: int = 0, parts: int | None = None) -> None:
        """Count a batch; publish if the interval has passed since the last publication."""
        self.rows += rows
        self.bytes += bytes_written
        if parts is not None:
            self.parts = parts
        now = self._clock()
        if self._last_published is None or now - self._last_published >= self._interval:
            self._publish(now)

    def resume_from(self, *, rows: int, bytes_written: int, parts: int) -> None:
        """Start the counts at what an earlier attempt finished (a resumed read), without
        counting those rows in the rate: they were not read now."""
        self.rows += rows
        self.bytes += bytes_written
        self.parts = parts
        self._samples = deque([(self._clock(), self.rows)])

    def identify(self, table: str | None, partition: int | None) -> None:
        """The table's display name and partition index, once planning has resolved them."""
        self._table = table
        self._partition = partition

    def set_estimate(self, estimated_total_rows: int | None) -> None:
        """The expected row count, once planning has read it (ALL_TABLES.NUM_ROWS)."""
        self._estimate = estimated_total_rows

    def enter(self, phase: str) -> None:
        """A new phase (``planning``, ``extracting``, ``committing``, ``done``, ``failed``):
        published at once, so watchers see transitions without waiting. Without
        ``eager_phases`` (a task reading many small tables) only the last phases are, and the
        others within the interval: a table read in a second needs no four publications."""
        self.phase = phase
        now = self._clock()
        if (
            self._eager_phases
            or phase in FINAL_PHASES
            or self._last_published is None
            or now - self._last_published >= self._interval
        ):
            self._publish(now)

    def fail(self, error: BaseException) -> None:
        """The read failed: publish phase ``failed`` with the error (its type and message),
        so a watcher sees which table of a task failed and why."""
        self.error = f"{type(error).__name__}: {error}"
        self.enter(FAILED_PHASE)

    def snapshot(self, now: float | None = None) -> ProgressSnapshot:
        now = self._clock() if now is None else now
        elapsed = max(now - self._started, 1e-9)
        return ProgressSnapshot(
            phase=self.phase,
            rows=self.rows,
            bytes=self.bytes,
            parts=self.parts,
            rows_per_s=round(self._recent_rate(now), 1),
            elapsed_s=round(elapsed, 3),
            estimated_total_rows=self._estimate,
            table=self._table,
            partition=self._partition,
            error=self.error,
        )

    def _recent_rate(self, now: float) -> float:
        """Rows per second since the oldest sample of the window (the whole run at first)."""
        since, rows_then = self._samples[0]
        return (self.rows - rows_then) / max(now - since, 1e-9)

    def _publish(self, now: float) -> None:
        self._last_published = now
        snap = self.snapshot(now)
        self._samples.append((now, self.rows))
        while len(self._samples) > 2 and now - self._samples[1][0] >= RATE_WINDOW_S:
            self._samples.popleft()
        if self._finished is not None and snap.phase in FINAL_PHASES:
            record, index = self._finished
            record.add(index, snap)
        elif self._store is not None:
            self._store.set(self._key, msgspec.to_builtins(snap))
        total = f"/{snap.estimated_total_rows:,}" if snap.estimated_total_rows else ""
        self._log.info(
            "progress %s: %s rows%s, %s bytes, %d parts, %.0f rows/s",
            snap.phase,
            f"{snap.rows:,}",
            total,
            f"{snap.bytes:,}",
            snap.parts,
            snap.rows_per_s,
        )
