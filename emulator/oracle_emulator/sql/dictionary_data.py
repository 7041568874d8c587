"""Rows of the data dictionary's ALL_ views, built per catalogue object (see :mod:`.dictionary`).

The dictionary is cut into *units*: one per table (its columns, constraints, comments, the
indexes its keys imply...), view, sequence, explicit index and user. A unit names the
catalogue objects its rows come from (:attr:`Unit.parts`); catalogue objects are replaced,
never edited, by DDL, so a unit whose parts are the very same objects as at the last refresh
still has the same rows, and a DDL statement costs the rebuild of its own units only.

Columns whose values move with the data (NUM_ROWS, BLOCKS, LAST_NUMBER: see
:data:`~.dictionary_columns.LIVE_COLUMNS`) are left NULL here and computed when read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oracle_emulator.sql.catalogue import (
    CONSTRAINT_CHECK,
    CONSTRAINT_FOREIGN,
    Constraint,
    Index,
    Sequence,
    Table,
    User,
    View,
)
from oracle_emulator.sql.dictionary_columns import ROW_BYTES_GUESS

if TYPE_CHECKING:
    from oracle_emulator.sql.engine import EmulatorDatabase

TABLESPACE = "USERS"
#: object ids of the indexes behind PRIMARY KEY/UNIQUE constraints: the table's id plus this
CONSTRAINT_INDEX_ID_OFFSET = 500_000
#: ALL_OBJECTS.NAMESPACE of tables, views, sequences (1) and indexes (4)
NAMESPACE_TABLE = 1
NAMESPACE_INDEX = 4
ORACLE_USERS = frozenset({"SYS", "SYSTEM"})
#: stand-in for a live column's value in stored rows (computed when read)
LIVE = None

Rows = dict[str, list[tuple[Any, ...]]]
UnitKey = tuple[str, str, str]


@dataclass(frozen=True)
class Unit:
    """The dictionary rows of one catalogue object, and what they depend on."""

    #: the catalogue objects the rows come from, compared by identity between refreshes
    parts: tuple[object, ...]
    #: the table whose live row count the unit's rows show (None: no live count)
    oid: int | None
    build: Callable[[], Rows]

    def same_as(self, other: Unit) -> bool:
        """Whether the rows are those of ``other``: the same parts (tuple comparison tries
        identity first, so unchanged objects compare in C without looking inside)."""
        return self.parts == other.parts


def units(db: EmulatorDatabase) -> dict[UnitKey, Unit]:
    """Every unit of the catalogue as it is now (cheap: rows are built on demand)."""
    catalogue = db.catalogue
    found: dict[UnitKey, Unit] = {}
    for table in catalogue.tables.values():
        found[("TABLE", table.owner, table.name)] = Unit(
            (table,), table.object_id, lambda t=table: _table_rows(t)
        )
    for view in catalogue.views.values():
        found[("VIEW", view.owner, view.name)] = Unit((view,), None, lambda v=view: _view_rows(v))
    for sequence in catalogue.sequences.values():
        found[("SEQUENCE", sequence.owner, sequence.name)] = Unit(
            (sequence,), None, lambda s=sequence: _sequence_rows(s)
        )
    for index in catalogue.indexes.values():
        table = catalogue.tables.get((index.table_owner, index.table_name))
        found[("INDEX", index.owner, index.name)] = Unit(
            (index, table),
            table.object_id if table is not None else None,
            lambda i=index, t=table: _index_rows(i, t),
        )
    for user in catalogue.users.values():
        found[("USER", "", user.name)] = Unit((user,), None, lambda u=user: _user_rows(u))
    return found


# -- tables --------------------------------------------------------------------------------------


def _table_rows(table: Table) -> Rows:
    from oracle_emulator.sql.ddl import IDENTITY_PREFIX

    built = _now()
    owner, name = table.owner, table.name
    temporary = "N" if table.duration is None else "Y"
    #: Oracle: NULL for a temporary table (its segments live in the user's temporary space)
    tablespace = TABLESPACE if table.duration is None else None
    rows: Rows = {
        "ALL_TABLES": [(
            owner, name, tablespace, None, None, "VALID", 10, "YES", LIVE, LIVE,
            ROW_BYTES_GUESS, built, "         1", "NO", None, temporary, "N", "NO",
            "DISABLED", table.duration, "DISABLED", None, "NO", "NO", "YES", "NO",
        )],
        "ALL_TAB_STATISTICS": [
            (owner, name, "TABLE", LIVE, LIVE, ROW_BYTES_GUESS, built, "NO")
        ],
        "ALL_TAB_COMMENTS": [(owner, name, "TABLE", table.comment)],
        "ALL_COL_COMMENTS": [(owner, name, c.name, c.comment) for c in table.columns],
        "ALL_OBJECTS": [
            _object_row(owner, name, table.object_id, "TABLE", table.created, temporary)
        ],
    }  # fmt: skip
    columns, identity = [], []
    for position, column in enumerate(table.columns, start=1):
        default = column.default or ""
        is_identity = default.startswith(f'"{IDENTITY_PREFIX}')
        columns.append(
            column_row(
                owner, name, column.name, column.type, column.nullable, position,
                column.default, "YES" if is_identity else "NO",
            )
        )  # fmt: skip
        if is_identity:
            sequence = default.split('"')[1]
            identity.append((owner, name, column.name, "ALWAYS", sequence, "START WITH: 1"))
    rows["ALL_TAB_COLS"] = columns
    rows["ALL_TAB_IDENTITY_COLS"] = identity
    rows["ALL_CONSTRAINTS"] = _constraint_rows(table, built)
    rows["ALL_CONS_COLUMNS"] = _cons_column_rows(table)
    for constraint in table.unique_keys():
        rows["ALL_OBJECTS"].append(
            _object_row(
                owner, constraint.name, table.object_id + CONSTRAINT_INDEX_ID_OFFSET, "INDEX",
                table.created,
            )
        )  # fmt: skip
    keys = [_key_index(table, constraint) for constraint in table.unique_keys()]
    rows["ALL_INDEXES"] = [_index_row(*key, built) for key in keys]
    rows["ALL_IND_COLUMNS"] = [row for key in keys for row in _ind_column_rows(*key)]
    return rows


def column_row(owner: str, table: str, name: str, declared: Any, nullable: bool, position: int,
               default: str | None, identity: str) -> tuple[Any, ...]:  # fmt: skip
    """One ALL_TAB_COLS row."""
    data_length, char_length, char_used = declared.dictionary_lengths()
    precision, scale = declared.dictionary_precision_scale()
    charset = None
    if declared.kind.is_character:
        charset = "NCHAR_CS" if declared.kind.is_national else "CHAR_CS"
    return (
        owner, table, name, declared.data_type_text(), None, None, data_length, precision, scale,
        "Y" if nullable else "N", position, len(default) if default else None, default, None,
        None, char_length, char_used, charset, "NO", "NO", position, position, "YES", identity,
        "NO", "USING_NLS_COMP" if declared.kind.is_character else None,
    )  # fmt: skip


def not_null_name(table: Table, position: int) -> str:
    """A stable SYS_C name for the implicit NOT NULL check constraint of a column."""
    return f"SYS_C{table.object_id * 100 + position:07d}"


def _constraint_rows(table: Table, changed: dt.datetime) -> list[tuple[Any, ...]]:
    rows = []
    for constraint in table.constraints:
        rule = "NO ACTION" if constraint.kind == CONSTRAINT_FOREIGN else None
        generated = "GENERATED NAME" if constraint.generated else "USER NAME"
        index = constraint.name if constraint.kind in ("P", "U") else None
        rows.append((
            table.owner, constraint.name, constraint.kind, table.name, constraint.condition,
            constraint.condition, constraint.ref_owner, constraint.ref_constraint, rule,
            "ENABLED", "NOT DEFERRABLE", "IMMEDIATE", "VALIDATED", generated, None, changed,
            table.owner if index else None, index,
        ))  # fmt: skip
    for position, column in enumerate(table.columns, start=1):
        if not column.nullable:
            condition = f'"{column.name}" IS NOT NULL'
            rows.append((
                table.owner, not_null_name(table, position), CONSTRAINT_CHECK, table.name,
                condition, condition, None, None, None, "ENABLED", "NOT DEFERRABLE",
                "IMMEDIATE", "VALIDATED", "GENERATED NAME", None, changed, None, None,
            ))  # fmt: skip
    return rows


def _cons_column_rows(table: Table) -> list[tuple[Any, ...]]:
    rows = []
    for constraint in table.constraints:
        for position, name in enumerate(constraint.columns, start=1):
            rows.append((table.owner, constraint.name, table.name, name, position))
    for position, column in enumerate(table.columns, start=1):
        if not column.nullable:
            rows.append(
                (table.owner, not_null_name(table, position), table.name, column.name, None)
            )
    return rows


# -- indexes -------------------------------------------------------------------------------------

#: (owner, name, table, columns, unique, generated) of an index
IndexEntry = tuple[str, str, Table, tuple[str, ...], bool, bool]


def _key_index(table: Table, constraint: Constraint) -> IndexEntry:
    """The index Oracle creates for a PRIMARY KEY or UNIQUE constraint."""
    return (table.owner, constraint.name, table, constraint.columns, True, constraint.generated)


def _index_rows(index: Index, table: Table | None) -> Rows:
    rows: Rows = {
        "ALL_OBJECTS": [
            _object_row(index.owner, index.name, index.object_id, "INDEX", index.created)
        ]
    }
    if table is not None:  # an index outliving its table shows in ALL_OBJECTS only
        entry = (index.owner, index.name, table, index.columns, index.unique, False)
        rows["ALL_INDEXES"] = [_index_row(*entry, _now())]
        rows["ALL_IND_COLUMNS"] = _ind_column_rows(*entry)
    return rows


def _index_row(owner: str, name: str, table: Table, _columns: tuple[str, ...], unique: bool,
               generated: bool, analyzed: dt.datetime) -> tuple[Any, ...]:  # fmt: skip
    return (
        owner, name, "NORMAL", table.owner, table.name, "TABLE",
        "UNIQUE" if unique else "NONUNIQUE", "DISABLED", None, TABLESPACE, "VALID", LIVE,
        analyzed, "NO", "N", "Y" if generated else "N", "VISIBLE",
    )  # fmt: skip


def _ind_column_rows(owner: str, name: str, table: Table, columns: tuple[str, ...],
                     _unique: bool, _generated: bool) -> list[tuple[Any, ...]]:  # fmt: skip
    rows = []
    for position, column_name in enumerate(columns, start=1):
        column = table.column(column_name)
        length = column.type.dictionary_lengths() if column else (0, 0, None)
        rows.append(
            (owner, name, table.owner, table.name, column_name, position, length[0], length[1],
             "ASC")
        )  # fmt: skip
    return rows


# -- views, sequences, users ---------------------------------------------------------------------


def _view_rows(view: View) -> Rows:
    from oracle_emulator.sql.ddl import declared_from_info

    columns = [
        column_row(
            view.owner, view.name, info.name, declared_from_info(info), info.nullable, position,
            None, "NO",
        )
        for position, info in enumerate(view.columns, start=1)
    ]  # fmt: skip
    return {
        "ALL_TAB_COLS": columns,
        "ALL_OBJECTS": [_object_row(view.owner, view.name, view.object_id, "VIEW", view.created)],
        "ALL_TAB_COMMENTS": [(view.owner, view.name, "VIEW", view.comment)],
        "ALL_VIEWS": [(view.owner, view.name, len(view.text), view.text, view.text[:4000])],
    }


def _sequence_rows(seq: Sequence) -> Rows:
    return {
        "ALL_OBJECTS": [_object_row(seq.owner, seq.name, seq.object_id, "SEQUENCE", seq.created)],
        "ALL_SEQUENCES": [
            (seq.owner, seq.name, seq.min_value, seq.max_value, seq.increment,
             "Y" if seq.cycle else "N", "N", seq.cache, LIVE)
        ],
    }  # fmt: skip


def _user_rows(user: User) -> Rows:
    maintained = "Y" if user.name in ORACLE_USERS else "N"
    return {
        "ALL_USERS": [(user.name, user.user_id, user.created, "NO", maintained)],
        "DBA_USERS": [
            (user.name, user.user_id, "OPEN", TABLESPACE, "TEMP", user.created, "DEFAULT",
             maintained)
        ],
    }  # fmt: skip


def _object_row(
    owner: str,
    name: str,
    object_id: int,
    kind: str,
    created: dt.datetime,
    temporary: str = "N",
) -> tuple[Any, ...]:
    namespace = NAMESPACE_INDEX if kind == "INDEX" else NAMESPACE_TABLE
    data_id = object_id if kind in ("TABLE", "INDEX") else None
    stamp = created.strftime("%Y-%m-%d:%H:%M:%S")
    return (owner, name, None, object_id, data_id, kind, created, created, stamp, "VALID",
            temporary, "N", "N", namespace, None, "Y" if owner == "SYS" else "N")  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
