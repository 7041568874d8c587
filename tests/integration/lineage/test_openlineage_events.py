"""OpenLineage events of real DAG runs (Airflow's listener, the Oracle and GCS emulators):
the names Airflow's OracleHook gives the tables, the run paths the objects are under, and
facets that say what the manifests and the data dictionary say."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import oracledb
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import TableLayout
from oracle_emulator.process import EmulatorProcess

from ..operators.conftest import (
    GCP_CONN_ID,
    ORACLE_CONN_ID,
    ORACLE_PASSWORD,
    Code,
    extract_dag,
)
from ..transports.conftest import (
    FAILS_ONCE_IN_THE_SECOND_TABLE,
    ONE_FAILS,
    packed_read,
    read_json,
    transport_yaml,
)
from .conftest import LineageRun

OK = "success"
FAILED = "failed"
START, COMPLETE, FAIL = "START", "COMPLETE", "FAIL"
READ_FACET = "oracleEtl_read"

PACKED = """
tables:
  - CUSTOMER
  - table: SALES_ORDER
    incremental:
      column: UPDATED_AT
  - ALL_TYPES
  - table: SALES_LINE_ITEM
    partitions: 2
packing: {groups: 1}
"""


def _header(dag_id: str) -> str:
    return (
        "import datetime as dt\n"
        "from airflow.sdk import DAG\n"
        "from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator\n"
        f"DAG_ID = {dag_id!r}\nORACLE_CONN_ID = {ORACLE_CONN_ID!r}\n"
        f"GCP_CONN_ID = {GCP_CONN_ID!r}\n"
    )


def _transport_source(path: Path) -> str:
    return (
        "from airflow_oracle_etl.transports import load_transport\n"
        "from airflow_oracle_etl.transports.factory import build_dag\n"
        f"dag = build_dag(load_transport({str(path)!r}))\n"
    )


def _namespace(emulator: EmulatorProcess) -> str:
    return f"oracle://{emulator.host}:{emulator.port}"


def _input_name(emulator: EmulatorProcess, table: str) -> str:
    return f"{emulator.service_name}.{table}"


def _run_path(prefix: str, transport: str, table: str, run_id: str) -> str:
    return TableLayout(prefix, transport, table, run_id).run_prefix.rstrip("/")


def _by_name(datasets: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {dataset["name"]: dataset for dataset in datasets}


def _dictionary_types(connect: Callable[..., oracledb.Connection], table: str) -> list[tuple]:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.COLUMN_NAME, c.DATA_TYPE, m.COMMENTS FROM ALL_TAB_COLUMNS c"
            " LEFT JOIN ALL_COL_COMMENTS m ON m.OWNER = c.OWNER AND m.TABLE_NAME = c.TABLE_NAME"
            " AND m.COLUMN_NAME = c.COLUMN_NAME"
            " WHERE c.OWNER = 'DEMO' AND c.TABLE_NAME = :t ORDER BY c.COLUMN_ID",
            t=table,
        )
        return [tuple(row) for row in cursor.fetchall()]


def _datasets_json(event: dict[str, Any]) -> str:
    return json.dumps({"inputs": event["inputs"], "outputs": event["outputs"]}, sort_keys=True)


def _assert_no_secrets(run: LineageRun) -> None:
    """Neither the password nor the login (both ``demo``; the owner is ``DEMO``) is in any
    dataset or job facet, nor a URI with credentials anywhere in an event."""
    assert run.events
    for event in run.events:
        datasets = _datasets_json(event) + json.dumps(event["job"].get("facets", {}).get("sql"))
        assert ORACLE_PASSWORD not in datasets, datasets[:2000]
        assert f"{ORACLE_PASSWORD}@" not in json.dumps(event)


def test_a_table_read_alone_names_its_table_and_run_path_and_says_what_it_wrote(
    run_with_lineage: Callable[[str, str], LineageRun],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    dag_id = f"lineage_alone_{os.getpid()}"
    source = _header(dag_id) + extract_dag(gcs_bucket.name, table="DEMO.CUSTOMER", prefix="exports")
    run = run_with_lineage(dag_id, source)

    assert run.result.state == OK, run.result.tasks
    summary = run.result.xcom("extract")
    run_path = _run_path("exports", dag_id, "DEMO.CUSTOMER", run.result.run_id)
    namespace = _namespace(oracle_emulator)
    customer = _input_name(oracle_emulator, "DEMO.CUSTOMER")

    (start,) = run.task_events("extract", START)
    assert [(d["namespace"], d["name"]) for d in start["inputs"]] == [(namespace, customer)]
    assert [(d["namespace"], d["name"]) for d in start["outputs"]] == [
        (f"gs://{gcs_bucket.name}", run_path)
    ]
    assert not start["inputs"][0].get("facets")  # by name only
    assert not start["outputs"][0].get("facets")

    (complete,) = run.task_events("extract", COMPLETE)
    (source_ds,) = complete["inputs"]
    (output,) = complete["outputs"]
    assert (source_ds["namespace"], source_ds["name"]) == (namespace, customer)
    dictionary = _dictionary_types(oracle_connect, "CUSTOMER")
    assert [
        (f["name"], f["type"], f.get("description"))
        for f in source_ds["facets"]["schema"]["fields"]
    ] == dictionary
    assert ("CREDIT_LIMIT", "NUMBER", "Credit limit in EUR") in dictionary
    read = source_ds["inputFacets"][READ_FACET]
    assert read["scn"] == summary["scn"]
    assert "window" not in read and "partition" not in read
    assert read["_schemaURL"].endswith("OracleEtlReadFacet.json#/$defs/OracleEtlReadFacet")

    assert (output["namespace"], output["name"]) == (f"gs://{gcs_bucket.name}", run_path)
    bigquery = read_json(gcs_bucket, f"{run_path}/_schema.bigquery.json")
    assert [(f["name"], f["type"]) for f in output["facets"]["schema"]["fields"]] == [
        (f["name"], f["type"]) for f in bigquery
    ]
    manifest = read_json(gcs_bucket, summary["manifest"])
    assert output["outputFacets"]["outputStatistics"] | {"_producer": "", "_schemaURL": ""} == {
        "rowCount": manifest["totals"]["rows"],
        "size": manifest["totals"]["compressed_bytes"],
        "fileCount": manifest["totals"]["parts"],
        "_producer": "",
        "_schemaURL": "",
    }
    assert manifest["totals"]["rows"] > 0
    lineage = output["facets"]["columnLineage"]["fields"]
    assert sorted(lineage) == sorted(f["name"] for f in bigquery)
    assert lineage["CREDIT_LIMIT"]["inputFields"] == [
        {
            "namespace": namespace,
            "name": customer,
            "field": "CREDIT_LIMIT",
            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
        }
    ]
    assert output["facets"]["symlinks"]["identifiers"] == [
        {
            "namespace": f"gs://{gcs_bucket.name}",
            "name": f"exports/{dag_id}/DEMO.CUSTOMER",
            "type": "TABLE",
        }
    ]
    _assert_no_secrets(run)


def test_a_query_reports_its_sql_and_the_tables_it_names_and_a_bad_parse_reports_none(
    run_with_lineage: Callable[[str, str], LineageRun],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
) -> None:
    dag_id = f"lineage_sql_{os.getpid()}"
    query = (
        "SELECT o.ORDER_ID, c.NAME FROM Demo.Sales_Order o"
        " JOIN DEMO.CUSTOMER c ON c.CUSTOMER_ID = o.CUSTOMER_ID"
    )
    # an Oracle outer join (+): the database runs it, the lineage parser cannot read it
    odd = (
        "SELECT c.CUSTOMER_ID FROM DEMO.CUSTOMER c, DEMO.SALES_ORDER o"
        " WHERE o.CUSTOMER_ID(+) = c.CUSTOMER_ID AND c.CUSTOMER_ID <= 5"
    )
    source = (
        _header(dag_id)
        + extract_dag(gcs_bucket.name, sql=query, name="orders_named", prefix="q")
        + "    OracleToGCSJsonlOperator(task_id='odd', oracle_conn_id=ORACLE_CONN_ID,"
        f" gcp_conn_id=GCP_CONN_ID, bucket={gcs_bucket.name!r}, sql={odd!r}, name='odd')\n"
    )
    run = run_with_lineage(dag_id, source)

    assert run.result.state == OK, run.result.tasks
    expected_inputs = [
        (_namespace(oracle_emulator), _input_name(oracle_emulator, "DEMO.CUSTOMER")),
        (_namespace(oracle_emulator), _input_name(oracle_emulator, "DEMO.SALES_ORDER")),
    ]
    for event_type in (START, COMPLETE):
        (event,) = run.task_events("extract", event_type)
        assert event["job"]["facets"]["sql"]["query"] == query
        assert [(d["namespace"], d["name"]) for d in event["inputs"]] == expected_inputs
        assert [d["name"] for d in event["outputs"]] == [
            _run_path("q", dag_id, "orders_named", run.result.run_id)
        ]
    (complete,) = run.task_events("extract", COMPLETE)
    output = complete["outputs"][0]
    assert [f["name"] for f in output["facets"]["schema"]["fields"]] == ["ORDER_ID", "NAME"]
    assert "columnLineage" not in output["facets"]
    assert (
        output["outputFacets"]["outputStatistics"]["rowCount"]
        == (run.result.xcom("extract")["rows"])
    )
    (odd_complete,) = run.task_events("odd", COMPLETE)
    assert odd_complete["job"]["facets"]["sql"]["query"] == odd
    assert odd_complete["inputs"] == []
    assert [d["name"] for d in odd_complete["outputs"]] == [
        _run_path("", dag_id, "odd", run.result.run_id)
    ]
    _assert_no_secrets(run)


def test_a_packed_task_reports_one_dataset_pair_per_table_and_partitions_their_own(
    run_with_lineage: Callable[[str, str], LineageRun],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    tmp_path: Path,
) -> None:
    transport_id = f"lineage_packed_{os.getpid()}"
    path = tmp_path / f"{transport_id}.yaml"
    path.write_text(transport_yaml(transport_id, gcs_bucket.name, PACKED))
    run = run_with_lineage(transport_id, _transport_source(path))

    assert run.result.state == OK, run.result.tasks
    gs = f"gs://{gcs_bucket.name}"
    run_id = run.result.run_id
    packed = ["DEMO.ALL_TYPES", "DEMO.CUSTOMER", "DEMO.SALES_ORDER"]
    completes = run.task_events("extract", COMPLETE)
    assert len(completes) == 3  # the packed task and the two partitions
    by_outputs = {tuple(sorted(d["name"] for d in event["outputs"])): event for event in completes}
    packed_paths = tuple(sorted(_run_path("exports", transport_id, t, run_id) for t in packed))
    event = by_outputs[packed_paths]
    print("COMPLETE datasets of the packed task:\n" + _datasets_json(event))
    inputs = _by_name(event["inputs"])
    assert sorted(inputs) == [_input_name(oracle_emulator, t) for t in packed]
    assert {d["namespace"] for d in event["inputs"]} == {_namespace(oracle_emulator)}
    assert {d["namespace"] for d in event["outputs"]} == {gs}
    summaries = {s["table"]: s for s in run.result.xcom("extract", 0, key="tables")}
    outputs = _by_name(event["outputs"])
    for table in packed:
        summary = summaries[table]
        source = inputs[_input_name(oracle_emulator, table)]
        assert source["inputFacets"][READ_FACET]["scn"] == summary["scn"]
        assert source["facets"]["schema"]["fields"]
        output = outputs[_run_path("exports", transport_id, table, run_id)]
        assert output["outputFacets"]["outputStatistics"]["rowCount"] == summary["rows"]
        assert output["outputFacets"]["outputStatistics"]["size"] == summary["compressed_bytes"]
        assert output["outputFacets"]["outputStatistics"]["fileCount"] == summary["parts"]
        assert output["facets"]["symlinks"]["identifiers"][0]["name"] == (
            f"exports/{transport_id}/{table}"
        )
        column_sources = {
            field["name"]
            for fields in output["facets"]["columnLineage"]["fields"].values()
            for field in fields["inputFields"]
        }
        assert column_sources == {_input_name(oracle_emulator, table)}
    window = inputs[_input_name(oracle_emulator, "DEMO.SALES_ORDER")]["inputFacets"][READ_FACET]
    assert window["window"]["column"] == "UPDATED_AT"
    assert window["window"]["high"] == summaries["DEMO.SALES_ORDER"]["watermark"]["high"]
    assert window["window"]["fullRefresh"] is False

    line_items = _run_path("exports", transport_id, "DEMO.SALES_LINE_ITEM", run_id)
    partitions = [e for e in completes if [d["name"] for d in e["outputs"]] == [line_items]]
    assert len(partitions) == 2
    seen = []
    for partition_event in partitions:
        (source,) = partition_event["inputs"]
        assert source["name"] == _input_name(oracle_emulator, "DEMO.SALES_LINE_ITEM")
        facet = source["inputFacets"][READ_FACET]["partition"]
        seen.append(facet["index"])
        assert facet["count"] == 2
        manifest = read_json(gcs_bucket, f"{line_items}/_manifest.p{facet['index']:04d}.json")
        stats = partition_event["outputs"][0]["outputFacets"]["outputStatistics"]
        assert (stats["rowCount"], stats["size"], stats["fileCount"]) == (
            manifest["totals"]["rows"],
            manifest["totals"]["compressed_bytes"],
            manifest["totals"]["parts"],
        )
    assert sorted(seen) == [0, 1]
    _assert_no_secrets(run)


def test_a_failed_packed_task_reports_the_tables_it_committed_and_nothing_of_the_others(
    run_with_lineage: Callable[[str, str], LineageRun],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
    tmp_path: Path,
) -> None:
    transport_id = f"lineage_fails_{os.getpid()}"
    path = tmp_path / f"{transport_id}.yaml"
    path.write_text(transport_yaml(transport_id, gcs_bucket.name, ONE_FAILS))
    run = run_with_lineage(transport_id, _transport_source(path))

    assert run.result.state == FAILED
    (start,) = run.task_events("extract", START)
    assert sorted(d["name"] for d in start["inputs"]) == [
        _input_name(oracle_emulator, t) for t in ("DEMO.ALL_TYPES", "DEMO.CUSTOMER",
                                                  "DEMO.SALES_ORDER")
    ]  # fmt: skip
    (failed,) = run.task_events("extract", FAIL)
    assert sorted(d["name"] for d in failed["inputs"]) == [
        _input_name(oracle_emulator, t) for t in ("DEMO.ALL_TYPES", "DEMO.CUSTOMER")
    ]
    assert sorted(d["name"] for d in failed["outputs"]) == [
        _run_path("exports", transport_id, t, run.result.run_id)
        for t in ("DEMO.ALL_TYPES", "DEMO.CUSTOMER")
    ]
    assert all(d["outputFacets"]["outputStatistics"]["rowCount"] > 0 for d in failed["outputs"])


def test_a_retry_reports_the_tables_an_earlier_try_committed_from_their_summaries(
    run_with_lineage: Callable[[str, str], LineageRun],
    gcs_bucket: storage.Bucket,
    oracle_emulator: EmulatorProcess,
) -> None:
    dag_id = f"lineage_retry_{os.getpid()}"
    tables = ["DEMO.CUSTOMER", "DEMO.SALES_ORDER", "DEMO.ALL_TYPES"]
    source = _header(dag_id) + extract_dag(
        gcs_bucket.name,
        operator="Packed",
        preamble=FAILS_ONCE_IN_THE_SECOND_TABLE,
        transport="lineage_retry",
        reads=[packed_read(table) for table in tables],
        retries=1,
        retry_delay=Code("dt.timedelta(0)"),
    )
    run = run_with_lineage(dag_id, source)

    assert run.result.state == OK, run.result.tasks
    (failed,) = run.task_events("extract", FAIL)
    assert sorted(d["name"] for d in failed["inputs"]) == [
        _input_name(oracle_emulator, t) for t in ("DEMO.ALL_TYPES", "DEMO.CUSTOMER")
    ]
    (complete,) = run.task_events("extract", COMPLETE)
    inputs = _by_name(complete["inputs"])
    assert sorted(inputs) == sorted(_input_name(oracle_emulator, t) for t in tables)
    summaries = {s["table"]: s for s in run.result.xcom("extract", key="tables")}
    for table in tables:
        source_ds = inputs[_input_name(oracle_emulator, table)]
        assert source_ds["inputFacets"][READ_FACET]["scn"] == summaries[table]["scn"]
        # only the table read by this try has a schema: the others come from summaries
        assert ("schema" in source_ds.get("facets", {})) == (table == "DEMO.SALES_ORDER")
    outputs = _by_name(complete["outputs"])
    for table in tables:
        output = outputs[_run_path("", "lineage_retry", table, run.result.run_id)]
        stats = output["outputFacets"]["outputStatistics"]
        assert (stats["rowCount"], stats["size"], stats["fileCount"]) == (
            summaries[table]["rows"],
            summaries[table]["compressed_bytes"],
            summaries[table]["parts"],
        )
