"""Values at the ends of Oracle's ranges: dates back to 4712 BC, timestamps to
9999-12-31 23:59:59.999999999, through the real driver. The driver cannot build a datetime
before the year 1, so such values are read back as text (TO_CHAR), as a client must."""

from __future__ import annotations

import datetime as dt

import oracledb
import pytest


def _one(connection: oracledb.Connection, sql: str) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        assert row is not None
        return row


def test_timestamp_literal_at_the_end_of_time(connection: oracledb.Connection) -> None:
    row = _one(connection, "SELECT TIMESTAMP '9999-12-31 23:59:59' FROM DUAL")
    assert row == (dt.datetime(9999, 12, 31, 23, 59, 59),)


def test_to_timestamp_at_the_end_of_time(connection: oracledb.Connection) -> None:
    row = _one(
        connection,
        "SELECT TO_TIMESTAMP('9999-12-31 23:59:59.999999', 'YYYY-MM-DD HH24:MI:SS.FF6') FROM DUAL",
    )
    assert row == (dt.datetime(9999, 12, 31, 23, 59, 59, 999999),)


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("DATE '-4712-01-01'", "-4712-01-01 BC 0000001"),
        ("TO_DATE('-4712-01-01', 'SYYYY-MM-DD')", "-4712-01-01 BC 0000001"),
        ("TO_DATE('4712-01-01 BC', 'YYYY-MM-DD BC')", "-4712-01-01 BC 0000001"),
        ("DATE '-0001-12-31'", "-0001-12-31 BC 1721058"),
        ("DATE '0001-01-01'", " 0001-01-01 AD 1721424"),
        ("DATE '2000-01-01'", " 2000-01-01 AD 2451545"),
        ("TO_DATE('1', 'J')", "-4712-01-01 BC 0000001"),
    ],
)
def test_bc_dates_in_literals_and_models(
    connection: oracledb.Connection, expression: str, text: str
) -> None:
    row = _one(connection, f"SELECT TO_CHAR({expression}, 'SYYYY-MM-DD BC J') FROM DUAL")
    assert row == (text,)


def test_year_out_of_range_is_ora_01841(connection: oracledb.Connection) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-01841"):
        _one(connection, "SELECT DATE '-4713-01-01' FROM DUAL")
    with pytest.raises(oracledb.DatabaseError, match="ORA-01841"):
        _one(connection, "SELECT DATE '0000-01-01' FROM DUAL")


def test_bc_value_reaches_the_driver_in_oracle_bytes(connection: oracledb.Connection) -> None:
    """The driver is given Oracle's bytes for 4712 BC and fails building a datetime, as it
    does against Oracle; the session goes on."""
    with pytest.raises(ValueError, match="year"):
        _one(connection, "SELECT DATE '-4712-01-01' FROM DUAL")
    assert _one(connection, "SELECT 1 FROM DUAL") == (1,)


def test_wide_values_stored_compared_and_ordered(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table_name} (id NUMBER(2), d DATE, t TIMESTAMP(6), "
            "z TIMESTAMP(6) WITH TIME ZONE)"
        )
        values = [
            (1, "-4712-01-01 00:00:00.000000"),
            (2, "-0001-12-31 23:59:59.999999"),
            (3, "0001-01-01 00:00:00.000000"),
            (4, "9999-12-31 23:59:59.999999"),
        ]
        for ident, text in values:
            value = f"TO_TIMESTAMP('{text}', 'SYYYY-MM-DD HH24:MI:SS.FF6')"
            cursor.execute(
                f"INSERT INTO {table_name} VALUES ({ident}, TO_DATE(SUBSTR('{text}', 1, "
                f"LENGTH('{text}') - 7), 'SYYYY-MM-DD HH24:MI:SS'), {value}, "
                f"FROM_TZ({value}, '+00:00'))"
            )
        cursor.execute(
            f"SELECT id, TO_CHAR(d, 'SYYYY-MM-DD HH24:MI:SS'), "
            f"TO_CHAR(t, 'SYYYY-MM-DD HH24:MI:SS.FF6'), "
            f"TO_CHAR(z, 'SYYYY-MM-DD HH24:MI:SS.FF6 TZH:TZM') FROM {table_name} "
            "ORDER BY t DESC"
        )
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == [4, 3, 2, 1]
    for (ident, d, t, z), (_, text) in zip(rows, reversed(values), strict=True):
        signed = text if text.startswith("-") else f" {text}"
        assert (d, t, z) == (signed[:-7], signed, f"{signed} +00:00"), ident
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table_name} WHERE d < DATE '0001-01-01' ORDER BY d")
        assert cursor.fetchall() == [(1,), (2,)]
        cursor.execute(f"SELECT d, t FROM {table_name} WHERE id = 4")
        assert cursor.fetchall() == [
            (dt.datetime(9999, 12, 31, 23, 59, 59), dt.datetime(9999, 12, 31, 23, 59, 59, 999999))
        ]


LAST_NANOSECOND = "9999-12-31 23:59:59.999999999"
NANO_MODEL = "SYYYY-MM-DD HH24:MI:SS.FF9"


def test_nanosecond_literal_at_the_end_of_time(connection: oracledb.Connection) -> None:
    """Described as TIMESTAMP(9); the driver keeps microseconds, TO_CHAR all nine digits."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT TIMESTAMP '{LAST_NANOSECOND}', TO_CHAR(TIMESTAMP '{LAST_NANOSECOND}', "
            f"'{NANO_MODEL}'), TO_CHAR(TO_TIMESTAMP('{LAST_NANOSECOND}', "
            f"'YYYY-MM-DD HH24:MI:SS.FF9'), '{NANO_MODEL}') FROM DUAL"
        )
        assert cursor.description[0][1] is oracledb.DB_TYPE_TIMESTAMP
        assert cursor.description[0][5] == 9
        assert cursor.fetchone() == (
            dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
            f" {LAST_NANOSECOND}",
            f" {LAST_NANOSECOND}",
        )


def test_timestamp_9_column_holds_the_whole_range(
    connection: oracledb.Connection, table_name: str
) -> None:
    texts = ["-4712-01-01 00:00:00.000000001", "-0001-12-31 23:59:59.5", LAST_NANOSECOND]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(2), t TIMESTAMP(9))")
        for ident, text in enumerate(texts, 1):
            cursor.execute(f"INSERT INTO {table_name} VALUES ({ident}, TIMESTAMP '{text}')")
        cursor.execute(
            f"INSERT INTO {table_name} VALUES (4, TIMESTAMP '2020-01-01 00:00:00.123456789')"
        )
        cursor.execute(f"SELECT id, TO_CHAR(t, '{NANO_MODEL}') FROM {table_name} ORDER BY id")
        assert cursor.fetchall() == [
            (1, texts[0]),
            (2, "-0001-12-31 23:59:59.500000000"),
            (3, f" {LAST_NANOSECOND}"),
            (4, " 2020-01-01 00:00:00.123456789"),
        ]
        cursor.execute(f"SELECT t FROM {table_name} WHERE id = 3")
        assert cursor.fetchall() == [(dt.datetime(9999, 12, 31, 23, 59, 59, 999999),)]
        # queries compute with TIMESTAMP_NS (1677-2262): beyond, they are refused, not wrong
        with pytest.raises(oracledb.DatabaseError, match="ORA-03001"):
            cursor.execute(f"SELECT id FROM {table_name} WHERE t > LOCALTIMESTAMP")
        with pytest.raises(oracledb.DatabaseError, match="ORA-03001"):
            cursor.execute(f"SELECT id FROM {table_name} ORDER BY t")
        cursor.execute(f"DELETE FROM {table_name} WHERE id < 4")
        cursor.execute(f"SELECT id FROM {table_name} WHERE t < LOCALTIMESTAMP")
        assert cursor.fetchall() == [(4,)]
