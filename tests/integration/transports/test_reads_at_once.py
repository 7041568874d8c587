"""A packed extract task running several reads at the same time (``reads_at_once``), in real
Airflow against the Oracle and GCS emulators: the reads really overlap, each still commits
its own objects and manifest, an error that ends the try loses no table, a retry goes on with
what is left, a refused second session only slows the task, and on_kill stops every reader."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.progress import FINISHED_KEY
from oracle_emulator.process import EmulatorProcess

from ..operators.conftest import Code, DagResult, extract_dag
from .conftest import packed_read, read_json

OK = "success"
FAILED = "failed"
TABLES = ["DEMO.CUSTOMER", "DEMO.SALES_ORDER", "DEMO.ALL_TYPES", "DEMO.SALES_LINE_ITEM"]

#: the first three reads wait for each other before reading: a task that ran them one after
#: another would break the barrier (its wait times out) and fail
THREE_MEET = """
    import threading
    from airflow_oracle_etl.extraction import TableExtraction
    from airflow_oracle_etl.transports.extract import TransportExtractOperator

    MEETING = threading.Barrier(3, timeout=60)
    ARRIVED = []
    ARRIVED_LOCK = threading.Lock()

    class MeetFirst(TableExtraction):
        def run(self, plan, **kwargs):
            with ARRIVED_LOCK:
                ARRIVED.append(plan.label)
                waits = len(ARRIVED) <= 3
            if waits:
                MEETING.wait()
            return super().run(plan, **kwargs)

    class Packed(TransportExtractOperator):
        extraction_class = MeetFirst
"""


def _count(connect: Callable[..., oracledb.Connection], table: str) -> int:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _not_tried(log: str) -> list[str]:
    found = re.search(r"Not tried in this try \(\d+\): ([^\n]+)", log)
    return [] if found is None else [label.strip() for label in found.group(1).split(",")]


#: the extract operator as it is, for tests that inject their faults elsewhere
AS_IT_IS = """
    from airflow_oracle_etl.transports.extract import TransportExtractOperator as Packed
"""


def _run_packed(
    run_dag: Callable[[str], DagResult],
    bucket: storage.Bucket,
    transport: str,
    tables: list[str],
    preamble: str,
    **arguments: Any,
) -> DagResult:
    """A DAG of one packed extract task ``Packed`` (defined by ``preamble``) over ``tables``."""
    reads = [packed_read(table) for table in tables]
    return run_dag(
        extract_dag(
            bucket.name,
            operator="Packed",
            preamble=preamble,
            transport=transport,
            reads=reads,
            **arguments,
        )
    )


def test_reads_run_together_and_each_commits_its_own_table(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = _run_packed(run_dag, gcs_bucket, "at_once", TABLES, THREE_MEET, reads_at_once=3)

    assert result.state == OK, result.tasks
    output = capfd.readouterr()
    assert "reading 4 table(s), 3 at a time" in output.out + output.err
    summaries = result.xcom("extract", key="tables")
    assert [s["table"] for s in summaries] == TABLES  # the reads' order, not the finishing one
    manifests = {read_json(gcs_bucket, s["manifest"])["table"] for s in summaries}
    assert manifests == set(TABLES)  # four manifests, one a table
    for summary in summaries:
        assert summary["rows"] == summary["rows_read"] == _count(oracle_connect, summary["table"])
        prefix = TableLayout("", "at_once", summary["table"], result.run_id).run_prefix
        assert summary["objects"]
        assert all(name.startswith(prefix) for name in summary["objects"])
    finished = result.task_state("extract", FINISHED_KEY)
    assert sorted(finished) == ["0", "1", "2", "3"]
    assert {snapshot["phase"] for snapshot in finished.values()} == {"done"}


def test_a_lost_connection_loses_no_table_and_the_retry_reads_the_rest(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    oracle_connect: Callable[..., oracledb.Connection],
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults = oracle_emulator.faults
    faults.clear()
    faults.drop_connection_after(rows=100, table="SALES_ORDER", times=1)
    tables = [*TABLES, "DEMO.BENCH_ROWS"]
    try:
        result = _run_packed(
            run_dag,
            gcs_bucket,
            "at_once_lost",
            tables,
            AS_IT_IS,
            reads_at_once=2,
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
        )
    finally:
        faults.clear()

    assert result.state == OK, result.tasks
    assert result.tasks[("extract", -1)] == (OK, 2)
    output = capfd.readouterr()
    log = output.out + output.err
    assert "ConnectionLostError" in log
    summaries = result.xcom("extract", key="tables")
    assert [s["table"] for s in summaries] == tables  # every table, each once
    by_table = {s["table"]: s for s in summaries}
    assert by_table["DEMO.SALES_ORDER"]["attempt"] == 2  # read again by the retry
    # what try 1 committed the retry skipped; what it did not try the retry read
    for label in _not_tried(log):
        assert by_table[label]["attempt"] == 2
    for summary in summaries:
        manifest = read_json(gcs_bucket, summary["manifest"])
        assert manifest["attempt"] == summary["attempt"]
        assert summary["rows"] == summary["rows_read"] == _count(oracle_connect, summary["table"])
    assert result.xcom("extract", key="failed") == []


def test_a_refused_second_session_leaves_its_reads_to_the_others(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults = oracle_emulator.faults
    faults.clear()
    # armed once the task's first session is open, so the next logon refused is a reader's
    preamble = f"""
        from airflow_oracle_etl.transports.extract import TransportExtractOperator
        from oracle_emulator.control import FaultControl

        class Packed(TransportExtractOperator):
            def _prefetch(self, reads):
                super()._prefetch(reads)
                FaultControl("127.0.0.1", {oracle_emulator.control_port}).refuse_logins(times=1)
    """
    try:
        result = _run_packed(
            run_dag, gcs_bucket, "at_once_refused", TABLES, preamble, reads_at_once=3
        )
        fired = faults.status()
    finally:
        faults.clear()

    assert result.state == OK, result.tasks
    assert [event["kind"] for event in fired["fired"]] == ["refuse_logon"]
    output = capfd.readouterr()
    log = output.out + output.err
    # no more sessions are tried after a refusal (each would count towards locking the
    # account): the task goes on with the one it has
    assert "a session to read beside the others was refused" in log
    assert "the task reads 1 table(s) at a time" in log
    assert "at a time" not in log.replace("the task reads 1 table(s) at a time", "")
    summaries = result.xcom("extract", key="tables")
    assert [s["table"] for s in summaries] == TABLES
    assert all(s["attempt"] == 1 for s in summaries)


def test_on_kill_cancels_every_reader_and_names_the_tables_not_committed(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # on_kill as Airflow calls it on SIGTERM, once the three readers are each in their
    # first table (from the last to arrive, before any of them goes on)
    preamble = """
        import threading
        from airflow_oracle_etl.extraction import TableExtraction
        from airflow_oracle_etl.transports.extract import TransportExtractOperator

        RUNNING = []
        ALL_IN = threading.Barrier(3, action=lambda: RUNNING[0].on_kill(), timeout=60)

        class KilledInside(TableExtraction):
            def run(self, plan, **kwargs):
                ALL_IN.wait()
                return super().run(plan, **kwargs)

        class Packed(TransportExtractOperator):
            extraction_class = KilledInside

            def execute(self, context):
                RUNNING.append(self)
                return super().execute(context)
    """
    tables = ["DEMO.BENCH_ROWS", "DEMO.SALES_LINE_ITEM", "DEMO.SALES_ORDER", "DEMO.CUSTOMER"]
    result = _run_packed(run_dag, gcs_bucket, "at_once_killed", tables, preamble, reads_at_once=3)

    assert result.state == FAILED
    output = capfd.readouterr()
    log = output.out + output.err + caplog.text
    assert log.count("Cancelled extraction on 'oracle_test'") == 3  # each reader's session
    failed = {f["table"]: f for f in result.xcom("extract", key="failed")}
    assert "ExtractCancelledError" in failed["DEMO.BENCH_ROWS"]["error"]
    committed = [s["table"] for s in result.xcom("extract", key="tables")]
    assert "DEMO.BENCH_ROWS" not in committed
    assert not set(committed) & set(failed)
    # the reads not started are left whole to the retry: not one object of theirs
    untried = set(tables) - set(committed) - set(failed)
    assert "DEMO.CUSTOMER" in untried
    for table in untried:
        assert not list(gcs_bucket.list_blobs(prefix=f"at_once_killed/{table}/"))
