"""Datetime arithmetic as Oracle types it ("Datetime/Interval Arithmetic"), through the real
driver: DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE plus or minus a number is a DATE (no
fraction), DATE - DATE a NUMBER of days, any other difference of two datetimes an
INTERVAL DAY(9) TO SECOND(9); ADD_MONTHS, TRUNC, ROUND, LAST_DAY, TO_DATE give DATEs."""

from __future__ import annotations

import datetime as dt
import decimal

import oracledb
import pytest

from .conftest import decimal_numbers

D = decimal.Decimal
DATE = (oracledb.DB_TYPE_DATE, None, None)
DIFFERENCE = (oracledb.DB_TYPE_INTERVAL_DS, 9, 9)


@pytest.fixture
def rows(connection: oracledb.Connection, table_name: str) -> str:
    """HIRE_DATE 2024-01-01 10:30 and 2024-01-03 10:30; TS (TIMESTAMP) and TS3
    (TIMESTAMP(3)) the same days at 10:30:00.25 and 08:00:00.5."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table_name} (ID NUMBER(9), HIRE_DATE DATE, TS TIMESTAMP,"
            " TS3 TIMESTAMP(3))"
        )
        # a datetime binds as a DATE (no fraction) unless told otherwise
        cursor.setinputsizes(None, None, oracledb.DB_TYPE_TIMESTAMP, oracledb.DB_TYPE_TIMESTAMP)
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2, :3, :4)",
            [
                (
                    i,
                    dt.datetime(2024, 1, day, 10, 30),
                    dt.datetime(2024, 1, day, 10, 30, 0, 250_000),
                    dt.datetime(2024, 1, day, 8, 0, 0, 500_000),
                )
                for i, day in ((1, 1), (2, 3))
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


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("HIRE_DATE + 1", dt.datetime(2024, 1, 2, 10, 30)),
        ("HIRE_DATE - 0.5", dt.datetime(2023, 12, 31, 22, 30)),
        ("1 + HIRE_DATE", dt.datetime(2024, 1, 2, 10, 30)),
        ("HIRE_DATE + INTERVAL '2' HOUR", dt.datetime(2024, 1, 1, 12, 30)),
        ("ADD_MONTHS(HIRE_DATE, 1)", dt.datetime(2024, 2, 1, 10, 30)),
        ("TRUNC(HIRE_DATE)", dt.datetime(2024, 1, 1)),
        ("TRUNC(HIRE_DATE, 'MM') + 1", dt.datetime(2024, 1, 2)),
        ("ROUND(HIRE_DATE)", dt.datetime(2024, 1, 1)),
        ("LAST_DAY(HIRE_DATE)", dt.datetime(2024, 1, 31, 10, 30)),
        ("TO_DATE('2024-03-04', 'YYYY-MM-DD') + 1", dt.datetime(2024, 3, 5)),
        ("DATE '2024-01-01' + 1", dt.datetime(2024, 1, 2)),
        ("NVL(HIRE_DATE, DATE '2000-01-01') + 1", dt.datetime(2024, 1, 2, 10, 30)),
        # TIMESTAMP + or - a number is a DATE: the fraction is dropped
        ("TS + 1", dt.datetime(2024, 1, 2, 10, 30)),
        ("TS3 - 1", dt.datetime(2023, 12, 31, 8, 0)),
        ("TIMESTAMP '2024-01-01 00:00:00.7' + 1", dt.datetime(2024, 1, 2)),
        ("TRUNC(TS)", dt.datetime(2024, 1, 1)),
        ("CAST(TS AS DATE)", dt.datetime(2024, 1, 1, 10, 30)),
    ],
)
def test_date_results_are_described_as_date(
    connection: oracledb.Connection, rows: str, expression: str, expected: dt.datetime
) -> None:
    value, described = _one(connection, f"SELECT {expression} AS E FROM {rows} WHERE ID = 1")
    assert value == expected
    assert described == DATE


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("TS - TS3", dt.timedelta(hours=2, minutes=30, milliseconds=-250)),
        ("TS3 - TS", -dt.timedelta(hours=2, minutes=30, milliseconds=-250)),
        ("TS - HIRE_DATE", dt.timedelta(milliseconds=250)),
        ("HIRE_DATE - TS3", dt.timedelta(hours=2, minutes=30, milliseconds=-500)),
        (
            "TIMESTAMP '2024-01-02 00:00:00.5' - TIMESTAMP '2024-01-01 00:00:00'",
            dt.timedelta(days=1, milliseconds=500),
        ),
        ("(TS + INTERVAL '1' DAY) - TS", dt.timedelta(days=1)),
    ],
)
def test_timestamp_differences_are_intervals(
    connection: oracledb.Connection, rows: str, expression: str, expected: dt.timedelta
) -> None:
    value, described = _one(connection, f"SELECT {expression} AS E FROM {rows} WHERE ID = 1")
    assert value == expected
    assert described == DIFFERENCE


def test_date_difference_stays_a_number(connection: oracledb.Connection, rows: str) -> None:
    value, described = _one(
        connection, f"SELECT HIRE_DATE - DATE '2023-12-31' AS E FROM {rows} WHERE ID = 1"
    )
    assert value == D("1.4375")  # 1 day and 10:30
    assert described == (oracledb.DB_TYPE_NUMBER, 0, -127)


def test_aggregates(connection: oracledb.Connection, rows: str) -> None:
    with connection.cursor() as cursor:
        cursor.outputtypehandler = decimal_numbers
        cursor.execute(
            "SELECT MAX(HIRE_DATE) + 1 AS NEXT_DAY, MAX(HIRE_DATE) - MIN(HIRE_DATE) AS DAYS,"
            " MAX(TS) - MIN(TS) AS SPAN, MAX(TS) - MIN(TS3) AS WIDER, MIN(TS) + 1 AS TS_PLUS,"
            f" MAX(HIRE_DATE) AS LAST_HIRED FROM {rows}"
        )
        assert cursor.fetchone() == (
            dt.datetime(2024, 1, 4, 10, 30),
            D(2),
            dt.timedelta(days=2),
            dt.timedelta(days=2, hours=2, minutes=30, milliseconds=-250),
            dt.datetime(2024, 1, 2, 10, 30),
            dt.datetime(2024, 1, 3, 10, 30),
        )
        assert [(d.type_code, d.precision, d.scale) for d in cursor.description] == [
            DATE,
            (oracledb.DB_TYPE_NUMBER, 0, -127),
            DIFFERENCE,
            DIFFERENCE,
            DATE,
            DATE,
        ]


def test_intervals_compare_in_where_and_subqueries(
    connection: oracledb.Connection, rows: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ID FROM {rows} WHERE TS - TS3 > INTERVAL '1' HOUR"
            f" AND (SELECT MAX(TS) - MIN(TS) FROM {rows}) = INTERVAL '2' DAY ORDER BY ID"
        )
        assert cursor.fetchall() == [(1,), (2,)]
