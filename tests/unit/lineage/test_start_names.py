"""What the operators report before they run: names only, from their arguments and the
Airflow connection, with nothing asked of Oracle or GCS (both unreachable here: a try to
reach either would fail the names, which the lineage then leaves out)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.sdk.execution_time.context import set_current_context

from airflow_oracle_etl.gcs.naming import TableLayout
from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator
from airflow_oracle_etl.transports.extract import TransportExtractOperator

RUN_ID = "scheduled__2024-05-01T00:00:00+00:00"
CONN_ID = "lineage_unreachable"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """An Oracle connection to a closed port, a GCS emulator address nothing listens on, and
    the running task's context."""
    port = _closed_port()
    connection = {
        "conn_type": "oracle",
        "host": "127.0.0.1",
        "port": port,
        "login": "etl",
        "password": "pw-Lineage-9",
        "extra": {"service_name": "SALESPDB", "connect_retries": 0},
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{_closed_port()}")
    with set_current_context({"run_id": RUN_ID}):  # type: ignore[typeddict-item]
        yield {"namespace": f"oracle://127.0.0.1:{port}"}


def _run_path(table: str, transport: str) -> str:
    return TableLayout("exports", transport, table, RUN_ID).run_prefix.rstrip("/")


def test_a_table_operator_names_its_table_and_run_path_before_it_runs(
    unreachable: dict[str, Any],
) -> None:
    operator = OracleToGCSJsonlOperator(
        task_id="extract",
        oracle_conn_id=CONN_ID,
        bucket="sales-bucket",
        prefix="exports",
        transport="daily",
        table="SALES_ORDER",
        table_owner="app",
    )

    lineage = operator.get_openlineage_facets_on_start()

    assert lineage is not None
    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        (unreachable["namespace"], "SALESPDB.APP.SALES_ORDER")
    ]
    assert [(d.namespace, d.name) for d in lineage.outputs] == [
        ("gs://sales-bucket", _run_path("APP.SALES_ORDER", "daily"))
    ]
    assert all(not d.facets for d in lineage.inputs + lineage.outputs)


def test_a_table_whose_owner_only_the_session_knows_has_no_names_before_it_runs(
    unreachable: dict[str, Any],
) -> None:
    operator = OracleToGCSJsonlOperator(
        task_id="extract", oracle_conn_id=CONN_ID, bucket="b", table="SALES_ORDER"
    )

    lineage = operator.get_openlineage_facets_on_start()

    assert lineage is not None
    assert (lineage.inputs, lineage.outputs) == ([], [])


def test_a_packed_task_names_every_table_before_it_runs(unreachable: dict[str, Any]) -> None:
    reads = [
        {"table": '"APP"."CUSTOMER"', "label": "APP.CUSTOMER"},
        {"table": '"APP"."Mixed Case"', "label": "APP.Mixed Case"},
    ]
    operator = TransportExtractOperator(
        task_id="extract",
        oracle_conn_id=CONN_ID,
        reads=reads,
        transport="daily",
        bucket="sales-bucket",
        prefix="exports",
    )

    lineage = operator.get_openlineage_facets_on_start()

    assert lineage is not None
    assert [d.name for d in lineage.inputs] == [
        "SALESPDB.APP.CUSTOMER",
        "SALESPDB.APP.Mixed Case",
    ]
    assert [d.name for d in lineage.outputs] == [
        _run_path("APP.CUSTOMER", "daily"),
        _run_path("APP.Mixed Case", "daily"),
    ]
    # nothing was committed: the complete and failure methods report no dataset
    for done in (
        operator.get_openlineage_facets_on_complete(None),
        operator.get_openlineage_facets_on_failure(None),
    ):
        assert done is not None
        assert (done.inputs, done.outputs) == ([], [])
