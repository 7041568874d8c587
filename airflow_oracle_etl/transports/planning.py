"""The ``plan`` task of a transport's DAG: every table of one job planned at one SCN.

Planning once per job, not once per table task, is what makes a job one point in time: the
SCN is captured once and every table's watermark window and partition boundaries are read as
of it. The result is one set of extract keyword arguments per (table, partition), for
``OracleToGCSJsonlOperator.partial(...).expand_kwargs(plan.output)``.

Run conf can narrow the job (see :mod:`~airflow_oracle_etl.transports.run_conf`)::

    {"tables": ["SALES_ORDER", "DEMO.CUSTOMER"], "full_refresh": true}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import oracledb
from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.sdk import BaseOperator

from airflow_oracle_etl.errors import ConfigurationError, PermanentError, TransientError
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.incremental import IncrementalConfig
from airflow_oracle_etl.metadata import TableMetadata
from airflow_oracle_etl.planning import ReadRequest, plan_table
from airflow_oracle_etl.transports.model import TableConfig
from airflow_oracle_etl.transports.run_conf import parse_run_conf

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["TransportPlanError", "TransportPlanInterruptedError", "TransportPlanOperator"]


class TransportPlanError(ConfigurationError):
    """A job that cannot start: tables that cannot be planned, each named with its reason,
    every reason one that no retry fixes (a missing table or grant, a bad option)."""


class TransportPlanInterruptedError(TransientError):
    """Tables that could not be planned, at least one for a reason a retry may fix (a lost
    connection, a database error): the plan task is retried."""


class TransportPlanOperator(BaseOperator):
    """Plan every table of a transport at one SCN.

    :param transport: the transport id (the object name segment above the tables).
    :param tables: the transport's tables, each ``msgspec.to_builtins(TableConfig)``; the
        ``where`` predicates are rendered as templates. (templated)
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
        prefix: str = "",
        oracle_conn_id: str = OracleExtractHook.default_conn_name,
        gcp_conn_id: str = "google_cloud_default",
        consistent_snapshot: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.transport = transport
        self.tables = tables
        self.bucket = bucket
        self.prefix = prefix
        self.oracle_conn_id = oracle_conn_id
        self.gcp_conn_id = gcp_conn_id
        self.consistent_snapshot = consistent_snapshot

    def execute(self, context: Context) -> list[dict[str, Any]]:
        configs = [msgspec.convert(dict(table), TableConfig) for table in self.tables]
        dag_run = context.get("dag_run")
        conf = parse_run_conf(getattr(dag_run, "conf", None), configs, transport=self.transport)
        hook = OracleExtractHook(oracle_conn_id=self.oracle_conn_id)
        planned: list[dict[str, Any]] = []
        failures: list[tuple[str, Exception]] = []
        with hook.session():
            scn = hook.current_scn() if self.consistent_snapshot else None
            self.log.info(
                "job %s reads %d table(s) at SCN %s", context["run_id"], len(conf.tables), scn
            )
            for config in conf.tables:
                try:
                    planned.extend(self._plan_one(hook, config, scn, conf.full_refresh, context))
                except Exception as error:  # every table is tried, so one message names all
                    self.log.exception("cannot plan table %s", config.label)
                    failures.append((config.label, error))
        if failures:
            permanent = all(isinstance(error, PermanentError) for _, error in failures)
            error_type = TransportPlanError if permanent else TransportPlanInterruptedError
            raise error_type(
                f"transport {self.transport!r}: {len(failures)} of {len(conf.tables)} table(s) "
                "cannot be extracted:\n  "
                + "\n  ".join(f"{label}: {type(e).__name__}: {e}" for label, e in failures)
            )
        return planned

    def _plan_one(
        self,
        hook: OracleExtractHook,
        config: TableConfig,
        scn: int | None,
        full_refresh: bool,
        context: Context,
    ) -> list[dict[str, Any]]:
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
            bucket=lambda: GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn().bucket(self.bucket),
            layout_of=lambda label: TableLayout(self.prefix, self.transport, label, run_id),
        )
        table = f"{quote_identifier(metadata.owner)}.{quote_identifier(metadata.name)}"
        _check_columns_and_where(hook, metadata, table, config)
        return [
            {
                "table": table,
                "columns": None
                if config.columns is None
                else [quote_identifier(name) for name in config.columns],
                "where": config.where,
                "trim_char": config.trim_char,
                "omit_nulls": config.omit_nulls,
                "checkpoint": config.checkpoint,
                **read.as_kwargs(),
            }
            for read in partitions
        ]


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
