"""Load: eight transports of four tables each, triggered together on one LocalExecutor Airflow
over PostgreSQL (SQLite serialises writers: eight runs at once need a real database).

The executor has eight task slots (``[core] parallelism``), twice what one run may use
(``parallel_tables: 4``), so tasks of different runs share the executor and the machine at
the same moment. Every run must succeed; every table's committed ``_manifest.json`` must list
parts holding its rows exactly once (each table's IDs are a range of their own, so a part
written under the wrong table or transport shows too); and while the runs go, a background
thread samples the resident memory of every process under the scheduler (the LocalExecutor
workers and the task processes they fork): every peak must stay under a fixed bound, and no
executor worker may grow much over the tasks it supervises in turn.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import re
import shutil
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import msgspec
import oracledb
import psutil
import psycopg2
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import TableLayout, job_manifest_name, parse_part_name
from oracle_emulator.process import EmulatorProcess
from oracle_emulator.pytest_plugin import DEMO_PASSWORD, DEMO_USER
from oracle_etl_stack.airflow_client import TERMINAL_RUN_STATES, AirflowClient
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, ORACLE_CONN_ID
from oracle_etl_stack.airflow_stack import AirflowStack, connections_env
from oracle_etl_stack.gcs import EMULATOR_ENV, GcsEmulator, empty_bucket
from oracle_etl_stack.services import PostgresServer
from tests.e2e.plugin_support import LOADER, wait_for_dag, write_transport

log = logging.getLogger(__name__)

pytestmark = pytest.mark.slow

TRANSPORTS = 8
TABLES_PER_TRANSPORT = 4
#: ``parallel_tables`` of every transport: one run alone never fills the executor's slots
PARALLEL_TABLES = 4
#: the executor's task slots: tasks of at least two runs must share them
PARALLELISM = 8
PREFIX = "load"
SCHEMA = "DEMO"
#: table k of transport t holds BASE_ROWS + k * ROWS_STEP_TABLE + t * ROWS_STEP_TRANSPORT
#: rows: 20,000 to 58,000, 1,232,000 in all (every table a different size, so a manifest
#: counted against the wrong table fails)
BASE_ROWS = 20_000
ROWS_STEP_TABLE = 10_000
ROWS_STEP_TRANSPORT = 1_000
#: each table's IDs are BENCH_ROWS' IDs (1..100,000) moved by its own multiple of this
ID_STRIDE = 100_000
#: parts of at most this many rows: every table but the first (20,000 rows) has two or more
PART_ROWS = 20_000
MIB = 2**20
#: the bound on any process's peak RSS under the scheduler. Each of them is a fork of the
#: scheduler (LocalExecutor's workers by multiprocessing, each task process by the task
#: supervisor's ``os.fork``) and counts the scheduler's ~190 MiB of shared pages in its RSS.
#: benchmarks/ measured the operator's process at about 250 MB, flat in the row count: the
#: Airflow task runtime with the Oracle and Google clients, plus one batch of 10,000 rows, the
#: gzip stream and one 16 MiB upload chunk. Here extract processes peak at 200-230 MiB.
#: 600 MiB is over twice that, room for other platforms and allocator noise; what exceeds it
#: is memory that grows with the load (buffers piling up while eight tasks share two cores,
#: state kept from one task to the next). One table here is at most 18 MiB of JSON lines, too
#: little to tell streaming from buffering a table whole: benchmarks/ covers that.
RSS_BOUND_BYTES = 600 * MIB
#: how much a LocalExecutor worker may grow from its first sample (idle, before the runs)
#: to its peak: it supervises six or so tasks in turn, and must not keep anything of each
WORKER_GROWTH_BYTES = 64 * MIB
SAMPLE_INTERVAL_S = 0.5
#: the memory check proves something only if it saw most extract task processes: each lives
#: for seconds, and the sampler looks every half second
MIN_SAMPLED_EXTRACTS = 3 * TRANSPORTS * TABLES_PER_TRANSPORT // 4
RUN_TIMEOUT_S = 420.0
POLL_INTERVAL_S = 2.0
LOG_TAIL_LINES = 30
#: ``setproctitle`` of a task process once it runs its task: ``airflow worker -- <TI uuid>``
#: (airflow/sdk/execution_time/task_runner.py, ``startup``)
TASK_TITLE = re.compile(r"airflow worker -- ([0-9a-f]{8}-[0-9a-f-]{27})")
#: the title prefix of LocalExecutor's worker processes (airflow/executors/local_executor.py)
EXECUTOR_WORKER_TITLE = "LocalExecutor"
ROLE_TASK = "task"
ROLE_WORKER = "executor worker"
ROLE_OTHER = "other"


@dataclass(frozen=True)
class LoadTable:
    """One source table: its rows have IDs ``first_id .. first_id + rows - 1``."""

    transport: str
    name: str
    rows: int
    first_id: int

    @property
    def label(self) -> str:
        """The table as the manifests and object names spell it."""
        return f"{SCHEMA}.{self.name}"


def _plan_tables() -> dict[str, list[LoadTable]]:
    """The transports (by id) and their tables."""
    plan: dict[str, list[LoadTable]] = {}
    for t in range(TRANSPORTS):
        transport = f"load_{t}"
        plan[transport] = [
            LoadTable(
                transport=transport,
                name=f"LOAD_{t}_{k}",
                rows=BASE_ROWS + k * ROWS_STEP_TABLE + t * ROWS_STEP_TRANSPORT,
                first_id=(t * TABLES_PER_TRANSPORT + k) * ID_STRIDE + 1,
            )
            for k in range(TABLES_PER_TRANSPORT)
        ]
    return plan


def _transport_yaml(transport: str, bucket: str, tables: list[LoadTable]) -> dict[str, Any]:
    """A transport file: manual runs, no retries (every task must succeed at its first try)."""
    return {
        "id": transport,
        "schedule": None,
        "oracle_conn_id": ORACLE_CONN_ID,
        "destination": {"gcp_conn_id": GCP_CONN_ID, "bucket": bucket, "prefix": PREFIX},
        "parallel_tables": PARALLEL_TABLES,
        "retries": 0,
        "parts": {"max_rows": PART_ROWS},
        # a task per table, as many tasks at once as a run may have: left to the plan, these
        # few small tables would share one task (too little work for four task starts)
        "packing": {"groups": TABLES_PER_TRANSPORT},
        "tables": [table.name for table in tables],
    }


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def load_tables(oracle_emulator: EmulatorProcess) -> Iterator[dict[str, list[LoadTable]]]:
    """The 32 source tables in the emulator, copied out of BENCH_ROWS (12 columns, about 150
    bytes a row) with IDs moved into a range per table; dropped afterwards (the emulator is
    the session's)."""
    plan = _plan_tables()
    tables = [table for tables in plan.values() for table in tables]
    connection = oracledb.connect(user=DEMO_USER, password=DEMO_PASSWORD, dsn=oracle_emulator.dsn)
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"CREATE TABLE {table.name} AS SELECT ID + {table.first_id - 1} AS ID,"
                    " AMOUNT, QTY, PRICE, NAME, DESCRIPTION, STATUS, CREATED, UPDATED, NOTE,"
                    f" CODE, FLAG FROM BENCH_ROWS WHERE ID <= {table.rows}"
                )
        yield plan
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                try:
                    cursor.execute(f"DROP TABLE {table.name} PURGE")
                except oracledb.DatabaseError:
                    log.warning("could not drop %s", table.name)
        connection.close()


@pytest.fixture(scope="module")
def load_bucket(gcs_emulator: GcsEmulator) -> Iterator[storage.Bucket]:
    """One bucket for all eight transports (each writes under its own transport id)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(EMULATOR_ENV, gcs_emulator.url)
        bucket = gcs_emulator.client().create_bucket(f"load-{uuid.uuid4().hex[:16]}")
        yield bucket
        empty_bucket(bucket)


@pytest.fixture(scope="module")
def load_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A database of its own on the session's PostgreSQL (the Celery stack of this session
    uses the server's default one); its SQLAlchemy URL."""
    name = f"airflow_load_{uuid.uuid4().hex[:8]}"
    server = postgres_server
    connection = psycopg2.connect(
        host=server.host, port=server.port, user=server.user, password=server.password,
        dbname=server.database, connect_timeout=10,
    )  # fmt: skip
    connection.autocommit = True  # CREATE and DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        credentials = f"{server.user}:{server.password}"
        yield f"postgresql+psycopg2://{credentials}@{server.host}:{server.port}/{name}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


@pytest.fixture(scope="module")
def load_stack(
    load_database: str,
    load_tables: dict[str, list[LoadTable]],
    load_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    gcs_emulator: GcsEmulator,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AirflowStack]:
    """api-server, scheduler, dag-processor and triggerer on PostgreSQL, LocalExecutor with
    :data:`PARALLELISM` slots, the transport loader in its dags folder and the eight transport
    files beside it before it starts (so the first parse registers every DAG)."""
    home = tmp_path_factory.mktemp("load-stack")
    dags = home / "dags"
    folder = dags / "transports"
    folder.mkdir(parents=True)
    shutil.copyfile(LOADER, dags / LOADER.name)
    for transport, tables in load_tables.items():
        write_transport(folder, transport, _transport_yaml(transport, load_bucket.name, tables))
    env = connections_env(
        oracle_host=oracle_emulator.host,
        oracle_port=oracle_emulator.port,
        service_name=oracle_emulator.service_name,
        gcs_url=gcs_emulator.url,
    ) | {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": load_database,
        "AIRFLOW__CORE__PARALLELISM": str(PARALLELISM),
    }
    started = time.monotonic()
    with AirflowStack(home, dags, env) as stack:
        log.info("load stack up at %s in %.1f s", stack.url, time.monotonic() - started)
        yield stack


# -- memory sampling -----------------------------------------------------------------------


@dataclass
class ProcessPeak:
    """What the sampler saw of one process (a pid together with its start time)."""

    pid: int
    role: str
    title: str
    #: the task instance a task process ran (from its title), once it was seen running one
    ti_id: str | None = None
    peak_rss: int = 0
    #: the RSS at the first sample
    first_rss: int = 0
    samples: int = 0


class RssSampler:
    """Samples the RSS of every process descended from ``root_pid`` every ``interval`` seconds
    in a background thread, keeping each process's peak; ``with`` runs it."""

    def __init__(self, root_pid: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.root = psutil.Process(root_pid)
        self.interval = interval
        self.peaks: dict[tuple[int, float], ProcessPeak] = {}
        #: the most task processes seen alive in one sample
        self.most_tasks_at_once = 0
        self.rounds = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.sample()
                self._stop.wait(self.interval)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def sample(self) -> None:
        """One look at every descendant: its RSS, title and parent."""
        try:
            descendants = self.root.children(recursive=True)
        except psutil.NoSuchProcess:  # the scheduler is gone: the runs' wait reports it
            return
        seen: dict[int, tuple[int, int, str, float]] = {}
        for process in descendants:
            try:
                with process.oneshot():
                    if process.status() == psutil.STATUS_ZOMBIE:  # ended, not yet reaped
                        continue
                    ppid = process.ppid()
                    rss = process.memory_info().rss
                    created = process.create_time()
                title = " ".join(process.cmdline())
            except (psutil.NoSuchProcess, psutil.AccessDenied):  # ended meanwhile (or zombie)
                continue
            seen[process.pid] = (ppid, rss, title, created)
        tasks = 0
        for pid, (ppid, rss, title, created) in seen.items():
            parent_title = seen[ppid][2] if ppid in seen else ""
            if EXECUTOR_WORKER_TITLE in parent_title:
                role = ROLE_TASK
                tasks += 1
            elif ppid == self.root.pid and EXECUTOR_WORKER_TITLE in title:
                role = ROLE_WORKER
            else:
                role = ROLE_OTHER
            peak = self.peaks.setdefault((pid, created), ProcessPeak(pid, role, title))
            if role != ROLE_OTHER:  # a parent not readable in an earlier sample
                peak.role = role
            if not peak.samples:
                peak.first_rss = rss
            peak.peak_rss = max(peak.peak_rss, rss)
            peak.samples += 1
            if match := TASK_TITLE.search(title):
                peak.ti_id, peak.title = match[1], title
        self.most_tasks_at_once = max(self.most_tasks_at_once, tasks)
        self.rounds += 1


def _scheduler_pid(stack: AirflowStack) -> int:
    """The scheduler's pid, from the pid file the stack writes for each component."""
    return int((stack.run_dir / "scheduler.pid").read_text())


# -- runs ----------------------------------------------------------------------------------


def _wait_for_runs(client: AirflowClient, runs: dict[str, str], timeout: float) -> dict[str, str]:
    """Poll every run until all have ended or ``timeout`` passed; their last states."""
    deadline = time.monotonic() + timeout
    states = dict.fromkeys(runs, "queued")
    while True:
        for dag_id, run_id in runs.items():
            if states[dag_id] not in TERMINAL_RUN_STATES:
                states[dag_id] = str(client.dag_run(dag_id, run_id)["state"])
        if all(state in TERMINAL_RUN_STATES for state in states.values()):
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(POLL_INTERVAL_S)


def _failure_report(
    client: AirflowClient, stack: AirflowStack, runs: dict[str, str], states: dict[str, str]
) -> str:
    """The run states, every task instance that did not succeed, the log tail of each failed
    try, and the components' logs: what a failed load run is diagnosed from."""
    lines = [f"run states: {states}"]
    for dag_id, run_id in runs.items():
        try:
            instances = client.task_instances(dag_id, run_id)
        except Exception as error:
            lines.append(f"{dag_id}: task instances unreadable: {error}")
            continue
        for ti in instances:
            if ti["state"] == "success":
                continue
            lines.append(
                f"{dag_id} {ti['task_id']}[{ti['map_index']}] {ti['state']} "
                f"try {ti['try_number']} on {ti.get('hostname')}"
            )
            if ti["state"] != "failed":
                continue
            try:
                text = client.log(dag_id, run_id, ti["task_id"], ti["try_number"], ti["map_index"])
            except Exception as error:
                text = f"log unreadable: {error}"
            lines += [f"  | {line}" for line in text.splitlines()[-LOG_TAIL_LINES:]]
    lines.append(stack.log_tails(20))
    return "\n".join(lines)


def _when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _most_at_once(instances: list[dict[str, Any]]) -> tuple[int, int]:
    """From the task instances' start and end dates: the most that ran at one moment, and
    the most distinct DAGs (runs) they belonged to at one moment."""
    spans = [
        (_when(ti["start_date"]), _when(ti["end_date"]), ti["dag_id"])
        for ti in instances
        if ti["start_date"] and ti["end_date"]
    ]
    most = most_dags = 0
    for moment, _, _ in spans:
        running = [dag_id for start, end, dag_id in spans if start <= moment < end]
        most = max(most, len(running))
        most_dags = max(most_dags, len(set(running)))
    return most, most_dags


# -- output --------------------------------------------------------------------------------


class _Id(msgspec.Struct):
    """Only the ID of a JSON line (an expression column: NUMBER without precision, which
    the operator writes as exact decimal text)."""

    ID: str | int


_ID_DECODER = msgspec.json.Decoder(_Id)


def _check_table(
    bucket: storage.Bucket, job_table: dict[str, Any], table: LoadTable, run_id: str
) -> list[str]:
    """Assert the table's committed manifest and its parts against the source; the part
    objects the manifest lists."""
    committed = TableLayout(PREFIX, table.transport, table.label, run_id).manifest_name()
    assert job_table["manifest"] == committed, job_table
    assert committed.endswith("/_manifest.json")
    manifest = json.loads(bucket.blob(committed).download_as_bytes())
    assert (manifest["table"], manifest["transport"], manifest["run_id"]) == (
        table.label,
        table.transport,
        run_id,
    )
    assert manifest["totals"]["rows"] == job_table["totals"]["rows"] == table.rows, table
    ids: list[int] = []
    for part in manifest["parts"]:
        lines = gzip.decompress(bucket.blob(part["name"]).download_as_bytes()).splitlines()
        assert len(lines) == part["rows"], part
        ids += [int(_ID_DECODER.decode(line).ID) for line in lines]
    assert len(ids) == table.rows, table
    ids.sort()
    assert ids == list(range(table.first_id, table.first_id + table.rows)), (
        f"{table.label} of {table.transport}: IDs missing, repeated or foreign"
    )
    assert all(part["rows"] <= PART_ROWS for part in manifest["parts"]), manifest["parts"]
    assert len(manifest["parts"]) > 1 or table.rows <= PART_ROWS
    return [part["name"] for part in manifest["parts"]]


def _log_peaks(peaks: list[ProcessPeak], names: dict[str, str]) -> None:
    by_role: dict[str, list[ProcessPeak]] = {}
    for peak in peaks:
        by_role.setdefault(peak.role, []).append(peak)
    for role, group in sorted(by_role.items()):
        values = [p.peak_rss / MIB for p in group]
        log.info(
            "%-15s %3d processes: peak RSS max %.0f MiB, median %.0f MiB, min %.0f MiB",
            role, len(group), max(values), statistics.median(values), min(values),
        )  # fmt: skip
    for peak in sorted(peaks, key=lambda p: (p.role, -p.peak_rss)):
        name = names.get(peak.ti_id or "", peak.title[:70])
        log.info(
            "  %-15s pid %7d %6.0f MiB (%3d samples) %s",
            peak.role, peak.pid, peak.peak_rss / MIB, peak.samples, name,
        )  # fmt: skip


# -- the test ------------------------------------------------------------------------------


def test_eight_transports_at_once_all_succeed_with_bounded_worker_memory(
    load_stack: AirflowStack,
    load_tables: dict[str, list[LoadTable]],
    load_bucket: storage.Bucket,
) -> None:
    client = load_stack.client
    for transport in load_tables:
        wait_for_dag(client, transport)

    started = time.monotonic()
    with RssSampler(_scheduler_pid(load_stack)) as sampler:
        runs = {transport: client.trigger(transport) for transport in load_tables}
        states = _wait_for_runs(client, runs, RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    assert sampler.error is None, f"the RSS sampler failed: {sampler.error!r}"
    assert set(states.values()) == {"success"}, _failure_report(client, load_stack, runs, states)
    log.info("%d runs succeeded in %.1f s (%d samples)", len(runs), elapsed, sampler.rounds)

    # the runs really overlapped: more tasks at once than one run may have, from several runs
    instances = [
        ti for dag_id, run_id in runs.items() for ti in client.task_instances(dag_id, run_id)
    ]
    # plan, extracts, finalize and report of each run; report is skipped when nothing failed
    assert len(instances) == TRANSPORTS * (TABLES_PER_TRANSPORT + 3)
    reports = [ti for ti in instances if ti["task_id"] == "report"]
    assert {ti["state"] for ti in reports} == {"skipped"}
    instances = [ti for ti in instances if ti["task_id"] != "report"]
    assert {ti["state"] for ti in instances} == {"success"}
    assert {ti["try_number"] for ti in instances} == {1}
    most, most_runs = _most_at_once(instances)
    log.info("at most %d tasks of %d runs at once (%d task processes in one sample)",
             most, most_runs, sampler.most_tasks_at_once)  # fmt: skip
    assert most > PARALLEL_TABLES and most_runs > 1, (most, most_runs)
    names = {
        ti["id"]: f"{ti['dag_id']}.{ti['task_id']} {ti.get('rendered_map_index') or ''}".strip()
        for ti in instances
    }
    peaks = list(sampler.peaks.values())
    _log_peaks(peaks, names)

    # every table of every transport: committed, its rows in the listed parts exactly once
    written = 0
    for transport, tables in load_tables.items():
        run_id = runs[transport]
        job = json.loads(
            load_bucket.blob(job_manifest_name(PREFIX, transport, run_id)).download_as_bytes()
        )
        written += job["totals"]["bytes"]
        by_label = {entry["table"]: entry for entry in job["tables"]}
        assert set(by_label) == {table.label for table in tables}, job["tables"]
        listed: set[str] = set()
        for table in tables:
            listed.update(_check_table(load_bucket, by_label[table.label], table, run_id))
        stored = {
            blob.name
            for blob in load_bucket.list_blobs(prefix=f"{PREFIX}/{transport}/")
            if parse_part_name(blob.name)
        }
        assert stored == listed, f"{transport}: parts no manifest lists: {stored - listed}"

    rows = sum(table.rows for tables in load_tables.values() for table in tables)
    log.info("%d rows, %.0f MiB of JSON lines, checked", rows, written / MIB)

    # memory: every process under the scheduler stayed under the bound, and the sampler saw
    # the task processes of most extracts
    extract_ids = {ti["id"] for ti in instances if ti["task_id"] == "extract"}
    tasks = [peak for peak in peaks if peak.role == ROLE_TASK]
    sampled_ids = {peak.ti_id for peak in tasks if peak.ti_id is not None}
    assert sampled_ids <= set(names), f"task processes of unknown task instances: {sampled_ids}"
    sampled_extracts = sampled_ids & extract_ids
    assert len(sampled_extracts) >= MIN_SAMPLED_EXTRACTS, (
        f"only {len(sampled_extracts)} of {len(extract_ids)} extract task processes sampled"
    )
    workers = [peak for peak in peaks if peak.role == ROLE_WORKER]
    assert len(workers) == PARALLELISM, [(p.pid, p.title) for p in peaks if p.role != ROLE_TASK]
    grown = [(p.pid, (p.peak_rss - p.first_rss) // MIB) for p in workers]
    log.info("executor workers grew by %s MiB from idle to peak", [g for _, g in grown])
    assert all(p.peak_rss - p.first_rss < WORKER_GROWTH_BYTES for p in workers), grown
    over = [peak for peak in peaks if peak.peak_rss >= RSS_BOUND_BYTES]
    assert not over, [
        (peak.role, names.get(peak.ti_id or "", peak.title), peak.peak_rss // MIB) for peak in over
    ]
