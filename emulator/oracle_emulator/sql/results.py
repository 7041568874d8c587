"""Turn a DuckDB result into Oracle's description and Python values.

Columns with a declared type (plain column references) keep it; the rest are described from
the DuckDB type, the way Oracle would describe a similar expression. Values are converted
only where DuckDB's Python form differs from what the protocol layer expects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from oracle_emulator.api import (
    ORA_INVALID_YEAR,
    BfileName,
    ColumnInfo,
    IntervalYM,
    NanoDateTime,
    OracleDateTime,
    OracleError,
    OracleType,
)
from oracle_emulator.sql import calendar, zoned
from oracle_emulator.sql.conversions import READ_EXACT, READ_MONTHS, READ_NANOS, READ_ZONED
from oracle_emulator.sql.functions import WIDE_NANOS_FIELD, WIDE_NANOS_TYPE
from oracle_emulator.sql.functions_udf import BFILE_FIELDS, BFILE_TYPE
from oracle_emulator.sql.oratypes import UNCONSTRAINED_SCALE
from oracle_emulator.sql.outputs import READ_NUMBER_TEXT, STAR_NAME, OutputColumn

Converter = Callable[[Any], Any]
DEFAULT_VARCHAR_SIZE = 4000
DEFAULT_RAW_SIZE = 2000
NANOS_PER_MICRO = 1000
NANOS_PER_SECOND = 1_000_000_000
MONTHS_PER_YEAR = 12
_EPOCH = dt.datetime(1970, 1, 1)
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
#: the DuckDB type of an unconstrained NUMBER expression
UNCONSTRAINED_DECIMAL = "DECIMAL(38,18)"
_INTEGER_PRECISION = {
    "TINYINT": 3, "SMALLINT": 5, "INTEGER": 10, "BIGINT": 19, "HUGEINT": 38,
    "UTINYINT": 3, "USMALLINT": 5, "UINTEGER": 10, "UBIGINT": 20, "UHUGEINT": 38,
}  # fmt: skip
_TIMESTAMP_KINDS = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS"}
#: DuckDB's text of a value Python cannot hold: a BC year is written "4713-01-01 (BC)"
_DUCKDB_TEXT = re.compile(
    r"(\d+)-(\d+)-(\d+)( \(BC\))?(?: (\d+):(\d+):(\d+)(?:\.(\d+))?)?(?:[+-][\d:]+)?"
)
_ORA_INVALID_YEAR_TEXT = "(full) year must be between -4713 and +9999, and not be 0"
_DOUBLE_KINDS = {"DOUBLE", "FLOAT"}
_TEXT_KINDS = {"VARCHAR", "TIME", "UUID", "TIME WITH TIME ZONE", "BIT", "BIGNUM", "VARINT"}


def infer_column(name: str, duck_type: str, expression: bool = False) -> ColumnInfo:
    """Describe a result column of DuckDB type ``duck_type`` as Oracle would.

    Oracle describes a NUMBER ``expression`` (a literal, COUNT(*), LEVEL, arithmetic, a
    division) as NUMBER without precision, (0, -127): DuckDB's integer types and the
    emulator's unconstrained NUMBER (DECIMAL(38, 18), what divisions and NUMBER functions
    return) are described so. A column read through a subquery or a view, and other
    DECIMAL(p, s), keep the precision and scale DuckDB gives them.
    """
    text = duck_type.upper()
    if expression and (text in _INTEGER_PRECISION or text == UNCONSTRAINED_DECIMAL):
        return ColumnInfo(name, OracleType.NUMBER, precision=0, scale=UNCONSTRAINED_SCALE)
    if text in _INTEGER_PRECISION:
        return ColumnInfo(name, OracleType.NUMBER, precision=_INTEGER_PRECISION[text], scale=0)
    match = _DECIMAL.fullmatch(text)
    if match:
        return ColumnInfo(
            name, OracleType.NUMBER, precision=int(match.group(1)), scale=int(match.group(2))
        )
    simple = {
        "DOUBLE": ColumnInfo(name, OracleType.BINARY_DOUBLE),
        "FLOAT": ColumnInfo(name, OracleType.BINARY_FLOAT),
        "BOOLEAN": ColumnInfo(name, OracleType.NUMBER, precision=1, scale=0),
        "DATE": ColumnInfo(name, OracleType.DATE),
        "TIMESTAMP": ColumnInfo(name, OracleType.TIMESTAMP, scale=6),
        "TIMESTAMP_S": ColumnInfo(name, OracleType.TIMESTAMP, scale=0),
        "TIMESTAMP_MS": ColumnInfo(name, OracleType.TIMESTAMP, scale=3),
        "TIMESTAMP_NS": ColumnInfo(name, OracleType.TIMESTAMP, scale=9),
        "TIMESTAMP WITH TIME ZONE": ColumnInfo(name, OracleType.TIMESTAMP_TZ, scale=6),
        "INTERVAL": ColumnInfo(name, OracleType.INTERVAL_DS, precision=9, scale=6),
        "BLOB": ColumnInfo(name, OracleType.RAW, size=DEFAULT_RAW_SIZE),
    }
    if text in simple:
        return simple[text]
    if duck_type == WIDE_NANOS_TYPE:
        return ColumnInfo(name, OracleType.TIMESTAMP, scale=9)
    if duck_type == BFILE_TYPE:
        return ColumnInfo(name, OracleType.BFILE)
    return ColumnInfo(name, OracleType.VARCHAR2, size=DEFAULT_VARCHAR_SIZE)


def describe(
    outputs: list[OutputColumn], description: Sequence[Any]
) -> tuple[list[ColumnInfo], list[Converter | None]]:
    """Column infos and per-column value converters of an executed query."""
    names_fit = len(outputs) == len(description) and all(o.name != STAR_NAME for o in outputs)
    infos: list[ColumnInfo] = []
    converters: list[Converter | None] = []
    for index, entry in enumerate(description):
        duck_type = str(entry[1])
        output = outputs[index] if names_fit else OutputColumn(str(entry[0]))
        info = output.info or infer_column(output.name, duck_type, output.expression)
        if output.info is None and output.double_is_number and duck_type in _DOUBLE_KINDS:
            # NUMBER computed in double precision: still a NUMBER to the client, its value
            # the double's shortest text (ORA-01426 from 1e126 on, when it is encoded)
            info = ColumnInfo(
                output.name, OracleType.NUMBER, precision=0, scale=UNCONSTRAINED_SCALE
            )
        if output.info is None:
            info = _datetime_info(output, duck_type) or info
        infos.append(info)
        converters.append(_converter(info, duck_type, output.read))
    return infos, converters


#: DuckDB's types of a datetime expression's value (DATE and TIMESTAMP(0-6) are TIMESTAMP)
_DATETIME_KINDS = {"DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}
#: INTERVAL DAY(9) TO SECOND(9): Oracle's type of a difference of two datetimes (not both DATE)
DIFFERENCE_PRECISION = 9
DIFFERENCE_SCALE = 9


def _datetime_info(output: OutputColumn, duck_type: str) -> ColumnInfo | None:
    """The description Oracle's datetime rules give the expression (``output.datetime``),
    where DuckDB's value is of that family (a DATE result is a DuckDB TIMESTAMP: see
    .datetime_types)."""
    upper = duck_type.upper()
    if output.datetime is OracleType.DATE and upper in _DATETIME_KINDS:
        return ColumnInfo(output.name, OracleType.DATE)
    if output.datetime is OracleType.INTERVAL_DS and upper == "INTERVAL":
        return ColumnInfo(
            output.name,
            OracleType.INTERVAL_DS,
            precision=DIFFERENCE_PRECISION,
            scale=DIFFERENCE_SCALE,
        )
    return None


def _converter(info: ColumnInfo, duck_type: str, read: str | None) -> Converter | None:
    if read in (READ_EXACT, READ_NUMBER_TEXT):
        return _exact
    if read == READ_NANOS:
        return nanos_to_datetime
    if read == READ_ZONED:
        return zoned.from_stored
    if duck_type == WIDE_NANOS_TYPE:
        return _wide_nanos
    if duck_type == BFILE_TYPE:
        return _bfile
    if read == READ_MONTHS:
        return months_to_interval
    upper = duck_type.upper()
    if upper == "TIMESTAMP WITH TIME ZONE":
        return _in_year_range(_naive_utc)
    if upper == "DATE":
        return _in_year_range(_date_to_datetime)
    if upper in _TIMESTAMP_KINDS:
        return _in_year_range(None)
    if upper == "BOOLEAN":
        return _bool_to_int
    if upper in _TEXT_KINDS and info.type is OracleType.VARCHAR2 and upper != "VARCHAR":
        return _to_text
    if upper.startswith(("STRUCT", "MAP", "UNION")) or upper.endswith("[]"):
        return _to_text
    return None


def _in_year_range(convert: Converter | None) -> Converter:
    """``convert``, after turning what DuckDB hands over as text (values outside Python's
    years 1 to 9999) into Oracle's: a BC value as :class:`OracleDateTime`, and ORA-01841
    beyond Oracle's range (``DATE '9999-12-31' + 1``), as Oracle answers."""

    def checked(value: Any) -> Any:
        if isinstance(value, str):
            return wide_datetime(value)
        return value if convert is None else convert(value)

    return checked


def wide_datetime(text: str) -> OracleDateTime:
    """DuckDB's text of a date or timestamp outside Python's range, if Oracle's range holds it
    (a time zone suffix is dropped: the emulator's session time zone is UTC)."""
    match = _DUCKDB_TEXT.fullmatch(text.strip())
    if match is None or not match.group(4):
        raise OracleError(ORA_INVALID_YEAR, _ORA_INVALID_YEAR_TEXT)
    year = -int(match.group(1))
    if year < calendar.ORACLE_MIN_YEAR:
        raise OracleError(ORA_INVALID_YEAR, _ORA_INVALID_YEAR_TEXT)
    clock = [int(part) for part in match.group(5, 6, 7) if part is not None]
    fraction = (match.group(8) or "").ljust(9, "0")
    month, day = int(match.group(2)), int(match.group(3))
    return OracleDateTime(year, month, day, *clock, nanosecond=int(fraction))


def _bfile(value: Any) -> Any:
    if value is None:
        return None
    directory, file_name = (value[field] or "" for field in BFILE_FIELDS)
    return BfileName(directory, file_name)


def _exact(value: Any) -> Any:
    return None if value is None else Decimal(value)


def nanos_to_datetime(value: Any) -> Any:
    """Epoch nanoseconds as a datetime, NanoDateTime when sub-microsecond digits exist, or
    OracleDateTime before the year 1 (ORA-01841 beyond Oracle's range)."""
    if value is None:
        return None
    year, month, day, hour, minute, second, nanos = calendar.fields_from_nanos(int(value))
    if not 1 <= year <= calendar.ORACLE_MAX_YEAR:
        signed = calendar.oracle_year(year)
        if not calendar.ORACLE_MIN_YEAR <= signed <= calendar.ORACLE_MAX_YEAR:
            raise OracleError(ORA_INVALID_YEAR, _ORA_INVALID_YEAR_TEXT)
        return OracleDateTime(signed, month, day, hour, minute, second, nanos)
    moment = dt.datetime(year, month, day, hour, minute, second, nanos // NANOS_PER_MICRO)
    if nanos % NANOS_PER_MICRO:
        return NanoDateTime(moment, nanos)
    return moment


def _wide_nanos(value: Any) -> Any:
    return None if value is None else nanos_to_datetime(value[WIDE_NANOS_FIELD])


def months_to_interval(value: Any) -> Any:
    if value is None:
        return None
    months = int(value)
    sign = -1 if months < 0 else 1
    years, rest = divmod(abs(months), MONTHS_PER_YEAR)
    return IntervalYM(sign * years, sign * rest)


def _naive_utc(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _date_to_datetime(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _bool_to_int(value: Any) -> Any:
    return None if value is None else int(value)


def _to_text(value: Any) -> Any:
    return None if value is None else str(value)


def convert_rows(
    rows: list[tuple[Any, ...]], converters: list[Converter | None]
) -> list[tuple[Any, ...]]:
    """Apply converters column-wise (rows untouched when none is needed)."""
    active = [(i, c) for i, c in enumerate(converters) if c is not None]
    if not active:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for index, convert in active:
            values[index] = convert(values[index])
        out.append(tuple(values))
    return out
