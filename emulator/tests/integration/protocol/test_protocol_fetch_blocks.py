"""Fetching pre-encoded rows as blocks of the engine's buffers, through the real driver:
full scans after changes, isolation from other sessions' open transactions, flashback."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import oracledb
import pytest

from oracle_emulator.api import QueryResult
from oracle_emulator.demo_data import bench_rows_sql
from oracle_emulator.protocol.rows import ROW_DATA
from oracle_emulator.server import EmulatorServer
from oracle_emulator.sql.engine import EmulatorDatabase
from tests.unit.sql.test_rowcache import BENCH_DDL

SERVICE = "FREEPDB1"
ROWS = 5_000
SCAN = "SELECT id, name, qty, note FROM bench_rows"
Connect = Callable[[], oracledb.Connection]


@pytest.fixture(scope="module")
def database() -> Iterator[EmulatorDatabase]:
    database = EmulatorDatabase(service_name=SERVICE)
    database.open_session("DEMO").execute(BENCH_DDL)
    database.bulk_insert("DEMO", "BENCH_ROWS", bench_rows_sql(ROWS, 5))
    database.warm("DEMO.BENCH_ROWS")
    yield database
    database.close()


@pytest.fixture(scope="module")
def engine_dsn(database: EmulatorDatabase) -> Iterator[str]:
    with EmulatorServer(database) as server:
        yield f"127.0.0.1:{server.port}/{SERVICE}"


@pytest.fixture
def engine_connect(engine_dsn: str) -> Iterator[Connect]:
    opened: list[oracledb.Connection] = []

    def connect() -> oracledb.Connection:
        connection = oracledb.connect(user="demo", password="demo", dsn=engine_dsn)
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        with contextlib.suppress(oracledb.Error):
            connection.close()


def scan(connection: oracledb.Connection, sql: str = SCAN, **binds: object) -> list[tuple]:
    """All rows, fetched in 700-row round trips (blocks that start and end mid-segment)."""
    with connection.cursor() as cursor:
        cursor.arraysize = cursor.prefetchrows = 700
        cursor.execute(sql, binds)
        rows: list[tuple] = []
        while batch := cursor.fetchmany():
            rows += batch
        return rows


def slow_scan(database: EmulatorDatabase, sql: str = SCAN, *binds: object) -> list[tuple]:
    """The same query on the engine's slow path (DuckDB values, no cache)."""
    session = database.open_session("DEMO")
    database.fast_path_enabled = False
    try:
        result = session.execute(sql, list(binds)).query
    finally:
        database.fast_path_enabled = True
        session.close()
    assert result is not None and result.rows is not None
    return [tuple(row) for row in result.rows]


def test_row_mark_is_the_row_data_message_byte() -> None:
    assert QueryResult.ROW_MARK == ROW_DATA


def test_full_scan_matches_the_slow_path(database: EmulatorDatabase, engine_connect: Connect):
    rows = scan(engine_connect())
    assert len(rows) == ROWS
    assert rows == slow_scan(database)


def test_full_scan_after_update_delete_insert_commit(
    database: EmulatorDatabase, engine_connect: Connect
) -> None:
    writer, reader = engine_connect(), engine_connect()
    before = {row[0] for row in scan(reader)}
    with writer.cursor() as cursor:
        cursor.execute("UPDATE bench_rows SET name = 'renamed' WHERE MOD(id, 50) = 0")
        cursor.execute("DELETE FROM bench_rows WHERE id BETWEEN 1001 AND 1010")
        cursor.execute("INSERT INTO bench_rows (id, name, qty) VALUES (:1, 'new', 7)", [ROWS + 1])
        writer.commit()
    rows = scan(reader)
    assert rows == slow_scan(database)
    by_id = {row[0]: row for row in rows}
    assert set(by_id) == (before - set(range(1001, 1011))) | {ROWS + 1}
    assert by_id[ROWS + 1][1:3] == ("new", 7)
    assert all(row[1] == "renamed" for n, row in by_id.items() if n % 50 == 0)


def test_open_transactions_stay_private(database: EmulatorDatabase, engine_connect: Connect):
    writer, reader = engine_connect(), engine_connect()
    before = scan(reader)
    with writer.cursor() as cursor:
        cursor.execute("UPDATE bench_rows SET note = 'pending' WHERE id <= 2500")
        cursor.execute("INSERT INTO bench_rows (id, note) VALUES (:1, 'pending')", [ROWS + 9])
    mine = scan(writer)  # the writer's own scan encodes (caches) its new versions
    changed = sum(1 for row in before if row[0] <= 2500) + 1
    assert sum(1 for row in mine if row[3] == "pending") == changed
    assert scan(reader) == before
    writer.rollback()
    assert scan(writer) == before


def test_as_of_scn_is_exact(database: EmulatorDatabase, engine_connect: Connect) -> None:
    connection = engine_connect()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_scn FROM v$database")
        (scn,) = cursor.fetchone()
        before = scan(connection)
        cursor.execute("UPDATE bench_rows SET qty = -1 WHERE id > 4000")
        cursor.execute("DELETE FROM bench_rows WHERE id < 100")
        connection.commit()
    flashback = f"{SCAN} AS OF SCN :scn"
    assert scan(connection, flashback, scn=scn) == before
    assert scan(connection, flashback, scn=scn) == slow_scan(database, flashback, scn)
    assert scan(connection) != before
