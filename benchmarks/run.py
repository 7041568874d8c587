"""``make bench``: every benchmark in turn, each printing its own table (see RESULTS.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ["emulator_fetch.py", "--rows", "1000000", "--repeats", "3"],
    ["operator_rows.py", "--rows", "1000000", "5000000", "--repeats", "3"],
    ["encoding_micro.py"],
    ["gcs_writer.py", "--rows", "1000000", "--repeats", "2"],
    ["task_overhead.py", "--repeats", "3"],
    ["tls_handshake.py", "--connections", "50"],
    ["emulator_dictionary.py", "--tables", "500", "--rounds", "20"],
    # whole schemas: the catalog query, the plan of 2,000 tables, a DAG file of 50 transports,
    # a packed task's reads one at a time or a few, and jobs of 1, 40 and 400 tables
    ["catalog_resolve.py", "--tables", "2000", "--rounds", "5"],
    ["transport_parse.py", "--repeats", "3"],
    ["packed_reads.py", "--tables", "120", "--repeats", "3"],
    ["transport_scale.py", "--repeats", "1"],
    # the side-by-side comparison (issue "benchmarks side by side"): hours at full size, as
    # OracleToGCSOperator and dlt move a few thousand rows a second here
    ["side_by_side.py", "--repeats", "3"],
]


def main() -> int:
    failed = 0
    for script, *arguments in BENCHMARKS:
        print(f"\n== {script} {' '.join(arguments)}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / script), *arguments]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
