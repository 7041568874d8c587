"""The provider's dictionary queries with 500 tables in the schema, through the thin driver.

The provider introspects a table with three queries (``hooks/introspection.py`` in the
provider): columns, primary key, statistics. With many tables the answers must stay exact
after commits (NUM_ROWS moves) and DDL (a new table, a new comment). Timings are printed,
never asserted (``benchmarks/dictionary.py`` measures them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import oracledb
import pytest

from oracle_emulator.server import EmulatorServer
from oracle_emulator.sql.engine import EmulatorDatabase

SERVICE = "FREEPDB1"
TABLES = 500
OWNER = "DEMO"

COLUMNS_SQL = """\
SELECT col.COLUMN_NAME, col.DATA_TYPE, col.DATA_PRECISION, col.DATA_SCALE,
       col.CHAR_LENGTH, col.NULLABLE, com.COMMENTS
FROM ALL_TAB_COLUMNS col
LEFT JOIN ALL_COL_COMMENTS com
  ON com.OWNER = col.OWNER AND com.TABLE_NAME = col.TABLE_NAME
 AND com.COLUMN_NAME = col.COLUMN_NAME
WHERE col.OWNER = :owner AND col.TABLE_NAME = :name
ORDER BY col.COLUMN_ID"""

PRIMARY_KEY_SQL = """\
SELECT cc.COLUMN_NAME
FROM ALL_CONSTRAINTS con
JOIN ALL_CONS_COLUMNS cc
  ON cc.OWNER = con.OWNER AND cc.CONSTRAINT_NAME = con.CONSTRAINT_NAME
 AND cc.TABLE_NAME = con.TABLE_NAME
WHERE con.OWNER = :owner AND con.TABLE_NAME = :name AND con.CONSTRAINT_TYPE = 'P'
ORDER BY cc.POSITION"""

TABLE_SQL = """\
SELECT tab.NUM_ROWS, com.COMMENTS
FROM ALL_TAB_COMMENTS com
LEFT JOIN ALL_TABLES tab ON tab.OWNER = com.OWNER AND tab.TABLE_NAME = com.TABLE_NAME
WHERE com.OWNER = :owner AND com.TABLE_NAME = :name"""


def table_ddl(name: str) -> str:
    return (
        f"CREATE TABLE {name} (ID NUMBER(10), CODE VARCHAR2(20 CHAR) NOT NULL, "
        f"AMOUNT NUMBER(12,2), CREATED DATE, CONSTRAINT {name}_PK PRIMARY KEY (ID, CODE));\n"
        f"COMMENT ON TABLE {name} IS 'table {name}';\n"
        f"COMMENT ON COLUMN {name}.AMOUNT IS 'amount of {name}';\n"
    )


def _table(index: int) -> str:
    return f"S{index:04d}"


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    database = EmulatorDatabase(service_name=SERVICE)
    started = time.perf_counter()
    database.execute_script("".join(table_ddl(_table(i)) for i in range(TABLES)), OWNER)
    print(f"\n{TABLES} tables created in {time.perf_counter() - started:.2f} s")
    with EmulatorServer(database) as server:
        yield f"127.0.0.1:{server.port}/{SERVICE}"
    database.close()


@pytest.fixture
def cursor(dsn: str) -> Iterator[oracledb.Cursor]:
    connection = oracledb.connect(user="demo", password="demo", dsn=dsn)
    with connection, connection.cursor() as opened:
        yield opened


def introspect(cursor: oracledb.Cursor, name: str, label: str) -> list[list[tuple[Any, ...]]]:
    """The three queries' rows for one table, printing how long each took."""
    answers, timings = [], []
    for sql in (COLUMNS_SQL, PRIMARY_KEY_SQL, TABLE_SQL):
        started = time.perf_counter()
        answers.append(cursor.execute(sql, owner=OWNER, name=name).fetchall())
        timings.append(f"{(time.perf_counter() - started) * 1000:.1f}")
    print(f"{label}: columns / primary key / table in ms: {' / '.join(timings)}")
    return answers


def expected(name: str, num_rows: int, comment: str | None = None) -> list[Any]:
    return [
        [
            ("ID", "NUMBER", 10, 0, 0, "N", None),
            ("CODE", "VARCHAR2", None, None, 20, "N", None),
            ("AMOUNT", "NUMBER", 12, 2, 0, "Y", f"amount of {name}"),
            ("CREATED", "DATE", None, None, 0, "Y", None),
        ],
        [("ID",), ("CODE",)],
        [(num_rows, comment or f"table {name}")],
    ]


def test_every_table_answers_exactly(cursor: oracledb.Cursor) -> None:
    for index in (0, 1, TABLES // 2, TABLES - 1):
        name = _table(index)
        assert introspect(cursor, name, f"{name} (unchanged)") == expected(name, 0)
    assert cursor.execute(
        "SELECT COUNT(*) FROM ALL_TABLES WHERE OWNER = :owner", owner=OWNER
    ).fetchone() == (TABLES,)


def test_answers_follow_commits(cursor: oracledb.Cursor) -> None:
    name = _table(7)
    introspect(cursor, name, f"{name} (before the commit)")
    cursor.executemany(f"INSERT INTO {name} (ID, CODE) VALUES (:1, :2)", [(1, "a"), (2, "b")])
    cursor.connection.commit()
    assert introspect(cursor, name, f"{name} (after a commit)") == expected(name, 2)
    cursor.execute(f"DELETE FROM {name}")
    cursor.connection.commit()
    assert introspect(cursor, name, f"{name} (after a delete)") == expected(name, 0)


def test_answers_follow_ddl(cursor: oracledb.Cursor) -> None:
    name = "S_NEW"
    for statement in table_ddl(name).split(";\n")[:-1]:
        cursor.execute(statement)
    try:
        assert introspect(cursor, name, f"{name} (just created)") == expected(name, 0)
        cursor.execute(f"COMMENT ON TABLE {name} IS 'changed'")
        assert introspect(cursor, name, f"{name} (comment changed)") == expected(name, 0, "changed")
    finally:
        cursor.execute(f"DROP TABLE {name} PURGE")
    assert introspect(cursor, name, f"{name} (dropped)") == [[], [], []]
