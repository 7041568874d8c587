"""Reads as the operators record them, made by hand for the lineage unit tests."""

from __future__ import annotations

from typing import Any

from airflow_oracle_etl.encoding import plan_columns
from airflow_oracle_etl.gcs.naming import TableLayout
from airflow_oracle_etl.incremental import WatermarkWindow
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning import PartitionSpec
from airflow_oracle_etl.planning import ReadPlan

RUN_ID = "manual__2024-05-01T10:00:00+00:00"
BUCKET = "exports-bucket"

COLUMNS = (
    OracleColumn(name="ORDER_ID", data_type="NUMBER", precision=12, scale=0, nullable=False),
    OracleColumn(name="AMOUNT", data_type="NUMBER", precision=14, scale=2, comment="In EUR"),
    OracleColumn(name="UPDATED_AT", data_type="TIMESTAMP(6)"),
    OracleColumn(name="Mixed Case", data_type="VARCHAR2", char_length=20),
)


def layout(table: str = "DEMO.SALES_ORDER") -> TableLayout:
    return TableLayout("exports", "daily", table, RUN_ID)


def window() -> WatermarkWindow:
    return WatermarkWindow(
        column="UPDATED_AT",
        kind="timestamp",
        low="2024-04-30 00:00:00.000000000",
        high="2024-05-01 00:00:00.000000000",
        predicate="UPDATED_AT > :wm_low AND UPDATED_AT <= :wm_high",
        binds={"wm_low": "2024-04-30", "wm_high": "2024-05-01"},
        full_refresh=False,
    )


def partition(index: int, count: int) -> PartitionSpec:
    return PartitionSpec(
        index=index,
        count=count,
        strategy="hash",
        predicate="ORA_HASH(ROWID, :p_count) = :p_index",
        binds={"p_count": count - 1, "p_index": index},
        description=f"hash {index} of {count}",
    )


def table_plan(**changes: Any) -> ReadPlan:
    table = TableMetadata(owner="DEMO", name="SALES_ORDER", columns=COLUMNS)
    fields: dict[str, Any] = {
        "label": "DEMO.SALES_ORDER",
        "columns": COLUMNS,
        "encoding": plan_columns(COLUMNS),
        "table": table,
        "scn": 4242,
        "window": window(),
        "partition": partition(1, 4),
    }
    return ReadPlan(**(fields | changes))


def summary(**changes: Any) -> dict[str, Any]:
    values = {
        "bucket": BUCKET,
        "table": "DEMO.SALES_ORDER",
        "manifest": f"{layout().run_prefix}_manifest.p0001.json",
        "objects": [],
        "rows": 1200,
        "bytes": 90_000,
        "compressed_bytes": 12_345,
        "parts": 3,
        "scn": 4242,
        "attempt": 1,
        "partition": 1,
        "partitions": 4,
        "watermark": {"column": "UPDATED_AT", "low": "2024-04-30", "high": "2024-05-01"},
        "started_at": "2024-05-01T10:00:00+00:00",
        "finished_at": "2024-05-01T10:01:00+00:00",
        "rows_read": 1200,
    }
    return values | changes
