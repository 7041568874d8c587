"""What the stand-ins' launchers share: stopping a child process and reading its log."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


def terminate(process: subprocess.Popen[bytes] | None, timeout: float) -> int | None:
    """SIGTERM, then SIGKILL if the child does not stop in ``timeout`` seconds; returns its
    exit code (None if there was no process)."""
    if process is None or process.poll() is not None:
        return None if process is None else process.returncode
    os.kill(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def log_tail(path: Path | None, lines: int = 30) -> str:
    """The last ``lines`` lines of a child's log file, for error messages."""
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
