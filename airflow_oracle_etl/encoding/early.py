"""Dates and timestamps before the year 1, which Oracle holds and Python cannot.

Oracle's DATE and TIMESTAMP go back to 4712 BC; Python's ``datetime``, and so the thin
driver, stop at the year 1: the driver fails on a whole fetch that contains such a value. The
export must not, and must stay exact.

The exported form is ISO 8601 with astronomical year numbering and the expanded (signed)
year, the form ISO 8601 and the date libraries that accept years before 1 use: the year 1 BC
is ``0000``, 2 BC is ``-0001``, 4712 BC is ``-4711``. So ``DATE '-4712-01-01'`` (Oracle's
signed year, which has no year 0) is written ``"-4711-01-01T00:00:00"``. Every other field is
Oracle's as it stands, with the same fraction digits the column's other values get; the
JSON kind does not change. BigQuery's DATETIME and TIMESTAMP start at 0001-01-01 and cannot
hold such a value (a load of that row fails): override the column to ``string`` to load it.

How each kind of column is read, keeping the fast path of ordinary rows:

- DATE and TIMESTAMP(0-6) come as the driver's datetime, selected as they are. A fetch that
  meets a value before the year 1 fails in the driver (:func:`is_early_date_error`); the
  extraction then reads the table or partition again, from the start, with an
  :meth:`~.plan.EncodingPlan.with_early_dates` plan: the select list guards each such column
  (``CASE WHEN col >= DATE '0001-01-01' THEN col END``: NULL before the year 1) and adds a
  second item, NULL except before the year 1, where it is the value's text (its year of the
  era, ``YYYY``). :class:`EarlyFixer` checks each batch for such a text (one C-speed pass per
  column), and only when it finds one rewrites those rows: the text, in the form above, takes
  the value's place and the second item is dropped (a row Struct leaves out a field at its
  default, None). Guarding every read instead would cost every table a second item per
  such column on the wire and the per-batch check in the client (about 15% more client CPU a
  row in ``benchmarks/early_dates.py``), while tables holding such values are rare: they pay
  for a second read instead.
- TIMESTAMP(7-9) and zoned timestamps are text already (``TO_CHAR``): their model carries the
  sign (``SYYYY``, a blank for AD), which :func:`signed_text_to_iso` turns into the form
  above; the driver calls it per value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

#: the first day Python (and BigQuery) can hold, as an Oracle DATE literal
YEAR_ONE = "DATE '0001-01-01'"
#: the prefix of the select-list alias of a column's early-text item (position appended)
EARLY_ALIAS_PREFIX = "ETL$EARLY_"
_ERA_DIGITS = 4


_EARLY_YEAR_ERROR = re.compile(r"year -?\d+ is out of range")


def is_early_date_error(error: BaseException) -> bool:
    """Whether ``error`` is the driver failing to build a datetime before the year 1 (Python's
    own message for it)."""
    return isinstance(error, ValueError) and bool(_EARLY_YEAR_ERROR.fullmatch(str(error)))


def guard_sql(column: str) -> str:
    """The column, NULL before the year 1 (which the driver could not build)."""
    return f"CASE WHEN {column} >= {YEAR_ONE} THEN {column} END"


def early_text_sql(column: str, model: str) -> str:
    """The column's text before the year 1 (its year of the era, unsigned), NULL after."""
    return f"CASE WHEN {column} < {YEAR_ONE} THEN TO_CHAR({column}, '{model}') END"


def bc_text_to_iso(text: str) -> str:
    """``YYYY-...`` text of a BC value (the year of the era) as ISO 8601 astronomical."""
    year, rest = text[:_ERA_DIGITS], text[_ERA_DIGITS:]
    return _astronomical(-int(year)) + rest


def signed_text_to_iso(text: str) -> str:
    """``SYYYY-...`` text (a blank or a minus before the year) as ISO 8601: AD values lose
    the blank, BC values get their astronomical year."""
    if text[0] != "-":
        return text[1:]
    return _astronomical(-int(text[1 : 1 + _ERA_DIGITS])) + text[1 + _ERA_DIGITS :]


def _astronomical(oracle_year: int) -> str:
    year = oracle_year + 1  # Oracle's -1 (1 BC) is the astronomical year 0
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def _trim_fraction(text: str) -> str:
    """Drop an all-zero fraction, as the driver's datetime is written for other rows."""
    whole, point, fraction = text.partition(".")
    return whole if point and not fraction.strip("0") else text


class EarlyFixer:
    """Puts the text of values before the year 1 in place of the NULL the guard selected.

    ``slots`` are (value position, early-text position) in a row as the cursor returns it:
    the early texts follow the columns. Rows are the plan's row Structs (``fields`` names the
    Struct field of each position) or tuples.
    """

    __slots__ = ("_getters", "_named", "_slots")

    def __init__(self, slots: Sequence[tuple[int, int]], fields: Sequence[str] | None) -> None:
        self._slots = tuple(slots)
        self._named = None
        self._getters: list[Callable[[Any], Any]] = []
        if fields is not None:
            self._named = [(fields[value], fields[early]) for value, early in self._slots]
            self._getters = [operator.attrgetter(early) for _, early in self._named]

    def fix_structs(self, rows: Sequence[Any]) -> None:
        """Rewrite, in place, the row Structs that hold a value before the year 1 (a check
        of each early field over the batch in C first: almost every batch has none)."""
        assert self._named is not None
        for (value, early), get in zip(self._named, self._getters, strict=True):
            if not any(map(get, rows)):
                continue
            for row in rows:
                text = getattr(row, early)
                if text is not None:
                    setattr(row, value, _trim_fraction(bc_text_to_iso(text)))
                    setattr(row, early, None)

    def fix_tuples(self, rows: Sequence[Sequence[Any]], width: int) -> list[Sequence[Any]]:
        """The rows cut to their ``width`` columns, early texts in place of the values."""
        fixed: list[Sequence[Any]] = []
        for row in rows:
            values = list(row[:width])
            for value, early in self._slots:
                if row[early] is not None:
                    values[value] = _trim_fraction(bc_text_to_iso(row[early]))
            fixed.append(values)
        return fixed
