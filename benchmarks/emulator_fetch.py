"""Fetch-only throughput from the Oracle emulator, and the emulator's share of the CPU.

The emulator must never be what limits a benchmark: this measures what a python-oracledb thin
client fetching with arraysize = prefetchrows = 10,000 gets from it, and how much CPU the
emulator process spends per client CPU second. Cases alternate within one run (the machine's
speed varies between quiet and busy periods: compare within a run). The baseline is the same
fetch with the driver's default arraysize (100), measured in the same run.

    .venv/bin/python benchmarks/emulator_fetch.py --rows 1000000 --repeats 3

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass

import oracledb
import psutil

from oracle_emulator.process import EmulatorProcess

QUERY = (
    "SELECT ID, AMOUNT, QTY, PRICE, NAME, DESCRIPTION, STATUS, CREATED, UPDATED, NOTE, CODE,"
    " FLAG FROM BENCH_ROWS"
)


@dataclass
class Sample:
    case: str
    rows: int
    seconds: float
    client_cpu_s: float
    server_cpu_s: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def server_cpu_share(self) -> float:
        return self.server_cpu_s / self.client_cpu_s


def fetch_all(dsn: str, arraysize: int, server: psutil.Process) -> tuple[int, float, float, float]:
    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        cursor = connection.cursor()
        cursor.arraysize = arraysize
        cursor.prefetchrows = arraysize
        server_before = sum(server.cpu_times()[:2])
        cpu_before = time.process_time()
        started = time.perf_counter()
        cursor.execute(QUERY)
        rows = 0
        while batch := cursor.fetchmany():
            rows += len(batch)
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - cpu_before
        server_cpu = sum(server.cpu_times()[:2]) - server_before
    return rows, seconds, client_cpu, server_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="write the samples and medians here")
    args = parser.parse_args()

    emulator_args = ["--demo", "--warm", "--bench-rows", str(args.rows)]
    load_started = time.perf_counter()
    with EmulatorProcess(args=emulator_args) as emulator:
        print(
            f"emulator with {args.rows:,} rows ready in {time.perf_counter() - load_started:.1f} s"
        )
        server = psutil.Process(emulator.pid)
        fetch_all(emulator.dsn, 10_000, server)  # warm-up: first read of this column list
        samples: list[Sample] = []
        for _ in range(args.repeats):
            for case, arraysize in (("arraysize=10000", 10_000), ("baseline arraysize=100", 100)):
                rows, seconds, client_cpu, server_cpu = fetch_all(emulator.dsn, arraysize, server)
                if rows != args.rows:
                    raise SystemExit(f"fetched {rows} rows, expected {args.rows}")
                samples.append(Sample(case, rows, seconds, client_cpu, server_cpu))
        server_rss = server.memory_info().rss

    print(f"{'case':<24}{'rows/s':>12}{'client us/row':>15}{'server/client CPU':>19}")
    medians = {}
    for case in dict.fromkeys(s.case for s in samples):
        mine = [s for s in samples if s.case == case]
        rate = statistics.median(s.rows_per_s for s in mine)
        client_us = statistics.median(s.client_cpu_s / s.rows * 1e6 for s in mine)
        share = statistics.median(s.server_cpu_share for s in mine)
        medians[case] = {"rows_per_s": rate, "client_us_per_row": client_us, "server_share": share}
        print(f"{case:<24}{rate:>12,.0f}{client_us:>15.2f}{share:>18.1%}")
    ratio = (
        medians["arraysize=10000"]["rows_per_s"] / medians["baseline arraysize=100"]["rows_per_s"]
    )
    print(f"arraysize 10000 vs 100: {ratio:.2f}x; emulator RSS {server_rss / 2**20:.0f} MiB")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"samples": [asdict(s) for s in samples], "medians": medians}, out, indent=1)


if __name__ == "__main__":
    main()
