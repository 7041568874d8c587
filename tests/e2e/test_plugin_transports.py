"""``/oracle-etl/transports`` on a real Airflow: who may call what (401, 403, 200), a transport
created over REST becoming a DAG that runs one job, the checks behind 422 and 409, and a
broken file listed with its problems while the other transports keep their DAGs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from google.cloud import storage

from oracle_etl_stack.airflow_fixtures import E2EStack
from tests.e2e.plugin_support import (  # noqa: F401 (fixtures)
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

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 300.0
#: a body that is no valid transport: a viewer must get 403, not 422
INVALID_BODY = {"id": "tp_viewer_attempt", "tables": []}


@pytest.fixture(scope="module")
def listed(
    airflow_stack: E2EStack, transports_folder: Path, plugin_api: PluginApi
) -> Iterator[str]:
    """A transport written straight into the folder, its DAG registered by Airflow; its id."""
    transport_id = unique_id("tp_listed")
    path = write_transport(
        transports_folder, transport_id, transport_data(transport_id, "tp-listed-bucket")
    )
    wait_for_dag(airflow_stack.client, transport_id)
    yield transport_id
    path.unlink(missing_ok=True)


def _routes(transport_id: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/health"),
        ("GET", "/transports"),
        ("GET", f"/transports/{transport_id}"),
        ("POST", "/transports"),
        ("DELETE", f"/transports/{transport_id}"),
        ("POST", f"/transports/{transport_id}/execute"),
    ]


def test_every_route_needs_a_login(plugin_api: PluginApi, listed: str) -> None:
    for method, path in _routes(listed):
        response = plugin_api.request(method, path, as_=ANONYMOUS, json=INVALID_BODY)
        assert response.status_code == 401, (method, path, response.text)


def test_a_user_refused_every_dag_gets_403_everywhere(
    transports_folder: Path, plugin_api: PluginApi, listed: str
) -> None:
    # a transport that does not exist is no different: 403 before the folder is read
    for method, path in _routes(listed) + _routes("tp_nope"):
        response = plugin_api.request(method, path, as_=OUTSIDER, json=INVALID_BODY)
        assert response.status_code == 403, (method, path, response.text)
        assert "Forbidden" in response.json()["detail"]
    assert (transports_folder / f"{listed}.yaml").exists()


def test_a_viewer_reads_but_cannot_create_delete_or_execute(
    airflow_stack: E2EStack, transports_folder: Path, plugin_api: PluginApi, listed: str
) -> None:
    expected = dict.fromkeys(_routes(listed), 403)
    expected |= {("GET", "/health"): 200, ("GET", "/transports"): 200}
    expected[("GET", f"/transports/{listed}")] = 200
    for (method, path), status in expected.items():
        response = plugin_api.request(method, path, as_=VIEWER, json=INVALID_BODY)
        assert response.status_code == status, (method, path, response.text)
        if status == 403:
            assert "Forbidden" in response.json()["detail"]

    listing = plugin_api.get("/transports", as_=VIEWER).json()
    assert listed in [t["id"] for t in listing["transports"]]
    assert "invalid" in listing
    assert plugin_api.get("/health", as_=VIEWER).json()["transports_folder_exists"] is True
    assert (transports_folder / f"{listed}.yaml").exists()
    assert not (transports_folder / f"{INVALID_BODY['id']}.yaml").exists()
    runs = airflow_stack.client.request("GET", f"dags/{listed}/dagRuns")
    assert runs["total_entries"] == 0


def test_invalid_transports_and_run_confs_are_422_with_field_paths(
    plugin_api: PluginApi, listed: str
) -> None:
    body = transport_data(
        unique_id(), "tp-bucket", tables=[{"table": "CUSTOMER", "partitions": 0}], api_token="x"
    )
    response = plugin_api.post("/transports", json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    locs = {tuple(problem["loc"]): problem for problem in detail}
    assert set(locs) == {("body", "tables", 0, "partitions"), ("body", "api_token")}
    assert all(problem["type"] == "transport_invalid" for problem in detail)
    assert "between 1 and" in locs[("body", "tables", 0, "partitions")]["msg"]
    assert "no secrets" in locs[("body", "api_token")]["msg"]

    not_json = plugin_api.post("/transports", content=b"{", headers={"Content-Type": "x"})
    assert not_json.status_code == 422 and not_json.json()["detail"][0]["loc"] == ["body"]

    execute = f"/transports/{listed}/execute"
    bad_confs = [
        ({"tables": "CUSTOMER"}, ["body", "tables"]),
        ({"tables": ["NO_SUCH_TABLE"]}, ["body", "tables"]),
        ({"full_refresh": "yes"}, ["body", "full_refresh"]),
        ({"table": ["CUSTOMER"]}, ["body", "table"]),
    ]
    for conf, loc in bad_confs:
        response = plugin_api.post(execute, json=conf)
        assert response.status_code == 422, (conf, response.text)
        assert [problem["loc"] for problem in response.json()["detail"]] == [loc], conf

    for method, path in [("GET", "/transports/tp_nope"), ("DELETE", "/transports/tp_nope"),
                         ("POST", "/transports/tp_nope/execute")]:  # fmt: skip
        response = plugin_api.request(method, path)
        assert response.status_code == 404, (method, response.text)
        assert "no transport 'tp_nope'" in response.json()["detail"]


def test_a_created_transport_becomes_a_dag_and_runs_a_job(
    airflow_stack: E2EStack,
    transports_folder: Path,
    plugin_api: PluginApi,
    gcs_bucket: storage.Bucket,
) -> None:
    client, transport_id = airflow_stack.client, unique_id()
    body = transport_data(transport_id, gcs_bucket.name, name="Customers", tags=["e2e"])

    created = plugin_api.post("/transports", json=body)
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"/oracle-etl/transports/{transport_id}"
    transport = created.json()
    assert (transport["id"], transport["display_name"]) == (transport_id, "Customers")
    assert transport["file"] == f"{transport_id}.yaml"
    assert transport["tables"][0]["table"] == "DEMO.CUSTOMER"
    assert transport["destination"]["bucket"] == gcs_bucket.name
    assert transport["dag_registered"] is False and "next parse" in transport["note"]
    assert (transports_folder / f"{transport_id}.yaml").read_text().count(transport_id) >= 1

    again = plugin_api.post("/transports", json=body)
    assert again.status_code == 409 and "is taken" in again.json()["detail"]

    wait_for_dag(client, transport_id)
    shown = plugin_api.get(f"/transports/{transport_id}").json()
    assert (shown["dag_registered"], shown["dag_paused"]) == (True, False)
    listing = plugin_api.get("/transports").json()
    assert transport_id in [t["id"] for t in listing["transports"]]

    executed = plugin_api.post(f"/transports/{transport_id}/execute", json={"tables": ["CUSTOMER"]})
    assert executed.status_code == 201, executed.text
    job = executed.json()
    run_id = job["job_id"]
    assert run_id.startswith("job__") and job["transport"] == transport_id
    assert job["links"] == {
        "job": f"/oracle-etl/jobs/{run_id}?transport={transport_id}",
        "events": f"/oracle-etl/jobs/{run_id}/events?transport={transport_id}",
        "airflow": f"/dags/{transport_id}/runs/{run_id}",
    }
    assert executed.headers["Location"] == job["links"]["job"]
    run = client.dag_run(transport_id, run_id)
    assert run["conf"] == {"tables": ["CUSTOMER"]}
    assert (run["triggered_by"], run["triggering_user_name"]) == ("rest_api", "admin")

    busy = plugin_api.delete(f"/transports/{transport_id}")
    assert busy.status_code == 409 and run_id in busy.json()["detail"]

    assert client.wait(transport_id, run_id, timeout=RUN_TIMEOUT_S) == "success"
    assert any(f"/{transport_id}/" in blob.name for blob in gcs_bucket.list_blobs())

    deleted = plugin_api.delete(f"/transports/{transport_id}")
    assert deleted.status_code == 204, deleted.text
    assert not (transports_folder / f"{transport_id}.yaml").exists()
    assert plugin_api.get(f"/transports/{transport_id}").status_code == 404
    assert client.dag_run(transport_id, run_id)["state"] == "success"  # history kept


def test_an_id_of_a_dag_from_another_dag_file_is_taken(
    airflow_stack: E2EStack, transports_folder: Path, plugin_api: PluginApi
) -> None:
    dag_id = unique_id("tp_python")
    source = (
        "import datetime as dt\n\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "from airflow.sdk import DAG\n\n"
        f"with DAG({dag_id!r}, schedule=None, start_date=dt.datetime(2024, 1, 1)):\n"
        "    EmptyOperator(task_id='nothing')\n"
    )
    path = airflow_stack.write_file(dag_id, source)
    try:
        wait_for_dag(airflow_stack.client, dag_id)
        response = plugin_api.post("/transports", json=transport_data(dag_id, "tp-bucket"))
        assert response.status_code == 409, response.text
        assert f"defined in {path.name}" in response.json()["detail"]
        assert not (transports_folder / f"{dag_id}.yaml").exists()
    finally:
        path.unlink(missing_ok=True)


def test_a_paused_transport_still_gets_its_job_which_waits_queued(
    airflow_stack: E2EStack, plugin_api: PluginApi, listed: str
) -> None:
    client = airflow_stack.client
    client.request("PATCH", f"dags/{listed}", json={"is_paused": True})
    try:
        executed = plugin_api.post(f"/transports/{listed}/execute")
        assert executed.status_code == 201, executed.text
        job = executed.json()
        assert (job["dag_paused"], job["state"], job["conf"]) == (True, "queued", {})
        assert "paused" in job["note"]
        assert client.dag_run(listed, job["job_id"])["state"] == "queued"
        client.request("PATCH", f"dags/{listed}/dagRuns/{job['job_id']}", json={"state": "failed"})
    finally:
        client.request("PATCH", f"dags/{listed}", json={"is_paused": False})


def test_a_broken_file_is_listed_with_its_problems_and_breaks_no_other_transport(
    airflow_stack: E2EStack, transports_folder: Path, plugin_api: PluginApi, listed: str
) -> None:
    broken_id, witness_id = unique_id("tp_broken"), unique_id("tp_witness")
    broken = transport_data(broken_id, "tp-bucket", tables=[{"table": "CUSTOMER", "partitions": 0}])
    broken_path = write_transport(transports_folder, broken_id, broken)
    witness_path = write_transport(
        transports_folder, witness_id, transport_data(witness_id, "tp-bucket")
    )
    try:
        # the witness's DAG comes from a parse that also read the broken file
        wait_for_dag(airflow_stack.client, witness_id)
        assert airflow_stack.client.dag(listed)["is_stale"] is False

        listing = plugin_api.get("/transports", as_=VIEWER).json()
        invalid = {entry["file"]: entry["problems"] for entry in listing["invalid"]}
        assert invalid[broken_path.name][0]["field"] == "tables[0].partitions"
        assert "between 1 and" in invalid[broken_path.name][0]["reason"]
        shown = {t["id"]: t for t in listing["transports"]}
        assert shown[listed]["dag_registered"] is True
        assert shown[witness_id]["dag_registered"] is True
        assert broken_id not in shown

        missing = plugin_api.get(f"/transports/{broken_id}")
        assert missing.status_code == 404 and broken_path.name in missing.json()["detail"]
        taken = plugin_api.post("/transports", json=transport_data(broken_id, "tp-bucket"))
        assert taken.status_code == 409 and "does not load" in taken.json()["detail"]
        assert plugin_api.delete(f"/transports/{broken_id}").status_code == 204
        assert not broken_path.exists()
    finally:
        broken_path.unlink(missing_ok=True)
        witness_path.unlink(missing_ok=True)


def test_schema_selectors_are_validated_written_shown_as_written_and_accept_run_conf_names(
    airflow_stack: E2EStack, transports_folder: Path, plugin_api: PluginApi
) -> None:
    client, transport_id = airflow_stack.client, unique_id("tp_selectors")
    bad = transport_data(
        unique_id(),
        "tp-bucket",
        tables=["DEMO.CUSTOMER", {"schema": "DEMO", "include": ["SALES-*"], "exclude": ["[X"]}],
        packing={"groups": 0, "reads_at_once": 17},
    )
    refused = plugin_api.post("/transports", json=bad)
    assert refused.status_code == 422, refused.text
    assert {tuple(problem["loc"]) for problem in refused.json()["detail"]} == {
        ("body", "tables", 1, "include", 0),
        ("body", "tables", 1, "exclude", 0),
        ("body", "packing", "groups"),
        ("body", "packing", "reads_at_once"),
    }

    selector = {"checkpoint": False, "exclude": ["*_TMP"], "include": ["sales_*"], "schema": "demo"}
    body = transport_data(
        transport_id, "tp-bucket", tables=[selector, "DEMO.CUSTOMER"], packing={"groups": 2}
    )
    created = plugin_api.post("/transports", json=body)
    assert created.status_code == 201, created.text
    as_written = {**selector, "include_views": False, "trim_char": False, "omit_nulls": False}
    transport = created.json()
    assert transport["tables"][0] == as_written
    assert transport["tables"][1]["table"] == "DEMO.CUSTOMER"
    assert transport["packing"] == {"enabled": True, "groups": 2, "reads_at_once": 4}
    written = yaml.safe_load((transports_folder / f"{transport_id}.yaml").read_text())
    assert list(written["tables"][0]) == ["schema", "include", "exclude", "checkpoint"]

    wait_for_dag(client, transport_id)
    assert plugin_api.get(f"/transports/{transport_id}").json()["tables"] == transport["tables"]
    execute = f"/transports/{transport_id}/execute"
    unknown = plugin_api.post(execute, json={"tables": ["DEMO.SALES_ORDER_TMP"]})
    assert unknown.status_code == 422, unknown.text
    assert "tables[0] (schema DEMO, include SALES_*, exclude *_TMP)" in unknown.text
    client.request("PATCH", f"dags/{transport_id}", json={"is_paused": True})
    try:  # paused: the job waits queued, so only the run conf's check is exercised here
        executed = plugin_api.post(execute, json={"tables": ["sales_order", "CUSTOMER"]})
        assert executed.status_code == 201, executed.text
        run_id = executed.json()["job_id"]
        assert client.dag_run(transport_id, run_id)["conf"] == {
            "tables": ["sales_order", "CUSTOMER"]
        }
        client.request("PATCH", f"dags/{transport_id}/dagRuns/{run_id}", json={"state": "failed"})
    finally:
        client.request("PATCH", f"dags/{transport_id}", json={"is_paused": False})
    assert plugin_api.delete(f"/transports/{transport_id}").status_code == 204
