"""Partition predicates, planning SQL and option checks, without a database.

The hook given to ``plan_partitions`` here names an Airflow connection that does not exist:
any attempt to send SQL would fail with Airflow's "connection not defined", so a test that
gets a spec list or a PartitioningError also shows that no query was needed.
"""

from __future__ import annotations

import json
import math

import msgspec
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning import (
    MAX_PARTITIONS,
    PartitioningError,
    PartitionSpec,
    plan_partitions,
)
from airflow_oracle_etl.partitioning.keys import (
    ROWID_KEY,
    display_datetime,
    float_text,
    hash_key,
    range_key,
)
from airflow_oracle_etl.partitioning.planner import boundary_query
from airflow_oracle_etl.partitioning.predicates import hash_specs, range_specs

TABLE = TableMetadata(
    owner="DEMO",
    name="SALES_ORDER",
    columns=(
        OracleColumn(name="ORDER_ID", data_type="NUMBER", precision=12, scale=0, nullable=False),
        OracleColumn(name="AMOUNT", data_type="NUMBER", precision=12, scale=2),
        OracleColumn(name="RATE", data_type="BINARY_DOUBLE"),
        OracleColumn(name="WEIGHT", data_type="BINARY_FLOAT"),
        OracleColumn(name="ORDER_DATE", data_type="DATE"),
        OracleColumn(name="CREATED_AT", data_type="TIMESTAMP(6)"),
        OracleColumn(name="SEEN_AT", data_type="TIMESTAMP(6) WITH TIME ZONE"),
        OracleColumn(name="STATUS", data_type="VARCHAR2", char_length=10),
        OracleColumn(name="NOTES", data_type="CLOB"),
        OracleColumn(name="Mixed Case", data_type="NUMBER"),
    ),
)


@pytest.fixture
def hook() -> OracleExtractHook:
    return OracleExtractHook(oracle_conn_id="partitioning_unit_test_no_such_connection")


def _key(name: str):
    return range_key(TABLE, TABLE.column(name))


# -- range predicates ---------------------------------------------------------------------


def test_date_ranges_are_half_open_and_the_first_takes_nulls() -> None:
    specs = range_specs(
        _key("ORDER_DATE"), ["2023-04-01 00:00:00", "2023-07-01 00:00:00"], 3, "column"
    )
    fmt = "'SYYYY-MM-DD HH24:MI:SS'"
    assert [s.predicate for s in specs] == [
        f'("ORDER_DATE" < TO_DATE(:p_hi, {fmt}) OR "ORDER_DATE" IS NULL)',
        f'"ORDER_DATE" >= TO_DATE(:p_lo, {fmt}) AND "ORDER_DATE" < TO_DATE(:p_hi, {fmt})',
        f'"ORDER_DATE" >= TO_DATE(:p_lo, {fmt})',
    ]
    assert [s.binds for s in specs] == [
        {"p_hi": "2023-04-01 00:00:00"},
        {"p_lo": "2023-04-01 00:00:00", "p_hi": "2023-07-01 00:00:00"},
        {"p_lo": "2023-07-01 00:00:00"},
    ]
    assert [s.description for s in specs] == [
        "ORDER_DATE < 2023-04-01, or ORDER_DATE is NULL",
        "ORDER_DATE in [2023-04-01, 2023-07-01)",
        "ORDER_DATE >= 2023-07-01",
    ]
    assert [(s.index, s.count, s.strategy) for s in specs] == [(i, 3, "column") for i in range(3)]


def test_number_timestamp_and_float_keys_convert_their_bound_text() -> None:
    (amount,) = range_specs(_key("AMOUNT"), ["-12.5"], 2, "column")[1:]
    assert amount.predicate == '"AMOUNT" >= TO_NUMBER(:p_lo)'
    (created,) = range_specs(_key("CREATED_AT"), ["2023-01-01 10:00:00.123456000"], 2, "c")[1:]
    assert created.predicate == (
        "\"CREATED_AT\" >= TO_TIMESTAMP(:p_lo, 'SYYYY-MM-DD HH24:MI:SS.FF9')"
    )
    assert created.description == "CREATED_AT >= 2023-01-01 10:00:00.123456"
    (rate,) = range_specs(_key("RATE"), ["NaN"], 2, "column")[1:]
    assert rate.predicate == '"RATE" >= TO_BINARY_DOUBLE(:p_lo)'
    (weight,) = range_specs(_key("WEIGHT"), ["0.5"], 2, "column")[1:]
    assert weight.predicate == '"WEIGHT" >= TO_BINARY_FLOAT(:p_lo)'


def test_mixed_case_columns_stay_quoted_exactly() -> None:
    first = range_specs(_key("Mixed Case"), ["1"], 2, "column")[0]
    assert first.predicate == '("Mixed Case" < TO_NUMBER(:p_hi) OR "Mixed Case" IS NULL)'


def test_rowid_ranges_have_no_null_clause() -> None:
    specs = range_specs(ROWID_KEY, ["AAAR0rAAAAAAAAAACQ", "AAAR0rAAAAAAAAAAEf"], 3, "rowid")
    assert [s.predicate for s in specs] == [
        "ROWID < :p_hi",
        "ROWID >= :p_lo AND ROWID < :p_hi",
        "ROWID >= :p_lo",
    ]
    assert specs[1].description == "ROWID in [AAAR0rAAAAAAAAAACQ, AAAR0rAAAAAAAAAAEf)"


def test_repeated_bounds_give_empty_partitions_without_a_scan() -> None:
    specs = range_specs(_key("AMOUNT"), ["5", "42", "42", "42", "50"], 6, "column")
    assert [s.predicate == "1 = 0" for s in specs] == [False, False, True, True, False, False]
    assert specs[1].binds == {"p_lo": "5", "p_hi": "42"}
    assert specs[4].binds == {"p_lo": "42", "p_hi": "50"}
    assert specs[2].description == "empty: AMOUNT = 42 fills more than a partition"
    assert specs[2].binds == {}


def test_fewer_bounds_than_partitions_leave_the_last_ones_empty() -> None:
    specs = range_specs(_key("AMOUNT"), ["10"], 4, "column")
    assert [s.predicate for s in specs] == [
        '("AMOUNT" < TO_NUMBER(:p_hi) OR "AMOUNT" IS NULL)',
        '"AMOUNT" >= TO_NUMBER(:p_lo)',
        "1 = 0",
        "1 = 0",
    ]
    assert specs[3].description == "empty: fewer rows than partitions"


def test_no_bounds_put_every_row_in_partition_zero() -> None:
    specs = range_specs(_key("ORDER_DATE"), [], 3, "column")
    assert [s.predicate for s in specs] == ["1 = 1", "1 = 0", "1 = 0"]
    rowids = range_specs(ROWID_KEY, [], 2, "rowid")
    assert [s.predicate for s in rowids] == ["1 = 1", "1 = 0"]


def test_too_many_bounds_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="3 bounds for 3 partitions"):
        range_specs(_key("AMOUNT"), ["1", "2", "3"], 3, "column")


# -- hash predicates ----------------------------------------------------------------------


def test_hash_buckets_bind_the_bucket_and_bucket_zero_takes_nulls() -> None:
    specs = hash_specs(hash_key(TABLE, TABLE.column("AMOUNT")), 4)
    assert [s.predicate for s in specs] == [
        '(ORA_HASH("AMOUNT", 3) = :p_bucket OR "AMOUNT" IS NULL)',
        *['ORA_HASH("AMOUNT", 3) = :p_bucket'] * 3,
    ]
    assert [s.binds for s in specs] == [{"p_bucket": b} for b in range(4)]
    assert specs[0].description == "ORA_HASH(AMOUNT, 3) = 0, or AMOUNT is NULL"


def test_hash_of_rowid_by_default(hook: OracleExtractHook) -> None:
    specs = plan_partitions(hook, TABLE, count=2)
    assert [s.predicate for s in specs] == ["ORA_HASH(ROWID, 1) = :p_bucket"] * 2
    assert [s.strategy for s in specs] == ["hash", "hash"]


def test_hash_of_a_configured_column(hook: OracleExtractHook) -> None:
    specs = plan_partitions(hook, TABLE, count=3, strategy="hash", column="status")
    assert specs[0].predicate == '(ORA_HASH("STATUS", 2) = :p_bucket OR "STATUS" IS NULL)'
    assert specs[2].binds == {"p_bucket": 2}


# -- planning query -------------------------------------------------------------------------


def test_boundary_query_reads_quantiles_as_of_the_scn_within_the_user_where() -> None:
    sql = boundary_query(
        TABLE, _key("ORDER_DATE"), where="STATUS = :status -- open only", as_of_scn=True
    )
    assert sql == (
        "SELECT TO_CHAR(P_KEY, 'SYYYY-MM-DD HH24:MI:SS') FROM (\n"
        'SELECT "ORDER_DATE" AS P_KEY, ROW_NUMBER() OVER (ORDER BY "ORDER_DATE") AS P_ROW, '
        'COUNT(*) OVER () AS P_ROWS FROM "DEMO"."SALES_ORDER" AS OF SCN :as_of_scn WHERE (\n'
        '(\nSTATUS = :status -- open only\n) AND "ORDER_DATE" IS NOT NULL\n)\n'
        ") WHERE MOD((P_ROW - 1) * :p_count, P_ROWS) < :p_count ORDER BY P_ROW"
    )


def test_rowid_boundary_query_needs_no_null_filter() -> None:
    sql = boundary_query(TABLE, ROWID_KEY, where=None, as_of_scn=False)
    assert sql.startswith(
        "SELECT P_KEY FROM (\nSELECT ROWID AS P_KEY, ROW_NUMBER() OVER (ORDER BY ROWID)"
    )
    assert "WHERE (" not in sql
    assert "AS OF SCN" not in sql


def _run_starts(rows: int, count: int) -> list[int]:
    """The planning query's filter, evaluated in Python: which row numbers start a run."""
    return [row for row in range(1, rows + 1) if ((row - 1) * count) % rows < count]


@pytest.mark.parametrize("rows", [1, 2, 3, 4, 5, 10, 99, 1000, 1031])
@pytest.mark.parametrize("count", [2, 4, 7, 1024])
def test_run_starts_are_the_first_rows_of_ntile_runs(rows: int, count: int) -> None:
    starts = _run_starts(rows, count)
    runs = [math.floor((row - 1) * count / rows) for row in range(1, rows + 1)]
    assert starts == [
        row for row in range(1, rows + 1) if row == 1 or runs[row - 1] > runs[row - 2]
    ]
    assert len(starts) == min(rows, count)
    sizes = [b - a for a, b in zip(starts, [*starts[1:], rows + 1], strict=True)]
    assert max(sizes) - min(sizes) <= 1


# -- specs as XCom values ---------------------------------------------------------------------


def test_specs_round_trip_through_json() -> None:
    specs = range_specs(_key("CREATED_AT"), ["2023-01-01 00:00:00.000000000"], 2, "column")
    payload = json.dumps([msgspec.to_builtins(spec) for spec in specs])
    assert msgspec.convert(json.loads(payload), list[PartitionSpec]) == specs


def test_float_bounds_are_exact_and_spell_specials_as_oracle_reads_them() -> None:
    assert float_text(0.1) == "0.1"
    assert float(float_text(1 / 3)) == 1 / 3
    assert float_text(-0.0) == "-0.0"
    assert [float_text(v) for v in (math.nan, math.inf, -math.inf)] == ["NaN", "INF", "-INF"]


def test_datetime_display_drops_zero_times_and_fraction_zeros() -> None:
    assert display_datetime("2023-01-01 00:00:00") == "2023-01-01"
    assert display_datetime("2023-01-01 00:00:00.000000000") == "2023-01-01"
    assert display_datetime("2023-01-01 10:20:00") == "2023-01-01 10:20:00"
    assert display_datetime("2023-01-01 10:20:00.500000000") == "2023-01-01 10:20:00.5"
    assert display_datetime("-0044-03-15 00:00:00") == "-0044-03-15"


# -- options --------------------------------------------------------------------------------


def test_one_partition_is_the_whole_table_without_a_query(hook: OracleExtractHook) -> None:
    for strategy, column in (("column", "ORDER_DATE"), ("rowid", None), ("hash", None)):
        (spec,) = plan_partitions(hook, TABLE, count=1, strategy=strategy, column=column)
        assert spec == PartitionSpec(
            index=0,
            count=1,
            strategy=strategy,
            predicate="1 = 1",
            binds={},
            description="whole table (1 partition)",
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"count": 0}, "DEMO.SALES_ORDER: partitions must be from 1 to 1024, got 0"),
        ({"count": MAX_PARTITIONS + 1}, "partitions must be from 1 to 1024, got 1025"),
        ({"count": True}, "partitions must be a whole number from 1 to 1024, got True"),
        ({"count": "4"}, "partitions must be a whole number from 1 to 1024, got '4'"),
        (
            {"count": 2, "strategy": "range"},
            "DEMO.SALES_ORDER: unknown partition strategy 'range' "
            "(known: 'column', 'hash', 'rowid')",
        ),
        (
            {"count": 2, "strategy": "column", "column": "NOPE"},
            "DEMO.SALES_ORDER: partition_by column 'NOPE' does not exist (columns: ORDER_ID, "
            "AMOUNT, RATE, WEIGHT, ORDER_DATE, CREATED_AT, SEEN_AT, STATUS, NOTES, Mixed Case)",
        ),
        (
            {"count": 2, "strategy": "column", "column": "Mixed Case"},
            "DEMO.SALES_ORDER: partition_by column 'Mixed Case' is not a valid Oracle identifier",
        ),
        (
            {"count": 2, "strategy": "column"},
            "DEMO.SALES_ORDER: the 'column' partition strategy needs a partition_by column",
        ),
        (
            {"count": 2, "strategy": "column", "column": "STATUS"},
            "DEMO.SALES_ORDER: partition_by column 'STATUS' is VARCHAR2; range partitions "
            "need a NUMBER, FLOAT, BINARY_FLOAT, BINARY_DOUBLE, DATE or TIMESTAMP column",
        ),
        (
            {"count": 2, "strategy": "column", "column": "SEEN_AT"},
            "partition_by column 'SEEN_AT' is TIMESTAMP(6) WITH TIME ZONE; range partitions",
        ),
        (
            {"count": 2, "strategy": "hash", "column": "NOTES"},
            "DEMO.SALES_ORDER: partition_by column 'NOTES' is CLOB, which ORA_HASH cannot hash",
        ),
        (
            {"count": 2, "strategy": "rowid", "column": "ORDER_ID"},
            "DEMO.SALES_ORDER: the 'rowid' partition strategy takes no partition_by column, "
            "got 'ORDER_ID'",
        ),
        (
            {"count": 2, "where": "AMOUNT > :p_min", "parameters": {"P_MIN": 1}},
            "DEMO.SALES_ORDER: parameter 'P_MIN' clashes with the binds partitioning adds",
        ),
        (
            {"count": 2, "parameters": {"as_of_scn": 1}},
            "parameter 'as_of_scn' clashes with the binds partitioning adds",
        ),
        ({"count": 2, "parameters": [1]}, "parameters must be a mapping"),
        (
            {"count": 2, "scn": "123"},
            "the SCN to plan at must be a non-negative integer, got '123'",
        ),
    ],
)
def test_bad_options_name_the_table_the_option_and_the_value(
    hook: OracleExtractHook, options: dict, message: str
) -> None:
    with pytest.raises(PartitioningError) as caught:
        plan_partitions(hook, TABLE, **options)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_options_are_checked_even_for_one_partition(hook: OracleExtractHook) -> None:
    with pytest.raises(PartitioningError, match="'NOPE' does not exist"):
        plan_partitions(hook, TABLE, count=1, strategy="column", column="NOPE")


def test_quoted_mixed_case_columns_are_found(hook: OracleExtractHook) -> None:
    specs = plan_partitions(hook, TABLE, count=2, strategy="hash", column='"Mixed Case"')
    assert specs[1].predicate == 'ORA_HASH("Mixed Case", 1) = :p_bucket'
