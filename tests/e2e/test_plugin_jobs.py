"""The plugin's job routes on a real Airflow: ``GET /oracle-etl/jobs``, ``/jobs/{run_id}`` and
its Server-Sent Events stream, for a real transport job.

One job is shared by the module: a transport over DEMO.BENCH_ROWS (fetched in small round
trips, so it runs long enough to be watched) and DEMO.SALES_LINE_ITEM in two partitions. A
second, paused transport gets a run with the same run id, which stays queued: it is the
ambiguous case (409) and a job whose plan has not run (no tables yet). Nothing asserts a
duration: waits have limits, and a slow machine only makes them longer.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import oracledb
import pytest

from oracle_etl_stack.airflow_fixtures import E2EStack
from oracle_etl_stack.gcs import EMULATOR_ENV, GcsEmulator, empty_bucket
from tests.e2e.plugin_support import (  # noqa: F401 (fixtures)
    ADMIN,
    ANONYMOUS,
    OUTSIDER,
    VIEWER,
    PluginApi,
    plugin_api_fixture,
    transport_data,
    transports_folder_fixture,
    unique_id,
    wait_for_dag,
    write_transport,
)

#: the stack's start, a job of a minute or two, and slack for a busy machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

BIG_TABLE = "DEMO.BENCH_ROWS"
PARTITIONED_TABLE = "DEMO.SALES_LINE_ITEM"
#: rows per round trip: few, so the big table's 100,000 rows take many progress intervals
FETCH_ROWS = 2
#: the extract tasks publish their progress this often (the transport's option)
PROGRESS_INTERVAL_S = 0.5
#: the event stream's interval for the tests (the route's minimum is 0.2 s)
INTERVAL_S = 0.5
#: limits of the waits, never asserted as durations
START_TIMEOUT_S = 300.0
RUN_TIMEOUT_S = 600.0
STREAM_TIMEOUT = httpx.Timeout(60.0)


@dataclass(frozen=True)
class SharedJob:
    transport: str
    run_id: str
    #: a paused transport with a queued run of the same run id
    other: str


@pytest.fixture(scope="module")
def job(
    airflow_stack: E2EStack, transports_folder: Path, gcs_emulator: GcsEmulator
) -> Iterator[SharedJob]:
    client = airflow_stack.client
    with pytest.MonkeyPatch.context() as env:  # the client reads it when built
        env.setenv(EMULATOR_ENV, gcs_emulator.url)
        bucket = gcs_emulator.client().create_bucket(f"jb-{secrets.token_hex(8)}")
    transport, other = unique_id("jb"), unique_id("jb")
    tables = [BIG_TABLE, {"table": PARTITIONED_TABLE, "partitions": 2}]
    fetch = {"arraysize": FETCH_ROWS, "batch_rows": FETCH_ROWS}
    write_transport(
        transports_folder,
        transport,
        transport_data(
            transport,
            bucket.name,
            tables,
            parallel_tables=3,
            fetch=fetch,
            progress_interval_seconds=PROGRESS_INTERVAL_S,
        ),
    )
    write_transport(transports_folder, other, transport_data(other, bucket.name))
    wait_for_dag(client, transport)
    wait_for_dag(client, other)
    client.request("PATCH", f"dags/{other}", json={"is_paused": True})
    run_id = client.trigger(transport)
    client.request(
        "POST", f"dags/{other}/dagRuns", json={"dag_run_id": run_id, "logical_date": None}
    )
    yield SharedJob(transport, run_id, other)
    try:
        client.wait(transport, run_id, timeout=RUN_TIMEOUT_S)  # not a run writing into nothing
    finally:
        empty_bucket(bucket)


def _job_path(run_id: str, suffix: str = "") -> str:
    return f"/jobs/{quote(run_id, safe='')}{suffix}"


# -- reading a stream -----------------------------------------------------------------------


@dataclass
class Event:
    event: str | None
    id: int | None
    data: Any
    retry: str | None = None


def read_events(response: httpx.Response) -> Iterator[Event]:
    """The events of an SSE response as they arrive (comments skipped)."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if fields:
                data = fields.get("data")
                yield Event(
                    event=fields.get("event"),
                    id=int(fields["id"]) if "id" in fields else None,
                    data=None if data is None else json.loads(data),
                    retry=fields.get("retry"),
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def stream(api: PluginApi, job: SharedJob, as_: str | None = VIEWER, **headers: str) -> Any:
    """``GET .../events`` as a context manager giving the streaming response."""
    return api.http.stream(
        "GET",
        _job_path(job.run_id, "/events"),
        params={"transport": job.transport, "interval": INTERVAL_S},
        headers={**api.headers(as_), **headers},
        timeout=STREAM_TIMEOUT,
    )


def _wait_end(events: Iterator[Event], deadline: float) -> tuple[list[Event], Event]:
    seen = []
    for event in events:
        seen.append(event)
        if event.event == "end":
            return seen, event
        assert time.monotonic() < deadline, "the run did not end"
    raise AssertionError(f"the stream closed without an end event after {len(seen)} events")


# -- tests ----------------------------------------------------------------------------------


def test_the_event_stream_follows_the_job_resumes_and_ends(
    plugin_api: PluginApi,
    job: SharedJob,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    big_rows: list[int] = []
    ids: list[int] = []
    with stream(plugin_api, job) as response:
        assert response.status_code == 200, response.read()
        events = read_events(response)
        assert next(events).retry == "2000"
        first = next(events)
        assert first.event == "job" and first.data["job_id"] == job.run_id
        assert "tables" not in first.data
        ids.append(first.id)
        for event in events:
            assert event.event != "end", f"the job ended before {BIG_TABLE} was seen advancing"
            assert time.monotonic() < deadline, f"{BIG_TABLE} seen running with {big_rows}"
            ids.append(event.id)
            data = event.data
            if event.event == "table" and data["table"] == BIG_TABLE and data["state"] == "running":
                assert (data["job_id"], data["transport"]) == (job.run_id, job.transport)
                if data["rows"] > 0:
                    big_rows.append(data["rows"])
                if len(set(big_rows)) >= 2:
                    break
    assert ids == sorted(set(ids)), "event ids must strictly increase"
    assert big_rows == sorted(big_rows) and big_rows[-1] > big_rows[0]

    # reconnect as EventSource does: only later ids, the job first, then on to the end
    last_id = ids[-1]
    with stream(plugin_api, job, **{"Last-Event-ID": str(last_id)}) as response:
        assert response.status_code == 200, response.read()
        events = read_events(response)
        assert next(events).retry == "2000"
        resumed, end = _wait_end(events, time.monotonic() + RUN_TIMEOUT_S)
    assert resumed[0].event == "job"
    assert all(event.id > last_id for event in resumed)
    assert [e.id for e in resumed] == sorted({e.id for e in resumed})

    with oracle_connect().cursor() as cursor:
        counts = {
            table: cursor.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (BIG_TABLE, PARTITIONED_TABLE)
        }
    final = end.data
    assert final["state"] == "success", final
    assert final["totals"]["rows"] == sum(counts.values())
    assert "tables" not in final  # each table's final state came before the end
    seen = {e.data["table"]: e.data for e in resumed if e.event == "table"}
    # the REST view of the finished job says the same
    body = plugin_api.get(_job_path(job.run_id), params={"transport": job.transport}).json()
    assert body["totals"] == final["totals"]
    tables = {t["table"]: t for t in body["tables"]}
    assert {name: t["rows"] for name, t in tables.items()} == counts
    assert all(t["state"] == "success" and t["eta_seconds"] == 0 for t in tables.values())
    assert tables[PARTITIONED_TABLE]["partitions"] == tables[PARTITIONED_TABLE]["partitions_done"]
    assert tables[PARTITIONED_TABLE]["partitions"] == 2
    for name, table in seen.items():  # the last event of a table is its final state
        if table["state"] == "success":
            event_table = {k: v for k, v in table.items() if k not in ("job_id", "transport")}
            assert event_table == tables[name]

    # a client that has seen the end is told to stop reconnecting (header or query)
    with stream(plugin_api, job, **{"Last-Event-ID": str(end.id)}) as response:
        assert response.status_code == 204
    params = {"transport": job.transport, "last_event_id": end.id}
    after = plugin_api.get(_job_path(job.run_id, "/events"), params=params, as_=VIEWER)
    assert after.status_code == 204
    # one that missed it gets the end again, with the same id
    with stream(plugin_api, job, **{"Last-Event-ID": str(last_id)}) as response:
        again = [e for e in read_events(response) if e.event == "end"]
    assert [e.id for e in again] == [end.id]


def test_a_job_answers_pages_of_its_tables_with_totals_over_all(
    plugin_api: PluginApi, job: SharedJob
) -> None:
    """Pages of one table each, in plan order, and a filter by state: whatever the page, the
    totals cover every table. Read once the job has ended, so its tables stand still."""
    client_params = {"transport": job.transport}
    path = _job_path(job.run_id)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (whole := plugin_api.get(path, params=client_params).json())["state"] != "success":
        assert whole["state"] in ("queued", "running"), whole
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(INTERVAL_S)
    names = [t["table"] for t in whole["tables"]]
    assert names == [BIG_TABLE, PARTITIONED_TABLE]  # the transport's order
    assert whole["page"] == {"offset": 0, "limit": 100, "matching": 2}
    totals = whole["totals"]
    assert (totals["tables"], totals["tables_by_state"]["success"]) == (2, 2)
    assert totals["progress"] == 1.0
    pages = [
        plugin_api.get(path, params={**client_params, "offset": i, "limit": 1}).json()
        for i in range(3)
    ]
    assert [[t["table"] for t in p["tables"]] for p in pages] == [
        [BIG_TABLE],
        [PARTITIONED_TABLE],
        [],
    ]
    assert all(p["totals"] == totals and p["page"]["matching"] == 2 for p in pages)
    assert [p["tables"][0] for p in pages[:2]] == whole["tables"]
    done = plugin_api.get(
        path, params=[*client_params.items(), ("state", "success"), ("state", "failed")]
    )
    assert [t["table"] for t in done.json()["tables"]] == names
    failed = plugin_api.get(path, params={**client_params, "state": "failed"}).json()
    assert (failed["tables"], failed["page"]["matching"], failed["totals"]) == ([], 0, totals)
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}, {"state": "done"}):
        refused = plugin_api.get(path, params={**client_params, **bad})
        assert refused.status_code == 422, (bad, refused.text)
    # a stream opened at the page's event id: the job, nothing older, the end
    params = {**client_params, "interval": INTERVAL_S, "last_event_id": whole["event_id"]}
    with plugin_api.http.stream(
        "GET",
        _job_path(job.run_id, "/events"),
        params=params,
        headers=plugin_api.headers(VIEWER),
        timeout=STREAM_TIMEOUT,
    ) as response:
        events = [e for e in read_events(response) if e.event]
    assert events[0].event == "job" and events[-1].event == "end"
    assert all(e.id > whole["event_id"] for e in events)


#: small tables that one packed extract task reads one after another
PACKED_TABLES = ["DEMO.CUSTOMER", "DEMO.SALES_ORDER", "DEMO.ALL_TYPES"]


def test_a_packed_task_shows_one_row_per_table(
    airflow_stack: E2EStack,
    transports_folder: Path,
    gcs_emulator: GcsEmulator,
    plugin_api: PluginApi,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    """Three tables packed into one extract task (``packing.groups: 1``): the task's label
    names the first and how many more, the job one row per table with its own rows."""
    client = airflow_stack.client
    with pytest.MonkeyPatch.context() as env:
        env.setenv(EMULATOR_ENV, gcs_emulator.url)
        bucket = gcs_emulator.client().create_bucket(f"jp-{secrets.token_hex(8)}")
    transport = unique_id("jp")
    data = transport_data(transport, bucket.name, PACKED_TABLES, packing={"groups": 1})
    write_transport(transports_folder, transport, data)
    try:
        wait_for_dag(client, transport)
        run_id = client.trigger(transport)
        assert client.wait(transport, run_id, timeout=RUN_TIMEOUT_S) == "success"
        extracts = [
            t for t in client.task_instances(transport, run_id) if t["task_id"] == "extract"
        ]
        assert [t["rendered_map_index"] for t in extracts] == ["DEMO.CUSTOMER +2"]
        path, params = _job_path(run_id), {"transport": transport}
        body = plugin_api.get(path, params=params, as_=VIEWER).json()
        with oracle_connect().cursor() as cursor:
            counts = {
                table: cursor.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in PACKED_TABLES
            }
        assert [t["table"] for t in body["tables"]] == PACKED_TABLES
        assert {t["table"]: t["rows"] for t in body["tables"]} == counts
        assert all(
            (t["state"], t["partitions"], t["partitions_done"], t["error"])
            == ("success", 1, 1, None)
            for t in body["tables"]
        )
        assert all(isinstance(t["estimated_bytes"], int) for t in body["tables"])
        assert body["totals"]["tables_by_state"]["success"] == 3
        assert body["totals"]["rows"] == sum(counts.values())
        second = plugin_api.get(path, params={**params, "offset": 2, "limit": 2}).json()
        assert second["tables"] == body["tables"][2:] and second["page"]["matching"] == 3
    finally:
        empty_bucket(bucket)


@pytest.mark.parametrize("suffix", ["", "/events"])
def test_job_routes_need_a_login_and_let_a_viewer_read(
    plugin_api: PluginApi, job: SharedJob, suffix: str
) -> None:
    path = _job_path(job.run_id, suffix)
    params = {"transport": job.transport, "interval": INTERVAL_S}
    for who, expected in ((ANONYMOUS, 401), (OUTSIDER, 403), (VIEWER, 200), (ADMIN, 200)):
        # streamed, so the event stream's first bytes suffice and the connection is let go
        with plugin_api.http.stream(
            "GET", path, params=params, headers=plugin_api.headers(who), timeout=STREAM_TIMEOUT
        ) as response:
            assert response.status_code == expected, (who, response.read())
            if expected == 200 and suffix:
                assert response.headers["content-type"].startswith("text/event-stream")
                assert response.headers["cache-control"] == "no-cache"
                assert response.headers["x-accel-buffering"] == "no"
                assert next(read_events(response)).retry == "2000"
            elif expected == 200:
                response.read()
                body = response.json()
                assert (body["job_id"], body["transport"]) == (job.run_id, job.transport)
    unknown = plugin_api.get(_job_path("manual__no_such_run", suffix), as_=VIEWER)
    assert unknown.status_code == 404, unknown.text
    no_transport = plugin_api.get(path, params={"transport": "jb_no_such_transport"})
    assert no_transport.status_code == 404, no_transport.text
    # the transport is known from the query: 403 before anything is looked up
    hidden = plugin_api.get(path, params={"transport": "jb_no_such_transport"}, as_=OUTSIDER)
    assert hidden.status_code == 403, hidden.text


def test_the_job_list_needs_a_login_and_shows_transport_runs_newest_first(
    plugin_api: PluginApi, job: SharedJob
) -> None:
    assert plugin_api.get("/jobs", as_=ANONYMOUS).status_code == 401
    assert plugin_api.get("/jobs", as_=OUTSIDER).status_code == 403
    outsider = plugin_api.get("/jobs", params={"transport": job.transport}, as_=OUTSIDER)
    assert outsider.status_code == 403, outsider.text
    for who in (VIEWER, ADMIN):
        response = plugin_api.get("/jobs", params={"transport": job.transport}, as_=who)
        assert response.status_code == 200, response.text
        (listed,) = response.json()["jobs"]
        assert (listed["job_id"], listed["transport"]) == (job.run_id, job.transport)
        assert listed["run_type"] == "manual" and listed["conf"] == {}
        assert listed["state"] in ("queued", "running", "success")
    everything = plugin_api.get("/jobs", params={"limit": 100}, as_=VIEWER).json()["jobs"]
    assert {(job.run_id, job.transport), (job.run_id, job.other)} <= {
        (j["job_id"], j["transport"]) for j in everything
    }
    assert len(plugin_api.get("/jobs", params={"limit": 1}).json()["jobs"]) == 1
    unknown = plugin_api.get("/jobs", params={"transport": "jb_no_such_transport"})
    assert unknown.status_code == 404, unknown.text
    hidden = plugin_api.get("/jobs", params={"transport": "jb_no_such_transport"}, as_=OUTSIDER)
    assert hidden.status_code == 403, hidden.text


def test_a_run_id_of_two_transports_needs_the_transport(
    plugin_api: PluginApi, job: SharedJob
) -> None:
    ambiguous = plugin_api.get(_job_path(job.run_id), as_=VIEWER)
    assert ambiguous.status_code == 409, ambiguous.text
    assert "?transport=" in ambiguous.json()["detail"]
    queued = plugin_api.get(_job_path(job.run_id), params={"transport": job.other}).json()
    assert (queued["transport"], queued["state"], queued["tables"]) == (job.other, "queued", [])
