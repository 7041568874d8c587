"""Airflow connections to the session's emulator, and throw-away tables built from BENCH_ROWS.

Connections come from ``AIRFLOW_CONN_*`` environment variables, as Airflow reads them in
production; nothing is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import oracledb
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from oracle_emulator.process import EmulatorProcess

CONN_ID = "oracle_test"
DEMO_PASSWORD = "demo"


@pytest.fixture
def set_connection(
    oracle_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., str]:
    """Define an Airflow connection to the emulator; fields and extras may be overridden."""

    def define(
        conn_id: str = CONN_ID, *, extra: dict[str, Any] | None = None, **fields: Any
    ) -> str:
        value = {
            "conn_type": "oracle",
            "host": oracle_emulator.host,
            "port": oracle_emulator.port,
            "login": "demo",
            "password": DEMO_PASSWORD,
            "extra": {"service_name": oracle_emulator.service_name} if extra is None else extra,
        } | fields
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(value))
        return conn_id

    return define


@pytest.fixture
def hook(set_connection: Callable[..., str]) -> OracleExtractHook:
    return OracleExtractHook(oracle_conn_id=set_connection())


@pytest.fixture
def connection(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    return oracle_connect()


@pytest.fixture
def bench_table(new_table: Callable[[str], str]) -> Callable[[int], str]:
    """A copy of the first ``n`` BENCH_ROWS rows (IDs 1..n) under a fresh name."""

    def create(rows: int) -> str:
        return new_table(f"CREATE TABLE {{name}} AS SELECT * FROM BENCH_ROWS WHERE ID <= {rows}")

    return create
