"""OracleToGCSJsonlOperator end to end: rows/s, client CPU per row and peak RSS, against the
driver's fetch-only rate measured in the same run.

Each case runs in a fresh child process (so its peak RSS is its own), over the same table in
the Oracle emulator (BENCH_ROWS, the benchmark shape) and into fake-gcs-server:

- ``fetch``: python-oracledb thin, arraysize = prefetchrows = 10,000, a fetchmany loop (the
  ceiling of any extraction through the driver);
- ``operator``: ``OracleToGCSJsonlOperator.execute`` on the same rows, into GCS (gzip, parts,
  manifest), in a process that imports Airflow as a worker does;
- ``partitioned`` (with ``--partitions N``): the same rows planned into N partitions
  (``--strategy``, default ranges of ID) at one SCN, N operator processes at once (as N
  mapped tasks on N worker slots), then the table commit; rows/s counts from the plan to the
  commit.

Cases alternate within one run and medians are reported; ratios within a run are the figures
that count (this machine's speed varies up to 2x). These are emulator figures, not Oracle's.

    .venv/bin/python benchmarks/operator_rows.py --rows 1000000 5000000 --repeats 3
    .venv/bin/python benchmarks/operator_rows.py --rows 5000000 --partitions 4 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

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


def _connections(dsn: str) -> None:
    host, _, rest = dsn.partition(":")
    port, _, service = rest.partition("/")
    os.environ["AIRFLOW_CONN_BENCH_ORACLE"] = json.dumps(
        {"conn_type": "oracle", "host": host, "port": int(port), "login": "demo",
         "password": "demo", "extra": {"service_name": service}}
    )  # fmt: skip
    os.environ["AIRFLOW_CONN_BENCH_GCS"] = json.dumps(
        {"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": "b"}}
    )


def child_operator(
    dsn: str, rows: int, bucket: str, extra: dict[str, Any], run_id: str
) -> dict[str, Any]:
    _connections(dsn)
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
        **extra,
    )
    started, cpu = time.perf_counter(), time.process_time()
    context = {"run_id": run_id, "ti": _TaskInstance()}
    summary = operator.execute(context)  # type: ignore[arg-type]
    return {"rows": summary["rows"], "seconds": time.perf_counter() - started,
            "cpu_s": time.process_time() - cpu}  # fmt: skip


def _child_command(case: str, dsn: str, rows: int, bucket: str, extra: dict, run_id: str) -> list:
    return [sys.executable, __file__, "--child", case, "--dsn", dsn, "--bucket", bucket,
            "--rows", str(rows), "--extra", json.dumps(extra), "--run-id", run_id]  # fmt: skip


def run_child(case: str, dsn: str, rows: int, bucket: str, gcs_url: str) -> dict[str, Any]:
    env = {**os.environ, "STORAGE_EMULATOR_HOST": gcs_url}
    command = _child_command(case, dsn, rows, bucket, {}, f"bench_{time.time_ns()}")
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_partitioned(
    dsn: str, rows: int, bucket: str, gcs_url: str, count: int, strategy: str
) -> dict:
    """Plan, N extract processes at once, commit: the wall time of the whole table."""
    _connections(dsn)
    from airflow_oracle_etl.gcs import TableLayout, commit_partitioned_table
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
    from airflow_oracle_etl.partitioning import plan_partitions
    from oracle_etl_stack.gcs import GcsEmulator

    env = {**os.environ, "STORAGE_EMULATOR_HOST": gcs_url}
    run_id = f"bench_{time.time_ns()}"
    started = time.perf_counter()
    hook = OracleExtractHook(oracle_conn_id="bench_oracle")
    with hook.session():
        metadata = hook.get_table_metadata(TABLE)
        scn = hook.current_scn()
        strategy, _, column = strategy.partition(":")
        specs = plan_partitions(hook, metadata, count=count, strategy=strategy, scn=scn,
                                column=column or None, where="ID <= :n",
                                parameters={"n": rows})  # fmt: skip
    children = [
        subprocess.Popen(
            _child_command(
                "operator",
                dsn,
                rows,
                bucket,
                {"partition": msgspec.to_builtins(spec), "snapshot_scn": scn},
                run_id,
            ),
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    results = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    if any(child.returncode for child in children):
        raise SystemExit("a partition failed")
    client = GcsEmulator(port=int(gcs_url.rsplit(":", 1)[1])).client()
    layout = TableLayout("", "bench", f"{metadata.owner}.{metadata.name}", run_id)
    manifest = commit_partitioned_table(client.bucket(bucket), layout, count)
    return {"rows": manifest.totals.rows, "seconds": time.perf_counter() - started,
            "cpu_s": sum(r["cpu_s"] for r in results),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write samples and medians here")
    parser.add_argument("--child", choices=["fetch", "operator"], help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    parser.add_argument("--bucket", help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--run-id", help=argparse.SUPPRESS)
    parser.add_argument(
        "--partitions", type=int, default=0, help="also run N partitions at once (e.g. 4)"
    )
    parser.add_argument(
        "--strategy",
        default="column:ID",
        help="partition strategy, with its column after a colon (rowid, hash, column:ID)",
    )
    args = parser.parse_args()
    if args.child:
        from cases.harness import peak_rss_mb  # beside this script

        rows = args.rows[0]
        result = (
            child_fetch(args.dsn, rows)
            if args.child == "fetch"
            else child_operator(args.dsn, rows, args.bucket, json.loads(args.extra), args.run_id)
        )
        result["peak_rss_mb"] = peak_rss_mb()  # the child's own, not its parent's
        print(json.dumps(result))
        return

    from oracle_emulator.process import EmulatorProcess
    from oracle_etl_stack.gcs import GcsEmulator

    largest = max(args.rows)
    with (
        EmulatorProcess(args=["--demo", "--warm", "--bench-rows", str(largest)]) as oracle,
        GcsEmulator() as gcs,
    ):
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        gcs.client().create_bucket("bench")
        samples: list[dict[str, Any]] = []
        cases = ["fetch", "operator"] + (["partitioned"] if args.partitions > 1 else [])
        for rows in args.rows:
            run_child("fetch", oracle.dsn, rows, "bench", gcs.url)  # warm the column list
            for _ in range(args.repeats):
                for case in cases:
                    sample = (
                        run_partitioned(
                            oracle.dsn, rows, "bench", gcs.url, args.partitions, args.strategy
                        )
                        if case == "partitioned"
                        else run_child(case, oracle.dsn, rows, "bench", gcs.url)
                    )
                    if sample["rows"] != rows:
                        raise SystemExit(f"{case} moved {sample['rows']} rows, expected {rows}")
                    samples.append({"case": case, "table_rows": rows, **sample})
    report(samples, cases, args.json)


def report(samples: list[dict[str, Any]], cases: list[str], out: Path | None) -> None:
    print(f"{'rows':>10} {'case':<9}{'rows/s':>11}{'CPU us/row':>12}{'peak RSS MB':>13}")
    medians: dict[str, dict[str, float]] = {}
    for rows in dict.fromkeys(s["table_rows"] for s in samples):
        for case in cases:
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
        if "partitioned" in cases:
            split = medians[f"partitioned@{rows}"]["rows_per_s"]
            one = medians[f"operator@{rows}"]["rows_per_s"]
            print(f"{rows:>10,} partitioned / one task: {split / one:.2f}")
    if out:
        out.write_text(json.dumps({"samples": samples, "medians": medians}, indent=1))


if __name__ == "__main__":
    main()
