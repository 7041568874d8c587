"""Lineage and data-aware scheduling through a real Airflow: a transport job's OpenLineage
events as a lineage backend receives them over HTTP, its asset events as the REST API shows
them, and a downstream DAG scheduled on one table's asset that reads the table's manifest
from the event that triggered it."""

from __future__ import annotations

import json
import logging
import textwrap
import time
from typing import Any

import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import TableLayout, job_manifest_name
from airflow_oracle_etl.lineage.assets import table_asset
from oracle_emulator.process import EmulatorProcess
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack
from oracle_etl_stack.airflow_stack import ORACLE_PASSWORD
from oracle_etl_stack.lineage_receiver import LineageReceiver

pytestmark = pytest.mark.slow

log = logging.getLogger(__name__)

RUN_TIMEOUT_S = 240.0
PREFIX = "e2e"
TRANSPORT = "e2e_lineage"
DOWNSTREAM = "e2e_lineage_orders_loaded"
ORDERS = "DEMO.SALES_ORDER"


def _transport_dag(bucket: str) -> str:
    """Three tables: SALES_ORDER (incremental) and CUSTOMER packed into one task (one packing
    group), SALES_LINE_ITEM in two partitions."""
    yaml_text = textwrap.dedent(
        f"""\
        id: {TRANSPORT}
        schedule: null
        oracle_conn_id: {ORACLE_CONN_ID}
        destination: {{gcp_conn_id: {GCP_CONN_ID}, bucket: {bucket}, prefix: {PREFIX}}}
        parallel_tables: 2
        packing: {{groups: 1}}
        retries: 0
        tables:
          - {{table: SALES_ORDER, incremental: {{column: UPDATED_AT}}}}
          - CUSTOMER
          - {{table: SALES_LINE_ITEM, partitions: 2}}
        """
    )
    return (
        "from airflow_oracle_etl.transports import parse_transport\n"
        "from airflow_oracle_etl.transports.factory import build_dag\n\n"
        f"dag = build_dag(parse_transport({yaml_text!r}, source={TRANSPORT + '.yaml'!r}))\n"
    )


def _downstream_dag(bucket: str) -> str:
    """A DAG scheduled on the orders table's asset: it reads the manifest the event names."""
    return textwrap.dedent(
        f"""\
        import datetime as dt
        import json

        from airflow.providers.google.cloud.hooks.gcs import GCSHook
        from airflow.sdk import DAG, task

        from airflow_oracle_etl.lineage.assets import table_asset

        ORDERS = table_asset(
            bucket={bucket!r}, prefix={PREFIX!r}, transport={TRANSPORT!r}, table={ORDERS!r}
        )

        with DAG({DOWNSTREAM!r}, schedule=[ORDERS], start_date=dt.datetime(2024, 1, 1)):

            @task
            def read_manifest(triggering_asset_events=None):
                (event,) = triggering_asset_events[ORDERS]
                manifest = json.loads(
                    GCSHook(gcp_conn_id={GCP_CONN_ID!r}).download(
                        bucket_name=event.extra["bucket"], object_name=event.extra["manifest"]
                    )
                )
                return {{
                    "extra": event.extra,
                    "manifest_rows": manifest["totals"]["rows"],
                    "parts": [part["name"] for part in manifest["parts"]],
                }}

            read_manifest()
        """
    )


def test_a_transport_job_reports_lineage_and_triggers_a_dag_on_a_table_asset(
    airflow_stack: E2EStack,
    gcs_bucket: storage.Bucket,
    lineage_receiver: LineageReceiver,
    oracle_emulator: EmulatorProcess,
) -> None:
    client = airflow_stack.client
    airflow_stack.add_dag(DOWNSTREAM, _downstream_dag(gcs_bucket.name))
    airflow_stack.add_dag(TRANSPORT, _transport_dag(gcs_bucket.name))
    run_id = client.trigger(TRANSPORT)
    assert client.wait(TRANSPORT, run_id, timeout=RUN_TIMEOUT_S) == "success", client.log(
        TRANSPORT, run_id, "finalize"
    )
    job = json.loads(
        gcs_bucket.blob(job_manifest_name(PREFIX, TRANSPORT, run_id)).download_as_bytes()
    )
    committed = {table["table"]: table for table in job["tables"]}
    assert set(committed) == {ORDERS, "DEMO.CUSTOMER", "DEMO.SALES_LINE_ITEM"}

    # the downstream DAG ran on the orders table's event and found its manifest through it
    downstream_run = _first_run(airflow_stack, DOWNSTREAM)
    assert client.wait(DOWNSTREAM, downstream_run, timeout=RUN_TIMEOUT_S) == "success", client.log(
        DOWNSTREAM, downstream_run, "read_manifest"
    )
    loaded = client.xcom(DOWNSTREAM, downstream_run, "read_manifest")
    assert loaded["extra"]["run_id"] == run_id
    assert loaded["extra"]["manifest"] == committed[ORDERS]["manifest"]
    assert loaded["manifest_rows"] == committed[ORDERS]["totals"]["rows"]
    assert loaded["parts"] and all(part.endswith(".jsonl.gz") for part in loaded["parts"])

    # one asset event per committed table, with what a downstream load needs (read once the
    # run it triggered has started: Airflow 3.3.2's REST API answers 500 for an event whose
    # created run has no start date yet, apache/airflow#71360)
    events = client.asset_events(source_dag_id=TRANSPORT, source_run_id=run_id)
    by_uri = {event["uri"]: event for event in events}
    assert len(events) == len(by_uri) == 3
    for table, entry in committed.items():
        uri = table_asset(bucket=gcs_bucket.name, prefix=PREFIX, transport=TRANSPORT,
                          table=table).uri  # fmt: skip
        assert uri == f"gs://{gcs_bucket.name}/{PREFIX}/{TRANSPORT}/{table}"
        extra = by_uri[uri]["extra"]
        assert extra["run_id"] == run_id
        assert extra["manifest"] == entry["manifest"]
        assert extra["rows"] == entry["totals"]["rows"] > 0
        manifest = json.loads(gcs_bucket.blob(entry["manifest"]).download_as_bytes())
        assert extra["scn"] == manifest["scn"]
    orders_event = by_uri[
        table_asset(bucket=gcs_bucket.name, prefix=PREFIX, transport=TRANSPORT, table=ORDERS).uri
    ]
    assert orders_event["extra"]["watermark_high"]
    log.info("the orders table's asset event:\n%s", json.dumps(orders_event, indent=2))

    # OpenLineage: one START and one COMPLETE per extract task, datasets per table
    extract_job = f"{TRANSPORT}.extract"
    completes = lineage_receiver.wait_for(
        lambda e: _is(e, extract_job, "COMPLETE") and _run_id_of(e) == run_id, count=3
    )
    starts = [e for e in lineage_receiver.events() if _is(e, extract_job, "START")]
    assert len([e for e in starts if _run_id_of(e) == run_id]) == 3
    namespace = f"oracle://{oracle_emulator.host}:{oracle_emulator.port}"
    database = oracle_emulator.service_name.upper()
    inputs = {(d["namespace"], d["name"]) for e in completes for d in e["inputs"]}
    assert inputs == {(namespace, f"{database}.{table}") for table in committed}, (
        "inputs are named as Airflow's OracleHook names them"
    )
    outputs = {d["name"]: d for e in completes for d in e["outputs"]}
    for table in committed:
        run_path = TableLayout(PREFIX, TRANSPORT, table, run_id).run_prefix.rstrip("/")
        output = outputs[run_path]
        assert output["namespace"] == f"gs://{gcs_bucket.name}"
        assert {"schema", "columnLineage"} <= set(output["facets"])
    (packed,) = [e for e in completes if len(e["inputs"]) == 2]
    log.info("the packed extract task's COMPLETE event:\n%s", json.dumps(packed, indent=2))
    rows = {d["name"].split("/")[2]: d["outputFacets"]["outputStatistics"]["rowCount"]
            for d in packed["outputs"]}  # fmt: skip
    assert rows == {t: committed[t]["totals"]["rows"] for t in (ORDERS, "DEMO.CUSTOMER")}
    orders_input = next(d for d in packed["inputs"] if d["name"].endswith(ORDERS))
    oracle_types = {f["name"]: f["type"] for f in orders_input["facets"]["schema"]["fields"]}
    assert oracle_types["ORDER_ID"] == "NUMBER"
    read = orders_input["inputFacets"]["oracleEtl_read"]
    assert read["scn"] == job_scn(gcs_bucket, committed[ORDERS])
    assert read["window"]["column"] == "UPDATED_AT" and read["window"]["high"]
    everything = json.dumps(lineage_receiver.events())
    assert f":{ORACLE_PASSWORD}@" not in everything and '"password"' not in everything.lower()


def job_scn(bucket: storage.Bucket, entry: dict[str, Any]) -> int:
    return int(json.loads(bucket.blob(entry["manifest"]).download_as_bytes())["scn"])


def _is(event: dict[str, Any], job_name: str, event_type: str) -> bool:
    return event.get("eventType") == event_type and event.get("job", {}).get("name") == job_name


def _run_id_of(event: dict[str, Any]) -> str | None:
    """The Airflow run id an OpenLineage task event belongs to (its airflow run facet)."""
    facets = event.get("run", {}).get("facets", {})
    dag_run = (facets.get("airflow") or {}).get("dagRun") or {}
    return dag_run.get("run_id")


def _first_run(stack: E2EStack, dag_id: str, timeout: float = RUN_TIMEOUT_S) -> str:
    deadline = time.monotonic() + timeout
    while not (runs := stack.client.dag_runs(dag_id)):
        assert time.monotonic() < deadline, f"{dag_id} was not triggered by the asset event"
        time.sleep(0.5)
    return str(runs[0]["dag_run_id"])
