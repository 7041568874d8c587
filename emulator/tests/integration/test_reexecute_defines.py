"""A query with LOB columns executed again from the driver's statement cache, after the
client changed how it fetches them (an output type handler, ``fetch_lobs``): the driver
sends a full execute without defines each time, so the columns are described again and
the client defines them anew (or, for a LOB column it fetched as a string type before,
reads LONG / LONG RAW data) before any row is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import oracledb
import pytest

SELECT_BIND = "SELECT :1 FROM DUAL"
_EXECUTIONS = 3


def _lobs_inline(cursor: oracledb.Cursor, metadata: oracledb.FetchInfo) -> object:
    """Fetch BLOB as bytes and CLOB as str (LONG RAW / LONG defines)."""
    if metadata.type_code is oracledb.DB_TYPE_BLOB:
        return cursor.var(oracledb.DB_TYPE_LONG_RAW, arraysize=cursor.arraysize)
    if metadata.type_code is oracledb.DB_TYPE_CLOB:
        return cursor.var(oracledb.DB_TYPE_LONG, arraysize=cursor.arraysize)
    return None


def _read(value: Any) -> Any:
    return value.read() if isinstance(value, oracledb.LOB) else value


def _select(
    connection: oracledb.Connection,
    sql: str,
    binds: list[Any],
    handler: Callable[..., object] | None,
) -> list[tuple[Any, ...]]:
    """Runs ``sql`` on a new cursor (the driver takes the statement from its cache)."""
    with connection.cursor() as cursor:
        cursor.outputtypehandler = handler
        cursor.execute(sql, binds)
        return cursor.fetchall()


@pytest.mark.parametrize(
    ("db_type", "data"),
    [(oracledb.DB_TYPE_BLOB, b"binary data"), (oracledb.DB_TYPE_CLOB, "character data")],
)
def test_a_lob_bind_selected_with_and_without_a_handler(
    connection: oracledb.Connection, db_type: oracledb.DbType, data: str | bytes
) -> None:
    lob = connection.createlob(db_type, data)
    with connection.cursor() as cursor:
        cursor.execute(SELECT_BIND, [lob])
        assert cursor.description[0][1] is db_type  # a bound LOB stays a LOB
        (row,) = cursor.fetchall()
        assert isinstance(row[0], oracledb.LOB)
        assert row[0].read() == data
    for _ in range(_EXECUTIONS):
        assert _select(connection, SELECT_BIND, [lob], _lobs_inline) == [(data,)]
    for _ in range(_EXECUTIONS):
        rows = _select(connection, SELECT_BIND, [lob], None)
        assert [_read(value) for (value,) in rows] == [data]
    assert _select(connection, SELECT_BIND, [lob], _lobs_inline) == [(data,)]


def test_a_handler_first_then_locators(connection: oracledb.Connection) -> None:
    lob = connection.createlob(oracledb.DB_TYPE_BLOB, b"\x00\x01\x02")
    for handler in (_lobs_inline, None, _lobs_inline, None):
        for _ in range(_EXECUTIONS):
            rows = _select(connection, SELECT_BIND, [lob], handler)
            assert [_read(value) for (value,) in rows] == [b"\x00\x01\x02"]


def test_raw_bytes_bound_where_a_blob_was_asked_for(connection: oracledb.Connection) -> None:
    """bytes are no LOB: the driver binds them as RAW despite setinputsizes(DB_TYPE_BLOB)."""
    for handler in (None, _lobs_inline, _lobs_inline):
        with connection.cursor() as cursor:
            cursor.outputtypehandler = handler
            cursor.setinputsizes(oracledb.DB_TYPE_BLOB)
            cursor.execute(SELECT_BIND, [b"abc"])
            assert cursor.description[0][1] is oracledb.DB_TYPE_RAW
            assert cursor.fetchall() == [(b"abc",)]


@pytest.fixture
def lob_rows(connection: oracledb.Connection, table_name: str) -> tuple[str, list[tuple]]:
    rows = [(n, bytes([n]) * (n * 700), chr(64 + n) * (n * 900)) for n in range(1, 6)]
    rows.append((6, None, None))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), b BLOB, c CLOB)")
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1, :2, :3)", rows)
    connection.commit()
    return f"SELECT id, b, c FROM {table_name} ORDER BY id", rows


@pytest.mark.parametrize(
    "handlers",
    [
        [None, _lobs_inline, None],
        [_lobs_inline, None, _lobs_inline],
        [None, None, _lobs_inline],
    ],
    ids=["locators-first", "handler-first", "handler-last"],
)
def test_lob_columns_of_a_table(
    connection: oracledb.Connection,
    lob_rows: tuple[str, list[tuple]],
    handlers: list[Callable[..., object] | None],
) -> None:
    sql, expected = lob_rows
    for handler in handlers:
        for _ in range(_EXECUTIONS):
            with connection.cursor() as cursor:
                cursor.outputtypehandler = handler
                cursor.arraysize = 2  # rows come over several fetches
                cursor.execute(sql)
                rows = [tuple(_read(value) for value in row) for row in cursor]
            assert rows == expected


def test_fetch_lobs_off_and_on_again(
    connection: oracledb.Connection, lob_rows: tuple[str, list[tuple]]
) -> None:
    sql, expected = lob_rows
    for fetch_lobs in (True, False, True, False):
        for _ in range(_EXECUTIONS):
            with connection.cursor() as cursor:
                cursor.execute(sql, fetch_lobs=fetch_lobs)
                rows = [tuple(_read(value) for value in row) for row in cursor]
            assert rows == expected


def test_executemany_after_the_reexecutions(
    connection: oracledb.Connection, lob_rows: tuple[str, list[tuple]], table_name: str
) -> None:
    sql, expected = lob_rows
    for handler in (None, _lobs_inline, None):
        _select(connection, sql, [], handler)
    more = [(7, b"seven", "seven"), (8, b"eight" * 5000, "eight" * 5000)]
    with connection.cursor() as cursor:
        cursor.setinputsizes(None, oracledb.DB_TYPE_BLOB, oracledb.DB_TYPE_CLOB)
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1, :2, :3)", more)
        assert cursor.rowcount == len(more)
    connection.commit()
    for handler in (_lobs_inline, None):
        rows = _select(connection, sql, [], handler)
        assert [tuple(_read(value) for value in row) for row in rows] == expected + more


def test_a_bind_that_turns_from_raw_into_a_blob(connection: oracledb.Connection) -> None:
    """The cached statement's column was RAW: described as a BLOB now, the driver reads it
    as LONG RAW without defining it, so the rows come inline."""
    lob = connection.createlob(oracledb.DB_TYPE_BLOB, b"lob data")
    for value, expected in ((b"raw data", b"raw data"), (lob, b"lob data"), (lob, b"lob data")):
        rows = _select(connection, SELECT_BIND, [value], None)
        assert [_read(item) for (item,) in rows] == [expected]


def test_a_selected_nclob_bind_is_an_nclob(connection: oracledb.Connection) -> None:
    lob = connection.createlob(oracledb.DB_TYPE_NCLOB, "national text \u20ac")
    with connection.cursor() as cursor:
        cursor.execute(SELECT_BIND, [lob])
        assert cursor.description[0][1] is oracledb.DB_TYPE_NCLOB
        assert cursor.fetchone()[0].read() == "national text \u20ac"
    handler = lambda cur, meta: cur.var(  # noqa: E731
        oracledb.DB_TYPE_LONG_NVARCHAR, arraysize=cur.arraysize
    )
    for _ in range(_EXECUTIONS):
        assert _select(connection, SELECT_BIND, [lob], handler) == [("national text \u20ac",)]
