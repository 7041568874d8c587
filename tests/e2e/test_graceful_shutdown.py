"""Shutdown on a real Airflow: SIGTERM to a running extract task and to the scheduler, and
SIGKILL to the task (a worker lost with no chance to clean up).

What Airflow 3.3 does with the signal (sources under ``.venv/lib/python3.11/site-packages``):

- **The task process** (``airflow worker -- TI_ID``, forked by the supervisor into a process
  group of its own): around ``execute()`` the task runner installs a SIGTERM handler that calls
  the operator's ``on_kill()`` and returns (``airflow/sdk/execution_time/task_runner.py``,
  ``_run_task_and_map_outcome._on_term``). Nothing is raised: the task stops only because our
  ``on_kill`` cancels the Oracle fetch, which then raises ``ExtractCancelledError``; the
  ``TableWriter`` aborts its uploads, the cursor and connection are closed on the way out, and
  the try fails into ``up_for_retry`` like any other error.
- **The supervisor** (the LocalExecutor worker running the task): while it waits for the task
  it forwards SIGTERM and SIGINT to the task process (``airflow/sdk/execution_time/
  supervisor.py``, ``ActivitySubprocess.wait._forward_signal``), so ``on_kill`` runs then too.
- **The scheduler**: SIGTERM runs ``_exit_gracefully``, which calls ``sys.exit(0)``
  (``airflow/jobs/scheduler_job_runner.py``); the ``finally`` of ``_execute`` calls
  ``executor.end()``, and ``LocalExecutor.end()`` sends every worker a poison pill and joins
  them: it *waits for running tasks to finish* ("Signal again if you don't want to wait",
  ``airflow/executors/local_executor.py``). ``kill PID`` (or ``docker stop`` of a container
  whose PID 1 is the scheduler) reaches the scheduler alone: its workers, though in its
  process group, are not signalled, so a task in flight runs to its end and the scheduler
  exits after it. Signalling the scheduler's whole process group (``kill -TERM -PGID``)
  reaches the workers too: idle ones ignore it (the handler they inherited returns in a
  child process), a busy one's supervisor forwards it to its task, which is interrupted and
  retried once a scheduler runs again.

The tests run on the session's shared stack: the scheduler tests stop its scheduler and start
it again (a fixture restarts it whatever happens), which no other module notices because
pytest runs the modules one after another and none leaves a task running. While the killed
try's leftovers are inspected, nothing may start the retry: the task test pauses the DAG
first, the scheduler tests simply have no scheduler. Nothing asserts a duration.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import oracledb
import psutil
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import parse_part_name
from airflow_oracle_etl.progress import PROGRESS_KEY
from airflow_oracle_etl.resume import CHECKPOINT_KEY
from oracle_emulator.process import EmulatorProcess
from oracle_etl_stack.airflow_client import AirflowClient
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID, E2EStack
from oracle_etl_stack.airflow_stack import (
    STARTUP_TIMEOUT_S,
    STOP_TIMEOUT_S,
    AirflowStack,
    stop_groups,
)
from tests.e2e.plugin_support import unique_id

#: each test is an extraction interrupted half-way and finished later, on a busy 2-core machine
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PREFIX = "shutdown"
TASK_ID = "extract"
RESUME_LINE = "resuming from checkpoint"
#: what ``on_kill`` leaves in the task log (the hook's ConnectionKeeper.cancel)
CANCEL_LINE = "Cancelled extraction on"
#: source rows: 30 parts, so the kill after the second leaves most of the table to the retry
#: (the emulator serves a part in about a quarter of a second even two rows at a time)
ROWS = 60_000
PART_ROWS = 2_000
BATCH_ROWS = 1_000
#: rows per round trip: few, so the extraction takes long enough to be caught half-way
FETCH_ROWS = 2
#: finished parts the checkpoint lists before the signal is sent
KILL_AFTER_PARTS = 2
#: limits of the waits, never asserted as durations
START_TIMEOUT_S = 300.0
RUN_TIMEOUT_S = 600.0
EXIT_TIMEOUT_S = 120.0
#: how long a signalled scheduler may take to exit once its tasks are done (see
#: Scheduler.wait_for_exit)
SCHEDULER_EXIT_TIMEOUT_S = 30.0
SESSION_CLOSE_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.2
#: TI states before the task has ended
NOT_ENDED = frozenset({None, "scheduled", "queued", "running"})
#: how the killed try ends: retried (its own state) or failed (the try's history entry)
INTERRUPTED = frozenset({"up_for_retry", "failed"})
#: the emulator's log line for a session that logged on, with the client's port
SESSION_OPENED = re.compile(r"session (\d+) opened: user \S+ from [0-9.]+:(\d+)")
#: the LOB table: fewer rows than ``ROWS`` (a LOB read fetches 100-row batches, 2 rows a round
#: trip: ``table.DEFAULT_LOB_ARRAYSIZE`` caps the DAG's arraysize, not lowered further), each
#: with a CLOB of about 2 KB, still 20 parts of ``PART_ROWS``
LOB_ROWS = 40_000
LOB_CHARS = 2_048
LOB_INSERT_ROWS = 5_000
#: what the task log says when the read takes the LOB path (``TableExtraction._batches``)
LOB_LINE = "LOB columns DOC are read inline"


# -- the source table and the DAG ---------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    table: str
    #: every ID of the table, in key order
    ids: list[int]


@pytest.fixture
def source(
    new_table: Callable[..., str], oracle_connect: Callable[..., oracledb.Connection]
) -> Source:
    """A table with a primary key and ``ROWS`` rows, inserted in descending key order: a read
    that resumes "after the last key" without ORDER BY would lose or repeat rows."""
    table = new_table(
        "CREATE TABLE {name} (ID NUMBER(12) NOT NULL, NAME VARCHAR2(40), AMOUNT NUMBER(12,2),"
        " CONSTRAINT {name}_PK PRIMARY KEY (ID))"
    )
    connection = oracle_connect()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ID, NAME, AMOUNT)"
            " SELECT ID, NAME, AMOUNT FROM BENCH_ROWS WHERE ID <= :1 ORDER BY ID DESC",
            [ROWS],
        )
        connection.commit()
        ids = sorted(row[0] for row in cursor.execute(f"SELECT ID FROM {table}"))
    assert len(ids) == ROWS
    return Source(table, ids)


def lob_document(row_id: int) -> str:
    """The CLOB of row ``row_id``: ``LOB_CHARS`` characters, distinct per row."""
    return (f"document {row_id:09d}: " + "lorem ipsum dolor sit amet, " * 80)[:LOB_CHARS]


@pytest.fixture
def lob_source(
    new_table: Callable[..., str], oracle_connect: Callable[..., oracledb.Connection]
) -> Source:
    """A table with a primary key, a CLOB column and ``LOB_ROWS`` rows, inserted in descending
    key order (as ``source``)."""
    table = new_table(
        "CREATE TABLE {name} (ID NUMBER(12) NOT NULL, DOC CLOB, CONSTRAINT {name}_PK"
        " PRIMARY KEY (ID))"
    )
    connection = oracle_connect()
    with connection.cursor() as cursor:
        descending = list(range(LOB_ROWS, 0, -1))
        for start in range(0, LOB_ROWS, LOB_INSERT_ROWS):
            chunk = descending[start : start + LOB_INSERT_ROWS]
            cursor.executemany(
                f"INSERT INTO {table} (ID, DOC) VALUES (:1, :2)",
                [(i, lob_document(i)) for i in chunk],
            )
        connection.commit()
        ids = sorted(row[0] for row in cursor.execute(f"SELECT ID FROM {table}"))
    assert ids == list(range(1, LOB_ROWS + 1))
    return Source(table, ids)


def extract_dag(dag_id: str, bucket: str, table: str) -> str:
    """One slow extract task (two rows per round trip, parts of 2,000 rows) with one retry.
    ``checkpoint`` is left at its default (on)."""
    return textwrap.dedent(
        f"""\
        import datetime as dt

        from airflow.sdk import DAG

        from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator

        with DAG({dag_id!r}, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
            OracleToGCSJsonlOperator(
                task_id={TASK_ID!r},
                table={table!r},
                oracle_conn_id={ORACLE_CONN_ID!r},
                gcp_conn_id={GCP_CONN_ID!r},
                bucket={bucket!r},
                prefix={PREFIX!r},
                fetch={{"arraysize": {FETCH_ROWS}, "prefetchrows": {FETCH_ROWS},
                        "batch_rows": {BATCH_ROWS}}},
                parts={{"max_rows": {PART_ROWS}}},
                progress_interval=0.5,
                retries=1,
                retry_delay=dt.timedelta(seconds=1),
            )
        """
    )


# -- watching the run ---------------------------------------------------------------------------


def the_extract(client: AirflowClient, dag_id: str, run_id: str) -> dict[str, Any] | None:
    """The run's one task instance (None until the scheduler has created it)."""
    instances = client.task_instances(dag_id, run_id)
    return instances[0] if instances else None


def wait_until_running(
    client: AirflowClient,
    dag_id: str,
    run_id: str,
    ready: Callable[[dict[str, Any]], bool],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Poll until the extract runs and ``ready(state store)`` holds; the task instance and its
    state store. Fails if the task ends first: it was meant to be caught half-way."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        ti = the_extract(client, dag_id, run_id)
        assert ti is None or ti["state"] in NOT_ENDED, f"the extract ended first: {ti}"
        if ti is not None and ti["state"] == "running":
            store = client.task_state_store(dag_id, run_id, TASK_ID)
            if ready(store):
                return ti, store
        assert time.monotonic() < deadline, f"the extract was not caught running: {ti}"
        time.sleep(POLL_INTERVAL_S)


def checkpointed(parts: int) -> Callable[[dict[str, Any]], bool]:
    """Ready once the checkpoint lists ``parts`` finished parts."""

    def ready(store: dict[str, Any]) -> bool:
        checkpoint = store.get(CHECKPOINT_KEY)
        return bool(checkpoint) and len(checkpoint["parts"]) >= parts

    return ready


def fetching(store: dict[str, Any]) -> bool:
    """Ready once rows are coming in."""
    return bool(store.get(PROGRESS_KEY)) and store[PROGRESS_KEY]["rows"] > 0


def wait_until_ended(client: AirflowClient, dag_id: str, run_id: str) -> dict[str, Any]:
    """The task instance once its try is over (the next try is not started by this)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (ti := the_extract(client, dag_id, run_id)) is None or ti["state"] in NOT_ENDED:
        assert time.monotonic() < deadline, f"the killed try did not end: {ti}"
        time.sleep(POLL_INTERVAL_S)
    return ti


def first_try(client: AirflowClient, dag_id: str, run_id: str) -> dict[str, Any]:
    tries = client.request(
        "GET", f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{TASK_ID}/-1/tries"
    )["task_instances"]
    return min(tries, key=lambda t: t["try_number"])


# -- the task's process and its Oracle sessions -------------------------------------------------


def task_process(stack: AirflowStack, ti_id: str) -> psutil.Process:
    """The task runner of ``ti_id``: a descendant of the scheduler (scheduler -> LocalExecutor
    worker, which supervises -> task runner) whose title the task runner set to
    ``airflow worker -- TI_ID``. The worker's own title also names the task, differently."""
    scheduler = psutil.Process(stack.process("scheduler").pid)
    title = f"airflow worker -- {ti_id}"
    found = []
    for process in scheduler.children(recursive=True):
        try:
            if " ".join(process.cmdline()).strip() == title:
                found.append(process)
        except psutil.Error:  # ended meanwhile
            continue
    assert len(found) == 1, f"task runner of {ti_id}: {found}"
    return found[0]


def runners_left(ti_id: str) -> list[psutil.Process]:
    """Every process on the machine still titled as the task runner of ``ti_id`` (an orphan
    is no longer the scheduler's descendant, so all processes are looked at)."""
    title = f"airflow worker -- {ti_id}"
    found = []
    for process in psutil.process_iter():
        try:
            if " ".join(process.cmdline()).strip() == title:
                found.append(process)
        except psutil.Error:  # ended meanwhile, or not ours to read
            continue
    return found


def oracle_ports(process: psutil.Process, emulator: EmulatorProcess) -> set[int]:
    """The local ports of the process's connections to the Oracle emulator."""
    return {
        c.laddr.port
        for c in process.net_connections(kind="tcp")
        if c.raddr and c.raddr.port == emulator.port
    }


def session_ids(emulator: EmulatorProcess, ports: set[int]) -> set[int]:
    """The emulator's sessions opened from ``ports`` (the latest per port: ports recycle)."""
    assert emulator.log_path is not None
    latest: dict[int, int] = {}
    for match in SESSION_OPENED.finditer(emulator.log_path.read_text(errors="replace")):
        if int(match[2]) in ports:
            latest[int(match[2])] = int(match[1])
    assert set(latest) == ports, f"no session logged for ports {ports - set(latest)}"
    return set(latest.values())


def wait_for_sessions_closed(emulator: EmulatorProcess, sessions: set[int]) -> None:
    """Until the emulator logged the end of every session in ``sessions``."""
    assert emulator.log_path is not None
    deadline = time.monotonic() + SESSION_CLOSE_TIMEOUT_S
    while True:
        text = emulator.log_path.read_text(errors="replace")
        open_ = {s for s in sessions if f"session {s} closed:" not in text}
        if not open_:
            return
        assert time.monotonic() < deadline, f"Oracle sessions {open_} of the task stay open"
        time.sleep(POLL_INTERVAL_S)


@dataclass(frozen=True)
class Interrupted:
    """What is left once the killed try has ended, collected before any retry can run."""

    ti: dict[str, Any]
    #: the task state store after the try
    checkpoint: dict[str, Any] | None
    #: the objects of attempt 1 in the bucket, and whether a manifest was there
    attempt1_objects: set[str]
    manifest_written: bool


def leftovers(
    client: AirflowClient, dag_id: str, run_id: str, bucket: storage.Bucket
) -> Interrupted:
    ti = wait_until_ended(client, dag_id, run_id)
    names = [blob.name for blob in bucket.list_blobs()]
    return Interrupted(
        ti=ti,
        checkpoint=client.task_state_store(dag_id, run_id, TASK_ID).get(CHECKPOINT_KEY),
        attempt1_objects={n for n in names if (p := parse_part_name(n)) and p.attempt == 1},
        manifest_written=any(n.endswith("/_manifest.json") for n in names),
    )


# -- the output ---------------------------------------------------------------------------------


def attempt_of(name: str) -> int:
    part = parse_part_name(name)
    assert part is not None, f"{name} is not a part"
    return part.attempt


def committed_manifest(bucket: storage.Bucket) -> dict[str, Any]:
    (name,) = [b.name for b in bucket.list_blobs() if b.name.endswith("/_manifest.json")]
    return dict(json.loads(bucket.blob(name).download_as_bytes()))


def part_ids(bucket: storage.Bucket, name: str) -> list[int]:
    lines = gzip.decompress(bucket.blob(name).download_as_bytes()).splitlines()
    return [int(json.loads(line)["ID"]) for line in lines]


def part_rows(bucket: storage.Bucket, name: str) -> list[dict[str, Any]]:
    lines = gzip.decompress(bucket.blob(name).download_as_bytes()).splitlines()
    return [json.loads(line) for line in lines]


def assert_exact_output(bucket: storage.Bucket, manifest: dict[str, Any], source: Source) -> None:
    """Every source row once, in the parts the manifest lists, and no other part left."""
    ids = [i for part in manifest["parts"] for i in part_ids(bucket, part["name"])]
    assert len(ids) == len(set(ids)), "a row is written twice"
    assert sorted(ids) == source.ids, "rows are missing or foreign"
    assert manifest["totals"]["rows"] == len(source.ids)
    listed = {part["name"] for part in manifest["parts"]}
    stored = {b.name for b in bucket.list_blobs() if parse_part_name(b.name)}
    assert stored == listed, f"parts no manifest lists: {sorted(stored - listed)}"


def assert_resumed(
    client: AirflowClient,
    dag_id: str,
    run_id: str,
    bucket: storage.Bucket,
    source: Source,
    interrupted: Interrupted,
) -> None:
    """The retry resumed from the killed try's checkpoint: nothing of attempt 1 beyond the
    checkpoint was finalized, its parts are kept and listed first, and attempt 2 wrote only
    the rows after the last checkpointed key."""
    checkpoint = interrupted.checkpoint
    assert checkpoint is not None, "the killed try left no checkpoint"
    checkpointed = [part["name"] for part in checkpoint["parts"]]
    assert len(checkpointed) >= KILL_AFTER_PARTS
    assert interrupted.attempt1_objects == set(checkpointed), (
        "attempt 1 finalized objects its checkpoint does not list (or lost listed ones)"
    )
    assert checkpoint["rows"] == sum(part["rows"] for part in checkpoint["parts"])

    log = client.log(dag_id, run_id, TASK_ID, try_number=2)
    assert RESUME_LINE in log, log[-3000:]

    manifest = committed_manifest(bucket)
    names = [part["name"] for part in manifest["parts"]]
    attempts = [attempt_of(name) for name in names]
    kept = len(checkpointed)
    assert names[:kept] == checkpointed
    assert attempts == [1] * kept + [2] * (len(names) - kept), names
    assert manifest["scn"] == checkpoint["scn"]
    # finished parts were not redone: attempt 2 holds exactly the rows after the last key
    resumed = [i for name in names[kept:] for i in part_ids(bucket, name)]
    assert resumed == source.ids[checkpoint["rows"] :]

    store = client.task_state_store(dag_id, run_id, TASK_ID)
    assert CHECKPOINT_KEY not in store, "the checkpoint outlived the committed manifest"


# -- the scheduler ------------------------------------------------------------------------------


@dataclass
class Scheduler:
    """The shared stack's scheduler: signal it, wait for it to exit, start it again."""

    stack: AirflowStack
    #: the scheduler process a test signalled, until a new one runs
    signalled: subprocess.Popen[bytes] | None = None

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.stack.process("scheduler")

    @property
    def log_path(self) -> Path:
        return self.stack.logs / "scheduler.log"

    def terminate(self, *, whole_group: bool) -> None:
        """SIGTERM to the scheduler alone, or to its process group (its LocalExecutor
        workers too; the task processes have groups of their own)."""
        self.signalled = self.process
        if whole_group:
            os.killpg(self.process.pid, signal.SIGTERM)
        else:
            os.kill(self.process.pid, signal.SIGTERM)

    def wait_for_exit(self) -> None:
        """Until the signalled scheduler has exited, which it does once its workers have.

        Airflow 3.3's ``LocalExecutor.end()`` can wait for ever instead: an idle worker never
        gets its shutdown message (seen in two of ten shutdowns: the scheduler in
        ``Process.join``, the worker in ``SimpleQueue.get`` on an empty pipe). Signalling
        again only moves the wait into multiprocessing's exit handler, and the workers ignore
        SIGTERM and SIGINT. So after ``SCHEDULER_EXIT_TIMEOUT_S`` the stack's stop finishes
        it (SIGKILL in the end) with a warning: Airflow's own shutdown is not on trial here.
        """
        try:
            self.process.wait(timeout=SCHEDULER_EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            warnings.warn(
                f"the signalled scheduler still waits for its LocalExecutor workers after "
                f"{SCHEDULER_EXIT_TIMEOUT_S:.0f} s with its tasks done; stopping it",
                stacklevel=2,
            )
            stop_groups({self.process.pid: self.process}, STOP_TIMEOUT_S)

    def start(self) -> None:
        """Launch a new scheduler as the stack does, and wait until the stack is healthy."""
        self.signalled = None
        self.stack.relaunch("scheduler", STARTUP_TIMEOUT_S)

    def ensure_running(self) -> None:
        """Leave the stack as the next module expects it, whatever the test did: a signalled
        scheduler still shutting down is stopped for good, and a new one started."""
        if self.signalled is None:
            return
        if self.signalled.poll() is None:
            stop_groups({self.signalled.pid: self.signalled}, STOP_TIMEOUT_S)
        self.start()


@pytest.fixture
def scheduler(airflow_stack: E2EStack) -> Iterator[Scheduler]:
    control = Scheduler(airflow_stack.stack)
    try:
        yield control
    finally:
        control.ensure_running()


def log_since(path: Path, offset: int) -> str:
    with open(path, "rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")


def signal_the_task_midway(
    airflow_stack: E2EStack,
    oracle_emulator: EmulatorProcess,
    gcs_bucket: storage.Bucket,
    source: Source,
    signum: signal.Signals,
) -> tuple[str, str, str, set[int]]:
    """Run the slow extract, pause its DAG (the running task goes on, no retry starts until
    the leftovers are seen), and signal the task process as soon as two parts are
    checkpointed; returns the DAG id, the run id, the signalled try's task instance id and
    the task's Oracle sessions."""
    client, dag_id = airflow_stack.client, unique_id("gs_task")
    airflow_stack.add_dag(dag_id, extract_dag(dag_id, gcs_bucket.name, source.table))
    run_id = client.trigger(dag_id)
    ti, _ = wait_until_running(client, dag_id, run_id, fetching)
    client.request("PATCH", f"dags/{dag_id}", json={"is_paused": True})
    runner = task_process(airflow_stack.stack, ti["id"])
    sessions = session_ids(oracle_emulator, oracle_ports(runner, oracle_emulator))
    assert sessions, "the task holds no Oracle connection while it extracts"
    wait_until_running(client, dag_id, run_id, checkpointed(KILL_AFTER_PARTS))
    runner.send_signal(signum)  # at once: the next part is two batches away
    runner.wait(timeout=EXIT_TIMEOUT_S)
    return dag_id, run_id, ti["id"], sessions


# -- tests --------------------------------------------------------------------------------------


def test_sigterm_to_the_task_aborts_it_cleanly_and_the_retry_resumes_from_its_checkpoint(
    airflow_stack: E2EStack,
    oracle_emulator: EmulatorProcess,
    gcs_bucket: storage.Bucket,
    source: Source,
) -> None:
    client = airflow_stack.client
    dag_id, run_id, _, sessions = signal_the_task_midway(
        airflow_stack, oracle_emulator, gcs_bucket, source, signal.SIGTERM
    )
    interrupted = leftovers(client, dag_id, run_id, gcs_bucket)
    assert interrupted.ti["state"] == "up_for_retry", interrupted.ti
    assert not interrupted.manifest_written
    first = client.log(dag_id, run_id, TASK_ID, try_number=1)
    assert CANCEL_LINE in first, first[-3000:]  # on_kill ran
    assert "ExtractCancelledError" in first, first[-3000:]  # and ended the try
    wait_for_sessions_closed(oracle_emulator, sessions)

    client.request("PATCH", f"dags/{dag_id}", json={"is_paused": False})
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", client.log(dag_id, run_id, TASK_ID, try_number=2)[-3000:]
    final = the_extract(client, dag_id, run_id)
    assert final is not None and (final["state"], final["try_number"]) == ("success", 2)
    assert first_try(client, dag_id, run_id)["state"] in INTERRUPTED
    assert_exact_output(gcs_bucket, committed_manifest(gcs_bucket), source)

    assert_resumed(client, dag_id, run_id, gcs_bucket, source, interrupted)


def test_sigterm_to_the_task_reading_a_lob_table_cancels_that_read_and_the_retry_resumes(
    airflow_stack: E2EStack,
    oracle_emulator: EmulatorProcess,
    gcs_bucket: storage.Bucket,
    lob_source: Source,
) -> None:
    """SIGTERM while the task reads a table with a CLOB column (whole values, fewer rows a
    round trip) interrupts that read: the try is retried, commits nothing, closes its Oracle
    session and leaves no process; the retry resumes and writes every row and CLOB once.

    Why this needs the LOB read on the connection ``on_kill`` cancels: ``on_kill`` calls
    ``hook.cancel()``, which sets *that hook's* cancelled flag and sends a break on *that
    hook's* open connections only, and the task runner's SIGTERM handler raises nothing. Were
    the LOB table read on a connection of another hook (as it once was), the break would never
    reach the socket fetching the LOB rows and the flag its cursor checks between batches
    would stay clear: the read would go on to the last row (the signal comes after 2 of 20
    parts), the manifest would be committed and the first try would succeed. So the try's
    state, the missing manifest, the ``ExtractCancelledError`` in its log and the count of
    connections ``on_kill`` cancelled (every Oracle connection the task held while reading,
    not fewer) would each fail.
    """
    client = airflow_stack.client
    dag_id, run_id, ti_id, sessions = signal_the_task_midway(
        airflow_stack, oracle_emulator, gcs_bucket, lob_source, signal.SIGTERM
    )
    interrupted = leftovers(client, dag_id, run_id, gcs_bucket)
    assert interrupted.ti["state"] in INTERRUPTED, interrupted.ti
    manifests = [
        blob.name
        for blob in gcs_bucket.list_blobs()
        if blob.name.rsplit("/", 1)[-1].startswith("_manifest")
    ]
    assert not manifests, f"the interrupted try committed {manifests}"
    first = client.log(dag_id, run_id, TASK_ID, try_number=1)
    assert LOB_LINE in first, first[-3000:]  # the read took the LOB path
    assert CANCEL_LINE in first, first[-3000:]  # on_kill ran
    # ... and reached every Oracle connection the task held while reading the LOB table
    assert f"({len(sessions)} open connections)" in first, first[-3000:]
    assert "ExtractCancelledError" in first, first[-3000:]  # and ended the try
    wait_for_sessions_closed(oracle_emulator, sessions)
    assert not runners_left(ti_id), "the signalled task process is still running"

    client.request("PATCH", f"dags/{dag_id}", json={"is_paused": False})
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", client.log(dag_id, run_id, TASK_ID, try_number=2)[-3000:]
    final = the_extract(client, dag_id, run_id)
    assert final is not None and (final["state"], final["try_number"]) == ("success", 2)
    assert first_try(client, dag_id, run_id)["state"] in INTERRUPTED
    manifest = committed_manifest(gcs_bucket)
    assert_exact_output(gcs_bucket, manifest, lob_source)
    for part in manifest["parts"]:
        for row in part_rows(gcs_bucket, part["name"]):
            assert row["DOC"] == lob_document(int(row["ID"])), f"CLOB of row {row['ID']}"

    assert_resumed(client, dag_id, run_id, gcs_bucket, lob_source, interrupted)


def test_sigkill_to_the_task_mid_upload_leaves_no_partial_object_and_the_retry_resumes(
    airflow_stack: E2EStack,
    oracle_emulator: EmulatorProcess,
    gcs_bucket: storage.Bucket,
    source: Source,
) -> None:
    """SIGKILL gives the task no chance to clean up (a worker lost, on LocalExecutor): its
    supervisor reports the try failed and Airflow retries it. The part being written never
    became an object (a part is stored whole or not at all: in one request at its end, or a
    resumable session finalized at its end), so attempt 1 left only
    whole parts; the retry keeps the checkpointed ones, reads the rest again at the same SCN,
    and its commit deletes any part attempt 1 finished after its last checkpoint."""
    client = airflow_stack.client
    dag_id, run_id, _, sessions = signal_the_task_midway(
        airflow_stack, oracle_emulator, gcs_bucket, source, signal.SIGKILL
    )
    interrupted = leftovers(client, dag_id, run_id, gcs_bucket)
    assert interrupted.ti["state"] == "up_for_retry", interrupted.ti
    assert not interrupted.manifest_written
    checkpoint = interrupted.checkpoint
    assert checkpoint is not None, "the killed try left no checkpoint"
    checkpointed_names = [part["name"] for part in checkpoint["parts"]]
    assert set(checkpointed_names) <= interrupted.attempt1_objects
    # whatever attempt 1 finalized is a whole part: valid gzip of consecutive source rows
    ids_by_part = {name: part_ids(gcs_bucket, name) for name in interrupted.attempt1_objects}
    for name, ids in ids_by_part.items():
        assert ids and ids == source.ids[source.ids.index(ids[0]) :][: len(ids)], name
    wait_for_sessions_closed(oracle_emulator, sessions)  # the kernel closed its sockets

    client.request("PATCH", f"dags/{dag_id}", json={"is_paused": False})
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", client.log(dag_id, run_id, TASK_ID, try_number=2)[-3000:]
    final = the_extract(client, dag_id, run_id)
    assert final is not None and (final["state"], final["try_number"]) == ("success", 2)
    assert RESUME_LINE in client.log(dag_id, run_id, TASK_ID, try_number=2)
    manifest = committed_manifest(gcs_bucket)
    assert_exact_output(gcs_bucket, manifest, source)
    names = [part["name"] for part in manifest["parts"]]
    kept = len(checkpointed_names)
    assert names[:kept] == checkpointed_names
    assert {attempt_of(name) for name in names[kept:]} == {2}
    resumed = [i for name in names[kept:] for i in part_ids(gcs_bucket, name)]
    assert resumed == source.ids[checkpoint["rows"] :]


def test_sigterm_to_the_scheduler_waits_for_the_running_task(
    airflow_stack: E2EStack,
    scheduler: Scheduler,
    gcs_bucket: storage.Bucket,
    source: Source,
) -> None:
    """The scheduler alone is signalled: LocalExecutor.end() waits for the task, which ends
    its first try successfully before the scheduler exits; a new scheduler ends the run."""
    client, dag_id = airflow_stack.client, unique_id("gs_sched")
    airflow_stack.add_dag(dag_id, extract_dag(dag_id, gcs_bucket.name, source.table))
    run_id = client.trigger(dag_id)
    wait_until_running(client, dag_id, run_id, fetching)

    offset = scheduler.log_path.stat().st_size
    scheduler.terminate(whole_group=False)
    # signalled, the scheduler is still there: it waits for the task, which goes on running
    ti = the_extract(client, dag_id, run_id)
    assert ti is not None and ti["state"] == "running", ti
    assert scheduler.process.poll() is None
    ended = wait_until_ended(client, dag_id, run_id)
    assert (ended["state"], ended["try_number"]) == ("success", 1), ended
    assert CANCEL_LINE not in client.log(dag_id, run_id, TASK_ID, try_number=1)
    scheduler.wait_for_exit()
    said = log_since(scheduler.log_path, offset)
    assert "Exiting gracefully upon receiving signal 15" in said, said[-3000:]
    # the scheduler began to shut down, then its worker finished the task, undisturbed
    waiting = said.find("waiting for running tasks to finish")
    finished = re.search(rf"Workload finished .*final_state=(\w+).*workload_id={ti['id']}", said)
    assert waiting >= 0 and finished is not None, said[-3000:]
    assert waiting < finished.start() and finished[1] == "success", said[waiting:][:3000]

    scheduler.start()
    assert client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S) == "success"
    manifest = committed_manifest(gcs_bucket)
    assert_exact_output(gcs_bucket, manifest, source)
    assert {attempt_of(part["name"]) for part in manifest["parts"]} == {1}
    assert CHECKPOINT_KEY not in client.task_state_store(dag_id, run_id, TASK_ID)


def test_sigterm_to_the_schedulers_process_group_interrupts_the_task_and_the_retry_resumes(
    airflow_stack: E2EStack,
    scheduler: Scheduler,
    oracle_emulator: EmulatorProcess,
    gcs_bucket: storage.Bucket,
    source: Source,
) -> None:
    """The scheduler's whole group is signalled: the busy worker's supervisor forwards the
    signal to the task, whose on_kill ends the try; the scheduler exits once its workers have;
    the retry waits for a new scheduler, and resumes from the checkpoint."""
    client, dag_id = airflow_stack.client, unique_id("gs_group")
    airflow_stack.add_dag(dag_id, extract_dag(dag_id, gcs_bucket.name, source.table))
    run_id = client.trigger(dag_id)
    ti, _ = wait_until_running(client, dag_id, run_id, fetching)
    runner = task_process(airflow_stack.stack, ti["id"])
    sessions = session_ids(oracle_emulator, oracle_ports(runner, oracle_emulator))
    assert sessions, "the task holds no Oracle connection while it extracts"
    offset = scheduler.log_path.stat().st_size
    wait_until_running(client, dag_id, run_id, checkpointed(KILL_AFTER_PARTS))
    scheduler.terminate(whole_group=True)
    scheduler.wait_for_exit()
    said = log_since(scheduler.log_path, offset)
    assert "Exiting gracefully upon receiving signal 15" in said, said[-3000:]
    assert "forwarding to task subprocess" in said, said[-3000:]

    # no scheduler: nothing can start the retry while the leftovers are looked at
    interrupted = leftovers(client, dag_id, run_id, gcs_bucket)
    assert interrupted.ti["state"] == "up_for_retry", interrupted.ti
    assert not interrupted.manifest_written
    first = client.log(dag_id, run_id, TASK_ID, try_number=1)
    assert CANCEL_LINE in first, first[-3000:]
    wait_for_sessions_closed(oracle_emulator, sessions)

    scheduler.start()
    state = client.wait(dag_id, run_id, timeout=RUN_TIMEOUT_S)
    assert state == "success", client.log(dag_id, run_id, TASK_ID, try_number=2)[-3000:]
    final = the_extract(client, dag_id, run_id)
    assert final is not None and (final["state"], final["try_number"]) == ("success", 2)
    assert_exact_output(gcs_bucket, committed_manifest(gcs_bucket), source)

    assert_resumed(client, dag_id, run_id, gcs_bucket, source, interrupted)
