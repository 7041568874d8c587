"""Proxy authentication through the real driver: ``proxy[client]`` opens a session as the
client once the client user was altered to GRANT CONNECT THROUGH the proxy, and is refused
with ORA-28150 otherwise."""

from __future__ import annotations

from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess

Connect = Callable[..., oracledb.Connection]
ORA_LOGON_DENIED = 1017
ORA_INSUFFICIENT_PRIVILEGES = 1031
ORA_USER_NOT_FOUND = 1918
ORA_PROXY_NOT_AUTHORIZED = 28150
WHO_SQL = (
    "SELECT USER, SYS_CONTEXT('USERENV', 'SESSION_USER'), SYS_CONTEXT('USERENV', 'PROXY_USER'),"
    " SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM DUAL"
)


def _who(connection: oracledb.Connection) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        return tuple(cursor.execute(WHO_SQL).fetchone())


def _logon_code(connect: Connect, **kwargs: str) -> int:
    with pytest.raises(oracledb.DatabaseError) as caught:
        connect(**kwargs)
    return caught.value.args[0].code


def test_proxy_opens_a_session_as_the_client_once_granted(
    admin: oracledb.Connection, oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    proxy, client = new_user("proxy_pw"), new_user("client_pw")
    user = f"{proxy}[{client}]"
    assert _logon_code(oracle_connect, user=user, password="proxy_pw") == (ORA_PROXY_NOT_AUTHORIZED)
    with admin.cursor() as cursor:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH {proxy}")
    connection = oracle_connect(user=user, password="proxy_pw")
    assert _who(connection) == (client, client, proxy, client)
    # the same with the driver's proxy_user parameter
    connection = oracle_connect(user=proxy, password="proxy_pw", proxy_user=client)
    assert _who(connection) == (client, client, proxy, client)
    with admin.cursor() as cursor:
        cursor.execute(f"ALTER USER {client} REVOKE CONNECT THROUGH {proxy}")
    assert _logon_code(oracle_connect, user=user, password="proxy_pw") == (ORA_PROXY_NOT_AUTHORIZED)


def test_the_proxy_must_prove_its_own_password(
    admin: oracledb.Connection, oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    proxy, client = new_user("proxy_pw"), new_user("client_pw")
    with admin.cursor() as cursor:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH {proxy}")
    user = f"{proxy}[{client}]"
    assert _logon_code(oracle_connect, user=user, password="client_pw") == ORA_LOGON_DENIED
    assert _logon_code(oracle_connect, user=f"{proxy}[NOBODY]", password="proxy_pw") == (
        ORA_LOGON_DENIED
    )


def test_only_an_administrator_grants_connect_through(
    oracle_connect: Connect, admin: oracledb.Connection, new_user: Callable[[str], str]
) -> None:
    proxy, client = new_user("proxy_pw"), new_user("client_pw")
    with oracle_connect().cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH {proxy}")  # as DEMO
    assert caught.value.args[0].code == ORA_INSUFFICIENT_PRIVILEGES
    with admin.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH NOBODY")
    assert caught.value.args[0].code == ORA_USER_NOT_FOUND


def test_a_pool_of_proxied_sessions(
    admin: oracledb.Connection, oracle_emulator: EmulatorProcess, new_user: Callable[[str], str]
) -> None:
    proxy, client = new_user("proxy_pw"), new_user("client_pw")
    with admin.cursor() as cursor:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH {proxy}")
    pool = oracledb.create_pool(
        user=f"{proxy}[{client}]", password="proxy_pw", dsn=oracle_emulator.dsn, min=2, max=2
    )
    try:
        for _ in range(3):
            with pool.acquire() as connection:
                assert _who(connection) == (client, client, proxy, client)
    finally:
        pool.close(force=True)


def test_a_dropped_proxy_connects_through_nobody(
    admin: oracledb.Connection, oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    proxy, client = new_user("proxy_pw"), new_user("client_pw")
    with admin.cursor() as cursor:
        cursor.execute(f"ALTER USER {client} GRANT CONNECT THROUGH {proxy}")
        cursor.execute(f"DROP USER {proxy} CASCADE")
        cursor.execute(f'CREATE USER {proxy} IDENTIFIED BY "proxy_pw"')
    user = f"{proxy}[{client}]"
    assert _logon_code(oracle_connect, user=user, password="proxy_pw") == (ORA_PROXY_NOT_AUTHORIZED)
