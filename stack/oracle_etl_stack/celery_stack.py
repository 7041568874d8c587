"""A real Airflow 3 with CeleryExecutor on this machine: the four components of
:class:`~oracle_etl_stack.airflow_stack.AirflowStack` over PostgreSQL, plus Celery
workers taking tasks from Redis, for the distributed tests.

Production runs each worker on a machine of its own; here they share one, so each worker is
told its own name twice: ``--celery-hostname NAME@HOST`` for Celery, and
``ORACLE_ETL_WORKER_HOSTNAME`` for Airflow, whose ``[core] hostname_callable`` is
:func:`worker_hostname` in this stack. A task instance's ``hostname`` (REST API) then says
which worker ran each try, as it would across machines.

Every worker runs in a process group of its own, and the task processes it forks move into
groups of their own: :meth:`CeleryAirflowStack.kill_worker` SIGKILLs all of them, which is
what losing the worker's machine looks like to Airflow.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import psutil
from celery import Celery

from oracle_emulator.child_process import log_tail
from oracle_etl_stack.airflow_stack import (
    STARTUP_TIMEOUT_S,
    AirflowStack,
)

log = logging.getLogger(__name__)

#: the environment variable naming the worker to :func:`worker_hostname`
WORKER_HOSTNAME_ENV = "ORACLE_ETL_WORKER_HOSTNAME"
DEFAULT_WORKERS = ("worker-a", "worker-b")
#: task slots per worker: small, so one job's mapped tasks need both workers
DEFAULT_CONCURRENCY = 1
#: seconds without a task heartbeat before the scheduler fails the try (Airflow's default is
#: 300): a worker killed mid-task has its task retried elsewhere within about this long
HEARTBEAT_TIMEOUT_S = 20
#: seconds between the scheduler's checks for such tasks, and between a task's heartbeats
HEARTBEAT_CHECK_S = 2
WORKER_READY_TIMEOUT_S = 120.0
PING_TIMEOUT_S = 1.0
POLL_INTERVAL_S = 0.5
KILL_WAIT_S = 10.0


def worker_hostname() -> str:
    """``[core] hostname_callable``: the worker's own name where the stack set one (the
    workers share this machine's name), else the machine's fully qualified name."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or socket.getfqdn()


def celery_env(
    *,
    database_url: str,
    broker_url: str,
    heartbeat_timeout_s: int = HEARTBEAT_TIMEOUT_S,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> dict[str, str]:
    """The ``AIRFLOW__*`` settings of a CeleryExecutor deployment: metadata and Celery results
    in PostgreSQL (``database_url``, a SQLAlchemy ``postgresql+psycopg2://`` URL), tasks
    through Redis (``broker_url``), and a short task heartbeat timeout so a lost worker's
    task is retried within seconds instead of five minutes."""
    hostname_callable = f"{worker_hostname.__module__}.{worker_hostname.__qualname__}"
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
        "AIRFLOW__CELERY__BROKER_URL": broker_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{database_url}",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
        # sending a task to Redis on a busy machine can take longer than the default 1 s
        "AIRFLOW__CELERY__OPERATION_TIMEOUT": "10",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": hostname_callable,
        "AIRFLOW__CORE__PARALLELISM": "8",
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(heartbeat_timeout_s),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": str(
            HEARTBEAT_CHECK_S
        ),
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": str(HEARTBEAT_CHECK_S),
    }


def _worker_key(name: str) -> str:
    return f"celery-worker-{name}"


@dataclass
class CeleryAirflowStack(AirflowStack):
    """:class:`AirflowStack` with ``env`` holding :func:`celery_env`, plus one ``airflow
    celery worker`` per name in ``workers`` (``concurrency`` task slots each).

    ``broker_url`` is also what the stack pings the workers through, with Celery's own
    remote control: a worker counts as up once it answers.
    """

    broker_url: str = ""
    workers: tuple[str, ...] = DEFAULT_WORKERS
    concurrency: int = DEFAULT_CONCURRENCY

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> CeleryAirflowStack:
        if not self.broker_url:
            raise ValueError("CeleryAirflowStack needs broker_url (the workers' Redis)")
        super().start(timeout)
        return self

    def _launch_more(self, env: dict[str, str]) -> None:
        # the workers start alongside the components (on two busy cores, starting them after
        # would add their whole start-up time)
        for name in self.workers:
            self._launch_worker(name)

    def _wait_until_healthy(self, timeout: float) -> None:
        super()._wait_until_healthy(timeout)
        self.wait_for_workers(self.workers, timeout)

    def _launch_worker(self, name: str) -> None:
        env = self._environment() | {WORKER_HOSTNAME_ENV: name}
        command = [
            sys.executable, "-m", "airflow", "celery", "worker",
            "--celery-hostname", f"{name}@%h",
            "--concurrency", str(self.concurrency),
            # the log server would take the same port twice on one machine; the task logs
            # are files in the shared log folder, which the api-server reads directly
            "--skip-serve-logs",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with open(self.logs / f"{_worker_key(name)}.log", "ab") as log_file:
            process = subprocess.Popen(
                command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, cwd=self.home, start_new_session=True,
            )  # fmt: skip
        self._processes[_worker_key(name)] = process
        (self.run_dir / f"{_worker_key(name)}.pid").write_text(str(process.pid))

    def answering_workers(self) -> set[str]:
        """The workers that answer a Celery ping now (names as in ``workers``)."""
        app = Celery("oracle-etl-probe", broker=self.broker_url)
        try:
            replies = app.control.ping(timeout=PING_TIMEOUT_S) or []
        finally:
            app.close()
        nodes = {node for reply in replies for node in reply}
        return {name for name in self.workers if any(n.startswith(f"{name}@") for n in nodes)}

    def wait_for_workers(
        self, names: tuple[str, ...] | list[str], timeout: float = WORKER_READY_TIMEOUT_S
    ) -> None:
        """Wait until every worker in ``names`` answers a ping; a worker that exits fails."""
        deadline = time.monotonic() + timeout
        while not set(names) <= (answering := self.answering_workers()):
            for name in names:
                process = self._processes.get(_worker_key(name))
                if process is None or process.poll() is not None:
                    raise RuntimeError(f"Celery worker {name} is not running:\n{self.log_tails()}")
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Celery workers {sorted(set(names) - answering)} not up in {timeout} s:\n"
                    f"{self.log_tails()}"
                )
            time.sleep(POLL_INTERVAL_S)

    def worker_running(self, name: str) -> bool:
        process = self._processes.get(_worker_key(name))
        return process is not None and process.poll() is None

    def kill_worker(self, name: str) -> set[int]:
        """SIGKILL worker ``name`` with everything it started (its pool processes, the task
        supervisors and the task processes, which sit in groups of their own), as if its
        machine were lost; returns the pids killed."""
        process = self._processes.pop(_worker_key(name))
        (self.run_dir / f"{_worker_key(name)}.pid").unlink(missing_ok=True)
        try:
            members = [psutil.Process(process.pid)]
            members += members[0].children(recursive=True)
        except psutil.NoSuchProcess:
            members = []
        groups = {process.pid}
        for member in members:
            with contextlib.suppress(ProcessLookupError):
                groups.add(os.getpgid(member.pid))
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        for member in members:  # any that left those groups
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        process.wait(KILL_WAIT_S)
        psutil.wait_procs(members, timeout=KILL_WAIT_S)
        log.info("killed Celery worker %s: pids %s", name, sorted(m.pid for m in members))
        return {member.pid for member in members}

    def restart_workers(self) -> list[str]:
        """Start again every worker that is not running (killed by a test); which ones."""
        restarted = [name for name in self.workers if not self.worker_running(name)]
        for name in restarted:
            self._processes.pop(_worker_key(name), None)
            self._launch_worker(name)
        if restarted:
            self.wait_for_workers(restarted)
        return restarted

    def worker_log(self, name: str, lines: int = 40) -> str:
        return log_tail(self.logs / f"{_worker_key(name)}.log", lines)

    def log_tails(self, lines: int = 20) -> str:
        tails = [super().log_tails(lines)]
        tails += [
            f"--- {_worker_key(n)}.log ---\n{self.worker_log(n, lines)}" for n in self.workers
        ]
        return "\n".join(tails)
