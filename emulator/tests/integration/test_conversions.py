"""Conversion functions and constants, through the driver: the type Oracle describes, the
Python type fetched, and Oracle's errors (ORA-01426 numeric overflow, ORA-01722)."""

from __future__ import annotations

import math

import oracledb
import pytest


def _row(connection: oracledb.Connection, sql: str) -> tuple[list[object], tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        types = [column[1] for column in cursor.description]
        row = cursor.fetchone()
        assert row is not None
        return types, row


@pytest.mark.parametrize(
    ("expression", "db_type", "expected"),
    [
        ("TO_BINARY_DOUBLE('1.5')", oracledb.DB_TYPE_BINARY_DOUBLE, 1.5),
        ("TO_BINARY_DOUBLE(' -INF ')", oracledb.DB_TYPE_BINARY_DOUBLE, -math.inf),
        ("TO_BINARY_DOUBLE('Inf')", oracledb.DB_TYPE_BINARY_DOUBLE, math.inf),
        ("TO_BINARY_DOUBLE(12)", oracledb.DB_TYPE_BINARY_DOUBLE, 12.0),
        ("TO_BINARY_DOUBLE('1.25', '9D99')", oracledb.DB_TYPE_BINARY_DOUBLE, 1.25),
        ("TO_BINARY_FLOAT('0.5')", oracledb.DB_TYPE_BINARY_FLOAT, 0.5),
        ("TO_BINARY_FLOAT(3)", oracledb.DB_TYPE_BINARY_FLOAT, 3.0),
        ("BINARY_DOUBLE_INFINITY", oracledb.DB_TYPE_BINARY_DOUBLE, math.inf),
        ("BINARY_FLOAT_INFINITY", oracledb.DB_TYPE_BINARY_FLOAT, math.inf),
        ("-BINARY_DOUBLE_INFINITY", oracledb.DB_TYPE_BINARY_DOUBLE, -math.inf),
        ("BINARY_DOUBLE_MAX_NORMAL", oracledb.DB_TYPE_BINARY_DOUBLE, 1.7976931348623157e308),
        ("1e300d", oracledb.DB_TYPE_BINARY_DOUBLE, 1e300),
        ("2.5f", oracledb.DB_TYPE_BINARY_FLOAT, 2.5),
        ("1e-131", oracledb.DB_TYPE_NUMBER, 0),
    ],
)
def test_binary_conversions_and_constants(
    connection: oracledb.Connection, expression: str, db_type: object, expected: float
) -> None:
    types, row = _row(connection, f"SELECT {expression} FROM DUAL")
    assert types == [db_type]
    assert row == (expected,)
    assert isinstance(row[0], float if db_type is not oracledb.DB_TYPE_NUMBER else int)


@pytest.mark.parametrize("name", ["BINARY_DOUBLE_NAN", "BINARY_FLOAT_NAN"])
def test_nan_constants(connection: oracledb.Connection, name: str) -> None:
    types, row = _row(connection, f"SELECT {name}, TO_BINARY_DOUBLE('nan') FROM DUAL")
    assert types[1] is oracledb.DB_TYPE_BINARY_DOUBLE
    assert all(isinstance(value, float) and math.isnan(value) for value in row)


@pytest.mark.parametrize("text", ["1.5d", "abc", "1e", "INFINITY"])
def test_to_binary_double_refuses_what_oracle_refuses(
    connection: oracledb.Connection, text: str
) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-01722"):
        _row(connection, f"SELECT TO_BINARY_DOUBLE('{text}') FROM DUAL")


def test_lob_conversions(connection: oracledb.Connection) -> None:
    types, row = _row(
        connection,
        "SELECT TO_CLOB('text ✓'), TO_NCLOB('ñ'), TO_BLOB(HEXTORAW('00FF')), TO_BLOB('AB') "
        "FROM DUAL",
    )
    assert types == [
        oracledb.DB_TYPE_CLOB,
        oracledb.DB_TYPE_NCLOB,
        oracledb.DB_TYPE_BLOB,
        oracledb.DB_TYPE_BLOB,
    ]
    assert [value.read() for value in row] == ["text ✓", "ñ", b"\x00\xff", b"\xab"]


@pytest.mark.parametrize("literal", ["1e300", "-1E126", "1e126", "99e200"])
def test_number_literal_beyond_range_is_ora_01426(
    connection: oracledb.Connection, literal: str
) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-01426"):
        _row(connection, f"SELECT {literal} FROM DUAL")


def test_number_column_refuses_overflowing_text(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (n NUMBER)")
        with pytest.raises(oracledb.DatabaseError, match="ORA-01426"):
            cursor.execute(f"INSERT INTO {table_name} VALUES ('1e130')")
        cursor.execute(f"INSERT INTO {table_name} VALUES ('9.5e125')")
        cursor.execute(f"SELECT TO_CHAR(n) FROM {table_name}")
        assert cursor.fetchall() == [("9.5E+125",)]


def test_chartorowid_round_trips_and_refuses_bad_text(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(2))")
        cursor.execute(f"INSERT INTO {table_name} VALUES (7)")
        cursor.execute(f"SELECT ROWIDTOCHAR(ROWID) FROM {table_name}")
        (text,) = cursor.fetchone()
        cursor.execute(
            f"SELECT id, CHARTOROWID(:t) FROM {table_name} WHERE ROWID = CHARTOROWID(:t)", t=text
        )
        assert cursor.description[1][1] is oracledb.DB_TYPE_ROWID
        assert cursor.fetchall() == [(7, text)]
        with pytest.raises(oracledb.DatabaseError, match="ORA-01410"):
            cursor.execute("SELECT CHARTOROWID('not a rowid') FROM DUAL")
