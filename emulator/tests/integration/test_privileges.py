"""Reading V$DATABASE takes SELECT on SYS.V_$DATABASE (or SELECT ANY DICTIONARY), as in Oracle.

A user without it gets ORA-00942, which the provider turns into an error naming the grant
(``SnapshotPrivilegeError``); GRANT and REVOKE by a DBA change that at once. The demo user
and ``--user`` users are given it at start, as the provider's setup script does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import oracledb
import pytest

from oracle_emulator.api import ORA_TABLE_NOT_FOUND

SCN_SQL = "SELECT CURRENT_SCN FROM V$DATABASE"
ORA_INSUFFICIENT_PRIVILEGES = 1031
ORA_ONLY_FIXED_VIEWS = 2030
Connect = Callable[..., oracledb.Connection]
_numbers = itertools.count(1)


def _code(error: pytest.ExceptionInfo[oracledb.DatabaseError]) -> int:
    return error.value.args[0].code


def _scn(connection: oracledb.Connection, sql: str = SCN_SQL) -> int:
    with connection.cursor() as cursor:
        return cursor.execute(sql).fetchone()[0]


def _refused(connection: oracledb.Connection, sql: str = SCN_SQL) -> int:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(sql)
    return _code(caught)


@pytest.fixture
def system(oracle_connect: Connect) -> oracledb.Connection:
    return oracle_connect(user="system", password="manager")


@dataclass
class PlainUser:
    """A user made by CREATE USER, so without grants."""

    name: str
    oracle_connect: Connect
    password: str = "secret"

    def connect(self) -> oracledb.Connection:
        return self.oracle_connect(user=self.name, password=self.password)


@pytest.fixture
def plain_user(system: oracledb.Connection, oracle_connect: Connect) -> Iterator[PlainUser]:
    user = PlainUser(f"PLAIN_{next(_numbers)}_{id(system) % 10_000}", oracle_connect)
    with system.cursor() as cursor:
        cursor.execute(f'CREATE USER {user.name} IDENTIFIED BY "{user.password}"')
    yield user
    with system.cursor() as cursor:
        cursor.execute(f"DROP USER {user.name} CASCADE")


def test_a_user_without_the_grant_gets_ora_00942(plain_user: PlainUser) -> None:
    connection = plain_user.connect()
    assert _refused(connection) == ORA_TABLE_NOT_FOUND
    assert _refused(connection, "SELECT CURRENT_SCN FROM SYS.V_$DATABASE") == ORA_TABLE_NOT_FOUND
    with connection.cursor() as cursor:  # the rest of the dictionary stays readable
        assert cursor.execute("SELECT BANNER FROM V$VERSION").fetchone()


def test_grant_and_revoke_take_effect_at_once(
    system: oracledb.Connection, plain_user: PlainUser
) -> None:
    name = plain_user.name
    connection = plain_user.connect()
    assert _refused(connection) == ORA_TABLE_NOT_FOUND
    with system.cursor() as cursor:
        cursor.execute(f"GRANT SELECT ON SYS.V_$DATABASE TO {name}")
    assert _scn(connection) > 0
    assert _scn(connection, "SELECT CURRENT_SCN FROM SYS.V_$DATABASE") > 0
    with system.cursor() as cursor:
        cursor.execute(f"REVOKE SELECT ON SYS.V_$DATABASE FROM {name}")
    assert _refused(connection) == ORA_TABLE_NOT_FOUND
    with system.cursor() as cursor:
        cursor.execute(f"GRANT SELECT ANY DICTIONARY TO {name}")
    assert _scn(connection) > 0


def test_only_a_dba_grants_it_and_only_on_the_view(
    oracle_connect: Connect, system: oracledb.Connection, plain_user: PlainUser
) -> None:
    name = plain_user.name
    with oracle_connect().cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(f"GRANT SELECT ON SYS.V_$DATABASE TO {name}")  # as DEMO
    assert _code(caught) == ORA_INSUFFICIENT_PRIVILEGES
    with system.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as synonym:
        cursor.execute(f"GRANT SELECT ON V$DATABASE TO {name}")
    assert _code(synonym) == ORA_ONLY_FIXED_VIEWS


def test_administrators_and_provisioned_users_read_it(
    oracle_connect: Connect, system: oracledb.Connection
) -> None:
    assert _scn(system) > 0
    assert _scn(oracle_connect()) > 0  # DEMO: granted by the demo schema script
    assert _scn(oracle_connect(user="scott", password="tiger")) > 0  # --user SCOTT/tiger
