"""Oracle value codecs: Python values to and from the bytes python-oracledb reads and writes.

Shared by the emulator's protocol layer (row data, bind values) and its SQL engine, which
pre-encodes table rows once with :func:`make_row_encoder` and serves the stored bytes.
Formats follow the thin driver's readers (``impl/base/decoders.pyx``, ``buffer.pyx`` and
``impl/thin/messages/base.pyx``); each module says which part of the format it covers:

- :mod:`.framing`: length prefixes, NULL, universal integers
- :mod:`.number`: NUMBER
- :mod:`.temporal`: DATE, TIMESTAMP[ WITH [LOCAL ]TIME ZONE], INTERVALs
- :mod:`.scalars`: BINARY_FLOAT/DOUBLE, character data
- :mod:`.rowid`: ROWID text and the ROWID/UROWID row-data forms
- :mod:`.values`: one column value in ROW_DATA
- :mod:`.rows`: the row encoder built once per column list (memo tables, generated code)
- :mod:`.binds`: bind values sent by the driver

Errors: malformed or unrepresentable values raise :class:`ValueError`; values of a Python
type a codec does not take raise :class:`TypeError`.
"""

from __future__ import annotations

from oracle_emulator.codecs.binds import decode_bind
from oracle_emulator.codecs.framing import (
    NULL_VALUE,
    read_length_prefixed,
    with_length,
)
from oracle_emulator.codecs.number import decode_number, encode_number
from oracle_emulator.codecs.rowid import parse_rowid_text, rowid_text
from oracle_emulator.codecs.rows import column_encoder, make_row_encoder
from oracle_emulator.codecs.scalars import (
    decode_binary_double,
    decode_binary_float,
    encode_binary_double,
    encode_binary_float,
    encode_text,
)
from oracle_emulator.codecs.temporal import (
    decode_datetime,
    decode_interval_ds,
    decode_interval_ym,
    encode_date,
    encode_interval_ds,
    encode_interval_ym,
    encode_timestamp,
    encode_timestamp_tz,
)
from oracle_emulator.codecs.values import encode_value, is_null_by_describe

__all__ = [
    "NULL_VALUE",
    "column_encoder",
    "decode_binary_double",
    "decode_binary_float",
    "decode_bind",
    "decode_datetime",
    "decode_interval_ds",
    "decode_interval_ym",
    "decode_number",
    "encode_binary_double",
    "encode_binary_float",
    "encode_date",
    "encode_interval_ds",
    "encode_interval_ym",
    "encode_number",
    "encode_text",
    "encode_timestamp",
    "encode_timestamp_tz",
    "encode_value",
    "is_null_by_describe",
    "make_row_encoder",
    "parse_rowid_text",
    "read_length_prefixed",
    "rowid_text",
    "with_length",
]
