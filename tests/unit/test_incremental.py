"""Watermark configuration, exact text forms and the window predicates (no database)."""

from __future__ import annotations

import msgspec
import pytest

from airflow_oracle_etl.gcs import WatermarkRange
from airflow_oracle_etl.incremental import (
    DATE,
    NOTHING,
    NUMBER,
    TIMESTAMP,
    CommittedWatermark,
    IncrementalConfig,
    IncrementalError,
    LowerBound,
    WatermarkWindow,
    build_predicate,
    canonical_value,
    plan_window,
    watermark_column,
)
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata

TS = "TO_TIMESTAMP(:{}, 'SYYYY-MM-DD HH24:MI:SS.FF9')"
LOW, HIGH = TS.format("wm_low"), TS.format("wm_high")


def table(*columns: OracleColumn, key: tuple[str, ...] = ("ID",)) -> TableMetadata:
    base = (OracleColumn(name="ID", data_type="NUMBER", precision=10, scale=0),)
    return TableMetadata(owner="DEMO", name="Orders", columns=base + columns, primary_key=key)


UPDATED = OracleColumn(name="Updated At", data_type="TIMESTAMP(6)")
ORDERS = table(UPDATED)


# -- configuration -----------------------------------------------------------------------------


def test_config_reads_from_a_dict_and_folds_unquoted_names() -> None:
    config = msgspec.convert({"column": "updated", "initial": 5}, IncrementalConfig)
    assert (config.column, config.column_name, config.initial) == ("updated", "UPDATED", 5)
    assert IncrementalConfig(column='"Updated At"').column_name == "Updated At"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"column": "updated at"}, "not a valid Oracle identifier"),
        ({"column": "date"}, "reserved word"),
        ({"column": "W", "initial": True}, "text or an integer"),
        ({"column": "W", "initial": 1.5}, "text or an integer"),
    ],
)
def test_config_refuses_what_cannot_be_a_watermark(arguments: dict, message: str) -> None:
    with pytest.raises(IncrementalError, match=message):
        IncrementalConfig(**arguments)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(arguments, IncrementalConfig)


@pytest.mark.parametrize(
    ("data_type", "kind"),
    [
        ("NUMBER", NUMBER),
        ("FLOAT", NUMBER),
        ("DATE", DATE),
        ("TIMESTAMP(9)", TIMESTAMP),
        ("TIMESTAMP(3) WITH TIME ZONE", TIMESTAMP),
        ("TIMESTAMP(6) WITH LOCAL TIME ZONE", TIMESTAMP),
    ],
)
def test_watermark_types(data_type: str, kind: str) -> None:
    metadata = table(OracleColumn(name="W", data_type=data_type))
    column = watermark_column(metadata, IncrementalConfig(column="w"))
    assert column.name == "W"
    lower = LowerBound("1", inclusive=True) if kind == NUMBER else None
    predicate, _ = build_predicate(metadata, column, lower, "2", nulls=False)
    assert '"W" <= ' in predicate


@pytest.mark.parametrize(
    "data_type", ["VARCHAR2", "BINARY_DOUBLE", "INTERVAL DAY(2) TO SECOND(6)", "RAW"]
)
def test_other_types_are_refused_naming_table_column_and_type(data_type: str) -> None:
    metadata = table(OracleColumn(name="W", data_type=data_type))
    with pytest.raises(IncrementalError) as caught:
        watermark_column(metadata, IncrementalConfig(column="W"))
    assert all(part in str(caught.value) for part in ("DEMO.Orders", "'W'", data_type))


def test_a_missing_column_is_refused_with_the_columns_there_are() -> None:
    with pytest.raises(IncrementalError, match=r"'UPDATED' is not a column of DEMO.Orders"):
        watermark_column(ORDERS, IncrementalConfig(column="updated"))


# -- exact text forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (NUMBER, 42, "42"),
        (NUMBER, -(10**40), "-1" + "0" * 40),
        (NUMBER, "1E+3", "1000"),
        (NUMBER, " 12.50 ", "12.50"),
        (NUMBER, "-0.000001", "-0.000001"),
        (DATE, "2024-02-29", "2024-02-29 00:00:00"),
        (DATE, "2024-02-29T23:59:59", "2024-02-29 23:59:59"),
        (TIMESTAMP, "2024-02-29 23:59:59", "2024-02-29 23:59:59.000000000"),
        (TIMESTAMP, "2024-02-29 23:59:59.5", "2024-02-29 23:59:59.500000000"),
        (TIMESTAMP, "2024-02-29T23:59:59.123456789", "2024-02-29 23:59:59.123456789"),
    ],
)
def test_canonical_text(kind: str, value: str | int, text: str) -> None:
    assert canonical_value(kind, value) == text


def test_zoned_timestamps_are_utc_text_with_an_optional_z() -> None:
    assert canonical_value(TIMESTAMP, "2024-01-01 00:00:00Z", zoned=True) == (
        "2024-01-01 00:00:00.000000000"
    )
    with pytest.raises(IncrementalError, match="expected"):
        canonical_value(TIMESTAMP, "2024-01-01 00:00:00Z")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (NUMBER, "abc"),
        (NUMBER, "NaN"),
        (NUMBER, "-Infinity"),
        (NUMBER, True),
        (DATE, 20240101),
        (DATE, "2024-02-30"),
        (DATE, "2024-01-01 10:00:00.5"),
        (DATE, "01/02/2024"),
        (TIMESTAMP, "2024-01-01 24:00:00"),
        (TIMESTAMP, "2024-01-01 10:00:00.1234567890"),
        (TIMESTAMP, "2024-01-01 10:00:00+02:00"),
    ],
)
def test_values_that_are_not_exact_text_are_refused(kind: str, value: object) -> None:
    with pytest.raises(IncrementalError):
        canonical_value(kind, value)  # type: ignore[arg-type]


# -- predicates --------------------------------------------------------------------------------


def predicate(lower: LowerBound | None, high: str | None, *, nulls: bool = False, **kw):
    metadata = kw.get("metadata", ORDERS)
    return build_predicate(metadata, metadata.column("Updated At"), lower, high, nulls=nulls)


def test_first_run_reads_everything_up_to_high_and_the_nulls() -> None:
    sql, binds = predicate(None, "2024-01-01 00:00:00.000000000", nulls=True)
    assert sql == f'(("Updated At" <= {HIGH}) OR ("Updated At" IS NULL))'
    assert binds == {"wm_high": "2024-01-01 00:00:00.000000000"}


def test_initial_is_an_inclusive_lower_bound() -> None:
    sql, binds = predicate(LowerBound("a", inclusive=True), "b")
    assert sql == f'("Updated At" >= {LOW} AND "Updated At" <= {HIGH})'
    assert binds == {"wm_low": "a", "wm_high": "b"}


def test_without_an_scn_the_previous_high_is_exclusive() -> None:
    sql, binds = predicate(LowerBound("a", inclusive=False), "b")
    assert sql == f'("Updated At" > {LOW} AND "Updated At" <= {HIGH})'
    assert binds == {"wm_low": "a", "wm_high": "b"}


def test_ties_at_the_previous_high_are_told_apart_by_key_as_of_the_previous_scn() -> None:
    sql, binds = predicate(LowerBound("a", inclusive=False, ties_scn=1234), "b")
    before = f'SELECT "ID" FROM "DEMO"."Orders" AS OF SCN :wm_prev_scn WHERE "Updated At" = {LOW}'
    assert sql == (
        f'(("Updated At" > {LOW} OR ("Updated At" = {LOW} AND "ID" NOT IN ({before}))) '
        f'AND "Updated At" <= {HIGH})'
    )
    assert binds == {"wm_low": "a", "wm_high": "b", "wm_prev_scn": 1234}


@pytest.mark.parametrize(
    ("key", "row_key", "select_list"),
    [
        (("ID", "Line No"), '("ID", "Line No")', '"ID", "Line No"'),
        (("ID",), '"ID"', '"ID"'),
        ((), "ROWID", "ROWID"),
    ],
)
def test_the_row_key_is_the_primary_key_else_rowid(
    key: tuple[str, ...], row_key: str, select_list: str
) -> None:
    metadata = table(UPDATED, OracleColumn(name="Line No", data_type="NUMBER"), key=key)
    sql, _ = predicate(LowerBound("a", False, 7), "b", metadata=metadata)
    # an expression list is allowed left of IN, never as a select-list item (ORA-00907)
    assert f"AND {row_key} NOT IN (SELECT {select_list} FROM " in sql
    assert "SELECT (" not in sql


def test_no_value_at_the_snapshot_reads_no_non_null_row() -> None:
    assert predicate(LowerBound("a", False, 7), None) == (NOTHING, {})
    assert predicate(None, None, nulls=True) == ('("Updated At" IS NULL)', {})


@pytest.mark.parametrize(
    ("data_type", "low"),
    [
        ("NUMBER(12,2)", "TO_NUMBER(:wm_low)"),
        ("DATE", "TO_DATE(:wm_low, 'SYYYY-MM-DD HH24:MI:SS')"),
        ("TIMESTAMP(6) WITH TIME ZONE", f"FROM_TZ({TS.format('wm_low')}, 'UTC')"),
    ],
)
def test_binds_are_text_converted_in_sql(data_type: str, low: str) -> None:
    metadata = table(OracleColumn(name="W", data_type=data_type))
    sql, binds = build_predicate(
        metadata, metadata.column("W"), LowerBound("1", inclusive=True), "2", nulls=False
    )
    assert f'"W" >= {low}' in sql
    assert all(isinstance(value, str) for value in binds.values())


def test_a_window_travels_as_json_and_records_its_range() -> None:
    sql, binds = predicate(LowerBound("a", False, 99), "b")
    window = WatermarkWindow(
        column="Updated At",
        kind=TIMESTAMP,
        low="a",
        high="b",
        predicate=sql,
        binds=binds,
        full_refresh=False,
    )
    assert msgspec.json.decode(msgspec.json.encode(window), type=WatermarkWindow) == window
    assert window.range() == WatermarkRange(column="Updated At", low="a", high="b")


def test_a_committed_watermark_is_a_range_with_its_scn() -> None:
    committed = CommittedWatermark(column="W", low="1", high="2", scn=5, manifest="m")
    assert isinstance(committed, WatermarkRange)
    assert committed.as_range() == WatermarkRange(column="W", low="1", high="2")


# -- planning checks made before any query ---------------------------------------------------


def test_user_binds_may_not_take_the_watermark_prefix() -> None:
    with pytest.raises(IncrementalError, match=r"rename \['WM_X'\]"):
        plan_window(
            None,
            ORDERS,
            IncrementalConfig(column='"Updated At"'),
            scn=1,
            previous=None,
            where="1 = 1",
            parameters={"WM_X": 1, "other": 2},
        )


@pytest.mark.parametrize("high", ["yesterday", 1.5, 7])
def test_a_committed_high_that_no_longer_fits_the_column_asks_for_a_full_refresh(
    high: object,
) -> None:
    previous = WatermarkRange(column="Updated At", high=high)  # type: ignore[arg-type]
    with pytest.raises(IncrementalError, match=r"full_refresh|not exact"):
        plan_window(
            None, ORDERS, IncrementalConfig(column='"Updated At"'), scn=1, previous=previous
        )


def test_an_initial_value_of_the_wrong_form_is_refused_before_any_query() -> None:
    config = IncrementalConfig(column='"Updated At"', initial="01/02/2024")
    with pytest.raises(IncrementalError, match="incremental initial: '01/02/2024'"):
        plan_window(None, ORDERS, config, scn=1, previous=None)
