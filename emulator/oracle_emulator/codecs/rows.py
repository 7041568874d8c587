"""Row encoders: a whole row of values into ROW_DATA bytes, built once per column list.

The SQL engine pre-encodes tables with these, so their speed bounds how fast the emulator
can load and serve data. Each column gets its encoder chosen up front from its type
(:mod:`.values`), and values that tend to repeat (small integers, dates, short codes,
CHAR(1) flags) go through a bounded memo table: a hit costs one dict lookup.

The row function itself is generated source code, one expression per column joined in a
single ``bytes.join`` call, as :mod:`dataclasses` and :func:`collections.namedtuple`
generate theirs: a generic loop over ``zip(encoders, row)`` costs about as much as encoding
the values. The generated source contains only numbered local names, never column names
or values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.codecs.values import (
    ValueEncoder,
    check_encodable,
    is_null_by_describe,
    null_by_describe,
    null_form,
    wire_encoder,
)

RowEncoder = Callable[[Sequence[Any]], bytes]

#: entries per column memo table; beyond it new values are encoded but not remembered
MEMO_LIMIT = 16_384
#: character columns up to this declared size are memoised (codes, flags, CHAR(1))
MEMO_MAX_CHARS = 32
#: NUMBER(p) columns up to this precision (and scale <= 0) are memoised; so is NUMBER
#: without a precision, whose values are often small integers
MEMO_MAX_PRECISION = 6

_MEMO_CHARACTER_TYPES = frozenset(
    {OracleType.VARCHAR2, OracleType.CHAR, OracleType.NVARCHAR2, OracleType.NCHAR}
)
#: exact NUMBER values: a float is looked up but never stored, so that it cannot stand in
#: for an equal Decimal or int whose encoding is exact
_MEMO_NUMBER_KINDS = frozenset({int, Decimal, bool})


@dataclass(frozen=True)
class _Memo:
    lookup: Callable[[Any], bytes | None]
    miss: ValueEncoder


@dataclass(frozen=True)
class _Plain:
    null: bytes
    wire: ValueEncoder


_Plan = _Memo | _Plain | ValueEncoder


def _memo(wire: ValueEncoder, null: bytes, kinds: frozenset[type] | None = None) -> _Memo:
    table: dict[Any, bytes] = {None: null}

    def miss(value: Any) -> bytes:
        encoded = wire(value)
        if len(table) < MEMO_LIMIT and (kinds is None or type(value) in kinds):
            table[value] = encoded
        return encoded

    return _Memo(table.get, miss)


def _wants_memo(column: ColumnInfo) -> bool:
    kind = column.type
    if kind is OracleType.NUMBER:
        return column.scale <= 0 and column.precision <= MEMO_MAX_PRECISION
    if kind is OracleType.DATE:
        return True
    return kind in _MEMO_CHARACTER_TYPES and column.size <= MEMO_MAX_CHARS


def _plan(column: ColumnInfo) -> _Plan:
    check_encodable(column)
    if is_null_by_describe(column):
        return lambda value: null_by_describe(column, value)
    null, wire = null_form(column), wire_encoder(column)
    if not _wants_memo(column):
        return _Plain(null, wire)
    kinds = _MEMO_NUMBER_KINDS if column.type is OracleType.NUMBER else None
    return _memo(wire, null, kinds)


def column_encoder(column: ColumnInfo) -> ValueEncoder:
    """One value of ``column`` to its wire form, exactly as :func:`.values.encode_value`
    does, with the column's memo table if it has one."""
    plan = _plan(column)
    if isinstance(plan, _Memo):
        lookup, miss = plan.lookup, plan.miss
        return lambda value: lookup(value) or miss(value)
    if isinstance(plan, _Plain):
        null, wire = plan.null, plan.wire
        return lambda value: null if value is None else wire(value)
    return plan


def _expression(index: int, plan: _Plan, namespace: dict[str, Any]) -> str:
    """Source of the expression encoding ``v<index>``; binds what it uses in
    ``namespace``. Encoded values are never empty, so ``lookup(v) or miss(v)`` is safe."""
    value = f"v{index}"
    if isinstance(plan, _Memo):
        namespace[f"lookup{index}"] = plan.lookup
        namespace[f"miss{index}"] = plan.miss
        return f"lookup{index}({value}) or miss{index}({value})"
    if isinstance(plan, _Plain):
        namespace[f"null{index}"] = plan.null
        namespace[f"wire{index}"] = plan.wire
        return f"null{index} if {value} is None else wire{index}({value})"
    namespace[f"encode{index}"] = plan
    return f"encode{index}({value})"


def make_row_encoder(columns: Sequence[ColumnInfo]) -> RowEncoder:
    """A function turning a row (a sequence of one value per column) into the concatenated
    wire form of its values; a row of the wrong width raises :class:`ValueError`."""
    plans = [_plan(column) for column in columns]
    if not plans:
        return _encode_empty_row
    namespace: dict[str, Any] = {"join": b"".join}
    names = "".join(f"v{index}, " for index in range(len(plans)))
    parts = "".join(
        f"({_expression(index, plan, namespace)}), " for index, plan in enumerate(plans)
    )
    source = f"def encode_row(row):\n    {names}= row\n    return join(({parts}))\n"
    exec(compile(source, "<oracle row encoder>", "exec"), namespace)
    return namespace["encode_row"]


def _encode_empty_row(row: Sequence[Any]) -> bytes:
    if len(row):
        raise ValueError(f"row has {len(row)} values for 0 columns")
    return b""
