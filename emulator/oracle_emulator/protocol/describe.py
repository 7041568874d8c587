"""DESCRIBE_INFO: the column metadata from which the driver builds ``cursor.description``.

Layout: ``MessageWithData._process_describe_info`` and ``Message._process_metadata`` in
``messages/base.pyx`` at TTC field version 13. What the driver shows:
``display_size`` = the "max size" field (characters for character types, bytes for RAW) or a
per-type default when it is 0; ``internal_size`` = the buffer size (bytes) when the max size
is not 0; precision and scale as given; ``null_ok`` from the nullable byte.
"""

from __future__ import annotations

from collections.abc import Sequence

from oracle_emulator.api import CS_FORM_NCHAR, ColumnInfo, OracleType
from oracle_emulator.protocol.buffer import WriteBuffer
from oracle_emulator.protocol.constants import (
    CHARSET_UTF8,
    NCHARSET_UTF16,
    MessageType,
)

#: types whose "max size" is their declared length; the others report 0 like Oracle does
_SIZED_TYPES = frozenset(
    {
        OracleType.VARCHAR2,
        OracleType.NVARCHAR2,
        OracleType.CHAR,
        OracleType.NCHAR,
        OracleType.RAW,
        OracleType.UROWID,
    }
)


#: the UDS flag of a column an IS JSON check constraint holds to JSON (text, not OSON)
UDS_FLAGS_IS_JSON = 0x100


def _signed_byte(value: int) -> int:
    return value & 0xFF


def write_column(out: WriteBuffer, column: ColumnInfo) -> None:
    """One column's metadata (``_process_metadata``)."""
    csfrm = column.csfrm
    out.write_uint8(column.type.wire_type)
    out.write_uint8(0)  # flags
    out.write_uint8(_signed_byte(column.precision))
    out.write_uint8(_signed_byte(column.scale))
    # a buffer size of 0 makes the driver read nothing for the column ("NULL by describe"),
    # which the codecs' row encoders honour
    out.write_ub4(column.max_bytes)
    out.write_ub4(0)  # maximum number of array elements
    out.write_ub8(0)  # continuation flags
    out.write_ub4(0)  # type OID (none)
    out.write_ub2(0)  # type version
    if csfrm:
        out.write_ub2(NCHARSET_UTF16 if csfrm == CS_FORM_NCHAR else CHARSET_UTF8)
    else:
        out.write_ub2(0)
    out.write_uint8(csfrm)
    out.write_ub4(column.size if column.type in _SIZED_TYPES else 0)
    out.write_ub4(0)  # column id (OAC)
    out.write_uint8(1 if column.nullable else 0)
    out.write_uint8(0)  # v7 length of name
    out.write_str_with_length(column.name)
    out.write_str_with_length(None)  # schema of an object type
    out.write_str_with_length(None)  # name of an object type
    out.write_ub2(0)  # column position
    out.write_ub4(UDS_FLAGS_IS_JSON if column.is_json else 0)  # UDS flags


def describe_info(columns: Sequence[ColumnInfo]) -> bytes:
    """The whole DESCRIBE_INFO message for a result's columns."""
    out = WriteBuffer()
    out.write_uint8(MessageType.DESCRIBE_INFO)
    out.write_uint8(0)  # leading byte string (empty)
    out.write_ub4(sum(column.max_bytes for column in columns))  # maximum row size
    out.write_ub4(len(columns))
    if columns:
        out.write_uint8(0)
    for column in columns:
        write_column(out, column)
    out.write_ub4(0)  # current date (none)
    out.write_ub4(0)  # dcbflag
    out.write_ub4(0)  # dcbmdbz
    out.write_ub4(0)  # dcbmnpr
    out.write_ub4(0)  # dcbmxpr
    out.write_ub4(0)  # dcbqcky (none)
    return out.getvalue()
