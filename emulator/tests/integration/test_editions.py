"""Editions through the real driver: an edition named at logon or by ALTER SESSION must
exist and be usable (ORA-38802), SYS_CONTEXT shows it, and ``connection.edition`` follows
ALTER SESSION SET EDITION."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import oracledb
import pytest

Connect = Callable[..., oracledb.Connection]
ORA_NAME_IN_USE = 955
ORA_INSUFFICIENT_PRIVILEGES = 1031
ORA_EDITION_NOT_FOUND = 38802
ORA_EDITION_IN_USE = 38805
EDITION_SQL = "SELECT SYS_CONTEXT('USERENV', 'CURRENT_EDITION_NAME') FROM DUAL"
_numbers = itertools.count(1)


def _edition(connection: oracledb.Connection) -> str:
    with connection.cursor() as cursor:
        return cursor.execute(EDITION_SQL).fetchone()[0]


def _code(connection: oracledb.Connection, sql: str) -> int:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as caught:
        cursor.execute(sql)
    return caught.value.args[0].code


@pytest.fixture
def edition(admin: oracledb.Connection) -> Iterator[str]:
    name = f"ED_{next(_numbers)}_{id(admin) % 10_000}"
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE EDITION {name}")
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f"DROP EDITION {name} CASCADE")


def test_alter_session_set_edition_needs_the_use_grant(
    admin: oracledb.Connection, oracle_connect: Connect, edition: str
) -> None:
    connection = oracle_connect()
    assert connection.edition is None and _edition(connection) == "ORA$BASE"
    sql = f"ALTER SESSION SET EDITION = {edition}"
    assert _code(connection, sql) == ORA_EDITION_NOT_FOUND  # exists, but not for DEMO
    with admin.cursor() as cursor:
        cursor.execute(f"GRANT USE ON EDITION {edition} TO DEMO")
    with connection.cursor() as cursor:
        cursor.execute(sql.lower())
    assert connection.edition == edition == _edition(connection)
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET EDITION = ORA$BASE")
    assert connection.edition == "ORA$BASE" == _edition(connection)


def test_edition_at_logon(
    admin: oracledb.Connection, oracle_connect: Connect, edition: str
) -> None:
    with pytest.raises(oracledb.DatabaseError) as caught:
        oracle_connect(edition=edition.lower())
    assert caught.value.args[0].code == ORA_EDITION_NOT_FOUND
    with admin.cursor() as cursor:
        cursor.execute(f"GRANT USE ON EDITION {edition} TO PUBLIC")
    connection = oracle_connect(edition=edition.lower())
    assert _edition(connection) == edition
    assert connection.edition == edition.lower()  # what the application asked for


def test_unknown_edition_is_ora_38802(connection: oracledb.Connection) -> None:
    assert _code(connection, "ALTER SESSION SET EDITION = NO_SUCH_EDITION") == (
        ORA_EDITION_NOT_FOUND
    )


def test_creating_and_dropping_editions(
    admin: oracledb.Connection, connection: oracledb.Connection, edition: str
) -> None:
    assert _code(connection, "CREATE EDITION BY_DEMO") == ORA_INSUFFICIENT_PRIVILEGES
    assert _code(admin, f"CREATE EDITION {edition}") == ORA_NAME_IN_USE
    assert _code(admin, "CREATE EDITION X AS CHILD OF NO_SUCH") == ORA_EDITION_NOT_FOUND
    assert _code(admin, "DROP EDITION NO_SUCH") == ORA_EDITION_NOT_FOUND
    assert _code(admin, "DROP EDITION ORA$BASE") == ORA_EDITION_IN_USE
