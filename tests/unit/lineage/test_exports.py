"""The records of reads: what the plan, the layout and the summary say, and nothing else."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.extraction.request import CommittedRead
from airflow_oracle_etl.lineage.exports import (
    ColumnRecord,
    PartitionRecord,
    ReadNames,
    WindowRecord,
    committed_record,
    planned_names,
    record_read,
    stored_record,
)

from .records import BUCKET, RUN_ID, layout, summary, table_plan


def test_a_committed_read_keeps_each_column_its_json_field_and_bigquery_type() -> None:
    record = committed_record(table_plan(), layout(), summary())

    assert record.names == ReadNames(
        owner="DEMO",
        table="SALES_ORDER",
        bucket=BUCKET,
        run_path="exports/daily/DEMO.SALES_ORDER/run_id=" + layout().run_prefix.split("=")[1][:-1],
        table_path="exports/daily/DEMO.SALES_ORDER",
    )
    assert not record.names.run_path.endswith("/")
    assert record.columns == (
        ColumnRecord(name="ORDER_ID", data_type="NUMBER", field="ORDER_ID", bigquery_type="INT64"),
        ColumnRecord(
            name="AMOUNT",
            data_type="NUMBER",
            comment="In EUR",
            field="AMOUNT",
            bigquery_type="NUMERIC",
        ),
        ColumnRecord(
            name="UPDATED_AT",
            data_type="TIMESTAMP(6)",
            field="UPDATED_AT",
            bigquery_type="DATETIME",
        ),
        ColumnRecord(
            name="Mixed Case", data_type="VARCHAR2", field="Mixed Case", bigquery_type="STRING"
        ),
    )
    assert record.scn == 4242
    assert record.window == WindowRecord(
        column="UPDATED_AT",
        kind="timestamp",
        low="2024-04-30 00:00:00.000000000",
        high="2024-05-01 00:00:00.000000000",
        full_refresh=False,
    )
    assert record.partition == PartitionRecord(index=1, count=4)
    assert (record.rows, record.stored_bytes, record.parts) == (1200, 12_345, 3)


def test_a_table_read_whole_has_no_partition_and_a_live_read_no_scn() -> None:
    from .records import partition

    record = committed_record(
        table_plan(partition=partition(0, 1), scn=None, window=None), layout(), summary()
    )

    assert (record.partition, record.scn, record.window) == (None, None, None)


def test_a_query_is_recorded_with_its_text_and_no_table() -> None:
    plan = table_plan(table=None, query="SELECT 1 FROM DUAL", label="ones", partition=None)

    record = committed_record(plan, layout("ones"), summary())

    assert (record.names.owner, record.names.table) == (None, None)
    assert record.names.query == "SELECT 1 FROM DUAL"
    assert record.names.run_path.startswith("exports/daily/ones/run_id=")


def test_a_read_of_an_earlier_try_comes_from_its_summary_without_columns() -> None:
    read = {
        "table": '"DEMO"."SALES_ORDER"',
        "label": "DEMO.SALES_ORDER",
        "watermark": {"column": "UPDATED_AT", "kind": "timestamp", "full_refresh": True},
    }

    record = stored_record(read, summary(), layout())

    assert (record.names.owner, record.names.table) == ("DEMO", "SALES_ORDER")
    assert record.columns is None
    assert record.window == WindowRecord(
        column="UPDATED_AT",
        kind="timestamp",
        low="2024-04-30",
        high="2024-05-01",
        full_refresh=True,
    )
    assert record.partition == PartitionRecord(index=1, count=4)
    assert (record.scn, record.rows, record.stored_bytes, record.parts) == (4242, 1200, 12_345, 3)


def test_a_stored_read_of_a_whole_table_without_window_has_neither() -> None:
    read = {"table": '"DEMO"."CUSTOMER"', "label": "DEMO.CUSTOMER"}

    record = stored_record(
        read, summary(watermark=None, partition=None, partitions=1, scn=None), layout()
    )

    assert (record.window, record.partition, record.scn) == (None, None, None)


def test_planned_names_come_from_configuration_and_are_none_when_only_the_session_knows() -> None:
    def layout_of(label: str):
        return layout(label)

    qualified = planned_names(layout_of, bucket=BUCKET, table="demo.sales_order")
    assert qualified is not None
    assert (qualified.owner, qualified.table) == ("DEMO", "SALES_ORDER")
    assert qualified.run_path == layout("DEMO.SALES_ORDER").run_prefix.rstrip("/")
    assert qualified.table_path == "exports/daily/DEMO.SALES_ORDER"

    by_default = planned_names(layout_of, bucket=BUCKET, table='"Orders"', owner="SALES")
    assert by_default is not None
    assert (by_default.owner, by_default.table) == ("SALES", "Orders")
    assert by_default.run_path.startswith("exports/daily/SALES.Orders/")

    assert planned_names(layout_of, bucket=BUCKET, table="SALES_ORDER") is None

    query = planned_names(layout_of, bucket=BUCKET, query="SELECT 1 FROM DUAL", label="ones")
    assert query is not None
    assert query.query == "SELECT 1 FROM DUAL"
    assert query.run_path == f"exports/daily/ones/run_id={layout().run_prefix.split('=')[1][:-1]}"
    assert RUN_ID not in query.run_path  # the run id is a sanitised segment


def test_a_read_that_cannot_be_recorded_is_logged_and_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = CommittedRead(summary=summary(), plan=table_plan(), layout=layout())
    no_totals = CommittedRead(
        summary={k: v for k, v in summary().items() if k != "rows"},
        plan=table_plan(label="DEMO.BROKEN"),
        layout=layout("DEMO.BROKEN"),
    )

    recorded = record_read(good)

    assert record_read(no_totals) is None
    assert recorded is not None and recorded.names.run_path == layout().run_prefix.rstrip("/")
    assert "DEMO.BROKEN is not recorded" in caplog.text
