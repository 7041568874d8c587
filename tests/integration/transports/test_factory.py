"""Transports as DAGs, run in real Airflow against the Oracle and GCS emulators: plan at one
SCN, mapped extracts labelled by table, finalize with the job manifest and the row check."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import oracledb
from google.cloud import storage

from airflow_oracle_etl.gcs import job_manifest_name

from ..operators.conftest import DagResult
from .conftest import extract_labels, read_json

OK = "success"
FAILED = "failed"
DEMO = ("DEMO.SALES_ORDER", "DEMO.SALES_LINE_ITEM", "DEMO.CUSTOMER")


def _counts(connect: Callable[..., oracledb.Connection]) -> dict[str, int]:
    with connect() as connection, connection.cursor() as cursor:
        counts = {}
        for label in DEMO:
            cursor.execute(f"SELECT COUNT(*) FROM {label}")
            counts[label] = cursor.fetchone()[0]
    return counts


def test_demo_transport_exports_every_table_with_a_job_manifest(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    transport_id = f"demo_{os.getpid()}"
    result = run_transport(write_transport(transport_id))

    assert result.state == OK, result.tasks
    # the two small tables are too little work for two task starts: they share one
    assert extract_labels(result) == [
        "DEMO.SALES_LINE_ITEM p1/2",
        "DEMO.SALES_LINE_ITEM p2/2",
        "DEMO.SALES_ORDER +1",
    ]
    counts = _counts(oracle_connect)
    summary = result.xcom("finalize")
    job_name = job_manifest_name("exports", transport_id, result.run_id)
    assert summary["job_manifest"] == job_name
    job = read_json(gcs_bucket, job_name)
    assert {t["table"]: t["totals"]["rows"] for t in job["tables"]} == counts
    assert {t["table"]: t["rows_read"] for t in job["tables"]} == counts
    assert job["totals"]["rows"] == sum(counts.values())
    for table in job["tables"]:
        manifest = read_json(gcs_bucket, table["manifest"])
        assert manifest["partition"] is None
        assert manifest["totals"]["rows"] == counts[table["table"]]
        assert table["duration_s"] >= 0
        for part in manifest["parts"]:
            assert gcs_bucket.get_blob(part["name"]) is not None
    line_items = next(t for t in job["tables"] if t["table"] == "DEMO.SALES_LINE_ITEM")
    assert (
        read_json(gcs_bucket, line_items["manifest"])["scn"]
        == read_json(
            gcs_bucket, next(t for t in job["tables"] if t["table"] == "DEMO.CUSTOMER")["manifest"]
        )["scn"]
    )


def test_run_conf_narrows_the_job_to_the_tables_it_names(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    path = write_transport(f"narrow_{os.getpid()}")
    result = run_transport(path, {"tables": ["customer"], "full_refresh": True})

    assert result.state == OK, result.tasks
    assert extract_labels(result) == ["DEMO.CUSTOMER"]
    job = read_json(gcs_bucket, result.xcom("finalize")["job_manifest"])
    assert [t["table"] for t in job["tables"]] == ["DEMO.CUSTOMER"]
    assert job["totals"]["rows"] == _counts(oracle_connect)["DEMO.CUSTOMER"]
    written = {blob.name.split("/")[2] for blob in gcs_bucket.list_blobs(prefix="exports/")}
    assert written == {"DEMO.CUSTOMER", "_jobs"}


def test_full_refresh_from_run_conf_rereads_an_incremental_table(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    path = write_transport(f"refresh_{os.getpid()}")
    orders = {"tables": ["SALES_ORDER"]}
    total = _counts(oracle_connect)["DEMO.SALES_ORDER"]
    assert total > 0

    def rows(result: DagResult) -> int:
        assert result.state == OK, result.tasks
        return read_json(gcs_bucket, result.xcom("finalize")["job_manifest"])["totals"]["rows"]

    assert rows(run_transport(path, orders)) == total
    assert rows(run_transport(path, orders)) == 0  # nothing changed since the watermark
    assert rows(run_transport(path, {**orders, "full_refresh": True})) == total
