"""A small client of Airflow 3's public REST API, for end-to-end tests and ``make run``.

It does what a person with ``curl`` would: log in at ``/auth/token`` for a JWT, trigger a DAG
run, poll it, and read task instances, their task state store and their logs. Nothing here
imports Airflow, so it also talks to a stack started from another process.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

#: dag-run states after which nothing more happens
TERMINAL_RUN_STATES = frozenset({"success", "failed"})
POLL_INTERVAL_S = 1.0
REQUEST_TIMEOUT_S = 30.0
#: a read (GET) that times out is sent again this many times: on a saturated 2-core machine
#: the single api-server worker can stall for longer than one timeout
READ_RETRIES = 2
#: the API's page size cap; mapped tasks of a big transport can exceed the default of 50
PAGE_LIMIT = 100
UNAUTHORIZED = 401


class AirflowApiError(RuntimeError):
    """A REST call answered with an error status; the message carries Airflow's detail."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code}: "
            f"{response.text[:2000]}"
        )


def _path(*segments: str) -> str:
    """Run ids hold ``:`` and ``+`` (``manual__2024-01-01T00:00:00+00:00``): quote each."""
    return "/".join(quote(segment, safe="") for segment in segments)


class AirflowClient:
    """Airflow's REST API as ``username``; the JWT is fetched lazily and renewed on a 401."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self._token: str | None = None
        # loopback only: never route through a proxy from the environment
        self._http = httpx.Client(
            base_url=self.base_url, timeout=REQUEST_TIMEOUT_S, trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def token(self) -> str:
        """A fresh JWT for this client's user; :class:`AirflowApiError` (401) if refused."""
        response = self._http.post(
            "/auth/token", json={"username": self.username, "password": self.password}
        )
        if response.status_code >= 400:
            raise AirflowApiError(response)
        self._token = str(response.json()["access_token"])
        return self._token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One authenticated call to ``/api/v2`` + ``path``; the decoded JSON body."""
        response = self._send(method, path, **kwargs)
        if response.status_code == UNAUTHORIZED:  # expired token: log in again, once
            self._token = None
            response = self._send(method, path, **kwargs)
        if response.status_code >= 400:
            raise AirflowApiError(response)
        return response.json() if response.content else None

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        token = self._token or self.token()
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        url = f"/api/v2/{path}"
        for _ in range(READ_RETRIES if method == "GET" else 0):  # only reads are safe to repeat
            try:
                return self._http.request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException:
                continue
        return self._http.request(method, url, headers=headers, **kwargs)

    def health(self) -> dict[str, Any]:
        """``/api/v2/monitor/health`` (needs no login)."""
        response = self._http.get("/api/v2/monitor/health")
        if response.status_code >= 400:
            raise AirflowApiError(response)
        return dict(response.json())

    def dag(self, dag_id: str) -> dict[str, Any]:
        return dict(self.request("GET", _path("dags", dag_id)))

    def import_errors(self) -> list[dict[str, Any]]:
        body = self.request("GET", "importErrors", params={"limit": PAGE_LIMIT})
        return list(body["import_errors"])

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        """Start a run now (``logical_date`` null: manual runs need no date); its run id."""
        body = {"logical_date": None, "conf": conf or {}}
        run = self.request("POST", _path("dags", dag_id, "dagRuns"), json=body)
        return str(run["dag_run_id"])

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return dict(self.request("GET", _path("dags", dag_id, "dagRuns", run_id)))

    def wait(self, dag_id: str, run_id: str, timeout: float = 120.0) -> str:
        """Poll the run every second until it succeeds or fails; its final state."""
        deadline = time.monotonic() + timeout
        while True:
            state = str(self.dag_run(dag_id, run_id)["state"])
            if state in TERMINAL_RUN_STATES:
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} run {run_id} still {state!r} after {timeout} s")
            time.sleep(POLL_INTERVAL_S)

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        """The DAG's runs, oldest first (the first page: tests make few)."""
        params = {"limit": PAGE_LIMIT, "order_by": "run_after"}
        return list(
            self.request("GET", _path("dags", dag_id, "dagRuns"), params=params)["dag_runs"]
        )

    def xcom(
        self, dag_id: str, run_id: str, task_id: str, key: str = "return_value", map_index: int = -1
    ) -> Any:
        """One XCom value of a task instance, as the task pushed it."""
        path = _path(
            "dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "xcomEntries", key
        )
        params = {"map_index": map_index, "deserialize": True, "stringify": False}
        return self.request("GET", path, params=params)["value"]

    def asset_events(self, **filters: Any) -> list[dict[str, Any]]:
        """Asset events (``source_dag_id``, ``source_run_id``, ``asset_id``... as filters)."""
        params = {"limit": PAGE_LIMIT, **filters}
        return list(self.request("GET", "assets/events", params=params)["asset_events"])

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of the run, mapped ones included (one per ``map_index``, with
        its ``rendered_map_index``)."""
        path = _path("dags", dag_id, "dagRuns", run_id, "taskInstances")
        found: list[dict[str, Any]] = []
        while True:
            params = {"limit": PAGE_LIMIT, "offset": len(found)}
            body = self.request("GET", path, params=params)
            found.extend(body["task_instances"])
            if not body["task_instances"] or len(found) >= body["total_entries"]:
                return found

    def task_state_store(
        self, dag_id: str, run_id: str, task_id: str, map_index: int = -1
    ) -> dict[str, Any]:
        """The task instance's task state store as ``{key: value}``."""
        path = _path("dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "state-store")
        params = {"map_index": map_index, "limit": PAGE_LIMIT}
        body = self.request("GET", path, params=params)
        return {entry["key"]: entry["value"] for entry in body["task_state_store"]}

    def log(
        self, dag_id: str, run_id: str, task_id: str, try_number: int = 1, map_index: int = -1
    ) -> str:
        """One try's log as text: each structured line's event, then any error detail."""
        path = _path(
            "dags", dag_id, "dagRuns", run_id, "taskInstances", task_id, "logs", str(try_number)
        )
        params = {"map_index": map_index, "full_content": True}
        body = self.request("GET", path, params=params, headers={"Accept": "application/json"})
        return "\n".join(_log_line(item) for item in body["content"])

    def __enter__(self) -> AirflowClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _log_line(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    line = str(item.get("event", ""))
    if detail := item.get("error_detail"):
        line += f"\n{detail}"
    return line
