"""ORA error codes as the driver reports them, and sessions staying usable after errors."""

from __future__ import annotations

import decimal

import oracledb
import pytest


def _code(connection: oracledb.Connection, sql: str, binds=()) -> int:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute(sql, binds)
    return failure.value.args[0].code


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("SELECT * FROM NO_SUCH_TABLE", 942),
        ("SELECT NO_SUCH_COLUMN FROM SALES_ORDER", 904),
        ("SELEKT 1 FROM DUAL", 900),
        ("SELECT 1 FROM DUAL WHERE", 936),  # Oracle: ORA-00936 missing expression
        ("SELECT TO_NUMBER('abc') FROM DUAL", 1722),
    ],
)
def test_error_codes(connection: oracledb.Connection, sql: str, code: int) -> None:
    assert _code(connection, sql) == code
    assert connection.cursor().execute("SELECT 1 FROM DUAL").fetchone() == (1,)


def test_unique_violation_names_constraint_and_keeps_the_transaction(
    connection: oracledb.Connection, table_name: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table_name} (ID NUMBER(5), CONSTRAINT {table_name}_PK PRIMARY KEY (ID))"
        )
        cursor.execute(f"INSERT INTO {table_name} VALUES (1)")
        with pytest.raises(oracledb.IntegrityError) as failure:
            cursor.execute(f"INSERT INTO {table_name} VALUES (1)")
        error = failure.value.args[0]
        assert error.code == 1
        assert f"{table_name}_PK" in error.message
        # only the failing statement was undone: the first insert is still there
        cursor.execute(f"INSERT INTO {table_name} VALUES (2)")
        connection.commit()
        assert cursor.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (2,)


def test_not_null_violation(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(5) NOT NULL)")
    assert _code(connection, f"INSERT INTO {table_name} VALUES (NULL)") == 1400


def test_executemany_binds_arrays(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(5), NAME VARCHAR2(20))")
        cursor.executemany(
            f"INSERT INTO {table_name} (ID, NAME) VALUES (:id, :name)",
            [{"id": i, "name": f"n{i}"} for i in range(500)],
        )
        assert cursor.rowcount == 500
        connection.commit()
        total = cursor.execute(f"SELECT COUNT(*), SUM(ID) FROM {table_name}").fetchone()
    assert total == (500, sum(range(500)))


def test_positional_and_repeated_named_binds(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT :a + :b, :a * :b FROM DUAL", a=6, b=7)
        assert cursor.fetchone() == (13, 42)
        cursor.execute("SELECT :1 || :2 FROM DUAL", ["x", "y"])
        assert cursor.fetchone() == ("xy",)


def _usable(connection: oracledb.Connection) -> bool:
    with connection.cursor() as cursor:
        return cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT TIMESTAMP '9999-12-31 23:59:59' FROM DUAL",
        "SELECT TO_TIMESTAMP('9999-12-31 23:59:59.999999', 'YYYY-MM-DD HH24:MI:SS.FF6') FROM DUAL",
        "SELECT TO_CHAR(DATE '-4712-01-01', 'SYYYY-MM-DD') FROM DUAL",
    ],
)
def test_far_dates_never_end_the_session(connection: oracledb.Connection, sql: str) -> None:
    """Oracle answers each with a value; the emulator, where it cannot yet, with an ORA
    error of its own (they used to close the session). Either way the session goes on."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql).fetchall()
    except oracledb.DatabaseError as exc:
        error = exc.args[0]
        assert error.full_code.startswith("ORA-")
        assert not error.is_session_dead, error.message
    assert _usable(connection)


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        # a TO_TIMESTAMP of text known only when it runs is a TIMESTAMP_NS (1677-2262)
        (
            "SELECT TO_TIMESTAMP(TO_CHAR(9999) || '-12-31', 'YYYY-MM-DD') FROM DUAL",
            3001,
        ),
        ("SELECT DATE '9999-12-31' + 1 FROM DUAL", 1841),
        ("SELECT ADD_MONTHS(DATE '9999-12-01', 1) FROM DUAL", 1841),
        ("SELECT NO_SUCH_FUNCTION(1) FROM DUAL", 904),
        ("SELECT FROM_TZ(TIMESTAMP '2024-06-01 12:00:00', 'Nowhere/City') FROM DUAL", 1882),
        ("SELECT HEXTORAW('xyz') FROM DUAL", 1465),
        ("SELECT COUNT OR (*) FROM SALES_ORDER", 936),
        ("SELECT O.ORDER_ID FROM SALES_ORDER S", 904),
        ("INSERT INTO SALES_ORDER", 926),
        ("CREATE TABLE T_BAD_SIZE (X NUMBER())", 2017),
        ("CREATE TABLE T_BAD_SIZE (X VARCHAR2(TEN))", 2017),
    ],
)
def test_inputs_that_were_internal_errors(
    connection: oracledb.Connection, sql: str, code: int
) -> None:
    """Found by the fuzz test: each used to be ORA-00600 (after which the driver drops the
    connection); now the error Oracle gives, and the session goes on."""
    assert _code(connection, sql) == code
    assert _usable(connection)


@pytest.mark.parametrize(
    "value",
    [10**37 + 12345, -(10**38 - 1), 10**40, decimal.Decimal("9.99E+125"), 10**125],
    ids=["38 digits", "-38 nines", "1E40", "9.99E125", "1E125"],
)
def test_numbers_beyond_38_digits_bind(connection: oracledb.Connection, value: object) -> None:
    """Wider than DuckDB's 128-bit integers they used to be ORA-00600; they bind as
    DOUBLE now (Oracle keeps 38 digits of them, the emulator about 16)."""
    with connection.cursor() as cursor:
        (result,) = cursor.execute("SELECT :1 FROM DUAL", [value]).fetchone()
    assert float(result) == pytest.approx(float(value))  # type: ignore[arg-type]
    assert _usable(connection)
