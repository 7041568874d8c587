"""Plan a table's partitions: check the options, read range boundaries from the data.

Range boundaries (``column`` and ``rowid`` strategies) are the first key of each of ``count``
equal runs of the table's rows in key order, read by one query at the job's SCN, restricted
by the user's ``where`` so they follow the rows that will be read::

    SELECT <bound text> FROM (
      SELECT key AS P_KEY, ROW_NUMBER() OVER (ORDER BY key) AS P_ROW, COUNT(*) OVER () AS P_ROWS
      FROM "OWNER"."TABLE" AS OF SCN :as_of_scn WHERE (<user where>) AND key IS NOT NULL
    ) WHERE MOD((P_ROW - 1) * :p_count, P_ROWS) < :p_count ORDER BY P_ROW

Row ``r`` of ``n`` belongs to run ``FLOOR((r - 1) * count / n)`` (what ``NTILE`` computes,
runs differing by at most one row); it is the first of its run exactly when
``(r - 1) * count`` leaves a remainder below ``count`` when divided by ``n`` (integer
arithmetic only: no division per row, which the emulator does slowly). With fewer rows than
partitions every row starts a run. It is one scan and one sort, and the server never compares
keys after the inline view, so a ROWID keeps ROWID order (a MIN over a ROWID taken through an
inline view would work in Oracle, but not in the emulator, which turns it into its text there).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND, build_select
from airflow_oracle_etl.metadata import TableMetadata
from airflow_oracle_etl.partitioning import keys
from airflow_oracle_etl.partitioning.keys import BOUND_COLUMN, RangeKey
from airflow_oracle_etl.partitioning.predicates import hash_specs, range_specs, whole_table
from airflow_oracle_etl.partitioning.spec import (
    STRATEGY_HASH,
    PartitioningError,
    PartitionSpec,
)

__all__ = ["boundary_query", "plan_partitions"]

log = logging.getLogger(__name__)

COUNT_BIND = "p_count"
_ROW = "P_ROW"
_ROWS = "P_ROWS"


def plan_partitions(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    *,
    count: int,
    strategy: str = STRATEGY_HASH,
    column: str | None = None,
    scn: int | None = None,
    where: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[PartitionSpec]:
    """``count`` disjoint partitions of a table that together hold each of its rows once.

    Options are checked before any SQL is sent. ``hash`` and ``count == 1`` need no query;
    ``column`` and ``rowid`` read their boundaries with one query (see the module doc).

    :param hook: runs the planning query (inside its :meth:`~OracleExtractHook.session`, if the
        caller holds one).
    :param metadata: the table, as introspected.
    :param count: number of partitions, 1 to 1,024.
    :param strategy: ``"column"`` (ranges of a NUMBER, FLOAT, BINARY_*, DATE or TIMESTAMP
        column, split at the data's quantiles), ``"hash"`` (``ORA_HASH`` buckets of
        ``column``, else of ROWID) or ``"rowid"`` (ROWID ranges: each partition reads only its
        part of the table, where hash partitions each scan all of it).
    :param column: the key, as configured (``order_date`` folds to ``ORDER_DATE``; quote
        mixed-case names).
    :param scn: plan the table as of this SCN; partitions are exact when read at the same SCN.
    :param where: the user's predicate (SQL by design), so boundaries follow the rows read.
    :param parameters: bind values of ``where``, by name (none may start with ``p_``).
    :raises PartitioningError: an option this table cannot be partitioned with.
    """
    table = metadata.qualified_name
    count = keys.check_count(table, count)
    strategy = keys.check_strategy(table, strategy)
    if scn is not None and (isinstance(scn, bool) or not isinstance(scn, int) or scn < 0):
        raise PartitioningError(
            f"{table}: the SCN to plan at must be a non-negative integer, got {scn!r}"
        )
    binds = keys.check_parameters(table, parameters)
    key_column = keys.strategy_column(metadata, strategy, column)
    if strategy == STRATEGY_HASH:
        hashed = keys.hash_key(metadata, key_column)
        if count == 1:
            return whole_table(strategy)
        specs = hash_specs(hashed, count)
    else:
        ranged = keys.ROWID_KEY if key_column is None else keys.range_key(metadata, key_column)
        if count == 1:
            return whole_table(strategy)
        bounds = _read_bounds(hook, metadata, ranged, count, scn=scn, where=where, binds=binds)
        specs = range_specs(ranged, bounds, count, strategy)
    _log_plan(table, specs)
    return specs


def boundary_query(
    metadata: TableMetadata, key: RangeKey, *, where: str | None, as_of_scn: bool
) -> str:
    """The planning query (see the module doc); binds ``p_count`` [and ``as_of_scn``]."""
    select_list = (
        f"{key.sql} AS {BOUND_COLUMN}, ROW_NUMBER() OVER (ORDER BY {key.sql}) AS {_ROW}, "
        f"COUNT(*) OVER () AS {_ROWS}"
    )
    clauses = []
    if where is not None and where.strip():
        clauses.append(f"(\n{where}\n)")
    if key.nullable:
        clauses.append(f"{key.sql} IS NOT NULL")
    inner = build_select(
        metadata, select_list, where=" AND ".join(clauses) or None, as_of_scn=as_of_scn
    )
    return (
        f"SELECT {key.bound_sql} FROM (\n{inner}\n) "
        f"WHERE MOD(({_ROW} - 1) * :{COUNT_BIND}, {_ROWS}) < :{COUNT_BIND} ORDER BY {_ROW}"
    )


def _read_bounds(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    key: RangeKey,
    count: int,
    *,
    scn: int | None,
    where: str | None,
    binds: dict[str, Any],
) -> list[str]:
    """Lower bounds of partitions 1.. (the first run's start is open: partition 0 is below)."""
    sql = boundary_query(metadata, key, where=where, as_of_scn=scn is not None)
    binds = {**binds, COUNT_BIND: count}
    if scn is not None:
        binds[AS_OF_SCN_BIND] = scn
    starts: list[str] = []
    with hook.open_cursor(sql, binds, batch_size=count) as cursor:
        for batch in cursor:
            starts.extend(key.text_of(value) for (value,) in batch)
    if len(starts) > count:
        raise RuntimeError(
            f"{metadata.qualified_name}: the planning query returned {len(starts)} boundaries "
            f"for {count} partitions"
        )
    return starts[1:]


def _log_plan(table: str, specs: list[PartitionSpec]) -> None:
    log.info("Planned %d partitions of %s (%s)", len(specs), table, specs[0].strategy)
    for spec in specs:
        log.info("  partition %d: %s", spec.index, spec.description)
