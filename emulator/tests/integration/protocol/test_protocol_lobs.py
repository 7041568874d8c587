"""CLOB, NCLOB and BLOB columns: locators and LOB reads, or LONG data with fetch_lobs off."""

from __future__ import annotations

from collections.abc import Iterator

import oracledb
import pytest

from tests.integration.protocol.fake_database import LOB_SIZE, lob_rows

EXPECTED = lob_rows()


@pytest.fixture
def no_lob_locators() -> Iterator[None]:
    oracledb.defaults.fetch_lobs = False
    try:
        yield
    finally:
        oracledb.defaults.fetch_lobs = True


def test_description_of_lob_columns(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        cursor.execute("select * from lobs")
        assert [tuple(d)[:2] for d in cursor.description] == [
            ("ID", oracledb.DB_TYPE_NUMBER),
            ("C", oracledb.DB_TYPE_CLOB),
            ("B", oracledb.DB_TYPE_BLOB),
            ("NC", oracledb.DB_TYPE_NCLOB),
        ]


def test_read_large_lobs_through_locators(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        rows = cursor.execute("select * from lobs").fetchall()
    clob, blob, nclob = rows[0][1:]
    assert isinstance(clob, oracledb.LOB)
    assert clob.size() == len(EXPECTED[0][1])
    assert clob.read() == EXPECTED[0][1]
    assert blob.size() == LOB_SIZE
    assert blob.read() == EXPECTED[0][2]
    assert nclob.read() == EXPECTED[0][3]
    assert rows[1] == (2, None, None, None)
    assert rows[2][1].read() == "short"
    assert rows[2][2].read() == b"\x00\x01"


def test_partial_reads_count_characters(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        clob = cursor.execute("select * from lobs").fetchone()[1]
    text = EXPECTED[0][1]
    assert clob.read(1, 10) == text[:10]
    assert clob.read(len(text) - 1, 5) == text[-2:]  # "é✓": characters, not bytes
    assert clob.read(len(text) + 10) == ""


def test_lobs_stay_readable_after_their_cursor_closes(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        rows = cursor.execute("select * from lobs").fetchall()
    with conn.cursor() as cursor:
        cursor.execute("select * from numbers").fetchall()
    assert rows[2][1].read() == "short"


@pytest.mark.usefixtures("no_lob_locators")
def test_fetch_lobs_false_returns_long_data(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        rows = cursor.execute("select * from lobs").fetchall()
        types = [d[1] for d in cursor.description]
    assert types[1:] == [
        oracledb.DB_TYPE_LONG,
        oracledb.DB_TYPE_LONG_RAW,
        oracledb.DB_TYPE_LONG_NVARCHAR,
    ]
    assert rows[0] == EXPECTED[0]
    assert rows[1] == (2, None, None, None)
    assert rows[2] == (3, "short", b"\x00\x01", None)


def test_temporary_lob_write_read_and_free(conn: oracledb.Connection) -> None:
    lob = conn.createlob(oracledb.DB_TYPE_CLOB)
    lob.write("hello ")
    lob.write("world", 7)
    assert lob.read() == "hello world"
    assert lob.size() == 11
    lob.trim(5)
    assert lob.read() == "hello"
    blob = conn.createlob(oracledb.DB_TYPE_BLOB, b"\x01\x02\x03")
    assert blob.read(2) == b"\x02\x03"
    del lob, blob  # freed through a piggyback on the next call
    conn.ping()
    with conn.cursor() as cursor:
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")
