"""Reading a table in primary-key order, and restarting the read after a given key.

A retry can only skip the parts an earlier attempt finished if "the rows after part N" means
the same thing to both attempts. Two things make it so:

- the same snapshot: both attempts read ``AS OF`` the same SCN (the job's, or the one the first
  attempt captured and checkpointed);
- the same order: ``ORDER BY`` the primary key, so the last row of a finished part has a key,
  and the rest of the table is exactly the rows whose key is greater (keyset pagination).

A key travels in the checkpoint as text (the task state store holds JSON) and is converted
back with a bind per column, compared as Oracle compares the column. Only key columns whose
fetched value converts back exactly qualify; a table whose key has another type (CHAR, whose
blank-padded comparison differs from a bound VARCHAR2's, floating point, zoned timestamps,
intervals, fractional seconds beyond microseconds, a column read through an expression or an
override) is read in the usual unordered way, and a retry re-reads its partition:
:func:`keyset_order` says why, and the operator logs it.

Ordering text keys is only consistent with ``>`` on them when the session compares and sorts
in binary (``NLS_SORT`` and ``NLS_COMP`` ``BINARY``, Oracle's defaults); the operator checks
the session's settings before trusting a text key.
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_oracle_etl.encoding.columns import (
    COLUMN_PLACEHOLDER,
    ColumnEncoding,
    FetchMode,
    JsonKind,
)
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import TableMetadata

__all__ = [
    "KEY_BIND_PREFIX",
    "KeyColumn",
    "KeysetOrder",
    "binary_collation",
    "keyset_order",
]

#: bind variables of the restart predicate are ``ck_0``, ``ck_1``...
KEY_BIND_PREFIX = "ck_"
#: Oracle format models of the text a DATE / TIMESTAMP key is written as
DATE_KEY_MODEL = "YYYY-MM-DD HH24:MI:SS"
TIMESTAMP_KEY_MODEL = "YYYY-MM-DD HH24:MI:SS.FF6"
#: fractional digits the driver's datetime keeps: TIMESTAMP(n) keys need n <= this
DRIVER_FRACTION_DIGITS = 6

_TEXT_TYPES = frozenset({"VARCHAR2", "NVARCHAR2"})
_INTEGER_FETCHES = frozenset({FetchMode.DEFAULT, FetchMode.INTEGER})


@dataclass(frozen=True)
class _KeyKind:
    """How one key type's fetched value becomes checkpoint text, and that text a bind again."""

    name: str
    #: the fetched value -> the JSON-safe text kept in the checkpoint
    to_text: Callable[[Any], str]
    #: the checkpoint text -> the value bound
    to_bind: Callable[[str], Any]
    #: the SQL value of the bind, with ``{bind}`` for ``:ck_N``
    value_sql: str = "{bind}"
    #: text keys depend on the session's binary sort and comparison
    is_text: bool = False


def _datetime_text(value: dt.datetime) -> str:
    # strftime's %Y does not pad years below 1000 on every platform
    return f"{value.year:04d}-{value:%m-%d %H:%M:%S}"


def _timestamp_text(value: dt.datetime) -> str:
    return f"{_datetime_text(value)}.{value.microsecond:06d}"


_INTEGER = _KeyKind("integer", str, int)
_DECIMAL = _KeyKind("decimal", str, decimal.Decimal)
_TEXT = _KeyKind("text", str, str, is_text=True)
_DATE = _KeyKind("date", _datetime_text, str, value_sql=f"TO_DATE({{bind}}, '{DATE_KEY_MODEL}')")
_TIMESTAMP = _KeyKind(
    "timestamp", _timestamp_text, str, value_sql=f"TO_TIMESTAMP({{bind}}, '{TIMESTAMP_KEY_MODEL}')"
)
_RAW = _KeyKind("raw", bytes.hex, str, value_sql="HEXTORAW({bind})")


@dataclass(frozen=True)
class KeyColumn:
    """One primary-key column: its quoted name, its place in the row, how its value travels."""

    name: str
    sql: str
    position: int
    kind: _KeyKind


@dataclass(frozen=True)
class KeysetOrder:
    """The primary key a read is ordered by, and how to restart the read after a key."""

    table: str
    columns: tuple[KeyColumn, ...]
    #: a Struct field name per key column, or None when rows are tuples
    fields: tuple[str, ...] | None = None

    @property
    def order_by(self) -> str:
        """``"A", "B"``: the ORDER BY list (ascending, as the restart predicate assumes)."""
        return ", ".join(column.sql for column in self.columns)

    @property
    def has_text(self) -> bool:
        return any(column.kind.is_text for column in self.columns)

    def key_getter(self) -> Callable[[Any], tuple[Any, ...]]:
        """A function from a fetched row (a Struct of the plan's row type, or a tuple) to the
        values of its key columns, built once: it runs once per batch."""
        # one field gives its value, several a tuple of them: both are Any
        get: Callable[[Any], Any]
        if self.fields is not None:
            get = operator.attrgetter(*self.fields)
        else:
            get = operator.itemgetter(*(column.position for column in self.columns))
        if len(self.columns) == 1:
            return lambda row: (get(row),)
        return get

    def key_text(self, values: Sequence[Any]) -> list[str]:
        """The key of one row as the checkpoint keeps it."""
        return [
            column.kind.to_text(value) for column, value in zip(self.columns, values, strict=True)
        ]

    def after(self, key: Sequence[str]) -> tuple[str, dict[str, Any]]:
        """The predicate "key greater than ``key``" and its binds.

        For a key (A, B): ``A > :ck_0 OR (A = :ck_0 AND B > :ck_1)``; the key columns are NOT
        NULL (primary key), so no NULL can fall between the comparisons.
        """
        if len(key) != len(self.columns):
            raise ValueError(
                f"{self.table}: a checkpoint key has {len(key)} values for "
                f"{len(self.columns)} key columns"
            )
        binds: dict[str, Any] = {}
        values: list[str] = []
        for index, (column, text) in enumerate(zip(self.columns, key, strict=True)):
            name = f"{KEY_BIND_PREFIX}{index}"
            binds[name] = column.kind.to_bind(text)
            values.append(column.kind.value_sql.format(bind=f":{name}"))
        alternatives = []
        for index, column in enumerate(self.columns):
            equal = [f"{c.sql} = {values[i]}" for i, c in enumerate(self.columns[:index])]
            alternatives.append(" AND ".join([*equal, f"{column.sql} > {values[index]}"]))
        return " OR ".join(f"({alternative})" for alternative in alternatives), binds


def keyset_order(
    metadata: TableMetadata,
    encodings: Sequence[ColumnEncoding],
    row_fields: Sequence[str] | None,
) -> KeysetOrder | str:
    """The key order of a read of ``metadata`` with these column encodings, or why there is
    none (a sentence for the log).

    :param encodings: the plan's columns, in select-list order.
    :param row_fields: the plan's row type fields in the same order, or None for tuples.
    """
    table = metadata.qualified_name
    if not metadata.primary_key:
        return f"{table} has no primary key"
    positions = {encoding.name: index for index, encoding in enumerate(encodings)}
    columns: list[KeyColumn] = []
    for name in metadata.primary_key:
        if name not in positions:
            return f"primary key column {name!r} of {table} is not among the columns extracted"
        encoding = encodings[positions[name]]
        kind = _kind_of(metadata, name, encoding)
        if isinstance(kind, str):
            return kind
        columns.append(
            KeyColumn(name, quote_identifier(name, what="column"), positions[name], kind)
        )
    fields = None
    if row_fields is not None:
        fields = tuple(row_fields[column.position] for column in columns)
    return KeysetOrder(table, tuple(columns), fields)


def _kind_of(metadata: TableMetadata, name: str, encoding: ColumnEncoding) -> _KeyKind | str:
    """The key kind of a column read as ``encoding``, or why it cannot be a restart key."""
    column = metadata.column(name)
    why = (
        f"primary key column {name!r} of {metadata.qualified_name} is {column.data_type}, "
        "{reason}"
    )
    if encoding.sql != COLUMN_PLACEHOLDER or encoding.converter is not None:
        return why.format(reason="read through an expression or converter")
    kind = column.base_type
    if kind in ("NUMBER", "FLOAT"):
        # NUMBER(p, 0) comes as the driver's int; FetchMode.INTEGER forces one
        if encoding.kind is JsonKind.INTEGER and encoding.fetch in _INTEGER_FETCHES:
            return _INTEGER
        if encoding.fetch is FetchMode.TEXT:
            return _DECIMAL
        return why.format(reason="fetched as a floating-point value")
    if encoding.fetch is not FetchMode.DEFAULT:
        return why.format(reason="fetched in another form (a type override)")
    if kind in _TEXT_TYPES:
        return _TEXT
    if kind == "DATE":
        return _DATE
    if kind == "TIMESTAMP":
        if (column.scale if column.scale is not None else 6) > DRIVER_FRACTION_DIGITS:
            return why.format(reason="with more fractional digits than the driver keeps")
        return _TIMESTAMP
    if kind == "RAW":
        return _RAW
    return why.format(reason="a type a restart key cannot be compared on exactly")


def binary_collation(settings: Mapping[str, str]) -> bool:
    """Whether NLS_SORT and NLS_COMP (from NLS_SESSION_PARAMETERS) sort and compare bytes."""
    names = ("NLS_SORT", "NLS_COMP")
    return all(settings.get(name, "BINARY").upper() == "BINARY" for name in names)
