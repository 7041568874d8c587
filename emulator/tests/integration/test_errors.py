"""ORA error codes as the driver reports them, and sessions staying usable after errors."""

from __future__ import annotations

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
        ("SELECT 1 FROM DUAL WHERE", 933),
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
