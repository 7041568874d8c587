"""Checkpointed retries through Airflow's task runner (``dag.test()``), the Oracle emulator and
fake-gcs-server: a try that dies mid-table leaves a checkpoint in the task state store, and
the retry keeps the parts it lists and reads only the rows after its key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import parse_part_name

from .conftest import Code, DagResult, extract_dag, read_jsonl_parts

OK = "success"
KEYED_ROWS = 12_000

#: try 1 dies right after its second checkpoint is recorded, as a worker killed mid-table
CRASHES_AFTER_CHECKPOINTS = """
    import time

    from airflow.providers.google.cloud.hooks.gcs import GCSHook

    from airflow_oracle_etl.extraction import TableExtraction

    class TryAwareExtraction(TableExtraction):
        def run(self, plan, **kwargs):
            self.try_number = kwargs["try_number"]
            return super().run(plan, **kwargs)

    class CrashAfterTwoCheckpoints(TryAwareExtraction):
        def _resume(self, *args):
            resume = super()._resume(*args)
            recorder = resume.recorder
            if self.try_number == 1:
                update = recorder.update

                def crash_after_two(finished):
                    update(finished)
                    if recorder.saved >= 2:
                        raise RuntimeError("simulated crash after two checkpoints")
                    time.sleep(0.01)  # let the uploads finish parts before the table ends

                recorder.update = crash_after_two
            return resume

    class CrashesAfterCheckpoints(OracleToGCSJsonlOperator):
        extraction_class = CrashAfterTwoCheckpoints

    class LosesAPart(CrashesAfterCheckpoints):
        # before the retry, a checkpointed part disappears (a lifecycle rule, a person)
        def execute(self, context):
            if context["ti"].try_number == 2:
                stored = context["task_state_store"].get("checkpoint")
                bucket = GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn().bucket(self.bucket)
                bucket.blob(stored["parts"][0]["name"]).delete()
            return super().execute(context)

    class CrashMidTable(TryAwareExtraction):
        def _batches(self, plan, resumed):
            for number, batch in enumerate(super()._batches(plan, resumed)):
                if self.try_number == 1 and number == 30:
                    raise RuntimeError("simulated crash in the middle of the table")
                yield batch

    class CrashesMidTable(OracleToGCSJsonlOperator):
        # try 1 dies after 30 batches; try 2 reports the checkpoint it found at its start
        extraction_class = CrashMidTable

        def execute(self, context):
            found = context["task_state_store"].get("checkpoint")
            return {**super().execute(context), "checkpoint_found": found}
"""


def _numbers(names: list[str]) -> list[tuple[int, int]]:
    """(part number, attempt) of each part name."""
    parsed = [parse_part_name(name) for name in names]
    assert all(parsed), names
    return [(p.part, p.attempt) for p in parsed if p is not None]


def _crashing_run(
    run_dag: Callable[[str], DagResult], bucket: storage.Bucket, operator: str, **arguments
) -> DagResult:
    result = run_dag(
        extract_dag(
            bucket.name,
            operator=operator,
            preamble=CRASHES_AFTER_CHECKPOINTS,
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
            **arguments,
        )
    )
    assert result.state == OK
    assert result.tasks[("extract", -1)] == ("success", 2)
    return result


def _part_objects(bucket: storage.Bucket) -> set[str]:
    return {blob.name for blob in bucket.list_blobs() if parse_part_name(blob.name)}


def test_a_retry_keeps_the_checkpointed_parts_and_reads_only_the_rest(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = _crashing_run(
        run_dag,
        gcs_bucket,
        "CrashesAfterCheckpoints",
        table="BENCH_ROWS",
        fetch={"batch_rows": 2_000},
        parts={"max_rows": 10_000},
    )
    summary = result.xcom("extract")
    numbers = _numbers(summary["objects"])
    kept = [number for number, attempt in numbers if attempt == 1]
    # the checkpointed parts of try 1 come first, then try 2 numbers on after them
    assert len(kept) >= 2
    assert numbers == [(n, 1) for n in range(len(kept))] + [
        (n, 2) for n in range(len(kept), len(numbers))
    ]
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    ids = [row["ID"] for row in rows]
    assert sorted(ids) == list(range(1, 100_001))  # every row exactly once
    assert ids == sorted(ids)  # read in key order, so the kept parts hold the lowest keys
    assert summary["rows"] == summary["rows_read"] == 100_000
    # nothing unlisted is left: try 1's parts after its last checkpoint were cleaned up
    assert _part_objects(gcs_bucket) == set(summary["objects"])
    assert result.task_state("extract", "checkpoint") is None  # dropped once committed
    progress = result.task_state("extract", "progress")
    assert progress["phase"] == "done" and progress["rows"] == 100_000


def test_a_checkpoint_whose_part_is_gone_is_not_trusted(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = _crashing_run(
        run_dag,
        gcs_bucket,
        "LosesAPart",
        table="BENCH_ROWS",
        fetch={"batch_rows": 2_000},
        parts={"max_rows": 10_000},
    )
    summary = result.xcom("extract")
    assert {attempt for _, attempt in _numbers(summary["objects"])} == {2}  # started over
    ids = sorted(row["ID"] for row in read_jsonl_parts(gcs_bucket, summary["objects"]))
    assert ids == list(range(1, 100_001))
    assert _part_objects(gcs_bucket) == set(summary["objects"])


@pytest.fixture
def keyed_table(oracle_connect: Callable[..., oracledb.Connection]) -> Iterator[str]:
    """A composite primary key over text, DATE, TIMESTAMP(6) and RAW, with long runs of equal
    leading values, so the restart predicate must compare every column to be exact."""
    table = "RESUME_KEYED"
    rows = [
        (
            f"K{i % 3}",
            dt.datetime(2024, 1, 1 + i % 4, 12, 0, 0),
            dt.datetime(2024, 2, 1, 0, 0, 0, (i % 5) * 199_999),
            i.to_bytes(4, "big"),
            i,
        )
        for i in range(KEYED_ROWS)
    ]
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table} (CODE VARCHAR2(10), DAY DATE, TS TIMESTAMP(6), R RAW(4),"
            " N NUMBER(10), PRIMARY KEY (CODE, DAY, TS, R))"
        )
        cursor.setinputsizes(None, oracledb.DB_TYPE_DATE, oracledb.DB_TYPE_TIMESTAMP, None, None)
        cursor.executemany(f"INSERT INTO {table} VALUES (:1, :2, :3, :4, :5)", rows)
        connection.commit()
    yield table
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table} PURGE")


def test_a_composite_key_of_text_date_timestamp_and_raw_resumes_exactly(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket, keyed_table: str
) -> None:
    result = _crashing_run(
        run_dag,
        gcs_bucket,
        "CrashesAfterCheckpoints",
        table=keyed_table,
        fetch={"batch_rows": 500},
        parts={"max_rows": 1_500},
    )
    summary = result.xcom("extract")
    assert 1 in {attempt for _, attempt in _numbers(summary["objects"])}  # it did resume
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    assert sorted(row["N"] for row in rows) == list(range(KEYED_ROWS))
    keys = [(row["CODE"], row["DAY"], row["TS"], row["R"]) for row in rows]
    assert len(set(keys)) == KEYED_ROWS


def test_without_a_primary_key_a_retry_reads_everything_again(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE RESUME_NO_KEY AS SELECT ID, NAME FROM BENCH_ROWS")
    try:
        result = _crashing_run(
            run_dag,
            gcs_bucket,
            "CrashesMidTable",
            table="RESUME_NO_KEY",
            fetch={"batch_rows": 2_000},
            parts={"max_rows": 10_000},
        )
        summary = result.xcom("extract")
        assert summary["checkpoint_found"] is None  # try 1 recorded none
        assert {attempt for _, attempt in _numbers(summary["objects"])} == {2}
        assert _part_objects(gcs_bucket) == set(summary["objects"])
        ids = sorted(row["ID"] for row in read_jsonl_parts(gcs_bucket, summary["objects"]))
        assert ids == list(range(1, 100_001))
    finally:
        with oracle_connect() as connection, connection.cursor() as cursor:
            cursor.execute("DROP TABLE RESUME_NO_KEY PURGE")
