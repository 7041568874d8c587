"""Pytest fixtures for an Oracle stand-in, registered with pytest (entry point ``pytest11``)
wherever this distribution is installed.

``oracle_emulator`` is one emulator process with the demo schema per test session (starting
one costs seconds, so tests share it and create their own tables under their own names);
``oracle_connect`` opens python-oracledb thin connections to it as DEMO; ``new_table``
creates uniquely named tables in it and drops them after the test.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess

DEMO_USER = "DEMO"
DEMO_PASSWORD = "demo"


@pytest.fixture(scope="session")
def oracle_emulator() -> Iterator[EmulatorProcess]:
    """The emulator with the demo schema (DEMO/demo), on a free loopback port."""
    with EmulatorProcess(args=["--demo", "--user", "SCOTT/tiger"]) as emulator:
        yield emulator


@pytest.fixture
def oracle_connect(
    oracle_emulator: EmulatorProcess,
) -> Iterator[Callable[..., oracledb.Connection]]:
    """A factory of connections to the session's emulator, closed after the test."""
    opened: list[oracledb.Connection] = []

    def connect(**kwargs: Any) -> oracledb.Connection:
        params = {"user": DEMO_USER, "password": DEMO_PASSWORD, "dsn": oracle_emulator.dsn}
        connection = oracledb.connect(**(params | kwargs))
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        with contextlib.suppress(oracledb.Error):  # already closed or broken by the test
            connection.close()


@pytest.fixture
def new_table(
    oracle_connect: Callable[..., oracledb.Connection],
) -> Iterator[Callable[..., str]]:
    """``new_table(ddl)`` runs DDL with ``{name}`` in it under a fresh name (or ``name=``) and
    returns the name; every table made is dropped after the test (the emulator is shared)."""
    connection = oracle_connect()
    created: list[str] = []

    def create(ddl: str, name: str = "") -> str:
        name = name or f"T_{uuid.uuid4().hex[:10].upper()}"
        with connection.cursor() as cursor:
            cursor.execute(ddl.format(name=name))
        created.append(name)
        return name

    yield create
    with connection.cursor() as cursor:
        for name in created:
            with contextlib.suppress(oracledb.DatabaseError):
                cursor.execute(f'DROP TABLE "{name}" PURGE')
