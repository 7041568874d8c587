"""An emulator process of the fuzz tests' own, so that mutated statements (a DELETE that
lost its WHERE, a DROP of a demo table) cannot spoil the demo data other tests read, and
a crash shows as a dead process rather than a dead test run.

The seed comes from ``EMULATOR_FUZZ_SEED`` (a fixed default, so every run is the same
unless asked otherwise); each test prints the one it used, to replay a failure with it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.pytest_plugin import DEMO_PASSWORD, DEMO_USER

DEFAULT_SEED = 20_240_601
SEED_VARIABLE = "EMULATOR_FUZZ_SEED"
#: a small demo schema: the fuzz is about inputs, not volume
_DEMO_ARGS = ["--demo", "--bench-rows", "500", "--orders", "200", "--customers", "50"]


@pytest.fixture(scope="package")
def fuzz_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(args=_DEMO_ARGS, control=False) as emulator:
        yield emulator


@pytest.fixture
def fuzz_seed() -> int:
    seed = int(os.environ.get(SEED_VARIABLE, DEFAULT_SEED))
    print(f"fuzz seed {seed} (replay with {SEED_VARIABLE}={seed})")
    return seed


@pytest.fixture
def fuzz_connect(fuzz_emulator: EmulatorProcess) -> Iterator[Callable[..., oracledb.Connection]]:
    """Opens DEMO connections to the fuzz emulator, closed after the test."""
    opened: list[oracledb.Connection] = []

    def connect(**kwargs: Any) -> oracledb.Connection:
        params = {"user": DEMO_USER, "password": DEMO_PASSWORD, "dsn": fuzz_emulator.dsn}
        connection = oracledb.connect(**(params | kwargs))
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        with contextlib.suppress(oracledb.Error):
            connection.close()
