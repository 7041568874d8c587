"""NUMBER values that only pass through a statement keep every digit Oracle keeps: 38 to 40
significant digits from 1e-130 to below 1e126, which neither DuckDB's DECIMAL(38, s) nor a
DOUBLE holds. Through the real driver, NUMBER fetched as Decimal so that comparisons are
exact."""

from __future__ import annotations

import decimal

import oracledb
import pyarrow
import pytest

from .conftest import decimal_numbers

D = decimal.Decimal

#: values no DECIMAL(38, s) and no DOUBLE hold exactly, and ones beyond both at once
WIDE_VALUES = [
    "9007199254740993",
    "22222222222222222222222222222222222222",
    "88888888888888888888.888888888888888888",
    "-0.0000000000000000000000000000000000001",
    "0.99999999999999999999999999999999999999",
    "1.9876543210987654321098765432109876543",
    "9876543210987654321098765432109876543.7",
    "1E-76",
    "-1E-130",
    "9.99999999999999E+125",
    "1234567890123456789012345678901234567800000",
]


def _decimal_cursor(connection: oracledb.Connection) -> oracledb.Cursor:
    cursor = connection.cursor()
    cursor.outputtypehandler = decimal_numbers
    return cursor


@pytest.mark.parametrize("text", WIDE_VALUES)
def test_to_number_of_text_keeps_every_digit(connection: oracledb.Connection, text: str) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT TO_NUMBER(:1) FROM DUAL", [text])
        assert cursor.fetchone() == (D(text),)
        # NUMBER without precision, as Oracle describes a NUMBER expression
        assert cursor.description[0][1:6] == (oracledb.DB_TYPE_NUMBER, 127, None, 0, -127)


@pytest.mark.parametrize("text", WIDE_VALUES)
def test_cast_of_text_to_number_keeps_every_digit(
    connection: oracledb.Connection, text: str
) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT CAST(:1 AS NUMBER) AS n FROM DUAL", [text])
        assert cursor.fetchone() == (D(text),)


@pytest.mark.parametrize("text", WIDE_VALUES)
def test_number_bind_selected_as_such_keeps_every_digit(
    connection: oracledb.Connection, text: str
) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT :1 FROM DUAL", [D(text)])
        assert cursor.fetchone() == (D(text),)
        assert cursor.description[0][1] is oracledb.DB_TYPE_NUMBER


def test_union_all_of_to_number_keeps_every_digit(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute(
            "SELECT TO_NUMBER(:1) FROM DUAL UNION ALL SELECT TO_NUMBER(:2) FROM DUAL",
            ["1e-76", "-22222222222222222222222222222222222222"],
        )
        assert cursor.fetchall() == [(D("1e-76"),), (D("-22222222222222222222222222222222222222"),)]


def test_to_number_with_a_model_and_numeric_characters(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute(
            "SELECT TO_NUMBER('1.234,5678901234567890123', '9G999D9999999999999999999', "
            "'NLS_NUMERIC_CHARACTERS='',.''') FROM DUAL"
        )
        assert cursor.fetchone() == (D("1234.5678901234567890123"),)


def test_order_by_a_to_number_item_sorts_numbers_not_text(
    connection: oracledb.Connection,
) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute(
            "SELECT TO_NUMBER(x) AS n FROM (SELECT '10' AS x FROM DUAL "
            "UNION ALL SELECT '9' FROM DUAL UNION ALL SELECT '-1e-40' FROM DUAL) ORDER BY 1"
        )
        assert cursor.fetchall() == [(D("-1e-40"),), (D(9),), (D(10),)]


def test_to_number_still_computes(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT TO_NUMBER(:1) + 1, TO_NUMBER(:2) * 2 FROM DUAL", ["1.5", "4"])
        assert cursor.fetchone() == (D("2.5"), D(8))


def test_more_than_forty_digits_round_as_oracle_rounds(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT TO_NUMBER(:1) FROM DUAL", ["1." + "2" * 38 + "57"])
        # 40 significant digits at most (39 when the digits before the point are odd),
        # rounded half away from zero
        assert cursor.fetchone() == (D("1." + "2" * 37 + "3"),)


def test_below_the_smallest_number_is_zero(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute("SELECT TO_NUMBER(:1) FROM DUAL", ["1e-131"])
        assert cursor.fetchone() == (D(0),)


@pytest.mark.parametrize(
    "text", ["1e126", "-1e126", "99999999999999999999999999999999999999999e100"]
)
def test_overflow_is_ora_01426(connection: oracledb.Connection, text: str) -> None:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError, match="ORA-01426"):
        cursor.execute("SELECT TO_NUMBER(:1) FROM DUAL", [text])
        cursor.fetchall()


def test_invalid_text_is_still_ora_01722(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError, match="ORA-01722"):
        cursor.execute("SELECT TO_NUMBER(:1) FROM DUAL", ["12abc"])
        cursor.fetchall()


def test_binds_written_to_a_number_column_keep_every_digit(
    connection: oracledb.Connection, table_name: str
) -> None:
    values = [D(text) for text in WIDE_VALUES]
    with _decimal_cursor(connection) as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), n NUMBER, f FLOAT)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (0, :1, :2)", [values[0], values[0]])
        # one multi-row insert: the rows' binds have every shape at once
        rows = [(index, value, value) for index, value in enumerate(values[1:], 1)]
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1, :2, :3)", rows)
        cursor.execute(f"SELECT n, f FROM {table_name} ORDER BY id")
        assert cursor.fetchall() == [(value, value) for value in values]


def test_data_frame_insert_and_fetch_of_decimal256(
    connection: oracledb.Connection, table_name: str
) -> None:
    values = [D(text) for text in WIDE_VALUES[:7]]
    dtype = pyarrow.decimal256(76, 38)
    frame = pyarrow.table(
        [pyarrow.array(range(len(values)), pyarrow.int64()), pyarrow.array(values, dtype)],
        names=["ID", "N"],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (id NUMBER(9), n NUMBER)")
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1, :2)", frame)
    fetched = connection.fetch_df_all(
        f"SELECT n FROM {table_name} ORDER BY id", requested_schema=pyarrow.schema([("N", dtype)])
    )
    assert [value.as_py() for value in pyarrow.table(fetched)["N"]] == values
    fetched = connection.fetch_df_all(
        "SELECT TO_NUMBER(:1) AS n FROM DUAL", ["1e-76"],
        requested_schema=pyarrow.schema([("N", pyarrow.decimal256(76, 76))]),
    )  # fmt: skip
    assert [value.as_py() for value in pyarrow.table(fetched)["N"]] == [D("1e-76")]


def test_number_literals_keep_every_digit(connection: oracledb.Connection) -> None:
    with _decimal_cursor(connection) as cursor:
        cursor.execute(
            "SELECT 1e-76, -1e-130, 1234567890123456789012345678901234567890, 1e5, 1.5e-3 FROM DUAL"
        )
        assert cursor.fetchone() == (
            D("1e-76"), D("-1e-130"), D("1234567890123456789012345678901234567890"),
            D(100000), D("0.0015"),
        )  # fmt: skip
        assert {d[1] for d in cursor.description} == {oracledb.DB_TYPE_NUMBER}


def test_number_arithmetic_is_a_number(connection: oracledb.Connection, table_name: str) -> None:
    """NUMBER computed in double precision is still a NUMBER to the client (Oracle's numeric
    precedence): only a BINARY_DOUBLE / BINARY_FLOAT operand makes the result one."""
    with _decimal_cursor(connection) as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (p NUMBER(10, 2), d BINARY_DOUBLE)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (2.25, 0.5)")
        cursor.execute(
            f"SELECT p * p, 1e20 * 1e20, 1e-76 * 2, d * 2, p * d, TO_BINARY_DOUBLE(p) * 2 "
            f"FROM {table_name}"
        )
        row = cursor.fetchone()
        types = [(d[1], d[4], d[5]) for d in cursor.description]
    number = (oracledb.DB_TYPE_NUMBER, 0, -127)
    double = (oracledb.DB_TYPE_BINARY_DOUBLE, None, None)
    assert types[1:] == [number] * 2 + [double] * 3
    assert row == (D("5.0625"), D("1e40"), D("2e-76"), 1.0, 1.125, 4.5)


def test_doubles_computed_from_unconstrained_number_columns_say_so(
    connection: oracledb.Connection, table_name: str
) -> None:
    """An unconstrained NUMBER column is computed with in double precision: a result that
    may have lost its digits is typed BINARY_DOUBLE, so that a client needing the exact
    value (a watermark) can refuse it rather than take a rounded NUMBER."""
    with _decimal_cursor(connection) as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (n NUMBER)")
        cursor.execute(f"INSERT INTO {table_name} VALUES (0.30000000000000000001)")
        cursor.execute(f"SELECT n, n * 1 FROM {table_name}")
        row = cursor.fetchone()
        types = [d[1] for d in cursor.description]
        cursor.execute(f"SELECT MAX(n) FROM {table_name}")
        types.append(cursor.description[0][1])
    assert types == [oracledb.DB_TYPE_NUMBER] + [oracledb.DB_TYPE_BINARY_DOUBLE] * 2
    assert row[0] == D("0.30000000000000000001")


def test_number_arithmetic_beyond_the_range_is_ora_01426(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError, match="ORA-01426"):
        cursor.execute("SELECT 1e125 * 100 FROM DUAL")
        cursor.fetchall()
