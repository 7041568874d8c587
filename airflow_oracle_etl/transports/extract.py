"""The ``extract`` task of a transport's DAG: the reads the plan gave one task.

The plan packs small tables into tasks (:mod:`~.packing`) and gives each mapped instance of this
operator its ``reads``: one partition of a big table, one table, or a group of small tables.
Each read runs through the same unit as the stand-alone operator
(:func:`~airflow_oracle_etl.extraction.run_request`): its own parts, partition manifest,
progress (state-store key ``progress/J`` for the J-th read while it runs; with several reads,
the last snapshots of all in one record, ``progress/finished``) and checkpoint
(``checkpoint/J``).
One process, one check of the bucket and the tables' metadata read in a few queries serve them
all, which is most of what packing saves. ``reads_at_once`` reads run at the same time, in
the order given, each reader with an Oracle session and a storage client of its own: a small
table's read is mostly waiting (a query's round trips, four sequential GCS requests), which
the readers overlap, and a reader costs a session, not a task. With one, the reads run one
after another on one session. Every reader's session is opened before any read starts, on the
task's thread (only it asks Airflow for the connection); the task state store they share
serves one call at a time.

A read that fails does not stop the others: the task tries every read, then fails naming each
failed table. Only what ends every read at once stops it early (the task being killed, the
connection lost, credentials or the bucket refused); the reads left are tried by the retry.
The reads committed so far are recorded (key ``committed``), so a retry skips them and goes on
with the ones it was in, each from its checkpoint. The XCom ``tables`` lists the summaries of the
committed reads and ``failed`` the failed ones, pushed whether the task succeeds or not, so
the ``finalize`` task commits every table that is complete and names the others.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, get_current_context

from airflow_oracle_etl.encoding import EncodingPlan, plan_columns
from airflow_oracle_etl.errors import PermanentError, TransientError
from airflow_oracle_etl.extraction import (
    BucketAccessError,
    BucketNotFoundError,
    ExtractionSettings,
    ReadTarget,
    TableExtraction,
    open_bucket,
    run_request,
)
from airflow_oracle_etl.extraction.bucket import bucket_handle
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.errors import (
    ConnectionLostError,
    ExtractCancelledError,
    LogonRefusedError,
    OracleUnreachableError,
    SnapshotPrivilegeError,
)
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import parse_table_name
from airflow_oracle_etl.incremental import WatermarkWindow
from airflow_oracle_etl.lineage import openlineage as lineage
from airflow_oracle_etl.lineage.exports import (
    ReadNames,
    ReadRecord,
    planned_names,
    record_read,
    stored_record,
)
from airflow_oracle_etl.metadata import OracleColumn
from airflow_oracle_etl.options import FetchOptions, GcsOptions, PartsOptions, convert_options
from airflow_oracle_etl.partitioning import PartitionSpec
from airflow_oracle_etl.planning import Encode, ReadRequest, convert_record
from airflow_oracle_etl.progress import (
    DEFAULT_INTERVAL_S,
    PROGRESS_KEY_OF_READ,
    FinishedReads,
    ProgressReporter,
)
from airflow_oracle_etl.resume import CheckpointStore
from airflow_oracle_etl.transports.packing import checked_reads_at_once

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage
    from airflow.sdk import Context

__all__ = [
    "COMMITTED_KEY",
    "FAILED_XCOM",
    "TABLES_XCOM",
    "TransportExtractError",
    "TransportExtractInterruptedError",
    "TransportExtractOperator",
    "read_label",
]

log = logging.getLogger(__name__)

#: XCom keys of every extract task: the committed reads' summaries, and the failed reads
TABLES_XCOM = "tables"
FAILED_XCOM = "failed"
#: state-store key: the summaries of the reads committed so far, by position, across tries
COMMITTED_KEY = "committed"
CHECKPOINT_KEY_OF_READ = "checkpoint/{index}"

#: errors after which no further read of the task can succeed in this try
_ENDS_THE_TRY = (
    ExtractCancelledError,
    ConnectionLostError,
    OracleUnreachableError,
    LogonRefusedError,
    SnapshotPrivilegeError,
    BucketNotFoundError,
    BucketAccessError,
)


class TransportExtractError(PermanentError):
    """Reads of the task failed, each for a reason no retry fixes; the others committed."""


class TransportExtractInterruptedError(TransientError):
    """Reads of the task failed or were not tried, at least one for a reason a retry may fix;
    the retry skips the reads already committed."""


def read_label(read: Mapping[str, Any]) -> str:
    """``OWNER.NAME`` or ``OWNER.NAME p2/4``: a read as people name it."""
    label = str(read.get("label") or read.get("table"))
    partition = read.get("partition") or {}
    count = int(partition.get("count") or 1)
    if count > 1:
        label += f" p{int(partition.get('index') or 0) + 1}/{count}"
    return label


class TransportExtractOperator(BaseOperator):
    """Extract the reads a transport's plan gave this task, each into its own objects.

    :param reads: the plan's reads for this task: each the keyword arguments of one table
        (partition) read (``table``, ``columns``, ``where``, ``trim_char``, ``omit_nulls``,
        ``checkpoint``, ``snapshot_scn``, ``partition``, ``watermark``) and its ``label``.
    :param transport: the transport id (the object name segment above the tables).
    :param fetch: :class:`~airflow_oracle_etl.options.FetchOptions` or its mapping.
    :param parts: :class:`~airflow_oracle_etl.options.PartsOptions` or its mapping.
    :param gcs: :class:`~airflow_oracle_etl.options.GcsOptions` or its mapping.
    :param progress_interval: seconds between progress publications of the read in progress.
    :param reads_at_once: how many of the task's reads run at the same time, each on its
        own Oracle session and storage client (1: one after another, on one session).
    """

    template_fields: Sequence[str] = ("bucket", "prefix")
    ui_color = "#c74634"
    #: what runs a plan (the tests inject faults there)
    extraction_class: type[TableExtraction] = TableExtraction

    def __init__(
        self,
        *,
        reads: Sequence[Mapping[str, Any]],
        transport: str,
        bucket: str,
        prefix: str = "",
        oracle_conn_id: str = OracleExtractHook.default_conn_name,
        gcp_conn_id: str = "google_cloud_default",
        fetch: FetchOptions | Mapping[str, Any] | None = None,
        parts: PartsOptions | Mapping[str, Any] | None = None,
        gcs: GcsOptions | Mapping[str, Any] | None = None,
        progress_interval: float = DEFAULT_INTERVAL_S,
        reads_at_once: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.reads = reads
        self.transport = transport
        self.bucket = bucket
        self.prefix = prefix
        self.oracle_conn_id = oracle_conn_id
        self.gcp_conn_id = gcp_conn_id
        self.settings = ExtractionSettings(
            fetch=convert_options(fetch, FetchOptions, argument="fetch"),
            parts=convert_options(parts, PartsOptions, argument="parts"),
            gcs=convert_options(gcs, GcsOptions, argument="gcs"),
        )
        self.progress_interval = progress_interval
        self.reads_at_once = checked_reads_at_once(reads_at_once)
        self._killed = False
        #: the hooks of the reads running beside the first (their own sessions), for on_kill
        self._sibling_hooks: list[OracleExtractHook] = []
        #: what each committed read did, by position, for the OpenLineage methods
        self._lineage_reads: dict[int, ReadRecord] = {}

    @cached_property
    def hook(self) -> OracleExtractHook:
        """The task's first Oracle hook: the first reader's session, the metadata read
        ahead, and the siblings of the other readers (:meth:`on_kill` cancels them all)."""
        return OracleExtractHook(
            oracle_conn_id=self.oracle_conn_id,
            arraysize=self.settings.fetch.arraysize,
            prefetchrows=self.settings.fetch.prefetchrows,
        )

    def execute(self, context: Context) -> None:
        reads = [dict(read) for read in self.reads]
        state = _one_call_at_a_time(context.get("task_state_store"))
        first_try = context["ti"].try_number <= 1
        committed = _Committed(state, interval_s=self.progress_interval, first_try=first_try)
        finished = None
        if len(reads) > 1:
            finished = FinishedReads(state, interval_s=self.progress_interval, first_try=first_try)
        failed: list[dict[str, Any]] = []
        try:
            self._run(reads, context, state, committed, finished, failed)
        finally:
            committed.flush()
            if finished is not None:
                finished.flush()
            ti = context["ti"]
            ti.xcom_push(key=TABLES_XCOM, value=committed.summaries())
            ti.xcom_push(key=FAILED_XCOM, value=failed)
        self._raise_failures(reads, committed, failed)

    def on_kill(self) -> None:
        """Interrupt the Oracle call in progress and try no further read."""
        self._killed = True
        self.hook.cancel()
        for hook in self._sibling_hooks:
            hook.cancel()

    def get_openlineage_facets_on_start(self) -> OperatorLineage | None:
        """Each table of the task and the run path it is written to, by name only: nothing
        is asked of Oracle or GCS."""
        return lineage.on_start(self.hook, self._planned_lineage)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage | None:
        """One input and one output per committed read, with every facet; a read committed
        by an earlier try is reported from its stored summary (no schema)."""
        return lineage.on_complete(self.hook, self._committed_lineage())

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage | None:
        """The reads the task committed before it failed; nothing for the others."""
        return lineage.on_complete(self.hook, self._committed_lineage())

    def _planned_lineage(self, default_owner: str | None) -> list[ReadNames]:
        run_id = get_current_context()["run_id"]
        planned = (
            planned_names(
                lambda label: TableLayout(self.prefix, self.transport, label, run_id),
                bucket=self.bucket,
                table=read["table"],
                owner=default_owner,
                label=read.get("label"),
            )
            for read in self.reads
        )
        return [names for names in planned if names is not None]

    def _committed_lineage(self) -> list[ReadRecord]:
        return [self._lineage_reads[index] for index in sorted(self._lineage_reads)]

    def _record_stored(
        self, reads: list[dict[str, Any]], committed: _Committed, run_id: str
    ) -> None:
        """Record the reads an earlier try committed, from their stored summaries."""
        for index, summary in zip(committed.indexes(), committed.summaries(), strict=True):
            try:
                layout = TableLayout(self.prefix, self.transport, summary["table"], run_id)
                self._lineage_reads[index] = stored_record(reads[index], summary, layout)
            except Exception:
                log.warning("lineage: %s is not recorded", read_label(reads[index]), exc_info=True)

    def _run(
        self,
        reads: list[dict[str, Any]],
        context: Context,
        state: Any,
        committed: _Committed,
        finished: FinishedReads | None,
        failed: list[dict[str, Any]],
    ) -> None:
        self._lineage_reads = {}  # this try's: the operator object may be a copy of a try's
        self._sibling_hooks = []
        skipped = [read_label(reads[i]) for i in committed.indexes()]
        if skipped:
            self.log.info(
                "%d of %d table(s) were committed by an earlier try and are skipped: %s",
                len(skipped),
                len(reads),
                ", ".join(skipped),
            )
            self._record_stored(reads, committed, context["run_id"])
        # the bucket is checked before anything is asked of Oracle
        bucket = open_bucket(self.bucket, gcp_conn_id=self.gcp_conn_id, gcs=self.settings.gcs)
        target = ReadTarget(
            hook=self.hook,
            bucket=bucket,
            settings=self.settings,
            transport=self.transport,
            prefix=self.prefix,
            run_id=context["run_id"],
            try_number=context["ti"].try_number,
            extraction_class=self.extraction_class,
        )
        pending = [index for index in range(len(reads)) if not committed.has(index)]
        queue = _ReadQueue(pending)
        reader = _Reader(
            operator=self,
            reads=reads,
            state=state,
            first_try=context["ti"].try_number <= 1,
            committed=committed,
            finished=finished,
            failed=failed,
        )
        with self.hook.session(), contextlib.ExitStack() as sessions:
            self._prefetch([reads[index] for index in pending])
            others = self._open_others(target, min(self.reads_at_once, len(pending)) - 1, sessions)
            if others:
                self.log.info("reading %d table(s), %d at a time", len(pending), len(others) + 1)
            workers = [
                threading.Thread(
                    target=contextvars.copy_context().run,
                    args=(reader.work_beside, queue, other),
                    name=f"read-{number}",
                    daemon=True,
                )
                for number, other in enumerate(others, start=1)
            ]
            for worker in workers:
                worker.start()
            try:
                reader.work(queue, target)
            except BaseException:  # a timeout, the process told to stop: the others too
                queue.stop()
                for hook in self._sibling_hooks:
                    hook.cancel()
                raise
            finally:
                for worker in workers:
                    worker.join()
        if queue.ending_error is not None:
            untried = [read_label(reads[index]) for index in queue.untried()]
            if untried:
                queue.ending_error.add_note(
                    f"Not tried in this try ({len(untried)}): " + ", ".join(untried)
                )
            raise queue.ending_error

    def _open_others(
        self, target: ReadTarget, count: int, sessions: contextlib.ExitStack
    ) -> list[ReadTarget]:
        """``target`` for up to ``count`` more readers, each with an Oracle session and a
        storage client of its own (neither serves two threads at once), opened here on the
        task's thread, which alone speaks to Airflow (the connection's details) while no read
        runs. A session refused leaves the task with the readers it has: the database may cap
        sessions per user."""
        others: list[ReadTarget] = []
        for _ in range(count):
            hook = self.hook.sibling()
            self._sibling_hooks.append(hook)
            try:
                sessions.enter_context(hook.session())
            except Exception as error:
                if self._killed or isinstance(error, ExtractCancelledError):
                    raise
                self.log.warning(
                    "a session to read beside the others was refused (%s: %s); the task "
                    "reads %d table(s) at a time",
                    type(error).__name__,
                    error,
                    len(others) + 1,
                )
                break
            bucket = bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id)
            others.append(dataclasses.replace(target, hook=hook, bucket=bucket))
        return others

    def _prefetch(self, reads: list[dict[str, Any]]) -> None:
        """The metadata of the task's tables in a few queries instead of three per table.
        Only an optimisation: a failure here leaves each read to read its own."""
        if len(reads) < 2:
            return
        try:
            tables = [parse_table_name(read["table"], what="table") for read in reads]
            found = self.hook.prefetch_metadata(
                [(owner, name) for owner, name in tables if owner is not None]
            )
        except Exception as error:
            self.log.warning("metadata not read ahead (%s: %s)", type(error).__name__, error)
            return
        self.log.info("metadata of %d table(s) read ahead", found)

    def _raise_failures(
        self, reads: list[dict[str, Any]], committed: _Committed, failed: list[dict[str, Any]]
    ) -> None:
        """Fail naming every read that failed or was not tried; permanent only when each
        failure is (a retry then fails the same way), else the retry goes on."""
        tried = {entry["index"] for entry in failed} | set(committed.indexes())
        untried = [read_label(read) for i, read in enumerate(reads) if i not in tried]
        if not failed and not untried:
            return
        lines = [f"{read_label(reads[entry['index']])}: {entry['error']}" for entry in failed]
        lines += [f"{label}: not tried (the task was stopped)" for label in untried]
        permanent = not untried and all(entry["permanent"] for entry in failed)
        error_type = TransportExtractError if permanent else TransportExtractInterruptedError
        raise error_type(
            f"{len(lines)} of {len(reads)} table read(s) of this task are not committed "
            f"({len(committed.indexes())} are):\n  " + "\n  ".join(lines)
        )


def _one_call_at_a_time(store: Any) -> Any:
    """The task state store, or None, for readers on several threads."""
    return None if store is None else _OneCallAtATime(store)


class _OneCallAtATime:
    """A task state store that serves one call at a time. The reads of a task share it from
    several threads, and Airflow's in-process supervisor (``dag.test()``) answers one request
    at a time: it lifts the task's channel while it answers, so a call from another thread
    meanwhile finds none."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            return self._store.get(key)

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._store.set(key, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._store.delete(key)


class _ReadQueue:
    """The positions of the reads still to run, taken in order by whichever reader is free;
    stopped by an error that ends the try (the reads in progress finish, none starts)."""

    def __init__(self, pending: Sequence[int]) -> None:
        self._pending = deque(pending)
        self._lock = threading.Lock()
        self._stopped = False
        #: the first error that ended the try, raised by the task once every reader is done
        self.ending_error: BaseException | None = None

    def take(self) -> int | None:
        with self._lock:
            if self._stopped or not self._pending:
                return None
            return self._pending.popleft()

    def stop(self, error: BaseException | None = None) -> None:
        with self._lock:
            self._stopped = True
            if error is not None and self.ending_error is None:
                self.ending_error = error

    def untried(self) -> list[int]:
        with self._lock:
            return list(self._pending)


@dataclasses.dataclass(kw_only=True)
class _Reader:
    """Runs a task's reads, each as the stand-alone operator runs its one, from one thread or
    several (each with its own Oracle session and storage client): what they share (the
    committed record, the finished reads' snapshots, the failures, the lineage records) is
    written under one lock."""

    operator: TransportExtractOperator
    reads: list[dict[str, Any]]
    state: Any
    first_try: bool
    committed: _Committed
    finished: FinishedReads | None
    failed: list[dict[str, Any]]
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def work_beside(self, queue: _ReadQueue, target: ReadTarget) -> None:
        """:meth:`work` on a thread of its own: whatever escapes it stops the queue and is
        raised by the task's thread."""
        try:
            self.work(queue, target)
        except BaseException as error:
            queue.stop(error)

    def work(self, queue: _ReadQueue, target: ReadTarget) -> None:
        """Run reads from ``queue`` until it is empty or stopped; an error that ends the try
        stops the queue and is kept for the task to raise."""
        while not self.operator._killed and (index := queue.take()) is not None:
            try:
                self.read_one(index, target)
            except _ENDS_THE_TRY as error:
                queue.stop(error)
                return
        if self.operator._killed:
            queue.stop()

    def read_one(self, index: int, target: ReadTarget) -> None:
        """Run the ``index``-th read; a failure is recorded (and logged), and raised only
        when it ends the try."""
        read = self.reads[index]
        operator = self.operator
        if self.finished is not None:
            self.finished.forget(index)
        reporter = ProgressReporter(
            store=self.state,
            log=operator.log,
            table=read_label(read),
            interval_s=operator.progress_interval,
            key=PROGRESS_KEY_OF_READ.format(index=index),
            # a task of one table shows each phase at once; a packed task's small tables
            # publish when done (or every interval, if they take that long), their last
            # snapshots together
            eager_phases=len(self.reads) == 1,
            finished=None if self.finished is None else (self.finished, index),
        )
        checkpoints = CheckpointStore(
            self.state if read.get("checkpoint", True) else None,
            key=CHECKPOINT_KEY_OF_READ.format(index=index),
            known_empty=self.first_try,
        )
        try:
            done = run_request(
                target,
                _request(read),
                encode=_encoding(read),
                checkpoints=checkpoints,
                reporter=reporter,
            )
        except Exception as error:
            reporter.fail(error)
            operator.log.exception("table %s failed", read_label(read))
            with self.lock:
                self.failed.append(
                    {
                        "index": index,
                        "table": str(read.get("label") or read.get("table")),
                        "partition": (read.get("partition") or {}).get("index"),
                        "error": f"{type(error).__name__}: {error}",
                        "permanent": isinstance(error, PermanentError),
                    }
                )
            if isinstance(error, _ENDS_THE_TRY):
                raise
            return
        record = record_read(done)
        with self.lock:
            self.committed.add(index, done.summary)
            if record is not None:
                operator._lineage_reads[index] = record


def _request(read: Mapping[str, Any]) -> ReadRequest:
    return ReadRequest(
        table=read["table"],
        columns=read.get("columns"),
        where=read.get("where"),
        snapshot_scn=read.get("snapshot_scn"),
        watermark=convert_record(read.get("watermark"), WatermarkWindow, argument="watermark"),
        partition=convert_record(read.get("partition"), PartitionSpec, argument="partition"),
        checkpoint=bool(read.get("checkpoint", True)),
    )


def _encoding(read: Mapping[str, Any]) -> Encode:
    trim_char = bool(read.get("trim_char", False))
    omit_nulls = bool(read.get("omit_nulls", False))

    def encode(columns: tuple[OracleColumn, ...]) -> EncodingPlan:
        return plan_columns(columns, trim_char=trim_char, omit_nulls=omit_nulls)

    return encode


class _Committed:
    """The reads committed so far (by position), kept in the task state store across tries.

    Saved at most every ``interval_s`` and at the end: a table committed but not yet recorded
    when a try dies is read again by the next (its new attempt replaces the old objects),
    which costs time, never data.
    """

    def __init__(self, store: Any, *, interval_s: float, first_try: bool) -> None:
        self._store = store
        self._interval = interval_s
        stored = store.get(COMMITTED_KEY) if store is not None and not first_try else None
        self._done: dict[int, dict[str, Any]] = {
            int(index): dict(summary)
            for index, summary in (stored.items() if isinstance(stored, Mapping) else ())
        }
        self._saved_at = time.monotonic()
        self._dirty = False

    def has(self, index: int) -> bool:
        return index in self._done

    def indexes(self) -> list[int]:
        return sorted(self._done)

    def summaries(self) -> list[dict[str, Any]]:
        return [self._done[index] for index in sorted(self._done)]

    def add(self, index: int, summary: dict[str, Any]) -> None:
        self._done[index] = summary
        self._dirty = True
        if time.monotonic() - self._saved_at >= self._interval:
            self.flush()

    def flush(self) -> None:
        """Save the record; a refusal only costs a retry the re-reading of these tables."""
        if self._store is None or not self._dirty:
            return
        try:
            self._store.set(COMMITTED_KEY, {str(i): s for i, s in self._done.items()})
        except Exception as error:
            log.warning("could not record the committed tables (%s: %s)", type(error).__name__,
                        error)  # fmt: skip
            return
        self._saved_at = time.monotonic()
        self._dirty = False
