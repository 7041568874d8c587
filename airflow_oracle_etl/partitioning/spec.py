"""The record a planned partition travels as, and the error of a partitioning option.

A :class:`PartitionSpec` goes through XCom to a mapped task, so it holds only JSON-friendly
values: SQL text built from quoted identifiers and fixed templates, and bind values as strings
or integers (boundary values are converted back to their Oracle type in SQL).
"""

from __future__ import annotations

import msgspec

from airflow_oracle_etl.errors import ConfigurationError

__all__ = [
    "BIND_PREFIX",
    "MAX_PARTITIONS",
    "STRATEGIES",
    "STRATEGY_COLUMN",
    "STRATEGY_HASH",
    "STRATEGY_ROWID",
    "PartitionSpec",
    "PartitioningError",
]

STRATEGY_COLUMN = "column"
STRATEGY_HASH = "hash"
STRATEGY_ROWID = "rowid"
STRATEGIES = (STRATEGY_COLUMN, STRATEGY_HASH, STRATEGY_ROWID)
#: most partitions one table may be split into (each is a mapped task instance)
MAX_PARTITIONS = 1024
#: every bind variable a partition predicate uses starts with this (case-insensitively)
BIND_PREFIX = "p_"


class PartitionSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One of ``count`` disjoint slices of a table that together cover it.

    The reader appends ``AND (<predicate>)`` to its WHERE clause and binds ``binds`` by name
    (all start with ``p_``), reading ``AS OF`` the SCN the plan was made at: boundaries come
    from the data at that SCN, so the slices are exact only at that SCN.
    """

    index: int
    count: int
    strategy: str
    predicate: str
    binds: dict[str, str | int]
    description: str


class PartitioningError(ConfigurationError):
    """A partitioning option that cannot be used for this table; raised before any SQL.

    The message names the table, the option and the value, so it says what to change.
    """
