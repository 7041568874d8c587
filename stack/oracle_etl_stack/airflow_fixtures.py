"""Pytest fixture ``airflow_stack``: one real Airflow per test session, wired to the Oracle and
GCS emulators, with a dags folder that tests drop DAG files into.

The connections are the demo transport's (``oracle_demo``, ``gcs_demo``), so a transport YAML
written for ``make run`` runs unchanged against the test stack.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_stack import (
    GCP_CONN_ID,
    ORACLE_CONN_ID,
    AirflowStack,
    connections_env,
)
from oracle_etl_stack.gcs import GcsEmulator
from oracle_etl_stack.lineage_receiver import LineageReceiver

log = logging.getLogger(__name__)

__all__ = [
    "GCP_CONN_ID",
    "LINEAGE_NAMESPACE",
    "ORACLE_CONN_ID",
    "E2EStack",
    "airflow_stack",
    "connections_env",
    "lineage_receiver",
]

#: the OpenLineage namespace of the stack's jobs
LINEAGE_NAMESPACE = "oracle-etl-e2e"

NOT_FOUND = 404
PARSE_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.5


@dataclass
class E2EStack:
    """What a test gets: the running stack, a logged-in client, and the dags folder."""

    stack: AirflowStack
    client: AirflowClient

    @property
    def dags_folder(self) -> Path:
        return self.stack.dags_folder

    def write_file(self, name: str, source: str) -> Path:
        """Write ``NAME.py`` whole (through a rename, so the parser never sees half a file)."""
        path = self.dags_folder / f"{name}.py"
        staging = self.dags_folder / f".{name}.py.tmp"
        staging.write_text(source)
        staging.replace(path)
        return path

    def add_dag(
        self, name: str, source: str, dag_id: str | None = None, timeout: float = PARSE_TIMEOUT_S
    ) -> dict[str, Any]:
        """Drop ``source`` in as ``NAME.py`` and wait until Airflow serves DAG ``dag_id``
        (``name`` by default); fails early with the file's import error if it has one."""
        path = self.write_file(name, source)
        dag_id = dag_id or name
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.client.dag(dag_id)
            except AirflowApiError as error:
                if error.status_code != NOT_FOUND:
                    raise
            if failure := self.import_error(path):
                raise AssertionError(f"{path.name} does not import:\n{failure}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAG {dag_id!r} not parsed in {timeout} s")
            time.sleep(POLL_INTERVAL_S)

    def import_error(self, path: Path) -> str | None:
        """The stack trace Airflow recorded for ``path``, if any."""
        for error in self.client.import_errors():
            if Path(error["filename"]).name == path.name:
                return str(error["stack_trace"])
        return None

    def wait_for_import_error(self, name: str, timeout: float = PARSE_TIMEOUT_S) -> str:
        path = self.dags_folder / f"{name}.py"
        deadline = time.monotonic() + timeout
        while (failure := self.import_error(path)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no import error for {path.name} in {timeout} s")
            time.sleep(POLL_INTERVAL_S)
        return failure


@pytest.fixture(scope="session")
def lineage_receiver() -> Iterator[LineageReceiver]:
    """The session's OpenLineage receiver: ``airflow_stack`` sends its events there."""
    with LineageReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def airflow_stack(
    oracle_emulator: EmulatorProcess,
    gcs_emulator: GcsEmulator,
    lineage_receiver: LineageReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[E2EStack]:
    """api-server, scheduler, dag-processor and triggerer (LocalExecutor, SQLite) for the
    session, with ``oracle_demo`` and ``gcs_demo`` connections to the emulators, and
    OpenLineage events sent over HTTP to ``lineage_receiver``."""
    home = tmp_path_factory.mktemp("airflow-stack")
    env = connections_env(
        oracle_host=oracle_emulator.host,
        oracle_port=oracle_emulator.port,
        service_name=oracle_emulator.service_name,
        gcs_url=gcs_emulator.url,
    )
    env["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(lineage_receiver.transport_config())
    env["AIRFLOW__OPENLINEAGE__NAMESPACE"] = LINEAGE_NAMESPACE
    started = time.monotonic()
    with AirflowStack(home, home / "dags", env) as stack:
        log.info(
            "Airflow up at %s in %.1f s, RSS %.0f MiB",
            stack.url,
            time.monotonic() - started,
            stack.rss_bytes() / 2**20,
        )
        yield E2EStack(stack, stack.client)
