"""Seeded mutations of SQL text and odd bind values for the statement fuzz test.

Everything draws from the one :class:`random.Random` it is given, so a seed replays the
same statements with the same binds.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import random
import re
from collections.abc import Callable
from typing import Any

from tests.integration.fuzz.corpus import KEYWORDS, ODD_LITERALS, STATEMENTS

_TOKEN = re.compile(
    r"""q'\[.*?\]'|'(?:[^']|'')*'?|"[^"]*"?|:\w+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\w+|\|\||<>|\S"""
)
_PLACEHOLDER = re.compile(r":\w+")
#: chance that a statement goes out as it is in the corpus (binds are still odd)
_UNCHANGED = 0.15
#: mutations per statement: mostly one, so that many still get past the parser
_MUTATION_COUNTS = (1, 1, 1, 2, 2, 3)

Mutation = Callable[[random.Random, list[str]], None]


def tokens(sql: str) -> list[str]:
    """SQL cut into literals, identifiers, binds and punctuation (spaces dropped)."""
    return _TOKEN.findall(sql)


def _delete(rng: random.Random, parts: list[str]) -> None:
    if parts:
        del parts[rng.randrange(len(parts))]


def _duplicate(rng: random.Random, parts: list[str]) -> None:
    if parts:
        index = rng.randrange(len(parts))
        parts.insert(index, parts[index])


def _swap(rng: random.Random, parts: list[str]) -> None:
    if len(parts) > 1:
        first, second = rng.sample(range(len(parts)), 2)
        parts[first], parts[second] = parts[second], parts[first]


def _keyword(rng: random.Random, parts: list[str]) -> None:
    parts.insert(rng.randrange(len(parts) + 1), rng.choice(KEYWORDS))


def _odd_literal(rng: random.Random, parts: list[str]) -> None:
    """Put an odd literal in place of a literal or identifier (or anywhere)."""
    literal = rng.choice(ODD_LITERALS)
    candidates = [i for i, part in enumerate(parts) if part[:1].isalnum() or part[:1] == "'"]
    if candidates and rng.random() < 0.8:
        parts[rng.choice(candidates)] = literal
    else:
        parts.insert(rng.randrange(len(parts) + 1), literal)


def _truncate(rng: random.Random, parts: list[str]) -> None:
    if parts:
        del parts[rng.randrange(len(parts)) :]


def _splice(rng: random.Random, parts: list[str]) -> None:
    """A run of tokens from another corpus statement."""
    other = tokens(rng.choice(STATEMENTS))
    start = rng.randrange(len(other))
    parts[rng.randrange(len(parts) + 1) : 0] = other[start : start + rng.randint(1, 6)]


MUTATIONS: list[Mutation] = [
    _delete,
    _duplicate,
    _swap,
    _keyword,
    _odd_literal,
    _odd_literal,
    _truncate,
    _splice,
]


def statement(rng: random.Random) -> str:
    """A corpus statement, most often with a few mutations."""
    sql = rng.choice(STATEMENTS)
    if rng.random() < _UNCHANGED:
        return sql
    parts = tokens(sql)
    for _ in range(rng.choice(_MUTATION_COUNTS)):
        rng.choice(MUTATIONS)(rng, parts)
    return " ".join(parts)


def placeholders(sql: str) -> list[str]:
    """The distinct bind names in ``sql``, in order (what the driver binds by position)."""
    names: list[str] = []
    for match in _PLACEHOLDER.findall(_without_strings(sql)):
        if match.upper() not in names:
            names.append(match.upper())
    return names


def _without_strings(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


ODD_BINDS: list[Any] = [
    10**37 + 1,
    -(10**38 - 1),
    10**38,
    10**40,
    10**125,
    decimal.Decimal("1E-130"),
    decimal.Decimal("9.99E+125"),
    decimal.Decimal("-0.000000000000000000000000000000000000001"),
    decimal.Decimal("12345678901234567890.123456789012345678"),
    float("nan"),
    float("inf"),
    -0.0,
    1e308,
    5e-324,
    "",
    "x" * 40_000,
    "é" * 20_000,
    "😀" * 1000,
    "\x00",
    "2024-01-01",
    "12.5",
    None,
    b"",
    b"\x00" * 5000,
    b"\xff" * 70_000,
    dt.datetime(9999, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(1, 1, 1),
    dt.date(1, 1, 1),
    dt.timedelta(days=999_999_999),
    dt.timedelta(days=-999_999_999),
    dt.timedelta(microseconds=1),
    True,
    0,
    -1,
    2**63,
    2**64,
]


def similar_row(rng: random.Random, row: list[Any], finite: bool) -> list[Any]:
    """Another ``executemany`` row of the same Python types as ``row``: the driver fixes
    each bind variable's type from the first row and fails in Python (not with a
    DatabaseError) on a later row that does not convert, such as bytes in a string
    variable or infinity in a NUMBER one. ``finite`` leaves NaN and infinity out."""
    return [rng.choice(_same_kind(value, finite)) for value in row]


def _same_kind(value: Any, finite: bool) -> list[Any]:
    kinds = [v for v in ODD_BINDS if type(v) is type(value)]
    if finite:
        kinds = [v for v in kinds if not isinstance(v, float) or math.isfinite(v)]
    return kinds or [value]


def bind_values(rng: random.Random, count: int) -> list[Any]:
    """``count`` bind values, now and then one too many or too few."""
    if rng.random() < 0.1:
        count = max(0, count + rng.choice((-1, 1)))
    return [rng.choice(ODD_BINDS) for _ in range(count)]
