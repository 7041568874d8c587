"""Whether a packed extract task should read its tables one at a time or a few at a time.

Runs the transport's extract operator (:class:`TransportExtractOperator`, in this process,
against the Oracle and GCS emulators, no Airflow scheduler) over the same small tables, split
into ``k`` operators that run at once in threads (each with its own Oracle session, as ``k``
reads at a time inside one task would need), for ``k`` = 1 (one after another: the baseline),
2, 3 and 4. Prints wall time and tables per second. Emulator figures on this machine: the
emulator and fake-gcs-server share its cores with the task, which a real Oracle and GCS do not.

    .venv/bin/python benchmarks/packed_reads.py --tables 120 --rows 200 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import operator_rows  # the benchmarks' own helpers, beside this file
from cases.our_operator import MemoryStateStore

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


def _run(names: list[str], ways: int, run_id: str) -> float:
    from airflow_oracle_etl.transports.extract import TransportExtractOperator

    reads = [{"table": f'"DEMO"."{n}"', "label": f"DEMO.{n}", "checkpoint": True} for n in names]
    shares = [reads[i::ways] for i in range(ways)]
    errors: list[BaseException] = []

    def one(index: int, share: list[dict[str, Any]]) -> None:
        task = TransportExtractOperator(
            task_id=f"extract_{index}", reads=share, transport="packed", bucket=BUCKET,
            oracle_conn_id="bench_oracle", gcp_conn_id="bench_gcs",
        )  # fmt: skip
        context = {"run_id": run_id, "ti": _TaskInstance(),
                   "task_state_store": MemoryStateStore()}  # fmt: skip
        try:
            task.execute(context)  # type: ignore[arg-type]
        except BaseException as error:  # reported after the others finish
            errors.append(error)

    threads = [threading.Thread(target=one, args=(i, share)) for i, share in enumerate(shares)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=120)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from oracle_emulator.process import EmulatorProcess
    from oracle_etl_stack.gcs import GcsEmulator

    with EmulatorProcess(args=["--demo"]) as oracle, GcsEmulator() as gcs:
        dsn = f"{oracle.host}:{oracle.port}/{oracle.service_name}"
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        gcs.client().create_bucket(BUCKET)
        operator_rows._connections(dsn)
        names = _make_tables(dsn, args.tables, args.rows)
        _run(names[:4], 1, "warm")  # imports and first connections out of the figures
        print(f"{args.tables} tables of {args.rows} rows, median of {args.repeats}:")
        print(f"{'reads at once':>14} {'wall s':>8} {'tables/s':>9} {'vs one at a time':>17}")
        baseline = None
        for ways in (1, 2, 3, 4):
            times = [_run(names, ways, f"r{ways}_{n}") for n in range(args.repeats)]
            wall = statistics.median(times)
            baseline = baseline or wall
            print(f"{ways:>14} {wall:>8.2f} {args.tables / wall:>9.1f} {baseline / wall:>16.2f}x")


if __name__ == "__main__":
    main()
