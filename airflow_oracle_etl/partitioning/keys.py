"""Partitioning options checked against the table, and the keys they resolve to.

A key is what a strategy splits on: a column (quoted exact name) or ``ROWID``. A
:class:`RangeKey` also knows how its boundary values cross to text and back, because
boundaries travel as strings (XCom is JSON) and are converted in SQL with a format that reads
exactly what the planning query wrote:

===================  ===============================  ===================================
key type             planning query reads             predicates compare with
===================  ===============================  ===================================
NUMBER, FLOAT        ``TO_CHAR(key)``                 ``TO_NUMBER(:p_lo)``
BINARY_FLOAT/DOUBLE  the value (a Python float,       ``TO_BINARY_DOUBLE(:p_lo)``
                     written with ``repr``)           (``TO_BINARY_FLOAT`` for those)
DATE                 ``TO_CHAR(key, DATE_FORMAT)``    ``TO_DATE(:p_lo, DATE_FORMAT)``
TIMESTAMP(n)         ``TO_CHAR(key, TS_FORMAT)``      ``TO_TIMESTAMP(:p_lo, TS_FORMAT)``
ROWID                the value (18 characters)        ``:p_lo`` (Oracle converts character
                                                      to ROWID when comparing with one)
===================  ===============================  ===================================

Floats are read as values rather than through ``TO_CHAR`` so that NaN and infinities need no
server-side text, and bound back with ``TO_BINARY_DOUBLE``/``TO_BINARY_FLOAT``, which Oracle
documents for the texts ``'NaN'``, ``'INF'`` and ``'-INF'`` (``float_text`` writes those). Like
``TO_NUMBER`` for NUMBER keys, they read the text with the session's decimal character, which
the hook sets to ``.`` in every session it opens (:mod:`..hooks.session_nls`; the text is
Python's ``repr``). A bind
of the float itself as a BINARY_DOUBLE would need no text at all, but the bounds travel
through XCom (JSON, which has no NaN or infinities) and every bind is bound by its Python
type, which for a float is NUMBER. ROWIDs are compared to the bind directly: Oracle converts
a character value to ROWID when comparing it with one, as documented for implicit conversion.

Text and number conversions run in the server under the same connection settings for the
planning and the reading sessions, so a boundary always converts back to the same value; even
a boundary that did not convert exactly would still split the table into disjoint slices that
cover it, because both neighbouring slices compare with the same converted value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.identifiers import (
    InvalidIdentifierError,
    parse_identifier,
    quote_identifier,
)
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.partitioning.spec import (
    BIND_PREFIX,
    MAX_PARTITIONS,
    STRATEGIES,
    STRATEGY_COLUMN,
    STRATEGY_ROWID,
    PartitioningError,
)

__all__ = [
    "BOUND_COLUMN",
    "DATE_FORMAT",
    "ROWID_KEY",
    "TIMESTAMP_FORMAT",
    "Key",
    "RangeKey",
    "check_count",
    "check_parameters",
    "check_strategy",
    "display_datetime",
    "find_column",
    "float_text",
    "hash_key",
    "range_key",
    "strategy_column",
]

#: ``S`` keeps BC years ordered (a sign); Oracle writes a blank for AD years, stripped here
DATE_FORMAT = "SYYYY-MM-DD HH24:MI:SS"
#: nine fractional digits: exact for every TIMESTAMP(n)
TIMESTAMP_FORMAT = "SYYYY-MM-DD HH24:MI:SS.FF9"
#: the inline view's column the planning query reads boundaries from
BOUND_COLUMN = "P_KEY"

_NUMBER_TYPES = frozenset({"NUMBER", "FLOAT"})
_BINARY_TYPES = frozenset({"BINARY_FLOAT", "BINARY_DOUBLE"})
_RANGE_TYPES_TEXT = "NUMBER, FLOAT, BINARY_FLOAT, BINARY_DOUBLE, DATE or TIMESTAMP"
#: types ORA_HASH takes (it refuses LOBs, LONG and object types)
_HASHABLE_TYPES = frozenset(
    {
        *_NUMBER_TYPES,
        *_BINARY_TYPES,
        "CHAR",
        "NCHAR",
        "VARCHAR2",
        "NVARCHAR2",
        "RAW",
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE",
        "TIMESTAMP WITH LOCAL TIME ZONE",
        "INTERVAL DAY TO SECOND",
        "INTERVAL YEAR TO MONTH",
    }
)


@dataclass(frozen=True)
class Key:
    """What a strategy splits on: ``sql`` in predicates, ``label`` in descriptions."""

    sql: str
    label: str
    #: a column may hold NULLs (whatever its constraint says now: an old snapshot or a
    #: NOVALIDATE constraint can still show them); ROWID never is NULL
    nullable: bool = True


@dataclass(frozen=True)
class RangeKey(Key):
    """A key split into ranges: how its boundaries are read as text and compared again."""

    #: the planning query's expression for a boundary, over the inline view's P_KEY
    bound_sql: str = BOUND_COLUMN
    #: a boundary's SQL value from its bind variable, with ``{bind}`` for ``:p_lo``
    value_sql: str = "{bind}"
    #: the fetched boundary as the string that is bound
    text_of: Callable[[Any], str] = field(default=str)
    #: the bound text as a person reads it in a description
    display: Callable[[str], str] = field(default=str)

    def value(self, bind_name: str) -> str:
        return self.value_sql.format(bind=f":{bind_name}")


def float_text(value: float) -> str:
    """A float's exact text (``repr`` round-trips), with the spellings Oracle reads back."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return repr(float(value))


def display_datetime(text: str) -> str:
    """``2023-01-01 00:00:00.000000000`` -> ``2023-01-01``; trailing zeros of fractions go."""
    day, _, time = text.partition(" ")
    if "." in time:
        time = time.rstrip("0").rstrip(".")
    return day if time in ("", "00:00:00") else f"{day} {time}"


def _server_text(value: Any) -> str:
    return str(value).strip()


ROWID_KEY = RangeKey(sql="ROWID", label="ROWID", nullable=False)


def check_count(table: str, count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise PartitioningError(
            f"{table}: partitions must be a whole number from 1 to {MAX_PARTITIONS}, got {count!r}"
        )
    if not 1 <= count <= MAX_PARTITIONS:
        raise PartitioningError(
            f"{table}: partitions must be from 1 to {MAX_PARTITIONS}, got {count}"
        )
    return count


def check_strategy(table: str, strategy: object) -> str:
    if strategy not in STRATEGIES:
        known = ", ".join(repr(name) for name in STRATEGIES)
        raise PartitioningError(
            f"{table}: unknown partition strategy {strategy!r} (known: {known})"
        )
    return str(strategy)


def check_parameters(table: str, parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The user's bind values, refusing names the partition (or snapshot) binds would shadow."""
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise PartitioningError(
            f"{table}: parameters must be a mapping of bind names to values when partitioning, "
            f"got {type(parameters).__name__}"
        )
    for name in parameters:
        folded = str(name).lower()
        if folded.startswith(BIND_PREFIX) or folded == AS_OF_SCN_BIND:
            raise PartitioningError(
                f"{table}: parameter {name!r} clashes with the binds partitioning adds "
                f"(names starting with {BIND_PREFIX!r} and {AS_OF_SCN_BIND!r} are reserved)"
            )
    return dict(parameters)


def find_column(metadata: TableMetadata, column: object) -> OracleColumn:
    """The table's column a configured name denotes (unquoted names fold to upper case)."""
    table = metadata.qualified_name
    try:
        name = parse_identifier(column, what="partition_by column")  # type: ignore[arg-type]
    except InvalidIdentifierError as error:
        raise PartitioningError(f"{table}: {error}") from error
    for candidate in metadata.columns:
        if candidate.name == name:
            return candidate
    known = ", ".join(c.name for c in metadata.columns)
    raise PartitioningError(
        f"{table}: partition_by column {column!r} does not exist (columns: {known})"
    )


def range_key(metadata: TableMetadata, column: OracleColumn) -> RangeKey:
    """How the ``column`` strategy splits on ``column``; refuses types it cannot range over."""
    kind = column.base_type
    sql = quote_identifier(column.name, what="column")
    if kind in _NUMBER_TYPES:
        return RangeKey(
            sql=sql,
            label=column.name,
            bound_sql=f"TO_CHAR({BOUND_COLUMN})",
            value_sql="TO_NUMBER({bind})",
            text_of=_server_text,
        )
    if kind in _BINARY_TYPES:
        return RangeKey(
            sql=sql, label=column.name, value_sql=f"TO_{kind}({{bind}})", text_of=float_text
        )
    if kind in ("DATE", "TIMESTAMP"):
        model, parse = (
            (DATE_FORMAT, "TO_DATE") if kind == "DATE" else (TIMESTAMP_FORMAT, "TO_TIMESTAMP")
        )
        return RangeKey(
            sql=sql,
            label=column.name,
            bound_sql=f"TO_CHAR({BOUND_COLUMN}, '{model}')",
            value_sql=f"{parse}({{bind}}, '{model}')",
            text_of=_server_text,
            display=display_datetime,
        )
    raise PartitioningError(
        f"{metadata.qualified_name}: partition_by column {column.name!r} is {column.data_type}; "
        f"range partitions need a {_RANGE_TYPES_TEXT} column (the 'hash' strategy takes "
        "other types)"
    )


def hash_key(metadata: TableMetadata, column: OracleColumn | None) -> Key:
    """What the ``hash`` strategy hashes: the column, else ROWID."""
    if column is None:
        return ROWID_KEY
    if column.base_type not in _HASHABLE_TYPES:
        raise PartitioningError(
            f"{metadata.qualified_name}: partition_by column {column.name!r} is "
            f"{column.data_type}, which ORA_HASH cannot hash; pick a scalar column or leave "
            "the column out to hash ROWID"
        )
    return Key(sql=quote_identifier(column.name, what="column"), label=column.name)


def strategy_column(
    metadata: TableMetadata, strategy: str, column: object | None
) -> OracleColumn | None:
    """The column a strategy needs (``column``), may take (``hash``) or refuses (``rowid``)."""
    table = metadata.qualified_name
    if column is None:
        if strategy == STRATEGY_COLUMN:
            raise PartitioningError(
                f"{table}: the {STRATEGY_COLUMN!r} partition strategy needs a partition_by column"
            )
        return None
    if strategy == STRATEGY_ROWID:
        raise PartitioningError(
            f"{table}: the {STRATEGY_ROWID!r} partition strategy takes no partition_by column, "
            f"got {column!r}"
        )
    return find_column(metadata, column)
