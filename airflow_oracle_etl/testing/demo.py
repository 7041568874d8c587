"""``make run`` / ``make stop``: the local stand-in stack, started in the background.

State lives in a run directory (``.run/`` by default): one pid file and one log per service,
so ``make stop`` finds what ``make run`` started even from another shell.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from airflow_oracle_etl.testing.oracle.demo_data import DEMO_SCHEMA

ORACLE_PORT = 1521
SERVICE = "FREEPDB1"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _pid(run_dir: Path, name: str) -> int | None:
    path = run_dir / f"{name}.pid"
    if not path.exists():
        return None
    pid = int(path.read_text())
    return pid if _alive(pid) else None


def start_oracle(run_dir: Path, port: int) -> None:
    if _pid(run_dir, "oracle-emulator"):
        print(f"oracle-emulator already running (pid file {run_dir / 'oracle-emulator.pid'})")
        return
    ready = run_dir / "oracle-emulator.port"
    ready.unlink(missing_ok=True)
    log = open(run_dir / "oracle-emulator.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [sys.executable, "-m", "airflow_oracle_etl.testing.oracle", "--demo", "--warm",
         "--port", str(port), "--service-name", SERVICE, "--ready-file", str(ready)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    (run_dir / "oracle-emulator.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 300
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"oracle-emulator did not start; see {run_dir / 'oracle-emulator.log'}")
        time.sleep(0.2)


def start(run_dir: Path, port: int) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    start_oracle(run_dir, port)
    dsn = f"127.0.0.1:{port}/{SERVICE}"
    print(
        f"""
Oracle emulator running (log: {run_dir / "oracle-emulator.log"})
  dsn:      {dsn}
  user:     {DEMO_SCHEMA} / password: demo   (also SYSTEM / manager)
  tables:   CUSTOMER, SALES_ORDER, SALES_LINE_ITEM, ALL_TYPES, BENCH_ROWS
  try:      .venv/bin/python -c "import oracledb; c = oracledb.connect(user='demo', \\
              password='demo', dsn='{dsn}'); print(c.cursor().execute(\\
              'select count(*) from sales_order').fetchone())"
  stop:     make stop
"""
    )


def stop(run_dir: Path) -> None:
    for pid_file in sorted(run_dir.glob("*.pid")):
        pid = _pid(run_dir, pid_file.stem)
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
            print(f"stopped {pid_file.stem} (pid {pid})")
        pid_file.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m airflow_oracle_etl.testing.demo")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--run-dir", type=Path, default=Path(".run"))
    parser.add_argument("--oracle-port", type=int, default=ORACLE_PORT)
    args = parser.parse_args()
    if args.action == "start":
        start(args.run_dir, args.oracle_port)
    else:
        stop(args.run_dir)


if __name__ == "__main__":
    main()
