"""The hook driven by an encoding plan, as the operator drives it: SELECT list, output type
handler and row factory from the plan, rows straight into the plan's JSON Lines encoder."""

from __future__ import annotations

import json
from collections.abc import Callable

from airflow_oracle_etl.encoding import plan_columns
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.identifiers import quote_identifier


def _lines(hook: OracleExtractHook, sql: str, plan, parameters=None) -> list[dict]:
    encoder = plan.encoder()
    data = b"".join(
        encoder.encode(batch)
        for batch in hook.stream_batches(
            sql,
            parameters,
            output_type_handler=plan.output_type_handler,
            rowfactory=plan.rowfactory,
        )
    )
    return [json.loads(line) for line in data.splitlines()]


def test_table_through_its_plan(hook: OracleExtractHook) -> None:
    metadata = hook.get_table_metadata("ALL_TYPES")
    plan = plan_columns(metadata.columns)
    sql = hook.build_select(metadata, plan.select_list(quote_identifier), as_of_scn=True)
    rows = _lines(hook, sql, plan, {AS_OF_SCN_BIND: hook.current_scn()})
    by_id = {row["ID"]: row for row in rows}
    assert sorted(by_id) == [1, 2, 3]
    assert list(by_id[1]) == [c.name for c in metadata.columns]
    assert by_id[1]["C_NUMBER_38"] == "12345678901234567890123456789012345678"
    assert by_id[1]["C_TS9"] == "2024-02-29T23:59:59.123456789"
    assert by_id[1]["C_TSTZ"].endswith("Z")
    assert by_id[3]["C_VARCHAR2"] is None


def test_query_through_its_plan(hook: OracleExtractHook) -> None:
    sql = "SELECT ID, AMOUNT, UPDATED FROM BENCH_ROWS WHERE ID <= :last"
    plan = plan_columns(hook.describe_query(sql))
    wrapped = hook.wrap_query(sql, plan.select_list(quote_identifier))
    rows = _lines(hook, wrapped, plan, {"last": 3})
    assert sorted(row["ID"] for row in rows) == [1, 2, 3]
    assert all(isinstance(row["AMOUNT"], str) for row in rows)  # exact decimal text


def test_row_count_through_the_plan(
    hook: OracleExtractHook, bench_table: Callable[[int], str]
) -> None:
    metadata = hook.get_table_metadata(bench_table(10_001))
    plan = plan_columns(metadata.columns)
    sql = hook.build_select(metadata, plan.select_list(quote_identifier))
    rows = _lines(hook, sql, plan)
    assert len(rows) == 10_001
    assert len({row["ID"] for row in rows}) == 10_001
