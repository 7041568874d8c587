"""Protocol and data-types negotiation, the two exchanges between ACCEPT and the logon.

The protocol reply (``messages/protocol.pyx``) tells the driver the database character set,
the national character set (inside an "FDO" block) and the server's compile-time and runtime
capabilities. Of these the TTC field version matters most: the driver takes the lower of its
own and ours, and the layout of every later message depends on it. The data-types reply may
be empty: the driver does not look at it.

Both requests are read to their last byte before the reply goes out. The DATA_TYPES request
(some 2.5 KB: the client's capabilities and every type conversion it knows) is longer than
a small SDU, so the driver sends it in several DATA packets; the rest of it must be taken
off the connection as part of this request, or its packets would be read as new requests.
"""

from __future__ import annotations

from oracle_emulator.protocol.buffer import ProtocolError, ReadBuffer, WriteBuffer
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
#: the "array" of protocol versions the client supports ends with a zero byte, as does the
#: driver's name after it
_PROTOCOL_TERMINATOR = 0
#: longest driver name read before the request is called malformed
_MAX_DRIVER_NAME = 256
#: each data-type entry after its type: the type converted to, the representation, and a
#: zero
_DATA_TYPE_ENTRY_REST = 3 * 2
#: more entries than any driver sends (python-oracledb sends some 300) is a framing error
_MAX_DATA_TYPES = 4096


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


def read_protocol_request(buf: ReadBuffer) -> None:
    """Consume the PROTOCOL request after its message type (``messages/protocol.pyx``):
    the versions the client supports up to a zero, then its name up to a zero."""
    while buf.read_uint8() != _PROTOCOL_TERMINATOR:
        pass
    for _ in range(_MAX_DRIVER_NAME):
        if buf.read_uint8() == _PROTOCOL_TERMINATOR:
            return
    raise ProtocolError(f"PROTOCOL request: driver name longer than {_MAX_DRIVER_NAME} bytes")


def read_data_types_request(buf: ReadBuffer) -> None:
    """Consume the DATA_TYPES request after its message type (``messages/data_types.pyx``):
    two character sets, an encoding flag byte, the compile-time and runtime capabilities,
    then 8-byte entries up to a zero type. Nothing in it changes what the emulator sends."""
    buf.skip(2 + 2 + 1)
    buf.read_bytes()
    buf.read_bytes()
    for _ in range(_MAX_DATA_TYPES):
        if buf.read_uint16be() == _DATA_TYPES_END:
            return
        buf.skip(_DATA_TYPE_ENTRY_REST)
    raise ProtocolError(f"DATA_TYPES request: more than {_MAX_DATA_TYPES} data types")


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
