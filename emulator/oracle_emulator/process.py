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
from oracle_emulator.tls import TlsFiles

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

    With ``tls`` (a :class:`~oracle_emulator.tls.TlsFiles`, e.g. from
    :meth:`oracle_emulator.wallets.TestPki.server_tls`) it listens for TCPS as well, on
    :attr:`tcps_port` once started (``tcps_port=0`` picks a free one);
    ``tls_renegotiate`` asks TCPS clients for a second handshake after CONNECT.
    ``service_aliases`` are more service names to accept (an Autonomous Database's
    ``<db>_high``... services, see :func:`oracle_emulator.wallets.service_names`).
    """

    args: Sequence[str] = ()
    host: str = "127.0.0.1"
    service_name: str = "FREEPDB1"
    log_path: Path | None = None
    port: int = 0
    control: bool = True
    control_port: int = 0
    tls: TlsFiles | None = None
    tcps_port: int = 0
    tls_renegotiate: bool = False
    service_aliases: Sequence[str] = ()
    #: the database's NLS defaults (``--nls-territory``, ``--nls-language``, ``--time-zone``)
    nls_territory: str = "AMERICA"
    nls_language: str = "AMERICAN"
    time_zone: str = "+00:00"
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
    def tcps_dsn(self) -> str:
        """An Easy Connect string for the TCPS listener (add ``?ssl_server_cert_dn=...``,
        ``&wallet_location=...`` as the client needs)."""
        if self.tls is None:
            raise RuntimeError("the emulator runs without TCPS (no tls=...)")
        return f"tcps://{self.host}:{self.tcps_port}/{self.service_name}"

    @property
    def running(self) -> bool:
        """True while the child process lives (tests check it survived what they sent)."""
        return self._process is not None and self._process.poll() is None

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
        tcps_file = workdir / "tcps-port"
        tls_args = (
            [
                "--tcps-port",
                str(self.tcps_port),
                "--tcps-port-file",
                str(tcps_file),
                *self.tls.cli_args(),
                *(["--tls-renegotiate"] if self.tls_renegotiate else []),
            ]
            if self.tls is not None
            else []
        )
        alias_args = [arg for name in self.service_aliases for arg in ("--service-alias", name)]
        nls_args = [
            *("--nls-territory", self.nls_territory, "--nls-language", self.nls_language),
            *("--time-zone", self.time_zone),
        ]
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
            *tls_args,
            *alias_args,
            *nls_args,
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
        if self.tls is not None:
            self.tcps_port = int(tcps_file.read_text())
        return self

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL if it does not stop in time; returns the exit code."""
        process, self._process = self._process, None
        return terminate(process, timeout)
