"""Pytest fixtures for an Oracle stand-in; enable with
``pytest_plugins = ["airflow_oracle_etl.testing.oracle.pytest_plugin"]``.

``oracle_emulator`` is one emulator process with the demo schema per test session (starting
one costs seconds, so tests share it and create their own tables under their own names);
``oracle_connect`` opens python-oracledb thin connections to it as DEMO.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import oracledb
import pytest

from airflow_oracle_etl.testing.oracle.process import EmulatorProcess

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
