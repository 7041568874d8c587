"""Whether a packed extract task should read its tables one at a time or a few at a time.

Runs the transport's extract operator (:class:`TransportExtractOperator`, in this process,
against the Oracle and GCS emulators, no Airflow scheduler) over the same small tables with
``reads_at_once`` = 1 (one after another: the baseline), 2, 3, 4 and 8, and prints wall time
and tables per second. ``--gcs-latency-ms`` puts a proxy before fake-gcs-server that holds each
response back that long, as a GCS region away would (a real bucket answers a small upload in
tens of milliseconds; the emulator on loopback in one or two). Emulator figures on this
machine: the emulator and fake-gcs-server share its two cores with the task, which a real
Oracle and GCS do not; the CPU each used a table is printed beside (with the latency proxy,
the task's figure includes the proxy's threads, which run in this process).

    .venv/bin/python benchmarks/packed_reads.py --tables 120 --rows 200 --repeats 3
    .venv/bin/python benchmarks/packed_reads.py --tables 120 --rows 200 --gcs-latency-ms 30
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import operator_rows  # the benchmarks' own helpers, beside this file
from cases.our_operator import MemoryStateStore

#: each run writes into a bucket of its own: fake-gcs-server's memory backend looks objects
#: up by scanning its bucket's list, so an upload costs more the more objects the bucket holds
#: (14.7 ms of its CPU at 4,000 objects against 1.1 at none), which would tax every later run
BUCKET = "packed-reads"


def _make_tables(dsn: str, count: int, rows: int) -> list[str]:
    import oracledb

    names = [f"PACKED_{i:04}" for i in range(count)]
    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        cursor = connection.cursor()
        for name in names:
            cursor.execute(
                f"CREATE TABLE {name} (ID NUMBER(9) PRIMARY KEY, NOTE VARCHAR2(40), AT DATE)"
            )
            cursor.executemany(
                f"INSERT INTO {name} VALUES (:1, :2, SYSDATE)",
                [(i, f"row {i} of {name}") for i in range(rows)],
            )
        connection.commit()
    return names


class _TaskInstance:
    try_number = 1

    def xcom_push(self, key: str, value: Any) -> None:
        pass


def _cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used (``/proc/PID/stat``: utime, stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    """One run: its wall time, and the CPU of the task (this process) and of each stand-in."""

    wall: float
    task_cpu: float
    oracle_cpu: float
    gcs_cpu: float


def _measured(run: Callable[[], float], oracle_pid: int, gcs_pid: int) -> Sample:
    oracle, gcs, task = _cpu_seconds(oracle_pid), _cpu_seconds(gcs_pid), time.process_time()
    wall = run()
    return Sample(
        wall=wall,
        task_cpu=time.process_time() - task,
        oracle_cpu=_cpu_seconds(oracle_pid) - oracle,
        gcs_cpu=_cpu_seconds(gcs_pid) - gcs,
    )


def _run(direct: Any, names: list[str], reads_at_once: int, run_id: str) -> float:
    from airflow_oracle_etl.transports.extract import TransportExtractOperator

    bucket = f"{BUCKET}-{run_id.replace('_', '-')}"
    direct.create_bucket(bucket)  # straight to the emulator, past any proxy

    reads = [{"table": f'"DEMO"."{n}"', "label": f"DEMO.{n}", "checkpoint": True} for n in names]
    task = TransportExtractOperator(
        task_id="extract", reads=reads, transport="packed", bucket=bucket,
        oracle_conn_id="bench_oracle", gcp_conn_id="bench_gcs", reads_at_once=reads_at_once,
    )  # fmt: skip
    context = {"run_id": run_id, "ti": _TaskInstance(), "task_state_store": MemoryStateStore()}
    started = time.perf_counter()
    task.execute(context)  # type: ignore[arg-type]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=120)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--gcs-latency-ms",
        type=float,
        default=0.0,
        help="hold back every GCS response this long (0: none)",
    )
    parser.add_argument("--at-once", type=int, nargs="+", default=[1, 2, 3, 4, 8])
    args = parser.parse_args()

    from oracle_emulator.process import EmulatorProcess
    from oracle_etl_stack.gcs import GcsEmulator
    from oracle_etl_stack.gcs_faults import GcsFaultProxy

    with contextlib.ExitStack() as stack:
        oracle = stack.enter_context(EmulatorProcess(args=["--demo"]))
        gcs = stack.enter_context(GcsEmulator())
        dsn = f"{oracle.host}:{oracle.port}/{oracle.service_name}"
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        direct = gcs.client()
        if args.gcs_latency_ms > 0:
            proxy = stack.enter_context(GcsFaultProxy(gcs.url))
            proxy.delay(args.gcs_latency_ms / 1000, times=None)
            os.environ["STORAGE_EMULATOR_HOST"] = proxy.url
        operator_rows._connections(dsn)
        names = _make_tables(dsn, args.tables, args.rows)
        _run(direct, names[:4], 1, "warm")  # imports and first connections out of the figures
        print(f"{args.tables} tables of {args.rows} rows, GCS latency {args.gcs_latency_ms:g} "
              f"ms, median of {args.repeats}:")  # fmt: skip
        print(f"{'reads at once':>14} {'wall s':>8} {'tables/s':>9} {'vs one at a time':>17}"
              "   CPU ms a table: task, emulator, fake-gcs-server")  # fmt: skip
        baseline = None
        for ways in args.at_once:
            samples = [
                _measured(
                    functools.partial(_run, direct, names, ways, f"r{ways}_{n}"),
                    oracle.pid,
                    gcs.pid,
                )
                for n in range(args.repeats)
            ]
            wall = statistics.median(sample.wall for sample in samples)
            baseline = baseline or wall
            per_table = [
                1000 * statistics.median(getattr(sample, name) for sample in samples) / len(names)
                for name in ("task_cpu", "oracle_cpu", "gcs_cpu")
            ]
            print(f"{ways:>14} {wall:>8.2f} {args.tables / wall:>9.1f} {baseline / wall:>16.2f}x"
                  f"   {per_table[0]:.1f}, {per_table[1]:.1f}, {per_table[2]:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
