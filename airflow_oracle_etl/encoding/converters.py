"""Driver ``outconverter`` functions: the few values python-oracledb cannot hand over in the
form the JSON contract needs.

Each runs once per non-NULL value of the columns that need it, and only of those (the driver
never calls an outconverter for NULL), so they are plain functions kept as short as possible.

Durations are written in ISO 8601 with a leading sign for negative values ("-P1DT0.000001S"),
the form of ISO 8601-2 and XML Schema's ``xs:duration`` (also what msgspec writes for a
``timedelta``): Oracle intervals carry one sign for all their fields, so one leading sign says
it exactly. Day-to-second intervals always name the days ("P0DT1H"), then only the non-zero
hours, minutes and seconds; year-to-month intervals always name both ("P2Y3M", "-P0Y11M").
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import msgspec

from airflow_oracle_etl.encoding.errors import EncodingError

#: JSON cannot spell these numbers; BigQuery reads these strings into FLOAT64.
NAN_TEXT = "NaN"
INFINITY_TEXT = "Infinity"
NEGATIVE_INFINITY_TEXT = "-Infinity"

_MICROSECONDS_PER_SECOND = 1_000_000
_SECONDS_PER_DAY = 86_400
_SECONDS_PER_HOUR = 3_600
_SECONDS_PER_MINUTE = 60
_MONTHS_PER_YEAR = 12

#: Oracle's TO_CHAR of an INTERVAL DAY TO SECOND: "+000000003 04:05:06.789000000"
_INTERVAL_DS_TEXT = re.compile(r"([+-]?)(\d+) (\d+):(\d+):(\d+)(?:\.(\d+))?")


def float_or_name(value: float) -> float | str:
    """A finite float as it is; NaN and the infinities as the strings BigQuery reads."""
    if value - value == 0.0:  # false only for NaN and +-inf; cheaper than math.isfinite
        return value
    if value != value:
        return NAN_TEXT
    return INFINITY_TEXT if value > 0 else NEGATIVE_INFINITY_TEXT


def float_as_text(value: float) -> str:
    """A float as text (a ``string`` override of BINARY_FLOAT/DOUBLE): shortest round trip."""
    named = float_or_name(value)
    return named if isinstance(named, str) else repr(named)


def _iso_day_to_second(negative: bool, days: int, seconds: int, fraction: str) -> str:
    """ISO 8601 text of a day-to-second duration; ``fraction`` holds the digits after the
    point without trailing zeros ("" for none)."""
    hours, seconds = divmod(seconds, _SECONDS_PER_HOUR)
    minutes, seconds = divmod(seconds, _SECONDS_PER_MINUTE)
    parts = ["-P" if negative else "P", str(days), "D"]
    if hours or minutes or seconds or fraction:
        parts.append("T")
        if hours:
            parts.append(f"{hours}H")
        if minutes:
            parts.append(f"{minutes}M")
        if seconds or fraction:
            parts.append(f"{seconds}.{fraction}S" if fraction else f"{seconds}S")
    return "".join(parts)


def interval_ds_to_iso(value: dt.timedelta) -> str:
    """INTERVAL DAY TO SECOND (as the driver's ``timedelta``) to ISO 8601.

    ``timedelta`` normalises negative values (-1 day -1 us is days=-2, seconds=86399,
    microseconds=999999), so the magnitude is recomputed from the total.
    """
    total = (value.days * _SECONDS_PER_DAY + value.seconds) * _MICROSECONDS_PER_SECOND
    total += value.microseconds
    negative = total < 0
    seconds, micros = divmod(abs(total), _MICROSECONDS_PER_SECOND)
    days, seconds = divmod(seconds, _SECONDS_PER_DAY)
    fraction = f"{micros:06d}".rstrip("0") if micros else ""
    return _iso_day_to_second(negative, days, seconds, fraction)


def interval_ds_text_to_iso(value: str) -> str:
    """Oracle's text of an INTERVAL DAY TO SECOND ("+000000003 04:05:06.789000000") to ISO
    8601, keeping all nine fractional digits the driver's ``timedelta`` would cut to six."""
    match = _INTERVAL_DS_TEXT.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an Oracle INTERVAL DAY TO SECOND text: {value!r}")
    sign, days, hours, minutes, seconds, fraction = match.groups()
    clock = (int(hours) * _SECONDS_PER_HOUR) + (int(minutes) * _SECONDS_PER_MINUTE) + int(seconds)
    digits = (fraction or "").rstrip("0")
    negative = sign == "-" and bool(int(days) or clock or digits)
    return _iso_day_to_second(negative, int(days), clock, digits)


def interval_ym_to_iso(value: Any) -> str:
    """INTERVAL YEAR TO MONTH (the driver's ``IntervalYM(years, months)``) to ISO 8601."""
    years, months = value
    total = years * _MONTHS_PER_YEAR + months
    years, months = divmod(abs(total), _MONTHS_PER_YEAR)
    return f"{'-P' if total < 0 else 'P'}{years}Y{months}M"


def value_as_text(value: Any) -> str:
    """Any value of a type this package does not know, as text, so that an unknown column is
    written instead of failing the extraction.

    Strings stay as they are, bytes become base64 (as for RAW), JSON-like values (the driver's
    dict/list for Oracle JSON) their JSON text, LOB locators are read; anything else is
    ``str(value)``.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_as_text(value)
    if isinstance(value, (dict, list, tuple, int)):
        return msgspec.json.encode(value).decode("utf-8")
    read = getattr(value, "read", None)
    if callable(read):  # a LOB locator of a type fetched as is (BFILE...)
        return value_as_text(read())
    return str(value)


class IntegerRequired:
    """Outconverter of a column overridden to ``integer``: the driver returns a float for a
    fractional NUMBER even when asked for int, and that must fail loudly, not round."""

    __slots__ = ("column",)

    def __init__(self, column: str) -> None:
        self.column = column

    def __call__(self, value: Any) -> int:
        if type(value) is int:
            return value
        raise EncodingError(
            f"column {self.column!r} is overridden to integer but holds the non-integer "
            f"value {value!r}; override it to 'decimal' instead"
        )
