"""A real Airflow 3 deployment on this machine: api-server, scheduler, dag-processor and
triggerer as child processes, LocalExecutor, SQLite, for end-to-end tests and ``make run``.

Every component runs as ``sys.executable -m airflow ...`` in its own process group (the
scheduler forks task workers into it, so stopping the group stops them too), logging into
``HOME/logs/COMPONENT.log`` rather than a pipe that could fill. The configuration is all
environment: nothing inherited from the caller's ``AIRFLOW_*`` variables leaks in, so a test
session's own Airflow settings cannot redirect the stack. Logins come from the simple auth
manager with a passwords file, so the password is known instead of generated.

Detached use (``make run``)::

    python -m oracle_etl_stack.airflow_stack start --home .run/airflow --port 8080 \
        --dags-folder dags --env AIRFLOW_CONN_X=... --env STORAGE_EMULATOR_HOST=...
    python -m oracle_etl_stack.airflow_stack stop --home .run/airflow
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from oracle_emulator.child_process import log_tail
from oracle_emulator.lifecycle import StartStop
from oracle_emulator.ports import free_port
from oracle_etl_stack.airflow_client import AirflowClient

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
HEALTH_KEYS = ("metadatabase", "scheduler", "triggerer", "dag_processor")
HEALTHY = "healthy"
USERNAME = "admin"
PASSWORD = "admin"
VIEWER_USERNAME = "viewer"
VIEWER_PASSWORD = "viewer"
#: a user the test auth manager refuses every DAG (see auth_manager.py)
OUTSIDER_USERNAME = "outsider"
OUTSIDER_PASSWORD = "outsider"
JWT_SECRET_BYTES = 48  # 64 URL-safe characters
MIGRATE_TIMEOUT_S = 300.0
STARTUP_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0
POLL_INTERVAL_S = 0.5
#: seconds to wait for the kernel to finish SIGKILLed processes
KILL_WAIT_S = 5.0
#: seconds a leader gets to stop its own children before its whole group is signalled
LEADER_GRACE_S = 3.0
ZOMBIE = "Z"
#: seconds: how soon the dag-processor sees a new or changed DAG file
DAG_REFRESH_S = 2
#: prefixes of inherited variables dropped before the stack's own configuration is applied
INHERITED_AIRFLOW_PREFIXES = ("AIRFLOW_", "AIRFLOW__")
#: the demo transport's connection ids, pointed at the emulators by :func:`connections_env`
ORACLE_CONN_ID = "oracle_demo"
GCP_CONN_ID = "gcs_demo"
ORACLE_USER = "demo"
ORACLE_PASSWORD = "demo"
GCP_PROJECT = "test-project"
STORAGE_EMULATOR_ENV = "STORAGE_EMULATOR_HOST"


def airflow_env(home: Path, dags_folder: Path, port: int, jwt_secret: str) -> dict[str, str]:
    """The configuration every component shares (the JWT secret must be the same in all)."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__API_AUTH__JWT_SECRET": jwt_secret,
        "AIRFLOW__API__SECRET_KEY": jwt_secret,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": HOST,
        # where the UI sends a browser after login: the name people open, or the login cookie
        # (set for the host asked) would not travel with the redirect
        "AIRFLOW__API__BASE_URL": f"http://localhost:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{port}/execution/",
        # SimpleAuthManager, plus a user refused every DAG (to reach the plugin's 403s)
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "oracle_etl_stack.auth_manager.NoDagAccessSimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": str(DAG_REFRESH_S),
        "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "1",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL": "0",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
    }


def connections_env(
    *,
    oracle_host: str,
    oracle_port: int,
    service_name: str,
    gcs_url: str,
    oracle_conn_id: str = ORACLE_CONN_ID,
    gcp_conn_id: str = GCP_CONN_ID,
) -> dict[str, str]:
    """``AIRFLOW_CONN_*`` for the emulators, and ``STORAGE_EMULATOR_HOST`` for the GCS client
    the task builds (anonymous credentials: the emulator checks none)."""
    oracle = {
        "conn_type": "oracle",
        "host": oracle_host,
        "port": oracle_port,
        "login": ORACLE_USER,
        "password": ORACLE_PASSWORD,
        "extra": {"service_name": service_name},
    }
    gcp = {
        "conn_type": "google_cloud_platform",
        "extra": {"is_anonymous": True, "project": GCP_PROJECT},
    }
    return {
        f"AIRFLOW_CONN_{oracle_conn_id.upper()}": json.dumps(oracle),
        f"AIRFLOW_CONN_{gcp_conn_id.upper()}": json.dumps(gcp),
        STORAGE_EMULATOR_ENV: gcs_url,
    }


def inherited_env() -> dict[str, str]:
    """The caller's environment without its Airflow settings (PATH, locale, proxies...)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_AIRFLOW_PREFIXES)}


@dataclass
class AirflowStack(StartStop):
    """Airflow's four components over one SQLite database in ``home``.

    ``env`` is added last: connections (``AIRFLOW_CONN_*``), ``STORAGE_EMULATOR_HOST`` or any
    ``AIRFLOW__*`` override. ``port=0`` picks a free loopback port for the api-server.
    """

    home: Path
    dags_folder: Path
    env: Mapping[str, str] = field(default_factory=dict)
    port: int = 0
    username: str = USERNAME
    password: str = PASSWORD
    #: a second user with Airflow's read-only "viewer" role, for authorization tests
    viewer_username: str = VIEWER_USERNAME
    viewer_password: str = VIEWER_PASSWORD
    _processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict, repr=False)
    #: the environment of every process of this stack (one JWT secret for all of them)
    _env: dict[str, str] | None = field(default=None, repr=False)
    _client: AirflowClient | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        """Pid files, so ``stop`` from another process finds the process groups."""
        return self.home / "run"

    def viewer_client(self) -> AirflowClient:
        """A new client logged in as the read-only viewer."""
        return AirflowClient(self.url, self.viewer_username, self.viewer_password)

    def outsider_client(self) -> AirflowClient:
        """A new client logged in as the user refused every DAG."""
        return AirflowClient(self.url, OUTSIDER_USERNAME, OUTSIDER_PASSWORD)

    @property
    def client(self) -> AirflowClient:
        if self._client is None:
            self._client = AirflowClient(self.url, self.username, self.password)
        return self._client

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> AirflowStack:
        """Migrate the database, launch the components and wait until all report healthy."""
        self.home = self.home.resolve()
        self.dags_folder = self.dags_folder.resolve()
        for directory in (self.home, self.dags_folder, self.logs, self.run_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        (self.home / "passwords.json").write_text(
            json.dumps(
                {
                    self.username: self.password,
                    self.viewer_username: self.viewer_password,
                    OUTSIDER_USERNAME: OUTSIDER_PASSWORD,
                }
            )
        )
        env = self._environment()
        self._migrate(env)
        try:
            for component in COMPONENTS:
                self._launch(component, env)
            self._launch_more(env)
            self._wait_until_healthy(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def process(self, component: str) -> subprocess.Popen[bytes]:
        """The running process of ``component`` (``scheduler``, ``api-server``...), to signal
        it in shutdown tests."""
        return self._processes[component]

    def relaunch(self, component: str, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Start ``component`` again (after a test stopped it) and wait until all report
        healthy; the old process must have exited."""
        self._launch(component, self._environment())
        self._wait_until_healthy(timeout)

    def _environment(self) -> dict[str, str]:
        """The stack's environment, drawn once: every process must share the JWT secret."""
        if self._env is None:
            secret = secrets.token_urlsafe(JWT_SECRET_BYTES)
            own = airflow_env(self.home, self.dags_folder, self.port, secret)
            own["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = (
                f"{self.username}:admin,{self.viewer_username}:viewer,{OUTSIDER_USERNAME}:viewer"
            )
            self._env = inherited_env() | own | dict(self.env)
        return dict(self._env)

    def _launch_more(self, env: dict[str, str]) -> None:
        """Processes a subclass starts beside the components (Celery workers...): launched
        before the health wait, so their start-up overlaps the components'."""

    def _migrate(self, env: dict[str, str]) -> None:
        log_path = self.logs / "db-migrate.log"
        with open(log_path, "ab") as log:
            result = subprocess.run(
                [sys.executable, "-m", "airflow", "db", "migrate"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, timeout=MIGRATE_TIMEOUT_S, check=False,
            )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed: {log_tail(log_path)}")

    def _launch(self, component: str, env: dict[str, str]) -> None:
        command = [sys.executable, "-m", "airflow", component]
        if component == "api-server":
            command += ["--host", HOST, "--port", str(self.port), "--workers", "1"]
        with open(self.logs / f"{component}.log", "ab") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, cwd=self.home, start_new_session=True,
            )  # fmt: skip
        self._processes[component] = process
        (self.run_dir / f"{component}.pid").write_text(str(process.pid))

    def _wait_until_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        status: dict[str, object] = {}
        while True:
            for component, process in self._processes.items():
                if process.poll() is not None:
                    code = process.returncode
                    raise RuntimeError(
                        f"airflow {component} exited with {code}:\n{self.log_tails()}"
                    )
            status = self._health()
            if all(status.get(key) == HEALTHY for key in HEALTH_KEYS):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Airflow not healthy in {timeout} s ({status}):\n{self.log_tails()}"
                )
            time.sleep(POLL_INTERVAL_S)

    def _health(self) -> dict[str, object]:
        try:
            body = self.client.health()
        except (httpx.HTTPError, RuntimeError):
            return {}
        return {key: (body.get(key) or {}).get("status") for key in HEALTH_KEYS}

    def log_tails(self, lines: int = 20) -> str:
        """The end of every component's log, for error messages."""
        names = ["db-migrate", *COMPONENTS]
        return "\n".join(
            f"--- {name}.log ---\n{log_tail(self.logs / f'{name}.log', lines)}" for name in names
        )

    def rss_bytes(self) -> int:
        """Resident memory of every process in the stack's groups (task workers included)."""
        groups = {process.pid for process in self._processes.values()}
        return sum(_rss(pid) for pid in _pids_in_groups(groups))

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM every component's process group, then SIGKILL what is left."""
        if self._client is not None:
            self._client.close()
            self._client = None
        groups = {process.pid: process for process in self._processes.values()}
        started = time.monotonic()
        stop_groups(groups, timeout)
        if groups:
            log.info("Airflow stopped in %.1f s", time.monotonic() - started)
        self._processes.clear()
        for pid_file in self.run_dir.glob("*.pid"):
            pid_file.unlink(missing_ok=True)


def _live_groups(groups: Mapping[int, subprocess.Popen[bytes] | None]) -> set[int]:
    """The groups that still have a running member. Zombies do not count: an orphan's zombie
    waits for PID 1 to reap it, which in a container may never happen."""
    for process in groups.values():
        if process is not None:
            process.poll()  # reap our own children
    return {
        pgid for (_, pgid, state) in _process_table().values() if pgid in groups and state != ZOMBIE
    }


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # gone, or pgid recycled
        os.killpg(pgid, signum)


def stop_groups(groups: Mapping[int, subprocess.Popen[bytes] | None], timeout: float) -> None:
    """Stop process groups led by ``groups``' keys: SIGTERM to each leader, which shuts its
    own children down its own way (signalling a whole group at once makes the triggerer wait
    10 s for its runner); SIGTERM to the whole group when its leader is gone but members are
    not, or is still there after a short grace (the scheduler waits for its LocalExecutor
    workers until they get the signal too); SIGKILL to every group still running after
    ``timeout``.

    Groups that descendants moved into (a task process may start a session of its own) are
    stopped as well, so no task outlives the stack.
    """
    groups = dict(groups) | dict.fromkeys(_descendant_groups(set(groups)) - set(groups))
    for pgid in _live_groups(groups):
        _signal_leader(pgid, signal.SIGTERM)
    signalled: set[int] = set()
    started = time.monotonic()
    deadline = started + timeout
    grace = started + min(LEADER_GRACE_S, timeout / 2)
    while live := _live_groups(groups):
        if time.monotonic() > deadline:
            log.warning("process groups %s still run %.0f s after SIGTERM: SIGKILL", live, timeout)
            for pgid in live:
                _signal_group(pgid, signal.SIGKILL)
            _wait_for_groups(groups, KILL_WAIT_S)
            break
        # members left behind by their leader, or a leader waiting on its members
        stuck = live if time.monotonic() > grace else live - _running_pids()
        for pgid in stuck - signalled:
            _signal_group(pgid, signal.SIGTERM)
            signalled.add(pgid)
        time.sleep(0.1)
    for process in groups.values():
        if process is not None:
            process.wait()


def _signal_leader(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pgid, signum)


def _running_pids() -> set[int]:
    return {pid for pid, (_, _, state) in _process_table().items() if state != ZOMBIE}


def _wait_for_groups(groups: Mapping[int, subprocess.Popen[bytes] | None], timeout: float) -> bool:
    """Whether every group ended within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _live_groups(groups):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _process_table() -> dict[int, tuple[int, int, str]]:
    """``{pid: (ppid, pgid, state)}`` of every process, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # fields after the parenthesised command: state ppid pgrp ...
        state, ppid, pgid = stat.rsplit(")", 1)[1].split()[:3]
        table[int(entry.name)] = (int(ppid), int(pgid), state)
    return table


def _pids_in_groups(groups: set[int]) -> list[int]:
    return [pid for pid, (_, pgid, _) in _process_table().items() if pgid in groups]


def _descendant_groups(groups: set[int]) -> set[int]:
    """Process groups of every descendant of a process in ``groups``."""
    table = _process_table()
    members = {pid for pid, (_, pgid, _) in table.items() if pgid in groups}
    while True:
        children = {pid for pid, (ppid, _, _) in table.items() if ppid in members} - members
        if not children:
            return {table[pid][1] for pid in members}
        members |= children


def _rss(pid: int) -> int:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def recorded_groups(run_dir: Path) -> dict[int, subprocess.Popen[bytes] | None]:
    """Process groups named by pid files whose leader still runs Airflow (a pid file left by a
    crash may name a pid recycled for something else: that one is not ours to signal)."""
    groups: dict[int, subprocess.Popen[bytes] | None] = {}
    for pid_file in sorted(run_dir.glob("*.pid")):
        pid = int(pid_file.read_text())
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"airflow" in command:
            groups[pid] = None
    return groups


def stop_detached(home: Path, timeout: float = STOP_TIMEOUT_S) -> int:
    """Stop a stack another process started (``start`` of this CLI); how many groups."""
    run_dir = home.resolve() / "run"
    groups = recorded_groups(run_dir)
    stop_groups(groups, timeout)
    for pid_file in run_dir.glob("*.pid"):
        pid_file.unlink(missing_ok=True)
    return len(groups)


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator:
            raise SystemExit(f"--env wants NAME=VALUE, got {pair!r}")
        env[name] = value
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m oracle_etl_stack.airflow_stack")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME (state, logs)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--dags-folder", type=Path, default=Path("dags"))
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE, repeatable")
    args = parser.parse_args(argv)
    if args.action == "stop":
        print(f"stopped {stop_detached(args.home)} Airflow process group(s)")
        return
    if recorded_groups(args.home.resolve() / "run"):
        raise SystemExit(f"Airflow already runs from {args.home}; stop it first")
    stack = AirflowStack(args.home, args.dags_folder, _parse_env(args.env), args.port).start()
    # the components run in sessions of their own and log to files: they outlive this process
    print(
        f"Airflow UI: http://localhost:{stack.port}  login: {stack.username} / {stack.password}\n"
        f"logs: {stack.logs}"
    )


if __name__ == "__main__":
    main()
