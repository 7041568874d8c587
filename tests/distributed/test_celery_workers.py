"""Transports on a distributed Airflow: CeleryExecutor with two workers (PostgreSQL, Redis; see
conftest). A job's mapped extract tasks run on both workers; a worker killed in the middle of
an extract has the task retried on the other, and the bucket holds every source row once."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from typing import Any, cast

import oracledb
import psutil
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import job_manifest_name, parse_part_name
from oracle_etl_stack.airflow_client import AirflowClient
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack
from oracle_etl_stack.celery_stack import CeleryAirflowStack

pytestmark = pytest.mark.slow

PREFIX = "dist"
RUN_TIMEOUT_S = 300.0
POLL_INTERVAL_S = 0.25
#: the kill test's extract: two rows per round trip make BENCH_ROWS (100,000 rows) take
#: seconds (the emulator answers a round trip in a fraction of a millisecond), and parts of
#: 10,000 rows mean the killed try has written whole part objects before it dies
KILL_FETCH_ROWS = 2
KILL_PART_ROWS = 10_000


def _transport_dag(transport_id: str, bucket: str, tables: str, options: str = "") -> str:
    """A DAG file building one transport from YAML, as ``dags/transports.py`` does per file."""
    yaml_text = (
        f"id: {transport_id}\nschedule: null\noracle_conn_id: {ORACLE_CONN_ID}\n"
        f"destination: {{gcp_conn_id: {GCP_CONN_ID}, bucket: {bucket}, prefix: {PREFIX}}}\n"
        f"parallel_tables: 4\n{options}tables:\n{tables}"
    )
    return (
        "from airflow_oracle_etl.transports import parse_transport\n"
        "from airflow_oracle_etl.transports.factory import build_dag\n\n"
        f"dag = build_dag(parse_transport({yaml_text!r}, source={transport_id + '.yaml'!r}))\n"
    )


def _extracts(client: AirflowClient, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    return [ti for ti in client.task_instances(dag_id, run_id) if ti["task_id"] == "extract"]


def _logs(client: AirflowClient, dag_id: str, run_id: str, stack: CeleryAirflowStack) -> str:
    """What a failed assertion shows: the task states and the workers' logs."""
    states = [
        (ti["task_id"], ti["map_index"], ti["state"], ti["try_number"], ti["hostname"])
        for ti in client.task_instances(dag_id, run_id)
    ]
    return f"task instances: {states}\n{stack.log_tails(30)}"


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _rows_in_parts(bucket: storage.Bucket, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of every part the manifest lists, read back from the bucket."""
    rows = []
    for part in manifest["parts"]:
        data = gzip.decompress(bucket.blob(part["name"]).download_as_bytes())
        rows += [json.loads(line) for line in data.splitlines()]
    return rows


def test_mapped_extracts_run_on_both_workers(
    celery_airflow: E2EStack,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    client, dag_id = celery_airflow.client, "dist_spread"
    stack = cast(CeleryAirflowStack, celery_airflow.stack)
    # four mapped extract tasks, while each worker takes one task at a time
    tables = "  - {table: SALES_ORDER, partitions: 4}\n"
    celery_airflow.add_dag(dag_id, _transport_dag(dag_id, gcs_bucket.name, tables))
    run_id = client.trigger(dag_id)
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", _logs(client, dag_id, run_id, stack)

    extracts = _extracts(client, dag_id, run_id)
    assert len(extracts) == 4
    assert {ti["state"] for ti in extracts} == {"success"}
    by_worker = {name: [ti for ti in extracts if ti["hostname"] == name] for name in stack.workers}
    assert all(by_worker.values()), {n: len(tis) for n, tis in by_worker.items()}

    job = json.loads(gcs_bucket.blob(job_manifest_name(PREFIX, dag_id, run_id)).download_as_bytes())
    with oracle_connect().cursor() as cursor:
        for table in job["tables"]:
            name = table["table"].split(".")[1]
            (count,) = cursor.execute(f"SELECT COUNT(*) FROM {name}").fetchone()
            assert table["totals"]["rows"] == count, name


def test_a_killed_workers_extract_is_retried_on_the_other_worker_exactly_once(
    celery_airflow: E2EStack,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    client, dag_id = celery_airflow.client, "dist_kill"
    stack = cast(CeleryAirflowStack, celery_airflow.stack)
    options = (
        f"fetch: {{arraysize: {KILL_FETCH_ROWS}, prefetchrows: {KILL_FETCH_ROWS}, "
        "batch_rows: 1000}\n"
        f"parts: {{max_rows: {KILL_PART_ROWS}}}\n"
        "retries: 2\nretry_delay_seconds: 1\n"
    )
    celery_airflow.add_dag(
        dag_id, _transport_dag(dag_id, gcs_bucket.name, "  - BENCH_ROWS\n", options)
    )
    run_id = client.trigger(dag_id)

    # wait until the extract runs on a worker and its first try has written a part
    deadline = time.monotonic() + RUN_TIMEOUT_S
    victim = None
    while victim is None:
        assert time.monotonic() < deadline, _logs(client, dag_id, run_id, stack)
        extracts = _extracts(client, dag_id, run_id)
        assert all(ti["state"] != "success" for ti in extracts), "ended before it was killed"
        running = [ti for ti in extracts if ti["state"] == "running"]
        if running and any(
            (part := parse_part_name(blob.name)) is not None and part.attempt == 1
            for blob in gcs_bucket.list_blobs()
        ):
            victim = running[0]["hostname"]
        time.sleep(POLL_INTERVAL_S)
    assert victim in stack.workers
    (survivor,) = set(stack.workers) - {victim}
    killed = stack.kill_worker(victim)
    assert killed and not [pid for pid in killed if _alive(pid)]

    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", _logs(client, dag_id, run_id, stack)
    (extract,) = _extracts(client, dag_id, run_id)
    assert (extract["state"], extract["hostname"]) == ("success", survivor)
    assert extract["try_number"] >= 2
    tries = client.request(
        "GET",
        f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/extract/{extract['map_index']}/tries",
    )["task_instances"]
    first = min(tries, key=lambda t: t["try_number"])
    assert (first["try_number"], first["hostname"], first["state"]) == (1, victim, "failed")

    # the bucket: every source row exactly once; the killed try's checkpointed parts are kept
    # and listed first (the retry went on after them), its later parts are gone
    job = json.loads(gcs_bucket.blob(job_manifest_name(PREFIX, dag_id, run_id)).download_as_bytes())
    (table,) = job["tables"]
    manifest = json.loads(gcs_bucket.blob(table["manifest"]).download_as_bytes())
    with oracle_connect().cursor() as cursor:
        (count,) = cursor.execute("SELECT COUNT(*) FROM BENCH_ROWS").fetchone()
        source_ids = {row[0] for row in cursor.execute("SELECT ID FROM BENCH_ROWS")}
    rows = _rows_in_parts(gcs_bucket, manifest)
    ids = [row["ID"] for row in rows]
    assert manifest["totals"]["rows"] == len(rows) == count
    assert len(set(ids)) == len(ids)  # no row twice
    assert set(ids) == source_ids  # and none missing
    listed = {part["name"] for part in manifest["parts"]}
    stored_parts = {b.name for b in gcs_bucket.list_blobs() if parse_part_name(b.name)}
    assert stored_parts == listed  # the killed try's unlisted parts are gone
    attempts = [parse_part_name(part["name"]).attempt for part in manifest["parts"]]  # type: ignore[union-attr]
    assert attempts == sorted(attempts), attempts
    assert set(attempts) <= set(range(1, extract["try_number"] + 1)), attempts
