"""SQL forms as Oracle runs them: sort-based set operations, numeric literals that are
NUMBER, EMPTY_CLOB()/EMPTY_BLOB(), LONG RAW columns, IS JSON check constraints."""

from __future__ import annotations

from decimal import Decimal

import oracledb
import pytest


def test_union_returns_its_rows_sorted(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.arraysize = 1
        cursor.execute(
            "SELECT 3, 'c' FROM DUAL UNION SELECT 1, 'z' FROM DUAL "
            "UNION SELECT 2, 'b' FROM DUAL UNION SELECT 1, 'a' FROM DUAL"
        )
        assert cursor.fetchall() == [(1, "a"), (1, "z"), (2, "b"), (3, "c")]
        cursor.execute("SELECT 5 FROM DUAL UNION SELECT 4 FROM DUAL MINUS SELECT 9 FROM DUAL")
        assert cursor.fetchall() == [(4,), (5,)]


def test_union_keeps_an_order_by(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM DUAL UNION SELECT 2 FROM DUAL ORDER BY 1 DESC")
        assert cursor.fetchall() == [(2,), (1,)]


@pytest.mark.parametrize("literal", ["1e100", "-1.5E3", "2.5"])
def test_numeric_literals_are_numbers(connection: oracledb.Connection, literal: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {literal} FROM DUAL")
        assert cursor.description[0][1] is oracledb.DB_TYPE_NUMBER
        assert cursor.fetchone()[0] == Decimal(literal)  # 1e100 is the integer 10**100


def test_empty_lobs_are_values_not_null(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), c CLOB, b BLOB)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, EMPTY_CLOB(), EMPTY_BLOB())")
        cursor.execute(f"SELECT c, b FROM {table_name} WHERE c IS NOT NULL AND b IS NOT NULL")
        clob, blob = cursor.fetchone()
        assert (clob.read(), blob.read()) == ("", b"")
        cursor.execute("SELECT EMPTY_CLOB(), EMPTY_BLOB() FROM DUAL")
        assert [column[1] for column in cursor.description] == [
            oracledb.DB_TYPE_CLOB,
            oracledb.DB_TYPE_BLOB,
        ]


def test_long_raw_is_described_and_fetched_as_long_raw(
    connection: oracledb.Connection, table_name: str
) -> None:
    data = bytes(range(256)) * 300
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), data LONG RAW)")
        cursor.setinputsizes(data=oracledb.DB_TYPE_LONG_RAW)
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, :data)", data=data)
        cursor.execute(f"INSERT INTO {table_name} VALUES (2, NULL)")
        cursor.execute(f"SELECT data FROM {table_name} ORDER BY id")
        assert cursor.description[0][1] is oracledb.DB_TYPE_LONG_RAW
        assert cursor.fetchall() == [(data,), (None,)]
        cursor.execute(
            "SELECT data_type FROM user_tab_columns WHERE table_name = :t AND column_name = 'DATA'",
            t=table_name.upper(),
        )
        assert cursor.fetchone() == ("LONG RAW",)


def test_is_json_constrained_columns_fetch_as_json(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table_name} (id NUMBER(9), v VARCHAR2(100) CHECK (v IS JSON), "
            "c CLOB, plain VARCHAR2(100), CONSTRAINT c_is_json CHECK (c IS JSON STRICT))"
        )
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, '[1, 2]', '{{\"a\": 3}}', '[4]')")
        cursor.execute(f"SELECT v, c, plain FROM {table_name}")
        assert cursor.fetchone() == ([1, 2], {"a": 3}, "[4]")
        assert [info.is_json for info in cursor.description] == [True, True, False]
