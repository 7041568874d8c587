"""The emulator's TCP server in this process, on a free port, behind a fake database.

The protocol tests use the real python-oracledb thin driver and talk to the server over
loopback TCP; only the SQL engine is replaced (by :mod:`fake_database`), so what fails here
is the wire protocol.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import oracledb
import pytest

from oracle_emulator.server import EmulatorServer
from tests.integration.protocol.fake_database import SERVICE_NAME, FakeDatabase

USER = "scott"
PASSWORD = "tiger"


@pytest.fixture(scope="session")
def fake_db() -> FakeDatabase:
    database = FakeDatabase()
    database.add_lob_table()
    return database


@pytest.fixture(scope="session")
def emulator(fake_db: FakeDatabase) -> Iterator[EmulatorServer]:
    with EmulatorServer(fake_db) as server:
        yield server


@pytest.fixture(scope="session")
def dsn(emulator: EmulatorServer) -> str:
    return f"127.0.0.1:{emulator.port}/{SERVICE_NAME}"


@pytest.fixture
def connect(dsn: str) -> Iterator[Callable[..., oracledb.Connection]]:
    """Opens thin connections as SCOTT (keyword arguments override), closed after the test."""
    opened: list[oracledb.Connection] = []

    def _connect(**kwargs: Any) -> oracledb.Connection:
        connection = oracledb.connect(**({"user": USER, "password": PASSWORD, "dsn": dsn} | kwargs))
        opened.append(connection)
        return connection

    yield _connect
    for connection in opened:
        with contextlib.suppress(oracledb.Error):  # the test closed or broke it already
            connection.close()


@pytest.fixture
def conn(connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    return connect()
