"""ORA-01555 in the middle of a fetch, as Oracle raises it, through the thin driver.

Oracle reads a cursor opened AS OF an SCN from undo for as long as it is fetched; when that
undo is overwritten, the next fetch fails with "snapshot too old", after the rows already
sent. The emulator's history plays the undo's part: purging it fails the next fetch of such
a cursor. The fault switch does the same after a set number of rows, for any cursor.
"""

from __future__ import annotations

from collections.abc import Iterator

import oracledb
import pytest

from oracle_emulator.api import ORA_SNAPSHOT_TOO_OLD
from oracle_emulator.server import EmulatorServer
from oracle_emulator.sql.engine import EmulatorDatabase

SERVICE = "FREEPDB1"
ROWS = 1_000
BATCH = 100


@pytest.fixture(scope="module")
def database() -> Iterator[EmulatorDatabase]:
    database = EmulatorDatabase(service_name=SERVICE)
    yield database
    database.close()


@pytest.fixture(scope="module")
def server(database: EmulatorDatabase) -> Iterator[EmulatorServer]:
    with EmulatorServer(database) as server:
        yield server


@pytest.fixture
def connection(server: EmulatorServer) -> Iterator[oracledb.Connection]:
    dsn = f"127.0.0.1:{server.port}/{SERVICE}"
    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        yield connection
    server.faults.clear()


@pytest.fixture
def table(database: EmulatorDatabase, connection: oracledb.Connection) -> Iterator[str]:
    """A table of ROWS rows, each updated once after the SCN :func:`_scn` gives first."""
    name = f"SNAP_{id(connection) % 100_000}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (ID NUMBER(6) PRIMARY KEY, V NUMBER(6))")
    database.bulk_insert("DEMO", name, f"SELECT range AS id, 0 AS v FROM range({ROWS})")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {name} PURGE")


def _scn(cursor: oracledb.Cursor) -> int:
    return cursor.execute("SELECT CURRENT_SCN FROM V$DATABASE").fetchone()[0]


def _open(connection: oracledb.Connection, sql: str, **binds: object) -> oracledb.Cursor:
    cursor = connection.cursor()
    cursor.arraysize = cursor.prefetchrows = BATCH
    cursor.execute(sql, binds)
    return cursor


def test_purged_history_fails_the_next_fetch(
    database: EmulatorDatabase, connection: oracledb.Connection, table: str
) -> None:
    with connection.cursor() as cursor:
        scn = _scn(cursor)
        cursor.execute(f"UPDATE {table} SET V = V + 1")
        connection.commit()
    flashback = _open(connection, f"SELECT ID, V FROM {table} AS OF SCN :scn ORDER BY ID", scn=scn)
    current = _open(connection, f"SELECT ID, V FROM {table} ORDER BY ID")
    rows = flashback.fetchmany() + flashback.fetchmany()  # the execute's rows, one fetch
    assert rows == [(i, 0) for i in range(2 * BATCH)]
    database.purge_history(database.current_scn)
    with pytest.raises(oracledb.DatabaseError) as caught:
        flashback.fetchmany()
    assert caught.value.args[0].code == ORA_SNAPSHOT_TOO_OLD
    assert current.fetchall()[-1] == (ROWS - 1, 1)  # a read of current data goes on
    with pytest.raises(oracledb.DatabaseError) as again:
        _open(connection, f"SELECT ID FROM {table} AS OF SCN :scn", scn=scn)
    assert again.value.args[0].code == ORA_SNAPSHOT_TOO_OLD


def test_history_kept_lets_the_fetch_finish(connection: oracledb.Connection, table: str) -> None:
    with connection.cursor() as cursor:
        scn = _scn(cursor)
        cursor.execute(f"DELETE FROM {table} WHERE ID >= 10")
        connection.commit()
    flashback = _open(connection, f"SELECT ID FROM {table} AS OF SCN :scn ORDER BY ID", scn=scn)
    assert [row[0] for row in flashback.fetchall()] == list(range(ROWS))


def test_fault_switch_fires_after_its_rows(
    server: EmulatorServer, connection: oracledb.Connection, table: str
) -> None:
    server.faults.snapshot_too_old_after(rows=250, table=table)
    cursor = _open(connection, f"SELECT ID FROM {table} ORDER BY ID")
    received: list[tuple[int]] = []
    with pytest.raises(oracledb.DatabaseError) as caught:
        for row in cursor:  # row by row: every row that arrived is seen before the error
            received.append(row)
    assert caught.value.args[0].code == ORA_SNAPSHOT_TOO_OLD
    assert [row[0] for row in received] == list(range(250))
    assert server.faults.status()["fired"] == [
        {"kind": "snapshot_too_old", "table": table, "rows": 250}
    ]
