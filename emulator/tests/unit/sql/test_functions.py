"""The DuckDB macros and UDFs translated SQL calls, run on a real in-memory DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from oracle_emulator.sql.functions import (
    NUMBER_TYPE,
    install_functions,
    oracle_error_from_duckdb,
)
from oracle_emulator.sql.macros import create_macros
from oracle_emulator.sql.nls import NlsSettings


@pytest.fixture(scope="module")
def conn() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    install_functions(connection)
    yield connection
    connection.close()


def one(conn: duckdb.DuckDBPyConnection, expression: str) -> Any:
    return conn.execute(f"SELECT {expression}").fetchone()[0]


def ora_code(conn: duckdb.DuckDBPyConnection, expression: str) -> int:
    with pytest.raises(duckdb.Error) as error:
        one(conn, expression)
    oracle = oracle_error_from_duckdb(error.value)
    assert oracle is not None, str(error.value)
    return oracle.code


def test_install_is_idempotent_and_per_connection(conn: duckdb.DuckDBPyConnection) -> None:
    install_functions(conn)
    cursor = conn.cursor()
    install_functions(cursor)
    assert one(cursor, "ora_div(1, 4)") == Decimal("0.25")
    assert NUMBER_TYPE == "DECIMAL(38, 18)"


def test_a_second_cursor_takes_the_connections_udfs_and_makes_its_own_macros(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    """A session's cursor skips the UDFs (the connection has them) and still gets every
    macro, the NLS ones with its own settings."""
    cursor = conn.cursor()
    with pytest.raises(duckdb.CatalogException):
        one(cursor, "ora_div(1, 4)")  # macros belong to the cursor that made them

    install_functions(cursor, NlsSettings(numeric_characters=",."), udfs=False)

    assert one(cursor, "ora_div(1, 4)") == Decimal("0.25")  # a macro
    assert one(cursor, "ora_div_exact('1', '3')") is not None  # a UDF of the connection
    assert one(cursor, "ora_str(CAST(1.5 AS DECIMAL(2, 1)))") == "1,5"
    assert one(conn, "ora_str(CAST(1.5 AS DECIMAL(2, 1)))") == "1.5"


def test_macros_are_made_in_one_call_and_none_is_no_call() -> None:
    connection = duckdb.connect()
    create_macros(connection, ["m_one(x) AS x + 1", "m_two(x) AS m_one(x) * 2"])
    create_macros(connection, [])
    assert one(connection, "m_two(1)") == 4


def test_ora_hash_is_deterministic_and_in_range(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_hash('abc', 9)") == one(conn, "ora_hash('abc', 9, 0)")
    assert one(conn, "ora_hash('abc', 9, 1)") == one(conn, "ora_hash('abc', 9, 1)")
    assert 0 <= one(conn, "ora_hash('abc')") <= 4294967295
    assert one(conn, "ora_hash(NULL, 9)") == 0
    # the same number hashes the same whatever its DuckDB integer/decimal type
    assert one(conn, "ora_hash(CAST(42 AS DECIMAL(10, 0)), 99)") == one(conn, "ora_hash(42, 99)")
    rows = conn.execute(
        "SELECT min(b), max(b), min(c), max(c) FROM (SELECT ora_hash(i, 7) b, count(*) c "
        "FROM range(80000) r(i) GROUP BY 1)"
    ).fetchone()
    low, high, smallest, largest = rows
    assert (low, high) == (0, 7)
    assert smallest > 9000 and largest < 11000  # 10,000 expected in each of 8 buckets


def test_exact_division(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_div(7, 2)") == Decimal("3.5")
    assert one(conn, "ora_div(1, 3)") == Decimal("0.333333333333333333")
    assert one(conn, "ora_div(CAST(1 AS DECIMAL(10, 2)), 8)") == Decimal("0.125")
    assert one(conn, "ora_div(NULL, 8)") is None
    assert ora_code(conn, "ora_div(1, 0)") == 1476


def test_date_arithmetic(conn: duckdb.DuckDBPyConnection) -> None:
    day = "TIMESTAMP '2020-03-01 00:00:00'"
    assert one(conn, f"ora_sub({day}, TIMESTAMP '2020-02-01 12:00:00')") == Decimal("28.5")
    assert one(conn, f"ora_sub({day}, TIMESTAMP '2020-03-01 01:00:00')") == Decimal(
        "-0.041666666666666666"
    )
    assert one(conn, f"ora_add({day}, 1)") == dt.datetime(2020, 3, 2)
    assert one(conn, f"ora_add(1, {day})") == dt.datetime(2020, 3, 2)
    assert one(conn, f"ora_sub({day}, 0.5)") == dt.datetime(2020, 2, 29, 12)
    assert one(conn, f"ora_add({day}, CAST(1 AS DECIMAL(38, 18)) / 24)") == dt.datetime(
        2020, 3, 1, 1
    )
    interval = one(
        conn,
        "ora_sub(TIMESTAMP_NS '2020-01-02 00:00:00', TIMESTAMP_NS '2020-01-01 00:00:00.5')",
    )
    assert interval == dt.timedelta(seconds=86399, microseconds=500000)
    assert one(conn, "ora_sub(5, 3)") == 2
    assert one(conn, f"ora_add({day}, INTERVAL 1 HOUR)") == dt.datetime(2020, 3, 1, 1)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("'DD'", dt.datetime(2020, 5, 17)),
        ("'MM'", dt.datetime(2020, 5, 1)),
        ("'YYYY'", dt.datetime(2020, 1, 1)),
        ("'Q'", dt.datetime(2020, 4, 1)),
        ("'HH'", dt.datetime(2020, 5, 17, 13)),
        ("'MI'", dt.datetime(2020, 5, 17, 13, 4)),
        ("'IW'", dt.datetime(2020, 5, 11)),
        ("'iw'", dt.datetime(2020, 5, 11)),
        ("'D'", dt.datetime(2020, 5, 17)),
        ("'CC'", dt.datetime(2001, 1, 1)),
    ],
)
def test_trunc_date(conn: duckdb.DuckDBPyConnection, fmt: str, expected: dt.datetime) -> None:
    assert one(conn, f"ora_trunc(TIMESTAMP '2020-05-17 13:04:05', {fmt})") == expected


def test_trunc_and_round_numbers_and_dates(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_trunc(TIMESTAMP_NS '2020-05-17 13:04:05.5')") == dt.datetime(2020, 5, 17)
    assert one(conn, "ora_trunc(2.567, 2)") == Decimal("2.56")
    assert one(conn, "ora_trunc(-2.567)") == Decimal("-2")
    assert one(conn, "ora_trunc(1234.5, -2)") == Decimal("1200")
    assert one(conn, "ora_round(2.5)") == Decimal("3")
    assert one(conn, "ora_round(-2.5)") == Decimal("-3")
    assert one(conn, "ora_round(2.567, 2)") == Decimal("2.57")
    assert one(conn, "ora_round(TIMESTAMP '2020-05-17 13:00:00')") == dt.datetime(2020, 5, 18)
    assert one(conn, "ora_round(TIMESTAMP '2020-05-16 00:00:00', 'MM')") == dt.datetime(2020, 6, 1)
    assert one(conn, "ora_round(TIMESTAMP '2020-05-15 23:00:00', 'MM')") == dt.datetime(2020, 5, 1)
    assert ora_code(conn, "ora_trunc(TIMESTAMP '2020-05-17 13:04:05', 'XX')") == 1821


def test_month_functions(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_add_months(TIMESTAMP '2020-01-31 10:00:00', 1)") == dt.datetime(
        2020, 2, 29, 10
    )
    # the last day of a month maps to the last day of the target month
    assert one(conn, "ora_add_months(TIMESTAMP '2020-02-29', 1)") == dt.datetime(2020, 3, 31)
    assert one(conn, "ora_add_months(TIMESTAMP '2020-03-31', -1)") == dt.datetime(2020, 2, 29)
    assert one(conn, "ora_add_months(TIMESTAMP '2020-01-15', 1.9)") == dt.datetime(2020, 2, 15)
    between = "ora_months_between(TIMESTAMP '{}', TIMESTAMP '{}')"
    assert one(conn, between.format("2020-03-15", "2020-01-15")) == Decimal(2)
    assert one(conn, between.format("2020-02-29", "2020-01-31")) == Decimal(1)
    assert one(conn, between.format("1995-02-02", "1995-01-01")) == Decimal("1.032258064516129032")
    assert one(conn, "ora_last_day(TIMESTAMP '2020-02-10 10:00:00')") == dt.datetime(
        2020, 2, 29, 10
    )


def test_string_functions(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_substr('abcdef', -3, 2)") == "de"
    assert one(conn, "ora_substr('abc', 0, 2)") == "ab"
    assert one(conn, "ora_substr('abc', 5)") is None
    assert one(conn, "ora_substr('abc', -5)") is None
    assert one(conn, "ora_substr('abc', 2, 0)") is None
    assert one(conn, "ora_instr('abcabc', 'c')") == 3
    assert one(conn, "ora_instr('abcabc', 'c', 1, 2)") == 6
    assert one(conn, "ora_instr('abcabc', 'b', -1, 1)") == 5
    assert one(conn, "ora_instr('abcabc', 'b', -1, 2)") == 2
    assert one(conn, "ora_instr('abcabc', 'z', 1, 1)") == 0
    assert one(conn, "ora_lpad('5', 3, '0')") == "005"
    assert one(conn, "ora_lpad('abc', 2)") == "ab"
    assert one(conn, "ora_rpad('ab', 4, '*')") == "ab**"
    assert one(conn, "ora_lpad('abc', 0)") is None
    assert one(conn, "ora_replace('abc', 'b')") == "ac"
    assert one(conn, "ora_replace('abc', NULL, 'x')") == "abc"
    assert one(conn, "ora_replace('bb', 'b')") is None
    assert one(conn, "ora_mod(7, 0)") == 7
    assert one(conn, "ora_mod(-7, 2)") == -1
    assert one(conn, "ora_length('héllo')") == 5


def test_text_of_values(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_str(CAST(1.50 AS DECIMAL(10, 2)))") == "1.5"
    assert one(conn, "ora_str(0.5)") == ".5"
    assert one(conn, "ora_str(42)") == "42"
    assert one(conn, "ora_str(TIMESTAMP '2020-01-05 10:00:00')") == "05-JAN-20"
    assert (
        one(conn, "ora_str(TIMESTAMP_NS '2020-01-05 13:04:05.123456789')")
        == "05-JAN-20 01.04.05.123456789 PM"
    )


def test_format_and_parse_udfs(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_to_char(TIMESTAMP '2020-01-05 13:04:05', 'FMDD Month YYYY')") == (
        "5 January 2020"
    )
    assert one(conn, "ora_to_char(1234.5, '9,999.99')") == " 1,234.50"
    assert one(conn, "ora_to_char(TIMESTAMP '2020-01-05 13:04:05', NULL)") is None
    assert one(conn, "ora_parse_date('2020-01-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS')") == (
        dt.datetime(2020, 1, 5, 10, 11, 12)
    )
    text = "CAST(ora_parse_timestamp('2020-01-05 10:00:00.123456789', " + (
        "'YYYY-MM-DD HH24:MI:SS.FF9') AS VARCHAR)"
    )
    assert one(conn, text) == "2020-01-05 10:00:00.123456789"
    assert one(
        conn, "ora_parse_timestamp_tz('2020-01-05 10:00 +02:00', 'YYYY-MM-DD HH24:MI TZH:TZM')"
    ) == dt.datetime(2020, 1, 5, 8, tzinfo=dt.timezone.utc)
    assert one(
        conn, "ora_parse_timestamp_tz('2020-07-05 10:00 Europe/Paris', 'YYYY-MM-DD HH24:MI TZR')"
    ) == dt.datetime(2020, 7, 5, 8, tzinfo=dt.timezone.utc)
    assert one(conn, "ora_parse_number('1,234.5', '9,999.9')") == Decimal("1234.5")
    assert one(conn, "ora_to_number('12.5')") == Decimal("12.5")
    assert ora_code(conn, "ora_parse_date('2020-02-30', 'YYYY-MM-DD')") == 1847
    assert ora_code(conn, "ora_to_number('abc')") == 1722
    assert ora_code(conn, "ora_parse_date('10:00:00.5', 'HH24:MI:SS.FF')") == 1821


def test_time_zone_functions(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "ora_from_tz(TIMESTAMP '2020-01-01 10:00:00', '+02:00')") == dt.datetime(
        2020, 1, 1, 8, tzinfo=dt.timezone.utc
    )
    utc = "ora_sys_extract_utc(ora_from_tz(TIMESTAMP '2020-07-01 10:00:00', 'Europe/Paris'))"
    assert one(conn, utc) == dt.datetime(2020, 7, 1, 8)
    wall = "ora_at_time_zone(TIMESTAMPTZ '2020-01-01 00:00:00+00', 'Europe/Paris')"
    assert one(conn, wall) == dt.datetime(2020, 1, 1, 1)
    assert one(conn, "ora_at_time_zone(TIMESTAMPTZ '2020-01-01 00:00:00+00', '-05:00')") == (
        dt.datetime(2019, 12, 31, 19)
    )


def test_casts_and_seconds(conn: duckdb.DuckDBPyConnection) -> None:
    second = one(conn, "ora_extract_second(TIMESTAMP_NS '2020-01-01 12:00:05.123456789')")
    assert second == Decimal("5.123456789")
    stamp = "CAST(ora_cast_timestamp('05-JAN-20 01.04.05.123456789 PM', 6) AS VARCHAR)"
    assert one(conn, stamp) == "2020-01-05 13:04:05.123457"
    stamp = "CAST(ora_cast_timestamp(TIMESTAMP_NS '2020-01-05 00:00:00.123456789', 9) AS VARCHAR)"
    assert one(conn, stamp) == "2020-01-05 00:00:00.123456789"
    assert one(conn, "ora_cast_date(TIMESTAMP_NS '2020-01-01 10:00:00.7')") == dt.datetime(
        2020, 1, 1, 10
    )
    assert one(conn, "ora_cast_date('05-JAN-20')") == dt.datetime(2020, 1, 5)


def test_error_extraction_ignores_other_errors() -> None:
    assert oracle_error_from_duckdb(RuntimeError("Binder Error: no such column")) is None
    error = oracle_error_from_duckdb(RuntimeError("Invalid Input Error: ORA-01821: bad format"))
    assert error is not None and (error.code, error.message) == (1821, "bad format")


def test_raw_hex_conversions(conn: duckdb.DuckDBPyConnection) -> None:
    assert one(conn, "hextoraw('00ff10')") == b"\x00\xff\x10"
    assert one(conn, "rawtohex(hextoraw('00ff10'))") == "00FF10"
