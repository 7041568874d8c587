"""ALTER SYSTEM KILL SESSION through the real driver: the killed session's next call fails
with ORA-00028 (which the driver reports as DPY-4011, dropping the connection), its
transaction is rolled back, and a wrong SID/SERIAL#, one's own session or a user without
ALTER SYSTEM get Oracle's errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess

Connect = Callable[..., oracledb.Connection]
ORA_INVALID_SESSION_ID = 26
ORA_CANNOT_KILL_CURRENT = 27
ORA_SESSION_KILLED = 28
ORA_NO_SUCH_SESSION = 30
ORA_MARKED_FOR_KILL = 31
ORA_INSUFFICIENT_PRIVILEGES = 1031


def _kill(
    admin: oracledb.Connection,
    victim: oracledb.Connection | oracledb.AsyncConnection,
    extra: str = "",
) -> None:
    with admin.cursor() as cursor:
        cursor.execute(
            f"ALTER SYSTEM KILL SESSION '{victim.session_id},{victim.serial_num}'{extra}"
        )


def _code(admin: oracledb.Connection, sql: str) -> int:
    with admin.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(sql)
    return caught.value.args[0].code


def test_sessions_have_distinct_sid_and_serial(oracle_connect: Connect) -> None:
    first, second = oracle_connect(), oracle_connect()
    assert first.session_id != second.session_id
    assert 0 < first.serial_num <= 0xFFFF and 0 < second.serial_num <= 0xFFFF
    with first.cursor() as cursor:
        sid = cursor.execute("SELECT SYS_CONTEXT('USERENV', 'SID') FROM DUAL").fetchone()[0]
    assert sid == str(first.session_id)


def test_killed_session_next_call_fails_and_connection_is_dropped(
    admin: oracledb.Connection, oracle_connect: Connect
) -> None:
    victim = oracle_connect()
    _kill(admin, victim)
    with victim.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute("SELECT USER FROM DUAL")
    error = caught.value.args[0]
    assert error.full_code == "DPY-4011"
    assert "ORA-00028: your session has been killed" in error.message
    assert error.isrecoverable
    assert not victim.is_healthy()
    with admin.cursor() as cursor:  # the killer's session goes on
        assert cursor.execute("SELECT USER FROM DUAL").fetchone() == ("SYSTEM",)


def test_kill_rolls_back_the_killed_transaction(
    admin: oracledb.Connection, oracle_connect: Connect, new_table: Callable[..., str]
) -> None:
    table = new_table("CREATE TABLE {name} (ID NUMBER PRIMARY KEY)")
    victim = oracle_connect()
    with victim.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES (1)")
    _kill(admin, victim, " IMMEDIATE")
    other = oracle_connect()
    with other.cursor() as cursor:  # at once: the key is free again, nothing to wait for
        cursor.execute(f"INSERT INTO {table} VALUES (1)")
    other.commit()
    with pytest.raises(oracledb.DatabaseError), victim.cursor() as cursor:
        cursor.execute("COMMIT")  # too late: nothing of it was committed
    with other.cursor() as cursor:
        assert cursor.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (1,)


def test_wrong_serial_or_sid_is_ora_00030(
    admin: oracledb.Connection, oracle_connect: Connect
) -> None:
    victim = oracle_connect()
    wrong_serial = victim.serial_num % 0xFFFF + 1
    sql = f"ALTER SYSTEM KILL SESSION '{victim.session_id},{wrong_serial}'"
    assert _code(admin, sql) == ORA_NO_SUCH_SESSION
    assert _code(admin, "ALTER SYSTEM KILL SESSION '999999,1'") == ORA_NO_SUCH_SESSION
    with victim.cursor() as cursor:  # nothing was killed
        assert cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)


def test_malformed_session_id_is_ora_00026(admin: oracledb.Connection) -> None:
    assert _code(admin, "ALTER SYSTEM KILL SESSION '12'") == ORA_INVALID_SESSION_ID
    assert _code(admin, "ALTER SYSTEM KILL SESSION 'a,b'") == ORA_INVALID_SESSION_ID


def test_own_session_is_ora_00027_and_a_killed_one_ora_00031(
    admin: oracledb.Connection, oracle_connect: Connect
) -> None:
    own = f"ALTER SYSTEM KILL SESSION '{admin.session_id},{admin.serial_num}'"
    assert _code(admin, own) == ORA_CANNOT_KILL_CURRENT
    victim = oracle_connect()
    _kill(admin, victim)
    again = f"ALTER SYSTEM KILL SESSION '{victim.session_id},{victim.serial_num}'"
    assert _code(admin, again) == ORA_MARKED_FOR_KILL


def test_without_alter_system_it_is_ora_01031_until_granted(
    admin: oracledb.Connection, oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    name = new_user("secret")
    operator = oracle_connect(user=name, password="secret")
    victim = oracle_connect()
    sql = f"ALTER SYSTEM KILL SESSION '{victim.session_id},{victim.serial_num}'"
    assert _code(operator, sql) == ORA_INSUFFICIENT_PRIVILEGES
    with admin.cursor() as cursor:
        cursor.execute(f"GRANT ALTER SYSTEM TO {name}")
    with operator.cursor() as cursor:
        cursor.execute(sql)
    with pytest.raises(oracledb.DatabaseError), victim.cursor() as cursor:
        cursor.execute("SELECT 1 FROM DUAL")


def test_a_pool_replaces_a_killed_connection(
    admin: oracledb.Connection, oracle_emulator: EmulatorProcess
) -> None:
    pool = oracledb.create_pool(
        user="scott", password="tiger", dsn=oracle_emulator.dsn, min=1, max=1, increment=1
    )
    try:
        with pool.acquire() as connection:
            _kill(admin, connection)
        with pool.acquire() as connection:
            with pytest.raises(oracledb.DatabaseError) as caught, connection.cursor() as cursor:
                cursor.execute("SELECT USER FROM DUAL")
            assert caught.value.args[0].full_code == "DPY-4011"
        with pool.acquire() as connection, connection.cursor() as cursor:
            assert cursor.execute("SELECT USER FROM DUAL").fetchone() == ("SCOTT",)
        assert pool.opened == 1
    finally:
        pool.close(force=True)


def test_asyncio_connection_sees_the_kill(
    admin: oracledb.Connection, oracle_emulator: EmulatorProcess
) -> None:
    async def run() -> str:
        connection = await oracledb.connect_async(
            user="scott", password="tiger", dsn=oracle_emulator.dsn
        )
        _kill(admin, connection)
        try:
            with connection.cursor() as cursor:
                await cursor.execute("SELECT USER FROM DUAL")
        except oracledb.DatabaseError as error:
            return str(error.args[0].full_code)
        finally:
            await connection.close()
        return "no error"

    assert asyncio.run(run()) == "DPY-4011"
