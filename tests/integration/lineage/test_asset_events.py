"""Asset events of committed tables, as real Airflow records them (``dag.test()`` runs each
task through the task runner and the execution API, which write ``AssetEvent`` rows):
one event per committed table of a transport through its alias, none for a table that
failed, and the stand-alone operators' events through an alias or onto a declared asset."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import parse_part_name
from airflow_oracle_etl.lineage.assets import table_asset_uri

from ..operators.conftest import (  # noqa: F401 (fixtures, by name)
    GCP_CONN_ID,
    ORACLE_CONN_ID,
    Code,
    DagResult,
    airflow_connections,
    airflow_db,
    extract_dag,
    run_dag,
)
from ..transports.conftest import read_json, run_transport, write_transport  # noqa: F401

OK = "success"
FAILED = "failed"
SKIPPED = "skipped"
EXTRA_KEYS = {"transport", "table", "run_id", "bucket", "manifest", "manifest_uri", "rows", "scn",
              "watermark_high", "parts"}  # fmt: skip

#: SALES_ORDER's predicate parses (the plan checks it) but fails when run: ORA-01722
ONE_FAILS = """
tables:
  - CUSTOMER
  - table: SALES_ORDER
    where: "TO_NUMBER('x') = 1"
  - table: SALES_LINE_ITEM
    partitions: 2
packing: {enabled: false}
"""

ALL_FAIL = """
tables:
  - table: SALES_ORDER
    where: "TO_NUMBER('x') = 1"
"""


def asset_events(result: DagResult) -> list[dict[str, Any]]:
    """The asset events Airflow recorded for the run, by table then task."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(AssetEvent).filter_by(
            source_dag_id=result.dag_id, source_run_id=result.run_id
        )
        events = [
            {
                "uri": event.asset.uri,
                "name": event.asset.name,
                "task": event.source_task_id,
                "aliases": sorted(alias.name for alias in event.source_aliases),
                "extra": dict(event.extra),
            }
            for event in rows
        ]
    return sorted(events, key=lambda e: (str(e["extra"].get("table")), str(e["task"])))


def events_of_uri(uri: str) -> int:
    """How many events the asset of ``uri`` has, from any run (0 when it was never made)."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        return session.query(AssetEvent).join(AssetModel, AssetEvent.asset_id == AssetModel.id)\
            .filter(AssetModel.uri == uri).count()  # fmt: skip


def test_each_committed_table_emits_one_event_through_the_transport_alias(
    write_transport: Callable[..., Path],  # noqa: F811 (the imported fixtures)
    run_transport: Callable[..., DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
) -> None:
    transport_id = f"assets_{os.getpid()}"
    result = run_transport(write_transport(transport_id))

    assert result.state == OK, result.tasks
    assert result.tasks[("report", -1)][0] == SKIPPED  # nothing failed: finalize skips it
    job = read_json(gcs_bucket, result.xcom("finalize")["job_manifest"])
    committed = {table["table"]: table for table in job["tables"]}
    events = asset_events(result)
    assert [event["extra"]["table"] for event in events] == sorted(committed)
    for event in events:
        table = event["extra"]["table"]
        uri = table_asset_uri(bucket=gcs_bucket.name, table=table, transport=transport_id,
                              prefix="exports")  # fmt: skip
        assert (event["uri"], event["name"]) == (uri, uri)
        assert event["task"] == "finalize"
        assert event["aliases"] == [f"oracle_etl:{transport_id}"]
        extra = event["extra"]
        assert set(extra) == EXTRA_KEYS
        manifest = read_json(gcs_bucket, extra["manifest"])
        assert extra["manifest"] == committed[table]["manifest"]
        assert extra["manifest_uri"] == f"gs://{gcs_bucket.name}/{extra['manifest']}"
        assert (extra["transport"], extra["run_id"], extra["bucket"]) == (
            transport_id, result.run_id, gcs_bucket.name)  # fmt: skip
        assert extra["rows"] == manifest["totals"]["rows"] == committed[table]["totals"]["rows"]
        assert extra["parts"] == manifest["totals"]["parts"] == len(manifest["parts"])
        assert extra["scn"] == manifest["scn"] is not None
        watermark = manifest["watermark"]
        assert extra["watermark_high"] == (None if watermark is None else watermark["high"])
    by_table = {event["extra"]["table"]: event["extra"] for event in events}
    assert by_table["DEMO.SALES_ORDER"]["watermark_high"] is not None  # incremental
    assert by_table["DEMO.CUSTOMER"]["watermark_high"] is None
    # the partitioned table: one event, for the table manifest finalize wrote over both
    line_items = read_json(gcs_bucket, by_table["DEMO.SALES_LINE_ITEM"]["manifest"])
    assert line_items["partition"] is None
    partitions = {parse_part_name(part["name"]).partition for part in line_items["parts"]}
    assert partitions == {0, 1}


def test_a_failed_table_emits_nothing_while_the_others_do_and_the_run_fails(
    write_transport: Callable[..., Path],  # noqa: F811
    run_transport: Callable[..., DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    transport_id = f"assets_fail_{os.getpid()}"
    result = run_transport(write_transport(transport_id, ONE_FAILS))

    assert result.state == FAILED
    assert result.tasks[("finalize", -1)][0] == OK  # it committed the others: their events
    assert result.tasks[("report", -1)][0] == FAILED
    events = asset_events(result)
    assert [e["extra"]["table"] for e in events] == ["DEMO.CUSTOMER", "DEMO.SALES_LINE_ITEM"]
    assert {e["task"] for e in events} == {"finalize"}
    failed_uri = table_asset_uri(bucket=gcs_bucket.name, table="DEMO.SALES_ORDER",
                                 transport=transport_id, prefix="exports")  # fmt: skip
    assert events_of_uri(failed_uri) == 0
    output = capfd.readouterr()
    log = output.out + output.err
    assert "TransportTablesFailedError" in log
    assert "1 of 3 table(s) were not committed (the others were)" in log
    assert 'Rerun only these with the run conf {"tables": ["DEMO.SALES_ORDER"]}' in log
    assert "ORA-01722" in log


def test_a_job_that_commits_nothing_emits_nothing(
    write_transport: Callable[..., Path],  # noqa: F811
    run_transport: Callable[..., DagResult],  # noqa: F811
) -> None:
    result = run_transport(write_transport(f"assets_none_{os.getpid()}", ALL_FAIL))

    assert result.state == FAILED
    assert result.tasks[("extract", 0)][0] == FAILED
    assert result.tasks[("report", -1)][0] == "upstream_failed"
    assert asset_events(result) == []


def test_the_operator_announces_a_whole_table_through_an_alias(
    run_dag: Callable[[str], DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            preamble="from airflow.sdk import AssetAlias",
            table="DEMO.CUSTOMER",
            prefix="landing",
            outlets=Code("[AssetAlias('oracle_customers')]"),
        )
    )

    assert result.state == OK, result.tasks
    summary = result.xcom("extract")
    uri = table_asset_uri(bucket=gcs_bucket.name, table="DEMO.CUSTOMER",
                          transport=result.dag_id, prefix="landing")  # fmt: skip
    [event] = asset_events(result)
    assert (event["uri"], event["task"], event["aliases"]) == (uri, "extract",
                                                               ["oracle_customers"])  # fmt: skip
    assert event["extra"]["manifest"] == summary["manifest"]
    assert (event["extra"]["rows"], event["extra"]["parts"]) == (summary["rows"], summary["parts"])
    assert event["extra"]["transport"] == result.dag_id  # a stand-alone task's transport


def test_the_operator_gives_its_extra_to_the_declared_table_asset(
    run_dag: Callable[[str], DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            preamble="from airflow_oracle_etl.lineage.assets import table_asset",
            table="DEMO.CUSTOMER",
            outlets=Code(
                f"[table_asset(bucket={gcs_bucket.name!r}, table='DEMO.CUSTOMER', "
                "transport=DAG_ID)]"
            ),
        )
    )

    assert result.state == OK, result.tasks
    summary = result.xcom("extract")
    [event] = asset_events(result)
    assert event["uri"] == f"gs://{gcs_bucket.name}/{result.dag_id}/DEMO.CUSTOMER"
    assert event["aliases"] == []
    assert set(event["extra"]) == EXTRA_KEYS
    assert event["extra"]["manifest"] == summary["manifest"]
    assert event["extra"]["rows"] == summary["rows"]


def test_a_failed_operator_emits_nothing_for_its_declared_asset(
    run_dag: Callable[[str], DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            preamble="from airflow_oracle_etl.lineage.assets import table_asset",
            table="DEMO.NO_SUCH_TABLE",
            outlets=Code(
                f"[table_asset(bucket={gcs_bucket.name!r}, table='DEMO.NO_SUCH_TABLE', "
                "transport=DAG_ID)]"
            ),
        )
    )

    assert result.state == FAILED
    assert asset_events(result) == []


PARTITIONED = """
from airflow_oracle_etl.lineage.assets import table_asset
from airflow_oracle_etl.operators.commit import OracleTableCommitOperator
from airflow_oracle_etl.operators.plan import OracleExtractPlanOperator

COMMON = dict(oracle_conn_id=ORACLE_CONN_ID, gcp_conn_id=GCP_CONN_ID, bucket={bucket!r},
              transport="big")

with DAG(DAG_ID, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
    plan = OracleExtractPlanOperator(task_id="plan", table="DEMO.SALES_LINE_ITEM",
                                     partitions=2, **COMMON)
    extract = OracleToGCSJsonlOperator.partial(
        task_id="extract", table="DEMO.SALES_LINE_ITEM", **COMMON
    ).expand_kwargs(plan.output)
    OracleTableCommitOperator(
        task_id="commit", summaries=extract.output, bucket={bucket!r}, gcp_conn_id=GCP_CONN_ID,
        transport="big",
        outlets=[table_asset(bucket={bucket!r}, table="DEMO.SALES_LINE_ITEM", transport="big")],
    )
"""


def test_a_partitioned_table_is_announced_once_by_its_commit_task(
    run_dag: Callable[[str], DagResult],  # noqa: F811
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(PARTITIONED.format(bucket=gcs_bucket.name))

    assert result.state == OK, result.tasks
    committed = result.xcom("commit")
    [event] = asset_events(result)
    assert event["task"] == "commit"
    assert event["uri"] == f"gs://{gcs_bucket.name}/big/DEMO.SALES_LINE_ITEM"
    assert event["extra"]["manifest"] == committed["manifest"]
    assert (event["extra"]["rows"], event["extra"]["parts"], event["extra"]["scn"]) == (
        committed["rows"], committed["parts"], committed["scn"])  # fmt: skip
    assert read_json(gcs_bucket, committed["manifest"])["partition"] is None
