"""Start and stop the emulator as a child process, for fixtures, `make run` and benchmarks."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from oracle_emulator.child_process import log_tail, terminate
from oracle_emulator.control import FaultControl
from oracle_emulator.lifecycle import StartStop

STARTUP_TIMEOUT_S = 300.0


@dataclass
class EmulatorProcess(StartStop):
    """An ``oracle-emulator`` child process on a free loopback port.

    ``args`` are extra CLI arguments (``--demo``, ``--bench-rows``, ``--user``...). The child's
    log goes to ``log_path`` so a full pipe can never stall it.

    With ``control`` (the default), the child serves its fault switches on a loopback control
    port and :attr:`faults` drives them: ``emulator.faults.drop_connection_after(rows=5_000,
    table="BENCH_ROWS")``, ``.snapshot_too_old_after(...)``, ``.refuse_logins(times=1)``,
    ``.listener_down(seconds=2)``, ``.status()``, ``.clear()``
    (see :mod:`oracle_emulator.faults`).
    """

    args: Sequence[str] = ()
    host: str = "127.0.0.1"
    service_name: str = "FREEPDB1"
    log_path: Path | None = None
    port: int = 0
    control: bool = True
    control_port: int = 0
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def faults(self) -> FaultControl:
        """The child's fault switches (needs ``control=True`` and a started emulator)."""
        if not self.control or not self.control_port:
            raise RuntimeError("the emulator runs without a control port (control=False?)")
        return FaultControl("127.0.0.1", self.control_port)

    @property
    def dsn(self) -> str:
        return f"{self.host}:{self.port}/{self.service_name}"

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("the emulator is not running")
        return self._process.pid

    def start(self, timeout: float = STARTUP_TIMEOUT_S) -> EmulatorProcess:
        workdir = Path(tempfile.mkdtemp(prefix="oracle-emulator-"))
        ready = workdir / "port"
        control_file = workdir / "control-port"
        control_args = (
            ["--control-port", str(self.control_port), "--control-file", str(control_file)]
            if self.control
            else []
        )
        self.log_path = self.log_path or workdir / "emulator.log"
        command = [
            sys.executable,
            "-m",
            "oracle_emulator",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--service-name",
            self.service_name,
            "--ready-file",
            str(ready),
            *control_args,
            *self.args,
        ]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + timeout
        while not ready.exists() or not ready.read_text().strip():
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"oracle-emulator exited with {self._process.returncode}: {self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"oracle-emulator not ready in {timeout} s: {self.log_tail()}")
            time.sleep(0.05)
        self.port = int(ready.read_text())
        if self.control:
            self.control_port = int(control_file.read_text())
        return self

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code."""
        process, self._process = self._process, None
        return terminate(process, timeout)
