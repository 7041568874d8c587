"""Connecting, logging in and session handling, through the real thin driver."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess


def test_thin_login_and_server_version(connection: oracledb.Connection) -> None:
    assert connection.thin
    assert connection.version.startswith("19.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT USER, SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM DUAL")
        assert cursor.fetchone() == ("DEMO", "DEMO")


def test_wrong_password_is_ora_01017(oracle_emulator: EmulatorProcess) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        oracledb.connect(user="demo", password="wrong", dsn=oracle_emulator.dsn)
    assert failure.value.args[0].code == 1017


def test_unknown_user_is_ora_01017(oracle_emulator: EmulatorProcess) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        oracledb.connect(user="nobody", password="demo", dsn=oracle_emulator.dsn)
    assert failure.value.args[0].code == 1017


def test_unknown_service_is_refused(oracle_emulator: EmulatorProcess) -> None:
    dsn = f"{oracle_emulator.host}:{oracle_emulator.port}/NO_SUCH_SERVICE"
    with pytest.raises(oracledb.Error) as failure:
        oracledb.connect(user="demo", password="demo", dsn=dsn)
    assert "12514" in str(failure.value)


def test_keyword_connect_ping_commit_rollback(oracle_emulator: EmulatorProcess) -> None:
    with oracledb.connect(
        user="scott",
        password="tiger",
        host=oracle_emulator.host,
        port=oracle_emulator.port,
        service_name=oracle_emulator.service_name,
    ) as connection:
        connection.ping()
        connection.commit()
        connection.rollback()
        assert connection.is_healthy()
        with connection.cursor() as cursor:
            assert cursor.execute("SELECT USER FROM DUAL").fetchone() == ("SCOTT",)


def test_32_concurrent_sessions(oracle_emulator: EmulatorProcess) -> None:
    results: dict[int, int] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(32)

    def work(index: int) -> None:
        try:
            with oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn) as conn:
                barrier.wait(timeout=60)  # all 32 sessions are open at the same time
                with conn.cursor() as cursor:
                    cursor.execute(
                        "SELECT COUNT(*) FROM SALES_ORDER WHERE MOD(ORDER_ID, 32) = :m", m=index
                    )
                    results[index] = cursor.fetchone()[0]
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    with oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn) as conn:
        total = conn.cursor().execute("SELECT COUNT(*) FROM SALES_ORDER").fetchone()[0]
    assert len(results) == 32
    assert sum(results.values()) == total


def test_pool_serves_many_threads(oracle_emulator: EmulatorProcess) -> None:
    pool = oracledb.create_pool(
        user="demo", password="demo", dsn=oracle_emulator.dsn, min=2, max=8, increment=2
    )
    seen: list[int] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        with pool.acquire() as conn, conn.cursor() as cursor:
            value = cursor.execute("SELECT :v * 2 FROM DUAL", v=index).fetchone()[0]
            with lock:
                seen.append(value)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(seen) == [i * 2 for i in range(16)]
    assert pool.opened <= 8
    pool.close(force=True)


def test_asyncio_client(oracle_emulator: EmulatorProcess) -> None:
    async def run() -> list[tuple[int, str]]:
        async with oracledb.connect_async(
            user="demo", password="demo", dsn=oracle_emulator.dsn
        ) as conn:
            with conn.cursor() as cursor:
                await cursor.execute(
                    "SELECT CUSTOMER_ID, COUNTRY FROM CUSTOMER WHERE CUSTOMER_ID <= 3"
                    " ORDER BY CUSTOMER_ID"
                )
                return await cursor.fetchall()

    rows = asyncio.run(run())
    assert [row[0] for row in rows] == [1, 2, 3]
    assert all(len(row[1]) == 2 for row in rows)


def test_each_session_is_logged(
    oracle_connect: Callable[..., oracledb.Connection], oracle_emulator: EmulatorProcess
) -> None:
    oracle_connect(user="scott", password="tiger").close()
    assert "SCOTT" in oracle_emulator.log_tail(200)
