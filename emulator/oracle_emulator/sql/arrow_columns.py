"""Arrow arrays built from Python values by hand, buffer by buffer.

Why not ``pyarrow.array()``: on its first call it imports pandas (to recognise pandas
objects), which costs a second or more, and several where bytecode is not cached, in a
process that never needs pandas. DuckDB reads Arrow data faster than any other Python
source (no SQL text to parse, no parameters to bind, no type inference over Python objects),
so the dictionary's rows go to DuckDB as Arrow arrays assembled from their buffers: a
validity bitmap, then the values (fixed-width numbers, or offsets and UTF-8 bytes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

_EPOCH = dt.datetime(1970, 1, 1)
_MICROSECOND = dt.timedelta(microseconds=1)
_DECIMAL_BYTES = 16
DECIMAL_PRECISION = 38
_DECIMAL = f"DECIMAL({DECIMAL_PRECISION},0)"
#: DuckDB type -> its Arrow type
ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "TIMESTAMP": pa.timestamp("us"),
    _DECIMAL: pa.decimal128(DECIMAL_PRECISION, 0),
}


def _validity(values: Sequence[Any]) -> pa.Buffer | None:
    """The bitmap of non-NULL values (least significant bit first); None without NULLs."""
    present = np.fromiter((value is not None for value in values), dtype=bool, count=len(values))
    if present.all():
        return None
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def _strings(values: Sequence[Any]) -> pa.Array:
    encoded = [b"" if value is None else str(value).encode() for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(item) for item in encoded], out=offsets[1:])
    buffers = [_validity(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _fixed(kind: pa.DataType, numbers: Callable[[Any], int]) -> Callable[..., pa.Array]:
    def build(values: Sequence[Any]) -> pa.Array:
        data = np.fromiter(
            (0 if value is None else numbers(value) for value in values),
            dtype=np.int64,
            count=len(values),
        )
        return pa.Array.from_buffers(kind, len(values), [_validity(values), pa.py_buffer(data)])

    return build


def _micros(value: dt.datetime) -> int:
    return (value - _EPOCH) // _MICROSECOND


def _decimals(values: Sequence[Any]) -> pa.Array:
    """DECIMAL(38,0): each value as 16 bytes of two's complement, little-endian."""
    data = b"".join(
        (0 if value is None else int(value)).to_bytes(_DECIMAL_BYTES, "little", signed=True)
        for value in values
    )
    kind = ARROW_TYPES[_DECIMAL]
    return pa.Array.from_buffers(kind, len(values), [_validity(values), pa.py_buffer(data)])


#: DuckDB type -> builder of an Arrow array of that type from Python values (None: NULL)
BUILDERS: dict[str, Callable[[Sequence[Any]], pa.Array]] = {
    "VARCHAR": _strings,
    "BIGINT": _fixed(ARROW_TYPES["BIGINT"], int),
    "TIMESTAMP": _fixed(ARROW_TYPES["TIMESTAMP"], _micros),
    _DECIMAL: _decimals,
}


def arrow_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """``rows`` (tuples in ``columns`` order) as an Arrow table; ``columns`` are
    (name, DuckDB type) with types from :data:`BUILDERS`. A column of NULLs only (most of a
    wide table's, for a few rows) costs no buffers at all."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [
        BUILDERS[kind](column) if any(v is not None for v in column) else _nulls(kind, column)
        for column, (_, kind) in zip(values, columns, strict=True)
    ]
    return pa.Table.from_arrays(arrays, names=[name for name, _ in columns])


def _nulls(kind: str, column: Sequence[Any]) -> pa.Array:
    return pa.nulls(len(column), ARROW_TYPES[kind])
