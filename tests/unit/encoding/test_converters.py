"""Outconverters: the values the driver cannot deliver in their JSON form."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from oracledb import IntervalYM

from airflow_oracle_etl.encoding.converters import (
    float_as_text,
    float_or_name,
    interval_ds_text_to_iso,
    interval_ds_to_iso,
    interval_ym_to_iso,
    value_as_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (math.nan, "NaN"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (1.5, 1.5),
        (-0.0, -0.0),
        (1e308, 1e308),
        (5e-324, 5e-324),
    ],
)
def test_float_or_name(value: float, expected: object) -> None:
    result = float_or_name(value)
    assert type(result) is type(expected)
    assert result == expected


def test_float_as_text() -> None:
    assert [float_as_text(v) for v in (0.1, -2.5, math.nan, -math.inf)] == [
        "0.1",
        "-2.5",
        "NaN",
        "-Infinity",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.timedelta(days=3, hours=4, minutes=5, seconds=6, milliseconds=789), "P3DT4H5M6.789S"),
        (-dt.timedelta(days=1, microseconds=1), "-P1DT0.000001S"),
        (dt.timedelta(0), "P0D"),
        (dt.timedelta(days=2), "P2D"),
        (-dt.timedelta(days=2), "-P2D"),
        (dt.timedelta(hours=1), "P0DT1H"),
        (-dt.timedelta(minutes=30), "-P0DT30M"),
        (dt.timedelta(seconds=59, microseconds=500000), "P0DT59.5S"),
        (-dt.timedelta(microseconds=1), "-P0DT0.000001S"),
        (dt.timedelta(days=999, hours=23, minutes=59, seconds=59), "P999DT23H59M59S"),
    ],
)
def test_interval_day_to_second(value: dt.timedelta, expected: str) -> None:
    assert interval_ds_to_iso(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+000000003 04:05:06.789000000", "P3DT4H5M6.789S"),
        ("-000000001 00:00:00.000000001", "-P1DT0.000000001S"),
        ("+03 04:05:06.123456789", "P3DT4H5M6.123456789S"),
        ("-00 00:00:00.000000000", "P0D"),
        ("+000 12:00:00", "P0DT12H"),
        ("-5 00:00:01.5", "-P5DT1.5S"),
    ],
)
def test_interval_day_to_second_from_oracle_text(text: str, expected: str) -> None:
    assert interval_ds_text_to_iso(text) == expected


def test_interval_text_that_is_not_an_interval() -> None:
    with pytest.raises(ValueError, match="not an Oracle INTERVAL"):
        interval_ds_text_to_iso("3 days")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (IntervalYM(2, 3), "P2Y3M"),
        (IntervalYM(0, -11), "-P0Y11M"),
        (IntervalYM(-1, -6), "-P1Y6M"),
        (IntervalYM(0, 0), "P0Y0M"),
        (IntervalYM(9999, 11), "P9999Y11M"),
    ],
)
def test_interval_year_to_month(value: IntervalYM, expected: str) -> None:
    assert interval_ym_to_iso(value) == expected


class _Lob:
    def read(self) -> bytes:
        return b"\x00\x01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (b"\xde\xad\xbe\xef", "3q2+7w=="),
        (True, "true"),
        (7, "7"),
        (math.nan, "NaN"),
        ({"a": [1, "b"]}, '{"a":[1,"b"]}'),
        (_Lob(), "AAE="),
        (dt.date(2024, 2, 29), "2024-02-29"),
    ],
)
def test_value_as_text(value: object, expected: str) -> None:
    assert value_as_text(value) == expected
