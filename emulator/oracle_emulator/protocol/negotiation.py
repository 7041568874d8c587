"""Protocol and data-types negotiation, the two exchanges between ACCEPT and the logon.

The protocol reply (``messages/protocol.pyx``) tells the driver the database character set,
the national character set (inside an "FDO" block) and the server's compile-time and runtime
capabilities. Of these the TTC field version matters most: the driver takes the lower of its
own and ours, and the layout of every later message depends on it. The data-types reply may
be empty: the driver does not look at it.
"""

from __future__ import annotations

from oracle_emulator.protocol.buffer import WriteBuffer
from oracle_emulator.protocol.constants import (
    CCAP_END_OF_CALL_STATUS,
    CCAP_FIELD_VERSION,
    CCAP_IND_RCD,
    CCAP_LENGTH,
    CCAP_LOB,
    CCAP_LOB_12C,
    CCAP_LOB_ENCS,
    CCAP_LOB_UB8_SIZE,
    CCAP_LOGON_TYPES,
    CCAP_O5LOGON,
    CCAP_O5LOGON_NP,
    CCAP_O7LOGON,
    CCAP_O8LOGON_LONG_IDENTIFIER,
    CCAP_SQL_VERSION,
    CCAP_SQL_VERSION_MAX,
    CCAP_TTC1,
    CHARSET_UTF8,
    NCHARSET_UTF16,
    PROTOCOL_SERVER_FLAGS,
    PROTOCOL_SERVER_VERSION,
    RCAP_COMPAT,
    RCAP_COMPAT_81,
    RCAP_LENGTH,
    RCAP_TTC,
    RCAP_TTC_32K,
    RCAP_TTC_ZERO_COPY,
    SERVER_BANNER,
    TTC_FIELD_VERSION,
    MessageType,
)

#: the FDO block: the driver reads two counts at offsets 5 and 6 and, past the entries they
#: count (none here), the national character set as a big-endian 16-bit number
_FDO_PREFIX_SIZE = 9
_FDO = bytes(_FDO_PREFIX_SIZE) + NCHARSET_UTF16.to_bytes(2, "big")
_DATA_TYPES_END = 0


def _compile_capabilities() -> bytes:
    caps = bytearray(CCAP_LENGTH)
    caps[CCAP_SQL_VERSION] = CCAP_SQL_VERSION_MAX
    caps[CCAP_LOGON_TYPES] = (
        CCAP_O5LOGON | CCAP_O5LOGON_NP | CCAP_O7LOGON | CCAP_O8LOGON_LONG_IDENTIFIER
    )
    caps[CCAP_FIELD_VERSION] = TTC_FIELD_VERSION
    caps[CCAP_TTC1] = CCAP_END_OF_CALL_STATUS | CCAP_IND_RCD
    caps[CCAP_LOB] = CCAP_LOB_UB8_SIZE | CCAP_LOB_ENCS | CCAP_LOB_12C
    return bytes(caps)


def _runtime_capabilities() -> bytes:
    caps = bytearray(RCAP_LENGTH)
    caps[RCAP_COMPAT] = RCAP_COMPAT_81
    caps[RCAP_TTC] = RCAP_TTC_ZERO_COPY | RCAP_TTC_32K
    return bytes(caps)


def protocol_reply() -> bytes:
    """The reply to the driver's PROTOCOL message."""
    out = WriteBuffer()
    out.write_uint8(MessageType.PROTOCOL)
    out.write_uint8(PROTOCOL_SERVER_VERSION)
    out.write_uint8(0)
    out.write_raw(SERVER_BANNER + b"\x00")
    out.write_uint16le(CHARSET_UTF8)
    out.write_uint8(PROTOCOL_SERVER_FLAGS)
    out.write_uint16le(0)  # no elements
    out.write_uint16be(len(_FDO))
    out.write_raw(_FDO)
    out.write_bytes_with_length(_compile_capabilities())
    out.write_bytes_with_length(_runtime_capabilities())
    return out.getvalue()


def data_types_reply() -> bytes:
    """The reply to the driver's DATA_TYPES message: an empty list of conversions."""
    out = WriteBuffer()
    out.write_uint8(MessageType.DATA_TYPES)
    out.write_uint16be(_DATA_TYPES_END)
    return out.getvalue()
