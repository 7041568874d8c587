"""Arrow arrays assembled from buffers read back by DuckDB exactly as the values went in."""

from __future__ import annotations

import datetime as dt
import decimal

import duckdb

from oracle_emulator.sql.arrow_columns import arrow_table

COLUMNS = [("S", "VARCHAR"), ("N", "BIGINT"), ("T", "TIMESTAMP"), ("D", "DECIMAL(38,0)")]
ROWS = [
    ("plain", 0, dt.datetime(1970, 1, 1), 0),
    ("ünïcødé €", -(2**63), dt.datetime(1677, 9, 22, 0, 12, 44, 1), -(10**38) + 1),
    ("", 2**63 - 1, dt.datetime(9999, 12, 31, 23, 59, 59, 999_999), 10**38 - 1),
    (None, None, None, None),
    ("it's", 73_001, dt.datetime(2026, 2, 3, 4, 5, 6, 7), 10**28 - 1),
]


def _round_trip(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    connection = duckdb.connect()
    body = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    connection.execute(f"CREATE TABLE t ({body}, position BIGINT)")
    table = arrow_table([*COLUMNS, ("POSITION", "BIGINT")], [(*r, i) for i, r in enumerate(rows)])
    connection.from_arrow(table).insert_into("t")
    return connection.execute("SELECT s, n, t, d FROM t ORDER BY position").fetchall()


def test_values_and_nulls_round_trip() -> None:
    expected = [(s, n, t, None if d is None else decimal.Decimal(d)) for s, n, t, d in ROWS]
    assert _round_trip(ROWS) == expected


def test_columns_of_nulls_only_and_no_rows() -> None:
    assert _round_trip([(None, None, None, None)] * 3) == [(None, None, None, None)] * 3
    assert _round_trip([]) == []
