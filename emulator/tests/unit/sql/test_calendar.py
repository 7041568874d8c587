"""Calendar arithmetic over Oracle's whole range, against Python's datetime where it reaches."""

from __future__ import annotations

import datetime as dt

import pytest

from oracle_emulator.sql import calendar


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1970, 1, 1), dt.date(2000, 2, 29), dt.date(9999, 12, 31)]
)
def test_days_agree_with_datetime(day: dt.date) -> None:
    days = (day - dt.date(1970, 1, 1)).days
    assert calendar.days_from_civil(day.year, day.month, day.day) == days
    assert calendar.civil_from_days(days) == (day.year, day.month, day.day)


def test_days_round_trip_before_the_year_one() -> None:
    first = calendar.days_from_civil(-4711, 1, 1)  # 4712 BC
    for days in range(first, first + 3 * 146_097, 17):
        assert calendar.days_from_civil(*calendar.civil_from_days(days)) == days


def test_signed_and_astronomical_years() -> None:
    assert calendar.oracle_year(0) == -1  # 1 BC
    assert calendar.oracle_year(-4711) == -4712
    assert calendar.astronomical_year(-1) == 0
    assert calendar.astronomical_year(2024) == 2024


@pytest.mark.parametrize(
    ("fields", "julian"),
    [
        ((-4711, 1, 1), 1),  # Oracle documents J 1 as 4712 BC-01-01
        ((0, 12, 31), 1_721_058),  # 1 BC-12-31
        ((1, 1, 1), 1_721_424),
        ((1582, 10, 4), 2_299_160),  # the last Julian-calendar day
        ((1582, 10, 15), 2_299_161),  # the first Gregorian one
        ((2000, 1, 1), 2_451_545),
    ],
)
def test_julian_day_is_oracles(fields: tuple[int, int, int], julian: int) -> None:
    assert calendar.julian_day(*fields) == julian
    assert calendar.from_julian_day(julian) == fields


def test_python_moment_keeps_weekday_and_day_of_year() -> None:
    moment, shift = calendar.python_moment(-4711, 3, 1)
    assert 1 <= moment.year <= 9999 and shift % 400 == 0
    again, _ = calendar.python_moment(-4711 + 400, 3, 1)
    assert moment.weekday() == again.weekday()
    assert moment.timetuple().tm_yday == again.timetuple().tm_yday


def test_nanoseconds_round_trip_at_the_ends() -> None:
    for fields in ((-4711, 1, 1, 0, 0, 0, 1), (9999, 12, 31, 23, 59, 59, 999_999_999)):
        nanos = calendar.nanos_from_fields(*fields)
        assert calendar.fields_from_nanos(nanos) == fields
