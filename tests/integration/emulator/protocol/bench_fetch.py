"""Fetch throughput of the emulator's protocol layer (a script, not a test).

Starts the server in a child process over a fake table of pre-encoded rows (4 columns:
NUMBER(12), VARCHAR2(12), NUMBER(12,2), DATE), fetches it with the thin driver
(``arraysize = prefetchrows``, a ``fetchmany`` loop) and prints rows/s and the CPU seconds
of both processes::

    .venv/bin/python tests/integration/emulator/protocol/bench_fetch.py --rows 1000000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import oracledb
import psutil

HERE = Path(__file__).resolve().parent


def serve(rows: int, max_sdu: int) -> None:
    sys.path.insert(0, str(HERE))
    from fake_database import FakeDatabase

    from airflow_oracle_etl.testing.oracle.server import EmulatorServer

    database = FakeDatabase()
    database.add_big_table(rows)
    server = EmulatorServer(database, max_sdu=max_sdu).start()
    print(server.port, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


def measure(rows: int, arraysize: int, sdu: int, max_sdu: int) -> None:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--rows", str(rows), "--max-sdu", str(max_sdu)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        port = int(child.stdout.readline())  # type: ignore[union-attr]
        server = psutil.Process(child.pid)
        connection = oracledb.connect(
            user="scott", password="tiger", dsn=f"127.0.0.1:{port}/FAKEPDB", sdu=sdu
        )
        cursor = connection.cursor()
        cursor.arraysize = cursor.prefetchrows = arraysize
        server_before = sum(server.cpu_times()[:2])
        client_before = time.process_time()
        started = time.perf_counter()
        cursor.execute("select * from big")
        count = 0
        while batch := cursor.fetchmany():
            count += len(batch)
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        server_cpu = sum(server.cpu_times()[:2]) - server_before
        print(
            f"rows={count} arraysize={arraysize} sdu={connection._impl.get_sdu()} "
            f"elapsed={elapsed:.2f}s rate={count / elapsed:,.0f} rows/s "
            f"client_cpu={client_cpu:.2f}s server_cpu={server_cpu:.2f}s "
            f"server/client={server_cpu / client_cpu:.2f}"
        )
        connection.close()
    finally:
        child.stdin.close()  # type: ignore[union-attr]
        child.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--arraysize", type=int, default=10_000)
    parser.add_argument("--sdu", type=int, default=8192, help="SDU the client proposes")
    parser.add_argument("--max-sdu", type=int, default=2 * 1024 * 1024)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.rows, args.max_sdu)
    else:
        measure(args.rows, args.arraysize, args.sdu, args.max_sdu)


if __name__ == "__main__":
    main()
