"""Operator tests against a German database: an emulator started with territory GERMANY,
language GERMAN and the server in Europe/Berlin, and a client whose session time zone is
Europe/Berlin too (ORA_SDTZ, which python-oracledb sends at logon). Everything else (Airflow,
fake-gcs-server, the DAG helpers) is the operator suite's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oracle_emulator.process import EmulatorProcess

BERLIN = "Europe/Berlin"


@pytest.fixture(scope="session")
def oracle_emulator() -> Iterator[EmulatorProcess]:
    """Replaces the suite's emulator for the tests in this folder only."""
    with EmulatorProcess(
        args=["--user", "DEMO/demo"],
        nls_territory="GERMANY",
        nls_language="GERMAN",
        time_zone=BERLIN,
    ) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def client_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions opened by the tasks (which run in this process) get a non-UTC time zone."""
    monkeypatch.setenv("ORA_SDTZ", BERLIN)
