"""Asset URIs and event extras of committed tables, and how they reach Airflow's outlet
events (the task runner's own accessors, as a task's context holds them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from airflow.sdk import Asset, AssetAlias
from airflow.sdk.execution_time.context import OutletEventAccessors

from airflow_oracle_etl.gcs.manifest import TableManifest, Totals, WatermarkRange
from airflow_oracle_etl.gcs.naming import TableLayout
from airflow_oracle_etl.lineage.assets import (
    TableCommit,
    announce_commits,
    announce_summary,
    table_asset,
    table_asset_uri,
    transport_alias,
)

RUN_ID = "manual__2026-01-01T00:00:00+00:00"
EXTRA_KEYS = {"transport", "table", "run_id", "bucket", "manifest", "manifest_uri", "rows", "scn",
              "watermark_high", "parts"}  # fmt: skip


def _summary(**changes: Any) -> dict[str, Any]:
    """What an extract task returns for a table read whole (extraction.table_summary)."""
    layout = TableLayout("exports", "sales", "DEMO.SALES_ORDER", RUN_ID)
    return {
        "bucket": "landing",
        "table": "DEMO.SALES_ORDER",
        "manifest": layout.manifest_name(),
        "objects": [layout.part_name(0, 0, 1)],
        "rows": 42,
        "bytes": 1000,
        "compressed_bytes": 300,
        "parts": 1,
        "scn": 987654,
        "attempt": 1,
        "partition": None,
        "partitions": 1,
        "watermark": {"column": "UPDATED_AT", "low": None, "high": "2026-01-01T00:00:00"},
        "rows_read": 42,
        **changes,
    }


def _context() -> Any:
    """A task context as far as announcing reads it: its outlet events and run id."""
    return {"outlet_events": OutletEventAccessors(), "run_id": RUN_ID}


def test_the_uri_is_the_tables_folder_of_runs() -> None:
    uri = table_asset_uri(bucket="landing", table="DEMO.SALES_ORDER", transport="sales",
                          prefix="/exports/oracle/")  # fmt: skip
    assert uri == "gs://landing/exports/oracle/sales/DEMO.SALES_ORDER"
    layout = TableLayout("exports/oracle", "sales", "DEMO.SALES_ORDER", RUN_ID)
    assert layout.manifest_name().startswith(uri.removeprefix("gs://landing/") + "/run_id=")
    assert table_asset_uri(bucket="b", table="T", transport="t") == "gs://b/t/T"


def test_a_name_that_is_no_safe_segment_is_escaped_as_in_object_names() -> None:
    uri = table_asset_uri(bucket="b", table='"DEMO"."Mixed Case"', transport="t")
    segment = TableLayout("", "t", '"DEMO"."Mixed Case"', RUN_ID).table_prefix.split("/")[1]
    assert uri == f"gs://b/t/{segment}"
    assert " " not in uri and '"' not in uri


def test_the_uri_needs_a_bucket() -> None:
    with pytest.raises(ValueError, match=r"'DEMO\.X' needs a bucket"):
        table_asset_uri(bucket="", table="DEMO.X", transport="t")


def test_the_asset_is_named_by_its_uri_which_airflow_keeps_as_it_is() -> None:
    asset = table_asset(bucket="landing", table="DEMO.CUSTOMER", transport="sales", prefix="x")
    assert asset.uri == "gs://landing/x/sales/DEMO.CUSTOMER"
    assert asset.name == asset.uri


def test_a_transport_announces_through_its_alias() -> None:
    assert transport_alias("daily_sales") == AssetAlias(name="oracle_etl:daily_sales")


def test_the_extra_of_a_table_read_whole() -> None:
    commit = TableCommit.from_summary(_summary(), transport="sales", prefix="exports",
                                      run_id=RUN_ID)  # fmt: skip
    extra = commit.extra()
    assert set(extra) == EXTRA_KEYS
    assert extra["manifest_uri"] == f"gs://landing/{_summary()['manifest']}"
    assert (extra["rows"], extra["parts"], extra["scn"]) == (42, 1, 987654)
    assert extra["watermark_high"] == "2026-01-01T00:00:00"
    assert (extra["transport"], extra["table"], extra["run_id"]) == ("sales", "DEMO.SALES_ORDER",
                                                                     RUN_ID)  # fmt: skip
    assert commit.uri == "gs://landing/exports/sales/DEMO.SALES_ORDER"


def test_a_table_not_read_incrementally_has_no_watermark() -> None:
    extra = TableCommit.from_summary(
        _summary(watermark=None, scn=None), transport="s", prefix="", run_id=RUN_ID
    ).extra()
    assert extra["watermark_high"] is None
    assert extra["scn"] is None


def test_the_extra_of_a_committed_table_manifest() -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    manifest = TableManifest(
        transport="sales", table="DEMO.SALES_LINE_ITEM", run_id=RUN_ID, attempt=1,
        bucket="landing", scn=55, watermark=WatermarkRange(column="ID", low=3, high=9),
        started_at=at, finished_at=at, totals=Totals(parts=4, rows=120),
    )  # fmt: skip
    name = TableLayout("p", "sales", "DEMO.SALES_LINE_ITEM", RUN_ID).manifest_name()
    commit = TableCommit.from_manifest(manifest, name=name, prefix="p")
    assert commit.extra() == {
        "transport": "sales",
        "table": "DEMO.SALES_LINE_ITEM",
        "run_id": RUN_ID,
        "bucket": "landing",
        "manifest": name,
        "manifest_uri": f"gs://landing/{name}",
        "rows": 120,
        "scn": 55,
        "watermark_high": 9,
        "parts": 4,
    }
    assert commit.uri == "gs://landing/p/sales/DEMO.SALES_LINE_ITEM"


def test_each_alias_gets_one_event_per_committed_table() -> None:
    context = _context()
    commits = [
        TableCommit.from_summary(_summary(), transport="sales", prefix="", run_id=RUN_ID),
        TableCommit.from_summary(
            _summary(table="DEMO.CUSTOMER", rows=7), transport="sales", prefix="", run_id=RUN_ID
        ),
    ]
    alias = transport_alias("sales")
    added = announce_commits(context, [alias, AssetAlias(name="other")], commits)

    assert added == 4
    events = context["outlet_events"][alias].asset_alias_events
    assert [event.dest_asset_key.uri for event in events] == [
        "gs://landing/sales/DEMO.SALES_ORDER",
        "gs://landing/sales/DEMO.CUSTOMER",
    ]
    assert [event.dest_asset_key.name for event in events] == [e.dest_asset_key.uri for e in events]
    assert [event.extra["rows"] for event in events] == [42, 7]
    assert all(event.source_alias_name == "oracle_etl:sales" for event in events)


def test_a_declared_asset_gets_the_extra_of_its_table_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context = _context()
    mine = table_asset(bucket="landing", table="DEMO.SALES_ORDER", transport="sales")
    other = table_asset(bucket="landing", table="DEMO.CUSTOMER", transport="sales")
    commit = TableCommit.from_summary(_summary(), transport="sales", prefix="", run_id=RUN_ID)

    assert announce_commits(context, [mine, other, Asset("x-unrelated://a")], [commit]) == 1
    assert context["outlet_events"][mine].extra == commit.extra()
    assert context["outlet_events"][other].extra == {}
    assert f"outlet {other.uri} is no table this task committed" in caplog.text


def test_a_partition_read_by_a_stand_alone_task_announces_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    context = _context()
    alias = AssetAlias(name="mine")
    asset = table_asset(bucket="landing", table="DEMO.SALES_ORDER", transport="t")
    partition = _summary(partition=1, partitions=2)
    assert announce_summary(context, [alias, asset], partition, transport="t", prefix="") == 0
    assert context["outlet_events"][asset].extra == {}
    assert f"outlet {asset.uri} is declared on a task that reads one partition" in caplog.text
    assert context["outlet_events"][alias].asset_alias_events == []
    assert announce_summary(context, [alias], _summary(), transport="t", prefix="") == 1
    assert context["outlet_events"][alias].asset_alias_events[0].extra["run_id"] == RUN_ID
