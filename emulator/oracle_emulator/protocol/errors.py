"""The end-of-call record (an ERROR message) that closes every reply.

Without end-of-response support (TNS 319+), this record is what tells the driver that the
reply is complete, so every call ends with exactly one, error or not. Its layout is
``Message._process_error_info`` in ``messages/base.pyx`` at TTC field version 13.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from oracle_emulator.api import ORA_INTERNAL, OracleError
from oracle_emulator.codecs.rowid import parse_rowid_text
from oracle_emulator.protocol.buffer import ProtocolError, WriteBuffer
from oracle_emulator.protocol.constants import (
    EOCS_TXN_IN_PROGRESS,
    ERR_NO_DATA_FOUND,
    MessageType,
)

log = logging.getLogger(__name__)

_UB2_MAX = 0xFFFF
#: ORA-03137: malformed TTC packet from client rejected
ORA_MALFORMED_TTC = 3137
#: an exception's text in ORA-00600 is cut here: the whole of it is in the log
_MAX_ARGUMENT_CHARS = 500
#: any first byte but 0xFE (the "chunked" marker) introduces a plain batch-error array
_PLAIN_ARRAY = 1
_ARRAY_END_MARKER = b"\x00\x00"


@dataclass(frozen=True)
class BatchError:
    """One failed row of an ``executemany(..., batcherrors=True)``."""

    row: int
    error: OracleError


@dataclass
class EndOfCall:
    """The fields of an end-of-call record the emulator fills in."""

    cursor_id: int = 0
    error: OracleError | None = None
    rowcount: int = 0
    txn_in_progress: bool = False
    batch_errors: Sequence[BatchError] = field(default_factory=tuple)
    #: ROWID text of the last row DML changed (``cursor.lastrowid``), None for no row
    rowid: str | None = None

    def encode(self) -> bytes:
        out = WriteBuffer()
        out.write_uint8(MessageType.ERROR)
        code = self.error.code if self.error is not None else 0
        out.write_ub4(EOCS_TXN_IN_PROGRESS if self.txn_in_progress else 0)
        out.write_ub2(0)  # end-to-end sequence number
        out.write_ub4(self.rowcount & 0xFFFF_FFFF)  # current row number
        out.write_ub2(code if code <= _UB2_MAX else 0)
        out.write_ub2(0)  # array element error
        out.write_ub2(0)  # array element error
        out.write_ub2(self.cursor_id)
        out.write_sb4(self.error.offset if self.error is not None else 0)  # error position
        out.write_raw(bytes(6))  # SQL type, fatal, flags, cursor options, UPI param, flags
        _write_rowid(out, self.rowid)
        out.write_ub4(0)  # OS error
        out.write_raw(bytes(2))  # statement number, call number
        out.write_ub2(0)  # padding
        out.write_ub4(0)  # success iterations
        out.write_ub4(0)  # logical rowid (none)
        _write_batch_errors(out, self.batch_errors)
        out.write_ub4(code)
        out.write_ub8(self.rowcount)
        if self.error is not None:
            out.write_bytes_with_length(self.error.text.encode())
        return out.getvalue()


def _write_rowid(out: WriteBuffer, rowid: str | None) -> None:
    """A ROWID as its numbers (all 0 for none), which the driver turns back into text."""
    object_id, file_no, block, row = parse_rowid_text(rowid) if rowid else (0, 0, 0, 0)
    out.write_ub4(object_id)  # rba (the data object number)
    out.write_ub2(file_no)  # partition id (the relative file number)
    out.write_uint8(0)
    out.write_ub4(block)  # block number
    out.write_ub2(row)  # slot number


def _write_batch_errors(out: WriteBuffer, errors: Sequence[BatchError]) -> None:
    out.write_ub2(len(errors))
    if errors:
        out.write_uint8(_PLAIN_ARRAY)
        for item in errors:
            out.write_ub2(min(item.error.code, _UB2_MAX))
    out.write_ub4(len(errors))
    if errors:
        out.write_uint8(_PLAIN_ARRAY)
        for item in errors:
            out.write_ub4(item.row)
    out.write_ub2(len(errors))
    if errors:
        out.write_uint8(_PLAIN_ARRAY)  # packed size (ignored by the driver)
        for item in errors:
            text = item.error.text.encode()
            out.write_ub2(len(text))
            out.write_bytes_with_length(text)
            out.write_raw(_ARRAY_END_MARKER)


def as_oracle_error(exc: BaseException) -> OracleError:
    """What the client sees for an exception out of the engine: its own ORA error, or
    ORA-00600 carrying the exception's text (an emulator bug, but the session survives)."""
    if isinstance(exc, OracleError):
        return exc
    text = " ".join(str(exc).split())[:_MAX_ARGUMENT_CHARS]
    return OracleError(
        ORA_INTERNAL, f"internal error code, arguments: [{type(exc).__name__}], [{text}]"
    )


def reported(exc: BaseException, session_id: int, during: str) -> OracleError:
    """:func:`as_oracle_error`, and an internal error (any exception but an OracleError,
    or the engine's own ORA-00600 for a DuckDB failure it cannot map) logged with its
    traceback: the client gets one line, the emulator's log what it takes to fix it."""
    error = as_oracle_error(exc)
    if error.code == ORA_INTERNAL:
        log.error("session %d: %s failed: %s", session_id, during, error.text, exc_info=exc)
    return error


def malformed(exc: ProtocolError) -> OracleError:
    """Oracle's answer to a call it cannot parse; the session goes on."""
    return OracleError(ORA_MALFORMED_TTC, f"malformed TTC packet from client rejected: [{exc}]")


NO_DATA_FOUND = OracleError(ERR_NO_DATA_FOUND, "no data found")
