"""Shared helpers for end-to-end tests of the plugin (``/oracle-etl``) on the session's stack.

Import the fixtures into a test module (under their ``*_fixture`` names, so the names a test
asks for do not shadow the imports); they build on ``airflow_stack``::

    from tests.e2e.plugin_support import (  # noqa: F401 (fixtures)
        plugin_api_fixture,
        transports_folder_fixture,
    )

- ``transports_folder`` (fixture): installs the loader DAG file ``dags/transports.py`` in the
  stack's dags folder with an empty ``transports/`` beside it (the plugin's default folder);
  its path. Safe to request from several modules: installing is idempotent.
- ``plugin_api`` (fixture): a :class:`PluginApi` calling ``/oracle-etl`` routes as the admin,
  the viewer, or nobody.
- :func:`transport_data`, :func:`write_transport`: a transport over the demo connections, as
  a dict (a POST body) or dropped into the folder as YAML.
- :func:`wait_for_dag`: until Airflow's own REST API serves the DAG (the loader re-parses
  every ~10 s in the test stack).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack

__all__ = [
    "ADMIN",
    "ANONYMOUS",
    "OUTSIDER",
    "VIEWER",
    "PluginApi",
    "plugin_api_fixture",
    "transport_data",
    "transports_folder_fixture",
    "unique_id",
    "wait_for_dag",
    "write_transport",
]

LOADER = Path(__file__).resolve().parents[2] / "dags" / "transports.py"
URL_PREFIX = "/oracle-etl"
#: who calls: the stack's admin, its read-only viewer, or nobody (no token at all)
ADMIN = "admin"
VIEWER = "viewer"
#: logged in, but refused every DAG by the test stack's auth manager
OUTSIDER = "outsider"
ANONYMOUS = None
#: the loader parses every 10 s; a busy 2-core machine may take a few rounds
DAG_TIMEOUT_S = 180.0
POLL_INTERVAL_S = 0.5
NOT_FOUND = 404


def unique_id(prefix: str = "tp") -> str:
    """A transport (DAG) id no other test of the session uses: ``PREFIX_1a2b3c4d``."""
    return f"{prefix}_{secrets.token_hex(4)}"


def install_loader(e2e: E2EStack) -> Path:
    """The loader DAG file in the stack's dags folder and ``transports/`` beside it (created
    first: the loader fails on a missing folder); the folder. Rewrites the loader only when
    it differs, so calling again does not trigger a re-parse."""
    folder = e2e.dags_folder / "transports"
    folder.mkdir(exist_ok=True)
    source = LOADER.read_text()
    target = e2e.dags_folder / LOADER.name
    if not target.exists() or target.read_text() != source:
        e2e.write_file(LOADER.stem, source)
    return folder


@pytest.fixture(scope="session", name="transports_folder")
def transports_folder_fixture(airflow_stack: E2EStack) -> Path:
    """The stack's transports folder, read by the loader DAG file and by the plugin."""
    return install_loader(airflow_stack)


def transport_data(
    transport_id: str, bucket: str, tables: list[Any] | None = None, **fields: Any
) -> dict[str, Any]:
    """A transport over the stack's demo connections (DEMO.CUSTOMER by default), manual
    runs only and no retries, as the JSON body of ``POST /oracle-etl/transports``."""
    return {
        "id": transport_id,
        "schedule": None,
        "oracle_conn_id": ORACLE_CONN_ID,
        "destination": {"gcp_conn_id": GCP_CONN_ID, "bucket": bucket, "prefix": "e2e"},
        "retries": 0,
        "tables": tables or ["DEMO.CUSTOMER"],
        **fields,
    }


def write_transport(folder: Path, name: str, content: dict[str, Any] | str) -> Path:
    """Drop ``NAME.yaml`` into ``folder`` whole (through a hidden file and a rename, so the
    loader never reads half of it); ``content`` is YAML text or data to dump."""
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path = folder / f"{name}.yaml"
    staging = folder / f".{name}.yaml.tmp"
    staging.write_text(text)
    staging.replace(path)
    return path


def wait_for_dag(client: AirflowClient, dag_id: str, timeout: float = DAG_TIMEOUT_S) -> dict:
    """Airflow's DAG ``dag_id`` once its REST API serves it as active (not stale)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            dag = client.dag(dag_id)
            if not dag["is_stale"]:
                return dag
        except AirflowApiError as error:
            if error.status_code != NOT_FOUND:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"DAG {dag_id!r} not registered in {timeout} s")
        time.sleep(POLL_INTERVAL_S)


class PluginApi:
    """The plugin's routes over HTTP: ``api.get("/transports", as_=VIEWER)`` returns the
    :class:`httpx.Response` whatever its status, for tests to assert on.

    ``as_`` picks the bearer token: :data:`ADMIN`, :data:`VIEWER`, :data:`OUTSIDER`, or
    :data:`ANONYMOUS` for none. :attr:`http` is the underlying client (base URL
    ``.../oracle-etl``), e.g. for streaming with ``http.stream(..., headers=api.headers(VIEWER))``.
    """

    def __init__(self, e2e: E2EStack) -> None:
        self._e2e = e2e
        self._tokens: dict[str, str] = {}
        self.http = httpx.Client(base_url=e2e.stack.url + URL_PREFIX, timeout=60.0, trust_env=False)

    def headers(self, as_: str | None = ADMIN) -> dict[str, str]:
        """The Authorization header of ``as_`` (none for :data:`ANONYMOUS`)."""
        if as_ is None:
            return {}
        if as_ not in self._tokens:
            self._tokens[as_] = self._login(as_)
        return {"Authorization": f"Bearer {self._tokens[as_]}"}

    def _login(self, who: str) -> str:
        if who == ADMIN:
            return self._e2e.client.token()
        if who == VIEWER:
            with self._e2e.stack.viewer_client() as viewer:
                return viewer.token()
        if who == OUTSIDER:
            with self._e2e.stack.outsider_client() as outsider:
                return outsider.token()
        raise ValueError(f"unknown caller {who!r}")

    def request(
        self, method: str, path: str, *, as_: str | None = ADMIN, **kwargs: Any
    ) -> httpx.Response:
        headers = {**self.headers(as_), **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, *, as_: str | None = ADMIN, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, as_=as_, **kwargs)

    def post(self, path: str, *, as_: str | None = ADMIN, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, as_=as_, **kwargs)

    def delete(self, path: str, *, as_: str | None = ADMIN, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, as_=as_, **kwargs)

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="session", name="plugin_api")
def plugin_api_fixture(airflow_stack: E2EStack, transports_folder: Path) -> Iterator[PluginApi]:
    """A :class:`PluginApi` on the session's stack, with the loader installed."""
    api = PluginApi(airflow_stack)
    yield api
    api.close()
