"""PostgreSQL and Redis from Debian's packages as child processes, for the distributed tests:
Airflow's metadata database and CeleryExecutor's broker and result backend, on this machine.

Each server gets a fresh directory, a random password and a free loopback port (never the
default ports: a system PostgreSQL or Redis may already be there), and is gone with its
directory after ``stop``. Both are context managers::

    with PostgresServer() as postgres, RedisServer() as redis:
        env = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres.sqlalchemy_url(), ...}

PostgreSQL refuses to run as root, so under root it runs as the ``postgres`` user the Debian
package creates (its directory is handed over to that user); otherwise as the current user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2
import psycopg2.extensions
import redis

from oracle_emulator.child_process import log_tail
from oracle_emulator.lifecycle import StartStop
from oracle_emulator.ports import free_port

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
#: where Debian installs each PostgreSQL major version (``/usr/lib/postgresql/15/bin``)
DEBIAN_POSTGRES_ROOT = Path("/usr/lib/postgresql")
#: the account PostgreSQL runs as when the tests run as root
POSTGRES_SYSTEM_USER = "postgres"
REDIS_BINARY = "redis-server"
PASSWORD_BYTES = 18
STARTUP_TIMEOUT_S = 60.0
INITDB_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0
POLL_INTERVAL_S = 0.1
#: attempts at a free port (picking one and binding it are not atomic)
PORT_ATTEMPTS = 3
#: Airflow's components and both Celery workers each keep pools; the default 100 is tight
MAX_CONNECTIONS = 200
MISSING_PACKAGES = (
    "PostgreSQL and Redis come from Debian's packages: apt-get install postgresql redis-server "
    "(make system-deps does it)"
)


def _password() -> str:
    """Hex digits only: the password goes into URLs unquoted."""
    return secrets.token_hex(PASSWORD_BYTES)


def postgres_bin_dir() -> Path:
    """The newest Debian PostgreSQL's binaries (``initdb`` and ``postgres`` are not on PATH)."""
    versions = sorted(
        (p for p in DEBIAN_POSTGRES_ROOT.glob("*/bin") if (p / "postgres").is_file()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1]
    found = shutil.which("postgres")
    if found is None:
        raise RuntimeError(f"no PostgreSQL server binaries found. {MISSING_PACKAGES}")
    return Path(found).resolve().parent


def _wait_for_exit(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@dataclass
class PostgresServer(StartStop):
    """A throwaway PostgreSQL cluster with one database owned by ``user``.

    The cluster's superuser is ``user`` with a random password (scram-sha-256 over TCP); the
    unix socket lives in the cluster's own directory, so nothing touches /run/postgresql.
    Durability is off (``fsync``, ``full_page_writes``): the data lives as long as the tests.
    """

    database: str = "airflow"
    user: str = "airflow"
    host: str = HOST
    port: int = 0
    password: str = field(default_factory=_password)
    _base: Path | None = field(default=None, repr=False)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def sqlalchemy_url(self, driver: str = "postgresql+psycopg2") -> str:
        """The database's URL as SQLAlchemy (and Airflow) takes it."""
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    @property
    def log_path(self) -> Path | None:
        return None if self._base is None else self._base / "postgres.log"

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> PostgresServer:
        bin_dir = postgres_bin_dir()
        self._base = Path(tempfile.mkdtemp(prefix="pytest-postgres-"))
        try:
            self._init_cluster(bin_dir)
            fixed_port = self.port
            for attempt in range(1, (1 if fixed_port else PORT_ATTEMPTS) + 1):
                self.port = fixed_port or free_port(self.host)
                self._launch(bin_dir)
                try:
                    self._wait_until_ready(timeout)
                    break
                except RuntimeError:  # exited early: most likely the port was taken meanwhile
                    if attempt == PORT_ATTEMPTS or fixed_port:
                        raise
                    log.warning("PostgreSQL did not start on port %d; retrying", self.port)
            self._create_database()
        except BaseException:
            self.stop()
            raise
        log.info("PostgreSQL on %s:%d (database %s)", self.host, self.port, self.database)
        return self

    def _run_as(self) -> dict[str, Any]:
        """Popen arguments that drop root for the ``postgres`` account (initdb and the server
        both refuse to run as root); nothing when not root."""
        if os.geteuid() != 0:
            return {}
        try:
            account = pwd.getpwnam(POSTGRES_SYSTEM_USER)
        except KeyError:
            raise RuntimeError(
                f"running as root, but there is no {POSTGRES_SYSTEM_USER!r} user to run "
                f"PostgreSQL as. {MISSING_PACKAGES}"
            ) from None
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _env(self) -> dict[str, str]:
        keep = ("PATH", "TZ")
        return {k: v for k, v in os.environ.items() if k in keep} | {"LC_ALL": "C.UTF-8"}

    def _init_cluster(self, bin_dir: Path) -> None:
        assert self._base is not None
        drop = self._run_as()
        password_file = self._base / "password"
        password_file.write_text(self.password)
        if drop:
            for path in (self._base, password_file):
                os.chown(path, drop["user"], drop["group"])
        command = [
            str(bin_dir / "initdb"),
            "--pgdata", str(self._base / "data"),
            "--username", self.user,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, env=self._env(), cwd=self._base,
            timeout=INITDB_TIMEOUT_S, check=False, **drop,
        )  # fmt: skip
        password_file.unlink()
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed ({result.returncode}):\n{result.stderr[-3000:]}")

    def _launch(self, bin_dir: Path) -> None:
        assert self._base is not None and self.log_path is not None
        command = [
            str(bin_dir / "postgres"),
            "-D", str(self._base / "data"),
            "-p", str(self.port),
            "-k", str(self._base),  # the unix socket's directory
            "-c", f"listen_addresses={self.host}",
            "-c", f"max_connections={MAX_CONNECTIONS}",
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ]  # fmt: skip
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self._env(), cwd=self._base, **self._run_as(),
            )  # fmt: skip

    def _connect(self, database: str = "postgres") -> psycopg2.extensions.connection:
        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            dbname=database, connect_timeout=2,
        )  # fmt: skip

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"PostgreSQL exited with {code}:\n{log_tail(self.log_path)}")
            try:
                self._connect().close()
                return
            except psycopg2.OperationalError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"PostgreSQL not ready in {timeout} s:\n{log_tail(self.log_path)}"
                )
            time.sleep(POLL_INTERVAL_S)

    def _create_database(self) -> None:
        connection = self._connect()
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.database}"')
        finally:
            connection.close()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """Fast shutdown (SIGINT: clients are disconnected, not waited for), SIGKILL after
        ``timeout``; the cluster's directory is removed. Returns the exit code."""
        process, self._process = self._process, None
        code = None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGINT)
            code = _wait_for_exit(process, timeout)
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = None
        return code


@dataclass
class RedisServer(StartStop):
    """A throwaway ``redis-server``: password required, nothing saved to disk."""

    host: str = HOST
    port: int = 0
    password: str = field(default_factory=_password)
    _base: Path | None = field(default=None, repr=False)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def url(self, db: int = 0) -> str:
        """``redis://:PASSWORD@HOST:PORT/DB``, as Celery's broker URL."""
        return f"redis://:{self.password}@{self.host}:{self.port}/{db}"

    @property
    def log_path(self) -> Path | None:
        return None if self._base is None else self._base / "redis.log"

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> RedisServer:
        binary = shutil.which(REDIS_BINARY)
        if binary is None:
            raise RuntimeError(f"{REDIS_BINARY} is not installed. {MISSING_PACKAGES}")
        self._base = Path(tempfile.mkdtemp(prefix="pytest-redis-"))
        try:
            fixed_port = self.port
            for attempt in range(1, (1 if fixed_port else PORT_ATTEMPTS) + 1):
                self.port = fixed_port or free_port(self.host)
                self._launch(binary)
                try:
                    self._wait_until_ready(timeout)
                    break
                except RuntimeError:  # exited early: most likely the port was taken meanwhile
                    if attempt == PORT_ATTEMPTS or fixed_port:
                        raise
                    log.warning("Redis did not start on port %d; retrying", self.port)
        except BaseException:
            self.stop()
            raise
        log.info("Redis on %s:%d", self.host, self.port)
        return self

    def _launch(self, binary: str) -> None:
        assert self._base is not None and self.log_path is not None
        # the password goes in through stdin (a config file read from "-"), not argv, so
        # ``ps`` does not show it
        config = (
            f"bind {self.host}\nport {self.port}\nrequirepass {self.password}\n"
            f'save ""\nappendonly no\ndir {self._base}\ndaemonize no\nprotected-mode yes\n'
        )
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                [binary, "-"], stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.PIPE,
                cwd=self._base,
            )  # fmt: skip
        assert self._process.stdin is not None
        self._process.stdin.write(config.encode())
        self._process.stdin.close()

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        client = redis.Redis(
            host=self.host, port=self.port, password=self.password, socket_timeout=2
        )
        try:
            while True:
                if self._process.poll() is not None:
                    code, self._process = self._process.returncode, None
                    raise RuntimeError(f"Redis exited with {code}:\n{log_tail(self.log_path)}")
                try:
                    if client.ping():
                        return
                except redis.exceptions.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"Redis not ready in {timeout} s:\n{log_tail(self.log_path)}"
                    )
                time.sleep(POLL_INTERVAL_S)
        finally:
            client.close()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM, SIGKILL after ``timeout``; the directory is removed. Returns the exit code."""
        process, self._process = self._process, None
        code = None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
            code = _wait_for_exit(process, timeout)
        if self._base is not None:
            shutil.rmtree(self._base, ignore_errors=True)
            self._base = None
        return code
