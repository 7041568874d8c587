"""How NUMBER expressions are described: as Oracle does, without precision (0, -127), so the
driver fetches them as numbers of any scale (float64 in data frames); CASTs keep theirs."""

from __future__ import annotations

import oracledb
import pyarrow
import pytest


def _described(connection: oracledb.Connection, sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(d.name, d.type_code, d.precision, d.scale) for d in cursor.description]


@pytest.mark.parametrize("expression", ["1", "COUNT(*)", "N + 1", "SUM(N)", "N / 3", "-N"])
def test_number_expressions_have_no_precision(
    connection: oracledb.Connection, table_name: str, expression: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (N NUMBER(9))")
    (described,) = _described(connection, f"SELECT {expression} AS E FROM {table_name} GROUP BY N")
    # python-oracledb reports (0, -127) as precision 0 and scale -127
    assert described == ("E", oracledb.DB_TYPE_NUMBER, 0, -127)


def test_casts_and_columns_keep_their_precision(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (N NUMBER(9), D NUMBER(9, 2))")
    described = _described(
        connection,
        f"SELECT N, D, CAST(D AS NUMBER(10, 2)) AS C, CAST(D AS INTEGER) AS I FROM {table_name}",
    )
    assert described == [
        ("N", oracledb.DB_TYPE_NUMBER, 9, 0),
        ("D", oracledb.DB_TYPE_NUMBER, 9, 2),
        ("C", oracledb.DB_TYPE_NUMBER, 10, 2),
        ("I", oracledb.DB_TYPE_NUMBER, 38, 0),
    ]


def test_literal_fetched_as_float64_in_data_frames(connection: oracledb.Connection) -> None:
    """The driver picks int64 only for NUMBER(p, 0) with p of 18 or less."""
    frame = pyarrow.table(connection.fetch_df_all("SELECT 1 AS INT_COL FROM DUAL"))
    assert frame.field("INT_COL").type == pyarrow.float64()
    assert frame.to_pylist() == [{"INT_COL": 1.0}]


def test_character_casts_keep_their_length(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST('X' AS VARCHAR2(1)) AS V, CAST('Y' AS NVARCHAR2(2)) AS NV,"
            " CAST('Z' AS CHAR(3)) AS C FROM DUAL"
        )
        assert [(d.name, d.type_code, d.display_size) for d in cursor.description] == [
            ("V", oracledb.DB_TYPE_VARCHAR, 1),
            ("NV", oracledb.DB_TYPE_NVARCHAR, 2),
            ("C", oracledb.DB_TYPE_CHAR, 3),
        ]
        assert cursor.fetchall() == [("X", "Y", "Z  ")]
