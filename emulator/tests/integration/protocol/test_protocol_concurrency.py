"""Many sessions at once: threads, a connection pool, asyncio clients, and server stop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.server import EmulatorServer
from tests.integration.protocol.fake_database import (
    NUMBER_ROWS,
    SERVICE_NAME,
    SLOW_SQL,
    FakeDatabase,
)

SESSIONS = 32


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_32_concurrent_sessions(dsn: str, emulator: EmulatorServer) -> None:
    ready = threading.Barrier(SESSIONS, timeout=60)
    seen: list[int] = []

    def work(index: int) -> None:
        with oracledb.connect(user="scott", password="tiger", dsn=dsn) as connection:
            ready.wait()  # all sessions open at the same time
            seen.append(emulator.connection_count)
            with connection.cursor() as cursor:
                cursor.arraysize = 4
                for _ in range(5):
                    assert cursor.execute("select * from numbers").fetchall() == NUMBER_ROWS
                    cursor.execute("insert into sink values (:1)", [index])

    assert _run_threads(SESSIONS, work) == []
    assert max(seen) >= SESSIONS


def test_connection_pool(dsn: str) -> None:
    pool = oracledb.create_pool(user="scott", password="tiger", dsn=dsn, min=2, max=8, increment=2)
    try:

        def work(_: int) -> None:
            for _ in range(5):
                with pool.acquire() as connection, connection.cursor() as cursor:
                    assert cursor.execute("select * from numbers").fetchall() == NUMBER_ROWS

        assert _run_threads(16, work) == []
        assert 2 <= pool.opened <= 8
    finally:
        pool.close(force=True)


def test_asyncio_clients(dsn: str) -> None:
    async def one_client() -> list[tuple[object, ...]]:
        connection = await oracledb.connect_async(user="scott", password="tiger", dsn=dsn)
        try:
            cursor = connection.cursor()
            cursor.arraysize = 3
            await cursor.execute("select * from numbers")
            rows = await cursor.fetchall()
            await connection.commit()
            return rows
        finally:
            await connection.close()

    async def main() -> list[list[tuple[object, ...]]]:
        return await asyncio.gather(*(one_client() for _ in range(8)))

    assert asyncio.run(main()) == [NUMBER_ROWS] * 8


def test_async_cancel_and_timeout(dsn: str) -> None:
    async def main() -> tuple[str, list[tuple[object, ...]]]:
        connection = await oracledb.connect_async(user="scott", password="tiger", dsn=dsn)
        try:
            connection.call_timeout = 300
            cursor = connection.cursor()
            try:
                await cursor.execute(SLOW_SQL)
                code = "none"
            except oracledb.Error as exc:
                code = exc.args[0].full_code
            connection.call_timeout = 0
            await cursor.execute("select * from numbers")
            return code, await cursor.fetchall()
        finally:
            await connection.close()

    assert asyncio.run(main()) == ("DPY-4024", NUMBER_ROWS)


def test_stop_closes_connected_clients() -> None:
    database = FakeDatabase()
    server = EmulatorServer(database).start()
    dsn = f"127.0.0.1:{server.port}/{SERVICE_NAME}"
    idle = oracledb.connect(user="scott", password="tiger", dsn=dsn)
    busy = oracledb.connect(user="scott", password="tiger", dsn=dsn)
    failures: list[BaseException] = []

    def run_slow() -> None:
        try:
            busy.cursor().execute(SLOW_SQL)
        except oracledb.Error as exc:
            failures.append(exc)

    runner = threading.Thread(target=run_slow)
    runner.start()
    while not database.last(SLOW_SQL):
        threading.Event().wait(0.01)
    server.stop()
    runner.join(10)
    assert not runner.is_alive()
    assert len(failures) == 1
    assert database.sessions_closed == database.sessions_opened == 2
    with pytest.raises(oracledb.Error):
        idle.cursor().execute("select * from numbers")
    with pytest.raises(oracledb.OperationalError):
        oracledb.connect(user="scott", password="tiger", dsn=dsn)


def test_serve_forever_in_a_thread_until_stopped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = EmulatorServer(FakeDatabase(), port=port)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    dsn = f"127.0.0.1:{port}/{SERVICE_NAME}"
    try:
        connection = _connect_with_retry(dsn)
        with connection.cursor() as cursor:
            assert cursor.execute("select * from numbers").fetchall() == NUMBER_ROWS
        connection.close()
    finally:
        server.stop()
        thread.join(10)
    assert not thread.is_alive()


def _connect_with_retry(dsn: str) -> oracledb.Connection:
    """serve_forever() binds in its own thread: wait until it listens."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return oracledb.connect(user="scott", password="tiger", dsn=dsn)
        except oracledb.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
