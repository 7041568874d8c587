"""Arithmetic and conversions of aggregate and analytic results, through the real driver.

The macros that give ``+``, ``-`` and TO_CHAR Oracle's meaning choose it by their operands'
types, which DuckDB does not know for an aggregate operand when it expands the macro
(translate_aggregates): each form here failed with ORA-00932 before."""

from __future__ import annotations

import datetime as dt
import decimal

import oracledb
import pytest

from .conftest import decimal_numbers

D = decimal.Decimal


@pytest.fixture
def rows(connection: oracledb.Connection, table_name: str) -> str:
    """ID 1-4 in groups G 'A' (1, 2) and 'B' (3, 4); N 10, 20.5, 30, NULL; HIRE_DATE
    2024-01-01 + (ID - 1) days at 10:30; TS the same with .25 seconds."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table_name} (ID NUMBER(9), G VARCHAR2(1), N NUMBER(10, 2),"
            " HIRE_DATE DATE, TS TIMESTAMP)"
        )
        start = dt.datetime(2024, 1, 1, 10, 30)
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2, :3, :4, :5)",
            [
                (
                    i,
                    "A" if i <= 2 else "B",
                    n,
                    start + dt.timedelta(days=i - 1),
                    start + dt.timedelta(days=i - 1, microseconds=250_000),
                )
                for i, n in zip(range(1, 5), [D(10), D("20.5"), D(30), None], strict=True)
            ],
        )
    connection.commit()
    return table_name


def _one(connection: oracledb.Connection, sql: str) -> tuple[object, tuple]:
    """The single value of ``sql`` (NUMBER as Decimal) and its (type, precision, scale)."""
    with connection.cursor() as cursor:
        cursor.outputtypehandler = decimal_numbers
        cursor.execute(sql)
        (value,) = cursor.fetchone()
        (d,) = cursor.description
        return value, (d.type_code, d.precision, d.scale)


NUMBER_EXPRESSION = (oracledb.DB_TYPE_NUMBER, 0, -127)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("COUNT(*) + 1", D(5)),
        ("COUNT(*) - 1", D(3)),
        ("MAX(ID) + 1", D(5)),
        ("COUNT(*) * 2 + 1", D(9)),
        ("ROUND(AVG(N), 2) + 1", D("21.17")),
        ("SUM(N) + 0.25", D("60.75")),
        ("1 - MIN(N)", D(-9)),
        ("COUNT(*) + MAX(ID) - SUM(ID)", D(-2)),
        ("TRUNC(AVG(ID)) + 1", D(3)),
        ("MEDIAN(ID) + 1", D("3.5")),
        ("COUNT(DISTINCT G) + 1", D(3)),
    ],
)
def test_number_arithmetic_on_aggregates(
    connection: oracledb.Connection, rows: str, expression: str, expected: D
) -> None:
    value, described = _one(connection, f"SELECT {expression} AS E FROM {rows}")
    assert value == expected
    assert described[0] is oracledb.DB_TYPE_NUMBER


@pytest.mark.parametrize("expression", ["COUNT(*) + 1", "MAX(ID) + 1", "COUNT(*) * 2 - MIN(ID)"])
def test_integer_results_are_described_as_number_expressions(
    connection: oracledb.Connection, rows: str, expression: str
) -> None:
    """As Oracle describes any NUMBER expression: no precision (0, -127)."""
    assert _one(connection, f"SELECT {expression} AS E FROM {rows}")[1] == NUMBER_EXPRESSION


def test_date_arithmetic_on_aggregates(connection: oracledb.Connection, rows: str) -> None:
    items = (
        "MAX({d}) + 1 AS NEXT_DAY, MIN({d}) - 0.5 AS HALF_BEFORE, MAX({d}) - MIN({d}) AS SPAN,"
        " 2 + MAX({t}) AS TS_PLUS, MAX({t}) - 1 AS TS_MINUS"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {items.format(d='HIRE_DATE', t='TS')} FROM {rows}")
        assert cursor.fetchone() == (
            dt.datetime(2024, 1, 5, 10, 30),
            dt.datetime(2023, 12, 31, 22, 30),
            3,
            dt.datetime(2024, 1, 6, 10, 30),  # TIMESTAMP + days is a DATE: no fraction
            dt.datetime(2024, 1, 3, 10, 30),
        )
        aggregated = [(d.name, d.type_code) for d in cursor.description]
        # described as the same arithmetic on the values themselves is
        scalar = items.replace("MAX(", "(").replace("MIN(", "(")
        cursor.execute(f"SELECT {scalar.format(d='HIRE_DATE', t='TS')} FROM {rows}")
        assert aggregated == [(d.name, d.type_code) for d in cursor.description]
        assert aggregated[2][1] is oracledb.DB_TYPE_NUMBER


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("TO_CHAR(SUM(N))", "60.5"),
        ("TO_CHAR(AVG(ID))", "2.5"),
        ("TO_CHAR(COUNT(*))", "4"),
        ("TO_CHAR(SUM(N), '999.00')", "  60.50"),
        ("TO_CHAR(MAX(HIRE_DATE))", "04-JAN-24"),
        ("TO_CHAR(MAX(HIRE_DATE) + 1, 'YYYY-MM-DD HH24:MI')", "2024-01-05 10:30"),
        ("CAST(COUNT(*) AS VARCHAR2(10))", "4"),
        ("CAST(SUM(N) / 4 AS VARCHAR2(20))", "15.125"),
        ("'n=' || COUNT(*)", "n=4"),
        ("SUBSTR(MAX(HIRE_DATE), 1, 2)", "04"),
    ],
)
def test_conversions_of_aggregates(
    connection: oracledb.Connection, rows: str, expression: str, expected: str
) -> None:
    value, described = _one(connection, f"SELECT {expression} AS E FROM {rows}")
    assert value == expected
    assert described[0] is oracledb.DB_TYPE_VARCHAR


def test_conversions_follow_the_session_nls(connection: oracledb.Connection, rows: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = ',.' NLS_DATE_FORMAT = 'DD.MM.YYYY'"
        )
    assert _one(connection, f"SELECT TO_CHAR(SUM(N)) AS E FROM {rows}")[0] == "60,5"
    assert _one(connection, f"SELECT TO_CHAR(MIN(HIRE_DATE) - 1) AS E FROM {rows}")[0] == (
        "31.12.2023"
    )


def test_group_by_having_and_order_by(connection: oracledb.Connection, rows: str) -> None:
    with connection.cursor() as cursor:
        cursor.outputtypehandler = decimal_numbers
        cursor.execute(
            f"SELECT G, COUNT(*) * 10 + MAX(ID) AS SCORE, MAX(HIRE_DATE) - MIN(HIRE_DATE) AS SPAN,"
            f" TO_CHAR(SUM(N)) AS TOTAL FROM {rows} GROUP BY G"
            " HAVING COUNT(*) + 1 > 2 AND MAX(HIRE_DATE) + 1 > DATE '2024-01-02'"
            " ORDER BY MAX(ID) - 10 DESC"
        )
        assert cursor.fetchall() == [("B", D(24), D(1), "30"), ("A", D(22), D(1), "30.5")]


def test_analytic_functions(connection: oracledb.Connection, rows: str) -> None:
    with connection.cursor() as cursor:
        cursor.outputtypehandler = decimal_numbers
        cursor.execute(
            "SELECT ID, SUM(N) OVER () - 1 AS REST, COUNT(*) OVER (PARTITION BY G) + ID AS C,"
            " MAX(HIRE_DATE) OVER (PARTITION BY G) - HIRE_DATE AS DAYS_TO_LAST,"
            f" TO_CHAR(ROW_NUMBER() OVER (ORDER BY ID DESC)) AS R FROM {rows} ORDER BY ID"
        )
        assert cursor.fetchall() == [
            (1, D("59.5"), D(3), D(1), "4"),
            (2, D("59.5"), D(4), D(0), "3"),
            (3, D("59.5"), D(5), D(1), "2"),
            (4, D("59.5"), D(6), D(0), "1"),
        ]


def test_in_subqueries(connection: oracledb.Connection, rows: str) -> None:
    with connection.cursor() as cursor:
        cursor.outputtypehandler = decimal_numbers
        cursor.execute(
            f"SELECT ID FROM {rows} WHERE ID = (SELECT MAX(ID) - 1 FROM {rows})"
            f" OR ID IN (SELECT COUNT(*) - 1 FROM {rows} R GROUP BY R.G HAVING COUNT(*) + 0 = 2)"
            " ORDER BY ID"
        )
        assert cursor.fetchall() == [(1,), (3,)]
        cursor.execute(
            f"SELECT NEXT_ID, TEXT FROM (SELECT MAX(ID) + 1 AS NEXT_ID,"
            f" TO_CHAR(COUNT(*) + 1) AS TEXT FROM {rows})"
        )
        assert cursor.fetchall() == [(D(5), "5")]


def test_empty_group_gives_null(connection: oracledb.Connection, rows: str) -> None:
    value, _ = _one(connection, f"SELECT MAX(HIRE_DATE) + 1 AS E FROM {rows} WHERE ID > 9")
    assert value is None
    value, _ = _one(connection, f"SELECT COUNT(*) + 1 AS E FROM {rows} WHERE ID > 9")
    assert value == D(1)
