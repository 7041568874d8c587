"""LOB operations (function 96): read, length, write, trim, temporary LOBs, open/close.

Request and reply layouts are ``messages/lob_op.pyx``. A read answers with a LOB_DATA
message holding the data, then a PARAMETER message with the locator (the same number of
bytes the client sent) and the amount; other operations answer with the PARAMETER message
only. Offsets are 1-based; amounts count bytes for BLOBs and UTF-16 code units for CLOBs.
"""

from __future__ import annotations

from dataclasses import dataclass

from oracle_emulator.api import CS_FORM_NCHAR, OracleError, OracleType
from oracle_emulator.protocol import bfiles
from oracle_emulator.protocol.buffer import ReadBuffer, WriteBuffer
from oracle_emulator.protocol.constants import (
    CHARSET_UTF8,
    LOB_CHUNK_SIZE,
    NCHARSET_UTF16,
    LobOp,
    MessageType,
)
from oracle_emulator.protocol.lobs import LobKind, LobStore

_ARRAY_LOB_FIELDS = 3
ORA_UNSUPPORTED_LOB_OP = 22992
ORA_LOB_NOT_OPEN = 22289
ORA_LOB_ALREADY_OPEN = 22293


@dataclass(frozen=True)
class LobOpRequest:
    operation: int
    locator: bytes
    source_offset: int
    dest_offset: int
    amount: int | None
    data: bytes | None


def parse_lob_op(buf: ReadBuffer) -> LobOpRequest:
    """Read a LOB_OP call body (after the function code)."""
    buf.read_uint8()  # pointer (source locator)
    source_length = buf.read_ub4()
    buf.read_uint8()  # pointer (destination locator)
    buf.read_ub4()  # destination length (the duration, for temporary LOBs)
    buf.read_ub4()  # short source offset
    buf.read_ub4()  # short destination offset
    has_charset = buf.read_uint8()
    buf.read_uint8()  # pointer (short amount)
    buf.read_uint8()  # pointer (NULL LOB)
    operation = buf.read_ub4()
    buf.read_uint8()  # pointer (SCN array)
    buf.read_uint8()  # SCN array length
    source_offset = buf.read_ub8()
    dest_offset = buf.read_ub8()
    has_amount = buf.read_uint8()
    buf.skip(2 * _ARRAY_LOB_FIELDS)
    locator = buf.read_raw(source_length)
    if has_charset:
        buf.read_ub4()
    data = None
    if operation == LobOp.WRITE and buf.peek_uint8() == MessageType.LOB_DATA:
        buf.read_uint8()
        data = buf.read_bytes() or b""
    amount = buf.read_ub8() if has_amount else None
    return LobOpRequest(operation, locator, source_offset, dest_offset, amount, data)


def handle_lob_op(request: LobOpRequest, store: LobStore) -> bytes:
    """Perform the operation; return the LOB_DATA/PARAMETER messages of the reply."""
    out = WriteBuffer()
    op = request.operation
    if op == LobOp.CREATE_TEMP:
        _create_temp(request, store, out)
        return out.getvalue()
    if bfiles.is_bfile_locator(request.locator):
        return bfiles.file_operation(request.locator, op)
    lob = store.get(request.locator)
    amount: int | None = request.amount
    if op == LobOp.READ:
        data = lob.read(request.source_offset, request.amount or 0)
        if data:
            out.write_uint8(MessageType.LOB_DATA)
            out.write_bytes_with_length(lob.kind.encode(data))
        amount = len(data)
    elif op == LobOp.GET_LENGTH:
        amount = lob.size
    elif op == LobOp.GET_CHUNK_SIZE:
        amount = LOB_CHUNK_SIZE
    elif op == LobOp.WRITE:
        lob.write(request.source_offset, lob.kind.decode(request.data or b""))
    elif op == LobOp.TRIM:
        lob.trim(request.amount or 0)
    elif op == LobOp.OPEN:
        if lob.is_open:
            raise OracleError(ORA_LOB_ALREADY_OPEN, "LOB already opened in the same transaction")
        lob.is_open = True
    elif op == LobOp.CLOSE:
        if not lob.is_open:
            raise OracleError(
                ORA_LOB_NOT_OPEN, "cannot perform CLOSE operation on an unopened file or LOB"
            )
        lob.is_open = False
    elif op == LobOp.FREE_TEMP:
        store.free(request.locator)
    elif op != LobOp.IS_OPEN:
        raise OracleError(ORA_UNSUPPORTED_LOB_OP, f"LOB operation {op:#x} is not supported")
    out.write_uint8(MessageType.PARAMETER)
    out.write_raw(request.locator)
    if amount is not None:
        out.write_sb8(amount)
    if op == LobOp.IS_OPEN:
        out.write_uint8(1 if lob.is_open else 0)
    return out.getvalue()


def _create_temp(request: LobOpRequest, store: LobStore, out: WriteBuffer) -> None:
    """The driver passes the character set form as the source offset and the LOB type
    number as the destination offset."""
    if request.dest_offset == OracleType.BLOB.wire_type:
        kind = LobKind.BLOB
    elif request.source_offset == CS_FORM_NCHAR:
        kind = LobKind.NCLOB
    else:
        kind = LobKind.CLOB
    empty: str | bytes = b"" if kind is LobKind.BLOB else ""
    locator = store.add(kind, empty, temporary=True)
    out.write_uint8(MessageType.PARAMETER)
    out.write_raw(locator[: len(request.locator)].ljust(len(request.locator), b"\x00"))
    charset = {LobKind.CLOB: CHARSET_UTF8, LobKind.NCLOB: NCHARSET_UTF16}.get(kind, 0)
    out.write_ub2(charset)
    out.write_uint8(0)  # trailing flags
