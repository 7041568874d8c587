"""Rows as msgspec Structs and their JSON Lines encoder.

A row type is built once per column list: positional fields ``f0..fN`` renamed to the Oracle
column names (mixed case, spaces, quotes, any script), in column order. Used as the cursor's
``rowfactory``, the driver builds one Struct per row in C instead of a tuple that would later
become a dict (about 0.8 us a row); msgspec then writes every row with no Python code per
value. The Structs are created without garbage-collector tracking (``gc=False``): their values
are never containers, so they cannot form cycles, and millions of short-lived rows do not
trigger collections. With ``omit_nulls`` every field defaults to None and ``omit_defaults``
leaves NULLs out.

msgspec cannot rename a field to a name JSON must escape (a backslash or a control character,
both legal in a quoted Oracle identifier): such a column list has no row type, the cursor
returns tuples and the encoder builds a dict per row, about twice as slow but exact.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import msgspec

from airflow_oracle_etl.encoding.early import EarlyFixer
from airflow_oracle_etl.encoding.errors import EncodingError

_FIELD_PREFIX = "f"
EXTRA_FIELD_PREFIX = "x"
_FIRST_PRINTABLE = " "
_NEEDS_ESCAPE = frozenset('\\"')


def _renamable(name: str) -> bool:
    """Whether msgspec accepts ``name`` as a renamed field (it writes it unescaped)."""
    return not any(char in _NEEDS_ESCAPE or char < _FIRST_PRINTABLE for char in name)


def row_type(
    names: Sequence[str], *, omit_nulls: bool = False, extra: int = 0
) -> type[msgspec.Struct] | None:
    """A Struct class whose instances encode as ``{"NAME": value, ...}`` in ``names`` order,
    or None if a name needs escaping in JSON (see the module's docstring).

    ``extra`` fields follow, for select items that are not columns (the text of values
    before the year 1, :mod:`.early`): they default to None, and a field at its default is
    left out, so they never reach the JSON once the encoder has moved their values.
    """
    if not all(_renamable(name) for name in names):
        return None
    fields = [f"{_FIELD_PREFIX}{position}" for position in range(len(names))]
    spec: list[tuple[str, Any] | tuple[str, Any, Any]] = [
        (field, Any, None) if omit_nulls else (field, Any) for field in fields
    ]
    spec += [(f"{EXTRA_FIELD_PREFIX}{position}", Any, None) for position in range(extra)]
    return msgspec.defstruct(
        "OracleRow",
        spec,
        rename=dict(zip(fields, names, strict=True)),
        omit_defaults=omit_nulls or extra > 0,
        gc=False,
    )


def _unsupported(value: Any) -> Any:
    """msgspec's hook for a value it cannot write: only reached when the driver was not set
    up by the plan (a LOB locator, a Decimal from ``fetch_decimals``...)."""
    raise EncodingError(
        f"cannot write a {type(value).__name__} value as JSON; was the cursor's "
        "outputtypehandler set to the plan's output_type_handler?"
    )


class RowEncoder:
    """Writes batches of rows as UTF-8 JSON Lines (one object per row, ``\\n`` after each).

    ``encode`` takes the plan's row Structs (the fast path: the cursor's ``rowfactory`` made
    them) or tuples in column order (turned into Structs first, one check per batch).
    """

    __slots__ = ("_early", "_encode_lines", "_names", "_omit_nulls", "_row_type")

    def __init__(
        self,
        names: Sequence[str],
        row_type: type[msgspec.Struct] | None,
        *,
        omit_nulls: bool = False,
        early: EarlyFixer | None = None,
    ) -> None:
        self._names = tuple(names)
        self._row_type = row_type
        self._omit_nulls = omit_nulls
        self._early = early
        self._encode_lines = msgspec.json.Encoder(
            enc_hook=_unsupported, decimal_format="string"
        ).encode_lines

    def encode(self, rows: Sequence[Any]) -> bytes:
        """One batch as JSON Lines bytes (empty for no rows)."""
        if self._row_type is None:
            if self._early is not None:
                rows = self._early.fix_tuples(rows, len(self._names))
            return self._encode_lines(self._dicts(rows))
        if rows and type(rows[0]) is not self._row_type:
            rows = list(itertools.starmap(self._row_type, rows))
        if self._early is not None:
            self._early.fix_structs(rows)
        return self._encode_lines(rows)

    def _dicts(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        names = self._names
        if self._omit_nulls:
            return [
                {name: value for name, value in zip(names, row, strict=True) if value is not None}
                for row in rows
            ]
        return [dict(zip(names, row, strict=True)) for row in rows]
