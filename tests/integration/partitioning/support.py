"""Shared by the partitioning tests: the rows of the keys table, and reading partitions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import oracledb

from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.partitioning import PartitionSpec

ROWS = 420
#: the value 90% of K_SKEW holds
SKEWED_VALUE = 42
DDL = """CREATE TABLE {name} (
    ID NUMBER(10) NOT NULL,
    K_NUM NUMBER,
    K_SKEW NUMBER(10),
    K_DATE DATE,
    K_TS TIMESTAMP(6),
    K_BD BINARY_DOUBLE,
    K_NULL NUMBER,
    K_TEXT VARCHAR2(20),
    K_CLOB CLOB
)"""
INSERT = (
    "INSERT INTO {name} (ID, K_NUM, K_SKEW, K_DATE, K_TS, K_BD, K_TEXT) "
    "VALUES (:1, :2, :3, :4, :5, :6, :7)"
)
_BASE = dt.datetime(2023, 1, 1)
_SPECIAL_FLOATS = (float("nan"), float("inf"), float("-inf"), -0.0, 0.0)


def key_row(row_id: int) -> tuple[Any, ...]:
    """Keys with NULLs, negatives, fractions, ties, skew, and float specials."""
    number = None if row_id % 13 == 0 else (row_id - ROWS // 2) / 8  # -26.25 .. 26.25
    if row_id % 17 == 0:
        skew = None
    elif row_id % 10 == 0:
        skew = row_id  # 10% distinct values, 90% one value
    else:
        skew = SKEWED_VALUE
    day = None if row_id % 11 == 0 else _BASE + dt.timedelta(hours=7 * (row_id // 3))
    stamp = (
        None
        if row_id % 19 == 0
        else _BASE + dt.timedelta(seconds=row_id * 37, microseconds=row_id * 1_001)
    )
    if row_id % 23 == 0:
        double = None
    elif row_id % 29 == 0:
        double = _SPECIAL_FLOATS[(row_id // 29) % len(_SPECIAL_FLOATS)]
    else:
        double = (row_id % 50 - 25) * 1.5e-3
    text = None if row_id % 31 == 0 else f"key-{row_id % 37}"
    return row_id, number, skew, day, stamp, double, text


def read_partitions(
    connection: oracledb.Connection,
    table: str,
    specs: Sequence[PartitionSpec],
    scn: int,
    *,
    where: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[list[int]]:
    """The IDs each partition reads at ``scn``, as the operator's query would read them."""
    user_where = f"(\n{where}\n) AND " if where else ""
    out = []
    with connection.cursor() as cursor:
        for spec in specs:
            sql = (
                f'SELECT ID FROM "{table}" AS OF SCN :{AS_OF_SCN_BIND} '
                f"WHERE {user_where}({spec.predicate})"
            )
            binds = {**(parameters or {}), **spec.binds, AS_OF_SCN_BIND: scn}
            out.append([row_id for (row_id,) in cursor.execute(sql, binds)])
    return out


def assert_exact_cover(partitions: list[list[int]], expected: set[int]) -> None:
    """Every expected ID in exactly one partition, and nothing else."""
    seen: dict[int, int] = {}
    for index, ids in enumerate(partitions):
        for row_id in ids:
            assert row_id not in seen, f"ID {row_id} in partitions {seen[row_id]} and {index}"
            seen[row_id] = index
    assert set(seen) == expected, (
        f"missing {sorted(expected - set(seen))[:10]}, extra {sorted(set(seen) - expected)[:10]}"
    )
