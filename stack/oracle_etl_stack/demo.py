"""``make run`` / ``make stop``: the demo, end to end, on the local stand-ins.

``start`` launches the Oracle emulator with the demo schema, fake-gcs-server with the demo
bucket and a real Airflow (api-server, scheduler, dag-processor, triggerer) reading this
repository's ``dags/``; triggers the demo transport ``daily_sales`` through Airflow's REST API;
prints each table's progress while the job runs, then the objects written and their row counts;
and leaves everything running, the UI at http://localhost:8080. State lives in a run directory
(``.run/`` by default): pid files and one log per service, so ``stop`` finds what ``start``
started, from any shell.

Oracle is reached as an Autonomous Database is: over TCPS with mutual TLS, through a wallet.
The first start makes a test CA, a server and a client certificate (``RUN_DIR/pki/``) and a
wallet shaped like the console's (``RUN_DIR/wallet/``: ``ewallet.pem`` with the client key
encrypted by the wallet password, ``tnsnames.ora`` with ``demo_high``, ``_medium``, ``_low``,
``sqlnet.ora``); later starts reuse them. The emulator listens for TCPS on port 1522 (as
Autonomous Database does), requiring a client certificate from that CA, and keeps its plain
TCP port 1521 for people's own SQL clients. The Airflow connection ``oracle_demo`` names the
alias, the wallet folder (``config_dir``) and the wallet password.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography import x509

from airflow_oracle_etl.gcs.naming import job_manifest_name
from airflow_oracle_etl.progress import read_snapshots
from oracle_emulator.wallets import Credential, TestPki, make_pki, service_names, write_wallet
from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_stack import (
    ORACLE_CONN_ID,
    ORACLE_PASSWORD,
    ORACLE_USER,
    AirflowStack,
    connections_env,
    recorded_groups,
    stop_detached,
)
from oracle_etl_stack.gcs import GcsEmulator

ORACLE_HOST = "127.0.0.1"
ORACLE_PORT = 1521
#: the TCPS listener's port: Autonomous Database's
TCPS_PORT = 1522
#: the database name of the wallet's aliases: demo_high, demo_medium, demo_low
WALLET_DB = "demo"
WALLET_ALIAS = f"{WALLET_DB}_high"
#: DEMO VALUE, like demo/demo: the password the wallet's client key is encrypted with
WALLET_PASSWORD = "Welcome1#Demo"
#: certificates this close to their end are made anew (with the wallet) at the next start
CERTIFICATE_MARGIN = timedelta(days=7)
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


def _credential(directory: Path) -> Credential | None:
    """The certificate and key in ``directory``, unless missing, unreadable or near expiry."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    if not (cert.is_file() and key.is_file()):
        return None
    try:
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    except ValueError:
        return None
    if certificate.not_valid_after_utc - CERTIFICATE_MARGIN < datetime.now(timezone.utc):
        return None
    return Credential(cert, key, certificate.subject.rfc4514_string())


def _existing_pki(directory: Path) -> TestPki | None:
    ca, server, client = (_credential(directory / name) for name in ("ca", "server", "client"))
    if ca is None or server is None or client is None:
        return None
    return TestPki(ca, server, client)


def _wallet_written(wallet: Path, port: int) -> bool:
    files = ("ewallet.pem", "tnsnames.ora", "sqlnet.ora")
    if not all((wallet / name).is_file() for name in files):
        return False
    return f"(port={port})" in (wallet / "tnsnames.ora").read_text()


def prepare_wallet(run_dir: Path, port: int) -> tuple[TestPki, Path]:
    """The test CA, server and client certificates (``run_dir/pki/``) and the wallet for the
    TCPS port (``run_dir/wallet/``), made at the first start and reused by the next ones
    (made anew when a file is missing or a certificate near its end); the wallet folder."""
    pki_dir, wallet = run_dir / "pki", run_dir / "wallet"
    pki = _existing_pki(pki_dir)
    fresh = pki is None
    if pki is None:
        pki = make_pki(pki_dir)
    if fresh or not _wallet_written(wallet, port):
        write_wallet(
            wallet, ca=pki.ca, client=pki.client, db=WALLET_DB, host=ORACLE_HOST, port=port,
            wallet_password=WALLET_PASSWORD,
        )  # fmt: skip
        print(f"made the test certificates ({pki_dir}) and the wallet ({wallet})", flush=True)
    return pki, wallet


def _listening(port: int) -> bool:
    try:
        with socket.create_connection((ORACLE_HOST, port), timeout=2):
            return True
    except OSError:
        return False


def start_oracle(run_dir: Path, port: int, tcps_port: int, pki: TestPki) -> None:
    """The emulator with the demo schema, on ``port`` (TCP) and ``tcps_port`` (TCPS, client
    certificates signed by the test CA required), accepting the wallet's service names."""
    running = _pid(run_dir, "oracle-emulator")
    if running:
        if not _listening(tcps_port):  # started by an older `make run`, without TCPS
            sys.exit(
                f"the running Oracle emulator (pid {running}) does not listen for TCPS on port "
                f"{tcps_port}: run `make stop`, then `make run` again"
            )
        return
    ready = run_dir / "oracle-emulator.port"
    ready.unlink(missing_ok=True)
    aliases = [
        arg for name in service_names(WALLET_DB).values() for arg in ("--service-alias", name)
    ]
    process = _detach(
        run_dir,
        "oracle-emulator",
        [sys.executable, "-m", "oracle_emulator", "--demo", "--warm",
         "--host", ORACLE_HOST, "--port", str(port), "--service-name", SERVICE,
         "--tcps-port", str(tcps_port), *pki.server_tls(mutual=True).cli_args(), *aliases,
         "--ready-file", str(ready)],
    )  # fmt: skip
    _wait("the Oracle emulator", ready.exists, process, run_dir / "oracle-emulator.log")


def oracle_wallet_connection(wallet: Path) -> dict[str, Any]:
    """The demo's Oracle connection as an Autonomous Database's: the wallet's alias, the
    folder of its tnsnames.ora and ewallet.pem, and the password of its key."""
    return {
        "conn_type": "oracle",
        "login": ORACLE_USER,
        "password": ORACLE_PASSWORD,
        "extra": {
            "dsn": WALLET_ALIAS,
            "config_dir": str(wallet),
            "wallet_password": WALLET_PASSWORD,
        },
    }


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


def start_airflow(run_dir: Path, port: int, gcs: GcsEmulator, wallet: Path) -> AirflowClient:
    home = run_dir / "airflow"
    env = connections_env(
        oracle_host=ORACLE_HOST, oracle_port=ORACLE_PORT, service_name=SERVICE, gcs_url=gcs.url
    )
    # oracle_demo over TCPS with the wallet, instead of connections_env's plain TCP one
    env[f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}"] = json.dumps(oracle_wallet_connection(wallet))
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
                # one snapshot per table the task reads (``progress/J``, and the last ones
                # of a packed task's finished tables together under ``progress/finished``)
                tables = list(read_snapshots(store).values())
                if tables:
                    rows = sum(s["rows"] for s in tables)
                    rate = sum(s["rows_per_s"] for s in tables)
                    line += f"  {rows:>8,} rows  {rate:>9,.0f} rows/s"
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


def _tcps_sessions(log: Path, offset: int, subject: str) -> int:
    """Sessions the emulator logged after ``offset`` that came over TCPS presenting the
    certificate ``subject``."""
    with open(log, "rb") as file:
        file.seek(offset)
        text = file.read().decode(errors="replace")
    return sum(
        " TCPS from " in line and f"client certificate {subject}" in line
        for line in text.splitlines()
    )


def start(run_dir: Path) -> None:
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    pki, wallet = prepare_wallet(run_dir, TCPS_PORT)
    start_oracle(run_dir, ORACLE_PORT, TCPS_PORT, pki)
    gcs = start_gcs(run_dir, GCS_PORT)
    client = start_airflow(run_dir, AIRFLOW_PORT, gcs, wallet)
    oracle_log = run_dir / "oracle-emulator.log"
    offset = oracle_log.stat().st_size
    run_id = run_demo_job(client, gcs)
    sessions = _tcps_sessions(oracle_log, offset, pki.client.subject)
    print(
        f"""
Oracle: the job's {sessions} sessions came over TCPS with the wallet's client certificate.

Everything keeps running:
  Airflow UI   http://localhost:{AIRFLOW_PORT}   login: admin / admin
  the job      http://localhost:{AIRFLOW_PORT}/dags/{DEMO_DAG}/runs/{run_id}  (tab "Table progress")
  its API      http://localhost:{AIRFLOW_PORT}/oracle-etl/jobs/{run_id}?transport={DEMO_DAG}
               (and .../events for Server-Sent Events; see the README)
  Oracle       the emulator, user demo / demo; Airflow's connection {ORACLE_CONN_ID} reaches it
               over TCPS ({ORACLE_HOST}:{TCPS_PORT}, mutual TLS) with the wallet at
               {wallet}  (alias {WALLET_ALIAS}, wallet password {WALLET_PASSWORD})
               plain TCP for your own SQL clients: {ORACLE_HOST}:{ORACLE_PORT}/{SERVICE}
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
