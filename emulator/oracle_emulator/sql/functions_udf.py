"""Python scalar functions for what DuckDB cannot do exactly: Oracle format models, exact
decimal division, INSTR with position and occurrence.

Each is an Arrow UDF (one call per vector of rows, not per row), registered by
:func:`~oracle_emulator.sql.functions.install_functions`. Errors are raised
as :class:`~oracle_emulator.api.OracleError`, whose text ("ORA-01861: ...")
survives DuckDB's wrapping of UDF exceptions; ``functions.oracle_error_from_duckdb`` gets it
back. Timestamps cross as integers (nanoseconds or microseconds since the epoch) so that
nanoseconds are never rounded through ``datetime``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

from oracle_emulator.api import ORA_INVALID_NUMBER, ORA_UNIMPLEMENTED, OracleError
from oracle_emulator.sql import calendar, json_syntax
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql import format_numbers as fnum
from oracle_emulator.sql import format_parse as fp

ORA_DIVISOR_IS_ZERO = 1476
ORA_NUMERIC_OVERFLOW = 1426
#: scale of Oracle NUMBER values whose scale DuckDB cannot float (see functions.NUMBER_TYPE)
NUMBER_SCALE = 18
NUMBER_PRECISION = 38
_NANOS = 1_000_000_000
#: a constant TIMESTAMP with sub-microsecond digits outside 1677-2262, which no DuckDB
#: timestamp type holds: its nanoseconds since 1970, tagged by a struct so that it is
#: described, fetched, formatted and stored as a TIMESTAMP(9) (not computed with)
WIDE_NANOS_FIELD = "ora_epoch_ns"
WIDE_NANOS_TYPE = f"STRUCT({WIDE_NANOS_FIELD} HUGEINT)"
#: a BFILE value (BFILENAME): the directory object's and the file's names, in a struct whose
#: type tells the result layer to describe and fetch it as a BFILE
BFILE_FIELDS = ("ora_bfile_dir", "ora_bfile_name")
BFILE_TYPE = f"STRUCT({BFILE_FIELDS[0]} VARCHAR, {BFILE_FIELDS[1]} VARCHAR)"
#: the 64-bit range of a TIMESTAMP_NS, without the extremes DuckDB keeps for +-infinity
NANOS_MAX = 2**63 - 2
NANOS_MIN = -NANOS_MAX
_QUANTUM = decimal.Decimal(1).scaleb(-NUMBER_SCALE)
_LIMIT = decimal.Decimal(10) ** (NUMBER_PRECISION - NUMBER_SCALE)
_DIVISION = decimal.Context(prec=NUMBER_PRECISION + 2, rounding=decimal.ROUND_HALF_UP)
NUMBER_ARROW_TYPE = pa.decimal128(NUMBER_PRECISION, NUMBER_SCALE)


def _columns(*arrays: pa.Array | pa.ChunkedArray) -> Iterable[tuple[Any, ...]]:
    return zip(*(array.to_pylist() for array in arrays), strict=True)


def _map(
    function: Callable[..., Any], arrays: tuple[pa.Array, ...], out_type: pa.DataType
) -> pa.Array:
    """Apply ``function`` row by row; a NULL argument gives NULL without a call. A text
    that is no number (``decimal.Decimal`` refuses it) is Oracle's ORA-01722."""
    try:
        results = [
            None if any(value is None for value in row) else function(*row)
            for row in _columns(*arrays)
        ]
    except decimal.InvalidOperation:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number") from None
    return pa.array(results, type=out_type)


def _as_ints(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return array.cast(pa.int64())


# -- numbers ---------------------------------------------------------------------------------


def _to_number(value: decimal.Decimal) -> decimal.Decimal:
    result = value.quantize(_QUANTUM, context=_DIVISION)
    if abs(result) >= _LIMIT:
        raise OracleError(ORA_NUMERIC_OVERFLOW, "numeric overflow")
    return result


def _divide(left: str, right: str) -> decimal.Decimal:
    divisor = decimal.Decimal(right)
    if divisor.is_zero():
        raise OracleError(ORA_DIVISOR_IS_ZERO, "divisor is equal to zero")
    return _to_number(_DIVISION.divide(decimal.Decimal(left), divisor))


def div_exact(left: pa.Array, right: pa.Array) -> pa.Array:
    """Oracle's exact ``/`` on the text of two numbers, as DECIMAL(38, 18)."""
    return _map(_divide, (left, right), NUMBER_ARROW_TYPE)


def num_text(values: pa.Array) -> pa.Array:
    """``TO_CHAR(number)``: Oracle's canonical text of a number."""
    return _map(lambda text: fnum.canonical_text(decimal.Decimal(text)), (values,), pa.string())


def num_format(values: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_CHAR(number, model)``."""
    return _map(
        lambda text, model: fnum.format_number(decimal.Decimal(text), model),
        (values, models),
        pa.string(),
    )


def parse_number(texts: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_NUMBER(text[, model])``; the model ``TM9`` stands for "no model"."""
    return _map(
        lambda text, model: _to_number(fnum.parse_number(text, model)),
        (texts, models),
        NUMBER_ARROW_TYPE,
    )


_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FLOAT_WORDS = {"NAN": math.nan, "INF": math.inf, "+INF": math.inf, "-INF": -math.inf}


def _binary_double(text: str) -> float:
    """Oracle's text of a BINARY_DOUBLE: a number, or NaN / INF / -INF in any case; a
    ``d``/``f`` suffix is not allowed in text (ORA-01722)."""
    stripped = text.strip()
    word = _FLOAT_WORDS.get(stripped.upper())
    if word is not None:
        return word
    if not _FLOAT_TEXT.fullmatch(stripped):
        raise OracleError(ORA_INVALID_NUMBER, "invalid number")
    return float(stripped)


def parse_binary_double(texts: pa.Array) -> pa.Array:
    """``TO_BINARY_DOUBLE(text)`` / ``TO_BINARY_FLOAT(text)`` (the latter casts after)."""
    return _map(_binary_double, (texts,), pa.float64())


# -- datetimes -------------------------------------------------------------------------------


def _from_nanos(nanos: int, offset: int | None = None) -> fm.DateTimeValue:
    year, month, day, hour, minute, second, fraction = calendar.fields_from_nanos(nanos)
    moment, shift = calendar.python_moment(year, month, day, hour, minute, second)
    return fm.DateTimeValue(
        moment.replace(microsecond=fraction // 1000), fraction, offset, None, shift
    )


def epoch_nanos(value: fm.DateTimeValue) -> int:
    """Nanoseconds since 1970-01-01 of a parsed value (any Oracle year)."""
    return _to_nanos(value)


def _to_nanos(value: fm.DateTimeValue) -> int:
    moment = value.value
    return calendar.nanos_from_fields(
        moment.year + value.year_shift,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        value.nanosecond,
    )


def dt_format(values: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_CHAR(date or timestamp, model)`` for TIMESTAMP_NS input."""
    return _map(
        lambda nanos, model: fm.format_datetime(_from_nanos(nanos), model),
        (_as_ints(values), models),
        pa.string(),
    )


def dt_format_us(values: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_CHAR(date or timestamp, model)`` for TIMESTAMP (microsecond) input, whose range
    (4713 BC and beyond) TIMESTAMP_NS cannot hold."""
    return _map(
        lambda micros, model: fm.format_datetime(_from_nanos(micros * 1000), model),
        (_as_ints(values), models),
        pa.string(),
    )


def ns_format(values: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_CHAR`` of epoch nanoseconds as a HUGEINT (a TIMESTAMP(7-9) column's stored
    value, whose range no DuckDB timestamp type holds with nanoseconds)."""
    return _map(
        lambda nanos, model: fm.format_datetime(_from_nanos(int(nanos)), model),
        (values, models),
        pa.string(),
    )


def tstz_format(values: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_CHAR(timestamp with time zone, model)``: DuckDB keeps the instant but not the
    zone, so the value is shown in UTC (TZH:TZM = +00:00, TZR = UTC)."""

    def one(micros: int, model: str) -> str | None:
        value = _from_nanos(micros * 1000, 0)
        return fm.format_datetime(dataclasses.replace(value, tz_region="UTC"), model)

    return _map(one, (_as_ints(values), models), pa.string())


def parse_date(texts: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_DATE``: second precision, as a TIMESTAMP (microseconds)."""

    def one(text: str, model: str) -> int:
        value = fp.parse_datetime(text, model)
        if any(element.name.startswith("FF") for element in fm.compile_model(model)):
            raise OracleError(fm.ORA_DATE_FORMAT_NOT_RECOGNIZED, "date format not recognized")
        return _to_nanos(value) // _NANOS * 1_000_000

    return _map(one, (texts, models), pa.timestamp("us"))


def parse_timestamp(texts: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_TIMESTAMP`` with nanoseconds, as a TIMESTAMP_NS."""
    return _map(
        lambda text, model: in_nanosecond_range(_to_nanos(fp.parse_datetime(text, model))),
        (texts, models),
        pa.timestamp("ns"),
    )


def in_nanosecond_range(nanos: int) -> int:
    """A TIMESTAMP_NS is 64 bits of nanoseconds (1677-09-21 to 2262-04-11). Expressions
    with more than 6 fraction digits use it; beyond its range they are refused as
    unimplemented rather than wrapped around (a TIMESTAMP literal is exact at any year, and
    a TIMESTAMP(7-9) column stores any value; see :mod:`.conversions`)."""
    if not NANOS_MIN <= nanos <= NANOS_MAX:
        raise OracleError(
            ORA_UNIMPLEMENTED,
            "unimplemented feature: TIMESTAMP with nanoseconds outside 1677-09-21 to 2262-04-11",
        )
    return nanos


def parse_timestamp_tz(texts: pa.Array, models: pa.Array) -> pa.Array:
    """``TO_TIMESTAMP_TZ``: the instant in UTC (microseconds; DuckDB's TIMESTAMPTZ has no
    nanoseconds). A region name is resolved with the IANA database."""

    def one(text: str, model: str) -> int:
        value = fp.parse_datetime(text, model)
        nanos = _to_nanos(value)
        offset = value.tz_offset_minutes
        if offset is None and value.tz_region:
            offset = _region_offset(value.tz_region, value.value)
        return (nanos - (offset or 0) * 60 * _NANOS) // 1000

    return _map(one, (texts, models), pa.timestamp("us", tz="UTC"))


def _region_offset(region: str, local: dt.datetime) -> int:
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(region)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise OracleError(1882, "timezone region not found") from None
    offset = local.replace(tzinfo=zone).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


# -- strings ---------------------------------------------------------------------------------


def _instr(text: str, sub: str, position: int, occurrence: int) -> int:
    if occurrence < 1:
        raise OracleError(1428, f"argument '{occurrence}' is out of range")
    if position == 0:
        return 0
    if position > 0:
        found = position - 2
        for _ in range(occurrence):
            found = text.find(sub, found + 1)
            if found < 0:
                return 0
        return found + 1
    end = len(text) + position + len(sub)
    for _ in range(occurrence):
        found = text.rfind(sub, 0, end)
        if found < 0:
            return 0
        end = found + len(sub) - 1
    return found + 1


def is_json(
    texts: pa.Array, strict: pa.Array, unique_keys: pa.Array, scalars: pa.Array
) -> pa.Array:
    """``text IS JSON`` with its modifiers (see :mod:`.json_syntax`); NULL stays NULL, as
    Oracle's condition is unknown for NULL."""

    def test(text: str, strict: bool, unique: bool, allow_scalars: bool) -> bool:
        if not json_syntax.well_formed(text, strict, unique):
            return False
        return allow_scalars or text.strip()[:1] in ("{", "[")

    return _map(test, (texts, strict, unique_keys, scalars), pa.bool_())


def instr(texts: pa.Array, subs: pa.Array, positions: pa.Array, occurrences: pa.Array) -> pa.Array:
    """``INSTR(text, sub, position, occurrence)``, negative positions searching backwards."""
    return _map(_instr, (texts, subs, positions, occurrences), pa.int64())
