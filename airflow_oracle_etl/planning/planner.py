"""The planning functions: a :class:`ReadRequest` becomes read plans, in one place.

- :func:`plan_table` is a job's planning of one table (the plan operator's and the transport
  plan task's): its metadata, the watermark window and the partitions, at the job's SCN; it
  returns one :class:`PlannedRead` per partition, which travels to the mapped extract tasks.
- :func:`plan_read` is an extract task's planning of its own read: with what the job planned
  (SCN, window, partition) when it runs in a job, or planning those itself when it runs alone.

Both plan the window through :func:`plan_table_window`, and both read the SCN through
:func:`snapshot_scn`, so a task alone and a task of a job decide the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from airflow_oracle_etl.encoding import EncodingPlan
from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.identifiers import parse_identifier
from airflow_oracle_etl.incremental import (
    WatermarkWindow,
    last_committed_watermark,
    plan_window,
)
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning import PartitionSpec, plan_partitions
from airflow_oracle_etl.planning.plan import ReadPlan
from airflow_oracle_etl.planning.request import ReadRequest
from airflow_oracle_etl.resume import Checkpoint, KeysetOrder, binary_collation, keyset_order

if TYPE_CHECKING:
    from google.cloud import storage

__all__ = [
    "PlannedRead",
    "plan_read",
    "plan_table",
    "plan_table_window",
    "snapshot_scn",
    "table_label",
]

log = logging.getLogger(__name__)

NLS_COLLATION_SQL = (
    "SELECT PARAMETER, VALUE FROM NLS_SESSION_PARAMETERS"
    " WHERE PARAMETER IN ('NLS_SORT', 'NLS_COMP')"
)

#: makes the encoding of a column list (the operator's type options applied)
Encode = Callable[[tuple[OracleColumn, ...]], EncodingPlan]
#: the bucket, called only when an incremental table needs its last committed watermark
BucketSource = Callable[[], "storage.Bucket"]


class PlannedRead(msgspec.Struct, frozen=True, kw_only=True):
    """What a job decided for one partition of one table: the extract task's keyword
    arguments (``snapshot_scn``, ``partition``, ``watermark``), as they travel through XCom."""

    snapshot_scn: int | None
    partition: PartitionSpec
    watermark: WatermarkWindow | None

    def as_kwargs(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)


def table_label(metadata: TableMetadata) -> str:
    """``OWNER.TABLE``: object names, manifests and progress name a table so."""
    return f"{metadata.owner}.{metadata.name}"


def snapshot_scn(hook: OracleExtractHook, request: ReadRequest) -> int | None:
    """The SCN to read at: the one given, else the current one (consistent snapshots), else
    None (the live table; also for queries, which are read as they run)."""
    if request.sql is not None:
        return None
    if request.snapshot_scn is not None:
        return request.snapshot_scn
    return hook.current_scn() if request.consistent_snapshot else None


def plan_table_window(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    request: ReadRequest,
    *,
    scn: int | None,
    bucket: BucketSource,
    layout: TableLayout,
) -> WatermarkWindow | None:
    """The incremental window: as the job planned it, else planned now from the table's last
    committed manifest (the bucket is read only then), else None (a full read)."""
    if request.watermark is not None:
        return request.watermark
    if request.incremental is None:
        return None
    previous = last_committed_watermark(bucket(), layout, request.incremental.column)
    return plan_window(
        hook,
        metadata,
        request.incremental,
        scn=scn,
        previous=previous,
        full_refresh=request.full_refresh,
        where=request.where,
        parameters=request.parameters,
    )


def plan_table(
    hook: OracleExtractHook,
    request: ReadRequest,
    *,
    scn: int | None,
    bucket: BucketSource,
    layout_of: Callable[[str], TableLayout],
) -> tuple[TableMetadata, list[PlannedRead]]:
    """One table of a job planned at ``scn`` inside the hook's open session: its metadata and
    one :class:`PlannedRead` per partition. ``layout_of(label)`` is the table's layout."""
    assert request.table is not None, "a job plans tables, not queries"
    metadata = hook.get_table_metadata(request.table, request.table_owner)
    layout = layout_of(table_label(metadata))
    window = plan_table_window(hook, metadata, request, scn=scn, bucket=bucket, layout=layout)
    specs = plan_partitions(
        hook,
        metadata,
        count=request.partitions,
        strategy=request.partition_strategy,
        column=request.partition_by,
        scn=scn,
        where=request.where,
        parameters=request.parameters,
    )
    for spec in specs:
        log.info(
            "%s partition %d/%d: %s",
            table_label(metadata),
            spec.index + 1,
            spec.count,
            spec.description,
        )
    return metadata, [
        PlannedRead(snapshot_scn=scn, partition=spec, watermark=window) for spec in specs
    ]


def plan_read(
    hook: OracleExtractHook,
    request: ReadRequest,
    *,
    encode: Encode,
    bucket: BucketSource,
    layout_of: Callable[[str], TableLayout],
    earlier: Checkpoint | None = None,
    can_checkpoint: bool = False,
) -> ReadPlan:
    """The plan of one extract task's read, inside the hook's open session.

    :param encode: the encoding of the chosen columns.
    :param earlier: a checkpoint of an earlier try: its SCN is reused when this task picks
        its own snapshot, so the retry reads what the finished parts were read at.
    :param can_checkpoint: a checkpoint store is at hand: plan a key order if the table has
        a usable key.
    """
    if request.sql is not None:
        assert request.name is not None
        columns = hook.describe_query(request.sql)
        return ReadPlan(
            label=request.name,
            columns=columns,
            encoding=encode(columns),
            query=request.sql,
            binds=request.binds,
        )
    assert request.table is not None
    metadata = hook.get_table_metadata(request.table, request.table_owner)
    reused = _reusable_scn(request, earlier)
    scn = reused if reused is not None else snapshot_scn(hook, request)
    label = table_label(metadata)
    window = plan_table_window(
        hook, metadata, request, scn=scn, bucket=bucket, layout=layout_of(label)
    )
    columns = chosen_columns(metadata, request.columns)
    encoding = encode(columns)
    order = None
    if can_checkpoint and request.checkpoint:
        order = _key_order(hook, metadata, encoding, scn)
    partition = request.partition
    predicates = [request.where, partition and partition.predicate, window and window.predicate]
    binds = request.binds
    for extra in (partition and partition.binds, window and window.binds):
        binds.update(extra or {})
    if scn is not None:
        binds[AS_OF_SCN_BIND] = scn
    return ReadPlan(
        label=label,
        columns=columns,
        encoding=encoding,
        table=metadata,
        where=" AND ".join(f"({p})" for p in predicates if p and p.strip()) or None,
        binds=binds,
        scn=scn,
        scn_from_checkpoint=reused is not None,
        estimated_rows=metadata.num_rows,
        partition=partition,
        window=window,
        order=order,
    )


def chosen_columns(
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
            raise ConfigurationError(error.args[0]) from None
    return tuple(chosen)


def _reusable_scn(request: ReadRequest, earlier: Checkpoint | None) -> int | None:
    """The SCN of an earlier try's checkpoint, when this task picks its own snapshot: a retry
    must read the snapshot the finished parts were read at to go on after them."""
    if earlier is None or not request.consistent_snapshot:
        return None
    if request.snapshot_scn is not None:
        return None  # the job's SCN decides; a checkpoint of another SCN will not match
    log.info("reading as of SCN %d, the snapshot of the checkpointed try", earlier.scn)
    return earlier.scn


def _key_order(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    encoding: EncodingPlan,
    scn: int | None,
) -> KeysetOrder | None:
    """The primary-key order that makes this read restartable, or None (logged why)."""
    if scn is None:
        _no_checkpoints("the read is not at a fixed SCN (consistent_snapshot=False)")
        return None
    fields = getattr(encoding.rowfactory, "__struct_fields__", None)
    order = keyset_order(metadata, encoding.encodings, fields)
    if isinstance(order, str):
        _no_checkpoints(order)
        return None
    if order.has_text:
        settings = _session_collation(hook)
        if not binary_collation(settings):
            _no_checkpoints(f"the session sorts text by {settings} (restart keys need BINARY)")
            return None
    return order


def _session_collation(hook: OracleExtractHook) -> Mapping[str, str]:
    with hook.open_cursor(NLS_COLLATION_SQL, None) as cursor:
        return {name: value for batch in cursor for name, value in batch}


def _no_checkpoints(why: str) -> None:
    log.info("no checkpoints: %s; a retry reads this table or partition again", why)
