"""Dates and timestamps before the year 1: the select list, the text form, the row fix-up."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from airflow_oracle_etl.encoding import plan_columns
from airflow_oracle_etl.encoding.early import (
    bc_text_to_iso,
    is_early_date_error,
    signed_text_to_iso,
)
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import OracleColumn


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("4712-01-01T00:00:00", "-4711-01-01T00:00:00"),  # 4712 BC
        ("0001-12-31T23:59:59", "0000-12-31T23:59:59"),  # 1 BC is the ISO year 0
        ("0002-06-01T00:00:00.500000", "-0001-06-01T00:00:00.500000"),
    ],
)
def test_bc_text_is_iso_8601_astronomical(text: str, iso: str) -> None:
    assert bc_text_to_iso(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        (" 2024-02-29T23:59:59.123456789", "2024-02-29T23:59:59.123456789"),
        (" 0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("-4712-01-01T00:00:00.000000001", "-4711-01-01T00:00:00.000000001"),
        ("-0001-12-31T23:59:59.999Z", "0000-12-31T23:59:59.999Z"),
    ],
)
def test_signed_text(text: str, iso: str) -> None:
    assert signed_text_to_iso(text) == iso


COLUMNS = [
    OracleColumn(name="ID", data_type="NUMBER", precision=6, scale=0),
    OracleColumn(name="D", data_type="DATE"),
    OracleColumn(name="T", data_type="TIMESTAMP(3)", scale=3),
]


def test_select_list_adds_an_early_item_per_datetime_column() -> None:
    plan = plan_columns(COLUMNS, early_dates=True)
    assert plan.select_list(quote_identifier) == (
        '"ID", '
        'CASE WHEN "D" >= DATE \'0001-01-01\' THEN "D" END AS "D", '
        'CASE WHEN "T" >= DATE \'0001-01-01\' THEN "T" END AS "T", '
        'CASE WHEN "D" < DATE \'0001-01-01\' THEN TO_CHAR("D", '
        '\'YYYY-MM-DD"T"HH24:MI:SS\') END AS "ETL$EARLY_1", '
        'CASE WHEN "T" < DATE \'0001-01-01\' THEN TO_CHAR("T", '
        '\'YYYY-MM-DD"T"HH24:MI:SS.FF6\') END AS "ETL$EARLY_2"'
    )


def test_early_alias_never_equals_a_column_name() -> None:
    columns = [*COLUMNS, OracleColumn(name="ETL$EARLY_1", data_type="VARCHAR2")]
    plan = plan_columns(columns, early_dates=True)
    assert plan.early_items == [(1, "ETL$EARLY__1"), (2, "ETL$EARLY__2")]


ROWS = [
    (1, dt.datetime(2024, 2, 29, 1, 2, 3), dt.datetime(2024, 1, 1, 0, 0, 0, 5000), None, None),
    (2, None, None, "4712-01-01T00:00:00", "0001-12-31T23:59:59.000000"),
    (3, None, dt.datetime(1, 1, 1), None, None),
]
LINES = (
    b'{"ID":1,"D":"2024-02-29T01:02:03","T":"2024-01-01T00:00:00.005000"}\n'
    b'{"ID":2,"D":"-4711-01-01T00:00:00","T":"0000-12-31T23:59:59"}\n'
    b'{"ID":3,"D":null,"T":"0001-01-01T00:00:00"}\n'
)


def test_encoder_puts_early_text_in_place_of_the_guarded_value() -> None:
    plan = plan_columns(COLUMNS, early_dates=True)
    assert plan.rowfactory is not None
    structs = [plan.rowfactory(*row) for row in ROWS]
    assert plan.encoder().encode(structs) == LINES
    assert plan.encoder().encode(ROWS) == LINES  # tuples are made Structs first


def test_encoder_without_row_type_fixes_tuples() -> None:
    columns = [*COLUMNS[:2], OracleColumn(name='T\\"', data_type="TIMESTAMP(3)", scale=3)]
    plan = plan_columns(columns, early_dates=True)
    assert plan.rowfactory is None  # a name JSON must escape
    lines = plan.encoder().encode(ROWS).splitlines()
    assert [msgspec.json.decode(line)["D"] for line in lines] == [
        "2024-02-29T01:02:03",
        "-4711-01-01T00:00:00",
        None,
    ]


def test_omit_nulls_still_drops_nulls() -> None:
    plan = plan_columns(COLUMNS, omit_nulls=True, early_dates=True)
    assert plan.encoder().encode(ROWS[2:]) == b'{"ID":3,"T":"0001-01-01T00:00:00"}\n'


def test_plain_plan_selects_datetimes_as_they_are() -> None:
    plan = plan_columns(COLUMNS)
    assert plan.select_list(quote_identifier) == '"ID", "D", "T"'
    assert plan.reads_early_dates
    early = plan.with_early_dates()
    assert early.early_items == [(1, "ETL$EARLY_1"), (2, "ETL$EARLY_2")]
    assert not early.reads_early_dates
    assert early.bigquery_schema() == plan.bigquery_schema()


def test_the_driver_error_is_recognised() -> None:
    for year in (-4712, 0):
        try:
            dt.datetime(year, 1, 1)
        except ValueError as error:
            assert is_early_date_error(error)
    assert not is_early_date_error(ValueError("month must be in 1..12"))
    assert not is_early_date_error(TypeError("year 0 is out of range"))
