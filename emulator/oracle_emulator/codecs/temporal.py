"""DATE, TIMESTAMP (with time zones) and INTERVAL values in Oracle's wire format.

DATE is 7 bytes: century+100, year-in-century+100, month, day, hour+1, minute+1, second+1.
The year is Oracle's signed year (no year 0) split towards zero, so a BC year has both
bytes below 100: 4712 BC is century -47 and year -12, bytes 53 and 88. Values before the
year 1 travel as :class:`~oracle_emulator.api.OracleDateTime`, which holds that signed year;
Python's datetime cannot (the thin driver fails on such a value; clients that must read one
fetch it as text).
TIMESTAMP appends the fraction as a 32-bit big-endian count of nanoseconds; Oracle sends 7
bytes when the fraction is zero, and the driver reads both lengths. TIMESTAMP WITH TIME ZONE
appends two more bytes, hour offset+20 and minute offset+60, to the UTC value; the emulator
stores UTC and always sends +00:00, so the driver shows the UTC value.

Intervals store every field with the same sign, offset so the bytes are unsigned: days and
fractional nanoseconds (and years) as 32-bit values plus 2**31, hours, minutes, seconds (and
months) as one byte plus 60.
"""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

from oracle_emulator.api import IntervalYM, NanoDateTime, OracleDateTime

DATE_SIZE = 7
TIMESTAMP_SIZE = 11
TIMESTAMP_TZ_SIZE = 13
INTERVAL_DS_SIZE = 11
INTERVAL_YM_SIZE = 5

_CENTURY_OFFSET = 100
_TIME_OFFSET = 1
TZ_HOUR_OFFSET = 20
TZ_MINUTE_OFFSET = 60
_UTC_TZ_BYTES = bytes((TZ_HOUR_OFFSET, TZ_MINUTE_OFFSET))
#: time zone byte flag meaning "named region", which the thin driver refuses
_TZ_REGION_FLAG = 0x80

DURATION_MID = 0x8000_0000
DURATION_OFFSET = 60
_NANOS_PER_SECOND = 1_000_000_000
_NANOS_PER_MICRO = 1_000
_SECONDS_PER_DAY = 86_400
_NANOS_PER_DAY = _SECONDS_PER_DAY * _NANOS_PER_SECOND
_MONTHS_PER_YEAR = 12
_MAX_DAYS = 2**31 - 1

_DATE = struct.Struct(">7B")
_DATE_FRACTION = struct.Struct(">7BI")
_INTERVAL_DS = struct.Struct(">I3BI")
_INTERVAL_YM = struct.Struct(">IB")

DateLike = dt.date | dt.datetime | NanoDateTime | OracleDateTime
_Fields = tuple[int, int, int, int, int, int]
IntervalDSLike = dt.timedelta | tuple[int, int, int]


def _split(value: DateLike) -> tuple[_Fields, int]:
    """(Oracle year, month, day, hour, minute, second) and the fraction in nanoseconds."""
    if isinstance(value, OracleDateTime):
        fields = (value.year, value.month, value.day, value.hour, value.minute, value.second)
        return fields, value.nanosecond
    if isinstance(value, NanoDateTime):
        return _python_fields(value.value), value.nanosecond
    if isinstance(value, dt.datetime):
        return _python_fields(value), value.microsecond * _NANOS_PER_MICRO
    if isinstance(value, dt.date):
        return _python_fields(value), 0
    raise TypeError(f"cannot encode {type(value).__name__} as a date")


def _python_fields(value: dt.date) -> _Fields:
    if isinstance(value, dt.datetime):
        return value.year, value.month, value.day, value.hour, value.minute, value.second
    return value.year, value.month, value.day, 0, 0, 0


def _date_fields(fields: _Fields) -> tuple[int, ...]:
    year, month, day, hour, minute, second = fields
    century = int(year / 100)  # towards zero: -4712 is -47 centuries and -12 years
    return (
        century + _CENTURY_OFFSET,
        year - century * 100 + _CENTURY_OFFSET,
        month,
        day,
        hour + _TIME_OFFSET,
        minute + _TIME_OFFSET,
        second + _TIME_OFFSET,
    )


def encode_date(value: DateLike) -> bytes:
    """Oracle DATE (7 bytes); a fraction of a second is dropped, as Oracle's DATE has none."""
    calendar, _ = _split(value)
    return _DATE.pack(*_date_fields(calendar))


def encode_timestamp(value: DateLike) -> bytes:
    """TIMESTAMP / TIMESTAMP WITH LOCAL TIME ZONE: 11 bytes, or 7 when the fraction is 0."""
    calendar, nanos = _split(value)
    if nanos:
        return _DATE_FRACTION.pack(*_date_fields(calendar), nanos)
    return _DATE.pack(*_date_fields(calendar))


def encode_timestamp_tz(value: DateLike) -> bytes:
    """TIMESTAMP WITH TIME ZONE (13 bytes): the UTC fields, then the offset (hours + 20,
    minutes + 60), as Oracle sends it; the driver adds the offset back to show the wall clock
    the value was written with. A naive value is UTC, with offset +00:00; an aware one
    carries its offset (a stored TIMESTAMP WITH TIME ZONE, see ``sql.zoned``)."""
    zone = _UTC_TZ_BYTES
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        offset = value.utcoffset() or dt.timedelta()
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        minutes = int(offset.total_seconds()) // 60
        sign = -1 if minutes < 0 else 1
        hours, rest = divmod(abs(minutes), 60)
        zone = bytes((TZ_HOUR_OFFSET + sign * hours, TZ_MINUTE_OFFSET + sign * rest))
    calendar, nanos = _split(value)
    return _DATE_FRACTION.pack(*_date_fields(calendar), nanos) + zone


def decode_datetime(data: bytes) -> dt.datetime | NanoDateTime | OracleDateTime:
    """Decode DATE, TIMESTAMP and TIMESTAMP WITH (LOCAL) TIME ZONE bytes.

    A time zone value comes back as its naive UTC value: the stored value is UTC whatever
    the offset bytes say (this differs from the driver, which adds the offset).
    """
    if len(data) < DATE_SIZE:
        raise ValueError(f"date value of {len(data)} bytes is too short")
    if len(data) >= TIMESTAMP_TZ_SIZE and data[11] & _TZ_REGION_FLAG:
        raise ValueError("named time zone regions are not supported")
    cent, year, month, day, hour, minute, second = data[:DATE_SIZE]
    nanos = int.from_bytes(data[DATE_SIZE:TIMESTAMP_SIZE], "big")
    full_year = (cent - _CENTURY_OFFSET) * 100 + year - _CENTURY_OFFSET
    if full_year < 1:
        clock = (hour - _TIME_OFFSET, minute - _TIME_OFFSET, second - _TIME_OFFSET)
        return OracleDateTime(full_year, month, day, *clock, nanos)
    value = dt.datetime(
        full_year,
        month,
        day,
        hour - _TIME_OFFSET,
        minute - _TIME_OFFSET,
        second - _TIME_OFFSET,
        nanos // _NANOS_PER_MICRO,
    )
    if nanos % _NANOS_PER_MICRO:
        return NanoDateTime(value, nanos)
    return value


def _interval_nanos(value: IntervalDSLike) -> int:
    if isinstance(value, dt.timedelta):
        seconds = value.days * _SECONDS_PER_DAY + value.seconds
        return seconds * _NANOS_PER_SECOND + value.microseconds * _NANOS_PER_MICRO
    days, seconds, nanos = value
    return (days * _SECONDS_PER_DAY + seconds) * _NANOS_PER_SECOND + nanos


def encode_interval_ds(value: IntervalDSLike) -> bytes:
    """INTERVAL DAY TO SECOND (11 bytes) of a timedelta or a (days, seconds, nanoseconds)
    tuple; the fields are normalised to Oracle's form, all with the sign of the whole."""
    total = _interval_nanos(value)
    sign = -1 if total < 0 else 1
    seconds, nanos = divmod(abs(total), _NANOS_PER_SECOND)
    days, seconds = divmod(seconds, _SECONDS_PER_DAY)
    if days > _MAX_DAYS:
        raise ValueError(f"interval of {days} days is out of range")
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return _INTERVAL_DS.pack(
        DURATION_MID + sign * days,
        DURATION_OFFSET + sign * hours,
        DURATION_OFFSET + sign * minutes,
        DURATION_OFFSET + sign * seconds,
        DURATION_MID + sign * nanos,
    )


def decode_interval_ds(data: bytes) -> dt.timedelta | tuple[int, int, int]:
    """A timedelta, or (days, seconds, nanoseconds) normalised like a timedelta (seconds
    0..86399, nanoseconds 0..999,999,999) when the value has sub-microsecond digits.

    Fields of mixed signs (the driver sends a negative timedelta as negative days with
    positive hours) are summed, so both Oracle's and the driver's forms decode right.
    """
    if len(data) < INTERVAL_DS_SIZE:
        raise ValueError(f"INTERVAL DAY TO SECOND of {len(data)} bytes is too short")
    days, hours, minutes, seconds, nanos = _INTERVAL_DS.unpack_from(data)
    seconds = (
        (days - DURATION_MID) * _SECONDS_PER_DAY
        + (hours - DURATION_OFFSET) * 3600
        + (minutes - DURATION_OFFSET) * 60
        + seconds
        - DURATION_OFFSET
    )
    total = seconds * _NANOS_PER_SECOND + nanos - DURATION_MID
    if total % _NANOS_PER_MICRO == 0:
        return dt.timedelta(microseconds=total // _NANOS_PER_MICRO)
    days, rest = divmod(total, _NANOS_PER_DAY)
    seconds, nanos = divmod(rest, _NANOS_PER_SECOND)
    return days, seconds, nanos


def encode_interval_ym(value: IntervalYM | Any) -> bytes:
    """INTERVAL YEAR TO MONTH (5 bytes); accepts anything with ``years`` and ``months``
    (``oracledb.IntervalYM`` too) and normalises to Oracle's same-sign form."""
    total = value.years * _MONTHS_PER_YEAR + value.months
    sign = -1 if total < 0 else 1
    years, months = divmod(abs(total), _MONTHS_PER_YEAR)
    if years > _MAX_DAYS:
        raise ValueError(f"interval of {years} years is out of range")
    return _INTERVAL_YM.pack(DURATION_MID + sign * years, DURATION_OFFSET + sign * months)


def decode_interval_ym(data: bytes) -> IntervalYM:
    """The fields as sent (Oracle and the driver both send them with one sign)."""
    if len(data) < INTERVAL_YM_SIZE:
        raise ValueError(f"INTERVAL YEAR TO MONTH of {len(data)} bytes is too short")
    years, months = _INTERVAL_YM.unpack_from(data)
    return IntervalYM(years - DURATION_MID, months - DURATION_OFFSET)
