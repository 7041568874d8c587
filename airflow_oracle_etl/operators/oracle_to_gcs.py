"""OracleToGCSJsonlOperator: one Oracle table (or query) into GCS as gzipped JSON Lines.

The data path, each stage in its own module::

    OracleExtractHook (batches of rows, AS OF one SCN)
      -> EncodingPlan's encoder (exact JSON per Oracle type, one compiled encoder per columns)
        -> TableWriter (gzip in a thread, resumable uploads in another, parts rotated)
          -> BigQuery schema, then the manifest: written last, it is the commit

Nothing touches the worker's disk; memory is bounded by one batch plus the writer's queues
and upload chunk, whatever the table's size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec
from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.sdk import BaseOperator
from google.api_core import exceptions as gcs_errors
from google.auth import exceptions as google_auth_errors

from airflow_oracle_etl.bucket_names import bucket_problem
from airflow_oracle_etl.encoding import EncodingPlan, plan_columns
from airflow_oracle_etl.gcs import (
    Compression,
    TableLayout,
    TableManifest,
    TableWriter,
    Totals,
    WriterSettings,
    commit_manifest,
    next_attempt,
    write_json,
)
from airflow_oracle_etl.gcs.settings import (
    DEFAULT_REQUEST_TIMEOUT_S,
    DEFAULT_RETRY_DEADLINE_S,
    retry_policy,
)
from airflow_oracle_etl.hooks.errors import SnapshotTooOldError
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.identifiers import parse_identifier, quote_identifier
from airflow_oracle_etl.incremental import (
    IncrementalConfig,
    WatermarkWindow,
    last_committed_watermark,
    plan_window,
)
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning import PartitionSpec
from airflow_oracle_etl.progress import ProgressReporter
from airflow_oracle_etl.resume import (
    Checkpoint,
    CheckpointRecorder,
    CheckpointStore,
    KeysetOrder,
    binary_collation,
    keyset_order,
    read_fingerprint,
    stale_parts,
)
from airflow_oracle_etl.resume.keyset import KEY_BIND_PREFIX

if TYPE_CHECKING:
    from airflow.sdk import Context
    from google.cloud import storage

DEFAULT_BATCH_ROWS = 10_000
NLS_COLLATION_SQL = (
    "SELECT PARAMETER, VALUE FROM NLS_SESSION_PARAMETERS"
    " WHERE PARAMETER IN ('NLS_SORT', 'NLS_COMP')"
)
#: rows per fetch when a LOB column is read inline (each value is held whole)
DEFAULT_LOB_ARRAYSIZE = 100
MiB = 1024 * 1024


class OracleToGCSError(Exception):
    """A configuration or environment problem found before any data is written."""


@dataclass(frozen=True)
class _Source:
    """What to read: the SELECT, its binds, the columns it returns and where it came from."""

    label: str
    sql: str
    binds: dict[str, Any] | list[Any] | None
    columns: tuple[OracleColumn, ...]
    plan: EncodingPlan
    scn: int | None
    estimated_rows: int | None
    partition: PartitionSpec | None = None
    window: WatermarkWindow | None = None
    #: the primary-key order of a restartable read (None: unordered, a retry starts over)
    order: KeysetOrder | None = None
    #: to rebuild the SELECT with a restart predicate: the table, select list and predicate
    metadata: TableMetadata | None = None
    select_list: str = ""
    where: str | None = None
    #: the SCN is the one an earlier attempt captured and checkpointed
    scn_from_checkpoint: bool = False


class OracleToGCSJsonlOperator(BaseOperator):
    """Copy an Oracle table, or the result of a query, to GCS as gzipped JSON Lines.

    Objects: ``gs://BUCKET/PREFIX/TRANSPORT/TABLE/run_id=RUN/part-0000-NNNNN-aA.jsonl.gz``,
    ``_schema.bigquery.json`` and ``_manifest.json`` (written last; readers trust only what a
    manifest lists). A retry writes under a new attempt number and, once its manifest is
    committed, deletes what earlier attempts left.

    :param table: ``TABLE``, ``OWNER.TABLE`` or a quoted ``"Mixed_Case"`` name. (templated)
    :param table_owner: the table's owner (schema) if ``table`` does not name it; without
        either, the connection's schema or the session's current schema. (templated)
    :param columns: the columns to extract, in this order (exact names as the dictionary
        spells them, or unquoted names, upper-cased); default all. (templated)
    :param sql: a query to extract instead of a table; needs ``name``. (templated)
    :param name: the label of ``sql`` output in object names and manifests.
    :param where: an SQL predicate limiting the rows of ``table`` (DAG-author SQL; put values
        in ``parameters``). (templated)
    :param parameters: bind values for ``sql`` / ``where``, by name; bound, never pasted
        into SQL. (templated)
    :param bucket: the GCS bucket. (templated)
    :param prefix: object name prefix. (templated)
    :param transport: the name segment above the table (default: the DAG id).
    :param snapshot_scn: read ``AS OF SCN`` this number (a planning task captures one for
        a whole job). (templated)
    :param consistent_snapshot: without ``snapshot_scn``, capture the current SCN and read
        as of it; False reads the live table.
    :param arraysize: rows per round trip to Oracle (default: connection extra or 10,000).
    :param prefetchrows: rows returned with the execute (default: as ``arraysize``).
    :param batch_rows: rows encoded per batch handed to the writer.
    :param max_rows_per_part: a new part file after this many rows.
    :param max_bytes_per_part: a new part file after this many compressed bytes.
    :param chunk_size: bytes per resumable-upload request (a multiple of 256 KiB).
    :param compression_level: gzip level (isal: 0-3; default 1).
    :param trim_char: strip the blank padding of CHAR columns.
    :param omit_nulls: leave NULL values out of the JSON objects instead of writing null.
    :param type_overrides: column name -> JSON kind (``string``, ``decimal``, ``integer``,
        ``float``) for columns whose default mapping does not suit.
    :param progress_interval: seconds between progress publications.
    :param gcs_retry_deadline: seconds one GCS request is retried (429, 5xx, resets, timeouts;
        waits double from 1 s, with jitter) before the task fails; 403 and 404 fail at once.
    :param gcs_request_timeout: seconds one GCS request may take before it is retried.
    :param partition: one partition of the table as planned by
        :class:`~airflow_oracle_etl.operators.plan.OracleExtractPlanOperator` (mapped tasks get
        theirs through ``expand_kwargs``): its parts and ``_manifest.pPPPP.json`` are its own,
        and the table's ``_manifest.json`` is written by the commit task over all partitions.
    :param incremental: ``{"column": ..., "initial": ...}``: read only rows whose watermark
        column moved past the high watermark of the table's last committed manifest.
    :param watermark: the window as planned for the whole job (instead of ``incremental``).
    :param full_refresh: with ``incremental``, read everything and restart the watermark.
    :param checkpoint: make the read restartable: a table with a primary key (made of
        NUMBER, VARCHAR2, DATE, TIMESTAMP or RAW columns) read at a fixed SCN is read in key
        order, and after each part is uploaded the task state store records the parts and the
        last key; a retry keeps those parts and reads only the rows after that key. The cost
        is the ORDER BY (Oracle walks the primary key index or sorts); False reads unordered
        and a retry reads the table (or partition) again.
    """

    template_fields: Sequence[str] = (
        "table",
        "table_owner",
        "columns",
        "sql",
        "where",
        "parameters",
        "bucket",
        "prefix",
        "snapshot_scn",
    )
    template_ext: Sequence[str] = (".sql",)
    template_fields_renderers = {"sql": "sql", "where": "sql", "parameters": "json"}
    ui_color = "#c74634"

    def __init__(
        self,
        *,
        bucket: str,
        table: str | None = None,
        sql: str | None = None,
        name: str | None = None,
        table_owner: str | None = None,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        prefix: str = "",
        transport: str | None = None,
        oracle_conn_id: str = OracleExtractHook.default_conn_name,
        gcp_conn_id: str = "google_cloud_default",
        snapshot_scn: int | str | None = None,
        consistent_snapshot: bool = True,
        arraysize: int | None = None,
        prefetchrows: int | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        max_rows_per_part: int = 1_000_000,
        max_bytes_per_part: int = 256 * MiB,
        chunk_size: int = 16 * MiB,
        compression_level: int = 1,
        trim_char: bool = False,
        omit_nulls: bool = False,
        type_overrides: Mapping[str, str] | None = None,
        progress_interval: float = 3.0,
        gcs_retry_deadline: float = DEFAULT_RETRY_DEADLINE_S,
        gcs_request_timeout: float = DEFAULT_REQUEST_TIMEOUT_S,
        partition: Mapping[str, Any] | None = None,
        incremental: Mapping[str, Any] | None = None,
        watermark: Mapping[str, Any] | None = None,
        full_refresh: bool = False,
        checkpoint: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.bucket = bucket
        self.table = table
        self.sql = sql
        self.name = name
        self.table_owner = table_owner
        self.columns = columns
        self.where = where
        self.parameters = parameters
        self.prefix = prefix
        self.transport = transport
        self.oracle_conn_id = oracle_conn_id
        self.gcp_conn_id = gcp_conn_id
        self.snapshot_scn = snapshot_scn
        self.consistent_snapshot = consistent_snapshot
        self.arraysize = arraysize
        self.prefetchrows = prefetchrows
        self.batch_rows = batch_rows
        self.max_rows_per_part = max_rows_per_part
        self.max_bytes_per_part = max_bytes_per_part
        self.chunk_size = chunk_size
        self.compression_level = compression_level
        self.trim_char = trim_char
        self.omit_nulls = omit_nulls
        self.type_overrides = type_overrides
        self.progress_interval = progress_interval
        self.gcs_retry_deadline = gcs_retry_deadline
        self.gcs_request_timeout = gcs_request_timeout
        self.partition = partition
        self.incremental = incremental
        self.watermark = watermark
        self.full_refresh = full_refresh
        self.checkpoint = checkpoint
        if (table is None) == (sql is None):
            raise ValueError(f"{self.task_id}: give exactly one of table= or sql=")
        if sql is not None and not name:
            raise ValueError(f"{self.task_id}: sql= needs name= (the label in object names)")

    @cached_property
    def hook(self) -> OracleExtractHook:
        return OracleExtractHook(
            oracle_conn_id=self.oracle_conn_id,
            arraysize=self.arraysize,
            prefetchrows=self.prefetchrows,
        )

    def execute(self, context: Context) -> dict[str, Any]:
        started = dt.datetime.now(dt.timezone.utc)
        bucket = self._bucket()
        reporter = ProgressReporter(
            store=context.get("task_state_store"),
            log=self.log,
            table=self.table or self.name,
            interval_s=self.progress_interval,
        )
        reporter.enter("planning")
        store = CheckpointStore(context.get("task_state_store") if self.checkpoint else None)
        with self.hook.session():  # one Oracle connection for the plan and the read
            source, layout, attempt, parts, rows_read = self._read(context, bucket, reporter, store)
        index = None if source.partition is None else source.partition.index
        manifest_name = layout.manifest_name(index)
        reporter.parts = len(parts)  # the writer's count trails the last, just-closed part
        reporter.enter("committing")
        write_json(
            bucket,
            layout.schema_name,
            _json(source.plan.bigquery_schema()),
            deadline_s=self.gcs_retry_deadline,
        )
        manifest = TableManifest(
            transport=self.transport or self.dag_id,
            table=source.label,
            run_id=context["run_id"],
            attempt=attempt,
            partition=index,
            bucket=bucket.name,
            parts=tuple(parts),
            columns=source.columns,
            schema_object=layout.schema_name,
            scn=source.scn,
            watermark=None if source.window is None else source.window.range(),
            started_at=started,
            finished_at=dt.datetime.now(dt.timezone.utc),
            totals=Totals.of(parts),
        )
        commit_manifest(
            bucket,
            manifest_name,
            manifest,
            parts_prefix=layout.parts_prefix(index or 0),
            deadline_s=self.gcs_retry_deadline,
        )
        store.clear()  # committed: a later run of this task instance starts afresh
        reporter.enter("done")
        summary = _summary(
            manifest, manifest_name, source.partition.count if source.partition else 1
        )
        # rows fetched from Oracle, for the job's check against the rows the manifest lists
        summary["rows_read"] = rows_read
        return summary

    def _read(
        self,
        context: Context,
        bucket: storage.Bucket,
        reporter: ProgressReporter,
        store: CheckpointStore,
    ) -> tuple[_Source, TableLayout, int, list, int]:
        """Plan the read, go on from a checkpoint if there is a usable one, write the parts:
        the source, layout, attempt, parts and rows read."""
        earlier = store.load()
        source = self._plan_source(bucket, context["run_id"], earlier, store.available)
        reporter.set_estimate(source.estimated_rows)
        index = None if source.partition is None else source.partition.index
        reporter.identify(source.label, index)
        layout = self._layout(source.label, context["run_id"])
        attempt = next_attempt(bucket, layout.manifest_name(index), context["ti"].try_number)
        recorder, resumed = self._checkpoints(source, layout, attempt, store, earlier, bucket)
        if resumed is not None:
            reporter.resume_from(
                rows=resumed.rows,
                bytes_written=sum(part.uncompressed_bytes for part in resumed.parts),
                parts=len(resumed.parts),
            )
        reporter.enter("extracting")
        try:
            parts, rows_read = self._extract(
                source, bucket, layout, attempt, reporter, recorder, resumed
            )
        except SnapshotTooOldError as error:
            if source.scn_from_checkpoint:
                # the next try must not insist on this SCN: it starts over at a new one
                store.clear()
                error.add_note(
                    f"The checkpoint at SCN {source.scn} was dropped: the next try starts over."
                )
            raise
        return source, layout, attempt, parts, rows_read

    def on_kill(self) -> None:
        """Interrupt the running fetch; the writer then aborts its uploads (no manifest)."""
        self.hook.cancel()

    # -- steps ---------------------------------------------------------------------------------

    def _bucket(self) -> storage.Bucket:
        if problem := bucket_problem(self.bucket):
            raise OracleToGCSError(f"{self.task_id}: bucket {self.bucket!r}: {problem}")
        client = GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn()
        try:
            return client.get_bucket(
                self.bucket,
                retry=retry_policy(self.gcs_retry_deadline),
                timeout=self.gcs_request_timeout,
            )
        except gcs_errors.NotFound as error:
            raise OracleToGCSError(
                f"{self.task_id}: GCS bucket {self.bucket!r} does not exist"
                f" (connection {self.gcp_conn_id!r})"
            ) from error
        except gcs_errors.Forbidden as error:
            raise OracleToGCSError(
                f"{self.task_id}: no access to GCS bucket {self.bucket!r} with connection"
                f" {self.gcp_conn_id!r}: {error.message}"
            ) from error
        except google_auth_errors.GoogleAuthError as error:
            # the credentials of the connection were refused; the error names no key material
            raise OracleToGCSError(
                f"{self.task_id}: the credentials of GCP connection {self.gcp_conn_id!r} were "
                f"refused while opening bucket {self.bucket!r}: {type(error).__name__}: {error}"
            ) from error

    def _layout(self, label: str, run_id: str) -> TableLayout:
        return TableLayout(self.prefix, self.transport or self.dag_id, label, run_id)

    def _plan_source(
        self,
        bucket: storage.Bucket,
        run_id: str,
        earlier: Checkpoint | None,
        can_checkpoint: bool = False,
    ) -> _Source:
        hook = self.hook
        with hook.session():
            if self.sql is not None:
                columns = hook.describe_query(self.sql)
                plan = self._encoding(columns)
                sql = hook.wrap_query(self.sql, plan.select_list(quote_identifier))
                return _Source(self.name, sql, dict(self.parameters or {}) or None, columns,
                               plan, None, None)  # fmt: skip
            metadata = hook.get_table_metadata(self.table, self.table_owner)
            reused = self._reusable_scn(earlier)
            scn = reused if reused is not None else self._snapshot_scn(hook)
            window = self._window(hook, metadata, bucket, run_id, scn)
            columns = _chosen_columns(metadata, self.columns)
            plan = self._encoding(columns)
            order = self._order(hook, metadata, plan, scn) if can_checkpoint else None
        partition = None if self.partition is None else msgspec.convert(
            self.partition, PartitionSpec
        )  # fmt: skip
        predicates = [self.where, partition and partition.predicate, window and window.predicate]
        where = " AND ".join(f"({p})" for p in predicates if p and p.strip()) or None
        select_list = plan.select_list(quote_identifier)
        sql = hook.build_select(
            metadata,
            select_list,
            where=where,
            as_of_scn=scn is not None,
            order_by=order.order_by if order else None,
        )
        binds: dict[str, Any] = dict(self.parameters or {})
        for extra in (partition and partition.binds, window and window.binds):
            binds.update(extra or {})
        if scn is not None:
            binds[AS_OF_SCN_BIND] = scn
        label = _table_label(metadata)
        return _Source(label, sql, binds or None, columns, plan, scn,
                       metadata.num_rows, partition, window, order, metadata, select_list,
                       where, reused is not None)  # fmt: skip

    def _reusable_scn(self, earlier: Checkpoint | None) -> int | None:
        """The SCN of an earlier try's checkpoint, when this task picks its own snapshot: a
        retry must read the snapshot the finished parts were read at to go on after them."""
        if earlier is None or self.sql is not None or not self.consistent_snapshot:
            return None
        if self.snapshot_scn not in (None, ""):
            return None  # the job's SCN decides; a checkpoint of another SCN will not match
        self.log.info("reading as of SCN %d, the snapshot of the checkpointed try", earlier.scn)
        return earlier.scn

    def _order(
        self,
        hook: OracleExtractHook,
        metadata: TableMetadata,
        plan: EncodingPlan,
        scn: int | None,
    ) -> KeysetOrder | None:
        """The primary-key order that makes this read restartable, or None (logged why)."""
        if not self.checkpoint:
            return None
        if scn is None:
            self._no_checkpoints("the read is not at a fixed SCN (consistent_snapshot=False)")
            return None
        reserved = sorted(k for k in self.parameters or {} if k.startswith(KEY_BIND_PREFIX))
        if reserved:
            raise OracleToGCSError(
                f"{self.task_id}: parameters {reserved} use the prefix {KEY_BIND_PREFIX!r}, "
                "which restartable reads keep for their key binds; rename them or pass "
                "checkpoint=False"
            )
        fields = getattr(plan.rowfactory, "__struct_fields__", None)
        order = keyset_order(metadata, plan.encodings, fields)
        if isinstance(order, str):
            self._no_checkpoints(order)
            return None
        if order.has_text:
            with hook.open_cursor(NLS_COLLATION_SQL, None) as cursor:
                settings = {name: value for batch in cursor for name, value in batch}
            if not binary_collation(settings):
                self._no_checkpoints(
                    f"the session sorts text by {settings} (restart keys need BINARY)"
                )
                return None
        return order

    def _no_checkpoints(self, why: str) -> None:
        self.log.info("no checkpoints: %s; a retry reads this table or partition again", why)

    def _checkpoints(
        self,
        source: _Source,
        layout: TableLayout,
        attempt: int,
        store: CheckpointStore,
        earlier: Checkpoint | None,
        bucket: storage.Bucket,
    ) -> tuple[CheckpointRecorder | None, Checkpoint | None]:
        """The recorder of this try's checkpoints, and the checkpoint it goes on from."""
        if source.order is None or source.scn is None or not store.available:
            return None, None
        index = 0 if source.partition is None else source.partition.index
        fingerprint = read_fingerprint(
            sql=source.sql,
            binds=source.binds if isinstance(source.binds, dict) else None,
            columns=source.plan.names,
            parts_prefix=layout.parts_prefix(index),
        )
        resumed = None
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                why = "it is of another read (query, binds, SCN or columns changed)"
            else:
                why = stale_parts(bucket, earlier.parts, self.gcs_retry_deadline)
            if why is None:
                resumed = earlier
                self.log.info(
                    "resuming from checkpoint: %d parts with %s rows are already in GCS (try "
                    "%d); reading the rows after them",
                    len(earlier.parts),
                    f"{earlier.rows:,}",
                    earlier.attempt,
                )
            else:
                self.log.warning("not resuming from the stored checkpoint: %s", why)
                store.clear()
        recorder = CheckpointRecorder(
            store, fingerprint=fingerprint, scn=source.scn, attempt=attempt, resumed=resumed
        )
        if self.max_rows_per_part % self.batch_rows:
            self.log.warning(
                "max_rows_per_part (%d) is not a multiple of batch_rows (%d): parts cut inside "
                "a batch cannot be checkpointed on their own",
                self.max_rows_per_part,
                self.batch_rows,
            )
        return recorder, resumed

    def _encoding(self, columns: Sequence[OracleColumn]) -> EncodingPlan:
        return plan_columns(
            columns,
            trim_char=self.trim_char,
            omit_nulls=self.omit_nulls,
            type_overrides=self.type_overrides,
        )

    def _window(
        self,
        hook: OracleExtractHook,
        metadata: TableMetadata,
        bucket: storage.Bucket,
        run_id: str,
        scn: int | None,
    ) -> WatermarkWindow | None:
        """The incremental window: as planned for the job, or planned here for this task."""
        if self.watermark is not None:
            return msgspec.convert(self.watermark, WatermarkWindow)
        if self.incremental is None:
            return None
        config = msgspec.convert(self.incremental, IncrementalConfig)
        layout = self._layout(_table_label(metadata), run_id)
        previous = last_committed_watermark(bucket, layout, config.column)
        return plan_window(
            hook,
            metadata,
            config,
            scn=scn,
            previous=previous,
            full_refresh=self.full_refresh,
            where=self.where,
            parameters=self.parameters,
        )

    def _snapshot_scn(self, hook: OracleExtractHook) -> int | None:
        if self.sql is not None:
            return None
        if self.snapshot_scn not in (None, ""):
            try:
                return int(self.snapshot_scn)
            except (TypeError, ValueError) as error:
                raise OracleToGCSError(
                    f"{self.task_id}: snapshot_scn must be a whole number, got"
                    f" {self.snapshot_scn!r}"
                ) from error
        return hook.current_scn() if self.consistent_snapshot else None

    def _extract(
        self,
        source: _Source,
        bucket: storage.Bucket,
        layout: TableLayout,
        attempt: int,
        reporter: ProgressReporter,
        recorder: CheckpointRecorder | None,
        resumed: Checkpoint | None,
    ) -> tuple[list, int]:
        """The parts (a resumed try's first), and the rows read from Oracle to write them."""
        encoder = source.plan.encoder()
        kept = list(resumed.parts) if resumed else []
        rows_read = resumed.rows if resumed else 0
        index = 0 if source.partition is None else source.partition.index
        settings = self._writer_settings()
        order = source.order if recorder is not None else None
        key_of = order.key_getter() if order is not None else None
        with TableWriter(
            bucket, layout, partition=index, attempt=attempt, settings=settings,
            first_part=len(kept),
        ) as w:  # fmt: skip
            try:
                for batch in self._batches(source, resumed):
                    rows_read += len(batch)
                    mark = None
                    if key_of is not None:
                        assert order is not None
                        mark = tuple(order.key_text(key_of(batch[-1])))
                    payload = encoder.encode(batch)
                    # the plan's encoder writes exactly one line per row
                    w.write(payload, len(batch), mark, lines_known=True)
                    reporter.advance(
                        rows=len(batch),
                        bytes_written=len(payload),
                        parts=len(kept) + w.progress.parts,
                    )
                    if recorder is not None:
                        recorder.update(w.finished)
                parts = w.close()
            except BaseException:
                # a part the upload thread finished after the last batch (or finishes while
                # abort() joins it) is a finalized object too: checkpoint it, or the retry
                # reads its rows again and the commit deletes it
                w.abort()
                if recorder is not None:
                    recorder.update(w.finished)
                raise
            return kept + parts, rows_read

    def _batches(self, source: _Source, resumed: Checkpoint | None) -> Iterator[list]:
        sql, binds = source.sql, source.binds
        if resumed is not None:
            sql, binds = self._restart_query(source, resumed)
        hook = self.hook
        batch_rows = self.batch_rows
        if source.plan.inline_lobs:
            # LOB values are fetched whole: keep arraysize x largest LOB within memory
            hook = self._lob_hook
            batch_rows = min(batch_rows, DEFAULT_LOB_ARRAYSIZE)
            self.log.info(
                "LOB columns %s are read inline, %d rows per fetch",
                ", ".join(source.plan.inline_lobs),
                hook.fetch_settings.arraysize,
            )
        yield from hook.stream_batches(
            sql,
            binds,
            batch_size=batch_rows,
            output_type_handler=source.plan.output_type_handler,
            rowfactory=source.plan.rowfactory,
        )

    def _restart_query(
        self, source: _Source, resumed: Checkpoint
    ) -> tuple[str, dict[str, Any] | list[Any] | None]:
        """The read's SELECT limited to the rows after the checkpoint's key."""
        assert source.order is not None and source.metadata is not None
        after, key_binds = source.order.after(resumed.key)
        where = f"({source.where}) AND ({after})" if source.where else after
        sql = self.hook.build_select(
            source.metadata,
            source.select_list,
            where=where,
            as_of_scn=source.scn is not None,
            order_by=source.order.order_by,
        )
        binds = dict(source.binds or {}) if not isinstance(source.binds, list) else {}
        return sql, binds | key_binds

    @cached_property
    def _lob_hook(self) -> OracleExtractHook:
        size = min(self.arraysize or DEFAULT_LOB_ARRAYSIZE, DEFAULT_LOB_ARRAYSIZE)
        return OracleExtractHook(
            oracle_conn_id=self.oracle_conn_id, arraysize=size, prefetchrows=size
        )

    def _writer_settings(self) -> WriterSettings:
        return WriterSettings(
            chunk_size=self.chunk_size,
            max_rows_per_part=self.max_rows_per_part,
            max_bytes_per_part=self.max_bytes_per_part,
            compression=Compression(level=self.compression_level),
            retry_deadline_s=self.gcs_retry_deadline,
            request_timeout_s=self.gcs_request_timeout,
        )


def _chosen_columns(
    metadata: TableMetadata, names: Sequence[str] | None
) -> tuple[OracleColumn, ...]:
    """The table's columns, or those named (validated identifiers, in the order given)."""
    if not names:
        return metadata.columns
    chosen = []
    for name in names:
        exact = parse_identifier(name, what="column")
        try:
            chosen.append(metadata.column(exact))
        except KeyError as error:
            raise OracleToGCSError(error.args[0]) from None
    return tuple(chosen)


def _table_label(metadata: TableMetadata) -> str:
    return f"{metadata.owner}.{metadata.name}"


def _json(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n"


def _summary(manifest: TableManifest, manifest_name: str, partitions: int) -> dict[str, Any]:
    """The XCom return value: where the data is and how much; no secrets by construction."""
    return {
        "bucket": manifest.bucket,
        "table": manifest.table,
        "manifest": manifest_name,
        "objects": [part.name for part in manifest.parts],
        "rows": manifest.totals.rows,
        "bytes": manifest.totals.uncompressed_bytes,
        "compressed_bytes": manifest.totals.compressed_bytes,
        "parts": manifest.totals.parts,
        "scn": manifest.scn,
        "attempt": manifest.attempt,
        "partition": manifest.partition,
        "partitions": partitions,
        "watermark": msgspec.to_builtins(manifest.watermark),
    }
