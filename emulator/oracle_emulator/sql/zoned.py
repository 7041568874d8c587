"""TIMESTAMP WITH TIME ZONE as Oracle keeps it: the instant and the offset it was written
with.

Oracle stores such a value as its UTC instant plus its zone, so that it compares and sorts by
the instant while ``TO_CHAR(x, 'TZH:TZM')``, ``TRUNC(x)`` and the value a client fetches show
the wall clock and offset it was written with (the wire form is the UTC fields plus the
offset bytes, which python-oracledb adds back). DuckDB's TIMESTAMPTZ keeps only the instant,
so a column of this type is stored as text, ``YYYY-MM-DD HH:MI:SS.FFFFFF+HH:MM`` (the wall
clock and its offset; a region is stored as the offset it had at that instant). Queries see
``CAST(text AS TIMESTAMPTZ)``, the instant, so comparisons, sorting and arithmetic are
unchanged; a plain reference to the column in the select list reads the text itself (the
exact twin, as for NUMBER), and so do TRUNC and TO_CHAR of the column.

What is written gets its zone from where Oracle takes it: a ``TIMESTAMP '... +05:30'``
literal or ``FROM_TZ(t, zone)`` written as a value keeps its zone; text is read with the
session's NLS_TIMESTAMP_TZ_FORMAT and keeps the zone it names; any other value (a bind, an
expression, a TIMESTAMP) is taken in the session time zone, as Oracle converts it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa
from sqlglot import exp

from oracle_emulator.api import OracleDateTime
from oracle_emulator.sql import calendar
from oracle_emulator.sql.nls import tzinfo_of

#: the struct a zoned value travels in from a VALUES item to the column's write conversion
ZONED_TYPE = "STRUCT(ora_instant TIMESTAMPTZ, ora_zone VARCHAR)"
#: what the write conversion of a TIMESTAMP WITH TIME ZONE column calls
STORE_MACRO = "ora_tstz_store"
#: a TIMESTAMP literal as parsed (see translate_dialect); its zone ends the text
TIMESTAMP_LITERAL = "__ORA_TIMESTAMP_LITERAL"
_ZONE_SUFFIX = re.compile(r"\s([+-]\d{1,2}:\d{2}|[A-Za-z][A-Za-z_/+-]*)$")
#: the wall clock of stored text, a TIMESTAMP (the text but its offset)
WALL_CLOCK_MACRO = "ora_tstz_wall"
WALL_CLOCK_MACRO_SQL = f"{WALL_CLOCK_MACRO}(x) AS CAST(left(x, length(x) - 6) AS TIMESTAMP)"
#: TO_CHAR of stored text, with the session's NLS (a session macro, see nls_functions)
TO_CHAR_MACRO = "ora_zoned_to_char"
_STORED = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})([+-])(\d\d):(\d\d)")
_MICROS_PER_MINUTE = 60_000_000
MICRO_DIGITS = 6
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
#: the instants a Python datetime holds in any zone (a day inside years 1 to 9999)
_PYTHON_MIN_MICROS = (dt.datetime(1, 1, 2, tzinfo=dt.timezone.utc) - _EPOCH) // dt.timedelta(
    microseconds=1
)
_PYTHON_MAX_MICROS = (dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc) - _EPOCH) // dt.timedelta(
    microseconds=1
)


def zoned_text(instants: pa.Array, zones: pa.Array, digits: pa.Array) -> pa.Array:
    """The stored text of each instant in its zone, rounded to the column's precision.
    Integer arithmetic throughout: Oracle's years run from 4712 BC, beyond Python's."""
    micros = instants.cast(pa.int64()).to_pylist()
    results: list[str | None] = []
    for instant, zone, places in zip(micros, zones.to_pylist(), digits.to_pylist(), strict=True):
        if instant is None:
            results.append(None)
            continue
        results.append(_text(instant, zone or "+00:00", 6 if places is None else places))
    return pa.array(results, type=pa.string())


def _text(micros: int, zone: str, places: int) -> str:
    if places < MICRO_DIGITS:
        step = 10 ** (MICRO_DIGITS - places)
        micros = (micros + step // 2) // step * step
    minutes = _offset_minutes(micros, zone)
    local = calendar.fields_from_nanos((micros + minutes * _MICROS_PER_MINUTE) * 1000)
    year, month, day, hour, minute, second, nanos = local
    sign = "-" if minutes < 0 else "+"
    offset_hours, offset_minutes = divmod(abs(minutes), 60)
    year_text = f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return (
        f"{year_text}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}."
        f"{nanos // 1000:06d}{sign}{offset_hours:02d}:{offset_minutes:02d}"
    )


def _offset_minutes(micros: int, zone: str) -> int:
    """The zone's offset at that instant (a region's at the nearest instant Python holds)."""
    info = tzinfo_of(zone)
    bounded = min(max(micros, _PYTHON_MIN_MICROS), _PYTHON_MAX_MICROS)
    moment = _EPOCH + dt.timedelta(microseconds=bounded)
    offset = moment.astimezone(info).utcoffset() or dt.timedelta()
    return int(offset.total_seconds()) // 60


def stored_parts(text: str) -> tuple[int, int]:
    """(epoch nanoseconds of the wall clock, offset in minutes) of stored text."""
    match = _STORED.fullmatch(text)
    if match is None:
        raise ValueError(f"not a stored TIMESTAMP WITH TIME ZONE: {text!r}")
    year, month, day, hour, minute, second, micros = (int(g) for g in match.groups()[:7])
    sign = -1 if match.group(8) == "-" else 1
    minutes = sign * (int(match.group(9)) * 60 + int(match.group(10)))
    nanos = calendar.nanos_from_fields(year, month, day, hour, minute, second, micros * 1000)
    return nanos, minutes


def from_stored(text: Any) -> Any:
    """The stored text as a client gets it: an aware datetime (its UTC fields and offset go
    on the wire); a value Python cannot hold, as its UTC fields (offset +00:00)."""
    if text is None:
        return None
    local, minutes = stored_parts(str(text))
    utc = local - minutes * _MICROS_PER_MINUTE * 1000
    fields = [calendar.fields_from_nanos(n) for n in (local, utc)]
    if all(1 <= f[0] <= calendar.ORACLE_MAX_YEAR for f in fields):
        year, month, day, hour, minute, second, nanos = fields[0]
        zone = dt.timezone(dt.timedelta(minutes=minutes))
        return dt.datetime(year, month, day, hour, minute, second, nanos // 1000, tzinfo=zone)
    year, month, day, hour, minute, second, nanos = fields[1]
    return OracleDateTime(calendar.oracle_year(year), month, day, hour, minute, second, nanos)


def keep_zones(values: Any, zoned_positions: list[int]) -> None:
    """In ``INSERT ... VALUES`` (before translation): a TIMESTAMP literal with a zone, or
    FROM_TZ, written to a TIMESTAMP WITH TIME ZONE column keeps its zone (elsewhere they are
    DuckDB TIMESTAMPTZ instants), so it is passed on as a struct of the instant and the
    zone (:data:`ZONED_TYPE`), which the column's write conversion stores."""
    if not isinstance(values, exp.Values) or not zoned_positions:
        return
    for row in values.expressions:
        items = row.expressions if isinstance(row, exp.Tuple) else [row]
        for position in zoned_positions:
            if position < len(items):
                zone = _written_zone(items[position])
                if zone is not None:
                    items[position].replace(_zoned_struct(items[position].copy(), zone))


def _written_zone(item: exp.Expression) -> exp.Expression | None:
    """The zone a value names as written, if it is a zoned literal or FROM_TZ."""
    if not isinstance(item, exp.Anonymous):
        return None
    name = str(item.this).upper()
    args = item.expressions
    if name == TIMESTAMP_LITERAL and len(args) == 1 and isinstance(args[0], exp.Literal):
        text = args[0].name.strip()
        zone = _ZONE_SUFFIX.search(text)
        if zone and ":" in text[: zone.start()]:
            return exp.Literal.string(zone.group(1))
        return None
    if name == "FROM_TZ" and len(args) == 2:
        return args[1].copy()
    return None


def _zoned_struct(instant: exp.Expression, zone: exp.Expression) -> exp.Expression:
    fields = (("ora_instant", instant), ("ora_zone", exp.cast(zone, "VARCHAR")))
    return exp.Struct(
        expressions=[
            exp.PropertyEQ(this=exp.to_identifier(name), expression=value) for name, value in fields
        ]
    )
