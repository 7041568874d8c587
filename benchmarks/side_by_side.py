"""Side by side: our operator against the driver's fetch-only ceiling, four tables at once
through a transport, Airflow's ``OracleToGCSOperator`` and dlt, on the same tables in the
Oracle emulator and the same GCS emulator (issue 7).

For each dataset (:mod:`datasets`: the benchmark shape at 1M and 10M rows, a wide table, a LOB
table) an emulator of its own is started, the tables are made and read once (the emulator
encodes rows on first read), then the cases (:mod:`cases`) alternate, each repeat starting
one case further along, each case in a fresh child process (four-tables-at-once: in a real
Airflow stack started once for the whole run). Figures per run: rows/s, client CPU per row,
peak RSS, bytes written to local disk, bytes uploaded (objects under the run's prefix, which
is then deleted), and the CPU the two emulators spent meanwhile (to show when a stand-in,
not the client, is what limits a case). Reported: medians (peak RSS: the largest), same-run
ratios and the issue's targets, as Markdown on stdout and as JSON in
``benchmarks/out/side_by_side.json``.

These are emulator figures: the client side's cost against stand-ins on the same machine,
not Oracle's or GCS's speed. The machine's speed varies up to 2x, so the ratios within one
run are the figures that count.

    .venv/bin/python benchmarks/side_by_side.py                 # everything, 3 repeats
    .venv/bin/python benchmarks/side_by_side.py --datasets bench_1m wide lob --repeats 1 \\
        --rows-scale 0.02                                       # a quick check, minutes
    .venv/bin/python benchmarks/side_by_side.py --cases fetch_only our_operator
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BUCKET = "bench"
PREFIX = "side_by_side"
GIB = 2**30
#: a child gets at least this long, plus a second per this many rows
CHILD_TIMEOUT_S = 900.0
TIMEOUT_ROWS_PER_S = 1_000

log = logging.getLogger("side_by_side")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    import datasets
    from cases import ALL_CASES

    names = list(datasets.all_datasets())
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=names, default=names)
    parser.add_argument("--cases", nargs="+", choices=ALL_CASES, default=list(ALL_CASES))
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (medians)")
    parser.add_argument(
        "--rows-scale",
        type=float,
        default=1.0,
        help="multiply every row count (0.02: 20,000 rows for bench_1m) for quick checks",
    )
    parser.add_argument(
        "--copy-share",
        type=float,
        default=1.0,
        help="size of each four-table copy against its dataset (after the 2.5M-row cap)",
    )
    parser.add_argument("--json", type=Path, default=OUT / "side_by_side.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def describe_machine() -> dict[str, Any]:
    """What the figures depend on: CPU, cores, memory, versions, how busy the machine was."""
    import oracledb

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib * 1024 / GIB, 1),
        "python": platform.python_version(),
        "oracledb": oracledb.__version__,
        "platform": platform.platform(),
        "load_start": round(os.getloadavg()[0], 2),
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def child_timeout(rows: int) -> float:
    return CHILD_TIMEOUT_S + rows / TIMEOUT_ROWS_PER_S


def run_child_case(case: str, spec: Any, log_path: Path) -> dict[str, Any]:
    """Run one case in a fresh child process; its result (or the failure, as a sample)."""
    from cases.harness import parse_result

    command = [sys.executable, str(Path(__file__).resolve()), "--child", case]
    command += ["--spec", spec.to_json()]
    with open(log_path, "wb") as stderr:
        try:
            done = subprocess.run(
                command, stdout=subprocess.PIPE, stderr=stderr, text=True,
                timeout=child_timeout(spec.rows), check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {child_timeout(spec.rows):.0f} s (log {log_path})"}
    result = parse_result(done.stdout)
    if result is None:
        return {"error": f"exit {done.returncode}, no result (log {log_path})"}
    return result


def bucket_bytes(bucket: Any, prefix: str, delete: bool = True) -> int:
    """Total size of the objects under ``prefix``; deleted afterwards (the in-memory GCS
    emulator keeps every byte, and the next run must start from an empty prefix)."""
    total = 0
    for blob in bucket.list_blobs(prefix=prefix):
        total += int(blob.size or 0)
        if delete:
            blob.delete()
    return total


def warm(dsn: str, tables: list[str]) -> None:
    """Read every table once: the emulator encodes rows on first read, which no case should
    pay for inside its timing."""
    import oracledb

    oracledb.defaults.fetch_lobs = False
    with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
        cursor = connection.cursor()
        cursor.arraysize = cursor.prefetchrows = 10_000
        for table in tables:
            started = time.monotonic()
            cursor.execute(f"SELECT * FROM {table}")
            while cursor.fetchmany():
                pass
            log.info("warmed %s in %.1f s", table, time.monotonic() - started)


def rotated(cases: list[str], repeat: int) -> list[str]:
    """The cases in run order for one repeat: each repeat starts one case further along, so
    no case always runs first (after the emulator's quiet start) or last."""
    shift = repeat % len(cases)
    return cases[shift:] + cases[:shift]


def run_dataset(
    dataset: Any, args: argparse.Namespace, gcs: Any, bucket: Any, transport: Any
) -> list[dict[str, Any]]:
    """Every case on one dataset, alternating, in an emulator of the dataset's own."""
    import datasets
    import oracledb

    from oracle_emulator.process import EmulatorProcess

    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    with EmulatorProcess(args=datasets.emulator_args(dataset)) as oracle:
        with oracledb.connect(user="demo", password="demo", dsn=oracle.dsn) as connection:
            datasets.create(connection, dataset, with_copies=transport is not None)
        tables = [dataset.table, *(dataset.copies if transport is not None else ())]
        warm(oracle.dsn, tables)
        log.info("%s ready in %.0f s", dataset.name, time.monotonic() - started)
        if transport is not None:
            oracle_info = {"host": oracle.host, "port": oracle.port, "user": "demo",
                           "password": "demo", "service_name": oracle.service_name}  # fmt: skip
            transport.use_dataset(dataset.name, oracle_info, [f"DEMO.{t}" for t in dataset.copies])
        for repeat in range(args.repeats):
            for case in rotated(list(args.cases), repeat):
                sample = run_case(case, repeat, dataset, oracle, gcs, bucket, transport)
                samples.append(sample)
                log.info("%s", _one_line(sample))
    shutil.rmtree(OUT / "work", ignore_errors=True)
    return samples


def run_case(
    case: str, repeat: int, dataset: Any, oracle: Any, gcs: Any, bucket: Any, transport: Any
) -> dict[str, Any]:
    """One run of one case: its sample, with the bytes it uploaded (then deleted) and the
    emulators' CPU meanwhile; a run that moved the wrong number of rows counts as failed."""
    from cases import PARENT_CASES
    from cases.harness import CaseSpec, pid_cpu_seconds

    work = OUT / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    emulators = (pid_cpu_seconds(oracle.pid), pid_cpu_seconds(gcs.pid))
    if case in PARENT_CASES:
        expected = dataset.copy_rows * len(dataset.copies)
        try:
            sample = transport.run(timeout_s=child_timeout(expected))
        except Exception as error:  # recorded; the other cases go on
            log.exception("transport run failed")
            sample = {"error": f"{type(error).__name__}: {error}"[:500]}
        sample["uploaded_bytes"] = bucket_bytes(bucket, f"{transport_prefix()}/")
    else:
        expected = dataset.rows
        prefix = f"{PREFIX}/{dataset.name}/{case}/r{repeat}"
        spec = CaseSpec(
            dataset=dataset.name, table=dataset.table, owner="DEMO", rows=dataset.rows,
            host=oracle.host, port=oracle.port, service_name=oracle.service_name,
            user="demo", password="demo", bucket=BUCKET, prefix=prefix, gcs_url=gcs.url,
            run_id=f"bench_{time.time_ns()}", work_dir=str(work),
        )  # fmt: skip
        logs = OUT / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        sample = run_child_case(case, spec, logs / f"{dataset.name}_{case}_r{repeat}.log")
        sample["uploaded_bytes"] = bucket_bytes(bucket, f"{prefix}/")
    sample["oracle_emulator_cpu_s"] = pid_cpu_seconds(oracle.pid) - emulators[0]
    sample["gcs_emulator_cpu_s"] = pid_cpu_seconds(gcs.pid) - emulators[1]
    if "rows" in sample and sample["rows"] != expected:
        sample["error"] = f"moved {sample['rows']:,} rows, expected {expected:,}"
    sample.update(dataset=dataset.name, case=case, repeat=repeat)
    return sample


def transport_prefix() -> str:
    from cases.transport_parallel import PREFIX as TRANSPORT_PREFIX

    return TRANSPORT_PREFIX


def _one_line(sample: dict[str, Any]) -> str:
    head = f"{sample['dataset']} {sample['case']} r{sample['repeat']}:"
    if "error" in sample or "unsupported" in sample:
        return f"{head} {sample.get('error') or 'unsupported: ' + sample['unsupported']}"
    rate = sample["rows"] / sample["seconds"]
    return (
        f"{head} {sample['rows']:,} rows in {sample['seconds']:.1f} s ({rate:,.0f} rows/s), "
        f"CPU {sample['cpu_s']:.1f} s, peak RSS {sample.get('peak_rss_mb') or 0:.0f} MB, "
        f"disk {sample['disk_write_bytes'] / 1e6:,.1f} MB, "
        f"up {sample['uploaded_bytes'] / 1e6:,.1f} MB"
    )


def report(samples: list[dict[str, Any]], machine: dict[str, Any], args: argparse.Namespace) -> str:
    """The Markdown report; also writes the JSON file."""
    from dataclasses import asdict

    from cases import report as rep

    summaries = rep.summarize(samples)
    ratios = rep.ratios(summaries)
    targets = rep.targets(summaries)
    config = {"datasets": args.datasets, "cases": args.cases, "repeats": args.repeats,
              "rows_scale": args.rows_scale, "copy_share": args.copy_share}  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine, "config": config, "samples": samples,
                "summary": [asdict(s) for s in summaries], "ratios": ratios,
                "targets": [asdict(t) for t in targets]}  # fmt: skip
    args.json.write_text(json.dumps(document, indent=1))
    return "\n\n".join(
        [
            rep.markdown_machine(machine),
            rep.markdown_table(summaries),
            "Same-run ratios of rows/s:\n\n" + rep.markdown_ratios(ratios),
            "Targets:\n\n" + rep.markdown_targets(targets),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        from cases import run_child

        return run_child(args.child, args.spec)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per REST call otherwise
    import datasets
    from cases.transport_parallel import TransportParallel

    from oracle_etl_stack.gcs import GcsEmulator

    machine = describe_machine()
    # the children's Airflow reads its configuration from here, not from ~/airflow
    os.environ["AIRFLOW_HOME"] = str(OUT / "airflow_home")
    chosen = datasets.all_datasets(args.rows_scale, args.copy_share)
    samples: list[dict[str, Any]] = []
    with GcsEmulator() as gcs:
        os.environ["STORAGE_EMULATOR_HOST"] = gcs.url
        bucket = gcs.client().create_bucket(BUCKET)
        transport = None
        if "transport_parallel" in args.cases:
            transport = TransportParallel(OUT / "stack", gcs.url, BUCKET)
            transport.start()
        try:
            for name in args.datasets:
                samples += run_dataset(chosen[name], args, gcs, bucket, transport)
        finally:
            if transport is not None:
                transport.stop()
    machine["load_end"] = round(os.getloadavg()[0], 2)
    print(report(samples, machine, args))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
