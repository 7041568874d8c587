"""The Oracle SQL subset the provider sends, through the driver (translated to DuckDB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import oracledb
import pytest

from .conftest import decimal_numbers


def _rows(connection: oracledb.Connection, sql: str, **binds) -> list[tuple]:
    with connection.cursor() as cursor:
        return cursor.execute(sql, binds).fetchall()


def test_rownum_and_fetch_first(connection: oracledb.Connection) -> None:
    assert _rows(connection, "SELECT COUNT(*) FROM (SELECT * FROM SALES_ORDER WHERE ROWNUM <= 5)")[
        0
    ] == (5,)
    first = _rows(
        connection,
        "SELECT ORDER_ID FROM SALES_ORDER ORDER BY ORDER_ID DESC FETCH FIRST 3 ROWS ONLY",
    )
    total = _rows(connection, "SELECT MAX(ORDER_ID) FROM SALES_ORDER")[0][0]
    assert first == [(total,), (total - 1,), (total - 2,)]
    page = _rows(
        connection,
        "SELECT ORDER_ID FROM SALES_ORDER ORDER BY ORDER_ID OFFSET 10 ROWS FETCH NEXT 2 ROWS ONLY",
    )
    assert page == [(11,), (12,)]


def test_ora_hash_buckets_partition_the_table(connection: oracledb.Connection) -> None:
    buckets = _rows(
        connection,
        "SELECT ORA_HASH(ORDER_ID, 3), COUNT(*) FROM SALES_ORDER GROUP BY ORA_HASH(ORDER_ID, 3)"
        " ORDER BY 1",
    )
    total = _rows(connection, "SELECT COUNT(*) FROM SALES_ORDER")[0][0]
    assert [b for b, _ in buckets] == [0, 1, 2, 3]
    assert sum(n for _, n in buckets) == total
    again = _rows(connection, "SELECT ORA_HASH(ORDER_ID, 3) FROM SALES_ORDER WHERE ORDER_ID = 77")
    assert again == _rows(connection, "SELECT ORA_HASH(77, 3) FROM DUAL")


def test_null_functions_and_decode(connection: oracledb.Connection) -> None:
    row = _rows(
        connection,
        "SELECT NVL(NULL, 'a'), NVL2(NULL, 'x', 'y'), NVL2(1, 'x', 'y'),"
        " DECODE(2, 1, 'one', 2, 'two', 'many'), DECODE(NULL, NULL, 'null matches', 'no'),"
        " 'a' || NULL || 'b' FROM DUAL",
    )
    assert row == [("a", "y", "x", "two", "null matches", "ab")]


def test_dates_formats_and_arithmetic(connection: oracledb.Connection) -> None:
    connection.outputtypehandler = decimal_numbers
    row = _rows(
        connection,
        "SELECT TO_CHAR(DATE '2024-02-29' + 1, 'YYYY-MM-DD'),"
        " TRUNC(TO_DATE('2024-03-15 13:14:15', 'YYYY-MM-DD HH24:MI:SS')),"
        " TRUNC(TO_DATE('2024-03-15', 'YYYY-MM-DD'), 'MM'),"
        " TO_DATE('2024-03-02', 'YYYY-MM-DD') - TO_DATE('2024-03-01 12:00', 'YYYY-MM-DD HH24:MI'),"
        " TO_CHAR(TO_TIMESTAMP('2024-01-02 03:04:05.123456789', 'YYYY-MM-DD HH24:MI:SS.FF9'),"
        " 'DD.MM.YYYY HH24:MI:SS.FF9') FROM DUAL",
    )
    assert row == [
        (
            "2024-03-01",
            dt.datetime(2024, 3, 15),
            dt.datetime(2024, 3, 1),
            Decimal("0.5"),
            "02.01.2024 03:04:05.123456789",
        )
    ]


def test_sysdate_and_utc_functions(connection: oracledb.Connection) -> None:
    now, utc = _rows(
        connection,
        "SELECT SYSDATE, SYS_EXTRACT_UTC(FROM_TZ(TIMESTAMP '2024-06-01 12:00:00', '+02:00'))"
        " FROM DUAL",
    )[0]
    assert abs((now - dt.datetime.now()).total_seconds()) < 24 * 3600
    assert utc == dt.datetime(2024, 6, 1, 10, 0, 0)


def test_minus_and_rowid_ranges(connection: oracledb.Connection) -> None:
    rows = _rows(
        connection,
        "SELECT ORDER_ID FROM SALES_ORDER WHERE ORDER_ID <= 5"
        " MINUS SELECT ORDER_ID FROM SALES_ORDER WHERE ORDER_ID <= 3 ORDER BY 1",
    )
    assert rows == [(4,), (5,)]


@pytest.mark.parametrize("bad", ["SELECT * FROM SALES_ORDER CONNECT BY PRIOR 1 = 1"])
def test_unsupported_syntax_is_a_clear_error(connection: oracledb.Connection, bad: str) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        _rows(connection, bad)
    assert failure.value.args[0].code in (900, 933)


def test_rowid_in_a_subquery_of_rowids(connection: oracledb.Connection) -> None:
    rows = _rows(
        connection,
        "SELECT ORDER_ID FROM SALES_ORDER WHERE ROWID IN"
        " (SELECT ROWID FROM SALES_ORDER WHERE ORDER_ID IN (3, 4)) ORDER BY 1",
    )
    assert rows == [(3,), (4,)]
    missing = _rows(
        connection,
        "SELECT COUNT(*) FROM SALES_ORDER WHERE ORDER_ID <= 10 AND ROWID NOT IN"
        " (SELECT ROWID FROM SALES_ORDER WHERE ORDER_ID <= 8)",
    )
    assert missing == [(2,)]
