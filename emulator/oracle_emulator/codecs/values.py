"""Column values as python-oracledb's ``_process_column_data`` reads them from ROW_DATA.

:func:`encode_value` is the reference: one value of one column. :func:`make_row_encoder`
builds, once per column list, a function that encodes whole rows into exactly the same
bytes, with one encoder per column picked up front and bounded memo tables for values that
repeat; the SQL engine uses it to pre-encode tables so that fetches serve stored bytes.

Special forms (everything else is a length-prefixed byte string, NULL a single 0 byte):

- LONG and LONG RAW are followed by a null indicator and a return code (both 0 here).
- ROWID is a length byte and the rowid's numbers (see :mod:`.rowid`); UROWID two values.
- A column described with a buffer size of 0 (a NULL literal typed VARCHAR2(0), a RAW(0))
  is "NULL by describe": the driver reads no bytes at all for it.
- LOB columns are written by the protocol layer as locators: they raise :class:`ValueError`.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Callable
from typing import Any

from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.codecs.framing import (
    MAX_SHORT_LENGTH,
    NULL_VALUE,
    SHORT_PREFIXES,
    with_length,
)
from oracle_emulator.codecs.number import number_wire
from oracle_emulator.codecs.rowid import (
    encode_rowid_column,
    encode_urowid_column,
)
from oracle_emulator.codecs.scalars import (
    BINARY_DOUBLE_SIZE,
    BINARY_FLOAT_SIZE,
    DATABASE_ENCODING,
    NATIONAL_ENCODING,
    encode_binary_double,
    encode_binary_float,
)
from oracle_emulator.codecs.temporal import (
    DATE_SIZE,
    TIMESTAMP_SIZE,
    encode_date,
    encode_interval_ds,
    encode_interval_ym,
    encode_timestamp,
    encode_timestamp_tz,
)

ValueEncoder = Callable[[Any], bytes]

#: after a LONG / LONG RAW value: null indicator (sb4 0) and return code (ub4 0)
_LONG_TRAILER = b"\x00\x00"
_NOTHING = b""
_TIME_OFFSET = 1
_CENTURY_OFFSET = 100
_NANOS_PER_MICRO = 1_000

_DATE_WIRE = struct.Struct(">8B")
_TIMESTAMP_WIRE = struct.Struct(">8BI")
_DOUBLE_WIRE = struct.Struct(">Bd")
_FLOAT_WIRE = struct.Struct(">Bf")
_FLOAT_MAX = 3.4028234663852886e38
_DATE_PREFIX = SHORT_PREFIXES[DATE_SIZE]


def _bytes_wire(data: bytes) -> bytes:
    size = len(data)
    if size <= MAX_SHORT_LENGTH:
        return SHORT_PREFIXES[size] + data
    return with_length(data)


def _text(value: str, encoding: str = DATABASE_ENCODING) -> bytes:
    try:
        return value.encode(encoding)
    except AttributeError:
        raise TypeError(f"character data must be str, not {type(value).__name__}") from None


def _binary(value: bytes) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    # bytes(int) would silently make that many zero bytes
    raise TypeError(f"binary data must be bytes, not {type(value).__name__}")


def _text_wire(value: str) -> bytes:
    try:
        data = value.encode()
    except AttributeError:
        data = _text(value)
    size = len(data)
    if size <= MAX_SHORT_LENGTH:
        return SHORT_PREFIXES[size] + data
    return with_length(data)


def _national_text_wire(value: str) -> bytes:
    return _bytes_wire(_text(value, NATIONAL_ENCODING))


def _raw_wire(value: bytes) -> bytes:
    return _bytes_wire(_binary(value))


def _long_wire(value: str) -> bytes:
    return with_length(_text(value)) + _LONG_TRAILER


def _long_raw_wire(value: bytes) -> bytes:
    return with_length(_binary(value)) + _LONG_TRAILER


def _date_wire(value: Any) -> bytes:
    if type(value) is not dt.datetime:
        return _DATE_PREFIX + encode_date(value)
    year = value.year
    return _DATE_WIRE.pack(
        DATE_SIZE,
        year // 100 + _CENTURY_OFFSET,
        year % 100 + _CENTURY_OFFSET,
        value.month,
        value.day,
        value.hour + _TIME_OFFSET,
        value.minute + _TIME_OFFSET,
        value.second + _TIME_OFFSET,
    )


def _timestamp_wire(value: Any) -> bytes:
    if type(value) is not dt.datetime or not value.microsecond:
        return _bytes_wire(encode_timestamp(value))
    year = value.year
    return _TIMESTAMP_WIRE.pack(
        TIMESTAMP_SIZE,
        year // 100 + _CENTURY_OFFSET,
        year % 100 + _CENTURY_OFFSET,
        value.month,
        value.day,
        value.hour + _TIME_OFFSET,
        value.minute + _TIME_OFFSET,
        value.second + _TIME_OFFSET,
        value.microsecond * _NANOS_PER_MICRO,
    )


def _timestamp_tz_wire(value: Any) -> bytes:
    return _bytes_wire(encode_timestamp_tz(value))


def _binary_double_wire(value: float) -> bytes:
    if value > 0.0:
        # a positive value only gains its sign bit: the IEEE bytes of its negation
        return _DOUBLE_WIRE.pack(BINARY_DOUBLE_SIZE, -value)
    return _bytes_wire(encode_binary_double(value))


def _binary_float_wire(value: float) -> bytes:
    if value > 0.0 and value <= _FLOAT_MAX:
        return _FLOAT_WIRE.pack(BINARY_FLOAT_SIZE, -value)
    return _bytes_wire(encode_binary_float(value))


def _interval_ds_wire(value: Any) -> bytes:
    return _bytes_wire(encode_interval_ds(value))


def _interval_ym_wire(value: Any) -> bytes:
    return _bytes_wire(encode_interval_ym(value))


#: complete wire form of a non-NULL value, per column type
_WIRE_ENCODERS: dict[OracleType, ValueEncoder] = {
    OracleType.NUMBER: number_wire,
    OracleType.VARCHAR2: _text_wire,
    OracleType.CHAR: _text_wire,
    OracleType.NVARCHAR2: _national_text_wire,
    OracleType.NCHAR: _national_text_wire,
    OracleType.LONG: _long_wire,
    OracleType.RAW: _raw_wire,
    OracleType.LONG_RAW: _long_raw_wire,
    OracleType.DATE: _date_wire,
    OracleType.TIMESTAMP: _timestamp_wire,
    OracleType.TIMESTAMP_LTZ: _timestamp_wire,
    OracleType.TIMESTAMP_TZ: _timestamp_tz_wire,
    OracleType.BINARY_DOUBLE: _binary_double_wire,
    OracleType.BINARY_FLOAT: _binary_float_wire,
    OracleType.INTERVAL_DS: _interval_ds_wire,
    OracleType.INTERVAL_YM: _interval_ym_wire,
    OracleType.ROWID: encode_rowid_column,
    OracleType.UROWID: encode_urowid_column,
}
_NULL_FORMS: dict[OracleType, bytes] = {
    OracleType.LONG: NULL_VALUE + _LONG_TRAILER,
    OracleType.LONG_RAW: NULL_VALUE + _LONG_TRAILER,
}
#: types the driver reads even when described with a buffer size of 0
_ALWAYS_READ = frozenset({OracleType.LONG, OracleType.LONG_RAW, OracleType.UROWID})


def null_form(column: ColumnInfo) -> bytes:
    """The wire form of NULL in ``column``."""
    return _NULL_FORMS.get(column.type, NULL_VALUE)


def wire_encoder(column: ColumnInfo) -> ValueEncoder:
    """The encoder of non-NULL values of ``column`` (after :func:`check_encodable`)."""
    return _WIRE_ENCODERS[column.type]


def is_null_by_describe(column: ColumnInfo) -> bool:
    """True when the driver reads no bytes for this column (described buffer size 0)."""
    return column.max_bytes == 0 and column.type not in _ALWAYS_READ


def check_encodable(column: ColumnInfo) -> None:
    """Raise :class:`ValueError` for columns whose values are not written as row data."""
    if column.type not in _WIRE_ENCODERS:
        raise _not_encodable(column)


def _not_encodable(column: ColumnInfo) -> ValueError:
    if column.type.is_locator:
        return ValueError(
            f"column {column.name}: {column.type.name} values are locators, "
            "written by the protocol layer"
        )
    return ValueError(f"column {column.name}: no encoder for {column.type.name}")


def encode_value(column: ColumnInfo, value: Any) -> bytes:
    """The complete wire form of one value of ``column`` inside a ROW_DATA message.

    The reference for :func:`.rows.make_row_encoder`, which is faster for whole rows.
    """
    kind = column.type
    wire = _WIRE_ENCODERS.get(kind)
    if wire is None:
        raise _not_encodable(column)
    if kind not in _ALWAYS_READ and column.max_bytes == 0:
        return null_by_describe(column, value)
    if value is None:
        return _NULL_FORMS.get(kind, NULL_VALUE)
    return wire(value)


def null_by_describe(column: ColumnInfo, value: Any) -> bytes:
    """The (empty) wire form of a value of a column the driver reads nothing for."""
    if value is not None:
        raise ValueError(f"column {column.name} is described with size 0, so it can only hold NULL")
    return _NOTHING
