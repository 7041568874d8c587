"""Bind variables as Oracle takes them: reserved words are no bind names (ORA-01745), a
ROWID column takes ROWID text only, a parse keeps the cursor's binds, and a bind selected
as is keeps its type."""

from __future__ import annotations

import oracledb
import pytest


def _code(failure: pytest.ExceptionInfo[oracledb.DatabaseError]) -> int:
    return failure.value.args[0].code


@pytest.mark.parametrize("name", ["ROWID", "date", "Size", "user", "level"])
def test_reserved_words_are_no_bind_names(connection: oracledb.Connection, name: str) -> None:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.parse(f"SELECT :{name} FROM DUAL")
    assert _code(failure) == 1745


def test_a_parse_of_dml_checks_its_bind_names(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), name VARCHAR2(10))")
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.parse(f"INSERT INTO {table_name} (id) VALUES (:id) RETURNING id INTO :ROWID")
        assert _code(failure) == 1745
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.parse(f"UPDATE {table_name} SET name = :size")
        assert _code(failure) == 1745
        # valid DML parses, and nothing runs
        cursor.parse(f"INSERT INTO {table_name} (id) VALUES (:id) RETURNING id INTO :out")
        cursor.parse(f"DELETE FROM {table_name} WHERE id = :id")
        cursor.execute(f"SELECT COUNT(*) FROM {table_name}")
        assert cursor.fetchone() == (0,)


def test_quoted_and_ordinary_bind_names_are_taken(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute('SELECT :"ROWID", :dated FROM DUAL', [1, 2])
        assert cursor.fetchone() == (1, 2)


def test_a_rowid_column_takes_rowid_text_only(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), rid ROWID)")
        insert = f"INSERT INTO {table_name} (id, rid) VALUES (1, :rid)"
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(insert, rid=12345)
        assert _code(failure) == 932
        assert "expected ROWID got NUMBER" in str(failure.value)
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(insert, rid="523lkhlf")
        assert _code(failure) == 1410
        cursor.execute(f"INSERT INTO {table_name} (id) VALUES (2)")
        cursor.execute(f"SELECT ROWID FROM {table_name}")
        (rowid,) = cursor.fetchone()
        cursor.execute(insert, rid=rowid)
        cursor.execute(insert, rid=None)
        cursor.execute(f"SELECT COUNT(*), COUNT(rid) FROM {table_name}")
        assert cursor.fetchone() == (3, 1)


def test_parse_keeps_the_binds_of_an_executed_cursor(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), note VARCHAR2(20))")
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, 'old')")
        update = f"UPDATE {table_name} SET note = :v WHERE id = :i"
        for round_ in range(2):
            cursor.parse(update)
            cursor.execute(update, (f"new {round_}", 1))
            assert cursor.rowcount == 1
        cursor.execute(f"SELECT note FROM {table_name}")
        assert cursor.fetchone() == ("new 1",)


@pytest.mark.parametrize(
    "value", [oracledb.IntervalYM(years=-12, months=-5), oracledb.IntervalYM(years=3, months=8)]
)
def test_a_selected_interval_year_to_month_bind_keeps_its_type(
    connection: oracledb.Connection, value: oracledb.IntervalYM
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT :1 FROM DUAL", [value])
        assert cursor.fetchone() == (value,)
        assert cursor.description[0][1] is oracledb.DB_TYPE_INTERVAL_YM
        cursor.execute("SELECT :1 FROM DUAL", ["text"])  # the same statement, another type
        assert cursor.fetchone() == ("text",)


def test_a_selected_blob_bind_is_a_blob(connection: oracledb.Connection) -> None:
    data = b"some binary data"
    with connection.cursor() as cursor:
        lob = connection.createlob(oracledb.DB_TYPE_BLOB, data)
        cursor.execute("SELECT :1 FROM DUAL", [lob])
        assert cursor.description[0][1] is oracledb.DB_TYPE_BLOB
        assert cursor.fetchone()[0].read() == data
    with connection.cursor() as cursor:
        # defined as LONG RAW by an output type handler, the data comes whole
        cursor.outputtypehandler = lambda cur, meta: cur.var(
            oracledb.DB_TYPE_LONG_RAW, arraysize=cur.arraysize
        )
        cursor.execute("SELECT :1 AS data FROM DUAL", [lob])
        assert cursor.fetchone() == (data,)
