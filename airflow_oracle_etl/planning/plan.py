"""The plan record: one read, decided.

A :class:`ReadPlan` is everything the extraction needs and the manifest records about one
read: the table or query, the columns and how each is encoded, the predicate and its binds, the
SCN, the partition, the watermark window and the key order of a restartable read. One function
makes it (:func:`~airflow_oracle_etl.planning.planner.plan_read`); the extraction only runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_oracle_etl.encoding import EncodingPlan
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND, build_select, wrap_query
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.incremental import WatermarkWindow
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning import PartitionSpec
from airflow_oracle_etl.resume import KeysetOrder

__all__ = ["ReadPlan"]


@dataclass(frozen=True, kw_only=True)
class ReadPlan:
    """One read of a table (or a partition of it) or of a query.

    :ivar label: ``OWNER.TABLE`` (or the query's name): object names, manifests, progress
    :ivar columns: the columns read, in output order
    :ivar encoding: how each column is fetched and written
    :ivar table: the table, as introspected; None for a query
    :ivar query: the user's query; None for a table
    :ivar where: the combined predicate (the user's, the partition's, the window's)
    :ivar binds: bind values by name (the user's, the partition's, the window's, the SCN)
    :ivar scn: the SCN read at; None reads the live table
    :ivar scn_from_checkpoint: the SCN is an earlier try's, taken to go on after its parts
    :ivar estimated_rows: the dictionary's NUM_ROWS, for progress
    :ivar order: the key order of a restartable read; None reads unordered
    """

    label: str
    columns: tuple[OracleColumn, ...]
    encoding: EncodingPlan
    table: TableMetadata | None = None
    query: str | None = None
    where: str | None = None
    binds: dict[str, Any] = field(default_factory=dict)
    scn: int | None = None
    scn_from_checkpoint: bool = False
    estimated_rows: int | None = None
    partition: PartitionSpec | None = None
    window: WatermarkWindow | None = None
    order: KeysetOrder | None = None

    @property
    def partition_index(self) -> int | None:
        """The partition's index, None when the whole table is read."""
        return None if self.partition is None else self.partition.index

    @property
    def partition_count(self) -> int:
        return 1 if self.partition is None else self.partition.count

    def select(self, after: tuple[str, ...] | None = None) -> tuple[str, dict[str, Any] | None]:
        """The SELECT to run and its binds; ``after``, a checkpointed key, limits a
        restartable read to the rows after it (same SCN, same order)."""
        select_list = self.encoding.select_list(quote_identifier)
        if self.table is None:
            assert self.query is not None
            return wrap_query(self.query, select_list), self.binds or None
        where, binds = self.where, dict(self.binds)
        if after is not None:
            assert self.order is not None, "only a key-ordered read goes on after a key"
            restart, key_binds = self.order.after(after)
            where = f"({where}) AND ({restart})" if where else restart
            binds |= key_binds
        sql = build_select(
            self.table,
            select_list,
            where=where,
            as_of_scn=AS_OF_SCN_BIND in binds,
            order_by=None if self.order is None else self.order.order_by,
        )
        return sql, binds or None
