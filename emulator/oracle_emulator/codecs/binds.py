"""Bind values as the driver writes them (``_write_bind_params_column``), back to Python.

The protocol layer strips the length framing (:func:`.framing.read_length_prefixed`) and
passes the bytes here with the bind's type number and character set form from the bind
metadata. Notes on what the driver sends:

- ROWID and UROWID binds are announced as VARCHAR and sent as their text.
- BINARY_INTEGER (3) is sent as a NUMBER.
- TIMESTAMP binds with no fraction arrive as 7-byte DATE values; TIMESTAMP WITH TIME ZONE
  always carries +00:00 and the naive value the application gave.
- BOOLEAN true is ``01 01`` and false ``00``; a NULL BOOLEAN is not length-framed at all
  but the two bytes ``FD 01`` (escape, 1), which the protocol layer turns into None.
"""

from __future__ import annotations

from collections.abc import Callable

from oracle_emulator.api import CS_FORM_NCHAR
from oracle_emulator.codecs.number import decode_number
from oracle_emulator.codecs.scalars import (
    decode_binary_double,
    decode_binary_float,
    decode_text,
)
from oracle_emulator.codecs.temporal import (
    decode_datetime,
    decode_interval_ds,
    decode_interval_ym,
)

# type numbers as the driver sends them (ORA_TYPE_NUM_* in python-oracledb)
TYPE_VARCHAR = 1
TYPE_NUMBER = 2
TYPE_BINARY_INTEGER = 3
TYPE_LONG = 8
TYPE_ROWID = 11
TYPE_DATE = 12
TYPE_RAW = 23
TYPE_LONG_RAW = 24
TYPE_CHAR = 96
TYPE_BINARY_FLOAT = 100
TYPE_BINARY_DOUBLE = 101
TYPE_TIMESTAMP = 180
TYPE_TIMESTAMP_TZ = 181
TYPE_INTERVAL_YM = 182
TYPE_INTERVAL_DS = 183
TYPE_UROWID = 208
TYPE_TIMESTAMP_LTZ = 231
TYPE_BOOLEAN = 252

_TEXT_TYPES = frozenset({TYPE_VARCHAR, TYPE_LONG, TYPE_CHAR})
_BOOLEAN_TRUE = 1


def _decode_boolean(data: bytes) -> bool:
    return data[0] == _BOOLEAN_TRUE


def _decode_text_form1(data: bytes) -> str:
    return decode_text(data, national=False)


_DECODERS: dict[int, Callable[[bytes], object]] = {
    TYPE_NUMBER: decode_number,
    TYPE_BINARY_INTEGER: decode_number,
    TYPE_ROWID: _decode_text_form1,
    TYPE_UROWID: _decode_text_form1,
    TYPE_RAW: bytes,
    TYPE_LONG_RAW: bytes,
    TYPE_DATE: decode_datetime,
    TYPE_TIMESTAMP: decode_datetime,
    TYPE_TIMESTAMP_TZ: decode_datetime,
    TYPE_TIMESTAMP_LTZ: decode_datetime,
    TYPE_BINARY_FLOAT: decode_binary_float,
    TYPE_BINARY_DOUBLE: decode_binary_double,
    TYPE_INTERVAL_DS: decode_interval_ds,
    TYPE_INTERVAL_YM: decode_interval_ym,
    TYPE_BOOLEAN: _decode_boolean,
}


def decode_bind(ora_type_num: int, csfrm: int, data: bytes | None) -> object:
    """The Python value of one bind value (None for NULL).

    Text comes back as str (UTF-16 for character set form 2), RAW as bytes, NUMBER as int
    or Decimal, dates as datetime (or NanoDateTime), intervals as timedelta (or a
    (days, seconds, nanoseconds) tuple) and IntervalYM. Raises :class:`ValueError` for a
    type number it does not know.
    """
    if ora_type_num in _TEXT_TYPES:
        if data is None:
            return None
        return decode_text(data, national=csfrm == CS_FORM_NCHAR)
    decoder = _DECODERS.get(ora_type_num)
    if decoder is None:
        raise ValueError(f"cannot decode a bind value of Oracle type number {ora_type_num}")
    if data is None:
        return None
    return decoder(data)
