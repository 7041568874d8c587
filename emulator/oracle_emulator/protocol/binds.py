"""Bind (and define) metadata and bind rows of execute calls.

Metadata, one entry per bind position (``MessageWithData._write_column_metadata``): type
number, flags, buffer size, array length, character set form. Each bind row follows a
ROW_DATA byte and holds one value per position, except that, outside PL/SQL, values longer
than the maximum string size (LONG binds) are moved after all the others
(``_write_bind_params_row``). LOB binds carry a locator of a temporary LOB the client wrote
earlier; everything else is a length-prefixed value decoded by :func:`codecs.decode_bind`.
The binds of a DML RETURNING INTO list (the statement's last ones) have metadata but no
values: the driver leaves them out of every row, and out of the request altogether when no
other bind remains. They are given to the engine as :class:`~oracle_emulator.api.OutBind`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from oracle_emulator import codecs
from oracle_emulator.api import CS_FORM_NCHAR, OracleError, OracleType, OutBind
from oracle_emulator.protocol.buffer import ReadBuffer
from oracle_emulator.protocol.constants import (
    BIND_FLAG_ARRAY,
    MAX_STRING_SIZE,
    MessageType,
)
from oracle_emulator.protocol.lobs import LobKind, LobStore
from oracle_emulator.sql.binds import BoundBlob, BoundClob, BoundNclob, EmptyLob

_BOOLEAN = 252
_ESCAPE = 0xFD
_NULL_BOOLEAN_SIZE = 2
_LOB_TYPES = frozenset({OracleType.CLOB.wire_type, OracleType.BLOB.wire_type})
ORA_UNSUPPORTED_BIND_TYPE = 3115  # ORA-03115: unsupported network datatype or representation
#: wire types with no value form in SQL binds (cursors, objects, JSON, vectors)
_UNSUPPORTED_TYPES = frozenset({102, 109, 119, 127})


@dataclass(frozen=True)
class BindMeta:
    """One bind position (or one define column) as the client described it."""

    ora_type: int
    flags: int
    buffer_size: int
    max_elements: int
    csfrm: int

    @property
    def is_array(self) -> bool:
        return bool(self.flags & BIND_FLAG_ARRAY)

    def is_deferred(self, is_plsql: bool) -> bool:
        """LONG-sized values travel after the other binds of their row (SQL only)."""
        return not is_plsql and not self.is_array and self.buffer_size > MAX_STRING_SIZE


def read_metadata(buf: ReadBuffer, count: int) -> list[BindMeta]:
    metas = []
    for _ in range(count):
        ora_type = buf.read_uint8()
        flags = buf.read_uint8()
        buf.read_uint8()  # precision
        buf.read_uint8()  # scale
        buffer_size = buf.read_ub4()
        max_elements = buf.read_ub4()
        buf.read_ub8()  # continuation flags
        if buf.read_ub4():  # object type OID
            buf.read_bytes()
        buf.read_ub4()  # object type version (ub2 or ub4: the same universal form)
        buf.read_ub2()  # character set id
        csfrm = buf.read_uint8()
        buf.read_ub4()  # maximum characters (LOB prefetch)
        buf.read_ub4()  # column id (OAC), present from TTC field version 12.2 on
        metas.append(BindMeta(ora_type, flags, buffer_size, max_elements, csfrm))
    return metas


#: the type a variable's values are written as, by wire type (national forms apart)
_TYPES = {
    OracleType.VARCHAR2.wire_type: OracleType.VARCHAR2,
    OracleType.CHAR.wire_type: OracleType.CHAR,
    OracleType.LONG.wire_type: OracleType.VARCHAR2,  # bind data: no LONG trailer
    OracleType.NUMBER.wire_type: OracleType.NUMBER,
    OracleType.DATE.wire_type: OracleType.DATE,
    OracleType.RAW.wire_type: OracleType.RAW,
    OracleType.LONG_RAW.wire_type: OracleType.RAW,
    OracleType.BINARY_FLOAT.wire_type: OracleType.BINARY_FLOAT,
    OracleType.BINARY_DOUBLE.wire_type: OracleType.BINARY_DOUBLE,
    OracleType.CLOB.wire_type: OracleType.CLOB,
    OracleType.BLOB.wire_type: OracleType.BLOB,
    OracleType.TIMESTAMP.wire_type: OracleType.TIMESTAMP,
    OracleType.TIMESTAMP_TZ.wire_type: OracleType.TIMESTAMP_TZ,
    OracleType.TIMESTAMP_LTZ.wire_type: OracleType.TIMESTAMP_LTZ,
    OracleType.INTERVAL_YM.wire_type: OracleType.INTERVAL_YM,
    OracleType.INTERVAL_DS.wire_type: OracleType.INTERVAL_DS,
}
_NATIONAL = {
    OracleType.VARCHAR2: OracleType.NVARCHAR2,
    OracleType.CHAR: OracleType.NCHAR,
    OracleType.CLOB: OracleType.NCLOB,
}


def variable_type(meta: BindMeta) -> OracleType:
    """The Oracle type of a return bind's variable; ORA-03115 for one that cannot take a
    returned value here (objects, cursors, JSON, vectors, BOOLEAN)."""
    kind = _TYPES.get(meta.ora_type)
    if kind is None:
        raise OracleError(
            ORA_UNSUPPORTED_BIND_TYPE,
            f"unsupported network datatype or representation (bind type {meta.ora_type})",
        )
    return _NATIONAL.get(kind, kind) if meta.csfrm == CS_FORM_NCHAR else kind


def out_bind(meta: BindMeta) -> OutBind:
    return OutBind(variable_type(meta))


#: one bind value as it came: its bytes (None for NULL), or a list of them for an array
RawValue = bytes | None | list[bytes | None]


class BindReader:
    """Decodes bind rows for one statement's bind metadata.

    Every row of a call is read off the wire before any value is decoded: a value that
    fails to decode (an unknown LOB locator, bad text) then fails the call alone, with the
    rest of the request consumed, instead of leaving its remaining packets to be taken for
    the next request.
    """

    def __init__(
        self, metas: Sequence[BindMeta], lobs: LobStore, is_plsql: bool, returned: int = 0
    ) -> None:
        self._metas = list(metas)
        self._lobs = lobs
        sent = len(self._metas) - returned
        self._sent = sent
        deferred = [i for i in range(sent) if self._metas[i].is_deferred(is_plsql)]
        self._order = [i for i in range(sent) if i not in deferred] + deferred

    def read_rows(self, buf: ReadBuffer, count: int, rest: bool = False) -> list[list[Any]]:
        """``count`` rows, each introduced by a ROW_DATA byte; with ``rest``, also the rows
        that follow them in the request. A query's execute announces no row count, yet
        ``executemany`` sends one row per set of binds: they must all be read."""
        raw_rows: list[list[RawValue]] = []
        if self._order:  # with only return binds, the request carries no rows
            raw_rows = [self._raw_row(buf) for _ in range(count)]
            while rest and not buf.at_end() and buf.peek_uint8() == MessageType.ROW_DATA:
                raw_rows.append(self._raw_row(buf))
        else:
            raw_rows = [[] for _ in range(count)]
        outs = [out_bind(meta) for meta in self._metas[self._sent :]]
        return [self._decode_row(raw) + outs for raw in raw_rows]

    def _raw_row(self, buf: ReadBuffer) -> list[RawValue]:
        marker = buf.read_uint8()
        if marker != MessageType.ROW_DATA:
            raise OracleError(ORA_UNSUPPORTED_BIND_TYPE, f"bind row starts with {marker}")
        return self._raw_values(buf)

    def _raw_values(self, buf: ReadBuffer) -> list[RawValue]:
        values: list[RawValue] = [None] * len(self._metas)
        for index in self._order:
            meta = self._metas[index]
            if meta.is_array:
                count = buf.read_ub4()
                values[index] = [self._raw_value(buf, meta) for _ in range(count)]
            else:
                values[index] = self._raw_value(buf, meta)
        return values

    def _raw_value(self, buf: ReadBuffer, meta: BindMeta) -> bytes | None:
        if meta.ora_type in _LOB_TYPES:
            return buf.read_bytes_with_length()  # the locator
        if meta.ora_type in _UNSUPPORTED_TYPES:  # their layout is unknown: nothing to skip
            raise OracleError(
                ORA_UNSUPPORTED_BIND_TYPE,
                f"unsupported network datatype or representation (bind type {meta.ora_type})",
            )
        if meta.ora_type == _BOOLEAN and buf.peek_uint8() == _ESCAPE:
            buf.skip(_NULL_BOOLEAN_SIZE)  # a NULL BOOLEAN is the two bytes FD 01, unframed
            return None
        return buf.read_bytes()

    def _decode_row(self, raw: list[RawValue]) -> list[Any]:
        return [
            [self._decode(item, meta) for item in value]
            if isinstance(value, list)
            else self._decode(value, meta)
            for value, meta in zip(raw[: self._sent], self._metas[: self._sent], strict=True)
        ]

    def _decode(self, data: bytes | None, meta: BindMeta) -> Any:
        if data is None:
            return None
        if meta.ora_type in _LOB_TYPES:
            lob = self._lobs.get(data)
            value = lob.value
            if not value:
                return EmptyLob(value)
            if isinstance(value, bytes):
                return BoundBlob(value)
            return BoundNclob(value) if lob.kind is LobKind.NCLOB else BoundClob(value)
        return codecs.decode_bind(meta.ora_type, meta.csfrm, data)
