"""The ``plan`` task of a transport's DAG: the tables of one job resolved, planned at one SCN,
and dealt into extract tasks.

Planning once per job, not once per table task, is what makes a job one point in time: the
SCN is captured once and every table's watermark window and partition boundaries are read as
of it. It costs a fixed number of round trips whatever the number of tables:

1. the schema selectors and the explicit tables resolved from the dictionary in one query
   (:meth:`~airflow_oracle_etl.hooks.oracle_extract.OracleExtractHook.list_catalog`, then
   :func:`~.selectors.resolve_tables`), with each table's statistics;
2. only a table with options that need the data (partitions, an incremental watermark,
   ``columns`` or ``where`` to check) is planned on its own, as before;
3. the last job manifest's figures (one listing, one read) and the statistics estimate each
   table's work, and :func:`~.packing.pack_tables` deals the tables into tasks.

The result is one ``{"reads": [...]}`` per extract task, for
``TransportExtractOperator.partial(...).expand_kwargs(plan.output)``; what the selectors
resolved to is logged and pushed as the XCom ``resolution`` (the job manifest records it).

Run conf can narrow the job (see :mod:`~airflow_oracle_etl.transports.run_conf`)::

    {"tables": ["SALES_ORDER", "DEMO.CUSTOMER"], "full_refresh": true}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import oracledb
from airflow.sdk import BaseOperator

from airflow_oracle_etl.errors import ConfigurationError, PermanentError, TransientError
from airflow_oracle_etl.extraction.bucket import bucket_handle
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.incremental import IncrementalConfig, WatermarkWindow
from airflow_oracle_etl.metadata import TableMetadata
from airflow_oracle_etl.planning import ReadRequest, plan_table, table_label
from airflow_oracle_etl.transports.estimates import estimated_bytes, last_job_bytes
from airflow_oracle_etl.transports.model import PackingOptions, SchemaSelector, TableConfig
from airflow_oracle_etl.transports.packing import PackedTable, pack_tables, worthwhile_groups
from airflow_oracle_etl.transports.run_conf import parse_run_conf
from airflow_oracle_etl.transports.selectors import (
    ResolvedTable,
    SelectorConfig,
    catalog_owners,
    normalize_selector,
    resolve_tables,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = [
    "RESOLUTION_XCOM",
    "TransportPlanError",
    "TransportPlanInterruptedError",
    "TransportPlanOperator",
]

#: XCom key of the plan: what each schema selector resolved to
RESOLUTION_XCOM = "resolution"


class TransportPlanError(ConfigurationError):
    """A job that cannot start: tables that cannot be planned, each named with its reason,
    every reason one that no retry fixes (a missing table or grant, a bad option)."""


class TransportPlanInterruptedError(TransientError):
    """Tables that could not be planned, at least one for a reason a retry may fix (a lost
    connection, a database error): the plan task is retried."""


class TransportPlanOperator(BaseOperator):
    """Resolve, plan and pack the tables of one job at one SCN.

    :param transport: the transport id (the object name segment above the tables).
    :param tables: the transport's explicit tables, each ``msgspec.to_builtins(TableConfig)``;
        the ``where`` predicates are rendered as templates. (templated)
    :param selectors: the transport's schema selectors, each
        ``{"index": position in tables:, "selector": msgspec.to_builtins(SchemaSelector)}``.
    :param packing: ``msgspec.to_builtins(PackingOptions)``: whether and into how many groups
        small tables are packed (groups default to ``parallel_tables``).
    :param parallel_tables: extract tasks running at once (the default number of groups).
    :param consistent_snapshot: capture one SCN for the whole job and read every table as
        of it; False reads the live tables.
    """

    template_fields: Sequence[str] = ("tables", "bucket", "prefix")
    ui_color = "#f0e4d7"

    def __init__(
        self,
        *,
        transport: str,
        tables: Sequence[Mapping[str, Any]],
        bucket: str,
        selectors: Sequence[Mapping[str, Any]] = (),
        packing: Mapping[str, Any] | None = None,
        parallel_tables: int = 4,
        prefix: str = "",
        oracle_conn_id: str = OracleExtractHook.default_conn_name,
        gcp_conn_id: str = "google_cloud_default",
        consistent_snapshot: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.transport = transport
        self.tables = tables
        self.selectors = selectors
        self.packing = packing
        self.parallel_tables = parallel_tables
        self.bucket = bucket
        self.prefix = prefix
        self.oracle_conn_id = oracle_conn_id
        self.gcp_conn_id = gcp_conn_id
        self.consistent_snapshot = consistent_snapshot

    def execute(self, context: Context) -> list[dict[str, Any]]:
        configs = [msgspec.convert(dict(table), TableConfig) for table in self.tables]
        selectors = [
            normalize_selector(msgspec.convert(entry["selector"], SchemaSelector), entry["index"])
            for entry in self.selectors
        ]
        packing = msgspec.convert(dict(self.packing or {}), PackingOptions)
        dag_run = context.get("dag_run")
        conf = parse_run_conf(
            getattr(dag_run, "conf", None), configs, transport=self.transport, selectors=selectors
        )
        hook = OracleExtractHook(oracle_conn_id=self.oracle_conn_id)
        planned: list[tuple[ResolvedTable, list[dict[str, Any]]]] = []
        failures: list[tuple[str, Exception]] = []
        with hook.session():
            scn = hook.current_scn() if self.consistent_snapshot else None
            resolved = self._resolve(hook, configs, selectors, conf, context)
            self.log.info(
                "job %s reads %d table(s) at SCN %s", context["run_id"], len(resolved), scn
            )
            for table in resolved:
                try:
                    planned.append(
                        (table, self._plan_one(hook, table, scn, conf.full_refresh, context))
                    )
                except Exception as error:  # every table is tried, so one message names all
                    self.log.exception("cannot plan table %s", table.config.label)
                    failures.append((table.config.label, error))
        if failures:
            permanent = all(isinstance(error, PermanentError) for _, error in failures)
            error_type = TransportPlanError if permanent else TransportPlanInterruptedError
            raise error_type(
                f"transport {self.transport!r}: {len(failures)} of {len(resolved)} table(s) "
                "cannot be extracted:\n  "
                + "\n  ".join(f"{label}: {type(e).__name__}: {e}" for label, e in failures)
            )
        return self._pack(planned, packing)

    def _resolve(
        self,
        hook: OracleExtractHook,
        configs: list[TableConfig],
        selectors: list[SelectorConfig],
        conf: Any,
        context: Context,
    ) -> list[ResolvedTable]:
        """The job's tables: explicit and selected, in one dictionary query; narrowed to the
        run conf's ``tables``; what each selector resolved to logged and pushed."""
        owners, owner_less = catalog_owners(configs, selectors)
        catalog, current_schema = hook.list_catalog(owners, current_schema=owner_less)
        try:
            resolution = resolve_tables(configs, selectors, catalog, current_schema)
        except ConfigurationError as error:
            raise TransportPlanError(f"transport {self.transport!r}: {error}") from None
        selected = resolution.selectors
        for result in selected:
            self.log.info(
                "%s resolves to %d table(s): %s",
                result.selector,
                len(result.tables),
                ", ".join(result.tables),
            )
        resolved = [{"selector": s.selector, "tables": list(s.tables)} for s in selected]
        context["ti"].xcom_push(key=RESOLUTION_XCOM, value=resolved)
        return conf.narrow(resolution.tables)

    def _pack(
        self,
        planned: list[tuple[ResolvedTable, list[dict[str, Any]]]],
        packing: PackingOptions,
    ) -> list[dict[str, Any]]:
        """The extract tasks' arguments: each ``{"reads": [...]}``."""
        last_job: dict[str, int] = {}
        if packing.enabled and len(planned) > 1:
            bucket = bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id)
            last_job = last_job_bytes(bucket, self.prefix, self.transport)
        tables = []
        for table, reads in planned:
            entry = table.entry
            estimate = estimated_bytes(
                table.config.label,
                last_job=last_job,
                num_rows=None if entry is None else entry.num_rows,
                avg_row_len=None if entry is None else entry.avg_row_len,
            )
            for read in reads:
                read["estimated_bytes"] = estimate
            tables.append(PackedTable(table.config.label, estimate, reads=len(reads)))
        if packing.enabled:
            count = packing.groups or worthwhile_groups(tables, self.parallel_tables)
            groups = pack_tables(tables, count)
        else:
            groups = [[index] for index in range(len(tables))]
        tasks = []
        for group in groups:
            reads = [read for index in group for read in planned[index][1]]
            if len(group) == 1 and len(reads) > 1:  # a partitioned table: a task per partition
                tasks += [{"reads": [read]} for read in reads]
            else:
                tasks.append({"reads": reads})
        self.log.info(
            "%d table(s) in %d extract task(s)%s",
            len(planned),
            len(tasks),
            "" if packing.enabled else " (packing disabled)",
        )
        return tasks

    def _plan_one(
        self,
        hook: OracleExtractHook,
        table: ResolvedTable,
        scn: int | None,
        full_refresh: bool,
        context: Context,
    ) -> list[dict[str, Any]]:
        """The reads of one table (one per partition). A table the dictionary listed and
        with no option that needs its data is planned without a round trip."""
        config = table.config
        options = {
            "columns": None
            if config.columns is None
            else [quote_identifier(name) for name in config.columns],
            "where": config.where,
            "trim_char": config.trim_char,
            "omit_nulls": config.omit_nulls,
            "checkpoint": config.checkpoint,
        }
        if table.entry is not None and not _needs_the_data(config):
            entry = table.entry
            return [
                {
                    "table": f"{quote_identifier(entry.owner)}.{quote_identifier(entry.name)}",
                    "label": entry.label,
                    **options,
                    **_whole_table_read(scn, watermark=None),
                }
            ]
        request = ReadRequest(
            table=config.table_text,
            where=config.where,
            partitions=config.partitions,
            partition_strategy=config.partition_strategy,
            partition_by=None
            if config.partition_by is None
            else quote_identifier(config.partition_by),
            incremental=None
            if config.incremental is None
            else msgspec.convert(config.incremental.as_argument(), IncrementalConfig),
            full_refresh=full_refresh,
            checkpoint=config.checkpoint,
        )
        run_id = context["run_id"]
        metadata, partitions = plan_table(
            hook,
            request,
            scn=scn,
            bucket=lambda: bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id),
            layout_of=lambda label: TableLayout(self.prefix, self.transport, label, run_id),
        )
        quoted = f"{quote_identifier(metadata.owner)}.{quote_identifier(metadata.name)}"
        _check_columns_and_where(hook, metadata, quoted, config)
        if len(partitions) == 1:
            (read,) = partitions
            planned = [_whole_table_read(scn, watermark=read.watermark)]
        else:
            planned = [read.as_kwargs() for read in partitions]
        return [{"table": quoted, "label": table_label(metadata), **options, **p} for p in planned]


def _whole_table_read(scn: int | None, *, watermark: WatermarkWindow | None) -> dict[str, Any]:
    """A table read whole: no partition, so its extract commits the table manifest itself
    (as the stand-alone operator does) and ``finalize`` has nothing to write for it."""
    return {
        "snapshot_scn": scn,
        "partition": None,
        "watermark": None if watermark is None else msgspec.to_builtins(watermark),
    }


def _needs_the_data(config: TableConfig) -> bool:
    """Options whose planning reads the table (boundaries, the watermark) or checks it."""
    return bool(
        config.partitions > 1 or config.incremental or config.columns is not None or config.where
    )


def _check_columns_and_where(
    hook: OracleExtractHook, metadata: TableMetadata, table: str, config: TableConfig
) -> None:
    """Refuse, at planning time, a ``columns:`` entry the table lacks and a ``where`` the
    database cannot parse against it, so the job fails before any table is read (the plan
    checks every table, so one message names them all) instead of in one table's extract."""
    for name in config.columns or ():
        try:
            metadata.column(name)
        except KeyError as error:
            raise TransportPlanError(str(error.args[0])) from None
    if config.where:
        try:
            hook.describe_query(f"SELECT 1 FROM {table} WHERE ({config.where})")
        except oracledb.DatabaseError as error:
            raise TransportPlanError(
                f"the where of {metadata.qualified_name} does not parse against the table: {error}"
            ) from None
