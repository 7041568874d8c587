"""The values of a DML RETURNING INTO clause, sent back as out binds.

python-oracledb sends the return binds' metadata with the others but no values for them
(``_write_bind_params_row`` skips them), and after the execute reads one ROW_DATA message per
execution with, for each return bind in order, the number of rows (ub4) and then each value
as bind data: the value in the form of the variable's type, followed by its actual length
(sb4; not 0 when the value did not fit the variable, which the driver reports as DPY-4002)
(``MessageWithData._process_row_data`` with ``_is_returning``). Values travel as bind values,
not as fetched columns: a ROWID variable is bound as VARCHAR and reads the ROWID's text; a
LONG variable reads plain text, without a fetched LONG's trailer; LOBs are locators.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from oracle_emulator import codecs
from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.protocol.binds import BindMeta, variable_type
from oracle_emulator.protocol.buffer import WriteBuffer
from oracle_emulator.protocol.constants import MessageType
from oracle_emulator.protocol.lobs import LobKind, LobStore
from oracle_emulator.protocol.rows import lob_column_value

_SIZED = frozenset({OracleType.VARCHAR2, OracleType.NVARCHAR2, OracleType.CHAR, OracleType.NCHAR})
_FLOATS = frozenset({OracleType.BINARY_FLOAT, OracleType.BINARY_DOUBLE})


def returned_rows(
    metas: Sequence[BindMeta], executions: Sequence[Sequence[Sequence[Any]]], lobs: LobStore
) -> bytes:
    """One ROW_DATA message per execution: each return bind's row count and values."""
    out = WriteBuffer()
    for values in executions:
        out.write_uint8(MessageType.ROW_DATA)
        for meta, column in zip(metas, values, strict=True):
            kind = variable_type(meta)
            out.write_ub4(len(column))
            for value in column:
                data, actual = _value(kind, meta, value, lobs)
                out.write_raw(data)
                out.write_sb4(actual)
    return out.getvalue()


def _value(kind: OracleType, meta: BindMeta, value: Any, lobs: LobStore) -> tuple[bytes, int]:
    """The value's bind data and the actual length to report (0: it fits the variable)."""
    if kind.is_lob:
        lob_kind = LobKind.of(kind)
        if isinstance(value, str) and not lob_kind.is_character:
            value = value.encode()
        return lob_column_value(lobs, lob_kind, value), 0
    if kind in _FLOATS and isinstance(value, (int, Decimal)):
        value = float(value)
    column = ColumnInfo("", kind, size=max(meta.buffer_size, 1))
    data = codecs.encode_value(column, value)
    actual = 0
    if value is not None and (kind in _SIZED or kind is OracleType.RAW):
        length = len(value.encode()) if isinstance(value, str) else len(value)
        actual = length if meta.buffer_size and length > meta.buffer_size else 0
    return data, actual
