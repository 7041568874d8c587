"""Oracle faults through the emulator's switches, seen by the real python-oracledb thin driver.

The session's emulator serves its fault switchboard on a loopback control port
(``oracle_emulator.faults``, see :mod:`oracle_emulator.faults`); each test
arms what it needs, against a table of its own, and reads the switchboard's counters to see
what the client did. The rules under test: a connection dropped mid-fetch or ORA-01555 fails
the attempt with an error naming the table and the connection, commits nothing (no manifest)
and leaves the retry to Airflow; a refused logon fails at once, with one logon attempt only;
a listener that is down when the extraction starts is waited for, within the connection's
retry budget, and past it the error counts the attempts.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from google.cloud import storage

from airflow_oracle_etl.hooks.connect_retry import LOGON_REFUSED_CODES
from airflow_oracle_etl.hooks.errors import (
    ConnectionLostError,
    ExtractCancelledError,
    LogonRefusedError,
    OracleUnreachableError,
    SnapshotTooOldError,
)
from airflow_oracle_etl.hooks.oracle_extract import LogonRefusedTaskError, OracleExtractHook
from oracle_emulator.control import FaultControl, FaultControlError
from oracle_emulator.process import EmulatorProcess
from tests.integration.operators.conftest import (
    ORACLE_CONN_ID,
    Code,
    DagResult,
    extract_dag,
    read_jsonl_parts,
)

CONN_ID = "oracle_faults"
ROWS = 20_000
FAULT_AT = 5_000
WRONG_PASSWORD = "N0t-The-Passw0rd!"
RETRY_LOGGER = "airflow_oracle_etl.hooks.connect_retry"
#: the operator fetches, encodes and writes in small pieces here, so that parts are finished
#: (and uploaded) before the fault strikes at row 5,000
SMALL_PIECES = {"fetch": {"arraysize": 1_000, "prefetchrows": 1_000, "batch_rows": 1_000}}

RECORDS_RETRY_START = """
    from airflow_oracle_etl.extraction import open_bucket

    class RecordsRetryStart(OracleToGCSJsonlOperator):
        # what a reader finds in the bucket when the retry starts: the failed try's leftovers
        def execute(self, context):
            bucket = open_bucket(self.bucket, gcp_conn_id=self.gcp_conn_id, gcs=self.settings.gcs)
            seen = sorted(blob.name for blob in bucket.list_blobs())
            return {**super().execute(context), "seen_at_start": seen}
"""


@pytest.fixture
def faults(oracle_emulator: EmulatorProcess) -> Iterator[FaultControl]:
    """The session emulator's switches, disarmed with counters at zero, and again after."""
    control = oracle_emulator.faults
    control.clear()
    yield control
    control.clear()


@pytest.fixture
def connect(
    oracle_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., OracleExtractHook]:
    """A hook on an Airflow connection (from the environment) to the emulator; ``login``,
    ``password`` and extras may be changed."""

    def hook(login: str = "demo", password: str = "demo", **extra: Any) -> OracleExtractHook:
        value = {
            "conn_type": "oracle",
            "host": oracle_emulator.host,
            "port": oracle_emulator.port,
            "login": login,
            "password": password,
            "extra": {"service_name": oracle_emulator.service_name, **extra},
        }
        monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(value))
        return OracleExtractHook(oracle_conn_id=CONN_ID, arraysize=1_000, prefetchrows=1_000)

    return hook


@pytest.fixture
def table(new_table: Callable[..., str]) -> str:
    """A table of its own (IDs 1..20,000 of BENCH_ROWS), so faults armed for it hit nothing
    else."""
    return new_table(f"CREATE TABLE {{name}} AS SELECT * FROM BENCH_ROWS WHERE ID <= {ROWS}")


def _select(hook: OracleExtractHook, name: str) -> str:
    """The operator's own SQL for the table: ``SELECT ... FROM "DEMO"."NAME"``."""
    return hook.build_select(hook.get_table_metadata(name), '"ID"')


def _retry_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == RETRY_LOGGER and "retrying in" in record.getMessage()
    ]


class _OnFirstRetry(logging.Handler):
    """Runs ``action`` once, when the hook logs its first connect retry: a point in the test
    that is known to lie after one refused attempt, whatever the machine's speed."""

    def __init__(self, action: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self._action = action
        self._done = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "retrying in" in record.getMessage() and not self._done.is_set():
            self._done.set()
            self._action()


@pytest.fixture
def on_first_retry() -> Iterator[Callable[[Callable[[], None]], None]]:
    logger = logging.getLogger(RETRY_LOGGER)
    handlers: list[logging.Handler] = []

    def install(action: Callable[[], None]) -> None:
        handler = _OnFirstRetry(action)
        logger.addHandler(handler)
        handlers.append(handler)

    yield install
    for handler in handlers:
        logger.removeHandler(handler)


# --- the switches themselves -------------------------------------------------------------------


def test_control_port_refuses_unknown_actions_and_bad_arguments(faults: FaultControl) -> None:
    with pytest.raises(FaultControlError, match="rows must be a non-negative integer"):
        faults.drop_connection_after(rows=-1)
    with pytest.raises(FaultControlError, match="code must be one of"):
        faults.refuse_logins(code=600)
    with pytest.raises(FaultControlError, match="404"):
        faults._post("shutdown")
    assert faults.status()["armed"] == {"rows": [], "logons": [], "listener_down": False}


def test_a_row_fault_hits_only_its_table_and_only_as_often_as_armed(
    faults: FaultControl, connect: Callable[..., OracleExtractHook], table: str
) -> None:
    hook = connect()
    faults.snapshot_too_old_after(rows=FAULT_AT, table=table, times=1)
    # another table and the dictionary queries of the same table pass untouched
    assert sum(map(len, hook.stream_batches("SELECT ID FROM BENCH_ROWS WHERE ID <= 7000"))) == 7_000
    sql = _select(hook, table)
    with pytest.raises(SnapshotTooOldError):
        list(hook.stream_batches(sql))
    assert sum(map(len, hook.stream_batches(sql))) == ROWS  # disarmed after one cursor
    assert [(fired["kind"], fired["rows"]) for fired in faults.status()["fired"]] == [
        ("snapshot_too_old", FAULT_AT)
    ]


# --- connection dropped mid-fetch --------------------------------------------------------------


def test_connection_dropped_mid_fetch_names_table_and_connection(
    faults: FaultControl, connect: Callable[..., OracleExtractHook], table: str
) -> None:
    hook = connect()
    sql = _select(hook, table)
    faults.drop_connection_after(rows=FAULT_AT, table=table)
    fetched = 0
    with pytest.raises(ConnectionLostError) as caught:
        for batch in hook.stream_batches(sql):
            fetched += len(batch)
    message = str(caught.value)
    assert fetched == FAULT_AT  # every row sent before the reset arrived, none after
    assert f"DEMO.{table}" in message
    assert repr(CONN_ID) in message
    assert f"after {FAULT_AT} rows" in message
    assert "DPY-4011" in message
    assert "safe to retry" in message
    assert hook._connections.open_count == 0  # the dead connection was let go
    # the fault fired once: the next attempt reads every row, exactly once
    ids = [row[0] for batch in hook.stream_batches(sql) for row in batch]
    assert sorted(ids) == list(range(1, ROWS + 1))


def test_connection_dropped_mid_fetch_fails_the_try_and_the_retry_commits_exact_rows(
    faults: FaultControl,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    table: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults.drop_connection_after(rows=FAULT_AT, table=table)
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="RecordsRetryStart",
            preamble=RECORDS_RETRY_START,
            table=table,
            parts={"max_rows": 2_000},
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
            **SMALL_PIECES,
        )
    )
    log = "".join(capfd.readouterr())
    assert result.state == "success"
    assert result.tasks[("extract", -1)] == ("success", 2)
    assert "ConnectionLostError" in log and f"DEMO.{table}" in log
    summary = result.xcom("extract")
    # when the retry started, the failed try had committed nothing: no manifest anywhere,
    # only its own parts (if any were finished), which no manifest lists
    assert not [name for name in summary["seen_at_start"] if "_manifest" in name]
    assert all(name.endswith("-a1.jsonl.gz") for name in summary["seen_at_start"])
    assert summary["attempt"] == 2
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    assert sorted(row["ID"] for row in rows) == list(range(1, ROWS + 1))
    parts = {blob.name for blob in gcs_bucket.list_blobs() if "/part-" in blob.name}
    assert parts == set(summary["objects"])  # the failed try's parts are gone


# --- ORA-01555 ---------------------------------------------------------------------------------


def test_snapshot_too_old_mid_fetch_says_what_to_do(
    faults: FaultControl, connect: Callable[..., OracleExtractHook], table: str
) -> None:
    hook = connect()
    sql = _select(hook, table)
    faults.snapshot_too_old_after(rows=FAULT_AT, table=table)
    with pytest.raises(SnapshotTooOldError) as caught:
        list(hook.stream_batches(sql))
    message = str(caught.value)
    assert message.startswith(f"ORA-01555 (snapshot too old) reading DEMO.{table}")
    assert repr(CONN_ID) in message
    for advice in ("more partitions", "UNDO_RETENTION", "a new run reads at a new one"):
        assert advice in message
    assert caught.value.__cause__.args[0].code == 1555
    assert hook._connections.open_count == 0


def test_snapshot_too_old_fails_the_task_without_a_manifest(
    faults: FaultControl,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    table: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    faults.snapshot_too_old_after(rows=FAULT_AT, table=table)
    result = run_dag(
        extract_dag(gcs_bucket.name, table=table, parts={"max_rows": 2_000}, **SMALL_PIECES)
    )
    log = "".join(capfd.readouterr())
    assert result.state == "failed"
    assert result.tasks[("extract", -1)][0] == "failed"
    assert "SnapshotTooOldError" in log
    assert f"ORA-01555 (snapshot too old) reading DEMO.{table}" in log
    assert "UNDO_RETENTION" in log
    names = [blob.name for blob in gcs_bucket.list_blobs()]
    assert not [name for name in names if "_manifest" in name]


# --- ORA-01017 / ORA-28000 ---------------------------------------------------------------------


def test_wrong_password_fails_at_once_with_one_logon_attempt(
    faults: FaultControl,
    connect: Callable[..., OracleExtractHook],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = connect(login="scott", password=WRONG_PASSWORD, connect_retries=5)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LogonRefusedError) as caught:
        hook.get_table_metadata("SALES_ORDER")
    message = str(caught.value)
    assert "ORA-01017" in message
    assert "user 'scott'" in message and repr(CONN_ID) in message
    assert "Not retried" in message and "Fix the login or password" in message
    rendered = "".join(traceback.format_exception(caught.value))
    assert WRONG_PASSWORD not in rendered + caplog.text
    assert isinstance(caught.value, LogonRefusedTaskError)  # Airflow: fail, do not retry
    assert faults.logon_attempts("SCOTT") == 1
    assert _retry_warnings(caplog) == []


def test_locked_account_is_not_retried_and_says_how_to_unlock(
    faults: FaultControl, connect: Callable[..., OracleExtractHook]
) -> None:
    assert 28000 in LOGON_REFUSED_CODES
    faults.refuse_logins(times=3, user="SCOTT", code=28000)
    hook = connect(login="scott", password="tiger")  # the right password
    with pytest.raises(LogonRefusedError, match=r"ORA-28000.*ALTER USER scott ACCOUNT UNLOCK"):
        hook.current_scn()
    assert faults.logon_attempts("SCOTT") == 1


def test_wrong_password_fails_the_task_on_its_first_try_despite_retries(
    faults: FaultControl,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    connection = {
        "conn_type": "oracle",
        "host": oracle_emulator.host,
        "port": oracle_emulator.port,
        "login": "scott",
        "password": WRONG_PASSWORD,
        "extra": {"service_name": oracle_emulator.service_name},
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}", json.dumps(connection))
    result = run_dag(
        extract_dag(
            gcs_bucket.name, table="SALES_ORDER", retries=3, retry_delay=Code("dt.timedelta(0)")
        )
    )
    log = "".join(capfd.readouterr())
    assert result.state == "failed"
    assert result.tasks[("extract", -1)] == ("failed", 1)  # no Airflow retry either
    assert faults.logon_attempts("SCOTT") == 1
    assert "LogonRefusedTaskError" in log and f"connection {ORACLE_CONN_ID!r}" in log
    assert WRONG_PASSWORD not in log
    assert not list(gcs_bucket.list_blobs())


# --- listener down at start --------------------------------------------------------------------


def test_listener_down_at_start_is_waited_for(
    faults: FaultControl,
    connect: Callable[..., OracleExtractHook],
    on_first_retry: Callable[[Callable[[], None]], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = connect(connect_retries=10, connect_retry_delay=0.25, connect_retry_max_delay=2)
    faults.listener_down()
    # up again about 2 s after the first refused attempt (the backoff waits at least 7 s
    # in all before giving up, so the budget holds it)
    on_first_retry(lambda: threading.Timer(2.0, faults.listener_up).start())
    caplog.set_level(logging.INFO)
    assert hook.current_scn() > 0
    retries = _retry_warnings(caplog)
    assert 1 <= len(retries) < 10
    assert "Connection refused" in retries[0]
    assert "attempt 1 of 11" in retries[0]
    assert faults.status()["counters"]["connections_accepted"] == 1
    assert faults.logon_attempts("DEMO") == 1


def test_listener_down_past_the_budget_fails_counting_the_attempts(
    faults: FaultControl,
    connect: Callable[..., OracleExtractHook],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = connect(connect_retries=3, connect_retry_delay=0.05)
    faults.listener_down()
    caplog.set_level(logging.INFO)
    with pytest.raises(OracleUnreachableError) as caught:
        hook.get_table_metadata("SALES_ORDER")
    message = str(caught.value)
    assert caught.value.attempts == 4
    assert f"through connection {CONN_ID!r} after 4 attempt(s)" in message
    assert "Connection refused" in message
    assert "connect_retries" in message
    assert len(_retry_warnings(caplog)) == 3
    assert faults.status()["counters"].get("connections_accepted", 0) == 0


def test_cancel_while_waiting_to_reconnect_ends_at_once(
    faults: FaultControl,
    connect: Callable[..., OracleExtractHook],
    on_first_retry: Callable[[Callable[[], None]], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = connect(connect_retries=5, connect_retry_delay=600)  # a wait no test could sit out
    faults.listener_down()
    on_first_retry(hook.cancel)
    caplog.set_level(logging.INFO)
    with pytest.raises(ExtractCancelledError, match="while waiting to reconnect"):
        hook.current_scn()
    assert len(_retry_warnings(caplog)) == 1
