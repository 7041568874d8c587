"""CLOB, NCLOB and BLOB: locators with LOB reads, and inline with fetch_lobs=False."""

from __future__ import annotations

import oracledb
import pyarrow
import pytest

FIVE_MB_TEXT = ("Grüße aus Zürich, 東京 " * 250_000)[: 5 * 1024 * 1024]
FIVE_MB_BYTES = bytes(range(256)) * (5 * 1024 * 1024 // 256)


@pytest.fixture
def lob_table(connection: oracledb.Connection, table_name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(3), C CLOB, N NCLOB, B BLOB)")
        cursor.setinputsizes(None, oracledb.DB_TYPE_CLOB, oracledb.DB_TYPE_NCLOB,
                             oracledb.DB_TYPE_BLOB)  # fmt: skip
        cursor.execute(
            f"INSERT INTO {table_name} VALUES (:1, :2, :3, :4)",
            [1, FIVE_MB_TEXT, "ñ" * 10_000, FIVE_MB_BYTES],
        )
        cursor.execute(f"INSERT INTO {table_name} (ID) VALUES (2)")
        connection.commit()
    return table_name


def test_lob_locators_read_back_exactly(connection: oracledb.Connection, lob_table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT C, N, B FROM {lob_table} ORDER BY ID")
        (clob, nclob, blob), empty = cursor.fetchall()
        assert clob.size() == len(FIVE_MB_TEXT)
        assert clob.read() == FIVE_MB_TEXT
        assert clob.read(7, 5) == FIVE_MB_TEXT[6:11]
        assert nclob.read() == "ñ" * 10_000
        assert blob.read() == FIVE_MB_BYTES
    assert empty == (None, None, None)


def test_lobs_inline_without_locators(connection: oracledb.Connection, lob_table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT C, N, B FROM {lob_table} ORDER BY ID", fetch_lobs=False)
        rows = cursor.fetchall()
    assert rows[0] == (FIVE_MB_TEXT, "ñ" * 10_000, FIVE_MB_BYTES)
    assert rows[1] == (None, None, None)


def test_data_frame_batches_with_lob_columns(
    connection: oracledb.Connection, table_name: str
) -> None:
    """A query with LOB columns is executed again with defines; the rows that second execute
    asks for are the first batch (an empty first batch would end a consumer's loop early)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(3), C CLOB, B BLOB)")
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2, :3)",
            [(i, "A" * 10_000 + str(i), b"B" * 5_000 + bytes([i])) for i in range(5)],
        )
        connection.commit()
    sql = f"SELECT ID, C, B FROM {table_name} ORDER BY ID"
    batches = [pyarrow.table(batch) for batch in connection.fetch_df_batches(sql, size=2)]
    assert [batch.num_rows for batch in batches] == [2, 2, 1]
    assert batches[0].to_pylist()[1] == {
        "ID": 1,
        "C": "A" * 10_000 + "1",
        "B": b"B" * 5_000 + b"\x01",
    }


def test_data_frame_batches_after_the_statement_ran_before(
    connection: oracledb.Connection,
) -> None:
    """The second run of a query with LOB columns finds its statement cached and defined:
    its execute asks for no prefetch, yet returns the first rows, as the define call does."""
    sql = "SELECT TO_CLOB(:1) AS c, TO_BLOB(:2) AS b FROM DUAL CONNECT BY LEVEL <= 5"
    binds = ["ABCDEFGHI", b"ABCDEF"]
    assert pyarrow.table(connection.fetch_df_all(sql, binds)).num_rows == 5
    for _ in range(2):
        batches = [
            pyarrow.table(batch) for batch in connection.fetch_df_batches(sql, binds, size=2)
        ]
        assert [batch.num_rows for batch in batches] == [2, 2, 1]
        assert batches[0].to_pylist()[0] == {"C": "ABCDEFGHI", "B": b"ABCDEF"}
    with connection.cursor() as cursor:  # fetched again row by row: nothing lost or doubled
        cursor.execute(sql, binds)
        assert len(cursor.fetchall()) == 5


def test_open_and_close_are_checked(connection: oracledb.Connection, lob_table: str) -> None:
    """Opening an open LOB is ORA-22293, closing a closed one ORA-22289, as on Oracle."""
    with connection.cursor() as cursor:
        (clob,) = cursor.execute(f"SELECT C FROM {lob_table} WHERE ID = 1").fetchone()
    assert not clob.isopen()
    clob.open()
    with pytest.raises(oracledb.DatabaseError, match="ORA-22293"):
        clob.open()
    assert clob.isopen()
    clob.close()
    with pytest.raises(oracledb.DatabaseError, match="ORA-22289"):
        clob.close()
    assert not clob.isopen()


def test_empty_lob_is_a_value_not_null(connection: oracledb.Connection, table_name: str) -> None:
    """A bound LOB of length zero stores an empty LOB (NOT NULL holds, IS NULL is false);
    the empty string stays NULL, as in Oracle."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(3), C CLOB NOT NULL, B BLOB)")
        empty_clob = connection.createlob(oracledb.DB_TYPE_CLOB, "")
        empty_blob = connection.createlob(oracledb.DB_TYPE_BLOB, b"")
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, :1, :2)", [empty_clob, empty_blob])
        cursor.execute(f"INSERT INTO {table_name} VALUES (2, 'x', :1)", [b""])
        rows = cursor.execute(
            f"SELECT ID, C, B, CASE WHEN B IS NULL THEN 'null' END FROM {table_name} ORDER BY ID"
        ).fetchall()
        assert [(i, c.read(), b.read() if b else b, n) for i, c, b, n in rows] == [
            (1, "", b"", None),
            (2, "x", None, "null"),
        ]
        with pytest.raises(oracledb.IntegrityError, match="ORA-01400"):
            cursor.execute(f"INSERT INTO {table_name} (ID, C) VALUES (3, :1)", [""])
