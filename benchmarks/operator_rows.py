"""OracleToGCSJsonlOperator end to end: rows/s, client CPU per row and peak RSS, against the
driver's fetch-only rate measured in the same run.

Each case runs in a fresh child process (so its peak RSS is its own), over the same table in
the Oracle emulator (BENCH_ROWS, the benchmark shape) and into fake-gcs-server:

- ``fetch``: python-oracledb thin, arraysize = prefetchrows = 10,000, a fetchmany loop (the
  ceiling of any extraction through the driver);
- ``operator``: ``OracleToGCSJsonlOperator.execute`` on the same rows, into GCS (gzip, parts,
  manifest), in a process that imports Airflow as a worker does.

Cases alternate within one run and medians are reported; ratios within a run are the figures
that count (this machine's speed varies up to 2x). These are emulator figures, not Oracle's.

    .venv/bin/python benchmarks/operator_rows.py --rows 1000000 5000000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TABLE = "BENCH_ROWS"


def child_fetch(dsn: str, rows: int) -> dict[str, Any]:
    import oracledb

    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        cursor = connection.cursor()
        cursor.arraysize = cursor.prefetchrows = 10_000
        started, cpu = time.perf_counter(), time.process_time()
        cursor.execute(f"SELECT * FROM {TABLE} WHERE ID <= :n", n=rows)
        count = 0
        while batch := cursor.fetchmany():
            count += len(batch)
        return {"rows": count, "seconds": time.perf_counter() - started,
                "cpu_s": time.process_time() - cpu}  # fmt: skip


class _TaskInstance:
    try_number = 1


def child_operator(dsn: str, rows: int, bucket: str) -> dict[str, Any]:
    host, _, rest = dsn.partition(":")
    port, _, service = rest.partition("/")
    os.environ["AIRFLOW_CONN_BENCH_ORACLE"] = json.dumps(
        {"conn_type": "oracle", "host": host, "port": int(port), "login": "demo",
         "password": "demo", "extra": {"service_name": service}}
    )  # fmt: skip
    os.environ["AIRFLOW_CONN_BENCH_GCS"] = json.dumps(
        {"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": "b"}}
    )
    from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator

    operator = OracleToGCSJsonlOperator(
        task_id="bench",
        table=TABLE,
        where="ID <= :n",
        parameters={"n": rows},
        oracle_conn_id="bench_oracle",
        gcp_conn_id="bench_gcs",
        bucket=bucket,
        transport="bench",
    )
    started, cpu = time.perf_counter(), time.process_time()
    context = {"run_id": f"bench_{time.time_ns()}", "ti": _TaskInstance()}
    summary = operator.execute(context)  # type: ignore[arg-type]
    return {"rows": summary["rows"], "seconds": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu}  # fmt: skip


def run_child(case: str, dsn: str, rows: int, bucket: str, gcs_url: str) -> dict[str, Any]:
    env = {**os.environ, "STORAGE_EMULATOR_HOST": gcs_url}
    command = [sys.executable, __file__, "--child", case, "--dsn", dsn, "--bucket", bucket,
               "--rows", str(rows)]  # fmt: skip
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write samples and medians here")
    parser.add_argument("--child", choices=["fetch", "operator"], help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        rows = args.rows[0]
        result = (
            child_fetch(args.dsn, rows)
            if args.child == "fetch"
            else child_operator(args.dsn, rows, args.bucket)
        )
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    from airflow_oracle_etl.testing.gcs import GcsEmulator
    from airflow_oracle_etl.testing.oracle.process import EmulatorProcess

    largest = max(args.rows)
    with (
        EmulatorProcess(args=["--demo", "--warm", "--bench-rows", str(largest)]) as oracle,
        GcsEmulator() as gcs,
    ):
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        gcs.client().create_bucket("bench")
        samples: list[dict[str, Any]] = []
        for rows in args.rows:
            run_child("fetch", oracle.dsn, rows, "bench", gcs.url)  # warm the column list
            for _ in range(args.repeats):
                for case in ("fetch", "operator"):
                    sample = run_child(case, oracle.dsn, rows, "bench", gcs.url)
                    if sample["rows"] != rows:
                        raise SystemExit(f"{case} moved {sample['rows']} rows, expected {rows}")
                    samples.append({"case": case, "table_rows": rows, **sample})
    report(samples, args.json)


def report(samples: list[dict[str, Any]], out: Path | None) -> None:
    print(f"{'rows':>10} {'case':<9}{'rows/s':>11}{'CPU us/row':>12}{'peak RSS MB':>13}")
    medians: dict[str, dict[str, float]] = {}
    for rows in dict.fromkeys(s["table_rows"] for s in samples):
        for case in ("fetch", "operator"):
            mine = [s for s in samples if s["table_rows"] == rows and s["case"] == case]
            median = {
                "rows_per_s": statistics.median(s["rows"] / s["seconds"] for s in mine),
                "cpu_us_per_row": statistics.median(s["cpu_s"] / s["rows"] * 1e6 for s in mine),
                "peak_rss_mb": max(s["peak_rss_mb"] for s in mine),
            }
            medians[f"{case}@{rows}"] = median
            print(f"{rows:>10,} {case:<9}{median['rows_per_s']:>11,.0f}"
                  f"{median['cpu_us_per_row']:>12.2f}{median['peak_rss_mb']:>13.0f}")  # fmt: skip
        ratio = medians[f"operator@{rows}"]["rows_per_s"] / medians[f"fetch@{rows}"]["rows_per_s"]
        print(f"{rows:>10,} operator / fetch-only rate: {ratio:.2f}")
    if out:
        out.write_text(json.dumps({"samples": samples, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
