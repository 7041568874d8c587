"""Plain records of what each read of a task did, for lineage.

The operators fill them whether or not the ``openlineage`` extra is installed: nothing here
imports OpenLineage, so recording a read costs a few attribute copies and can never fail a
task for want of an optional package. :mod:`.openlineage` turns them into datasets.

A record names the source by the dictionary's spelling of owner and table (or holds the
query), and the destination by bucket and object-name prefixes (:class:`TableLayout`), so
the same table gets the same dataset names whether it was read alone, in a packed task or in
partitions. Nothing here holds connection details: no secret can travel with a record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_oracle_etl.gcs.naming import TableLayout
from airflow_oracle_etl.identifiers import parse_table_name

if TYPE_CHECKING:
    from airflow_oracle_etl.extraction.request import CommittedRead
    from airflow_oracle_etl.planning import ReadPlan

__all__ = [
    "ColumnRecord",
    "PartitionRecord",
    "ReadNames",
    "ReadRecord",
    "WindowRecord",
    "committed_record",
    "planned_names",
    "record_read",
    "stored_record",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class ReadNames:
    """Where one read comes from and goes to: known before it runs, without asking Oracle
    or GCS anything.

    :ivar owner: the table's owner as the dictionary spells it; None for a query, or when
        the owner is only known once the session is open (no ``OWNER.`` in ``table=``, no
        ``table_owner=`` and no default owner in the connection)
    :ivar table: the table as the dictionary spells it; None for a query
    :ivar query: the user's query (``sql=``); None for a table
    :ivar bucket: the GCS bucket
    :ivar run_path: ``PREFIX/TRANSPORT/TABLE/run_id=RUN``: every object of this run's table
    :ivar table_path: ``PREFIX/TRANSPORT/TABLE``: every run of the table
    """

    owner: str | None = None
    table: str | None = None
    query: str | None = None
    bucket: str
    run_path: str
    table_path: str

    @classmethod
    def of_layout(
        cls,
        layout: TableLayout,
        *,
        bucket: str,
        owner: str | None = None,
        table: str | None = None,
        query: str | None = None,
    ) -> ReadNames:
        return cls(
            owner=owner,
            table=table,
            query=query,
            bucket=bucket,
            run_path=layout.run_prefix.rstrip("/"),
            table_path=layout.table_prefix.rstrip("/"),
        )


@dataclass(frozen=True, kw_only=True)
class ColumnRecord:
    """One column read: its Oracle side (name, DATA_TYPE, comment) and the JSON field written
    from it with its BigQuery type (as ``_schema.bigquery.json`` has it)."""

    name: str
    data_type: str
    comment: str | None = None
    field: str
    bigquery_type: str


@dataclass(frozen=True, kw_only=True)
class WindowRecord:
    """The watermark window of an incremental read. ``kind`` and ``full_refresh`` are None
    for a read known only from its stored summary (which keeps the range alone)."""

    column: str
    kind: str | None = None
    low: str | None = None
    high: str | None = None
    full_refresh: bool | None = None


@dataclass(frozen=True, kw_only=True)
class PartitionRecord:
    """Which of the table's partitions the read was (``index`` from 0)."""

    index: int
    count: int


@dataclass(frozen=True, kw_only=True)
class ReadRecord:
    """One committed read: names, what was read and how much was stored.

    :ivar columns: None when not known (a read committed by an earlier try of the task,
        reported from its stored summary: no schema then)
    :ivar stored_bytes: the compressed bytes of its parts, as stored in GCS
    """

    names: ReadNames
    columns: tuple[ColumnRecord, ...] | None = None
    scn: int | None = None
    window: WindowRecord | None = None
    partition: PartitionRecord | None = None
    rows: int
    stored_bytes: int
    parts: int


def planned_names(
    layout_of: Callable[[str], TableLayout],
    *,
    bucket: str,
    table: str | None = None,
    owner: str | None = None,
    label: str | None = None,
    query: str | None = None,
) -> ReadNames | None:
    """The names of a read from its configuration alone; None when they depend on what only
    the open session knows (a table whose owner is the session's current schema).

    :param layout_of: ``label -> TableLayout`` of the task (transport, prefix, run)
    :param table: ``TABLE``, ``OWNER.TABLE`` or quoted names, as configured
    :param owner: the default owner (``table_owner=``, or the connection's schema)
    :param label: the output label of a query (``name=``), or a table's if already known
    """
    if query is not None:
        if label is None:
            return None
        return ReadNames.of_layout(layout_of(label), bucket=bucket, query=query)
    if table is None:
        return None
    table_owner, name = parse_table_name(table, what="table")
    table_owner = table_owner or owner
    if table_owner is None:
        return None
    layout = layout_of(label or f"{table_owner}.{name}")
    return ReadNames.of_layout(layout, bucket=bucket, owner=table_owner, table=name)


def record_read(read: CommittedRead) -> ReadRecord | None:
    """The record of a committed read; None (logged) when it cannot be recorded, for lineage
    must never fail the task that read it."""
    try:
        return committed_record(read.plan, read.layout, read.summary)
    except Exception:
        log.warning("lineage: the read of %s is not recorded", read.plan.label, exc_info=True)
        return None


def committed_record(plan: ReadPlan, layout: TableLayout, summary: Mapping[str, Any]) -> ReadRecord:
    """A read just committed, from its plan (columns, SCN, window, partition) and summary
    (rows, bytes, parts)."""
    table = plan.table
    names = ReadNames.of_layout(
        layout,
        bucket=str(summary["bucket"]),
        owner=None if table is None else table.owner,
        table=None if table is None else table.name,
        query=plan.query if table is None else None,
    )
    by_name = {column.name: column for column in plan.columns}
    columns = tuple(
        ColumnRecord(
            name=encoding.name,
            data_type=by_name[encoding.name].data_type
            if encoding.name in by_name
            else encoding.oracle_type,
            comment=by_name[encoding.name].comment if encoding.name in by_name else None,
            field=encoding.name,
            bigquery_type=encoding.bigquery_type,
        )
        for encoding in plan.encoding.encodings
    )
    window = None
    if plan.window is not None:
        window = WindowRecord(
            column=plan.window.column,
            kind=plan.window.kind,
            low=plan.window.low,
            high=plan.window.high,
            full_refresh=plan.window.full_refresh,
        )
    partition = None
    if plan.partition is not None and plan.partition.count > 1:
        partition = PartitionRecord(index=plan.partition.index, count=plan.partition.count)
    return ReadRecord(
        names=names,
        columns=columns,
        scn=plan.scn,
        window=window,
        partition=partition,
        rows=int(summary["rows"]),
        stored_bytes=int(summary["compressed_bytes"]),
        parts=int(summary["parts"]),
    )


def stored_record(
    read: Mapping[str, Any], summary: Mapping[str, Any], layout: TableLayout
) -> ReadRecord:
    """A read committed by an earlier try of a packed task, from the plan's read (table,
    window) and the summary stored then (SCN, totals); its columns are not known."""
    owner, name = parse_table_name(str(read["table"]), what="table")
    names = ReadNames.of_layout(layout, bucket=str(summary["bucket"]), owner=owner, table=name)
    window = None
    planned = read.get("watermark") or {}
    stored = summary.get("watermark") or {}
    if planned or stored:
        window = WindowRecord(
            column=str(stored.get("column") or planned.get("column")),
            kind=planned.get("kind"),
            low=stored.get("low", planned.get("low")),
            high=stored.get("high", planned.get("high")),
            full_refresh=planned.get("full_refresh"),
        )
    partition = None
    count = int(summary.get("partitions") or 1)
    if count > 1 and summary.get("partition") is not None:
        partition = PartitionRecord(index=int(summary["partition"]), count=count)
    scn = summary.get("scn")
    return ReadRecord(
        names=names,
        scn=None if scn is None else int(scn),
        window=window,
        partition=partition,
        rows=int(summary["rows"]),
        stored_bytes=int(summary["compressed_bytes"]),
        parts=int(summary["parts"]),
    )
