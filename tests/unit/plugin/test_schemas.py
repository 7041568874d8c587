"""The response models are a contract on the JSON the routes always gave: a transport as
:func:`~airflow_oracle_etl.plugin.transport_files.describe` gives it, a job as
:mod:`~airflow_oracle_etl.plugin.job_status` computes it. Through a model, that JSON keeps
every field and value (a field added to the transport file without its model fails here)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from airflow_oracle_etl.plugin import transport_files
from airflow_oracle_etl.plugin.job_status import (
    JobRecords,
    ProgressRecord,
    RunRecord,
    TaskRecord,
    job_view,
    page,
)
from airflow_oracle_etl.plugin.jobs_api import _run_summary
from airflow_oracle_etl.plugin.schemas import (
    CreatedTransport,
    Job,
    JobHeader,
    JobLinks,
    StartedJob,
    TransportInfo,
)
from airflow_oracle_etl.transports.loading import transport_from_data

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, 123456, tzinfo=dt.timezone.utc)

#: a transport with every field of the file set, away from its default
EVERY_FIELD: dict[str, Any] = {
    "id": "everything",
    "name": "Every field",
    "description": "every option set",
    "schedule": "@daily",
    "oracle_conn_id": "oracle_demo",
    "destination": {"bucket": "my-bucket", "prefix": "exports", "gcp_conn_id": "gcs_demo"},
    "parallel_tables": 2,
    "fetch": {"arraysize": 500, "prefetchrows": 501, "batch_rows": 250},
    "parts": {"max_rows": 1000, "max_bytes": "64MiB", "chunk_size": "8MiB"},
    "retries": 1,
    "retry_delay_seconds": 5,
    "tags": ["sales", "daily"],
    "owner": "data",
    "consistent_snapshot": False,
    "start_date": "2025-02-03",
    "progress_interval_seconds": 1,
    "tables": [
        "DEMO.CUSTOMER",
        {
            "table": '"Mixed Case"',
            "columns": ["ID", "updated_at"],
            "where": "ID > 0",
            "partitions": 4,
            "partition_strategy": "column",
            "partition_by": "ID",
            "incremental": {"column": "updated_at", "initial": "2025-01-01"},
            "trim_char": True,
            "omit_nulls": True,
            "checkpoint": False,
        },
        {"table": "SALES_ORDER", "incremental": {"column": "ID", "initial": 7}},
        {
            "schema": "hr",
            "include": ["emp*", '"Mixed*"'],
            "exclude": ["*_TMP"],
            "include_views": True,
            "trim_char": True,
            "omit_nulls": True,
            "checkpoint": False,
        },
    ],
    "packing": {"enabled": False, "groups": 3, "reads_at_once": 2},
}


def as_json(data: Any) -> str:
    """``data`` as a client reads it, keys sorted: ``5`` and ``5.0`` differ, as they do in
    JSON, while the order of keys does not."""
    return json.dumps(data, sort_keys=True)


def through(model: type[Any], data: dict[str, Any]) -> str:
    """``data`` validated by ``model`` and written as the route writes it."""
    return as_json(json.loads(model.model_validate(data).model_dump_json()))


@pytest.mark.parametrize("paused", [None, False, True])
def test_a_transport_keeps_every_field_and_value(paused: bool | None) -> None:
    transport = transport_from_data(EVERY_FIELD, source="/folder/everything.yaml")
    described = {
        **transport_files.describe(transport),
        "dag_registered": paused is not None,
        "dag_paused": paused,
    }
    assert through(TransportInfo, described) == as_json(described)
    created = {**described, "note": "Airflow registers the DAG at the next parse"}
    assert through(CreatedTransport, created) == as_json(created)


def test_a_transport_of_defaults_keeps_every_field_and_value() -> None:
    minimal = {"id": "small", "tables": ["T"], "destination": {"bucket": "b-1"}}
    transport = transport_from_data(minimal, source="small.yaml")
    described = {**transport_files.describe(transport), "dag_registered": False}
    described["dag_paused"] = None
    assert through(TransportInfo, described) == as_json(described)


def _job_records() -> JobRecords:
    def at(seconds: float) -> dt.datetime:
        return T0 + dt.timedelta(seconds=seconds)

    run = RunRecord(
        "daily", "manual__1", "running", "manual", at(0), at(1), None, {"tables": ["A"]}
    )
    tasks = [
        TaskRecord("plan", -1, "success", None, at(1), at(2), at(2)),
        TaskRecord("extract", 0, "running", "DEMO.A p1/2", at(2), None, at(5)),
        TaskRecord("extract", 1, "success", "DEMO.A p2/2", at(2), at(4), at(4)),
        TaskRecord("extract", 2, "success", "DEMO.B", at(2), at(6), at(6)),
        TaskRecord("extract", 3, None, "DEMO.C", None, None, None),
    ]
    progress = [
        ProgressRecord(
            "extract",
            0,
            {
                "phase": "extracting",
                "rows": 10,
                "bytes": 100,
                "rows_per_s": 2.5,
                "estimated_total_rows": 40,
            },
            at(5),
        ),
        ProgressRecord("extract", 1, {"phase": "done", "rows": 20, "bytes": 200}, at(4)),
        ProgressRecord("extract", 2, {"phase": "done", "rows": 7, "bytes": 70}, at(6)),
    ]
    return JobRecords(run, tasks, progress)


def test_a_job_keeps_every_field_and_value() -> None:
    body = job_view(_job_records()).body()
    assert {table["state"] for table in body["tables"]} == {"running", "success", "pending"}
    assert through(Job, body) == as_json(body)


def test_a_job_before_its_plan_keeps_every_field_and_value() -> None:
    run = RunRecord("daily", "manual__2", "queued", "manual", T0, None, None, None)
    body = job_view(JobRecords(run)).body()
    assert through(Job, body) == as_json(body)


def test_a_page_of_a_packed_job_and_its_event_header_keep_every_field_and_value() -> None:
    run = RunRecord("schema", "manual__3", "running", "manual", T0, T0, None, {})
    reads = [
        {"table": '"DEMO"."A"', "label": "DEMO.A", "estimated_bytes": 900, "partition": None},
        {"table": '"DEMO"."B"', "label": "DEMO.B", "estimated_bytes": None, "partition": None},
    ]
    tasks = [TaskRecord("extract", 0, "running", "DEMO.A +1", T0, None, T0)]
    failed = {"phase": "failed", "rows": 1, "bytes": 9, "error": "ValueError: bad date"}
    progress = [ProgressRecord("extract", 0, failed, T0, "progress/0")]
    job = job_view(JobRecords(run, tasks, progress, [{"reads": reads}]))
    body = page(job, offset=0, limit=1, states=["failed", "pending"])
    assert [t["error"] for t in body["tables"]] == ["ValueError: bad date"]
    assert body["page"] == {"offset": 0, "limit": 1, "matching": 2}
    assert through(Job, body) == as_json(body)
    assert through(JobHeader, job.header) == as_json(job.header)


def test_a_job_of_a_list_is_the_run_alone() -> None:
    run = RunRecord("daily", "manual__1", "success", "manual", T0, T0, None, {"full_refresh": True})
    assert json.loads(_run_summary(run).model_dump_json()) == {
        "job_id": "manual__1",
        "transport": "daily",
        "state": "success",
        "queued_at": "2026-01-01T12:00:00.123456+00:00",
        "start_date": "2026-01-01T12:00:00.123456+00:00",
        "end_date": None,
        "run_type": "manual",
        "conf": {"full_refresh": True},
    }


@pytest.mark.parametrize("note", [None, "the DAG is paused"])
def test_a_started_job_has_a_note_only_when_there_is_one(note: str | None) -> None:
    links = JobLinks(job="/j", events="/j/events", airflow="/dags/d/runs/r")
    started = StartedJob(
        job_id="r",
        transport="d",
        state="queued",
        conf={"tables": ["A"]},
        dag_paused=note is not None,
        links=links,
        note=note,
    )
    expected = {
        "job_id": "r",
        "transport": "d",
        "state": "queued",
        "conf": {"tables": ["A"]},
        "dag_paused": note is not None,
        "links": {"job": "/j", "events": "/j/events", "airflow": "/dags/d/runs/r"},
    }
    if note is not None:
        expected["note"] = note
    assert json.loads(started.model_dump_json()) == expected
