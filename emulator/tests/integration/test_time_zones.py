"""TIMESTAMP WITH TIME ZONE keeps the offset it was written with, as Oracle does: the driver
shows the wall clock written, TO_CHAR shows the offset, TRUNC works on the wall clock, while
comparisons and SYS_EXTRACT_UTC go by the instant."""

from __future__ import annotations

import datetime as dt

import oracledb
import pytest

ROWS = [
    # (id, literal as written, wall clock the driver shows, offset TO_CHAR shows)
    (1, "2022-06-08 00:00:10.250000 +05:30", dt.datetime(2022, 6, 8, 0, 0, 10, 250000), "+05:30"),
    (2, "2022-06-09 23:30:00.000000 -06:00", dt.datetime(2022, 6, 9, 23, 30), "-06:00"),
    (3, "2009-12-14 00:00:00.000000 +00:00", dt.datetime(2009, 12, 14), "+00:00"),
]


@pytest.fixture
def zoned(connection: oracledb.Connection, table_name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET TIME_ZONE = '+00:00'")
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), ts TIMESTAMP WITH TIME ZONE)")
        for key, literal, _, _ in ROWS:
            cursor.execute(f"INSERT INTO {table_name} VALUES ({key}, TIMESTAMP '{literal}')")
    return table_name


def test_fetch_shows_the_wall_clock_written(connection: oracledb.Connection, zoned: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, ts FROM {zoned} ORDER BY id")
        assert cursor.fetchall() == [(key, wall) for key, _, wall, _ in ROWS]
        assert cursor.description[1][1] is oracledb.DB_TYPE_TIMESTAMP_TZ


def test_to_char_shows_the_offset_written(connection: oracledb.Connection, zoned: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT TO_CHAR(ts, 'YYYY-MM-DD HH24:MI:SS TZH:TZM') FROM {zoned} ORDER BY id"
        )
        expected = [(f"{wall:%Y-%m-%d %H:%M:%S} {offset}",) for _, _, wall, offset in ROWS]
        assert cursor.fetchall() == expected


def test_comparisons_and_utc_go_by_the_instant(connection: oracledb.Connection, zoned: str) -> None:
    with connection.cursor() as cursor:
        cursor.setinputsizes(value=oracledb.DB_TYPE_TIMESTAMP_TZ)
        # 00:00:10.25 at +05:30 is 18:30:10.25 UTC the day before; a naive bind is UTC
        cursor.execute(
            f"SELECT id FROM {zoned} WHERE ts = :value",
            value=dt.datetime(2022, 6, 7, 18, 30, 10, 250000),
        )
        assert cursor.fetchall() == [(1,)]
        cursor.execute(f"SELECT SYS_EXTRACT_UTC(ts) FROM {zoned} WHERE id = 2")
        assert cursor.fetchone() == (dt.datetime(2022, 6, 10, 5, 30),)
        cursor.execute(f"SELECT id FROM {zoned} ORDER BY ts")
        assert [row[0] for row in cursor] == [3, 1, 2]


def test_trunc_takes_the_date_of_the_wall_clock(
    connection: oracledb.Connection, zoned: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {zoned} WHERE TRUNC(ts) = DATE '2022-06-08'")
        assert cursor.fetchall() == [(1,)]
        cursor.execute(f"SELECT TRUNC(ts) FROM {zoned} WHERE id = 2")
        assert cursor.fetchone() == (dt.datetime(2022, 6, 9),)


def test_from_tz_and_text_keep_their_zone(connection: oracledb.Connection, zoned: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {zoned} VALUES (4, FROM_TZ(TIMESTAMP '2020-01-01 12:00:00', '-03:00'))"
        )
        cursor.execute(
            "ALTER SESSION SET NLS_TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD HH24:MI:SS TZH:TZM'"
        )
        cursor.execute(f"INSERT INTO {zoned} VALUES (5, '2020-01-01 12:00:00 +09:00')")
        cursor.execute(
            f"SELECT TO_CHAR(ts, 'HH24:MI TZH:TZM') FROM {zoned} WHERE id > 3 ORDER BY id"
        )
        assert cursor.fetchall() == [("12:00 -03:00",), ("12:00 +09:00",)]


def test_other_values_take_the_session_time_zone(
    connection: oracledb.Connection, zoned: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET TIME_ZONE = '+02:00'")
        cursor.execute(f"INSERT INTO {zoned} VALUES (6, TIMESTAMP '2021-03-04 05:06:07')")
        cursor.execute(f"SELECT ts, TO_CHAR(ts, 'TZH:TZM') FROM {zoned} WHERE id = 6")
        assert cursor.fetchone() == (dt.datetime(2021, 3, 4, 5, 6, 7), "+02:00")


def test_precision_rounds_the_written_value(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ts TIMESTAMP(0) WITH TIME ZONE)")
        cursor.execute(
            f"INSERT INTO {table_name} VALUES (TIMESTAMP '2009-12-14 00:00:00.6 -02:30')"
        )
        cursor.execute(f"SELECT ts, TO_CHAR(ts, 'TZH:TZM') FROM {table_name}")
        assert cursor.fetchone() == (dt.datetime(2009, 12, 14, 0, 0, 1), "-02:30")
