"""Queries: describe information, row data of every non-LOB type, fetch round trips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import oracledb
import pytest

from tests.integration.protocol.fake_database import (
    BOOM_SQL,
    ECHO_SQL,
    NUMBER_ROWS,
    FakeDatabase,
)

EXPECTED_DESCRIPTION = [
    ("ID", oracledb.DB_TYPE_NUMBER, 10, None, 9, 0, False),
    ("AMOUNT", oracledb.DB_TYPE_NUMBER, 16, None, 12, 2, True),
    ("ANY_NUM", oracledb.DB_TYPE_NUMBER, 127, None, 0, -127, True),
    ("FLT", oracledb.DB_TYPE_BINARY_FLOAT, 127, None, None, None, True),
    ("DBL", oracledb.DB_TYPE_BINARY_DOUBLE, 127, None, None, None, True),
    ("NAME", oracledb.DB_TYPE_VARCHAR, 40, 160, None, None, True),
    ("NNAME", oracledb.DB_TYPE_NVARCHAR, 20, 40, None, None, True),
    ("CODE", oracledb.DB_TYPE_CHAR, 5, 20, None, None, True),
    ("NCODE", oracledb.DB_TYPE_NCHAR, 3, 6, None, None, True),
    ("BIN", oracledb.DB_TYPE_RAW, 16, 16, None, None, True),
    ("DAY", oracledb.DB_TYPE_DATE, 23, None, None, None, True),
    ("TS", oracledb.DB_TYPE_TIMESTAMP, 23, None, 0, 6, True),
    ("TSTZ", oracledb.DB_TYPE_TIMESTAMP_TZ, 23, None, 0, 6, True),
    ("TSLTZ", oracledb.DB_TYPE_TIMESTAMP_LTZ, 23, None, 0, 6, True),
    ("DS", oracledb.DB_TYPE_INTERVAL_DS, None, None, 2, 6, True),
    ("YM", oracledb.DB_TYPE_INTERVAL_YM, None, None, 2, 0, True),
    ("RID", oracledb.DB_TYPE_ROWID, None, None, None, None, True),
]
FIRST_ROW = (
    1,
    1234.5,
    -0.000123,
    1.5,
    -2.25e100,
    "héllo wörld",
    "ünïcode ✓",
    "ab   ",
    "xyz",
    bytes(range(16)),
    dt.datetime(2024, 2, 29, 13, 14, 15),
    dt.datetime(1999, 12, 31, 23, 59, 59, 123456),
    # sent as its UTC fields and its offset (+02:00), which the driver adds back
    dt.datetime(2024, 6, 1, 10, 0, 0, 500000),
    dt.datetime(2001, 1, 1, 0, 0, 1),
    dt.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=7),
    oracledb.IntervalYM(2, 11),
    "AAASEQAAEAAAACXAAA",
)


@pytest.mark.parametrize("table", ["types", "types_encoded"])
def test_description_of_every_type(conn: oracledb.Connection, table: str) -> None:
    with conn.cursor() as cursor:
        cursor.execute(f"select * from {table}")
        assert [tuple(d) for d in cursor.description] == EXPECTED_DESCRIPTION


@pytest.mark.parametrize("table", ["types", "types_encoded"])
def test_values_of_every_type(conn: oracledb.Connection, table: str) -> None:
    with conn.cursor() as cursor:
        rows = cursor.execute(f"select * from {table}").fetchall()
    assert rows[0] == FIRST_ROW
    assert rows[1] == (2, *([None] * 16))
    assert rows[2][1:3] == (-99999999.99, 10**30)
    assert rows[2][6] is None  # '' is NULL
    assert rows[2][15] == oracledb.IntervalYM(-1, -2)


def test_fetch_in_round_trips_of_arraysize(connect: Callable[..., oracledb.Connection]) -> None:
    trips: list[str] = []
    connection = connect(round_trip_callback=trips.append)
    with connection.cursor() as cursor:
        cursor.arraysize = 3
        cursor.prefetchrows = 2
        cursor.execute("select * from numbers")
        batches = []
        while batch := cursor.fetchmany():
            batches.append(batch)
        assert cursor.rowcount == 10
    assert [row for batch in batches for row in batch] == NUMBER_ROWS
    assert [len(batch) for batch in batches] == [3, 3, 3, 1]
    # execute brings 2 rows, then 3 + 3 + 2 (the last with ORA-01403): 3 fetches
    assert trips.count("fetch") == 3


def test_empty_result(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        assert cursor.execute("select * from empty").fetchall() == []
        assert [d[0] for d in cursor.description] == ["N", "LABEL"]


def test_reexecute_and_fetch_reuses_the_cursor(
    connect: Callable[..., oracledb.Connection],
) -> None:
    trips: list[str] = []
    connection = connect(round_trip_callback=trips.append)
    with connection.cursor() as cursor:
        for _ in range(3):
            assert cursor.execute("select * from numbers").fetchall() == NUMBER_ROWS
    assert trips.count("execute") == 3


def test_changed_bind_type_describes_again(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        assert cursor.execute(ECHO_SQL, [42]).fetchall() == [(42,)]
        assert cursor.description[0][1] is oracledb.DB_TYPE_NUMBER
        assert cursor.execute(ECHO_SQL, ["forty-two"]).fetchall() == [("forty-two",)]
        assert cursor.description[0][1] is oracledb.DB_TYPE_VARCHAR
        assert cursor.execute(ECHO_SQL, [7]).fetchall() == [(7,)]


def test_parse_only_describes_without_running(
    conn: oracledb.Connection, fake_db: FakeDatabase
) -> None:
    before = len(fake_db.last("select * from types"))
    with conn.cursor() as cursor:
        cursor.parse("select * from types")
        assert [d[0] for d in cursor.description] == [d[0] for d in EXPECTED_DESCRIPTION]
    assert len(fake_db.last("select * from types")) == before


def test_unknown_table_is_the_engine_error(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute("select * from nowhere")
    assert failure.value.args[0].full_code == "ORA-00942"
    assert "table or view does not exist" in failure.value.args[0].message


def test_error_position_reaches_the_client(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute("select nosuch from numbers")
    error = failure.value.args[0]
    assert (error.full_code, error.offset) == ("ORA-00904", 7)
    assert error.message.startswith('ORA-00904: "NOSUCH": invalid identifier')


def test_engine_bug_is_ora_00600(connect: Callable[..., oracledb.Connection]) -> None:
    """The driver treats ORA-00600 as fatal: it reports DPY-4011 and drops the connection."""
    with connect().cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute(BOOM_SQL)
    error = failure.value.args[0]
    assert error.full_code == "DPY-4011"
    assert "ORA-00600" in error.message
    assert "kaboom" in error.message
    with connect().cursor() as cursor:
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")


def test_many_cursors_open_at_once(conn: oracledb.Connection) -> None:
    cursors = [conn.cursor() for _ in range(20)]
    for cursor in cursors:
        cursor.arraysize = 2
        cursor.prefetchrows = 1
        cursor.execute("select * from numbers")
    for cursor in cursors:
        assert cursor.fetchone() == (1, "row 1")
    for cursor in cursors:
        assert len(cursor.fetchall()) == 9
        cursor.close()


def test_unsupported_features_are_refused_cleanly(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")
