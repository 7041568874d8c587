"""One read plan run end to end: resume, read, encode, write, commit.

The data path, each stage in its own module::

    OracleExtractHook (batches of rows, AS OF one SCN)
      -> the plan's encoder (exact JSON per Oracle type, one compiled encoder per columns)
        -> TableWriter (gzip in a thread, resumable uploads in another, parts rotated)
          -> BigQuery schema, then the manifest: written last, it is the commit

Nothing touches the worker's disk; memory is bounded by one batch plus the writer's queues
and upload chunk, whatever the table's size. Every Oracle call goes through one hook on one
connection, so :meth:`TableExtraction.cancel` (``on_kill``) interrupts all of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from airflow_oracle_etl.encoding.early import is_early_date_error
from airflow_oracle_etl.errors import ConfigurationError, PermanentError
from airflow_oracle_etl.gcs import (
    Compression,
    PartInfo,
    TableLayout,
    TableManifest,
    TableWriter,
    Totals,
    WriterSettings,
    begin_attempt,
    commit_manifest,
    write_json,
)
from airflow_oracle_etl.hooks.errors import SnapshotTooOldError
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.options import FetchOptions, GcsOptions, PartsOptions
from airflow_oracle_etl.planning import ReadPlan
from airflow_oracle_etl.progress import ProgressReporter
from airflow_oracle_etl.resume import (
    Checkpoint,
    CheckpointRecorder,
    CheckpointStore,
    read_fingerprint,
    stale_parts,
)

if TYPE_CHECKING:
    from google.cloud import storage

__all__ = ["ExtractionSettings", "RowCountMismatchError", "TableExtraction", "writer_settings"]

log = logging.getLogger(__name__)

#: rows per fetch when a LOB column is read inline (each value is held whole)
DEFAULT_LOB_ARRAYSIZE = 100


class RowCountMismatchError(PermanentError):
    """The parts hold other rows than were read from Oracle (a writer defect): the read is
    not committed, so no reader and no incremental watermark ever sees it."""


@dataclass(frozen=True, kw_only=True)
class ExtractionSettings:
    """How a read is fetched, cut into parts and uploaded: the option records as given."""

    fetch: FetchOptions = field(default_factory=FetchOptions)
    parts: PartsOptions = field(default_factory=PartsOptions)
    gcs: GcsOptions = field(default_factory=GcsOptions)


def writer_settings(parts: PartsOptions, gcs: GcsOptions) -> WriterSettings:
    """The writer's settings from the option records; a value it refuses names the option."""
    try:
        return WriterSettings(
            chunk_size=parts.chunk_size,
            max_rows=parts.max_rows,
            max_bytes=parts.max_bytes,
            compression=Compression(level=parts.compression_level),
            retry_deadline=gcs.retry_deadline,
            request_timeout=gcs.request_timeout,
        )
    except ValueError as error:
        raise ConfigurationError(f"parts/gcs options: {error}") from None


@dataclass(frozen=True)
class _Resume:
    """The checkpoint recorder of this try, and the checkpoint it goes on from."""

    recorder: CheckpointRecorder | None = None
    resumed: Checkpoint | None = None


class TableExtraction:
    """Runs one :class:`ReadPlan` into ``bucket`` under ``layout``.

    :param hook: the Oracle hook (inside its session: the plan and the read share it).
    :param checkpoints: the task instance's checkpoint store (inert outside a task).
    :param reporter: where progress goes.
    :param transport: the name segment above the table, recorded in the manifest.
    """

    def __init__(
        self,
        *,
        hook: OracleExtractHook,
        bucket: storage.Bucket,
        settings: ExtractionSettings,
        checkpoints: CheckpointStore,
        reporter: ProgressReporter,
        transport: str,
    ) -> None:
        self.hook = hook
        self.bucket = bucket
        self.settings = settings
        self.checkpoints = checkpoints
        self.reporter = reporter
        self.transport = transport

    def cancel(self) -> None:
        """Interrupt the Oracle call in progress (from a signal handler or another thread);
        the writer then aborts its uploads, and no manifest is written."""
        self.hook.cancel()

    def run(
        self,
        plan: ReadPlan,
        *,
        layout: TableLayout,
        run_id: str,
        try_number: int,
        earlier: Checkpoint | None,
    ) -> tuple[TableManifest, str, int]:
        """Read and commit ``plan``: the committed manifest, its object name and the rows
        fetched from Oracle (for the job's check against the rows the manifest lists)."""
        started = dt.datetime.now(dt.timezone.utc)
        index = plan.partition_index
        manifest_name = layout.manifest_name(index)
        self.reporter.set_estimate(plan.estimated_rows)
        self.reporter.identify(plan.label, index)
        started_attempt = begin_attempt(
            self.bucket,
            manifest_name,
            try_number,
            # a partition shares the run prefix with its siblings
            run_prefix=layout.run_prefix if index is None else None,
            retry_deadline=self.settings.gcs.retry_deadline,
        )
        attempt = started_attempt.number
        started_over = False
        resume = self._resume(plan, layout, attempt, earlier)
        if resume.resumed is not None:
            self.reporter.resume_from(
                rows=resume.resumed.rows,
                bytes_written=sum(part.uncompressed_bytes for part in resume.resumed.parts),
                parts=len(resume.resumed.parts),
            )
        self.reporter.enter("extracting")
        try:
            try:
                parts, rows_read = self._write(plan, layout, attempt, resume)
            except ValueError as error:
                if not (is_early_date_error(error) and plan.encoding.reads_early_dates):
                    raise
                log.warning(
                    "%s holds a date before the year 1, which the driver cannot read as a "
                    "datetime (%s); reading it again from the start with such values as text",
                    plan.label,
                    error,
                )
                plan = dataclasses.replace(plan, encoding=plan.encoding.with_early_dates())
                started_over = True  # the first pass's parts may outnumber the second's
                parts, rows_read = self._write(plan, layout, attempt, _Resume())
        except SnapshotTooOldError as error:
            if plan.scn_from_checkpoint:
                # the next try must not insist on this SCN: it starts over at a new one
                self.checkpoints.clear()
                error.add_note(
                    f"The checkpoint at SCN {plan.scn} was dropped: the next try starts over."
                )
            raise
        written = sum(part.rows for part in parts)
        if written != rows_read:
            # never commit a manifest whose parts do not hold exactly the rows read
            raise RowCountMismatchError(
                f"{plan.label}: {written} rows written to GCS, {rows_read} rows read from "
                "Oracle; nothing is committed"
            )
        self.reporter.parts = len(parts)  # the writer's count trails the last, closed part
        self.reporter.enter("committing")
        deadline = self.settings.gcs.retry_deadline
        schema = _json(plan.encoding.bigquery_schema())
        write_json(self.bucket, layout.schema_name, schema, retry_deadline=deadline)
        manifest = TableManifest(
            transport=self.transport,
            table=plan.label,
            run_id=run_id,
            attempt=attempt,
            partition=index,
            bucket=self.bucket.name,
            parts=tuple(parts),
            columns=plan.columns,
            schema_object=layout.schema_name,
            scn=plan.scn,
            watermark=None if plan.window is None else plan.window.range(),
            started_at=started,
            finished_at=dt.datetime.now(dt.timezone.utc),
            totals=Totals.of(parts),
        )
        commit_manifest(
            self.bucket,
            manifest_name,
            manifest,
            parts_prefix=layout.parts_prefix(index or 0),
            retry_deadline=deadline,
            generation=started_attempt.manifest_generation,
            fresh=started_attempt.fresh and not started_over,
        )
        self.checkpoints.clear()  # committed: a later run of this task instance starts afresh
        self.reporter.enter("done")
        return manifest, manifest_name, rows_read

    def _resume(
        self, plan: ReadPlan, layout: TableLayout, attempt: int, earlier: Checkpoint | None
    ) -> _Resume:
        """Whether this try goes on from ``earlier`` (its parts still there, the same read),
        and the recorder of its own checkpoints; nothing for an unordered read."""
        if plan.order is None or plan.scn is None or not self.checkpoints.available:
            return _Resume()
        sql, binds = plan.select()
        fingerprint = read_fingerprint(
            sql=sql,
            binds=binds,
            columns=plan.encoding.names,
            parts_prefix=layout.parts_prefix(plan.partition_index or 0),
        )
        resumed = None
        if earlier is not None:
            why: str | None
            if earlier.fingerprint != fingerprint:
                why = "it is of another read (query, binds, SCN or columns changed)"
            else:
                why = stale_parts(self.bucket, earlier.parts, self.settings.gcs.retry_deadline)
            if why is None:
                resumed = earlier
                log.info(
                    "resuming from checkpoint: %d parts with %s rows are already in GCS (try "
                    "%d); reading the rows after them",
                    len(earlier.parts),
                    f"{earlier.rows:,}",
                    earlier.attempt,
                )
            else:
                log.warning("not resuming from the stored checkpoint: %s", why)
                self.checkpoints.clear()
        parts = self.settings.parts
        if parts.max_rows % self.settings.fetch.batch_rows:
            log.warning(
                "parts.max_rows (%d) is not a multiple of fetch.batch_rows (%d): parts cut "
                "inside a batch cannot be checkpointed on their own",
                parts.max_rows,
                self.settings.fetch.batch_rows,
            )
        recorder = CheckpointRecorder(
            self.checkpoints,
            fingerprint=fingerprint,
            scn=plan.scn,
            attempt=attempt,
            resumed=resumed,
        )
        return _Resume(recorder, resumed)

    def _write(
        self, plan: ReadPlan, layout: TableLayout, attempt: int, resume: _Resume
    ) -> tuple[list[PartInfo], int]:
        """The parts (a resumed try's first), and the rows read from Oracle to write them."""
        encoder = plan.encoding.encoder()
        kept = list(resume.resumed.parts) if resume.resumed else []
        rows_read = resume.resumed.rows if resume.resumed else 0
        recorder = resume.recorder
        order = plan.order if recorder is not None else None
        key_of = order.key_getter() if order is not None else None
        settings = writer_settings(self.settings.parts, self.settings.gcs)
        with TableWriter[tuple[str, ...]](
            self.bucket,
            layout,
            partition=plan.partition_index or 0,
            attempt=attempt,
            settings=settings,
            first_part=len(kept),
        ) as writer:
            try:
                for batch in self._batches(plan, resume.resumed):
                    rows_read += len(batch)
                    mark = None
                    if key_of is not None and order is not None:
                        mark = tuple(order.key_text(key_of(batch[-1])))
                    payload = encoder.encode(batch)
                    # the plan's encoder writes exactly one line per row
                    writer.write(payload, len(batch), mark, lines_known=True)
                    self.reporter.advance(
                        rows=len(batch),
                        bytes_written=len(payload),
                        parts=len(kept) + writer.progress.parts,
                    )
                    if recorder is not None:
                        recorder.update(writer.finished)
                parts = writer.close()
            except BaseException:
                # a part the upload thread finished after the last batch (or finishes while
                # abort() joins it) is a finalized object too: checkpoint it, or the retry
                # reads its rows again and the commit deletes it
                writer.abort()
                if recorder is not None:
                    recorder.update(writer.finished)
                raise
            return kept + parts, rows_read

    def _batches(self, plan: ReadPlan, resumed: Checkpoint | None) -> Iterator[list[Any]]:
        sql, binds = plan.select(after=None if resumed is None else resumed.key)
        batch_rows = self.settings.fetch.batch_rows
        arraysize = None
        if plan.encoding.inline_lobs:
            # LOB values are fetched whole: keep arraysize x largest LOB within memory
            arraysize = min(
                self.settings.fetch.arraysize or DEFAULT_LOB_ARRAYSIZE, DEFAULT_LOB_ARRAYSIZE
            )
            batch_rows = min(batch_rows, DEFAULT_LOB_ARRAYSIZE)
            log.info(
                "LOB columns %s are read inline, %d rows per fetch",
                ", ".join(plan.encoding.inline_lobs),
                arraysize,
            )
        yield from self.hook.stream_batches(
            sql,
            binds,
            batch_size=batch_rows,
            output_type_handler=plan.encoding.output_type_handler,
            rowfactory=plan.encoding.rowfactory,
            arraysize=arraysize,
        )


def _json(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"
