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

from oracle_emulator.sql.nls import offset_text, tzinfo_of

#: the struct a zoned value travels in from a VALUES item to the column's write conversion
ZONED_TYPE = "STRUCT(ora_instant TIMESTAMPTZ, ora_zone VARCHAR)"
#: what the write conversion of a TIMESTAMP WITH TIME ZONE column calls
STORE_MACRO = "ora_tstz_store"
#: a TIMESTAMP literal as parsed (see translate_dialect); its zone ends the text
TIMESTAMP_LITERAL = "__ORA_TIMESTAMP_LITERAL"
_ZONE_SUFFIX = re.compile(r"\s([+-]\d{1,2}:\d{2}|[A-Za-z][A-Za-z_/+-]*)$")
#: the wall clock of stored text, a TIMESTAMP (its first 26 characters)
WALL_CLOCK_MACRO = "ora_tstz_wall"
WALL_CLOCK_MACRO_SQL = f"{WALL_CLOCK_MACRO}(x) AS CAST(left(x, 26) AS TIMESTAMP)"
#: TO_CHAR of stored text, with the session's NLS (a session macro, see nls_functions)
TO_CHAR_MACRO = "ora_zoned_to_char"
_STORED = re.compile(r"(-?\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})([+-])(\d\d):(\d\d)")


def zoned_text(instants: pa.Array, zones: pa.Array, digits: pa.Array) -> pa.Array:
    """The stored text of each instant in its zone, rounded to the column's precision."""
    results: list[str | None] = []
    for instant, zone, places in zip(
        instants.to_pylist(), zones.to_pylist(), digits.to_pylist(), strict=True
    ):
        if instant is None:
            results.append(None)
            continue
        results.append(_text(instant, zone or "+00:00", 6 if places is None else places))
    return pa.array(results, type=pa.string())


def _text(instant: dt.datetime, zone: str, places: int) -> str:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.timezone.utc)
    if places < 6:
        step = 10 ** (6 - places)
        micros = instant.microsecond
        rounded = (micros + step // 2) // step * step
        instant = instant.replace(microsecond=0) + dt.timedelta(microseconds=rounded)
    local = instant.astimezone(tzinfo_of(zone))
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}.{local.microsecond:06d}"
        f"{offset_text(local.utcoffset())}"
    )


def from_stored(text: Any) -> Any:
    """The stored text as the aware datetime a client gets (None stays None)."""
    if text is None:
        return None
    match = _STORED.fullmatch(str(text))
    if match is None:
        raise ValueError(f"not a stored TIMESTAMP WITH TIME ZONE: {text!r}")
    year, month, day, hour, minute, second, micros = (int(g) for g in match.groups()[:7])
    sign = -1 if match.group(8) == "-" else 1
    offset = dt.timedelta(hours=int(match.group(9)), minutes=int(match.group(10))) * sign
    return dt.datetime(year, month, day, hour, minute, second, micros, tzinfo=dt.timezone(offset))


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
