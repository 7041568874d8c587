"""Every Oracle type: bind in, select back, compare exactly; and what the driver describes."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import oracledb
import pytest

from .conftest import decimal_numbers

ROUND_TRIPS = [
    # (column type, value bound, value expected back)
    (
        "NUMBER",
        Decimal("12345678901234567890.123456789"),
        Decimal("12345678901234567890.123456789"),
    ),
    ("NUMBER", Decimal("-0.000001"), Decimal("-0.000001")),
    ("NUMBER", Decimal(0), Decimal(0)),
    ("NUMBER(38)", Decimal("99999999999999999999999999999999999999"), None),
    ("NUMBER(38)", Decimal("-12345678901234567890123456789012345678"), None),
    ("NUMBER(12,2)", Decimal("-50000.00"), Decimal("-50000")),
    ("NUMBER(12,2)", Decimal("1234.5"), None),
    ("NUMBER(5,-2)", Decimal("12345"), Decimal("12300")),
    ("NUMBER(4,6)", Decimal("0.001234"), None),
    ("FLOAT(126)", Decimal("0.1"), None),
    ("BINARY_DOUBLE", 3.141592653589793, None),
    ("BINARY_DOUBLE", -1e300, None),
    ("BINARY_DOUBLE", math.inf, None),
    ("BINARY_DOUBLE", -math.inf, None),
    ("BINARY_FLOAT", 1.5, None),
    ("BINARY_FLOAT", -math.inf, None),
    ("VARCHAR2(100)", "plain", None),
    ("VARCHAR2(100 CHAR)", "Grüße 東京 𝄞", None),
    ("VARCHAR2(4000)", "x" * 4000, None),
    ("VARCHAR2(32767)", "é" * 16000, None),
    ("CHAR(5)", "ab", "ab   "),
    ("NVARCHAR2(50)", "ñandú ✓ 東京", None),
    ("NCHAR(4)", "ñ", "ñ   "),
    ("DATE", dt.datetime(2024, 2, 29, 23, 59, 58), None),
    ("DATE", dt.datetime(1, 1, 1), None),
    ("TIMESTAMP(6)", dt.datetime(2024, 2, 29, 23, 59, 58, 123456), None),
    ("TIMESTAMP(3)", dt.datetime(2024, 2, 29, 23, 59, 58, 123000), None),
    ("TIMESTAMP(6) WITH TIME ZONE", dt.datetime(2024, 7, 1, 12, 0, 0, 500000), None),
    ("TIMESTAMP(6) WITH LOCAL TIME ZONE", dt.datetime(2024, 7, 1, 12, 0, 0, 250000), None),
    ("INTERVAL DAY(3) TO SECOND(6)", dt.timedelta(days=3, seconds=14706, microseconds=789), None),
    ("INTERVAL DAY(3) TO SECOND(6)", dt.timedelta(microseconds=-1), None),
    ("RAW(64)", bytes(range(64)), None),
    ("RAW(16)", b"\x00", None),
]


BIND_TYPES = {  # a datetime binds as DATE (no fraction) unless told otherwise, as with Oracle
    "TIMESTAMP": oracledb.DB_TYPE_TIMESTAMP,
    "BINARY_DOUBLE": oracledb.DB_TYPE_BINARY_DOUBLE,
    "BINARY_FLOAT": oracledb.DB_TYPE_BINARY_FLOAT,
}


@pytest.mark.parametrize(("column_type", "value", "expected"), ROUND_TRIPS)
def test_round_trip(
    connection: oracledb.Connection, table_name: str, column_type: str, value, expected
) -> None:
    connection.outputtypehandler = decimal_numbers
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(3), V {column_type})")
        # a Python float binds as NUMBER unless told otherwise (as it does against Oracle)
        cursor.setinputsizes(None, BIND_TYPES.get(column_type.split("(")[0]))
        cursor.execute(f"INSERT INTO {table_name} VALUES (:1, :2)", [1, value])
        cursor.execute(f"INSERT INTO {table_name} (ID) VALUES (2)")
        connection.commit()
        rows = cursor.execute(f"SELECT ID, V FROM {table_name} ORDER BY ID").fetchall()
    assert rows == [(1, value if expected is None else expected), (2, None)]


def test_nan_survives(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (D BINARY_DOUBLE, F BINARY_FLOAT)")
        cursor.setinputsizes(oracledb.DB_TYPE_BINARY_DOUBLE, oracledb.DB_TYPE_BINARY_FLOAT)
        cursor.execute(f"INSERT INTO {table_name} VALUES (:1, :2)", [math.nan, math.nan])
        d, f = cursor.execute(f"SELECT D, F FROM {table_name}").fetchone()
    assert math.isnan(d) and math.isnan(f)


def test_interval_year_to_month(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER, V INTERVAL YEAR(4) TO MONTH)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (1, INTERVAL '2-3' YEAR TO MONTH)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (2, INTERVAL '-0-11' YEAR TO MONTH)")
        rows = cursor.execute(f"SELECT V FROM {table_name} ORDER BY ID").fetchall()
    assert rows == [(oracledb.IntervalYM(2, 3),), (oracledb.IntervalYM(0, -11),)]


def test_nanoseconds_are_kept(connection: oracledb.Connection) -> None:
    """Python's datetime stops at microseconds; the text form proves the store keeps nanos."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT C_TS9, TO_CHAR(C_TS9, 'YYYY-MM-DD HH24:MI:SS.FF9') FROM ALL_TYPES WHERE ID = 2"
        )
        value, text = cursor.fetchone()
    assert text == "1999-12-31 23:59:59.000000001"
    assert value == dt.datetime(1999, 12, 31, 23, 59, 59)


def test_empty_string_is_null(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (A VARCHAR2(10), B CHAR(3))")
        cursor.execute(f"INSERT INTO {table_name} VALUES ('', :b)", b="")
        assert cursor.execute(f"SELECT A, B FROM {table_name}").fetchone() == (None, None)
        count = cursor.execute(f"SELECT COUNT(*) FROM {table_name} WHERE A IS NULL").fetchone()
    assert count == (1,)


def test_rowid_pseudo_column(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ROWID, ORDER_ID FROM SALES_ORDER WHERE ORDER_ID = 7")
        rowid, order_id = cursor.fetchone()
        assert cursor.description[0].type_code is oracledb.DB_TYPE_ROWID
        again = cursor.execute("SELECT ORDER_ID FROM SALES_ORDER WHERE ROWID = :r", r=rowid)
        assert again.fetchall() == [(order_id,)]
    assert isinstance(rowid, str) and len(rowid) == 18


DESCRIPTIONS = {
    # column: (type, precision, scale, null_ok, display_size)
    "ID": (oracledb.DB_TYPE_NUMBER, 6, 0, False, None),
    "C_NUMBER": (oracledb.DB_TYPE_NUMBER, 0, -127, True, None),
    "C_NUMBER_P_S": (oracledb.DB_TYPE_NUMBER, 12, 4, True, None),
    "C_FLOAT": (oracledb.DB_TYPE_NUMBER, 126, -127, True, None),
    "C_BIN_FLOAT": (oracledb.DB_TYPE_BINARY_FLOAT, None, None, True, None),
    "C_BIN_DOUBLE": (oracledb.DB_TYPE_BINARY_DOUBLE, None, None, True, None),
    "C_VARCHAR2": (oracledb.DB_TYPE_VARCHAR, None, None, True, 4000),
    "C_CHAR": (oracledb.DB_TYPE_CHAR, None, None, True, 10),
    "C_NVARCHAR2": (oracledb.DB_TYPE_NVARCHAR, None, None, True, 100),
    "C_NCHAR": (oracledb.DB_TYPE_NCHAR, None, None, True, 5),
    "C_DATE": (oracledb.DB_TYPE_DATE, None, None, True, None),
    "C_TS9": (oracledb.DB_TYPE_TIMESTAMP, 0, 9, True, None),
    "C_TSTZ": (oracledb.DB_TYPE_TIMESTAMP_TZ, 0, 6, True, None),
    "C_TSLTZ": (oracledb.DB_TYPE_TIMESTAMP_LTZ, 0, 6, True, None),
    "C_IDS": (oracledb.DB_TYPE_INTERVAL_DS, 3, 6, True, None),
    "C_IYM": (oracledb.DB_TYPE_INTERVAL_YM, 4, 0, True, None),
    "C_RAW": (oracledb.DB_TYPE_RAW, None, None, True, 64),
    "C_CLOB": (oracledb.DB_TYPE_CLOB, None, None, True, None),
    "C_NCLOB": (oracledb.DB_TYPE_NCLOB, None, None, True, None),
    "C_BLOB": (oracledb.DB_TYPE_BLOB, None, None, True, None),
}


def test_description_shows_declared_types(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(DESCRIPTIONS)} FROM ALL_TYPES")
        described = {
            d.name: (d.type_code, d.precision, d.scale, d.null_ok, d.display_size)
            for d in cursor.description
        }
    for name, expected in DESCRIPTIONS.items():
        got = described[name]
        assert got[0] is expected[0], name
        assert got[3] == expected[3], name
        if expected[1] is not None:
            assert (got[1], got[2]) == (expected[1], expected[2]), name
        if expected[4] is not None:
            assert got[4] == expected[4], name


def test_demo_all_types_values(connection: oracledb.Connection) -> None:
    connection.outputtypehandler = decimal_numbers
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT C_NUMBER, C_NUMBER_38, C_NUMBER_P_S, C_CHAR, C_NVARCHAR2, C_TS6, C_IDS,"
            " C_RAW FROM ALL_TYPES WHERE ID = 1"
        )
        row = cursor.fetchone()
    assert row == (
        Decimal("1234.5"),
        Decimal("12345678901234567890123456789012345678"),
        Decimal("-50000.0001"),
        "abc       ",
        "Grüße, 東京",
        dt.datetime(2024, 2, 29, 23, 59, 59, 123456),
        dt.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=789000),
        b"\x00\xff\x10",
    )
