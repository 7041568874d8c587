"""Secrets never leave their connections: jobs that succeed and jobs that fail, on the real
Airflow stack, then a search for every secret in everything Airflow, the plugin and the bucket
show afterwards.

The secrets are unique random strings, so any occurrence is a leak:

- the Oracle password of a user created for this module in the emulator (which checks it),
  in a connection that also carries a ``wallet_password`` extra (thin mode over TCP ignores a
  wallet password without a wallet; the job succeeds with it);
- a wrong password, in a second connection for the same user (ORA-01017);
- an Autonomous-Database-style connection to a second emulator that listens for TCPS and
  requires client certificates (mutual TLS): the wallet's alias, its folder (``config_dir``),
  an ``ewallet.pem`` whose client key is encrypted, and the ``wallet_password`` that opens it.
  The client's private key (in clear in the test PKI's client/key.pem) and the encrypted key are
  searched by lines of their PEM bodies, as the GCP key is;
- a wrong wallet password, in a second wallet connection: the driver then presents no client
  certificate, the server refuses the handshake, and the provider raises
  ``ConnectionSecurityError``;
- the private key of a service-account key (``keyfile_dict``) in a GCP connection whose token
  endpoint refuses it (the extract task fails to authenticate);
- a password pasted into a transport file and into a ``POST /oracle-etl/transports`` body,
  both refused.

The connections are created through the REST API (``POST /api/v2/connections``), so task
processes get them from the metadata database as in production. Six jobs run through the
plugin's ``execute`` route: two succeed (over TCP, and over TCPS with the wallet), one fails on
the logon, one on the wallet password, one on the GCS key, one on a missing table. Then every
place a reader can see is searched: task logs (the REST logs endpoint and the files), XComs,
rendered template fields and task-instance details, progress in the task state store, dag
runs and DAG details, import errors, the audit log, the plugin's answers, every object in the
bucket (parts decompressed), and every log file of the stack (api-server, scheduler,
dag-processor, triggerer). Each search also asserts that what it searched is there, so it
cannot pass on nothing.

Airflow redacts connection secrets in task logs, but not everywhere: under LocalExecutor the
scheduler's own log repeats each task's output unredacted (a task printing or raising a
connection's password puts it there in clear). So the log-file search is the strict witness
that the provider's code never puts a secret into a message, whatever Airflow would mask.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import oracledb
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.cloud import storage

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.wallets import TestPki, WalletFiles, make_pki, service_names, write_wallet
from oracle_etl_stack.airflow_client import AirflowApiError, AirflowClient
from oracle_etl_stack.airflow_fixtures import GCP_CONN_ID, E2EStack
from oracle_etl_stack.gcs import GcsEmulator, empty_bucket
from tests.e2e.plugin_support import (  # noqa: F401 (fixtures)
    PluginApi,
    plugin_api_fixture,
    transport_data,
    transports_folder_fixture,
    wait_for_dag,
    write_transport,
)

pytestmark = pytest.mark.slow

RUN_TIMEOUT_S = 600.0
DAG_TIMEOUT_S = 300.0
CREATED = 201
UNPROCESSABLE = 422
PAGE = 100
#: rows of the RSA key's PEM body searched for (each 64 random-looking base64 characters)
KEY_LINES_SEARCHED = 4
#: a full row of a PEM body
PEM_LINE = 64
SUFFIX = secrets.token_hex(3)
#: the wallet's database: aliases demo_high, demo_medium, demo_low
WALLET_DB = "demo"
WALLET_ALIAS = f"{WALLET_DB}_high"
#: the TCPS emulator's demo data, small: the wallet job reads CUSTOMER
TCPS_EMULATOR_ARGS = ["--demo", "--customers", "50", "--orders", "100", "--bench-rows", "100"]


@dataclass(frozen=True)
class Secrets:
    """The secret values of this module, each unique to this run."""

    oracle_password: str
    wrong_password: str
    wallet_password: str
    wrong_wallet_password: str
    private_key_pem: str
    pasted_password: str

    @classmethod
    def draw(cls) -> Secrets:
        """Fresh values: a leak found is this run's, never a leftover of an earlier one."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls(
            oracle_password=f"OraPw{secrets.token_hex(12)}",
            wrong_password=f"WrongPw{secrets.token_hex(12)}",
            wallet_password=f"WalletPw{secrets.token_hex(12)}",
            wrong_wallet_password=f"WrongWalletPw{secrets.token_hex(12)}",
            private_key_pem=pem,
            pasted_password=f"PastedPw{secrets.token_hex(12)}",
        )

    def needles(self) -> dict[str, str]:
        """What to search for, by name. The key is searched by lines of its PEM body: a
        serialised key has them joined by ``\\n`` (or an escaped one), never whole."""
        body = [line for line in self.private_key_pem.splitlines() if "-----" not in line]
        step = max(1, len(body) // KEY_LINES_SEARCHED)
        key_lines = body[::step][:KEY_LINES_SEARCHED]
        return {
            "oracle password": self.oracle_password,
            "wrong oracle password": self.wrong_password,
            "wallet password": self.wallet_password,
            "wrong wallet password": self.wrong_wallet_password,
            "password pasted into a transport": self.pasted_password,
            **{f"GCP private key (line {i})": line for i, line in enumerate(key_lines)},
        }


def _pem_lines(text: str, label: str) -> list[str]:
    """Rows of the body of the ``label`` PEM block in ``text`` (``PRIVATE KEY``...), sampled
    as the GCP key's are. The first two rows (mostly fixed ASN.1: versions, algorithm and
    KDF identifiers) and the last (short) are left out: every row searched is 64 characters
    of the key's own (or of its ciphertext)."""
    lines = text.splitlines()
    begin = lines.index(f"-----BEGIN {label}-----")
    end = lines.index(f"-----END {label}-----", begin)
    body = lines[begin + 3 : end - 1]
    step = max(1, len(body) // KEY_LINES_SEARCHED)
    return body[::step][:KEY_LINES_SEARCHED]


@dataclass(frozen=True)
class WalletDatabase:
    """An emulator that listens for TCPS and requires client certificates, as Autonomous
    Database does by default, and two wallets for it with the same client key encrypted by
    the wallet password: the console's (connect retried 20 times, 3 s apart) and one that
    fails at the first refusal (``retry_count=0``), for the job with a wrong password."""

    process: EmulatorProcess
    pki: TestPki
    wallet: WalletFiles
    fail_fast: WalletFiles

    def needles(self) -> dict[str, str]:
        """Rows of the client's private key (in clear, as the test CA issued it) and of the
        encrypted key in each wallet's ewallet.pem (each encryption has its own salt)."""
        found = {}
        client_key = self.pki.client.key.read_text()
        for i, line in enumerate(_pem_lines(client_key, "PRIVATE KEY")):
            found[f"client private key (line {i})"] = line
        for wallet in (self.wallet, self.fail_fast):
            encrypted = wallet.ewallet_pem.read_text()
            for i, line in enumerate(_pem_lines(encrypted, "ENCRYPTED PRIVATE KEY")):
                found[f"encrypted key of {wallet.directory.name}/ewallet.pem (line {i})"] = line
        return found

    def log_text(self) -> str:
        assert self.process.log_path is not None
        return self.process.log_path.read_text(errors="replace")


@dataclass(frozen=True)
class Job:
    """One job of this module: its transport (DAG) id, run id and final state."""

    transport: str
    run_id: str
    state: str


@dataclass
class SecretJobs:
    """The finished jobs and everything needed to search what they left."""

    e2e: E2EStack
    api: PluginApi
    bucket: storage.Bucket
    secrets: Secrets
    wallet_db: WalletDatabase
    oracle_user: str
    oracle_conn_id: str
    wrong_conn_id: str
    wallet_conn_id: str
    wrong_wallet_conn_id: str
    gcp_key_conn_id: str
    jobs: dict[str, Job] = field(default_factory=dict)
    #: plugin answers received while setting up (execute, a refused POST), by description
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> AirflowClient:
        return self.e2e.client

    def needles(self) -> dict[str, str]:
        """Every secret searched for: the drawn values and the wallet's keys."""
        return self.secrets.needles() | self.wallet_db.needles()


# -- setup -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def secret_values() -> Secrets:
    return Secrets.draw()


@pytest.fixture(scope="module")
def bucket(gcs_emulator: GcsEmulator) -> Iterator[storage.Bucket]:
    """A bucket of this module's own (the session's fake-gcs-server)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator.url)
        created = gcs_emulator.client().create_bucket(f"secrets-{secrets.token_hex(8)}")
        yield created
        empty_bucket(created)


@pytest.fixture(scope="module")
def wallet_db(
    tmp_path_factory: pytest.TempPathFactory, secret_values: Secrets
) -> Iterator[WalletDatabase]:
    """A TCPS emulator of this module's own (mutual TLS, the wallet's service names), and the
    wallets for its port, written with the secret wallet password."""
    base = tmp_path_factory.mktemp("secrets-wallet")
    pki = make_pki(base / "pki")
    process = EmulatorProcess(
        args=TCPS_EMULATOR_ARGS,
        tls=pki.server_tls(mutual=True),
        service_aliases=list(service_names(WALLET_DB).values()),
        control=False,
    )
    with process:
        write = functools.partial(
            write_wallet, ca=pki.ca, client=pki.client, db=WALLET_DB, host=process.host,
            port=process.tcps_port, wallet_password=secret_values.wallet_password,
        )  # fmt: skip
        yield WalletDatabase(
            process,
            pki,
            wallet=write(base / "wallet"),
            fail_fast=write(base / "wallet_fail_fast", retry_count=0),
        )


@pytest.fixture(scope="module")
def oracle_user(
    oracle_emulator: EmulatorProcess, wallet_db: WalletDatabase, secret_values: Secrets
) -> Iterator[str]:
    """A user whose password is the secret, in both emulators (each checks it at logon; every
    user may read the DEMO tables there). Created over each one's plain TCP port."""
    name = f"ETL_{SUFFIX.upper()}"
    dsns = (oracle_emulator.dsn, wallet_db.process.dsn)
    for dsn in dsns:
        with oracledb.connect(user="demo", password="demo", dsn=dsn) as admin:
            admin.cursor().execute(
                f'CREATE USER {name} IDENTIFIED BY "{secret_values.oracle_password}"'
            )
        # reading the snapshot SCN needs the grant, as on Oracle; a DBA gives it
        with oracledb.connect(user="system", password="manager", dsn=dsn) as dba:
            dba.cursor().execute(f"GRANT SELECT ON SYS.V_$DATABASE TO {name}")
    yield name
    for dsn in dsns:
        with oracledb.connect(user="demo", password="demo", dsn=dsn) as admin:
            admin.cursor().execute(f"DROP USER {name}")


def _oracle_connection(
    conn_id: str, emulator: EmulatorProcess, user: str, password: str, wallet_password: str
) -> dict[str, Any]:
    """The body of ``POST /api/v2/connections`` for an Oracle connection to the emulator."""
    extra = {"service_name": emulator.service_name, "wallet_password": wallet_password}
    return {
        "connection_id": conn_id,
        "conn_type": "oracle",
        "host": emulator.host,
        "port": emulator.port,
        "login": user,
        "password": password,
        "extra": json.dumps(extra),
    }


def _wallet_connection(
    conn_id: str, wallet: WalletFiles, user: str, password: str, wallet_password: str
) -> dict[str, Any]:
    """An Autonomous Database's connection: the wallet's alias, the folder of its tnsnames.ora
    and ewallet.pem (``wallet_location`` defaults to it), and the key's password."""
    extra = {
        "dsn": WALLET_ALIAS,
        "config_dir": str(wallet.directory),
        "wallet_password": wallet_password,
    }
    return {
        "connection_id": conn_id,
        "conn_type": "oracle",
        "login": user,
        "password": password,
        "extra": json.dumps(extra),
    }


def _gcp_key_connection(conn_id: str, gcs: GcsEmulator, private_key_pem: str) -> dict[str, Any]:
    """A service-account key whose token endpoint is the emulator (which has none: 404), so
    authentication fails there and no request leaves the machine."""
    key = {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": secrets.token_hex(20),
        "private_key": private_key_pem,
        "client_email": "etl@test-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": f"{gcs.url}/token",
    }
    extra = {"keyfile_dict": json.dumps(key), "project": "test-project"}
    return {
        "connection_id": conn_id,
        "conn_type": "google_cloud_platform",
        "extra": json.dumps(extra),
    }


@pytest.fixture(scope="module")
def secret_jobs(
    airflow_stack: E2EStack,
    plugin_api: PluginApi,
    transports_folder: Path,
    oracle_emulator: EmulatorProcess,
    wallet_db: WalletDatabase,
    gcs_emulator: GcsEmulator,
    bucket: storage.Bucket,
    oracle_user: str,
    secret_values: Secrets,
) -> Iterator[SecretJobs]:
    """Connections with the secrets, six jobs run to their end, and two refused inputs."""
    client = airflow_stack.client
    found = SecretJobs(
        e2e=airflow_stack,
        api=plugin_api,
        bucket=bucket,
        secrets=secret_values,
        wallet_db=wallet_db,
        oracle_user=oracle_user,
        oracle_conn_id=f"secret_oracle_{SUFFIX}",
        wrong_conn_id=f"secret_oracle_wrong_{SUFFIX}",
        wallet_conn_id=f"secret_oracle_wallet_{SUFFIX}",
        wrong_wallet_conn_id=f"secret_oracle_wallet_wrong_{SUFFIX}",
        gcp_key_conn_id=f"secret_gcp_key_{SUFFIX}",
    )
    connections = [
        _oracle_connection(
            found.oracle_conn_id, oracle_emulator, oracle_user,
            secret_values.oracle_password, secret_values.wallet_password,
        ),
        _oracle_connection(
            found.wrong_conn_id, oracle_emulator, oracle_user,
            secret_values.wrong_password, secret_values.wallet_password,
        ),
        _wallet_connection(
            found.wallet_conn_id, wallet_db.wallet, oracle_user,
            secret_values.oracle_password, secret_values.wallet_password,
        ),
        _wallet_connection(
            found.wrong_wallet_conn_id, wallet_db.fail_fast, oracle_user,
            secret_values.oracle_password, secret_values.wrong_wallet_password,
        ),
        _gcp_key_connection(found.gcp_key_conn_id, gcs_emulator, secret_values.private_key_pem),
    ]  # fmt: skip
    files: list[Path] = []
    try:
        for connection in connections:
            client.request("POST", "connections", json=connection)
        for name, data in _job_transports(found).items():
            files.append(write_transport(transports_folder, data["id"], data))
            found.jobs[name] = Job(data["id"], "", "")
        pasted = _pasted_transport(found)
        files.append(write_transport(transports_folder, pasted["id"], pasted))
        found.answers["POST /transports (refused)"] = _refused_post(plugin_api, pasted)
        _run_jobs(found)
        yield found
    finally:
        for path in files:
            path.unlink(missing_ok=True)
        for connection in connections:
            with contextlib.suppress(AirflowApiError):  # not created: setup failed before
                client.request("DELETE", f"connections/{quote(connection['connection_id'])}")


def _job_transports(found: SecretJobs) -> dict[str, dict[str, Any]]:
    """The jobs' transports by job name: one that succeeds (a partitioned and an incremental
    table, so XComs carry partition predicates and watermarks), one that succeeds over TCPS
    with the wallet (a partitioned table), one on the wrong password, one on the wrong wallet
    password, one on the refused GCP key, one over a missing table."""
    destination = {"gcp_conn_id": GCP_CONN_ID, "bucket": found.bucket.name, "prefix": "secrets"}
    key_destination = {**destination, "gcp_conn_id": found.gcp_key_conn_id}
    ok_tables = [
        {"table": "DEMO.CUSTOMER", "partitions": 2},
        {"table": "DEMO.SALES_ORDER", "incremental": {"column": "UPDATED_AT"}},
    ]
    jobs = {
        "ok": (ok_tables, found.oracle_conn_id, destination),
        "wallet_ok": (
            [{"table": "DEMO.CUSTOMER", "partitions": 2}],
            found.wallet_conn_id,
            destination,
        ),
        "wrong_password": (["DEMO.CUSTOMER"], found.wrong_conn_id, destination),
        "wrong_wallet_password": (["DEMO.CUSTOMER"], found.wrong_wallet_conn_id, destination),
        "bad_key": (["DEMO.CUSTOMER"], found.oracle_conn_id, key_destination),
        "missing_table": (
            ["DEMO.CUSTOMER", "DEMO.NO_SUCH_TABLE"],
            found.oracle_conn_id,
            destination,
        ),
    }
    return {
        name: transport_data(
            f"secrets_{name}_{SUFFIX}", found.bucket.name, tables,
            oracle_conn_id=conn_id, destination=dest,
        )
        for name, (tables, conn_id, dest) in jobs.items()
    }  # fmt: skip


def _pasted_transport(found: SecretJobs) -> dict[str, Any]:
    """A transport whose author pasted a password into it: as a field, and inside a connect
    string given as the connection id."""
    pasted = transport_data(f"secrets_pasted_{SUFFIX}", found.bucket.name)
    pasted["password"] = found.secrets.pasted_password
    pasted["oracle_conn_id"] = f"etl/{found.secrets.pasted_password}@db.example.com/ORCL"
    return pasted


def _refused_post(api: PluginApi, transport: dict[str, Any]) -> str:
    """``POST /oracle-etl/transports`` of ``transport`` (under a new id): 422 naming both
    fields; the answer's text."""
    refused = api.post("/transports", json={**transport, "id": f"secrets_post_{SUFFIX}"})
    assert refused.status_code == UNPROCESSABLE, refused.text
    assert {tuple(problem["loc"]) for problem in refused.json()["detail"]} >= {
        ("body", "password"),
        ("body", "oracle_conn_id"),
    }
    return refused.text


def _run_jobs(found: SecretJobs) -> None:
    """Execute every job through the plugin, once its DAG is parsed, and wait for its end."""
    for name, job in found.jobs.items():
        wait_for_dag(found.client, job.transport, timeout=DAG_TIMEOUT_S)
        answer = found.api.post(f"/transports/{job.transport}/execute")
        assert answer.status_code == CREATED, answer.text
        found.answers[f"POST /transports/{job.transport}/execute"] = answer.text
        found.jobs[name] = Job(job.transport, answer.json()["job_id"], "")
    for name, job in found.jobs.items():
        state = found.client.wait(job.transport, job.run_id, timeout=RUN_TIMEOUT_S)
        found.jobs[name] = Job(job.transport, job.run_id, state)


# -- searching ---------------------------------------------------------------------------------


def _leaks(places: dict[str, str], needles: dict[str, str]) -> list[str]:
    """``"SECRET in PLACE"`` for every secret found; JSON's escaped ``/`` is undone first."""
    return [
        f"{secret} in {place}"
        for place, text in places.items()
        for secret, value in needles.items()
        if value in text.replace("\\/", "/")
    ]


def _assert_no_secret(places: dict[str, str], found: SecretJobs, control: str) -> None:
    """No secret in any of ``places``; ``control``, a value known to be in them (a connection
    id, a login), must be found by the same search, so the search cannot pass on nothing."""
    assert _leaks(places, {"control": control}), f"{control!r} not found: nothing was searched?"
    assert _leaks(places, found.needles()) == []


def _path(*segments: object) -> str:
    return "/".join(quote(str(segment), safe="") for segment in segments)


def _task_instances(found: SecretJobs) -> Iterator[tuple[Job, dict[str, Any]]]:
    for job in found.jobs.values():
        for ti in found.client.task_instances(job.transport, job.run_id):
            yield job, ti


def _ti_path(job: Job, ti: dict[str, Any]) -> str:
    base = _path("dags", job.transport, "dagRuns", job.run_id, "taskInstances", ti["task_id"])
    return base if ti["map_index"] < 0 else f"{base}/{ti['map_index']}"


def _rest_logs(found: SecretJobs) -> dict[str, str]:
    """Every try of every task instance of the jobs, as the REST logs endpoint serves it."""
    logs = {}
    for job, ti in _task_instances(found):
        for try_number in range(1, ti["try_number"] + 1):
            path = _path(
                "dags", job.transport, "dagRuns", job.run_id, "taskInstances", ti["task_id"],
                "logs", try_number,
            )  # fmt: skip
            params = {"map_index": ti["map_index"], "full_content": True}
            body = found.client.request(
                "GET", path, params=params, headers={"Accept": "application/json"}
            )
            logs[f"log of {job.transport}/{ti['task_id']}[{ti['map_index']}] try {try_number}"] = (
                json.dumps(body)
            )
    return logs


def _task_log_text(found: SecretJobs, name: str, task_id: str, map_index: int = -1) -> str:
    job = found.jobs[name]
    return found.client.log(job.transport, job.run_id, task_id, map_index=map_index)


# -- tests -------------------------------------------------------------------------------------


def test_the_jobs_ran_into_the_failures_they_were_built_for(secret_jobs: SecretJobs) -> None:
    jobs = secret_jobs.jobs
    assert {name: job.state for name, job in jobs.items()} == {
        "ok": "success",
        "wallet_ok": "success",
        "wrong_password": "failed",
        "wrong_wallet_password": "failed",
        "bad_key": "failed",
        "missing_table": "failed",
    }
    refused = _task_log_text(secret_jobs, "wrong_password", "plan")
    assert "ORA-01017" in refused
    assert secret_jobs.wrong_conn_id in refused and secret_jobs.oracle_user in refused
    assert "RefreshError" in _task_log_text(secret_jobs, "bad_key", "extract", map_index=0)
    assert "DEMO.NO_SUCH_TABLE" in _task_log_text(secret_jobs, "missing_table", "plan")
    # the wrong wallet password: no client certificate presented, the handshake refused
    no_certificate = _task_log_text(secret_jobs, "wrong_wallet_password", "plan")
    assert "ConnectionSecurityError" in no_certificate
    assert "requires a client certificate" in no_certificate
    assert secret_jobs.wrong_wallet_conn_id in no_certificate


def test_the_wallet_jobs_went_over_tcps_with_and_without_the_client_certificate(
    secret_jobs: SecretJobs,
) -> None:
    """The TCPS emulator's own log: the good wallet job's sessions came over TLS presenting
    the wallet's client certificate and logged on as the secret's user; the wrong wallet
    password's handshake was refused for the missing certificate."""
    wallet_db = secret_jobs.wallet_db
    log = wallet_db.log_text()
    subject = wallet_db.pki.client.subject
    tcps = [line for line in log.splitlines() if " TCPS from " in line]
    # plan, and the two partitions of CUSTOMER
    assert sum(f"client certificate {subject}" in line for line in tcps) >= 3
    assert f"closed: user {secret_jobs.oracle_user}" in log
    assert "failed: PEER_DID_NOT_RETURN_A_CERTIFICATE" in log


def test_the_wallet_needles_are_what_the_wallet_files_hold(secret_jobs: SecretJobs) -> None:
    """The wallet's needles would be found if they leaked: full rows of the keys, the
    encrypted ones in the ewallet.pem files, the clear one only in the test PKI's client key
    file (never in a wallet: its key is encrypted there)."""
    wallet_db = secret_jobs.wallet_db
    needles = wallet_db.needles()
    assert len(needles) == 3 * KEY_LINES_SEARCHED
    assert all(len(line) == PEM_LINE for line in needles.values())
    clear = {name: line for name, line in needles.items() if name.startswith("client")}
    wallets = {
        f"{wallet.directory.name}/ewallet.pem": wallet.ewallet_pem.read_text()
        for wallet in (wallet_db.wallet, wallet_db.fail_fast)
    }
    assert len(_leaks(wallets, needles)) == 2 * KEY_LINES_SEARCHED  # each its own rows
    assert _leaks(wallets, clear) == []
    assert len(_leaks({"key.pem": wallet_db.pki.client.key.read_text()}, clear)) == len(clear)
    assert all(wallet.encrypted for wallet in (wallet_db.wallet, wallet_db.fail_fast))


def test_no_secret_in_task_logs_over_rest(secret_jobs: SecretJobs) -> None:
    logs = _rest_logs(secret_jobs)

    # plan, extract (2 partitions of CUSTOMER, SALES_ORDER) and finalize of the good job,
    # plan, extract (2 partitions of CUSTOMER) and finalize of the good wallet job (their
    # report tasks are skipped: nothing failed), and at least the failed task of each failed one
    assert len(logs) >= 5 + 4 + 4
    _assert_no_secret(logs, secret_jobs, control=secret_jobs.oracle_user)


def test_no_secret_in_xcoms_rendered_fields_progress_or_run_details(
    secret_jobs: SecretJobs,
) -> None:
    client, places, xcoms = secret_jobs.client, {}, {}
    for job, ti in _task_instances(secret_jobs):
        where = f"{job.transport}/{ti['task_id']}[{ti['map_index']}]"
        places[f"task instance {where}"] = json.dumps(client.request("GET", _ti_path(job, ti)))
        if ti["task_id"] == "extract" and ti["try_number"] > 0:
            store = client.task_state_store(job.transport, job.run_id, "extract", ti["map_index"])
            places[f"task state store of {where}"] = json.dumps(store)
    for job in secret_jobs.jobs.values():
        run = _path("dags", job.transport, "dagRuns", job.run_id)
        places[f"dag run {job.run_id}"] = json.dumps(client.request("GET", run))
        details = client.request("GET", _path("dags", job.transport, "details"))
        places[f"DAG {job.transport}"] = json.dumps(details)
        xcoms |= _xcoms(client, job)
    places["import errors"] = json.dumps(client.import_errors())
    places["audit log"] = json.dumps(_event_logs(client))

    rendered = [text for name, text in places.items() if name.startswith("task instance")]
    assert any('"where"' in text and '"bucket"' in text for text in rendered)  # rendered fields
    assert len(xcoms) >= 4  # the good job's plan, extracts and finalize
    assert any("progress" in text for name, text in places.items() if "state store" in name)
    _assert_no_secret(places | xcoms, secret_jobs, control=secret_jobs.bucket.name)


def _xcoms(client: AirflowClient, job: Job) -> dict[str, str]:
    """Every XCom of the job's run, each read whole, by task and map index."""
    run = _path("dags", job.transport, "dagRuns", job.run_id)
    entries = client.request("GET", f"{run}/taskInstances/~/xcomEntries", params={"limit": PAGE})
    found = {}
    for entry in entries["xcom_entries"]:
        task, key, map_index = entry["task_id"], entry["key"], entry["map_index"]
        path = f"{run}/taskInstances/{_path(task, 'xcomEntries', key)}"
        value = client.request("GET", path, params={"map_index": map_index})
        found[f"XCom {key} of {job.transport}/{task}[{map_index}]"] = json.dumps(value)
    return found


def _event_logs(client: AirflowClient) -> list[dict[str, Any]]:
    """Airflow's audit log (connections created, runs triggered...), every page."""
    found: list[dict[str, Any]] = []
    while True:
        params = {"limit": PAGE, "offset": len(found)}
        body = client.request("GET", "eventLogs", params=params)
        found.extend(body["event_logs"])
        if not body["event_logs"] or len(found) >= body["total_entries"]:
            return found


def test_no_secret_in_the_bucket(secret_jobs: SecretJobs) -> None:
    places = {}
    for blob in secret_jobs.bucket.list_blobs():
        data = blob.download_as_bytes()
        if blob.name.endswith(".gz"):
            data = gzip.decompress(data)
        places[f"gs://{blob.bucket.name}/{blob.name}"] = data.decode("utf-8", "replace")

    names = list(places)
    assert any("/_jobs/" in name for name in names)  # the good jobs' manifests
    # the good job's two tables, the good wallet job's one
    assert sum(name.endswith("/_manifest.json") for name in names) == 2 + 1
    assert any(name.endswith("_schema.bigquery.json") for name in names)
    assert any(name.endswith(".jsonl.gz") for name in names)
    _assert_no_secret(places, secret_jobs, control=secret_jobs.jobs["ok"].transport)


def test_no_secret_in_the_plugins_answers(secret_jobs: SecretJobs) -> None:
    api, places = secret_jobs.api, dict(secret_jobs.answers)
    listing = api.get("/transports")
    places["GET /transports"] = listing.text
    for job in secret_jobs.jobs.values():
        run = quote(job.run_id, safe="")
        for path in (
            f"/transports/{job.transport}",
            "/jobs",
            f"/jobs/{run}",
            f"/jobs/{run}/events",
        ):
            answer = api.get(path, params={"transport": job.transport})
            assert answer.status_code == 200, (path, answer.text)
            places[f"GET {path}?transport={job.transport}"] = answer.text

    invalid = {entry["file"]: entry for entry in listing.json()["invalid"]}
    pasted = invalid[f"secrets_pasted_{SUFFIX}.yaml"]  # listed, with its problems
    assert {problem["field"] for problem in pasted["problems"]} == {"password", "oracle_conn_id"}
    events = [text for name, text in places.items() if "/events?" in name]
    assert len(events) == len(secret_jobs.jobs) and all("event: end" in e for e in events)
    _assert_no_secret(places, secret_jobs, control=secret_jobs.oracle_conn_id)


def test_no_secret_in_any_log_file_of_the_stack(secret_jobs: SecretJobs) -> None:
    logs = secret_jobs.e2e.stack.logs
    places = {
        str(path.relative_to(logs)): path.read_bytes().decode("utf-8", "replace")
        for path in sorted(logs.rglob("*"))
        if path.is_file()
    }

    for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
        assert places.get(f"{component}.log"), f"{component}.log is missing or empty"
    for job in secret_jobs.jobs.values():
        assert any(f"dag_id={job.transport}" in name for name in places), job.transport
    # the refused transport file was reported (by file and field) where the DAG processor logs
    assert any(
        f"secrets_pasted_{SUFFIX}.yaml" in text and "holds no secrets" in text
        for text in places.values()
    )
    _assert_no_secret(places, secret_jobs, control=secret_jobs.oracle_user)
