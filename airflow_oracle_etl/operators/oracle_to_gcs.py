"""OracleToGCSJsonlOperator: one Oracle table (or query) into GCS as gzipped JSON Lines.

The operator is Airflow's face over two units: the planner
(:func:`~airflow_oracle_etl.planning.plan_read`: what to read, at which SCN, in which window
and order) and the extraction (:class:`~airflow_oracle_etl.extraction.TableExtraction`:
resume, read, write, commit). It turns its rendered arguments into a checked
:class:`~airflow_oracle_etl.planning.ReadRequest`, opens the bucket, and hands over.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec
from airflow.exceptions import AirflowProviderDeprecationWarning
from airflow.sdk import BaseOperator, get_current_context

from airflow_oracle_etl.encoding import EncodingPlan, plan_columns
from airflow_oracle_etl.errors import ConfigurationError, OracleEtlError
from airflow_oracle_etl.extraction import (
    ExtractionSettings,
    ReadTarget,
    TableExtraction,
    open_bucket,
    run_request,
)
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import parse_identifier
from airflow_oracle_etl.incremental import IncrementalConfig, WatermarkWindow
from airflow_oracle_etl.lineage import openlineage as lineage
from airflow_oracle_etl.lineage.assets import announce_summary
from airflow_oracle_etl.lineage.exports import ReadNames, ReadRecord, planned_names, record_read
from airflow_oracle_etl.metadata import OracleColumn
from airflow_oracle_etl.options import FetchOptions, GcsOptions, PartsOptions, convert_options
from airflow_oracle_etl.partitioning import PartitionSpec
from airflow_oracle_etl.planning import ReadRequest, convert_record, parse_scn
from airflow_oracle_etl.progress import ProgressReporter
from airflow_oracle_etl.resume import CheckpointStore

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage
    from airflow.sdk import Context

__all__ = ["DEPRECATED_ARGUMENTS", "OracleToGCSError", "OracleToGCSJsonlOperator"]

#: earlier releases' root of this operator's errors; every error is now an OracleEtlError
OracleToGCSError = OracleEtlError

#: the flat arguments of earlier releases, and the option each one now is
DEPRECATED_ARGUMENTS: dict[str, tuple[str, str]] = {
    "arraysize": ("fetch", "arraysize"),
    "prefetchrows": ("fetch", "prefetchrows"),
    "batch_rows": ("fetch", "batch_rows"),
    "max_rows_per_part": ("parts", "max_rows"),
    "max_bytes_per_part": ("parts", "max_bytes"),
    "chunk_size": ("parts", "chunk_size"),
    "compression_level": ("parts", "compression_level"),
    "gcs_retry_deadline": ("gcs", "retry_deadline"),
    "gcs_request_timeout": ("gcs", "request_timeout"),
}


class OracleToGCSJsonlOperator(BaseOperator):
    """Copy an Oracle table, or the result of a query, to GCS as gzipped JSON Lines.

    Objects: ``gs://BUCKET/PREFIX/TRANSPORT/TABLE/run_id=RUN/part-0000-NNNNN-aA.jsonl.gz``,
    ``_schema.bigquery.json`` and ``_manifest.json`` (written last; readers trust only what a
    manifest lists). A retry writes under a new attempt number and, once its manifest is
    committed, deletes what earlier attempts left. Errors that no retry can fix (bad
    arguments, a missing table, grant or bucket, refused credentials) fail the task at once.

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
    :param fetch: :class:`~airflow_oracle_etl.options.FetchOptions` or a mapping of its
        fields (``arraysize``, ``prefetchrows``, ``batch_rows``), as a transport's ``fetch:``.
    :param parts: :class:`~airflow_oracle_etl.options.PartsOptions` or a mapping
        (``max_rows``, ``max_bytes``, ``chunk_size``, ``compression_level``), as ``parts:``.
    :param gcs: :class:`~airflow_oracle_etl.options.GcsOptions` or a mapping
        (``retry_deadline``, ``request_timeout``: seconds).
    :param trim_char: strip the blank padding of CHAR columns.
    :param omit_nulls: leave NULL values out of the JSON objects instead of writing null.
    :param type_overrides: column name -> JSON kind (``string``, ``decimal``, ``integer``,
        ``float``) for columns whose default mapping does not suit.
    :param progress_interval: seconds between progress publications.
    :param partition: one partition of the table as planned by
        :class:`~airflow_oracle_etl.operators.plan.OracleExtractPlanOperator` (mapped tasks get
        theirs through ``expand_kwargs``): its parts and ``_manifest.pPPPP.json`` are its own,
        and the table's ``_manifest.json`` is written by the commit task over all partitions.
    :param incremental: ``{"column": ..., "initial": ...}``: read only rows whose watermark
        column moved past the high watermark of the table's last committed manifest.
    :param watermark: the window as planned for the whole job (instead of ``incremental``).
    :param full_refresh: with ``incremental``, read everything and restart the watermark.
    :param checkpoint: make the read restartable: a table with a primary key read at a fixed
        SCN is read in key order, and after each part is uploaded the task state store records
        the parts and the last key; a retry keeps those parts and reads only the rows after
        that key. The cost is the ORDER BY; False reads unordered and a retry reads the table
        (or partition) again.

    Deprecated: ``arraysize``, ``prefetchrows``, ``batch_rows`` (use ``fetch``),
    ``max_rows_per_part``, ``max_bytes_per_part``, ``chunk_size``, ``compression_level`` (use
    ``parts``: ``max_rows``, ``max_bytes``, ...), ``gcs_retry_deadline``,
    ``gcs_request_timeout`` (use ``gcs``: ``retry_deadline``, ``request_timeout``). They still
    work and warn with the replacement (:data:`DEPRECATED_ARGUMENTS`).
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
    #: what runs the plan: a subclass may add to it (the tests inject faults there)
    extraction_class: type[TableExtraction] = TableExtraction

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
        fetch: FetchOptions | Mapping[str, Any] | None = None,
        parts: PartsOptions | Mapping[str, Any] | None = None,
        gcs: GcsOptions | Mapping[str, Any] | None = None,
        trim_char: bool = False,
        omit_nulls: bool = False,
        type_overrides: Mapping[str, str] | None = None,
        progress_interval: float = 3.0,
        partition: PartitionSpec | Mapping[str, Any] | None = None,
        incremental: IncrementalConfig | Mapping[str, Any] | None = None,
        watermark: WatermarkWindow | Mapping[str, Any] | None = None,
        full_refresh: bool = False,
        checkpoint: bool = True,
        # deprecated: the flat names of earlier releases (see DEPRECATED_ARGUMENTS)
        arraysize: int | None = None,
        prefetchrows: int | None = None,
        batch_rows: int | None = None,
        max_rows_per_part: int | None = None,
        max_bytes_per_part: int | None = None,
        chunk_size: int | None = None,
        compression_level: int | None = None,
        gcs_retry_deadline: float | None = None,
        gcs_request_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        given = {
            "arraysize": arraysize,
            "prefetchrows": prefetchrows,
            "batch_rows": batch_rows,
            "max_rows_per_part": max_rows_per_part,
            "max_bytes_per_part": max_bytes_per_part,
            "chunk_size": chunk_size,
            "compression_level": compression_level,
            "gcs_retry_deadline": gcs_retry_deadline,
            "gcs_request_timeout": gcs_request_timeout,
        }
        options = _merge_deprecated(
            {name: value for name, value in given.items() if value is not None},
            {"fetch": fetch, "parts": parts, "gcs": gcs},
        )
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
        self.settings = ExtractionSettings(
            fetch=convert_options(options["fetch"], FetchOptions, argument="fetch"),
            parts=convert_options(options["parts"], PartsOptions, argument="parts"),
            gcs=convert_options(options["gcs"], GcsOptions, argument="gcs"),
        )
        self.trim_char = trim_char
        self.omit_nulls = omit_nulls
        self.type_overrides = type_overrides
        self.progress_interval = progress_interval
        # checked with the templated arguments when the task runs (a mapped task's come from
        # the plan task's XCom only then)
        self.partition = partition
        self.incremental = incremental
        self.watermark = watermark
        self.full_refresh = full_refresh
        self.checkpoint = checkpoint
        #: what the committed read did, for the OpenLineage methods
        self._lineage_reads: list[ReadRecord] = []
        if (table is None) == (sql is None):
            raise ConfigurationError(f"{self.task_id}: give exactly one of table= or sql=")
        if sql is not None and not name:
            raise ConfigurationError(
                f"{self.task_id}: sql= needs name= (the label in object names)"
            )

    @cached_property
    def hook(self) -> OracleExtractHook:
        """The one Oracle hook of the task: its plan and read share its connection, and
        :meth:`on_kill` cancels whatever runs on it."""
        return OracleExtractHook(
            oracle_conn_id=self.oracle_conn_id,
            arraysize=self.settings.fetch.arraysize,
            prefetchrows=self.settings.fetch.prefetchrows,
        )

    def execute(self, context: Context) -> dict[str, Any]:
        request = self._request()
        reporter = ProgressReporter(
            store=context.get("task_state_store"),
            log=self.log,
            table=request.label,
            interval_s=self.progress_interval,
        )
        reporter.enter("planning")
        # the bucket is checked before anything is asked of Oracle
        bucket = open_bucket(self.bucket, gcp_conn_id=self.gcp_conn_id, gcs=self.settings.gcs)
        target = ReadTarget(
            hook=self.hook,
            bucket=bucket,
            settings=self.settings,
            transport=self.transport or self.dag_id,
            prefix=self.prefix,
            run_id=context["run_id"],
            try_number=context["ti"].try_number,
            extraction_class=self.extraction_class,
        )
        store = CheckpointStore(context.get("task_state_store") if self.checkpoint else None)
        with self.hook.session():  # one Oracle connection for the plan and the read
            read = run_request(
                target, request, encode=self._encoding, checkpoints=store, reporter=reporter
            )
        record = record_read(read)
        self._lineage_reads = [] if record is None else [record]
        # a table read whole is committed: its asset event (recorded if the task succeeds)
        announce_summary(
            context, self.outlets, read.summary, transport=target.transport, prefix=self.prefix
        )
        return read.summary

    def on_kill(self) -> None:
        """Interrupt the running Oracle call; the writer then aborts its uploads (no
        manifest). The plan and the read, LOB columns included, all run on this one hook."""
        self.hook.cancel()

    def get_openlineage_facets_on_start(self) -> OperatorLineage | None:
        """The table (or the tables of ``sql``) and the run path it is written to, by name
        only: nothing is asked of Oracle or GCS. A table whose owner only the session knows
        (no ``OWNER.``, ``table_owner`` or connection schema) is reported on completion."""
        return lineage.on_start(self.hook, self._planned_lineage)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage | None:
        """The committed read with its schema, SCN, window, partition and statistics."""
        return lineage.on_complete(self.hook, self._lineage_reads)

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage | None:
        """The read if the task failed after committing it, else an empty lineage: a read
        not committed has written nothing a reader may use."""
        return lineage.on_complete(self.hook, self._lineage_reads)

    def _planned_lineage(self, default_owner: str | None) -> list[ReadNames]:
        transport = self.transport or self.dag_id
        run_id = get_current_context()["run_id"]
        owner = default_owner
        if self.table_owner:
            owner = parse_identifier(self.table_owner, what="table_owner")
        names = planned_names(
            lambda label: TableLayout(self.prefix, transport, label, run_id),
            bucket=self.bucket,
            table=self.table,
            owner=owner,
            label=self.name if self.sql is not None else None,
            query=self.sql,
        )
        return [] if names is None else [names]

    def _request(self) -> ReadRequest:
        """The rendered arguments, checked once."""
        try:
            return ReadRequest(
                table=self.table,
                table_owner=self.table_owner,
                sql=self.sql,
                name=self.name,
                columns=self.columns,
                where=self.where,
                parameters=self.parameters,
                snapshot_scn=parse_scn(self.snapshot_scn),
                consistent_snapshot=self.consistent_snapshot,
                incremental=convert_record(
                    self.incremental, IncrementalConfig, argument="incremental"
                ),
                watermark=convert_record(self.watermark, WatermarkWindow, argument="watermark"),
                full_refresh=self.full_refresh,
                partition=convert_record(self.partition, PartitionSpec, argument="partition"),
                checkpoint=self.checkpoint,
            )
        except ConfigurationError as error:
            error.add_note(f"task {self.task_id!r}: no data was read or written")
            raise

    def _encoding(self, columns: tuple[OracleColumn, ...]) -> EncodingPlan:
        return plan_columns(
            columns,
            trim_char=self.trim_char,
            omit_nulls=self.omit_nulls,
            type_overrides=self.type_overrides,
        )


def _merge_deprecated(given: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """``options`` (fetch, parts, gcs) with the deprecated flat arguments ``given`` moved into
    them, each with a warning naming its replacement."""
    merged: dict[str, Any] = dict(options)
    for old, value in given.items():
        group, field = DEPRECATED_ARGUMENTS[old]
        warnings.warn(
            f"{old}= is deprecated: use {group}={{{field!r}: ...}}",
            AirflowProviderDeprecationWarning,
            stacklevel=3,
        )
        current = merged[group]
        if isinstance(current, msgspec.Struct):
            current = msgspec.to_builtins(current)
        current = dict(current or {})
        if field in current:
            raise ConfigurationError(f"{old}= and {group}[{field!r}] both given: keep {group}")
        current[field] = value
        merged[group] = current
    return merged
