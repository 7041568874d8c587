"""CONNECT BY as a row generator over DUAL (the form test suites use to make n rows); any
other hierarchical query is still refused with ORA-00900."""

from __future__ import annotations

import oracledb
import pytest


def _rows(connection: oracledb.Connection, sql: str, *binds: object) -> list[tuple]:
    with connection.cursor() as cursor:
        return cursor.execute(sql, list(binds)).fetchall()


def test_level_bound_generates_levels(connection: oracledb.Connection) -> None:
    assert _rows(connection, "SELECT LEVEL FROM DUAL CONNECT BY LEVEL <= 4") == [
        (1,),
        (2,),
        (3,),
        (4,),
    ]


def test_rownum_bound_and_bind(connection: oracledb.Connection) -> None:
    rows = _rows(connection, "SELECT ROWNUM AS ID FROM DUAL CONNECT BY ROWNUM <= :1", 3)
    assert rows == [(1,), (2,), (3,)]


@pytest.mark.parametrize(
    ("condition", "count"),
    [
        ("LEVEL < 3", 2),
        ("LEVEL <= 2.5", 2),
        ("LEVEL < 2.5", 2),
        ("3 >= LEVEL", 3),
        ("(LEVEL <= 2)", 2),
        # Oracle always returns the root row
        ("LEVEL <= 0", 1),
        ("LEVEL < 1", 1),
    ],
)
def test_bounds_as_oracle_counts_them(
    connection: oracledb.Connection, condition: str, count: int
) -> None:
    assert _rows(connection, f"SELECT COUNT(*) FROM DUAL CONNECT BY {condition}") == [(count,)]


def test_level_in_expressions_and_order(connection: oracledb.Connection) -> None:
    rows = _rows(
        connection,
        "SELECT LEVEL * 10, 'row ' || LEVEL FROM DUAL CONNECT BY LEVEL <= 3 ORDER BY 1 DESC",
    )
    assert rows == [(30, "row 3"), (20, "row 2"), (10, "row 1")]


def test_generator_inside_a_subquery(connection: oracledb.Connection) -> None:
    rows = _rows(
        connection,
        "SELECT SUM(N) FROM (SELECT LEVEL AS N FROM DUAL CONNECT BY LEVEL <= 100)",
    )
    assert rows == [(5050,)]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 FROM DUAL CONNECT BY PRIOR 1 = 1",
        "SELECT LEVEL FROM DUAL START WITH 1 = 1 CONNECT BY LEVEL <= 3",
        "SELECT LEVEL FROM DUAL CONNECT BY NOCYCLE LEVEL <= 3",
        "SELECT LEVEL FROM DUAL CONNECT BY LEVEL <= 3 AND 1 = 1",
        "SELECT LEVEL FROM DUAL CONNECT BY LEVEL <= LEVEL",
        "SELECT LEVEL FROM DUAL, DUAL D2 CONNECT BY LEVEL <= 3",
    ],
)
def test_other_hierarchical_queries_are_refused(connection: oracledb.Connection, sql: str) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-00900"):
        _rows(connection, sql)


def test_a_table_other_than_dual_is_refused(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (N NUMBER)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (1)")
    with pytest.raises(oracledb.DatabaseError, match="ORA-00900"):
        _rows(connection, f"SELECT LEVEL FROM {table_name} CONNECT BY LEVEL <= 3")
