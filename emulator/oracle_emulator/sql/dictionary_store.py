"""Where the ALL_ views' rows live in DuckDB: one table for all views, rewritten per unit.

Why one table rather than one per view: every DuckDB write statement costs about a
millisecond, whatever its size. A DDL statement changes the rows of up to a dozen views (a
new table has columns, constraints, comments, an object, an index...); with a table per view,
bringing the dictionary up to date costs a DELETE and an INSERT per view, 20 ms and more, on
the first dictionary query after it. With one table it is one DELETE of the changed units'
rows and one INSERT (from Arrow) of their new rows, whatever the number of views.

Each view's stored columns are mapped onto typed slots of that table (``v0``, ``v1``...
VARCHAR, ``n0``... BIGINT, ``d0``... TIMESTAMP, ``b0``... DECIMAL), and the view renames them
back, ``SELECT v0 AS OWNER, ... WHERE __view = <number>``: DuckDB inlines it and pushes a
query's filters (owner, table name) into the scan. Live columns
(:data:`~.dictionary_columns.LIVE_COLUMNS`) have no slot: the view computes them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from oracle_emulator.sql.arrow_columns import arrow_table
from oracle_emulator.sql.dictionary_columns import LIVE_COLUMNS, OBJECT_COLUMN, VIEW_COLUMNS
from oracle_emulator.sql.dictionary_data import Unit, UnitKey
from oracle_emulator.sql.oratypes import quote_ident

ROWS_TABLE = "__ROWS"
UNIT_COLUMN = "__unit"
VIEW_COLUMN = "__view"
_SLOT_PREFIXES = {"VARCHAR": "v", "BIGINT": "n", "TIMESTAMP": "d", "DECIMAL(38,0)": "b"}
_HIDDEN = [(UNIT_COLUMN, "BIGINT"), (VIEW_COLUMN, "BIGINT"), (OBJECT_COLUMN, "BIGINT")]

#: (unit id, object id for live counts, view, row in the view's column order)
StoredRow = tuple[int, int | None, str, tuple[Any, ...]]


class Layout:
    """The shared table's columns and, per view, which slot holds which of its columns."""

    def __init__(self, views: dict[str, list[tuple[str, str]]]) -> None:
        self.view_ids = {name: number for number, name in enumerate(views)}
        self.views = views
        #: view -> per column of the view, the slot's position in :attr:`columns` (None: live)
        self.positions: dict[str, list[int | None]] = {}
        widest: Counter[str] = Counter()
        for name, columns in views.items():
            used: Counter[str] = Counter()
            for column, kind in columns:
                if column not in LIVE_COLUMNS.get(name, {}):
                    used[kind] += 1
            for kind, count in used.items():
                widest[kind] = max(widest[kind], count)
        self.columns = list(_HIDDEN)
        first: dict[str, int] = {}
        for kind, count in widest.items():
            first[kind] = len(self.columns)
            prefix = _SLOT_PREFIXES[kind]
            self.columns += [(f"{prefix}{index}", kind) for index in range(count)]
        for name, columns in views.items():
            used = Counter()
            slots: list[int | None] = []
            for column, kind in columns:
                if column in LIVE_COLUMNS.get(name, {}):
                    slots.append(None)
                    continue
                slots.append(first[kind] + used[kind])
                used[kind] += 1
            self.positions[name] = slots

    def table_sql(self, relation: str) -> str:
        body = ", ".join(f"{quote_ident(name)} {kind}" for name, kind in self.columns)
        return f"CREATE OR REPLACE TABLE {relation} ({body})"

    def view_sql(self, name: str, relation: str, rows: str) -> str:
        """The view over the shared table (``rows``) showing one dictionary view's columns."""
        stored = []
        for (column, _), position in zip(self.views[name], self.positions[name], strict=True):
            if position is not None:
                slot = quote_ident(self.columns[position][0])
                stored.append(f"{slot} AS {quote_ident(column)}")
        live = LIVE_COLUMNS.get(name, {})
        if live:  # the live columns' expressions read the object id
            stored.append(quote_ident(OBJECT_COLUMN))
        inner = (
            f"SELECT {', '.join(stored)} FROM {rows} "
            f"WHERE {quote_ident(VIEW_COLUMN)} = {self.view_ids[name]}"
        )
        if not live:
            return f"CREATE OR REPLACE VIEW {relation} AS {inner}"
        items = [
            f"CAST({live[column]} AS {kind}) AS {quote_ident(column)}"
            if column in live
            else quote_ident(column)
            for column, kind in self.views[name]
        ]
        return f"CREATE OR REPLACE VIEW {relation} AS SELECT {', '.join(items)} FROM ({inner})"

    def arrow(self, rows: list[StoredRow]) -> pa.Table:
        """The rows as an Arrow table in the shared table's column order."""
        width = len(self.columns)
        full: list[list[Any]] = []
        for unit_id, oid, view, values in rows:
            row: list[Any] = [None] * width
            row[0], row[1], row[2] = unit_id, self.view_ids[view], oid
            for position, value in zip(self.positions[view], values, strict=True):
                if position is not None:
                    row[position] = value
            full.append(row)
        return arrow_table(self.columns, full)


class DictionaryStore:
    """The stored rows of the ALL_ views, kept equal to the catalogue unit by unit."""

    def __init__(self, relation_of: Callable[[str], str]) -> None:
        self.layout = Layout(VIEW_COLUMNS)
        self._relation_of = relation_of
        self._rows = relation_of(ROWS_TABLE)
        #: unit -> (its id in the shared table, the unit as last written)
        self._written: dict[UnitKey, tuple[int, Unit]] = {}
        self._ids = itertools.count(1)

    def create(self, cursor: Any) -> dict[str, str]:
        """Create the shared table (empty) and the views; their public names -> relations."""
        cursor.execute(self.layout.table_sql(self._rows))
        self._written.clear()
        public = {}
        for name in VIEW_COLUMNS:
            relation = self._relation_of(name)
            cursor.execute(self.layout.view_sql(name, relation, self._rows))
            public[name] = relation
        return public

    def sync(self, cursor: Any, current: dict[UnitKey, Unit]) -> int:
        """Rewrite the rows of the units that changed since the last sync (new, replaced or
        gone ones), atomically for readers; the number of rows written."""
        stale: list[int] = []
        fresh: list[tuple[UnitKey, int, Unit]] = []
        for key, unit in current.items():
            known = self._written.get(key)
            if known is not None and known[1].same_as(unit):
                continue
            if known is not None:
                stale.append(known[0])
            fresh.append((key, next(self._ids), unit))
        gone = [key for key in self._written if key not in current]
        stale += [self._written[key][0] for key in gone]
        if not stale and not fresh:
            return 0
        rows: list[StoredRow] = [
            (unit_id, unit.oid, view, values)
            for _, unit_id, unit in fresh
            for view, view_rows in unit.build().items()
            for values in view_rows
        ]
        self._write(cursor, stale, rows)
        for key in gone:
            del self._written[key]
        for key, unit_id, unit in fresh:
            self._written[key] = (unit_id, unit)
        return len(rows)

    def _write(self, cursor: Any, stale: list[int], rows: list[StoredRow]) -> None:
        """Delete the stale units' rows and insert the new ones, in one DuckDB transaction
        when there is something to delete (a lone INSERT is atomic by itself, and each
        statement saved is a millisecond saved on the query waiting for it)."""
        if not stale:
            self._insert(cursor, rows)
            return
        cursor.execute("BEGIN TRANSACTION")
        try:
            ids = ", ".join(str(int(unit_id)) for unit_id in stale)
            cursor.execute(f"DELETE FROM {self._rows} WHERE {quote_ident(UNIT_COLUMN)} IN ({ids})")
            self._insert(cursor, rows)
            cursor.execute("COMMIT")
        except Exception:
            cursor.execute("ROLLBACK")
            raise

    def _insert(self, cursor: Any, rows: list[StoredRow]) -> None:
        """One INSERT from Arrow: no SQL text to parse per value, no parameters to bind,
        no types to infer from Python objects (each costs far more than the insert)."""
        if rows:
            cursor.from_arrow(self.layout.arrow(rows)).insert_into(self._rows)
