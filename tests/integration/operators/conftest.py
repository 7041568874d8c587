"""Real Airflow for operator tests: a migrated SQLite metadata database, connections from
environment variables, and DAG files run with ``dag.test()`` (tasks run in this process with
the real task runner, so templating, XCom and the task state store are Airflow's own)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import storage

from oracle_emulator.process import EmulatorProcess
from oracle_etl_stack.gcs import GcsEmulator

ORACLE_CONN_ID = "oracle_test"
GCP_CONN_ID = "gcs_test"
ORACLE_PASSWORD = "demo"
_dag_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """``airflow db migrate`` once per session, in the session's own AIRFLOW_HOME."""
    home = Path(os.environ["AIRFLOW_HOME"])
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
        timeout=300,
    )
    return home


@pytest.fixture
def airflow_connections(
    oracle_emulator: EmulatorProcess,
    gcs_emulator: GcsEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oracle = {
        "conn_type": "oracle",
        "host": oracle_emulator.host,
        "port": oracle_emulator.port,
        "login": "demo",
        "password": ORACLE_PASSWORD,
        "extra": {"service_name": oracle_emulator.service_name},
    }
    gcp = {"conn_type": "google_cloud_platform", "extra": {"is_anonymous": True, "project": "p"}}
    monkeypatch.setenv(f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}", json.dumps(oracle))
    monkeypatch.setenv(f"AIRFLOW_CONN_{GCP_CONN_ID.upper()}", json.dumps(gcp))
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator.url)


class DagResult:
    """The outcome of one ``dag.test()``: run state, task states and return values."""

    def __init__(self, dag_id: str, dag_run: Any) -> None:
        from airflow.models.taskinstance import TaskInstance
        from airflow.utils.session import create_session

        self.dag_id = dag_id
        self.state = str(dag_run.state)
        self.run_id = dag_run.run_id
        with create_session() as session:
            tis = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=dag_run.run_id)
            self.tasks = {(ti.task_id, ti.map_index): (str(ti.state), ti.try_number) for ti in tis}

    def task_state(self, task_id: str, key: str, map_index: int = -1) -> Any:
        """A value the task left in its task state store (as the REST API serves it)."""
        from airflow.models.task_state_store import TaskStateStoreModel
        from airflow.utils.session import create_session

        with create_session() as session:
            row = (
                session.query(TaskStateStoreModel.value)
                .filter_by(dag_id=self.dag_id, run_id=self.run_id, task_id=task_id, key=key)
                .filter_by(map_index=map_index)
                .first()
            )
        return None if row is None else json.loads(row[0])

    def xcom(self, task_id: str, map_index: int = -1, key: str = "return_value") -> Any:
        from airflow.models.xcom import XComModel
        from airflow.utils.session import create_session

        query = XComModel.get_many(
            run_id=self.run_id,
            key=key,
            dag_ids=self.dag_id,
            task_ids=task_id,
            map_indexes=map_index,
        ).with_only_columns(XComModel.value)
        with create_session() as session:
            row = session.execute(query).first()
        return None if row is None else XComModel.deserialize_value(row)


@pytest.fixture
def run_dag(airflow_db: Path, airflow_connections: None) -> Iterator[Callable[[str], DagResult]]:
    """Write a DAG file into the dags folder, import it and run it with ``dag.test()``.

    The source gets ``DAG_ID``, ``ORACLE_CONN_ID``, ``GCP_CONN_ID`` and the operator imported;
    it must create ``dag``.
    """
    dags = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    written: list[Path] = []

    def run(body: str) -> DagResult:
        dag_id = f"test_dag_{os.getpid()}_{next(_dag_numbers)}"
        path = dags / f"{dag_id}.py"
        header = (
            "import datetime as dt\n"
            "from airflow.sdk import DAG\n"
            "from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator\n"
            f"DAG_ID = {dag_id!r}\nORACLE_CONN_ID = {ORACLE_CONN_ID!r}\n"
            f"GCP_CONN_ID = {GCP_CONN_ID!r}\n"
        )
        path.write_text(header + textwrap.dedent(body))
        written.append(path)
        spec = importlib.util.spec_from_file_location(dag_id, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        dag_run = module.dag.test()
        return DagResult(dag_id, dag_run)

    yield run
    for path in written:
        path.unlink(missing_ok=True)


class Code(str):
    """Python source given to :func:`extract_dag` as an argument, written as it is."""

    def __repr__(self) -> str:
        return str(self)


def extract_dag(
    bucket: str,
    *,
    operator: str = "OracleToGCSJsonlOperator",
    preamble: str = "",
    dag_arguments: str = "",
    **arguments: Any,
) -> str:
    """DAG source with one extraction task ``extract`` into ``bucket``; ``arguments`` are
    the operator's, written with ``repr`` (use :class:`Code` for expressions)."""
    rendered = "".join(f", {name}={value!r}" for name, value in arguments.items())
    return (
        f"{textwrap.dedent(preamble)}\n"
        "with DAG(DAG_ID, schedule=None, start_date=dt.datetime(2024, 1, 1)"
        f"{dag_arguments}) as dag:\n"
        f"    {operator}(task_id='extract', oracle_conn_id=ORACLE_CONN_ID,"
        f" gcp_conn_id=GCP_CONN_ID, bucket={bucket!r}{rendered})\n"
    )


def read_jsonl_parts(bucket: storage.Bucket, names: list[str]) -> list[dict[str, Any]]:
    """Every line of every part, in manifest order; fails on invalid gzip or JSON."""
    import gzip

    rows: list[dict[str, Any]] = []
    for name in names:
        data = gzip.decompress(bucket.blob(name).download_as_bytes())
        rows.extend(json.loads(line) for line in data.decode("utf-8").splitlines())
    return rows
