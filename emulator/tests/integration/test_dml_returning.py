"""DML RETURNING INTO and cursor.lastrowid, through the thin driver.

Each INTO variable receives, per execution, a list of the values of every row the statement
changed (new values for INSERT and UPDATE, old ones for DELETE; one row for an aggregate),
converted to the variable's type. ``cursor.lastrowid`` is the ROWID of the last row changed,
None when no row was.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable

import oracledb
import pytest

ROWS = 6


@pytest.fixture
def table(new_table: Callable[..., str], connection: oracledb.Connection) -> str:
    """A table with rows ID 1..ROWS (S = 'row <id>')."""
    name = new_table(
        "CREATE TABLE {name} (ID NUMBER(9) PRIMARY KEY, S VARCHAR2(40), D DATE, "
        "TS TIMESTAMP(6), R RAW(16), C CLOB, B BLOB, N NUMBER(10, 2))"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {name} (ID, S) VALUES (:1, :2)",
            [(i, f"row {i}") for i in range(1, ROWS + 1)],
        )
    connection.commit()
    return name


def test_insert_returns_the_new_row(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        ids, texts = cursor.var(oracledb.NUMBER), cursor.var(str)
        cursor.execute(
            f"INSERT INTO {table} (ID, S) VALUES (:id, :s) RETURNING ID, S || '!' INTO :a, :b",
            id=100,
            s="new",
            a=ids,
            b=texts,
        )
        assert ids.getvalue() == [100]
        assert texts.getvalue() == ["new!"]
        assert cursor.rowcount == 1


def test_update_returns_new_values_of_every_row(
    connection: oracledb.Connection, table: str
) -> None:
    with connection.cursor() as cursor:
        ids, texts = cursor.var(int), cursor.var(str)
        cursor.execute(
            f"UPDATE {table} SET ID = ID + 10, S = 'was ' || TO_CHAR(ID) WHERE ID <= :n "
            "RETURNING ID, S INTO :a, :b",
            [3, ids, texts],
        )
        assert cursor.rowcount == 3
        assert ids.getvalue() == [11, 12, 13]
        assert texts.getvalue() == ["was 1", "was 2", "was 3"]


def test_delete_returns_old_values(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        texts = cursor.var(str)
        cursor.execute(f"DELETE FROM {table} WHERE ID > :n RETURNING S INTO :out", [4, texts])
        assert texts.getvalue() == ["row 5", "row 6"]
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone() == (4,)


def test_no_row_changed_returns_empty_lists(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        ids = cursor.var(int)
        cursor.execute(f"DELETE FROM {table} WHERE ID < :n RETURNING ID INTO :out", [3, ids])
        assert ids.getvalue() == [1, 2]
        cursor.execute(None, [3, ids])  # again: the same rows are gone
        assert ids.getvalue() == []
        assert ids.values == [[]]


def test_aggregates_return_one_row(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        total, most = cursor.var(oracledb.NUMBER), cursor.var(oracledb.NUMBER)
        cursor.execute(
            f"UPDATE {table} SET N = ID * 1.5 RETURNING SUM(N), MAX(ID) INTO :a, :b",
            [total, most],
        )
        assert total.getvalue() == [sum(i * 1.5 for i in range(1, ROWS + 1))]
        assert most.getvalue() == [ROWS]
        cursor.execute(f"DELETE FROM {table} WHERE ID < 0 RETURNING COUNT(*) INTO :a", [total])
        assert total.getvalue() == [0]


def test_executemany_returns_a_list_per_row_of_binds(
    connection: oracledb.Connection, table: str
) -> None:
    with connection.cursor() as cursor:
        ids = cursor.var(int, arraysize=3)
        cursor.setinputsizes(None, None, ids)
        cursor.executemany(
            f"UPDATE {table} SET S = 'x' WHERE ID BETWEEN :lo AND :hi RETURNING ID INTO :o",
            [[1, 2], [5, 6], [50, 51]],
        )
        assert ids.values == [[1, 2], [5, 6], []]
        assert cursor.rowcount == 4


def test_executemany_insert(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        ids, texts = cursor.var(int, arraysize=3), cursor.var(str, arraysize=3)
        cursor.setinputsizes(None, None, ids, texts)
        cursor.executemany(
            f"INSERT INTO {table} (ID, S) VALUES (:1, :2) RETURNING ID, UPPER(S) INTO :3, :4",
            [(7, "a"), (8, "b"), (9, "c")],
        )
        assert ids.values == [[7], [8], [9]]
        assert texts.values == [["A"], ["B"], ["C"]]


def test_input_binds_in_the_clause(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        out = cursor.var(int)
        cursor.execute(
            f"INSERT INTO {table} (ID) VALUES (:id) RETURNING ID + :addend INTO :out",
            id=20,
            addend=5,
            out=out,
        )
        assert out.getvalue() == [25]


def test_types_come_back_as_the_variables_types(
    connection: oracledb.Connection, table: str
) -> None:
    stamp = dt.datetime(2024, 5, 6, 7, 8, 9, 123456)
    with connection.cursor() as cursor:
        dates = cursor.var(oracledb.DB_TYPE_DATE)
        stamps = cursor.var(oracledb.DB_TYPE_TIMESTAMP)
        raws = cursor.var(bytes)
        numbers = cursor.var(decimal.Decimal)
        cursor.execute(
            f"INSERT INTO {table} (ID, D, TS, R, N) VALUES "
            "(30, :d, TIMESTAMP '2024-05-06 07:08:09.123456', :r, 12.25) "
            "RETURNING D, TS, R, N INTO :a, :b, :c, :e",
            [stamp.replace(microsecond=0), b"\x01\xff", dates, stamps, raws, numbers],
        )
        assert dates.getvalue() == [stamp.replace(microsecond=0)]
        assert stamps.getvalue() == [stamp]
        assert raws.getvalue() == [b"\x01\xff"]
        assert numbers.getvalue() == [decimal.Decimal("12.25")]


def test_values_are_converted_to_a_string_variable(
    connection: oracledb.Connection, table: str
) -> None:
    with connection.cursor() as cursor:
        texts = cursor.var(oracledb.DB_TYPE_VARCHAR)
        cursor.execute(f"INSERT INTO {table} (ID, N) VALUES (31, 2.5) RETURNING N INTO :t", [texts])
        assert texts.getvalue() == ["2.5"]
        numbers = cursor.var(oracledb.NUMBER)
        cursor.execute(
            f"INSERT INTO {table} (ID, S) VALUES (32, '42') RETURNING S INTO :n", [numbers]
        )
        assert numbers.getvalue() == [42]


def test_lobs_come_back_as_locators(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        clobs, blobs = cursor.var(oracledb.DB_TYPE_CLOB), cursor.var(oracledb.DB_TYPE_BLOB)
        cursor.execute(
            f"INSERT INTO {table} (ID, C, B) VALUES (40, :c, :b) RETURNING C, B INTO :x, :y",
            ["some text", b"some bytes", clobs, blobs],
        )
        assert [lob.read() for lob in clobs.getvalue()] == ["some text"]
        assert [lob.read() for lob in blobs.getvalue()] == [b"some bytes"]
        longs = cursor.var(oracledb.DB_TYPE_LONG)
        cursor.execute(f"UPDATE {table} SET S = 'y' WHERE ID = 40 RETURNING C INTO :x", [longs])
        assert longs.getvalue() == ["some text"]


def test_rowid_returned_finds_the_row(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        rowids = cursor.var(oracledb.ROWID)
        cursor.execute(f"INSERT INTO {table} (ID) VALUES (50) RETURNING ROWID INTO :r", [rowids])
        (rowid,) = rowids.getvalue()
        assert cursor.lastrowid == rowid
        cursor.execute(f"SELECT ID FROM {table} WHERE ROWID = :r", [rowid])
        assert cursor.fetchall() == [(50,)]


def test_value_too_large_for_the_variable(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        small = cursor.var(str, 2)
        with pytest.raises(oracledb.Error, match="DPY-4002"):
            cursor.execute(
                f"INSERT INTO {table} (ID, S) VALUES (60, 'longer than eight bytes') "
                "RETURNING S INTO :s",
                [small],
            )
    with connection.cursor() as cursor:  # the connection is still usable
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE ID = 60")
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize(
    ("clause", "code"),
    [
        ("RETURNING ID, S INTO :a", "ORA-00913"),
        ("RETURNING ID INTO :a, :b", "ORA-00947"),
        ("RETURNING SUM(ID), S INTO :a, :b", "ORA-00937"),
    ],
)
def test_into_list_must_match(
    connection: oracledb.Connection, table: str, clause: str, code: str
) -> None:
    with connection.cursor() as cursor:
        outs = [cursor.var(str) for _ in range(clause.count(":"))]
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(f"UPDATE {table} SET S = 'z' {clause}", outs)
        assert failure.value.args[0].full_code == code
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE S = 'z'")
        assert cursor.fetchone() == (0,)


def test_insert_refuses_aggregates_and_queries(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        out = cursor.var(int)
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(
                f"INSERT INTO {table} (ID) VALUES (70) RETURNING COUNT(*) INTO :o", [out]
            )
        assert failure.value.args[0].full_code == "ORA-00934"
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(
                f"INSERT INTO {table} (ID) SELECT 71 FROM DUAL RETURNING ID INTO :o", [out]
            )
        assert failure.value.args[0].full_code == "ORA-00933"


def test_lastrowid(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        assert cursor.lastrowid is None
        cursor.executemany(f"INSERT INTO {table} (ID) VALUES (:1)", [(i,) for i in range(80, 90)])
        last_inserted = cursor.lastrowid
        cursor.execute(f"SELECT ID FROM {table} WHERE ROWID = :r", [last_inserted])
        assert cursor.fetchone() == (89,)
        cursor.execute(f"UPDATE {table} SET S = 'u' WHERE ID IN (2, 3)")
        updated = cursor.lastrowid
        cursor.execute(f"SELECT ID FROM {table} WHERE ROWID = :r", [updated])
        assert cursor.fetchone()[0] in (2, 3)
        cursor.execute(f"UPDATE {table} SET S = 'u' WHERE ID = 4")
        cursor.execute(f"SELECT ROWID FROM {table} WHERE ID = 4")
        (row_4,) = cursor.fetchone()
        cursor.execute(f"UPDATE {table} SET S = 'v' WHERE ID = 4")
        assert cursor.lastrowid == row_4  # a row keeps its ROWID across updates
        cursor.execute(f"DELETE FROM {table} WHERE ID = 4")
        assert cursor.lastrowid == row_4
        cursor.execute(f"DELETE FROM {table} WHERE 1 = 0")
        assert cursor.lastrowid is None


def test_batch_errors_keep_each_rows_values_in_place(
    connection: oracledb.Connection, table: str
) -> None:
    with connection.cursor() as cursor:
        ids = cursor.var(int, arraysize=3)
        cursor.setinputsizes(None, ids)
        cursor.executemany(
            f"INSERT INTO {table} (ID) VALUES (:1) RETURNING ID INTO :2",
            [[90], [1], [91]],  # ID 1 exists: ORA-00001 for the second row
            batcherrors=True,
        )
        assert [error.offset for error in cursor.getbatcherrors()] == [1]
        assert ids.values == [[90], [], [91]]
