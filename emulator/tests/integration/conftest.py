"""Helpers for the emulator's own suite: every test talks to it through the real driver."""

from __future__ import annotations

import contextlib
import decimal
import itertools
from collections.abc import Callable, Iterator

import oracledb
import pytest

_names = itertools.count(1)


def decimal_numbers(cursor: oracledb.Cursor, metadata: oracledb.FetchInfo) -> object:
    """Output type handler: fetch NUMBER as Decimal, so comparisons are exact."""
    if metadata.type_code is oracledb.DB_TYPE_NUMBER:
        return cursor.var(decimal.Decimal, arraysize=cursor.arraysize)
    return None


@pytest.fixture
def connection(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    return oracle_connect()


@pytest.fixture
def table_name(connection: oracledb.Connection) -> Iterator[str]:
    """A fresh table name for this test, dropped afterwards (the emulator is shared)."""
    name = f"T_{next(_names)}_{id(connection) % 10_000}"
    yield name
    with connection.cursor() as cursor, contextlib.suppress(oracledb.DatabaseError):
        cursor.execute(f"DROP TABLE {name} PURGE")  # fails if the test never created it


@pytest.fixture
def admin(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    """A session of SYSTEM, the administrator every emulator has."""
    return oracle_connect(user="system", password="manager")


@pytest.fixture
def new_user(admin: oracledb.Connection) -> Iterator[Callable[[str], str]]:
    """Creates users (``new_user(password)`` returns the name), dropped afterwards: tests
    that change passwords or grants leave the shared emulator's users alone."""
    made: list[str] = []

    def create(password: str) -> str:
        name = f"U_{next(_names)}_{id(admin) % 10_000}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE USER {name} IDENTIFIED BY "{password}"')
        made.append(name)
        return name

    yield create
    with admin.cursor() as cursor:
        for name in made:
            cursor.execute(f"DROP USER {name} CASCADE")
