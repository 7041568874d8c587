"""Encoding cost per row of the benchmark shape: the plan's encoder against json.dumps(dict).

Two parts, cases alternating within one run (the machine's speed varies between quiet and busy
periods: compare within a run, never across runs):

1. In memory: rows as the driver hands them over once the plan set the cursor up (AMOUNT as
   decimal text, PRICE through the NaN converter, datetimes, NOTE NULL every other row), in
   batches of ``--batch`` rows. Cases: the row Struct built from a tuple (what the cursor's
   row factory does in the driver), the PRICE converter (called by the driver per value),
   ``encoder.encode`` of Structs, and the in-run baseline ``json.dumps(dict(zip(names, row)),
   default=str)`` per row.
2. With ``--fetch-rows N`` (> 0): an emulator with N bench rows, and the client CPU per row of
   a plain fetch (the driver's default types), a fetch set up by the plan (SELECT list, output
   type handler, row factory) and that fetch plus encoding: the encoder's share of a real
   extraction, with the driver's own work as the reference.

    .venv/bin/python benchmarks/encoding_micro.py --rows 200000 --repeats 5 --fetch-rows 300000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterator

import oracledb

from airflow_oracle_etl.encoding import plan_columns
from airflow_oracle_etl.encoding.converters import float_or_name
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import OracleColumn

BENCH_COLUMNS = [
    OracleColumn(name="ID", data_type="NUMBER", precision=12, scale=0, nullable=False),
    OracleColumn(name="AMOUNT", data_type="NUMBER", precision=12, scale=2),
    OracleColumn(name="QTY", data_type="NUMBER", precision=6, scale=0),
    OracleColumn(name="PRICE", data_type="BINARY_DOUBLE"),
    OracleColumn(name="NAME", data_type="VARCHAR2", char_length=40),
    OracleColumn(name="DESCRIPTION", data_type="VARCHAR2", char_length=200),
    OracleColumn(name="STATUS", data_type="CHAR", char_length=1),
    OracleColumn(name="CREATED", data_type="DATE"),
    OracleColumn(name="UPDATED", data_type="TIMESTAMP(6)", scale=6),
    OracleColumn(name="NOTE", data_type="VARCHAR2", char_length=100),
    OracleColumn(name="CODE", data_type="VARCHAR2", char_length=10),
    OracleColumn(name="FLAG", data_type="NUMBER", precision=1, scale=0),
]
EPOCH = dt.datetime(2024, 1, 1)


def driver_row(i: int) -> tuple:
    """One row of the benchmark shape as the plan's fetch delivers it (about 150 bytes)."""
    return (
        i + 1,
        f"{(i * 37) % 100000}.{i % 100:02d}",
        i % 1000,
        (i % 9973) * 1.37,
        f"name {i}",
        "steel oak copper " * (4 + i % 5),
        "A",
        EPOCH + dt.timedelta(seconds=i),
        EPOCH + dt.timedelta(seconds=i, microseconds=i % 999_999),
        None if i % 2 else f"note {i}",
        f"C{i % 1000:05d}",
        i % 2,
    )


def batches(rows: list, size: int) -> list[list]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def best_us_per_row(work: Callable[[], object], rows: int) -> float:
    started = time.process_time()
    work()
    return (time.process_time() - started) / rows * 1e6


def in_memory(rows: int, batch: int, repeats: int) -> dict[str, float]:
    plan = plan_columns(BENCH_COLUMNS)
    encoder = plan.encoder()
    names = plan.names
    tuples = [driver_row(i) for i in range(rows)]
    tuple_batches = batches(tuples, batch)
    struct_batches = [list(itertools.starmap(plan.rowfactory, b)) for b in tuple_batches]
    prices = [row[3] for row in tuples]

    def build_structs() -> None:
        for rows_ in tuple_batches:
            list(itertools.starmap(plan.rowfactory, rows_))

    def encode_structs() -> None:
        for rows_ in struct_batches:
            encoder.encode(rows_)

    def encode_tuples() -> None:
        for rows_ in tuple_batches:
            encoder.encode(rows_)

    def convert_prices() -> None:
        list(map(float_or_name, prices))

    def json_dumps_dicts() -> None:
        for rows_ in tuple_batches:
            "\n".join(json.dumps(dict(zip(names, r, strict=True)), default=str) for r in rows_)

    cases = {
        "row Struct from tuple (rowfactory)": build_structs,
        "PRICE converter (NaN names)": convert_prices,
        "encoder.encode(Structs)": encode_structs,
        "encoder.encode(tuples)": encode_tuples,
        "baseline json.dumps(dict)": json_dumps_dicts,
    }
    samples: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(repeats):
        for case, work in cases.items():
            samples[case].append(best_us_per_row(work, rows))
    return {case: min(values) for case, values in samples.items()}


def fetch_cases(dsn: str, rows: int) -> Iterator[tuple[str, float]]:
    """(case, client CPU us/row) for one round of the three fetch cases."""
    plan = plan_columns(BENCH_COLUMNS)
    table = "BENCH_ROWS"
    plain_sql = f"SELECT {', '.join(quote_identifier(n) for n in plan.names)} FROM {table}"
    planned_sql = f"SELECT {plan.select_list(quote_identifier)} FROM {table}"
    for case in ("fetch only (driver types)", "fetch with plan", "fetch with plan + encode"):
        with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
            cursor = connection.cursor()
            cursor.arraysize = cursor.prefetchrows = 10_000
            encode = plan.encoder().encode if case.endswith("encode") else None
            with_plan = case != "fetch only (driver types)"
            if with_plan:
                cursor.outputtypehandler = plan.output_type_handler
            started = time.process_time()
            cursor.execute(planned_sql if with_plan else plain_sql)
            if with_plan:
                cursor.rowfactory = plan.rowfactory
            fetched = 0
            while batch := cursor.fetchmany():
                fetched += len(batch)
                if encode is not None:
                    for start in range(0, len(batch), 1_000):  # slices the writer hands on
                        encode(batch[start : start + 1_000])
            cpu = time.process_time() - started
        if fetched != rows:
            raise SystemExit(f"fetched {fetched} rows, expected {rows}")
        yield case, cpu / rows * 1e6


def with_emulator(rows: int, repeats: int) -> dict[str, float]:
    from oracle_emulator.process import EmulatorProcess

    with EmulatorProcess(args=["--demo", "--warm", "--bench-rows", str(rows)]) as emulator:
        list(fetch_cases(emulator.dsn, rows))  # warm-up
        samples: dict[str, list[float]] = {}
        for _ in range(repeats):
            for case, us in fetch_cases(emulator.dsn, rows):
                samples.setdefault(case, []).append(us)
    return {case: statistics.median(values) for case, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="in-memory rows")
    parser.add_argument("--batch", type=int, default=1_000, help="rows per encode call")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fetch-rows", type=int, default=0, help="emulator rows (0: skip)")
    args = parser.parse_args()

    print(f"in memory: {args.rows:,} rows, batches of {args.batch:,}, best of {args.repeats}")
    results = in_memory(args.rows, args.batch, args.repeats)
    for case, us in results.items():
        print(f"  {case:<40}{us:>8.3f} us/row")
    ours = sum(results[c] for c in list(results)[:3])
    baseline = results["baseline json.dumps(dict)"]
    print(f"  {'plan total (Struct + converter + encode)':<40}{ours:>8.3f} us/row")
    print(f"  json.dumps(dict) / plan total: {baseline / ours:.1f}x")

    if args.fetch_rows:
        print(f"emulator fetch: {args.fetch_rows:,} rows, client CPU, median of {args.repeats}")
        fetched = with_emulator(args.fetch_rows, args.repeats)
        for case, us in fetched.items():
            print(f"  {case:<40}{us:>8.3f} us/row")
        plain = fetched["fetch only (driver types)"]
        full = fetched["fetch with plan + encode"]
        print(f"  fetch-only / (fetch with plan + encode): {plain / full:.2f}")


if __name__ == "__main__":
    main()
