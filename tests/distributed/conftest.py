"""A distributed Airflow for the session: CeleryExecutor with two Celery workers on this
machine, PostgreSQL as the metadata database and Redis as the broker (Debian's packages,
started here on free loopback ports), the Oracle and GCS emulators behind the connections."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_etl_stack.airflow_fixtures import E2EStack, connections_env
from oracle_etl_stack.celery_stack import CeleryAirflowStack, celery_env
from oracle_etl_stack.gcs import GcsEmulator
from oracle_etl_stack.services import PostgresServer, RedisServer

log = logging.getLogger(__name__)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def celery_stack(
    oracle_emulator: EmulatorProcess,
    gcs_emulator: GcsEmulator,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CeleryAirflowStack]:
    """api-server, scheduler, dag-processor, triggerer and two Celery workers."""
    home = tmp_path_factory.mktemp("celery-stack")
    env = connections_env(
        oracle_host=oracle_emulator.host,
        oracle_port=oracle_emulator.port,
        service_name=oracle_emulator.service_name,
        gcs_url=gcs_emulator.url,
    ) | celery_env(database_url=postgres_server.sqlalchemy_url(), broker_url=redis_server.url())
    started = time.monotonic()
    stack = CeleryAirflowStack(home, home / "dags", env, broker_url=redis_server.url())
    with stack:
        log.info(
            "Airflow with %d Celery workers up at %s in %.1f s",
            len(stack.workers),
            stack.url,
            time.monotonic() - started,
        )
        yield stack


@pytest.fixture
def celery_airflow(celery_stack: CeleryAirflowStack) -> E2EStack:
    """The session's stack with both workers running (a test that killed one gets it back)."""
    celery_stack.restart_workers()
    return E2EStack(celery_stack, celery_stack.client)
