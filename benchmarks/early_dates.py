"""What reading dates before the year 1 as text costs: the plan's two select lists, one run.

A table is read with the default plan (DATE and TIMESTAMP columns selected as they are, the
driver's datetime) unless the driver meets a date before the year 1, which it cannot build;
then the table or partition is read again with ``plan.with_early_dates()`` (each such column
guarded by a CASE, plus one text item per column; see ``airflow_oracle_etl/encoding/early.py``).
This prints both reads of the benchmark shape (12 columns, one DATE and one TIMESTAMP(6))
from the emulator, fetch and encode, cases alternating, medians: the default plan is the
baseline measured in the same run.

    .venv/bin/python benchmarks/early_dates.py --rows 200000 --repeats 3

Against the emulator the guarded select list also loses the emulator's encoded-row cache
(served to plain column lists only), so the wall-clock ratio says more about the emulator than
about Oracle; the client CPU per row is the provider's own share.
"""

from __future__ import annotations

import argparse
import statistics
import time

import oracledb
from encoding_micro import BENCH_COLUMNS

from airflow_oracle_etl.encoding import EncodingPlan, plan_columns
from airflow_oracle_etl.identifiers import quote_identifier

ENCODE_SLICE = 1_000  # rows per encode call, as the writer hands them on


def read(dsn: str, plan: EncodingPlan, rows: int) -> tuple[float, float]:
    """(rows per second of wall time, client CPU us per row) of one fetch-and-encode read."""
    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        cursor = connection.cursor()
        cursor.arraysize = cursor.prefetchrows = 10_000
        cursor.outputtypehandler = plan.output_type_handler
        encode = plan.encoder().encode
        wall, cpu = time.perf_counter(), time.process_time()
        cursor.execute(f"SELECT {plan.select_list(quote_identifier)} FROM BENCH_ROWS")
        cursor.rowfactory = plan.rowfactory
        fetched = 0
        while batch := cursor.fetchmany():
            fetched += len(batch)
            for start in range(0, len(batch), ENCODE_SLICE):
                encode(batch[start : start + ENCODE_SLICE])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if fetched != rows:
        raise SystemExit(f"fetched {fetched} rows, expected {rows}")
    return rows / wall, cpu / rows * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from oracle_emulator.process import EmulatorProcess

    default = plan_columns(BENCH_COLUMNS)
    cases = {"default plan (as they are)": default, "with_early_dates": default.with_early_dates()}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    with EmulatorProcess(args=["--demo", "--warm", "--bench-rows", str(args.rows)]) as emulator:
        for plan in cases.values():
            read(emulator.dsn, plan, args.rows)  # warm-up
        for _ in range(args.repeats):
            for name, plan in cases.items():
                samples[name].append(read(emulator.dsn, plan, args.rows))
    print(f"{args.rows:,} rows from the emulator, fetch + encode, median of {args.repeats}")
    medians = {}
    for name, values in samples.items():
        rate = statistics.median(rate for rate, _ in values)
        cpu = statistics.median(cpu for _, cpu in values)
        medians[name] = (rate, cpu)
        print(f"  {name:<28}{rate:>12,.0f} rows/s wall {cpu:>8.2f} client CPU us/row")
    (base_rate, base_cpu), (rate, cpu) = medians.values()
    ratios = f"{rate / base_rate:.2f}x rows/s, {cpu / base_cpu:.2f}x client CPU"
    print(f"  with_early_dates / default: {ratios}")


if __name__ == "__main__":
    main()
