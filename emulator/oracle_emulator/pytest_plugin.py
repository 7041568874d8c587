"""Pytest fixtures for an Oracle stand-in, registered with pytest (entry point ``pytest11``)
wherever this distribution is installed.

``oracle_emulator`` is one emulator process with the demo schema per test session (starting
one costs seconds, so tests share it and create their own tables under their own names);
``oracle_connect`` opens python-oracledb thin connections to it as DEMO; ``new_table``
creates uniquely named tables in it and drops them after the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.sql import grammar_gate

_STATS_DIR_KEY = pytest.StashKey[Path]()
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


# -- the grammar gate's figures for the run --------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """Every emulator the run starts (they inherit the environment) writes its grammar gate
    figures into one directory at exit, for the summary below."""
    if os.environ.get(grammar_gate.STATS_DIR_ENV):
        return  # an outer run collects them
    directory = Path(tempfile.mkdtemp(prefix="oracle-emulator-grammar-"))
    os.environ[grammar_gate.STATS_DIR_ENV] = str(directory)
    config.stash[_STATS_DIR_KEY] = directory


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line for the run: statements checked by the gate, refused, and which."""
    directory = config.stash.get(_STATS_DIR_KEY, None)
    if directory is None:
        return
    figures = [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]
    local = grammar_gate.stats()  # emulators run inside the test process
    if local is not None:
        figures.append(local)
    shutil.rmtree(directory, ignore_errors=True)
    if not figures:
        return
    total = {key: sum(int(f.get(key, 0)) for f in figures) for key in _COUNTS}
    terminalreporter.write_sep("-", "Oracle grammar gate")
    terminalreporter.write_line(
        f"{total['checked']} statements checked ({total['distinct']} parsed, "
        f"{total['cache_hits']} from the cache, {total['shape_hits']} by their shape), "
        f"{total['refused']} refused "
        f"({total['refused_distinct']} distinct), {total['allowed']} allowed by a documented "
        f"allowance, in {len(figures)} emulator processes; first parse "
        f"{max(float(f.get('first_parse_ms', 0)) for f in figures):.0f} ms at most"
    )
    seen: set[str] = set()
    for figure in figures:
        for refusal in figure.get("refusals", []):
            key = f"{refusal['error']} {refusal['sql']}"
            if key not in seen:
                seen.add(key)
                terminalreporter.write_line(f"  refused: {refusal['error']}: {refusal['sql']}")


_COUNTS = (
    "checked",
    "distinct",
    "cache_hits",
    "shape_hits",
    "refused",
    "refused_distinct",
    "allowed",
)
