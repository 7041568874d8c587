"""Secrets never leave their connections: jobs that succeed and jobs that fail, on the real
Airflow stack, then a search for every secret in everything Airflow, the plugin and the bucket
show afterwards.

The secrets are unique random strings, so any occurrence is a leak:

- the Oracle password of a user created for this module in the emulator (which checks it),
  in a connection that also carries a ``wallet_password`` extra (thin mode over TCP ignores a
  wallet password without a wallet; the job succeeds with it);
- a wrong password, in a second connection for the same user (ORA-01017);
- the private key of a service-account key (``keyfile_dict``) in a GCP connection whose token
  endpoint refuses it (the extract task fails to authenticate);
- a password pasted into a transport file and into a ``POST /oracle-etl/transports`` body,
  both refused.

The connections are created through the REST API (``POST /api/v2/connections``), so task
processes get them from the metadata database as in production. Four jobs run through the
plugin's ``execute`` route: one succeeds, one fails on the logon, one on the GCS key, one on a
missing table. Then every place a reader can see is searched: task logs (the REST logs endpoint
and the files), XComs, rendered template fields and task-instance details, progress in the
task state store, dag runs and DAG details, import errors, the audit log, the plugin's
answers, every object in the bucket (parts decompressed), and every log file of the stack
(api-server, scheduler, dag-processor, triggerer). Each search also asserts that what it
searched is there, so it cannot pass on nothing.

Airflow redacts connection secrets in task logs, but not everywhere: under LocalExecutor the
scheduler's own log repeats each task's output unredacted (a task printing or raising a
connection's password puts it there in clear). So the log-file search is the strict witness
that the provider's code never puts a secret into a message, whatever Airflow would mask.
"""

from __future__ import annotations

import contextlib
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
SUFFIX = secrets.token_hex(3)


@dataclass(frozen=True)
class Secrets:
    """The secret values of this module, each unique to this run."""

    oracle_password: str
    wrong_password: str
    wallet_password: str
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
            "password pasted into a transport": self.pasted_password,
            **{f"GCP private key (line {i})": line for i, line in enumerate(key_lines)},
        }


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
    oracle_user: str
    oracle_conn_id: str
    wrong_conn_id: str
    gcp_key_conn_id: str
    jobs: dict[str, Job] = field(default_factory=dict)
    #: plugin answers received while setting up (execute, a refused POST), by description
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def client(self) -> AirflowClient:
        return self.e2e.client


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
def oracle_user(oracle_emulator: EmulatorProcess, secret_values: Secrets) -> Iterator[str]:
    """A user of the emulator whose password is the secret (the emulator checks it at logon;
    every user may read the DEMO tables there)."""
    name = f"ETL_{SUFFIX.upper()}"
    with oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn) as admin:
        admin.cursor().execute(
            f'CREATE USER {name} IDENTIFIED BY "{secret_values.oracle_password}"'
        )
    yield name
    with oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn) as admin:
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
    gcs_emulator: GcsEmulator,
    bucket: storage.Bucket,
    oracle_user: str,
    secret_values: Secrets,
) -> Iterator[SecretJobs]:
    """Connections with the secrets, four jobs run to their end, and two refused inputs."""
    client = airflow_stack.client
    found = SecretJobs(
        e2e=airflow_stack,
        api=plugin_api,
        bucket=bucket,
        secrets=secret_values,
        oracle_user=oracle_user,
        oracle_conn_id=f"secret_oracle_{SUFFIX}",
        wrong_conn_id=f"secret_oracle_wrong_{SUFFIX}",
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
    table, so XComs carry partition predicates and watermarks), one on the wrong password,
    one on the refused GCP key, one over a missing table."""
    destination = {"gcp_conn_id": GCP_CONN_ID, "bucket": found.bucket.name, "prefix": "secrets"}
    key_destination = {**destination, "gcp_conn_id": found.gcp_key_conn_id}
    ok_tables = [
        {"table": "DEMO.CUSTOMER", "partitions": 2},
        {"table": "DEMO.SALES_ORDER", "incremental": {"column": "UPDATED_AT"}},
    ]
    jobs = {
        "ok": (ok_tables, found.oracle_conn_id, destination),
        "wrong_password": (["DEMO.CUSTOMER"], found.wrong_conn_id, destination),
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
    assert _leaks(places, found.secrets.needles()) == []


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
        "wrong_password": "failed",
        "bad_key": "failed",
        "missing_table": "failed",
    }
    refused = _task_log_text(secret_jobs, "wrong_password", "plan")
    assert "ORA-01017" in refused
    assert secret_jobs.wrong_conn_id in refused and secret_jobs.oracle_user in refused
    assert "RefreshError" in _task_log_text(secret_jobs, "bad_key", "extract", map_index=0)
    assert "DEMO.NO_SUCH_TABLE" in _task_log_text(secret_jobs, "missing_table", "plan")


def test_no_secret_in_task_logs_over_rest(secret_jobs: SecretJobs) -> None:
    logs = _rest_logs(secret_jobs)

    # plan, extract (2 partitions of CUSTOMER, SALES_ORDER) and finalize of the good job,
    # and at least the failed task of each failed one
    assert len(logs) >= 5 + 3
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
    assert any("/_jobs/" in name for name in names)  # the good job's manifest
    assert sum(name.endswith("/_manifest.json") for name in names) == 2
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
