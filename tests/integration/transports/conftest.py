"""Transport DAGs in real Airflow: the operator tests' Airflow database and connections, and
transport files written per test."""

from __future__ import annotations

import importlib.util
import json
import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import storage

from tests.integration.operators.conftest import (  # noqa: F401 (fixtures, by name)
    GCP_CONN_ID,
    ORACLE_CONN_ID,
    DagResult,
    airflow_connections,
    airflow_db,
    run_dag,
)

DEMO_TABLES = """
tables:
  - table: SALES_ORDER
    incremental:
      column: UPDATED_AT
  - table: SALES_LINE_ITEM
    partitions: 2
  - CUSTOMER
"""


def transport_yaml(transport_id: str, bucket: str, tables: str = DEMO_TABLES) -> str:
    """A transport over the emulator's DEMO tables into ``bucket``, through the test
    connections."""
    return (
        f"id: {transport_id}\n"
        f"name: Test {transport_id}\n"
        "description: The demo transport, in a test.\n"
        f"oracle_conn_id: {ORACLE_CONN_ID}\n"
        "destination:\n"
        f"  gcp_conn_id: {GCP_CONN_ID}\n"
        f"  bucket: {bucket}\n"
        "  prefix: exports\n"
        "parallel_tables: 2\n"
        "retries: 0\n"
        "tags: [test]\n" + textwrap.dedent(tables)
    )


@pytest.fixture
def write_transport(tmp_path: Path, gcs_bucket: storage.Bucket) -> Callable[..., Path]:
    """Write a transport file (the demo tables unless ``tables`` is given) into a folder of
    the test's own; returns its path."""
    folder = tmp_path / "transports"
    folder.mkdir()

    def write(transport_id: str, tables: str = DEMO_TABLES) -> Path:
        path = folder / f"{transport_id}.yaml"
        path.write_text(transport_yaml(transport_id, gcs_bucket.name, tables))
        return path

    return write


@pytest.fixture
def run_transport(
    airflow_db: Path,  # noqa: F811 (the imported fixtures)
    airflow_connections: None,  # noqa: F811
) -> Iterator[Callable[..., DagResult]]:
    """Run the DAG of a transport file with ``dag.test()``, from a DAG file in the dags
    folder that builds it (``dag.test`` parses the folder to serialise the DAG)."""
    dags = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    written: list[Path] = []

    def run(path: Path, conf: dict[str, Any] | None = None) -> DagResult:
        module_name = f"transport_{path.stem}"
        dag_file = dags / f"{module_name}.py"
        dag_file.write_text(
            "from airflow_oracle_etl.transports import load_transport\n"
            "from airflow_oracle_etl.transports.factory import build_dag\n"
            f"dag = build_dag(load_transport({str(path)!r}))\n"
        )
        written.append(dag_file)
        spec = importlib.util.spec_from_file_location(module_name, dag_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        dag_run = module.dag.test(run_conf=conf)
        return DagResult(module.dag.dag_id, dag_run)

    yield run
    for dag_file in written:
        dag_file.unlink(missing_ok=True)


def read_json(bucket: storage.Bucket, name: str) -> dict[str, Any]:
    """A JSON object the job wrote (a manifest)."""
    return json.loads(bucket.blob(name).download_as_bytes())


def extract_labels(result: DagResult) -> list[str]:
    """The labels the run's mapped extract tasks rendered, sorted."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance.rendered_map_index).filter_by(
            dag_id=result.dag_id, run_id=result.run_id, task_id="extract"
        )
        return sorted(row[0] for row in rows)


#: a packed task's preamble: try 1 fails in its table DEMO.SALES_ORDER, after the tables
#: before it were committed; the retry succeeds
FAILS_ONCE_IN_THE_SECOND_TABLE = """
    from airflow_oracle_etl.extraction import TableExtraction
    from airflow_oracle_etl.transports.extract import TransportExtractOperator

    class FailsOnce(TableExtraction):
        def run(self, plan, **kwargs):
            if kwargs["try_number"] == 1 and plan.label == "DEMO.SALES_ORDER":
                raise RuntimeError("simulated failure in the second table")
            return super().run(plan, **kwargs)

    class Packed(TransportExtractOperator):
        extraction_class = FailsOnce
"""


def packed_read(table: str) -> dict[str, Any]:
    """A read of a packed extract task, as the plan gives it, for ``OWNER.TABLE``."""
    owner, name = table.split(".")
    return {"table": f'"{owner}"."{name}"', "label": table, "checkpoint": True}


#: SALES_ORDER's predicate parses (the plan checks it) but fails when run: ORA-01722
ONE_FAILS = """
tables:
  - CUSTOMER
  - table: SALES_ORDER
    where: "TO_NUMBER('x') = 1"
  - ALL_TYPES
packing: {groups: 1}
"""
