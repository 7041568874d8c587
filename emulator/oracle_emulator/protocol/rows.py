"""Row data: ROW_HEADER and ROW_DATA messages of query replies.

Two paths. Pre-encoded rows (the engine's fast path) come from ``QueryResult.fetch_block``
as one buffer that already holds the ROW_DATA byte in front of each row: the reply is
ROW_HEADER and that buffer, with no Python work per row. Rows of Python values are encoded
here: with the codecs' row encoder when no column needs the connection (the
usual case), else column by column, turning LOB values into locators registered in the
connection's :class:`LobStore`, or into LONG / LONG RAW data when the client defined the
LOB column that way (``oracledb.defaults.fetch_lobs = False`` or an output type handler).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from oracle_emulator import codecs
from oracle_emulator.api import BfileName, ColumnInfo, OracleType
from oracle_emulator.protocol import bfiles
from oracle_emulator.protocol.binds import BindMeta
from oracle_emulator.protocol.buffer import WriteBuffer, encode_with_length
from oracle_emulator.protocol.constants import LOB_CHUNK_SIZE, MessageType
from oracle_emulator.protocol.lobs import LobKind, LobStore, LobValue

ROW_DATA = bytes((MessageType.ROW_DATA,))
_LONG_TYPES = frozenset({OracleType.LONG.wire_type, OracleType.LONG_RAW.wire_type})
#: after a LONG value the driver skips a null indicator (sb4) and a return code (ub4)
_LONG_TRAILER = b"\x00\x00"
_NULL = b"\x00"


def _row_header() -> bytes:
    out = WriteBuffer()
    out.write_uint8(MessageType.ROW_HEADER)
    out.write_uint8(0)  # flags
    out.write_ub2(0)  # number of requests
    out.write_ub4(0)  # iteration number
    out.write_ub4(0)  # number of iterations
    out.write_ub2(0)  # buffer length
    out.write_ub4(0)  # bit vector (none: every column is sent in every row)
    out.write_ub4(0)  # rowid (none)
    return out.getvalue()


ROW_HEADER = _row_header()


def join_encoded_rows(rows: Sequence[bytes]) -> bytes:
    """ROW_HEADER, then each encoded row behind a ROW_DATA byte."""
    if not rows:
        return b""
    return b"".join((ROW_HEADER, ROW_DATA, ROW_DATA.join(rows)))


def lob_column_value(lobs: LobStore, kind: LobKind, value: str | bytes | None) -> bytes:
    """A LOB column in row data: locator length, LOB size, chunk size, then the locator."""
    if value is None:
        return _NULL
    locator = lobs.add(kind, value)
    out = WriteBuffer()
    out.write_ub4(len(locator))
    out.write_ub8(LobValue(kind, value).size)
    out.write_ub4(LOB_CHUNK_SIZE)
    out.write_bytes_with_length(locator)
    return out.getvalue()


def long_column_value(kind: LobKind, value: str | bytes | None) -> bytes:
    """A LOB column defined as LONG / LONG RAW: the whole data, then the LONG trailer."""
    if value is None:
        return _NULL + _LONG_TRAILER
    return encode_with_length(kind.encode(value)) + _LONG_TRAILER


def bfile_column_value(value: BfileName | None) -> bytes:
    """A BFILE column in row data: locator length, then the locator (no size, no chunk)."""
    if value is None:
        return _NULL
    locator = bfiles.make_locator(value)
    out = WriteBuffer()
    out.write_ub4(len(locator))
    out.write_bytes_with_length(locator)
    return out.getvalue()


class RowEncoder:
    """Encodes one result's rows of Python values as ROW_DATA messages."""

    def __init__(
        self,
        columns: Sequence[ColumnInfo],
        defines: Sequence[BindMeta] | None,
        lobs: LobStore,
        undefined_as_long: bool = False,
    ) -> None:
        """``undefined_as_long``: a LOB column the client did not define goes as LONG / LONG
        RAW data, not as a locator (a re-described cursor whose client fetched the column as
        a string type before, see :class:`~.state.CursorState`)."""
        self._lobs = lobs
        self._undefined_as_long = undefined_as_long
        self._special = any(column.type.is_locator for column in columns)
        if self._special:
            self._encoders = [
                self._column_encoder(column, defines[i] if defines and i < len(defines) else None)
                for i, column in enumerate(columns)
            ]
        else:
            self._encode_row = codecs.make_row_encoder(columns)

    def _column_encoder(
        self, column: ColumnInfo, define: BindMeta | None
    ) -> Callable[[Any], bytes]:
        if column.type is OracleType.BFILE:
            return bfile_column_value
        if not column.type.is_lob:
            return lambda value: codecs.encode_value(column, value)
        kind = LobKind.of(column.type)
        as_long = self._undefined_as_long if define is None else define.ora_type in _LONG_TYPES
        if as_long:
            return lambda value: long_column_value(kind, value)
        return lambda value: lob_column_value(self._lobs, kind, value)

    def encode_rows(self, rows: Sequence[tuple[Any, ...]]) -> bytes:
        if not rows:
            return b""
        if self._special:
            encoders = self._encoders
            encoded = [
                b"".join([enc(value) for enc, value in zip(encoders, row, strict=True)])
                for row in rows
            ]
        else:
            encode_row = self._encode_row
            encoded = [encode_row(row) for row in rows]
        return join_encoded_rows(encoded)
