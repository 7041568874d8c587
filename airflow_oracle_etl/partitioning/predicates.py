"""Partition predicates from keys and boundaries: pure text, no database.

Range slices (``column`` and ``rowid``) come from sorted lower bounds ``b1 <= ... <= bm``:
slice 0 is ``key < b1`` plus the NULL keys, slice ``i`` is ``bi <= key < b(i+1)``, the last is
``key >= bm``. Together they take every row exactly once whatever the bounds are, as long as
they are sorted by the same comparison the predicates use (the planning query's ORDER BY).
Slices past the last range, and ranges whose two bounds are the same text (a value repeated
over more than a whole slice, i.e. a skewed key), are empty and say so (``1 = 0``, which the
optimizer answers without reading the table).

Hash slices: ``ORA_HASH(key, count - 1) = :p_bucket``; ORA_HASH of NULL is NULL in Oracle, so
slice 0 also takes ``key IS NULL``.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow_oracle_etl.partitioning.keys import Key, RangeKey
from airflow_oracle_etl.partitioning.spec import STRATEGY_HASH, PartitionSpec

__all__ = [
    "ALL_ROWS",
    "BUCKET_BIND",
    "HIGH_BIND",
    "LOW_BIND",
    "NO_ROWS",
    "hash_specs",
    "range_specs",
    "whole_table",
]

ALL_ROWS = "1 = 1"
NO_ROWS = "1 = 0"
LOW_BIND = "p_lo"
HIGH_BIND = "p_hi"
BUCKET_BIND = "p_bucket"


def whole_table(strategy: str) -> list[PartitionSpec]:
    """One partition: the whole table, with no planning needed."""
    return [
        PartitionSpec(
            index=0,
            count=1,
            strategy=strategy,
            predicate=ALL_ROWS,
            binds={},
            description="whole table (1 partition)",
        )
    ]


def hash_specs(key: Key, count: int) -> list[PartitionSpec]:
    """``count`` buckets of ``ORA_HASH(key, count - 1)``; bucket 0 also takes NULL keys."""
    max_bucket = count - 1
    hashed = f"ORA_HASH({key.sql}, {max_bucket})"
    specs = []
    for bucket in range(count):
        predicate = f"{hashed} = :{BUCKET_BIND}"
        description = f"ORA_HASH({key.label}, {max_bucket}) = {bucket}"
        if bucket == 0 and key.nullable:
            predicate = f"({predicate} OR {key.sql} IS NULL)"
            description += f", or {key.label} is NULL"
        specs.append(
            PartitionSpec(
                index=bucket,
                count=count,
                strategy=STRATEGY_HASH,
                predicate=predicate,
                binds={BUCKET_BIND: bucket},
                description=description,
            )
        )
    return specs


def range_specs(
    key: RangeKey, bounds: Sequence[str], count: int, strategy: str
) -> list[PartitionSpec]:
    """``count`` slices from at most ``count - 1`` sorted lower bounds (see the module doc).

    No bounds at all (an empty table, only NULL keys) gives slice 0 every row.
    """
    if len(bounds) >= count:
        raise ValueError(f"{len(bounds)} bounds for {count} partitions: at most {count - 1}")
    ranges = len(bounds) + 1
    specs = []
    predicate: str
    binds: dict[str, str | int]
    description: str
    for index in range(count):
        low = bounds[index - 1] if 0 < index < ranges else None
        high = bounds[index] if index < len(bounds) else None
        if index >= ranges:
            predicate, binds, description = NO_ROWS, {}, "empty: fewer rows than partitions"
        elif low is not None and low == high:
            predicate, binds = NO_ROWS, {}
            description = f"empty: {key.label} = {key.display(low)} fills more than a partition"
        else:
            predicate, binds, description = _range(key, low, high, first=index == 0)
        specs.append(
            PartitionSpec(
                index=index,
                count=count,
                strategy=strategy,
                predicate=predicate,
                binds=binds,
                description=description,
            )
        )
    return specs


def _range(
    key: RangeKey, low: str | None, high: str | None, *, first: bool
) -> tuple[str, dict[str, str | int], str]:
    """Predicate, binds and description of ``[low, high)``; None is open."""
    clauses: list[str] = []
    binds: dict[str, str | int] = {}
    if low is not None:
        clauses.append(f"{key.sql} >= {key.value(LOW_BIND)}")
        binds[LOW_BIND] = low
    if high is not None:
        clauses.append(f"{key.sql} < {key.value(HIGH_BIND)}")
        binds[HIGH_BIND] = high
    description = _describe(key, low, high)
    if first and key.nullable:
        if not clauses:
            return ALL_ROWS, binds, f"all rows (every {key.label} is NULL or there are no rows)"
        clauses = [f"({clauses[0]} OR {key.sql} IS NULL)"]
        description += f", or {key.label} is NULL"
    return (" AND ".join(clauses) or ALL_ROWS), binds, description


def _describe(key: RangeKey, low: str | None, high: str | None) -> str:
    if low is not None and high is not None:
        return f"{key.label} in [{key.display(low)}, {key.display(high)})"
    if low is not None:
        return f"{key.label} >= {key.display(low)}"
    if high is not None:
        return f"{key.label} < {key.display(high)}"
    return "all rows"
