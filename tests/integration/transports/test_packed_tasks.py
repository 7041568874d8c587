"""Small tables packed into shared extract tasks, run in real Airflow against the Oracle and GCS
emulators: each table keeps its own objects, manifest and progress; a table that fails does
not stop the others of its task; a retry skips the tables already committed."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import parse_part_name
from airflow_oracle_etl.progress import FINISHED_KEY
from oracle_emulator.process import EmulatorProcess

from ..operators.conftest import Code, DagResult, extract_dag
from .conftest import (
    FAILS_ONCE_IN_THE_SECOND_TABLE,
    ONE_FAILS,
    extract_labels,
    packed_read,
    read_json,
)

OK = "success"
FAILED = "failed"

PACKED = """
tables:
  - CUSTOMER
  - SALES_ORDER
  - ALL_TYPES
  - table: SALES_LINE_ITEM
    partitions: 2
packing: {groups: 1}
"""

UNPACKED = """
tables:
  - CUSTOMER
  - SALES_ORDER
  - ALL_TYPES
packing: {enabled: false}
"""


def _count(connect: Callable[..., oracledb.Connection], table: str) -> int:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _job_manifest(bucket: storage.Bucket, transport_id: str) -> dict[str, Any]:
    names = [b.name for b in bucket.list_blobs(prefix=f"exports/{transport_id}/_jobs/")]
    assert len(names) == 1, names
    return read_json(bucket, names[0])


def test_small_tables_share_a_task_and_each_keeps_its_own_manifest_and_progress(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    transport_id = f"packed_{os.getpid()}"
    result = run_transport(write_transport(transport_id, PACKED))

    assert result.state == OK, result.tasks
    assert extract_labels(result) == [
        "DEMO.CUSTOMER +2",
        "DEMO.SALES_LINE_ITEM p1/2",
        "DEMO.SALES_LINE_ITEM p2/2",
    ]
    job = _job_manifest(gcs_bucket, transport_id)
    tables = {t["table"]: t for t in job["tables"]}
    assert set(tables) == {"DEMO.CUSTOMER", "DEMO.SALES_ORDER", "DEMO.ALL_TYPES",
                           "DEMO.SALES_LINE_ITEM"}  # fmt: skip
    assert job["failed"] == []
    for label, entry in tables.items():
        assert entry["totals"]["rows"] == _count(oracle_connect, label), label
        manifest = read_json(gcs_bucket, entry["manifest"])
        assert manifest["table"] == label
        assert all(label in part["name"] for part in manifest["parts"])
    packed = next(
        index for (task, index) in result.tasks if task == "extract" and
        result.task_state("extract", FINISHED_KEY, index) is not None
    )  # fmt: skip
    # the small tables' last snapshots, saved together (no write per table)
    finished = result.task_state("extract", FINISHED_KEY, packed)
    snapshots = [finished[str(j)] for j in range(3)]
    assert [s["table"] for s in snapshots] == ["DEMO.CUSTOMER", "DEMO.SALES_ORDER",
                                               "DEMO.ALL_TYPES"]  # fmt: skip
    assert [s["phase"] for s in snapshots] == ["done"] * 3
    assert [s["rows"] for s in snapshots] == [
        tables[s["table"]]["totals"]["rows"] for s in snapshots
    ]


def test_without_packing_each_table_has_a_task(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
) -> None:
    result = run_transport(write_transport(f"unpacked_{os.getpid()}", UNPACKED))
    assert result.state == OK, result.tasks
    assert extract_labels(result) == ["DEMO.ALL_TYPES", "DEMO.CUSTOMER", "DEMO.SALES_ORDER"]


def test_a_failing_table_does_not_stop_its_task_and_the_job_names_it(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    transport_id = f"one_fails_{os.getpid()}"
    result = run_transport(write_transport(transport_id, ONE_FAILS))

    assert result.state == FAILED
    assert result.tasks[("extract", 0)][0] == FAILED
    assert result.tasks[("finalize", -1)][0] == OK  # it ran and committed the others
    assert result.tasks[("report", -1)][0] == FAILED  # and the job says why
    job = _job_manifest(gcs_bucket, transport_id)
    assert sorted(t["table"] for t in job["tables"]) == ["DEMO.ALL_TYPES", "DEMO.CUSTOMER"]
    assert [f["table"] for f in job["failed"]] == ["DEMO.SALES_ORDER"]
    assert "ORA-01722" in job["failed"][0]["errors"][0]
    customer = next(t for t in job["tables"] if t["table"] == "DEMO.CUSTOMER")
    assert customer["totals"]["rows"] == _count(oracle_connect, "DEMO.CUSTOMER")
    finished = result.task_state("extract", FINISHED_KEY, 0)
    assert finished["1"]["phase"] == "failed"
    assert "ORA-01722" in finished["1"]["error"]
    assert finished["2"]["phase"] == "done"  # tried after it


def test_a_retry_skips_the_tables_its_task_committed(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    reads = [
        packed_read("DEMO.CUSTOMER"),
        packed_read("DEMO.SALES_ORDER"),
        packed_read("DEMO.ALL_TYPES"),
    ]
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="Packed",
            preamble=FAILS_ONCE_IN_THE_SECOND_TABLE,
            transport="packed_retry",
            reads=reads,
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
        )
    )

    assert result.state == OK
    assert result.tasks[("extract", -1)] == (OK, 2)
    summaries = result.xcom("extract", key="tables")
    assert [s["table"] for s in summaries] == ["DEMO.CUSTOMER", "DEMO.SALES_ORDER",
                                               "DEMO.ALL_TYPES"]  # fmt: skip
    # try 1 committed the first and the third table (a failure does not stop the task):
    # try 2 read only the second
    assert [s["attempt"] for s in summaries] == [1, 2, 1]
    assert result.xcom("extract", key="failed") == []
    for summary in summaries:
        manifest = read_json(gcs_bucket, summary["manifest"])
        assert manifest["attempt"] == summary["attempt"]
        assert manifest["totals"]["rows"] == summary["rows"] == summary["rows_read"]


def test_a_failed_table_is_rerun_alone_with_the_run_conf_the_job_names(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    oracle_connect: Callable[..., oracledb.Connection],
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults = oracle_emulator.faults
    faults.clear()
    faults.snapshot_too_old_after(rows=100, table="SALES_ORDER", times=1)  # ORA-01555, once
    try:
        path = write_transport(f"rerun_{os.getpid()}", UNPACKED.replace("enabled: false",
                                                                         "groups: 1"))  # fmt: skip
        first = run_transport(path)
        assert first.state == FAILED
        output = capfd.readouterr()
        said = re.search(r"Rerun only these with the run conf (\{.*\})", output.out + output.err)
        assert said is not None
        conf = json.loads(said[1])
        assert conf == {"tables": ["DEMO.SALES_ORDER"]}

        second = run_transport(path, conf)
    finally:
        faults.clear()

    assert second.state == OK, second.tasks
    assert extract_labels(second) == ["DEMO.SALES_ORDER"]
    job = read_json(gcs_bucket, second.xcom("finalize")["job_manifest"])
    assert [t["table"] for t in job["tables"]] == ["DEMO.SALES_ORDER"]
    assert job["tables"][0]["totals"]["rows"] == _count(oracle_connect, "DEMO.SALES_ORDER")


#: try 1 dies in its second table right after that table's second checkpoint
CRASHES_IN_THE_SECOND_TABLE = """
    from airflow_oracle_etl.extraction import TableExtraction
    from airflow_oracle_etl.transports.extract import TransportExtractOperator

    class CrashAfterTwoCheckpoints(TableExtraction):
        def run(self, plan, **kwargs):
            self.crash = kwargs["try_number"] == 1 and plan.label == "DEMO.BENCH_ROWS"
            return super().run(plan, **kwargs)

        def _resume(self, *args):
            resume = super()._resume(*args)
            recorder = resume.recorder
            if self.crash:
                update = recorder.update

                def crash_after_two(finished):
                    update(finished)
                    if recorder.saved >= 2:
                        raise RuntimeError("simulated crash after two checkpoints")

                recorder.update = crash_after_two
            return resume

    class Packed(TransportExtractOperator):
        extraction_class = CrashAfterTwoCheckpoints
"""


def test_a_retry_goes_on_from_the_checkpoint_of_the_table_it_was_in(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    reads = [packed_read("DEMO.CUSTOMER"), packed_read("DEMO.BENCH_ROWS")]
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="Packed",
            preamble=CRASHES_IN_THE_SECOND_TABLE,
            transport="packed_resume",
            reads=reads,
            fetch={"batch_rows": 2_000},
            parts={"max_rows": 10_000},
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
        )
    )

    assert result.state == OK
    customer, bench = result.xcom("extract", key="tables")
    assert customer["attempt"] == 1  # committed by try 1, skipped by try 2
    assert bench["attempt"] == 2
    parsed = [parse_part_name(name) for name in bench["objects"]]
    numbers = [(p.part, p.attempt) for p in parsed if p is not None]
    # the checkpointed parts of try 1 (two, or three if an upload finished as it crashed) are
    # kept and come first; try 2 wrote only the rest
    assert [part for part, _ in numbers] == list(range(len(numbers)))
    kept = [attempt for _, attempt in numbers if attempt == 1]
    assert 2 <= len(kept) < len(numbers)
    assert [attempt for _, attempt in numbers] == [1] * len(kept) + [2] * (len(numbers) - len(kept))
    assert bench["rows"] == bench["rows_read"] == 100_000
    assert result.task_state("extract", "checkpoint/1") is None  # cleared once committed


def test_a_lost_connection_ends_the_try_naming_the_tables_not_tried(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults = oracle_emulator.faults
    faults.clear()
    faults.drop_connection_after(rows=100, table="SALES_ORDER", times=1)
    reads = [
        packed_read("DEMO.CUSTOMER"),
        packed_read("DEMO.SALES_ORDER"),
        packed_read("DEMO.ALL_TYPES"),
    ]
    try:
        result = run_dag(
            extract_dag(
                gcs_bucket.name,
                operator="TransportExtractOperator",
                preamble="from airflow_oracle_etl.transports.extract import "
                "TransportExtractOperator",
                transport="packed_lost",
                reads=reads,
            )
        )
    finally:
        faults.clear()

    assert result.state == FAILED
    output = capfd.readouterr()
    log = output.out + output.err
    assert "ConnectionLostError" in log
    assert "Not tried in this try (1): DEMO.ALL_TYPES" in log
    assert [s["table"] for s in result.xcom("extract", key="tables")] == ["DEMO.CUSTOMER"]
    assert [f["table"] for f in result.xcom("extract", key="failed")] == ["DEMO.SALES_ORDER"]
