"""Schema selectors in real jobs (Airflow, the Oracle and GCS emulators): resolved from the
dictionary when each job is planned, merged with explicit entries, recorded in the job
manifest; a selector matching nothing fails the plan naming it; planning costs the same
number of statements whatever the number of tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import oracledb
import pytest
from google.cloud import storage

from oracle_emulator.process import EmulatorProcess

from ..operators.conftest import DagResult
from .conftest import read_json

OK = "success"
FAILED = "failed"


@pytest.fixture
def make_tables(
    oracle_connect: Callable[..., oracledb.Connection],
) -> Iterator[Callable[[str, int], list[str]]]:
    """``make_tables(prefix, count)``: tables PREFIX_0000... of a few rows each in DEMO,
    dropped after the test (the emulator is shared)."""
    connection = oracle_connect()
    made: list[str] = []

    def make(prefix: str, count: int) -> list[str]:
        names = [f"{prefix}_{i:04}" for i in range(count)]
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"CREATE TABLE {name} (ID NUMBER(9) PRIMARY KEY, NOTE VARCHAR2(20))")
                made.append(name)
                cursor.executemany(
                    f"INSERT INTO {name} VALUES (:1, :2)", [(i, f"row {i}") for i in range(3)]
                )
        connection.commit()
        return names

    yield make
    with connection.cursor() as cursor:
        for name in made:
            cursor.execute(f"DROP TABLE {name} PURGE")


def _prefix() -> str:
    return f"SEL{uuid.uuid4().hex[:6].upper()}"


def test_a_selector_exports_the_matching_tables_and_the_next_run_picks_up_new_ones(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    make_tables: Callable[[str, int], list[str]],
) -> None:
    prefix = _prefix()
    first = make_tables(prefix, 3)
    tables = f"""
    tables:
      - schema: demo
        include: ["{prefix}_*", "CUSTOMER"]
        exclude: ["{prefix}_0001"]
      - table: {prefix}_0002
        columns: [ID]
    """
    path = write_transport(f"selected_{os.getpid()}", tables)
    result = run_transport(path)

    assert result.state == OK, result.tasks
    job = read_json(gcs_bucket, result.xcom("finalize")["job_manifest"])
    exported = sorted(t["table"] for t in job["tables"])
    assert exported == sorted(["DEMO.CUSTOMER", f"DEMO.{first[0]}", f"DEMO.{first[2]}"])
    # the explicit entry wins whole: only its column
    explicit = next(t for t in job["tables"] if t["table"] == f"DEMO.{first[2]}")
    assert [c["name"] for c in read_json(gcs_bucket, explicit["manifest"])["columns"]] == ["ID"]
    assert job["selectors"] == [
        {
            "selector": f"tables[0] (schema DEMO, include {prefix}_* CUSTOMER, "
            f"exclude {prefix}_0001)",
            "tables": ["DEMO.CUSTOMER", f"DEMO.{first[0]}"],
        }
    ]

    added = make_tables(f"{prefix}_N", 1)  # matches {prefix}_*: created since the last run
    second = run_transport(path)
    assert second.state == OK, second.tasks
    job = read_json(gcs_bucket, second.xcom("finalize")["job_manifest"])
    assert f"DEMO.{added[0]}" in {t["table"] for t in job["tables"]}


def test_a_selector_matching_nothing_fails_the_plan_naming_it(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    capfd: pytest.CaptureFixture[str],
) -> None:
    tables = """
    tables:
      - CUSTOMER
      - schema: DEMO
        include: ["NOTHING_LIKE_THIS_*"]
    """
    result = run_transport(write_transport(f"empty_selector_{os.getpid()}", tables))

    assert result.state == FAILED
    assert result.tasks[("plan", -1)] == (FAILED, 1)  # a configuration error: no retry
    output = capfd.readouterr()
    assert "tables[1] (schema DEMO, include NOTHING_LIKE_THIS_*): matches no table" in (
        output.out + output.err
    )


PLAN_ONLY = """
    from airflow_oracle_etl.transports.planning import TransportPlanOperator

    with DAG(DAG_ID, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
        TransportPlanOperator(
            task_id="plan", transport="scale", tables=[], oracle_conn_id=ORACLE_CONN_ID,
            gcp_conn_id=GCP_CONN_ID, bucket={bucket!r}, parallel_tables=4,
            selectors=[{{"index": 0, "selector": {{"schema": "DEMO", "include": [{pattern!r}]}}}}],
        )
"""


def test_planning_sends_as_many_statements_for_200_tables_as_for_20(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    make_tables: Callable[[str, int], list[str]],
    oracle_emulator: EmulatorProcess,
) -> None:
    def plan(count: int) -> tuple[int, list[dict[str, Any]]]:
        prefix = _prefix()
        make_tables(prefix, count)
        before = oracle_emulator.faults.grammar_stats()["checked"]
        result = run_dag(PLAN_ONLY.format(bucket=gcs_bucket.name, pattern=f"{prefix}_*"))
        assert result.state == OK, result.tasks
        return oracle_emulator.faults.grammar_stats()["checked"] - before, result.xcom("plan")

    few, few_tasks = plan(20)
    many, many_tasks = plan(200)

    assert sum(len(task["reads"]) for task in few_tasks) == 20
    assert sum(len(task["reads"]) for task in many_tasks) == 200
    assert len(many_tasks) == 4  # packed into parallel_tables groups
    assert many == few, f"planning 200 tables sent {many} statements, 20 tables {few}"
