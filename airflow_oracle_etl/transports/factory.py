"""One DAG per transport: ``plan`` -> ``extract`` (mapped) -> ``finalize`` -> ``report``.

::

    dag = build_dag(load_transport("dags/transports/daily_sales.yaml"))

- ``plan`` (:class:`~.planning.TransportPlanOperator`) resolves the schema selectors, captures
  the job's SCN once, plans every table and packs small tables into shared tasks (run conf
  may narrow the tables or force a full refresh);
- ``extract`` is :class:`~.extract.TransportExtractOperator` mapped over the plan's tasks, at
  most ``parallel_tables`` at a time per run, each mapped instance labelled with what it
  carries: ``DEMO.SALES_ORDER``, ``DEMO.SALES_LINE_ITEM p1/2`` or ``DEMO.CUSTOMER +11``;
- ``finalize`` (:class:`~.finalize.TransportFinalizeOperator`) checks rows written against
  rows read, commits each complete table's manifest, writes the job manifest and adds an
  asset event per committed table through the alias ``oracle_etl:<transport id>``; it
  succeeds when any table was committed, so those events are recorded;
- ``report`` (:class:`~.report.TransportReportOperator`) fails naming the tables that were
  not committed (with the run conf that reruns them), and so the run fails with it; when
  every table was committed, ``finalize`` skips it.

:func:`load_transport_dags` is what the DAG file in ``dags/`` calls: every valid file becomes
a DAG; a broken one is logged and warned about, and registers nothing (Airflow 3.3 records
import errors per Python file, and one broken YAML file must not mark every transport DAG of
the loader file as broken; ``oracle-etl-transports check`` validates files before deploying).
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from os import PathLike
from pathlib import Path

import msgspec
from airflow.sdk import DAG

from airflow_oracle_etl.lineage.assets import transport_alias
from airflow_oracle_etl.options import as_mapping
from airflow_oracle_etl.transports.errors import Problem, TransportError
from airflow_oracle_etl.transports.extract import TransportExtractOperator
from airflow_oracle_etl.transports.finalize import TransportFinalizeOperator
from airflow_oracle_etl.transports.loading import load_transports
from airflow_oracle_etl.transports.model import (
    RETRY_BACKOFF_MULTIPLIER,
    PackingOptions,
    SchemaSelector,
    TableConfig,
    Transport,
)
from airflow_oracle_etl.transports.planning import TransportPlanOperator
from airflow_oracle_etl.transports.report import TransportReportOperator

__all__ = [
    "MAP_INDEX_TEMPLATE",
    "TransportFileWarning",
    "build_dag",
    "load_transport_dags",
    "load_transport_dags_by_file",
]

log = logging.getLogger(__name__)

PLAN_TASK = "plan"
EXTRACT_TASK = "extract"
FINALIZE_TASK = "finalize"
REPORT_TASK = "report"
#: the label of a mapped extract instance, rendered against the unmapped operator (``task``):
#: its first table (``DEMO.SALES_ORDER``), its partition (`` p1/2``), how many more (`` +11``)
MAP_INDEX_TEMPLATE = (
    "{% set first = task.reads[0] %}{{ first.label }}"
    "{% if first.partition and first.partition['count'] > 1 %}"
    " p{{ first.partition['index'] + 1 }}/{{ first.partition['count'] }}{% endif %}"
    "{% if task.reads | length > 1 %} +{{ task.reads | length - 1 }}{% endif %}"
)


class TransportFileWarning(UserWarning):
    """A transport file that could not become a DAG (Airflow records warnings per DAG file)."""


def build_dag(transport: Transport) -> DAG:
    """The DAG of ``transport``: its id is the transport id."""
    tables = transport.tables_normalized()
    destination = transport.destination
    connections = {"gcp_conn_id": destination.gcp_conn_id, "bucket": destination.bucket,
                   "prefix": destination.prefix}  # fmt: skip
    with DAG(
        dag_id=transport.id,
        dag_display_name=transport.display_name,
        description=_one_line(transport.description) or None,
        doc_md=doc_md(transport, tables),
        schedule=transport.schedule,
        start_date=dt.datetime.combine(transport.start_date, dt.time(), dt.timezone.utc),
        catchup=False,
        max_active_runs=1,
        tags=list(transport.tags),
        default_args={
            "owner": transport.owner,
            "retries": transport.retries,
            "retry_delay": dt.timedelta(seconds=transport.retry_delay_seconds),
            "retry_exponential_backoff": RETRY_BACKOFF_MULTIPLIER,
        },
    ) as dag:
        plan = TransportPlanOperator(
            task_id=PLAN_TASK,
            transport=transport.id,
            tables=[msgspec.to_builtins(table) for table in tables],
            selectors=[
                {"index": index, "selector": msgspec.to_builtins(entry)}
                for index, entry in enumerate(transport.tables)
                if isinstance(entry, SchemaSelector)
            ],
            packing=msgspec.to_builtins(transport.packing),
            parallel_tables=transport.parallel_tables,
            oracle_conn_id=transport.oracle_conn_id,
            consistent_snapshot=transport.consistent_snapshot,
            **connections,
        )
        extract = TransportExtractOperator.partial(
            task_id=EXTRACT_TASK,
            transport=transport.id,
            oracle_conn_id=transport.oracle_conn_id,
            # as mappings: Airflow serializes a mapped task's partial arguments as JSON
            fetch=as_mapping(transport.fetch),
            parts=as_mapping(transport.parts),
            max_active_tis_per_dagrun=transport.parallel_tables,
            progress_interval=transport.progress_interval_seconds,
            reads_at_once=transport.packing.reads_at_once if transport.packing.enabled else 1,
            map_index_template=MAP_INDEX_TEMPLATE,
            **connections,
        ).expand_kwargs(plan.output)
        finalize = TransportFinalizeOperator(
            task_id=FINALIZE_TASK,
            transport=transport.id,
            planned=plan.output,
            extract_task_id=EXTRACT_TASK,
            plan_task_id=PLAN_TASK,
            report_task_id=REPORT_TASK,
            outlets=[transport_alias(transport.id)],
            **connections,
        )
        report = TransportReportOperator(task_id=REPORT_TASK, finalize_task_id=FINALIZE_TASK)
        extract >> finalize >> report
    return dag


def load_transport_dags(
    directory: str | PathLike[str],
) -> tuple[dict[str, DAG], dict[Path, TransportError]]:
    """A DAG for every valid transport file in ``directory`` (by DAG id), and the error of
    every other.

    A broken file never stops the others: no DAG is registered for it, and its error is
    logged (the DAG processor's log names the file, the field and the reason) and issued as a
    :class:`TransportFileWarning` located at the transport file.
    """
    dags, errors = load_transport_dags_by_file(directory)
    for file, error in sorted(errors.items()):
        log.error("transport file %s is not loaded:\n%s", file, error)
        warnings.warn_explicit(
            f"transport file {file.name} is not loaded:\n{error}",
            TransportFileWarning,
            filename=str(file),
            lineno=0,
        )
    return {dag.dag_id: dag for dag in dags.values()}, errors


def load_transport_dags_by_file(
    directory: str | PathLike[str],
) -> tuple[dict[Path, DAG], dict[Path, TransportError]]:
    """The DAG built from each valid transport file in ``directory``, and the error of every
    other file (including Airflow refusing to build its DAG); nothing is logged."""
    transports, errors = load_transports(directory)
    dags: dict[Path, DAG] = {}
    for transport in transports:
        source = Path(transport.source)
        try:
            dags[source] = build_dag(transport)
        except TransportError as error:
            errors[source] = error
        except Exception as error:  # a bug or an Airflow refusal: confine it to this file
            log.exception("cannot build the DAG of transport %s", transport.source)
            errors[source] = TransportError(
                transport.source, [Problem("", f"cannot build its DAG: {type(error).__name__}: "
                                               f"{error}")]
            )  # fmt: skip
    return dags, errors


def doc_md(transport: Transport, tables: list[TableConfig]) -> str:
    """The DAG's documentation: what it exports, where to, and how to narrow a run."""
    destination = transport.destination
    target = "/".join(
        p for p in (destination.bucket, destination.prefix.strip("/"), transport.id) if p
    )
    lines = [f"# {transport.display_name}", ""]
    if transport.description:
        lines += [transport.description, ""]
    lines += [f"Writes to `gs://{target}/TABLE/run_id=RUN/`.", "", "| table | options |",
              "| --- | --- |"]  # fmt: skip
    lines += [f"| `{table.label}` | {_options(table) or '-'} |" for table in tables]
    lines += [
        f"| {selector.describe()} | every matching table, resolved when a job is planned |"
        for selector in transport.selectors()
    ]
    packing = transport.packing
    lines += [
        "",
        f"Small tables share extract tasks ({_groups(packing, transport.parallel_tables)} "
        f"of roughly equal work, each reading {packing.reads_at_once} table(s) at a time; big "
        "and partitioned tables keep their own)."
        if packing.enabled
        else "Each table has an extract task of its own (packing is disabled).",
        "",
        'Run conf: `{"tables": ["NAME", ...]}` extracts only those tables; '
        '`{"full_refresh": true}` ignores the incremental watermarks.',
        "",
        f"Each committed table emits an event of the asset `gs://{target}/TABLE` through the "
        f"asset alias `{transport_alias(transport.id).name}` (extra: its run, manifest, rows, "
        "SCN and watermark); a table that failed emits none, and the run then fails in "
        "`report`, naming it.",
    ]
    if transport.source:
        lines += ["", f"Defined in `{Path(transport.source).name}`."]
    return "\n".join(lines)


def _options(table: TableConfig) -> str:
    options = []
    if table.incremental is not None:
        options.append(f"incremental on `{table.incremental.column}`")
    if table.partitions > 1:
        options.append(f"{table.partitions} partitions ({table.partition_strategy})")
    if table.where:
        options.append("filtered by `where`")
    return ", ".join(options)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _groups(packing: PackingOptions, parallel_tables: int) -> str:
    if packing.groups is not None:
        return f"{packing.groups} groups"
    return f"up to {parallel_tables} groups, fewer when their work is small"
