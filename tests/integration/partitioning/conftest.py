"""A table of awkward keys on the session's emulator, a hook to it, and a partition reader.

The hook's connection comes from an ``AIRFLOW_CONN_*`` environment variable, as Airflow reads
it in production; nothing is mocked. Tables get unique names: the emulator is shared.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator

import oracledb
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from oracle_emulator.process import EmulatorProcess
from tests.integration.partitioning.support import DDL, INSERT, ROWS, key_row

CONN_ID = "oracle_partitioning_test"


@pytest.fixture(scope="module")
def conn_id(oracle_emulator: EmulatorProcess) -> Iterator[str]:
    value = {
        "conn_type": "oracle",
        "host": oracle_emulator.host,
        "port": oracle_emulator.port,
        "login": "demo",
        "password": "demo",
        "extra": {"service_name": oracle_emulator.service_name},
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(value))
        yield CONN_ID


@pytest.fixture(scope="module")
def hook(conn_id: str) -> Iterator[OracleExtractHook]:
    """One hook per module, holding one connection (logging on costs a few tenths of a second)."""
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    with hook.session():
        yield hook


@pytest.fixture(scope="module")
def module_connection(oracle_emulator: EmulatorProcess) -> Iterator[oracledb.Connection]:
    connection = oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn)
    yield connection
    with contextlib.suppress(oracledb.Error):
        connection.close()


def create_keys_table(connection: oracledb.Connection, rows: int = ROWS) -> str:
    name = f"PART_{uuid.uuid4().hex[:10].upper()}"
    with connection.cursor() as cursor:
        cursor.execute(DDL.format(name=name))
        if rows:
            cursor.setinputsizes(None, None, None, None, None, oracledb.DB_TYPE_BINARY_DOUBLE)
            cursor.executemany(INSERT.format(name=name), [key_row(i) for i in range(1, rows + 1)])
    connection.commit()
    return name


def drop_table(connection: oracledb.Connection, name: str) -> None:
    with contextlib.suppress(oracledb.DatabaseError), connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{name}" PURGE')


@pytest.fixture(scope="module")
def keys_table(module_connection: oracledb.Connection) -> Iterator[str]:
    """One table of ``ROWS`` rows for the read-only tests of a module."""
    name = create_keys_table(module_connection)
    yield name
    drop_table(module_connection, name)


@pytest.fixture
def new_keys_table(module_connection: oracledb.Connection) -> Iterator[Callable[[int], str]]:
    """Tables a test may change; dropped afterwards."""
    created: list[str] = []

    def create(rows: int = ROWS) -> str:
        created.append(create_keys_table(module_connection, rows))
        return created[-1]

    yield create
    for name in created:
        drop_table(module_connection, name)
