"""A real Airflow 3 (api-server, scheduler, dag-processor, triggerer; LocalExecutor, SQLite)
driven only through its REST API, with the Oracle and GCS emulators behind the connections."""

from __future__ import annotations

import json
from collections.abc import Callable

import oracledb
import pytest
from google.cloud import storage

from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_fixtures import E2EStack
from oracle_etl_stack.airflow_stack import HEALTH_KEYS

from .conftest import extract_dag_source

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 120.0


def test_every_component_reports_healthy(airflow_stack: E2EStack) -> None:
    health = airflow_stack.client.health()
    assert {key: health[key]["status"] for key in HEALTH_KEYS} == dict.fromkeys(
        HEALTH_KEYS, "healthy"
    )


def test_admin_gets_a_jwt_and_a_wrong_password_is_refused(airflow_stack: E2EStack) -> None:
    token = airflow_stack.client.token()
    assert token.count(".") == 2  # header.payload.signature
    intruder = AirflowClient(airflow_stack.stack.url, "admin", "not-the-password")
    with intruder, pytest.raises(AirflowApiError) as refused:
        intruder.token()
    assert refused.value.status_code == 401


def test_extraction_dag_runs_to_success_over_rest(
    airflow_stack: E2EStack,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    client, dag_id = airflow_stack.client, "e2e_customer"
    dag = airflow_stack.add_dag(dag_id, extract_dag_source(dag_id, gcs_bucket.name, "CUSTOMER"))
    assert dag["is_paused"] is False

    run_id = client.trigger(dag_id)
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    log = client.log(dag_id, run_id, "extract")
    assert state == "success", log
    assert "CUSTOMER" in log  # the operator's own lines come back through the logs endpoint

    (instance,) = client.task_instances(dag_id, run_id)
    assert (instance["task_id"], instance["map_index"], instance["state"]) == (
        "extract",
        -1,
        "success",
    )
    (expected_rows,) = oracle_connect().cursor().execute("select count(*) from customer").fetchone()
    progress = client.task_state_store(dag_id, run_id, "extract")["progress"]
    assert (progress["table"], progress["rows"]) == ("DEMO.CUSTOMER", expected_rows)

    names = [blob.name for blob in gcs_bucket.list_blobs()]
    (manifest_name,) = [name for name in names if name.endswith("/_manifest.json")]
    manifest = json.loads(gcs_bucket.blob(manifest_name).download_as_bytes())
    assert sum(part["rows"] for part in manifest["parts"]) == expected_rows
    assert {part["name"] for part in manifest["parts"]} <= set(names)


def test_a_broken_dag_file_shows_as_an_import_error(airflow_stack: E2EStack) -> None:
    # the dag-processor only parses files that mention both "airflow" and "dag"
    airflow_stack.write_file(
        "e2e_broken", "from airflow.sdk import DAG\nimport e2e_no_such_module\n"
    )
    trace = airflow_stack.wait_for_import_error("e2e_broken")
    assert "e2e_no_such_module" in trace
