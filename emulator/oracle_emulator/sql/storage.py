"""Multi-version storage: hidden columns, visibility, transaction tags, commit and rollback.

Every table is a DuckDB table ``__data."t<object id>"`` with the declared columns plus:

- ``__ver``: the physical version id, dense per table (1, 2, 3, ...), never reused. Versions
  never change content: an UPDATE writes a new version, so encoded rows can be cached by it.
- ``__rid``: the row identity, kept across updates (the ``__ver`` of the row's first version);
  ROWID is derived from it.
- ``__ins``: the commit SCN that created the version, or the (negative) tag of the uncommitted
  statement that did.
- ``__del``: NULL while the version is current; the commit SCN, or the negative tag of the
  uncommitted statement, that deleted or updated it away.

Why tags and not DuckDB transactions: DuckDB aborts a whole transaction on any error (even a
parse error), while Oracle only undoes the failing statement. So each statement runs in its
own short DuckDB transaction (atomic, rolled back by DuckDB on error), writes its changes
tagged with ``-(txn << 24 | statement)``, and readers filter: committed data plus their own
transaction's tags. COMMIT rewrites the tags to the commit SCN in one DuckDB transaction;
ROLLBACK (and ROLLBACK TO SAVEPOINT) deletes/clears them by tag range.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from oracle_emulator.sql.catalogue import DATA_SCHEMA, Table
from oracle_emulator.sql.oratypes import quote_ident

VER = "__ver"
RID = "__rid"
INS = "__ins"
DEL = "__del"
HIDDEN = (VER, RID, INS, DEL)
#: prefix of the exact twin a live view exposes for NUMBER/FLOAT (text) and TIMESTAMP(7-9)
#: (nanoseconds) columns
EXACT_PREFIX = "__x_"
STATEMENT_BITS = 24
STATEMENT_MASK = (1 << STATEMENT_BITS) - 1
#: a tag range nothing is ever tagged with (sessions without an open transaction)
NO_RANGE = (-1, -1)


def exact_name(column: str) -> str:
    return EXACT_PREFIX + column


def tag_of(txn: int, statement: int) -> int:
    return -((txn << STATEMENT_BITS) | statement)


def txn_of_tag(tag: int) -> int:
    return (-tag) >> STATEMENT_BITS


@dataclass(frozen=True)
class Snapshot:
    """What a statement reads: the latest committed data plus its own transaction's
    changes (``as_of`` None), or committed data as of an SCN."""

    own_lo: int = NO_RANGE[0]
    own_hi: int = NO_RANGE[1]
    as_of: int | None = None


def visible_sql(snapshot: Snapshot, prefix: str = "") -> str:
    """The WHERE condition selecting the versions a snapshot sees."""
    ins, dele = prefix + INS, prefix + DEL
    if snapshot.as_of is not None:
        n = snapshot.as_of
        return f"{ins} BETWEEN 1 AND {n} AND ({dele} IS NULL OR {dele} < 0 OR {dele} > {n})"
    lo, hi = snapshot.own_lo, snapshot.own_hi
    return (
        f"({ins} > 0 OR {ins} BETWEEN {lo} AND {hi}) AND "
        f"({dele} IS NULL OR ({dele} < 0 AND {dele} NOT BETWEEN {lo} AND {hi}))"
    )


def create_table_sql(table: Table) -> str:
    """DDL of a table's storage (NOT NULL is DuckDB's: it holds for every version too)."""
    parts = []
    for column in table.columns:
        null = "" if column.nullable else " NOT NULL"
        parts.append(f"{quote_ident(column.name)} {column.type.storage_sql()}{null}")
    parts += [f"{VER} BIGINT NOT NULL", f"{RID} BIGINT NOT NULL", f"{INS} BIGINT NOT NULL"]
    parts.append(f"{DEL} BIGINT")
    return f"CREATE TABLE {table.storage} ({', '.join(parts)})"


def projection_sql(table: Table, alias: str = "", hidden: bool = True) -> list[str]:
    """The select items of a table's live view: declared columns as queries see them (exact
    NUMBER text as DOUBLE, TIMESTAMP(7-9) nanoseconds as TIMESTAMP_NS, with the stored
    value beside it), plus the hidden ids."""
    prefix = f"{alias}." if alias else ""
    items = []
    for column in table.columns:
        name = quote_ident(column.name)
        if column.type.has_twin:
            items.append(f"{column.type.query_sql(prefix + name)} AS {name}")
            items.append(f"{prefix}{name} AS {quote_ident(exact_name(column.name))}")
        else:
            items.append(f"{prefix}{name}")
    if hidden:
        items += [f"{prefix}{VER}", f"{prefix}{RID}", f"{prefix}{DEL}"]
    return items


def live_sql(table: Table, snapshot: Snapshot) -> str:
    """A derived table with the rows a snapshot sees (DuckDB pushes filters into it)."""
    items = ", ".join(projection_sql(table))
    return f"(SELECT {items} FROM {table.storage} WHERE {visible_sql(snapshot)})"


def commit_sql(table: Table, lo: int, hi: int, scn: int) -> list[str]:
    """Statements turning a transaction's tags into a commit SCN on one table."""
    s = table.storage
    return [
        f"DELETE FROM {s} WHERE {INS} BETWEEN {lo} AND {hi} AND {DEL} BETWEEN {lo} AND {hi}",
        f"UPDATE {s} SET {INS} = {scn} WHERE {INS} BETWEEN {lo} AND {hi}",
        f"UPDATE {s} SET {DEL} = {scn} WHERE {DEL} BETWEEN {lo} AND {hi}",
    ]


def rollback_sql(table: Table, lo: int, hi: int) -> list[str]:
    """Statements undoing the tagged changes in ``[lo, hi]`` on one table."""
    s = table.storage
    return [
        f"DELETE FROM {s} WHERE {INS} BETWEEN {lo} AND {hi}",
        f"UPDATE {s} SET {DEL} = NULL WHERE {DEL} BETWEEN {lo} AND {hi}",
    ]


def purge_sql(table: Table, before_scn: int) -> str:
    """Forget versions deleted by commits at or before ``before_scn``."""
    return f"DELETE FROM {table.storage} WHERE {DEL} > 0 AND {DEL} <= {before_scn}"


def cleanup_uncommitted_sql(table: Table) -> list[str]:
    """After reopening a database file: drop what no live transaction owns any more."""
    return rollback_sql(table, -(2**62), -1)


def schema_sql() -> str:
    return f"CREATE SCHEMA IF NOT EXISTS {DATA_SCHEMA}"


@dataclass
class Transaction:
    """A session's open Oracle transaction: its id, statement counter and what it touched."""

    txn_id: int
    statements: int = 0
    #: object id -> table, for commit/rollback
    tables: dict[int, Table] = field(default_factory=dict)
    #: (statement number, object id, live-row delta) for NUM_ROWS upkeep
    deltas: list[tuple[int, int, int]] = field(default_factory=list)
    savepoints: dict[str, int] = field(default_factory=dict)

    @property
    def range(self) -> tuple[int, int]:
        base = self.txn_id << STATEMENT_BITS
        return -(base | STATEMENT_MASK), -base

    def next_tag(self) -> int:
        self.statements += 1
        if self.statements > STATEMENT_MASK:
            raise OverflowError("too many statements in one transaction")
        return tag_of(self.txn_id, self.statements)

    def range_after(self, statement: int) -> tuple[int, int]:
        """Tags of statements numbered above ``statement`` (for ROLLBACK TO SAVEPOINT)."""
        base = self.txn_id << STATEMENT_BITS
        return -(base | STATEMENT_MASK), -(base | (statement + 1))

    def snapshot(self) -> Snapshot:
        lo, hi = self.range
        return Snapshot(lo, hi)


class VersionCounters:
    """Per-table ``__ver`` allocation; a statement holds its table's lock while inserting,
    so the ids it takes (``base + row_number()``) stay dense and unique."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[int, int] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._txn_ids = itertools.count(1)

    def new_txn_id(self) -> int:
        with self._lock:
            return next(self._txn_ids)

    def set_next(self, object_id: int, value: int) -> None:
        with self._lock:
            self._next[object_id] = value
            self._locks.setdefault(object_id, threading.Lock())

    def peek(self, object_id: int) -> int:
        return self._next.get(object_id, 1)

    def forget(self, object_id: int) -> None:
        with self._lock:
            self._next.pop(object_id, None)

    @contextmanager
    def allocating(self, object_id: int) -> Iterator[Allocation]:
        with self._lock:
            lock = self._locks.setdefault(object_id, threading.Lock())
        with lock:
            allocation = Allocation(self._next.get(object_id, 1))
            yield allocation
            if allocation.used:
                self._next[object_id] = allocation.base + allocation.used


@dataclass
class Allocation:
    """The first free ``__ver`` of a table; the statement reports how many it used."""

    base: int
    used: int = 0


def ident(name: str) -> str:
    return quote_ident(name)
