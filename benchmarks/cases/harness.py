"""What every case's child process shares: the spec it is handed and the measurement around
its work.

A case runs in a fresh child process so that its peak RSS, CPU time and disk writes are its
own and nothing a previous case imported or cached carries over. The child measures only the
work (not the interpreter's start or its imports): wall time, CPU time of the process and of
any children it waited for, and the bytes it caused to be written to local disk
(``write_bytes`` of ``/proc/self/io``, which counts page-cache writes as they are dirtied,
so a temporary file deleted before it reaches the disk still counts: the point is what a
worker's disk has to absorb). Peak RSS is the process's whole life (``VmHWM``), imports
included, as a worker's memory limit would see it.

The result travels back as one line on stdout behind :data:`RESULT_MARK`, because libraries
under test print to stdout too (dlt does).
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULT_MARK = "SIDE_BY_SIDE_RESULT "
KIB = 1024
#: ``ru_maxrss`` is in KiB on Linux; figures are reported in MiB (printed as MB, as the other
#: benchmarks do)
RSS_UNITS_PER_MB = KIB
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CaseSpec:
    """Everything a case needs to find its data and where to write, as JSON-able values."""

    dataset: str
    #: the table, unquoted upper case (``BENCH_ROWS``), in schema :attr:`owner`
    table: str
    owner: str
    rows: int
    host: str
    port: int
    service_name: str
    user: str
    password: str
    bucket: str
    #: object-name prefix of this run; the parent sums and deletes what is under it
    prefix: str
    gcs_url: str
    run_id: str
    #: a local directory the case may use (dlt's pipeline working directory)
    work_dir: str

    @property
    def dsn(self) -> str:
        return f"{self.host}:{self.port}/{self.service_name}"

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> CaseSpec:
        return cls(**json.loads(text))


def proc_io(pid: int | str = "self") -> dict[str, int]:
    """``/proc/PID/io`` as a dict (``write_bytes``, ``cancelled_write_bytes``, ``wchar``...)."""
    fields = {}
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = int(value)
    return fields


def disk_write_bytes(pid: int | str = "self") -> int:
    """Bytes the process has caused to be written to local storage so far (not sockets:
    ``wchar`` would count uploads too)."""
    return proc_io(pid)["write_bytes"]


def pid_cpu_seconds(pid: int) -> float:
    """User + system CPU so far of another process (an emulator), from ``/proc/PID/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_seconds() -> float:
    """User + system CPU of this process and of the children it has reaped."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def peak_rss_mb() -> float:
    """The largest resident set of this process, or of a reaped child if larger.

    This process's own peak is the kernel's high-water mark of its memory (``VmHWM``), not
    ``ru_maxrss``: Linux carries ``ru_maxrss`` over ``fork`` and ``execve``, so a fresh child
    would report at least the parent's resident set at the fork (the parent reads every
    table once to warm the emulator: 2 GB after the LOB table's 100 KB values)."""
    own = _vm_hwm_kib()
    if own is None:  # not Linux: the inherited figure is the best there is
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / RSS_UNITS_PER_MB


def _vm_hwm_kib() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


@dataclass(frozen=True)
class Measurement:
    """One case's run as its child saw it."""

    rows: int
    seconds: float
    cpu_s: float
    peak_rss_mb: float
    disk_write_bytes: int


def measure(work: Callable[[], int]) -> Measurement:
    """Run ``work`` (which returns the rows it moved) and measure it."""
    written = disk_write_bytes()
    cpu = cpu_seconds()
    started = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - started
    return Measurement(
        rows=rows,
        seconds=seconds,
        cpu_s=cpu_seconds() - cpu,
        peak_rss_mb=peak_rss_mb(),
        disk_write_bytes=disk_write_bytes() - written,
    )


class Unsupported(Exception):
    """The case cannot run on this dataset or against the emulator; the message says why."""


def result_line(payload: dict[str, Any]) -> str:
    return RESULT_MARK + json.dumps(payload)


def parse_result(stdout: str) -> dict[str, Any] | None:
    """The child's result from its stdout (the last marked line), or None if it printed
    none (it crashed)."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line[len(RESULT_MARK) :]))
    return None
