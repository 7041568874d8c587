"""How a client reads the LOB columns of a query described again on a cursor it has used.

The thin driver defines LOB columns (a second execute carrying defines) after a describe
shows them, except for a column it already fetched as a string type: a CLOB (NCLOB) it
read as CHAR, VARCHAR2 or LONG, a BLOB it read as RAW or LONG RAW, it keeps reading as LONG
(LONG RAW) data without defining it (``MessageWithData._adjust_metadata``). Its fetch types
can also change on the client alone, between executions of a cached statement (another
output type handler): the server cannot see that, so when a describe leaves it unsure
whether a define will come, it sends no row until one does or a fetch asks for them; LOB
columns a fetch finds undefined go as LONG / LONG RAW data.
"""

from __future__ import annotations

from collections.abc import Sequence

from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.protocol.binds import BindMeta

_LONG_WIRE_TYPES = frozenset({OracleType.LONG.wire_type, OracleType.LONG_RAW.wire_type})
_BINARY_TYPES = frozenset({OracleType.RAW, OracleType.LONG_RAW})


def _read_as_string(
    index: int,
    previous: ColumnInfo,
    defines: Sequence[BindMeta] | None,
    undefined_as_long: bool,
) -> bool:
    """Whether the client last read column ``index`` as a string type (not a locator)."""
    if not previous.type.is_lob:
        return True
    define = defines[index] if defines is not None and index < len(defines) else None
    return undefined_as_long if define is None else define.ora_type in _LONG_WIRE_TYPES


def _stays_inline(previous: ColumnInfo, column: ColumnInfo) -> bool:
    """A LOB column the client read as ``previous`` (a string type) stays LONG (RAW)."""
    if column.type is OracleType.BLOB:
        return previous.type in _BINARY_TYPES or previous.type is OracleType.BLOB
    return previous.type.is_character


def lobs_read_inline(
    previous: Sequence[ColumnInfo] | None,
    defines: Sequence[BindMeta] | None,
    undefined_as_long: bool,
    columns: Sequence[ColumnInfo],
) -> bool:
    """Whether, after describing ``columns`` on a cursor last described as ``previous``
    (and defined with ``defines``), the client surely reads every LOB column as LONG /
    LONG RAW without defining it: then rows may go with the describe."""
    if previous is None:
        return False  # a new cursor: the client defines every LOB column
    for index, column in enumerate(columns):
        if not column.type.is_lob:
            continue
        if index >= len(previous):
            return False
        before = previous[index]
        if not _read_as_string(index, before, defines, undefined_as_long):
            return False
        if not _stays_inline(before, column):
            return False
    return True
