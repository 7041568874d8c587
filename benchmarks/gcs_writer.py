"""Compress + upload throughput of the GCS part writer into a local fake-gcs-server.

Feeds JSON lines of the benchmark shape (BENCH_ROWS: 12 columns, encoded per the type
contract, about 300 bytes a line) to ``TableWriter`` in slices of 1,000 rows, as the operator
does, and reports rows/s, MB/s (uncompressed in, compressed out), the writer process's CPU and
peak RSS. Each case runs in a fresh child process, so peak RSS (ru_maxrss) is its own; cases
alternate within one run (the machine's speed varies: compare within a run). isal levels 1
and 2 are measured against zlib level 6 as the in-run baseline; ``--compress-only`` measures
the compressors alone, in memory.

    .venv/bin/python benchmarks/gcs_writer.py --rows 1000000 --repeats 2
    .venv/bin/python benchmarks/gcs_writer.py --compress-only --rows 1000000

The rows are generated before the clock starts (a pool of distinct slices, cycled), so the
figures are the writer's alone. These are emulator figures: real GCS uploads differ.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import msgspec
import psutil

CASES = {"isal-1": ("isal", 1), "isal-2": ("isal", 2), "zlib-6": ("zlib", 6)}
SLICE_ROWS = 1_000
POOL_SLICES = 32
WORDS = ["steel", "oak", "copper", "linen", "glass", "wool", "maple", "slate", "amber", "jade"]
MB = 1_000_000
KIB = 1024


class BenchRow(msgspec.Struct, array_like=False):
    ID: int
    AMOUNT: str
    QTY: int
    PRICE: float
    NAME: str
    DESCRIPTION: str
    STATUS: str
    CREATED: str
    UPDATED: str
    NOTE: str | None
    CODE: str
    FLAG: int


def bench_row(i: int, rng: random.Random) -> BenchRow:
    created = datetime(2020, 1, 1) + timedelta(
        days=rng.randrange(2000), seconds=rng.randrange(86_400)
    )
    updated = datetime(2024, 1, 1) + timedelta(
        seconds=rng.randrange(63_072_000), microseconds=rng.randrange(1_000_000)
    )
    return BenchRow(
        ID=i + 1,
        AMOUNT=f"{rng.randrange(1_000_000_000) / 100:.2f}",
        QTY=rng.randrange(999_999) + 1,
        PRICE=rng.randrange(10_000_000) / 1000.0,
        NAME=f"Item {rng.choice(WORDS)} {i + 1:09d}",
        DESCRIPTION=(
            f"A {rng.choice(WORDS)} thing made of {rng.choice(WORDS)} and {rng.choice(WORDS)},"
            f" batch {rng.randrange(100_000_000):08d}, inspected and packed"
        ),
        STATUS=rng.choice("NPSC"),
        CREATED=created.isoformat(),
        UPDATED=updated.isoformat(timespec="microseconds"),
        NOTE=None if rng.random() < 0.5 else f"note {rng.choice(WORDS)} {rng.randrange(10**6)}",
        CODE=f"C{rng.randrange(100_000):06d}",
        FLAG=rng.randrange(2),
    )


def payload_pool(seed: int = 42) -> list[bytes]:
    """Distinct slices of SLICE_ROWS JSON lines (cycled: the pool is far larger than gzip's
    32 KiB window, so repetition does not flatter the ratio)."""
    rng = random.Random(seed)
    encoder = msgspec.json.Encoder()
    pool = []
    for s in range(POOL_SLICES):
        rows = [bench_row(s * SLICE_ROWS + i, rng) for i in range(SLICE_ROWS)]
        pool.append(encoder.encode_lines(rows))
    return pool


def payloads(pool: list[bytes], rows: int):
    for n in range(rows // SLICE_ROWS):
        yield pool[n % len(pool)]


@dataclass
class Sample:
    case: str
    rows: int
    seconds: float
    uncompressed_bytes: int
    compressed_bytes: int
    parts: int
    cpu_s: float
    #: the caller's thread alone: what the encoder competes with
    main_cpu_s: float
    peak_rss_mib: float
    rss_before_mib: float
    emulator_cpu_s: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def run_child(case: str, rows: int, chunk_mib: int) -> None:
    """One write of ``rows`` rows into the emulator named by STORAGE_EMULATOR_HOST."""
    from google.cloud import storage

    from airflow_oracle_etl.gcs import Compression, TableLayout, TableWriter, WriterSettings

    library, level = CASES[case]
    pool = payload_pool()
    bucket = storage.Client(project="bench").create_bucket(f"bench-{case}-{os.getpid()}")
    layout = TableLayout("bench", "gcs_writer", "BENCH_ROWS", f"run-{case}")
    settings = WriterSettings(
        compression=Compression(library, level), chunk_size=chunk_mib * KIB * KIB
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB
    cpu_before = time.process_time()
    main_before = time.thread_time()
    started = time.perf_counter()
    with TableWriter(bucket, layout, settings=settings) as writer:
        for payload in payloads(pool, rows):
            writer.write(payload, SLICE_ROWS)
        parts = writer.close()
    seconds = time.perf_counter() - started
    sample = Sample(
        case=case,
        rows=sum(p.rows for p in parts),
        seconds=seconds,
        uncompressed_bytes=sum(p.uncompressed_bytes for p in parts),
        compressed_bytes=sum(p.compressed_bytes for p in parts),
        parts=len(parts),
        cpu_s=time.process_time() - cpu_before,
        main_cpu_s=time.thread_time() - main_before,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB,
        rss_before_mib=rss_before,
    )
    for blob in bucket.list_blobs():
        blob.delete()
    bucket.delete()
    print(json.dumps(asdict(sample)))


def upload_benchmark(args: argparse.Namespace) -> list[Sample]:
    from oracle_etl_stack.gcs import GcsEmulator

    samples = []
    with GcsEmulator() as emulator:
        server = psutil.Process(emulator.pid)
        env = {**os.environ, "STORAGE_EMULATOR_HOST": emulator.url}
        for _ in range(args.repeats):
            for case in args.cases:
                emulator_cpu = sum(server.cpu_times()[:2])
                command = [sys.executable, __file__, "--child", case, "--rows", str(args.rows),
                           "--chunk-mib", str(args.chunk_mib)]  # fmt: skip
                out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
                sample = Sample(**json.loads(out.stdout.strip().splitlines()[-1]))
                sample.emulator_cpu_s = sum(server.cpu_times()[:2]) - emulator_cpu
                samples.append(sample)
                print(f"  {case}: {sample.rows_per_s:,.0f} rows/s", flush=True)
        print(f"emulator peak RSS {server.memory_info().rss / KIB / KIB:.0f} MiB (at the end)")
    print(f"{'case':<8}{'rows/s':>10}{'MB/s in':>9}{'MB/s out':>9}{'ratio':>7}{'CPU us/row':>11}"
          f"{'main us/row':>12}{'peak RSS MiB':>13}{'(before)':>9}{'parts':>6}")  # fmt: skip
    for case in args.cases:
        mine = [s for s in samples if s.case == case]
        med = statistics.median
        print(
            f"{case:<8}{med(s.rows_per_s for s in mine):>10,.0f}"
            f"{med(s.uncompressed_bytes / s.seconds / MB for s in mine):>9.1f}"
            f"{med(s.compressed_bytes / s.seconds / MB for s in mine):>9.1f}"
            f"{med(s.uncompressed_bytes / s.compressed_bytes for s in mine):>7.2f}"
            f"{med(s.cpu_s / s.rows * 1e6 for s in mine):>11.2f}"
            f"{med(s.main_cpu_s / s.rows * 1e6 for s in mine):>12.2f}"
            f"{max(s.peak_rss_mib for s in mine):>13.0f}"
            f"{med(s.rss_before_mib for s in mine):>9.0f}"
            f"{mine[0].parts:>6}"
        )
    return samples


def compress_benchmark(args: argparse.Namespace) -> None:
    """The compressors alone, in memory, on the same payloads (one thread)."""
    from airflow_oracle_etl.gcs.compress import Compression, GzipMember

    pool = payload_pool()
    results: dict[str, list[tuple[float, int, int]]] = {case: [] for case in args.cases}
    for _ in range(args.repeats):
        for case in args.cases:
            member = GzipMember(Compression(*CASES[case]))
            started = time.process_time()
            out = 0
            for payload in payloads(pool, args.rows):
                out += sum(len(piece) for piece in member.feed(payload, SLICE_ROWS))
            tail = member.finish()
            seconds = time.process_time() - started
            results[case].append((seconds, member.uncompressed_bytes, out + len(tail)))
    sample = b"".join(pool[:4])
    assert gzip.decompress(gzip.compress(sample)) == sample
    print(f"{'case':<8}{'MB/s in (CPU)':>14}{'ratio':>7}")
    for case, runs in results.items():
        rate = statistics.median(raw / s / MB for s, raw, _ in runs)
        ratio = statistics.median(raw / comp for _, raw, comp in runs)
        print(f"{case:<8}{rate:>14.1f}{ratio:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--chunk-mib", type=int, default=16)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--compress-only", action="store_true")
    parser.add_argument("--child", choices=list(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--json", help="write the samples here")
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.rows, args.chunk_mib)
    elif args.compress_only:
        compress_benchmark(args)
    else:
        samples = upload_benchmark(args)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump([asdict(s) for s in samples], out, indent=1)


if __name__ == "__main__":
    main()
