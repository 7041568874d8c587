"""(c) Four tables at once: a transport of four tables with ``parallel_tables: 4``, run by a
real Airflow (api-server, scheduler, dag-processor, triggerer; LocalExecutor with
parallelism 4) started once for the whole benchmark.

The rate is the aggregate: the rows of the four tables over the span from the first extract
task's start to the last one's end, both from the task instances' ``start_date`` and
``end_date`` over the REST API (the plan and finalize tasks, and the scheduler's latency
before the first extract, are outside it).

The tasks run in Airflow's processes, which this process cannot wait for, so the extract
task processes (titled ``airflow worker -- <ti id>``) are sampled from ``/proc`` every
:data:`SAMPLE_INTERVAL_S` while the run goes: CPU time and ``write_bytes`` as last seen (the
last fraction of a second of each task is missed, which matters only for tasks of a few
seconds), peak RSS as the kernel's high-water mark (``VmHWM``, exact once seen);
``tasks_sampled`` says how many of the extracts were seen. Beside them: the CPU and disk
writes of the LocalExecutor's worker processes with their reaped children (all the run's
tasks, plan and finalize included, their supervisors, and the task logs those write), and the
CPU of the whole stack (scheduler, api-server, dag-processor and all).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_oracle_etl.gcs.naming import job_manifest_name
from oracle_etl_stack.airflow_client import AirflowApiError
from oracle_etl_stack.airflow_stack import AirflowStack

from .airflow_env import GCP_CONN_ID, ORACLE_CONN_ID, gcs_connection

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
LOADER_DAG = REPO / "dags" / "transports.py"
PREFIX = "side_by_side/transport"
PARALLEL_TABLES = 4
SAMPLE_INTERVAL_S = 0.25
TASK_TITLE = "airflow worker -- "
#: the title of the executor's worker processes (and of a task process just forked from one,
#: until it sets its own)
EXECUTOR_TITLE = "airflow worker -- LocalExecutor"
EXTRACT_TASK = "extract"
PARSE_TIMEOUT_S = 180.0
NOT_FOUND = 404
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
KIB = 1024


@dataclass
class _Seen:
    """The last reading of one task process."""

    title: str
    cpu_s: float = 0.0
    hwm_mb: float = 0.0
    write_bytes: int = 0


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _stat_fields(pid: str) -> list[str] | None:
    """Fields of ``/proc/PID/stat`` after the command name (state is field 0)."""
    text = _read(f"/proc/{pid}/stat")
    return None if text is None else text.rsplit(")", 1)[1].split()


def process_cpu_s(fields: list[str], children: bool = False) -> float:
    """utime + stime (and the reaped children's cutime + cstime) in seconds."""
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


@dataclass
class TaskSampler:
    """Polls ``/proc`` for task processes (by title) in a thread while a run goes."""

    interval_s: float = SAMPLE_INTERVAL_S
    seen: dict[int, _Seen] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> TaskSampler:
        self._thread = threading.Thread(target=self._loop, name="task-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            command = (_read(f"/proc/{entry}/cmdline") or "").strip("\0 ")
            if not command.startswith(TASK_TITLE) or command.startswith(EXECUTOR_TITLE):
                continue
            fields = _stat_fields(entry)
            status = _read(f"/proc/{entry}/status") or ""
            io = _read(f"/proc/{entry}/io") or ""
            if fields is None:
                continue
            seen = self.seen.setdefault(int(entry), _Seen(command))
            seen.cpu_s = max(seen.cpu_s, process_cpu_s(fields))
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    seen.hwm_mb = max(seen.hwm_mb, int(line.split()[1]) / KIB)
            for line in io.splitlines():
                if line.startswith("write_bytes:"):
                    seen.write_bytes = max(seen.write_bytes, int(line.split()[1]))

    def for_tasks(self, ti_ids: set[str]) -> list[_Seen]:
        """The processes that ran these task instances."""
        return [s for s in self.seen.values() if s.title[len(TASK_TITLE) :].strip() in ti_ids]


def stack_cpu_s(run_dir: Path) -> float:
    """CPU so far of every process in the stack's process groups, reaped children included."""
    groups = {int(p.read_text()) for p in run_dir.glob("*.pid")}
    total = 0.0
    for entry in os.listdir("/proc"):
        fields = _stat_fields(entry) if entry.isdigit() else None
        if fields is not None and int(fields[2]) in groups:  # pgrp
            total += process_cpu_s(fields, children=True)
    return total


def worker_totals(run_dir: Path) -> tuple[float, int]:
    """CPU seconds and disk write bytes so far of the scheduler's children (the LocalExecutor
    workers and everything under them), reaped ones included.

    The scheduler's own CPU is left out, but its reaped children's is in (a worker that ended
    during the run). ``/proc/PID/io`` includes reaped children's I/O, so a worker's counts
    include the task processes it ran.
    """
    scheduler = int((run_dir / "scheduler.pid").read_text())
    cpu, written = 0.0, 0
    for entry in os.listdir("/proc"):
        fields = _stat_fields(entry) if entry.isdigit() else None
        if fields is None or int(fields[2]) != scheduler:  # pgrp
            continue
        if int(entry) == scheduler:
            cpu += (int(fields[13]) + int(fields[14])) / CLOCK_TICKS
            continue
        cpu += process_cpu_s(fields, children=True)
        io = _read(f"/proc/{entry}/io") or ""
        for line in io.splitlines():
            if line.startswith("write_bytes:"):
                written += int(line.split()[1])
    return cpu, written


def transport_yaml(transport_id: str, bucket: str, tables: list[str]) -> str:
    """The transport file: the four tables, ``parallel_tables: 4``, no retries."""
    listed = "".join(f"  - {table}\n" for table in tables)
    return (
        f"id: {transport_id}\nschedule: null\noracle_conn_id: {ORACLE_CONN_ID}\n"
        f"destination: {{gcp_conn_id: {GCP_CONN_ID}, bucket: {bucket}, prefix: {PREFIX}}}\n"
        f"parallel_tables: {PARALLEL_TABLES}\nretries: 0\ntables:\n{listed}"
    )


def span_seconds(task_instances: list[dict[str, Any]]) -> float:
    """From the first start to the last end of these task instances."""
    starts = [dt.datetime.fromisoformat(ti["start_date"]) for ti in task_instances]
    ends = [dt.datetime.fromisoformat(ti["end_date"]) for ti in task_instances]
    return (max(ends) - min(starts)).total_seconds()


class TransportParallel:
    """The Airflow stack and the transport DAG of the current dataset."""

    def __init__(self, work_dir: Path, gcs_url: str, bucket: str) -> None:
        self.home = work_dir / "airflow"
        self.gcs_url = gcs_url
        self.bucket = bucket
        self.stack: AirflowStack | None = None
        self.dag_id = ""

    def start(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)
        dags = self.home / "dags"
        (dags / "transports").mkdir(parents=True)
        shutil.copy(LOADER_DAG, dags / LOADER_DAG.name)
        env = {
            f"AIRFLOW_CONN_{GCP_CONN_ID.upper()}": json.dumps(gcs_connection()),
            "STORAGE_EMULATOR_HOST": self.gcs_url,
        }
        started = time.monotonic()
        self.stack = AirflowStack(self.home, dags, env).start()
        log.info("Airflow up at %s in %.0f s", self.stack.url, time.monotonic() - started)

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.stack = None

    def _require_stack(self) -> AirflowStack:
        if self.stack is None:
            raise RuntimeError("the Airflow stack is not running")
        return self.stack

    def use_dataset(self, dataset: str, oracle: dict[str, Any], tables: list[str]) -> None:
        """Point the Oracle connection at this dataset's emulator (over REST: the emulator's
        port changes per dataset, the stack's environment cannot) and deploy its transport."""
        stack = self._require_stack()
        client = stack.client
        body = {
            "connection_id": ORACLE_CONN_ID,
            "conn_type": "oracle",
            "host": oracle["host"],
            "port": oracle["port"],
            "login": oracle["user"],
            "password": oracle["password"],
            "extra": json.dumps({"service_name": oracle["service_name"]}),
        }
        try:
            client.request("DELETE", f"connections/{ORACLE_CONN_ID}")
        except AirflowApiError as error:
            if error.status_code != NOT_FOUND:
                raise
        client.request("POST", "connections", json=body)
        self.dag_id = f"side_by_side_{dataset}"
        path = stack.dags_folder / "transports" / f"{self.dag_id}.yaml"
        path.write_text(transport_yaml(self.dag_id, self.bucket, tables))
        self._wait_for_dag()

    def _wait_for_dag(self) -> None:
        client = self._require_stack().client
        deadline = time.monotonic() + PARSE_TIMEOUT_S
        while True:
            try:
                client.dag(self.dag_id)
                return
            except AirflowApiError as error:
                if error.status_code != NOT_FOUND:
                    raise
            if time.monotonic() > deadline:
                errors = [e["stack_trace"][-500:] for e in client.import_errors()]
                raise TimeoutError(f"DAG {self.dag_id} not parsed in time; errors: {errors}")
            time.sleep(1.0)

    def run(self, timeout_s: float) -> dict[str, Any]:
        """One run of the transport; the sample (rows from the job manifest)."""
        stack = self._require_stack()
        client = stack.client
        stack_before = stack_cpu_s(stack.run_dir)
        cpu_before, written_before = worker_totals(stack.run_dir)
        with TaskSampler() as sampler:
            run_id = client.trigger(self.dag_id)
            state = client.wait(self.dag_id, run_id, timeout=timeout_s)
        cpu_after, written_after = worker_totals(stack.run_dir)
        stack_cpu = stack_cpu_s(stack.run_dir) - stack_before
        if state != "success":
            failed = [ti["task_id"] for ti in client.task_instances(self.dag_id, run_id)
                      if ti["state"] != "success"]  # fmt: skip
            return {"error": f"run {run_id} ended {state}; not successful: {failed}"}
        extracts = [
            ti for ti in client.task_instances(self.dag_id, run_id) if ti["task_id"] == EXTRACT_TASK
        ]
        tasks = sampler.for_tasks({str(ti["id"]) for ti in extracts})
        if len(tasks) < len(extracts):
            log.warning("only %d of %d extract processes were seen", len(tasks), len(extracts))
        return {
            "rows": self._rows(run_id),
            "seconds": span_seconds(extracts),
            "cpu_s": sum(t.cpu_s for t in tasks),
            "peak_rss_mb": max((t.hwm_mb for t in tasks), default=None),
            "disk_write_bytes": sum(t.write_bytes for t in tasks),
            "workers_cpu_s": cpu_after - cpu_before,
            "workers_disk_write_bytes": written_after - written_before,
            "stack_cpu_s": stack_cpu,
            "tasks": len(extracts),
            "tasks_sampled": len(tasks),
        }

    def _rows(self, run_id: str) -> int:
        from google.cloud import storage

        name = job_manifest_name(PREFIX, self.dag_id, run_id)
        blob = storage.Client(project="bench").bucket(self.bucket).blob(name)
        job = json.loads(blob.download_as_bytes())
        return sum(int(table["totals"]["rows"]) for table in job["tables"])
