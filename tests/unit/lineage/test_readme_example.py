"""The README's example of a DAG scheduled on a table's asset is code that Airflow loads as
written: scheduled on the asset a transport's job emits, loading what the event names."""

from __future__ import annotations

import re
from pathlib import Path

from airflow.sdk import DAG

from airflow_oracle_etl.lineage.assets import table_asset

README = Path(__file__).resolve().parents[3] / "README.md"
#: the example is the Python block that follows this sentence
INTRODUCTION = "A DAG that loads a table's export into BigQuery"


def _example() -> str:
    text = README.read_text()
    after = text[text.index(INTRODUCTION) :]
    match = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    assert match, f"no python block after {INTRODUCTION!r} in {README}"
    return match.group(1)


def test_the_readme_bigquery_example_is_scheduled_on_the_table_asset_of_the_demo_job() -> None:
    namespace: dict[str, object] = {}
    exec(compile(_example(), f"{README}:example", "exec"), namespace)
    dag = namespace["export"].operator.dag  # type: ignore[attr-defined]
    assert isinstance(dag, DAG) and dag.dag_id == "load_sales_order"
    orders = table_asset(
        bucket="oracle-etl-demo",
        prefix="exports",
        transport="daily_sales",
        table="DEMO.SALES_ORDER",
    )
    assert orders.uri == "gs://oracle-etl-demo/exports/daily_sales/DEMO.SALES_ORDER"
    assert dag.timetable.asset_condition.objects == (orders,)
    load = dag.get_task("load")
    assert load.upstream_task_ids == {"committed_export"}
    assert load.source_format == "NEWLINE_DELIMITED_JSON" and load.compression == "GZIP"
