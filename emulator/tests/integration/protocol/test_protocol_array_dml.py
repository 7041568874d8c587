"""Array DML (``cursor.executemany``) against the real engine: one ``execute_many`` call for
the whole array, and Oracle's semantics when a row fails (rows before it applied, its error
reported, the row count of the rows before it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import oracledb
import pytest

from oracle_emulator.server import EmulatorServer
from oracle_emulator.sql.engine import EmulatorDatabase

SERVICE = "FREEPDB1"
_numbers = itertools.count(1)
INSERT = "INSERT INTO {table} (id, amount, label, created) VALUES (:1, :2, :3, :4)"


@pytest.fixture(scope="module")
def engine_dsn() -> Iterator[str]:
    database = EmulatorDatabase(service_name=SERVICE, lock_timeout=5.0)
    with EmulatorServer(database) as server:
        yield f"127.0.0.1:{server.port}/{SERVICE}"
    database.close()


@pytest.fixture
def engine_connect(engine_dsn: str) -> Iterator[Callable[[], oracledb.Connection]]:
    opened: list[oracledb.Connection] = []

    def connect() -> oracledb.Connection:
        connection = oracledb.connect(user="demo", password="demo", dsn=engine_dsn)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        with contextlib.suppress(oracledb.Error):
            connection.close()


@pytest.fixture
def table(engine_connect: Callable[[], oracledb.Connection]) -> Iterator[str]:
    name = f"ARRAY_DML_{next(_numbers)}"
    with engine_connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {name} (id NUMBER(9) PRIMARY KEY, amount NUMBER(12,2),"
            " label VARCHAR2(40), created DATE)"
        )
    yield name
    with engine_connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name} PURGE")


def bind_rows(start: int, count: int) -> list[tuple[Any, ...]]:
    day = dt.datetime(2024, 1, 1)
    return [
        (n, Decimal(n) / 100, f"label {n}", day + dt.timedelta(minutes=n))
        for n in range(start, start + count)
    ]


def count_and_sum(connection: oracledb.Connection, table: str) -> tuple[int, int | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(id) FROM {table}")
        found = cursor.fetchone()
    assert found is not None
    return found


def test_twenty_thousand_rows_in_one_executemany(
    engine_connect: Callable[[], oracledb.Connection], table: str
) -> None:
    writer, reader = engine_connect(), engine_connect()
    rows = bind_rows(1, 20_000)
    with writer.cursor() as cursor:
        cursor.executemany(INSERT.format(table=table), rows)
        assert cursor.rowcount == 20_000
        assert count_and_sum(reader, table) == (0, None)  # not committed yet
        writer.commit()
    assert count_and_sum(reader, table) == (20_000, sum(range(1, 20_001)))
    with reader.cursor() as cursor:
        cursor.execute(f"SELECT TO_CHAR(amount), label, created FROM {table} WHERE id = 12345")
        assert cursor.fetchone() == ("123.45", *rows[12344][2:])


def test_a_failing_row_keeps_the_rows_before_it(
    engine_connect: Callable[[], oracledb.Connection], table: str
) -> None:
    connection = engine_connect()
    sql = INSERT.format(table=table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (id) VALUES (-1)")  # earlier work stays too
        with pytest.raises(oracledb.IntegrityError) as failure:
            cursor.executemany(sql, [(1, 1, "a", None), (2, 2, "b", None), (1, 3, "c", None)])
        assert failure.value.args[0].full_code == "ORA-00001"
        assert cursor.rowcount == 2
    assert count_and_sum(connection, table) == (3, 2)
    connection.rollback()
    assert count_and_sum(connection, table) == (0, None)


@pytest.mark.parametrize("failing", [0, 1, 777, 1_499])
def test_the_failing_row_of_a_large_array_is_found(
    engine_connect: Callable[[], oracledb.Connection], table: str, failing: int
) -> None:
    connection = engine_connect()
    rows = bind_rows(1, 1_500)
    rows[failing] = (None, *rows[failing][1:])  # ORA-01400: id is NOT NULL (primary key)
    with connection.cursor() as cursor:
        with pytest.raises(oracledb.IntegrityError) as failure:
            cursor.executemany(INSERT.format(table=table), rows)
        assert failure.value.args[0].full_code == "ORA-01400"
        assert cursor.rowcount == failing
    assert count_and_sum(connection, table) == (failing, sum(range(1, failing + 1)) or None)
    connection.commit()
    other = engine_connect()
    assert count_and_sum(other, table)[0] == failing


def test_batch_errors_and_row_counts_still_go_row_by_row(
    engine_connect: Callable[[], oracledb.Connection], table: str
) -> None:
    connection = engine_connect()
    rows = [(1, 1, "a", None), (2, 2, "b", None), (1, 3, "c", None), (3, 4, "d", None)]
    with connection.cursor() as cursor:
        cursor.executemany(
            INSERT.format(table=table), rows, batcherrors=True, arraydmlrowcounts=True
        )
        assert [(e.offset, e.full_code) for e in cursor.getbatcherrors()] == [(2, "ORA-00001")]
        assert cursor.getarraydmlrowcounts() == [1, 1, 0, 1]
    assert count_and_sum(connection, table) == (3, 6)


def test_array_update_adds_up_row_counts(
    engine_connect: Callable[[], oracledb.Connection], table: str
) -> None:
    connection = engine_connect()
    with connection.cursor() as cursor:
        cursor.executemany(INSERT.format(table=table), bind_rows(1, 100))
        cursor.executemany(
            f"UPDATE {table} SET label = :1 WHERE MOD(id, :2) = 0", [("x", 10), ("y", 25)]
        )
        assert cursor.rowcount == 10 + 4
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE label IN ('x', 'y')")
        assert cursor.fetchone() == (12,)  # 50 and 100 were updated twice
