"""Calendar arithmetic over Oracle's whole range (4712 BC to 9999 AD) without ``datetime``.

Python's ``datetime`` stops at the year 1, Oracle goes back to 4712 BC, and DuckDB's
microsecond TIMESTAMP goes back further still; so values cross between DuckDB and Python as
integers (microseconds or nanoseconds since 1970-01-01) and this module turns those into
calendar fields and back with plain integer arithmetic.

Years: DuckDB (and ISO 8601) number years astronomically, 0 being 1 BC; Oracle's signed year
(SYYYY, and the wire format) has no year 0, -1 being 1 BC. :func:`oracle_year` and
:func:`astronomical_year` convert. The calendar is the proleptic Gregorian one DuckDB uses
(Oracle switches to the Julian calendar before 1582-10-15; see :func:`julian_day`, which
follows Oracle so that ``J`` gives Oracle's numbers).

Format models need ``datetime`` methods (week numbers, day of the year): :func:`python_moment`
moves a year outside 1..9999 by whole 400-year cycles, after which the Gregorian calendar,
weekdays included, repeats exactly (146097 days = 20871 weeks).
"""

from __future__ import annotations

import datetime as dt

ORACLE_MIN_YEAR = -4712
ORACLE_MAX_YEAR = 9999
CYCLE_YEARS = 400
_CYCLE_DAYS = 146_097
SECONDS_PER_DAY = 86_400
MICROS_PER_SECOND = 1_000_000
NANOS_PER_SECOND = 1_000_000_000
#: Julian day number of 1970-01-01 (Gregorian)
_UNIX_JULIAN_DAY = 2_440_588
#: the first day Oracle counts in the Gregorian calendar
_GREGORIAN_START = (1582, 10, 15)


def oracle_year(astronomical: int) -> int:
    """Oracle's signed year (no year 0) of an astronomical year."""
    return astronomical if astronomical > 0 else astronomical - 1


def astronomical_year(oracle: int) -> int:
    """The astronomical year of Oracle's signed year; 0 is not an Oracle year."""
    return oracle if oracle > 0 else oracle + 1


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (astronomical year)."""
    year -= month <= 2
    era = year // CYCLE_YEARS
    year_of_era = year - era * CYCLE_YEARS
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * _CYCLE_DAYS + day_of_era - 719_468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(astronomical year, month, day) of a count of days since 1970-01-01."""
    days += 719_468
    era = days // _CYCLE_DAYS
    day_of_era = days - era * _CYCLE_DAYS
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + (3 if shifted_month < 10 else -9)
    return year_of_era + era * CYCLE_YEARS + (month <= 2), month, day


def fields_from_nanos(nanos: int) -> tuple[int, int, int, int, int, int, int]:
    """(astronomical year, month, day, hour, minute, second, nanosecond) of epoch nanoseconds."""
    seconds, fraction = divmod(nanos, NANOS_PER_SECOND)
    days, clock = divmod(seconds, SECONDS_PER_DAY)
    hour, rest = divmod(clock, 3600)
    minute, second = divmod(rest, 60)
    return (*civil_from_days(days), hour, minute, second, fraction)


def nanos_from_fields(
    year: int, month: int, day: int, hour: int, minute: int, second: int, nanosecond: int
) -> int:
    """Epoch nanoseconds of calendar fields (astronomical year)."""
    seconds = days_from_civil(year, month, day) * SECONDS_PER_DAY
    seconds += hour * 3600 + minute * 60 + second
    return seconds * NANOS_PER_SECOND + nanosecond


def python_moment(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> tuple[dt.datetime, int]:
    """A datetime with the same month, day, weekday and week numbers as the astronomical
    ``year`` (moved by whole 400-year cycles into 1..9999), and the years added to it."""
    shift = 0
    if year < 1:
        shift = -((1 - year + CYCLE_YEARS - 1) // CYCLE_YEARS) * CYCLE_YEARS
    elif year > ORACLE_MAX_YEAR:
        shift = ((year - ORACLE_MAX_YEAR + CYCLE_YEARS - 1) // CYCLE_YEARS) * CYCLE_YEARS
    return dt.datetime(year - shift, month, day, hour, minute, second), shift


def julian_day(year: int, month: int, day: int) -> int:
    """Oracle's ``J`` of a date (astronomical year).

    From 1582-10-15 on this is the Julian day number. Before, Oracle counts in the Julian
    calendar, and for BC years it numbers as if its signed year were astronomical, one day
    later: 4712 BC-01-01 is day 1 (as Oracle documents) and 1 BC-12-31 is 1721058, a year
    before 0001-01-01 (1721424) plus one day.
    """
    if (year, month, day) >= _GREGORIAN_START:
        return days_from_civil(year, month, day) + _UNIX_JULIAN_DAY
    if year < 1:
        return _julian_calendar_day(oracle_year(year), month, day) + 1
    return _julian_calendar_day(year, month, day)


def _julian_calendar_day(year: int, month: int, day: int) -> int:
    shifted = year + 4800 - (month <= 2)
    shifted_month = month + (9 if month <= 2 else -3)
    return day + (153 * shifted_month + 2) // 5 + 365 * shifted + shifted // 4 - 32083


def from_julian_day(number: int) -> tuple[int, int, int]:
    """(astronomical year, month, day) of Oracle's ``J`` (the inverse of :func:`julian_day`)."""
    gregorian = civil_from_days(number - _UNIX_JULIAN_DAY)
    if gregorian >= _GREGORIAN_START:
        return gregorian
    year, month, day = _from_julian_calendar(number)
    if year >= 1:
        return year, month, day
    year, month, day = _from_julian_calendar(number - 1)
    return astronomical_year(year), month, day


def _from_julian_calendar(number: int) -> tuple[int, int, int]:
    c = number + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1
