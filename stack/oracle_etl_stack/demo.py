"""``make run`` / ``make stop``: the demo, end to end, on the local stand-ins.

``start`` launches the Oracle emulator with the demo schema, fake-gcs-server with the demo
bucket and a real Airflow (api-server, scheduler, dag-processor, triggerer) reading this
repository's ``dags/``; triggers the demo transport ``daily_sales`` through Airflow's REST API;
prints each table's progress while the job runs, then the objects written and their row counts;
and leaves everything running, the UI at http://localhost:8080. State lives in a run directory
(``.run/`` by default): pid files and one log per service, so ``stop`` finds what ``start``
started, from any shell.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from airflow_oracle_etl.gcs.naming import job_manifest_name
from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_stack import (
    AirflowStack,
    connections_env,
    recorded_groups,
    stop_detached,
)
from oracle_etl_stack.gcs import GcsEmulator

ORACLE_PORT = 1521
GCS_PORT = 4443
AIRFLOW_PORT = 8080
SERVICE = "FREEPDB1"
DEMO_DAG = "daily_sales"
DEMO_BUCKET = "oracle-etl-demo"
REPOSITORY = Path(__file__).resolve().parents[2]
JOB_TIMEOUT_S = 600


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


def _detach(run_dir: Path, name: str, command: list[str]) -> subprocess.Popen[bytes]:
    """A child in its own session, logging to ``run_dir/NAME.log``, with a pid file."""
    with open(run_dir / f"{name}.log", "ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    (run_dir / f"{name}.pid").write_text(str(process.pid))
    return process


def _wait(what: str, ready: object, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while not ready():  # type: ignore[operator]
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"{what} did not start; see {log}")
        time.sleep(0.2)


def start_oracle(run_dir: Path, port: int) -> None:
    if _pid(run_dir, "oracle-emulator"):
        return
    ready = run_dir / "oracle-emulator.port"
    ready.unlink(missing_ok=True)
    process = _detach(
        run_dir,
        "oracle-emulator",
        [sys.executable, "-m", "oracle_emulator", "--demo", "--warm",
         "--port", str(port), "--service-name", SERVICE, "--ready-file", str(ready)],
    )  # fmt: skip
    _wait("the Oracle emulator", ready.exists, process, run_dir / "oracle-emulator.log")


def start_gcs(run_dir: Path, port: int) -> GcsEmulator:
    emulator = GcsEmulator(port=port, log_path=run_dir / "gcs-emulator.log")
    if not _pid(run_dir, "gcs-emulator"):
        process = _detach(run_dir, "gcs-emulator", emulator.command())
        _wait("fake-gcs-server", emulator.answers, process, run_dir / "gcs-emulator.log")
    os.environ["STORAGE_EMULATOR_HOST"] = emulator.url
    client = emulator.client()
    if client.lookup_bucket(DEMO_BUCKET) is None:
        client.create_bucket(DEMO_BUCKET)
    return emulator


def start_airflow(run_dir: Path, port: int, gcs: GcsEmulator, oracle_port: int) -> AirflowClient:
    home = run_dir / "airflow"
    env = connections_env(
        oracle_host="127.0.0.1", oracle_port=oracle_port, service_name=SERVICE, gcs_url=gcs.url
    )
    stack = AirflowStack(home, REPOSITORY / "dags", env, port)
    if not recorded_groups(home / "run"):  # stale pid files (a crash, a reboot) do not count
        print("starting Airflow (api-server, scheduler, dag-processor, triggerer)...", flush=True)
        stack.start()
    return AirflowClient(f"http://localhost:{port}", stack.username, stack.password)


def run_demo_job(client: AirflowClient, gcs: GcsEmulator) -> str:
    """Trigger the demo transport, follow it to its end, print what it wrote; its run id."""
    deadline = time.monotonic() + 180
    while True:
        try:
            client.dag(DEMO_DAG)
            break
        except AirflowApiError:  # not parsed yet
            if time.monotonic() > deadline:
                sys.exit(f"the DAG {DEMO_DAG} was not parsed; see .run/airflow/logs/")
            time.sleep(1)
    # full refresh: the scheduler may already have run the @daily schedule's latest interval,
    # which moved SALES_ORDER's watermark; the demo shows every table whole
    run_id = client.trigger(DEMO_DAG, conf={"full_refresh": True})
    print(f"triggered {DEMO_DAG} as {run_id}", flush=True)
    state = _follow(client, run_id)
    print(f"\njob {run_id}: {state}")
    if state != "success":
        sys.exit("the demo job did not succeed; see the task logs in the UI")
    _print_outputs(gcs, run_id)
    return run_id


def _follow(client: AirflowClient, run_id: str) -> str:
    """Print each extract task's progress (from its task state store) until the run ends."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    shown: dict[str, str] = {}
    while time.monotonic() < deadline:
        state = client.dag_run(DEMO_DAG, run_id)["state"]
        for ti in client.task_instances(DEMO_DAG, run_id):
            label = ti.get("rendered_map_index") or ti["task_id"]
            line = f"{ti['task_id']:<9} {label:<28} {ti['state'] or 'waiting'}"
            if ti["task_id"] == "extract" and ti["map_index"] >= 0:
                store = client.task_state_store(DEMO_DAG, run_id, "extract", ti["map_index"])
                progress = store.get("progress") or {}
                if progress:
                    line += f"  {progress['rows']:>8,} rows  {progress['rows_per_s']:>9,.0f} rows/s"
            if shown.get(label) != line:
                shown[label] = line
                print(line, flush=True)
        if state in ("success", "failed"):
            return state
        time.sleep(1)
    return "timed out"


def _print_outputs(gcs: GcsEmulator, run_id: str) -> None:
    bucket = gcs.client().bucket(DEMO_BUCKET)
    name = job_manifest_name("exports", DEMO_DAG, run_id)
    job = json.loads(bucket.blob(name).download_as_bytes())
    print(f"\njob manifest: gs://{DEMO_BUCKET}/{name}")
    for table in job["tables"]:
        manifest = json.loads(bucket.blob(table["manifest"]).download_as_bytes())
        print(f"  {table['table']:<24} {manifest['totals']['rows']:>8,} rows")
        for part in manifest["parts"]:
            print(f"    gs://{DEMO_BUCKET}/{part['name']}  ({part['rows']:,} rows)")


def start(run_dir: Path) -> None:
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    start_oracle(run_dir, ORACLE_PORT)
    gcs = start_gcs(run_dir, GCS_PORT)
    client = start_airflow(run_dir, AIRFLOW_PORT, gcs, ORACLE_PORT)
    run_id = run_demo_job(client, gcs)
    print(
        f"""
Everything keeps running:
  Airflow UI   http://localhost:{AIRFLOW_PORT}   login: admin / admin
  the job      http://localhost:{AIRFLOW_PORT}/dags/{DEMO_DAG}/runs/{run_id}  (tab "Table progress")
  its API      http://localhost:{AIRFLOW_PORT}/oracle-etl/jobs/{run_id}?transport={DEMO_DAG}
               (and .../events for Server-Sent Events; see the README)
  Oracle       127.0.0.1:{ORACLE_PORT}/{SERVICE}   user demo / demo (the emulator)
  GCS          {gcs.url}   bucket {DEMO_BUCKET} (fake-gcs-server)
  logs         {run_dir}
  stop         make stop
"""
    )


def stop(run_dir: Path) -> None:
    home = run_dir / "airflow"
    if home.exists():
        stopped = stop_detached(home)
        print(f"stopped Airflow ({stopped} process groups)")
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
    parser = argparse.ArgumentParser(prog="python -m oracle_etl_stack.demo")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--run-dir", type=Path, default=Path(".run"))
    args = parser.parse_args()
    if args.action == "start":
        start(args.run_dir)
    else:
        stop(args.run_dir)


if __name__ == "__main__":
    main()
