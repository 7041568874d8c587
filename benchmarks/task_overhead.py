"""The fixed cost of one extract task: where the time of a 1,000-row read goes.

Times each step of ``OracleToGCSJsonlOperator.execute`` (opening the bucket, the table's
metadata, the SCN, planning, the read, the schema and the manifest) by wrapping the methods,
then a bare connect and the dictionary query through the driver: the steps a task pays
whatever the table's size, which is why a 1M-row table reaches a lower share of the
fetch-only rate than a 10M-row one. Emulator figures: Oracle answers its dictionary in
milliseconds.

    .venv/bin/python benchmarks/task_overhead.py --repeats 3
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import operator_rows  # the benchmarks' own helpers, beside this file
from cases.our_operator import MemoryStateStore

ROWS = 1_000


def _timed(owner: Any, name: str, times: dict[str, float]) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[name] = times.get(name, 0.0) + time.perf_counter() - started

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import oracledb

    from airflow_oracle_etl.extraction import table as extraction
    from airflow_oracle_etl.hooks import introspection
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
    from airflow_oracle_etl.operators import oracle_to_gcs
    from oracle_emulator.process import EmulatorProcess
    from oracle_etl_stack.gcs import GcsEmulator

    times: dict[str, float] = {}
    for name in ("get_table_metadata", "current_scn"):
        _timed(OracleExtractHook, name, times)
    for name in ("begin_attempt", "commit_manifest", "write_json"):
        _timed(extraction, name, times)
    for name in ("open_bucket", "plan_read"):
        _timed(oracle_to_gcs, name, times)
    _timed(extraction.TableExtraction, "_write", times)

    with (
        EmulatorProcess(args=["--demo", "--warm", "--bench-rows", str(ROWS)]) as oracle,
        GcsEmulator() as gcs,
    ):
        dsn = f"{oracle.host}:{oracle.port}/{oracle.service_name}"
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        gcs.client().create_bucket("overhead")
        operator_rows._connections(dsn)
        for repeat in range(args.repeats):
            times.clear()
            task = oracle_to_gcs.OracleToGCSJsonlOperator(
                task_id=f"overhead_{repeat}", table=operator_rows.TABLE,
                oracle_conn_id="bench_oracle", gcp_conn_id="bench_gcs", bucket="overhead",
                transport="overhead",
            )  # fmt: skip
            context = {"run_id": f"r{repeat}", "ti": operator_rows._TaskInstance(),
                       "task_state_store": MemoryStateStore()}  # fmt: skip
            started = time.perf_counter()
            task.execute(context)  # type: ignore[arg-type]
            total = time.perf_counter() - started
            steps = ", ".join(f"{name} {seconds:.3f}" for name, seconds in times.items())
            print(f"task of {ROWS:,} rows: {total:.3f} s ({steps})")
            started = time.perf_counter()
            with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
                connected = time.perf_counter() - started
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute(introspection.COLUMNS_SQL, owner="DEMO", name="BENCH_ROWS")
                    cursor.fetchall()
                    columns = time.perf_counter() - started
            print(f"  a connect {connected:.3f} s; the ALL_TAB_COLUMNS query {columns:.3f} s")


if __name__ == "__main__":
    main()
