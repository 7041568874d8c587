"""Bind values: Oracle's conversions before they reach DuckDB as parameters.

Binds are never pasted into SQL text. A statement's placeholders are numbered by
occurrence; pieces of a rewritten statement may drop some (``AS OF SCN :1`` is resolved in
Python) or run as separate DuckDB statements, so each piece is renumbered to the
placeholders it actually contains and gets exactly those values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlglot import exp

from oracle_emulator.api import IntervalYM, NanoDateTime, OracleError, OracleType
from oracle_emulator.sql import exact_numbers

ORA_NOT_ALL_BOUND = 1008
ORA_BAD_BIND = 1036
#: DuckDB's HUGEINT holds magnitudes below 2**127
_HUGEINT_LIMIT = 2**127
#: placeholder meta flag: a NUMBER value bound here crosses DuckDB as its exact text
NUMBER_TEXT = "number_text"


class EmptyLob:
    """A bound LOB locator of length zero: an empty LOB is a value in Oracle, unlike the
    empty string, which is NULL."""

    def __init__(self, value: str | bytes) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"EmptyLob({self.value!r})"


class BoundBlob(bytes):
    """The data of a bound BLOB locator: selected as is (``SELECT :1 FROM DUAL``) it is a
    BLOB, as Oracle describes it, not the RAW that bytes are."""


class BoundClob(str):
    """The text of a bound CLOB locator: selected as is it is a CLOB, not a VARCHAR2."""

    lob_type = OracleType.CLOB


class BoundNclob(BoundClob):
    """The text of a bound NCLOB locator (an NCLOB when selected as is)."""

    lob_type = OracleType.NCLOB


def oracle_value(value: Any) -> Any:
    """A client bind value as DuckDB should get it ('' is NULL in Oracle)."""
    if isinstance(value, EmptyLob):
        return value.value
    if isinstance(value, BoundBlob):
        return bytes(value)
    if isinstance(value, BoundClob):
        return str(value)
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, bytes) and not value:
        return None
    if isinstance(value, IntervalYM):
        return f"{value.years} years {value.months} months"
    if isinstance(value, NanoDateTime):
        base = value.value.replace(microsecond=0)
        return f"{base.isoformat(sep=' ')}.{value.nanosecond:09d}"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and abs(value) >= _HUGEINT_LIMIT:
        # Oracle's NUMBER goes up to 1E126; DuckDB's widest integer ends at 2**127 and
        # refuses a larger Python int outright. As a Decimal it binds as DOUBLE, which is
        # how DuckDB takes every number wider than 38 digits.
        return Decimal(value)
    return value


def placeholder_index(node: exp.Placeholder) -> int | None:
    name = str(node.this or "")
    return int(name) if name.isdigit() else None


def bind_value(binds: Sequence[Any], node: exp.Expression) -> tuple[bool, Any]:
    """(True, value) when ``node`` is a bind placeholder with a value."""
    if isinstance(node, exp.Placeholder):
        index = placeholder_index(node)
        if index is not None and 0 < index <= len(binds):
            return True, binds[index - 1]
    return False, None


def number_placeholders(tree: exp.Expression, binds: Sequence[Any]) -> list[Any]:
    """Renumber the placeholders in ``tree`` 1..k and return their values, in that order."""
    params: list[Any] = []
    for node in tree.find_all(exp.Placeholder):
        index = placeholder_index(node)
        if index is None:
            raise OracleError(ORA_BAD_BIND, "illegal variable name/number")
        if index > len(binds):
            raise OracleError(ORA_NOT_ALL_BOUND, "not all variables bound")
        value = binds[index - 1]
        if node.meta.get(NUMBER_TEXT) and exact_numbers.is_number_value(value):
            params.append(exact_numbers.exact_text(value))
        else:
            params.append(oracle_value(value))
        node.set("this", str(len(params)))
    return params


def check_count(expected: int, binds: Sequence[Any], exact: bool = True) -> None:
    if len(binds) < expected:
        raise OracleError(ORA_NOT_ALL_BOUND, "not all variables bound")
    if exact and len(binds) > expected:
        raise OracleError(ORA_BAD_BIND, "illegal variable name/number")


def renumber_placeholders(tree: exp.Expression, available: int) -> list[int]:
    """Renumber the placeholders in ``tree`` 1..k; returns the 1-based occurrence index of
    the bind each new number stands for (so values can be picked per execution)."""
    mapping: list[int] = []
    for node in tree.find_all(exp.Placeholder):
        index = placeholder_index(node)
        if index is None:
            raise OracleError(ORA_BAD_BIND, "illegal variable name/number")
        if index > available:
            raise OracleError(ORA_NOT_ALL_BOUND, "not all variables bound")
        mapping.append(index)
        node.set("this", str(len(mapping)))
    return mapping


def pick(binds: Sequence[Any], mapping: list[int]) -> list[Any]:
    return [oracle_value(binds[index - 1]) for index in mapping]
