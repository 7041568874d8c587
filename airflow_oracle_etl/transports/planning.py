"""The ``plan`` task of a transport's DAG: every table of one job planned at one SCN.

Planning once per job, not once per table task, is what makes a job one point in time: the
SCN is captured once and every table's watermark window and partition boundaries are read as
of it. The result is one set of extract keyword arguments per (table, partition), for
``OracleToGCSJsonlOperator.partial(...).expand_kwargs(plan.output)``.

Run conf (``airflow dags trigger --conf``, the REST API's ``conf``) can narrow the job::

    {"tables": ["SALES_ORDER", "DEMO.CUSTOMER"], "full_refresh": true}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
import oracledb
from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.sdk import BaseOperator

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import (
    InvalidIdentifierError,
    parse_table_name,
    quote_identifier,
)
from airflow_oracle_etl.metadata import TableMetadata
from airflow_oracle_etl.operators.plan import TablePlanRequest, plan_table
from airflow_oracle_etl.transports.model import TableConfig

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = ["CONF_FULL_REFRESH", "CONF_TABLES", "TransportPlanError", "TransportPlanOperator"]

#: run conf keys a job understands
CONF_TABLES = "tables"
CONF_FULL_REFRESH = "full_refresh"
_CONF_KEYS = (CONF_TABLES, CONF_FULL_REFRESH)


class TransportPlanError(ValueError):
    """A job that cannot start: bad run conf, or tables that cannot be planned."""


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
        conf = _run_conf(context)
        configs = [msgspec.convert(dict(table), TableConfig) for table in self.tables]
        selected = select_tables(configs, conf.get(CONF_TABLES))
        full_refresh = _full_refresh(conf)
        hook = OracleExtractHook(oracle_conn_id=self.oracle_conn_id)
        planned: list[dict[str, Any]] = []
        failures: list[str] = []
        with hook.session():
            scn = hook.current_scn() if self.consistent_snapshot else None
            self.log.info(
                "job %s reads %d table(s) at SCN %s", context["run_id"], len(selected), scn
            )
            for config in selected:
                try:
                    planned.extend(self._plan_one(hook, config, scn, full_refresh, context))
                except Exception as error:  # every table is tried, so one message names all
                    self.log.exception("cannot plan table %s", config.label)
                    failures.append(f"{config.label}: {type(error).__name__}: {error}")
        if failures:
            raise TransportPlanError(
                f"transport {self.transport!r}: {len(failures)} of {len(selected)} table(s) "
                "cannot be extracted:\n  " + "\n  ".join(failures)
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
        request = TablePlanRequest(
            table=config.table_text,
            where=config.where,
            partitions=config.partitions,
            partition_strategy=config.partition_strategy,
            partition_by=None if config.partition_by is None else quote_identifier(
                config.partition_by
            ),
            incremental=None if config.incremental is None else config.incremental.as_argument(),
            full_refresh=full_refresh,
        )  # fmt: skip
        metadata, partitions = plan_table(
            hook,
            request,
            scn=scn,
            bucket=lambda: GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn().bucket(self.bucket),
            prefix=self.prefix,
            transport=self.transport,
            run_id=context["run_id"],
            log=self.log,
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
                **kwargs,
            }
            for kwargs in partitions
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


def select_tables(configs: Sequence[TableConfig], requested: object) -> list[TableConfig]:
    """The tables run conf asks for (all when it names none), in the transport's order.

    A name matches a table by its name, and by its owner too when both give one
    (``SALES_ORDER`` and ``DEMO.SALES_ORDER`` both select ``SALES_ORDER``).

    :raises TransportPlanError: a name that is no table of the transport, or conf that is not
        a list of names.
    """
    if requested is None:
        return list(configs)
    if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
        raise TransportPlanError(
            f"run conf {CONF_TABLES!r} must be a list of table names, got {requested!r}"
        )
    chosen: set[int] = set()
    unknown: list[str] = []
    for text in requested:
        try:
            owner, name = parse_table_name(text, what="table")
        except InvalidIdentifierError as error:
            raise TransportPlanError(f"run conf {CONF_TABLES!r}: {error}") from None
        matches = [i for i, config in enumerate(configs) if _matches(config, owner, name)]
        if not matches:
            unknown.append(text)
        chosen.update(matches)
    if unknown:
        known = ", ".join(config.label for config in configs)
        raise TransportPlanError(
            f"run conf {CONF_TABLES!r} names table(s) not in this transport: "
            f"{', '.join(unknown)} (its tables: {known})"
        )
    return [config for index, config in enumerate(configs) if index in chosen]


def _matches(config: TableConfig, owner: str | None, name: str) -> bool:
    return config.name == name and (owner is None or config.owner in (None, owner))


def _run_conf(context: Context) -> Mapping[str, Any]:
    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None) or {}
    if not isinstance(conf, Mapping):
        raise TransportPlanError(f"run conf must be a mapping, got {type(conf).__name__}")
    unknown = sorted(set(conf) - set(_CONF_KEYS))
    if unknown:
        raise TransportPlanError(
            f"unknown run conf key(s) {unknown}; a job takes {list(_CONF_KEYS)}"
        )
    return conf


def _full_refresh(conf: Mapping[str, Any]) -> bool:
    value = conf.get(CONF_FULL_REFRESH, False)
    if not isinstance(value, bool):
        raise TransportPlanError(
            f"run conf {CONF_FULL_REFRESH!r} must be true or false, got {value!r}"
        )
    return value
