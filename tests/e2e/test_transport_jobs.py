"""A transport as a job, driven only through Airflow's REST API: trigger, follow the run and its
mapped tasks (with their progress while they run), then check the bucket; and a job over a
missing table, failed with its error readable over REST."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import job_manifest_name
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 240.0


def _transport_dag(transport_id: str, bucket: str, tables: str, options: str = "") -> str:
    """A DAG file building one transport from YAML, as ``dags/transports.py`` does per file;
    ``options``: more top-level YAML lines."""
    yaml_text = (
        f"id: {transport_id}\nschedule: null\noracle_conn_id: {ORACLE_CONN_ID}\n"
        f"destination: {{gcp_conn_id: {GCP_CONN_ID}, bucket: {bucket}, prefix: e2e}}\n"
        f"parallel_tables: 2\nretries: 0\n{options}tables:\n{tables}"
    )
    return (
        "from airflow_oracle_etl.transports import parse_transport\n"
        "from airflow_oracle_etl.transports.factory import build_dag\n\n"
        f"dag = build_dag(parse_transport({yaml_text!r}, source={transport_id + '.yaml'!r}))\n"
    )


def test_a_transport_job_over_rest(
    airflow_stack: E2EStack,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    client, dag_id = airflow_stack.client, "e2e_sales"
    tables = "  - SALES_ORDER\n  - {table: SALES_LINE_ITEM, partitions: 2}\n  - BENCH_ROWS\n"
    # two groups asked for: each whole table in a task of its own, which shows every phase
    # as it goes (left to the plan, these two small tables would share one task)
    options = "packing: {groups: 2}\n"
    airflow_stack.add_dag(dag_id, _transport_dag(dag_id, gcs_bucket.name, tables, options))
    run_id = client.trigger(dag_id)

    seen_running: list[dict] = []
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (state := client.dag_run(dag_id, run_id)["state"]) not in ("success", "failed"):
        assert time.monotonic() < deadline, f"run still {state}"
        for ti in client.task_instances(dag_id, run_id):
            if ti["task_id"] == "extract" and ti["state"] == "running":
                store = client.task_state_store(dag_id, run_id, "extract", ti["map_index"])
                if "progress/0" in store:  # the task's first (here: only) table
                    seen_running.append(store["progress/0"])
        time.sleep(0.2)
    assert state == "success", client.log(dag_id, run_id, "finalize")

    mapped = [ti for ti in client.task_instances(dag_id, run_id) if ti["task_id"] == "extract"]
    assert sorted(ti["rendered_map_index"] for ti in mapped) == [
        "DEMO.BENCH_ROWS",
        "DEMO.SALES_LINE_ITEM p1/2",
        "DEMO.SALES_LINE_ITEM p2/2",
        "DEMO.SALES_ORDER",
    ]
    assert all(ti["state"] == "success" for ti in mapped)
    assert seen_running, "no progress was readable while an extract task ran"
    assert any(p["phase"] in ("planning", "extracting") for p in seen_running)

    job = json.loads(gcs_bucket.blob(job_manifest_name("e2e", dag_id, run_id)).download_as_bytes())
    stored = {blob.name for blob in gcs_bucket.list_blobs()}
    with oracle_connect().cursor() as cursor:
        for table in job["tables"]:
            name = table["table"].split(".")[1]
            (count,) = cursor.execute(f"SELECT COUNT(*) FROM {name}").fetchone()
            manifest = json.loads(gcs_bucket.blob(table["manifest"]).download_as_bytes())
            assert manifest["totals"]["rows"] == table["totals"]["rows"] == count, name
            assert {part["name"] for part in manifest["parts"]} <= stored


def test_a_job_over_a_missing_table_fails_with_its_error_over_rest(
    airflow_stack: E2EStack, gcs_bucket: storage.Bucket
) -> None:
    client, dag_id = airflow_stack.client, "e2e_missing"
    tables = "  - CUSTOMER\n  - NO_SUCH_TABLE\n"
    airflow_stack.add_dag(dag_id, _transport_dag(dag_id, gcs_bucket.name, tables))
    run_id = client.trigger(dag_id)
    assert client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S) == "failed"
    states = {ti["task_id"]: ti["state"] for ti in client.task_instances(dag_id, run_id)}
    assert states["plan"] == "failed"
    assert "NO_SUCH_TABLE" in client.log(dag_id, run_id, "plan")
    assert not [b for b in gcs_bucket.list_blobs() if b.name.endswith("_manifest.json")]
