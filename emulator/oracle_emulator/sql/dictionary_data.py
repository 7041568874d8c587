"""Rows of the data dictionary views, computed from the catalogue (see :mod:`.dictionary`).

Each function returns the rows of one ALL_ view; the column lists (name, DuckDB type) are
in :data:`VIEW_COLUMNS`, in Oracle's order for the columns that exist here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oracle_emulator.api import OracleType
from oracle_emulator.sql.catalogue import (
    CONSTRAINT_CHECK,
    CONSTRAINT_FOREIGN,
    Table,
)

if TYPE_CHECKING:
    from oracle_emulator.sql.engine import EmulatorDatabase

V = "VARCHAR"
N = "BIGINT"
D = "TIMESTAMP"
BIG = "DECIMAL(38,0)"
TABLESPACE = "USERS"
ROW_BYTES_GUESS = 100
BLOCK_BYTES = 8192

VIEW_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "ALL_TABLES": [
        ("OWNER", V),
        ("TABLE_NAME", V),
        ("TABLESPACE_NAME", V),
        ("CLUSTER_NAME", V),
        ("IOT_NAME", V),
        ("STATUS", V),
        ("PCT_FREE", N),
        ("LOGGING", V),
        ("NUM_ROWS", N),
        ("BLOCKS", N),
        ("AVG_ROW_LEN", N),
        ("LAST_ANALYZED", D),
        ("DEGREE", V),
        ("PARTITIONED", V),
        ("IOT_TYPE", V),
        ("TEMPORARY", V),
        ("SECONDARY", V),
        ("NESTED", V),
        ("ROW_MOVEMENT", V),
        ("DURATION", V),
        ("COMPRESSION", V),
        ("COMPRESS_FOR", V),
        ("DROPPED", V),
        ("READ_ONLY", V),
        ("SEGMENT_CREATED", V),
        ("EXTERNAL", V),
    ],
    "ALL_TAB_COLS": [
        ("OWNER", V),
        ("TABLE_NAME", V),
        ("COLUMN_NAME", V),
        ("DATA_TYPE", V),
        ("DATA_TYPE_MOD", V),
        ("DATA_TYPE_OWNER", V),
        ("DATA_LENGTH", N),
        ("DATA_PRECISION", N),
        ("DATA_SCALE", N),
        ("NULLABLE", V),
        ("COLUMN_ID", N),
        ("DEFAULT_LENGTH", N),
        ("DATA_DEFAULT", V),
        ("NUM_DISTINCT", N),
        ("NUM_NULLS", N),
        ("CHAR_LENGTH", N),
        ("CHAR_USED", V),
        ("CHARACTER_SET_NAME", V),
        ("HIDDEN_COLUMN", V),
        ("VIRTUAL_COLUMN", V),
        ("SEGMENT_COLUMN_ID", N),
        ("INTERNAL_COLUMN_ID", N),
        ("USER_GENERATED", V),
        ("IDENTITY_COLUMN", V),
        ("DEFAULT_ON_NULL", V),
        ("COLLATION", V),
    ],
    "ALL_CONSTRAINTS": [
        ("OWNER", V),
        ("CONSTRAINT_NAME", V),
        ("CONSTRAINT_TYPE", V),
        ("TABLE_NAME", V),
        ("SEARCH_CONDITION", V),
        ("SEARCH_CONDITION_VC", V),
        ("R_OWNER", V),
        ("R_CONSTRAINT_NAME", V),
        ("DELETE_RULE", V),
        ("STATUS", V),
        ("DEFERRABLE", V),
        ("DEFERRED", V),
        ("VALIDATED", V),
        ("GENERATED", V),
        ("RELY", V),
        ("LAST_CHANGE", D),
        ("INDEX_OWNER", V),
        ("INDEX_NAME", V),
    ],
    "ALL_CONS_COLUMNS": [
        ("OWNER", V),
        ("CONSTRAINT_NAME", V),
        ("TABLE_NAME", V),
        ("COLUMN_NAME", V),
        ("POSITION", N),
    ],
    "ALL_OBJECTS": [
        ("OWNER", V),
        ("OBJECT_NAME", V),
        ("SUBOBJECT_NAME", V),
        ("OBJECT_ID", N),
        ("DATA_OBJECT_ID", N),
        ("OBJECT_TYPE", V),
        ("CREATED", D),
        ("LAST_DDL_TIME", D),
        ("TIMESTAMP", V),
        ("STATUS", V),
        ("TEMPORARY", V),
        ("GENERATED", V),
        ("SECONDARY", V),
        ("NAMESPACE", N),
        ("EDITION_NAME", V),
        ("ORACLE_MAINTAINED", V),
    ],
    "ALL_TAB_COMMENTS": [("OWNER", V), ("TABLE_NAME", V), ("TABLE_TYPE", V), ("COMMENTS", V)],
    "ALL_COL_COMMENTS": [("OWNER", V), ("TABLE_NAME", V), ("COLUMN_NAME", V), ("COMMENTS", V)],
    "ALL_INDEXES": [
        ("OWNER", V),
        ("INDEX_NAME", V),
        ("INDEX_TYPE", V),
        ("TABLE_OWNER", V),
        ("TABLE_NAME", V),
        ("TABLE_TYPE", V),
        ("UNIQUENESS", V),
        ("COMPRESSION", V),
        ("PREFIX_LENGTH", N),
        ("TABLESPACE_NAME", V),
        ("STATUS", V),
        ("NUM_ROWS", N),
        ("LAST_ANALYZED", D),
        ("PARTITIONED", V),
        ("TEMPORARY", V),
        ("GENERATED", V),
        ("VISIBILITY", V),
    ],
    "ALL_IND_COLUMNS": [
        ("INDEX_OWNER", V),
        ("INDEX_NAME", V),
        ("TABLE_OWNER", V),
        ("TABLE_NAME", V),
        ("COLUMN_NAME", V),
        ("COLUMN_POSITION", N),
        ("COLUMN_LENGTH", N),
        ("CHAR_LENGTH", N),
        ("DESCEND", V),
    ],
    "ALL_SEQUENCES": [
        ("SEQUENCE_OWNER", V),
        ("SEQUENCE_NAME", V),
        ("MIN_VALUE", BIG),
        ("MAX_VALUE", BIG),
        ("INCREMENT_BY", BIG),
        ("CYCLE_FLAG", V),
        ("ORDER_FLAG", V),
        ("CACHE_SIZE", N),
        ("LAST_NUMBER", BIG),
    ],
    "ALL_USERS": [
        ("USERNAME", V),
        ("USER_ID", N),
        ("CREATED", D),
        ("COMMON", V),
        ("ORACLE_MAINTAINED", V),
    ],
    "DBA_USERS": [
        ("USERNAME", V),
        ("USER_ID", N),
        ("ACCOUNT_STATUS", V),
        ("DEFAULT_TABLESPACE", V),
        ("TEMPORARY_TABLESPACE", V),
        ("CREATED", D),
        ("PROFILE", V),
        ("ORACLE_MAINTAINED", V),
    ],
    "ALL_VIEWS": [("OWNER", V), ("VIEW_NAME", V), ("TEXT_LENGTH", N), ("TEXT", V), ("TEXT_VC", V)],
    "ALL_TAB_IDENTITY_COLS": [
        ("OWNER", V),
        ("TABLE_NAME", V),
        ("COLUMN_NAME", V),
        ("GENERATION_TYPE", V),
        ("SEQUENCE_NAME", V),
        ("IDENTITY_OPTIONS", V),
    ],
    "ALL_TAB_STATISTICS": [
        ("OWNER", V),
        ("TABLE_NAME", V),
        ("OBJECT_TYPE", V),
        ("NUM_ROWS", N),
        ("BLOCKS", N),
        ("AVG_ROW_LEN", N),
        ("LAST_ANALYZED", D),
        ("STALE_STATS", V),
    ],
}


def _tables(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    rows = []
    analyzed = _now()
    for table in db.catalogue.tables.values():
        count = db.num_rows.get(table.object_id, 0)
        blocks = max(1, count * ROW_BYTES_GUESS // BLOCK_BYTES)
        rows.append((
            table.owner, table.name, TABLESPACE, None, None, "VALID", 10, "YES", count, blocks,
            ROW_BYTES_GUESS, analyzed, "         1", "NO", None, "N", "N", "NO", "DISABLED",
            None, "DISABLED", None, "NO", "NO", "YES", "NO",
        ))  # fmt: skip
    return rows


def _tab_cols(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    from oracle_emulator.sql.ddl import IDENTITY_PREFIX, declared_from_info

    rows = []
    for table in db.catalogue.tables.values():
        for position, column in enumerate(table.columns, start=1):
            identity = "YES" if (column.default or "").startswith(f'"{IDENTITY_PREFIX}') else "NO"
            rows.append(
                _column_row(
                    table.owner, table.name, column.name, column.type, column.nullable,
                    position, column.default, identity,
                )
            )  # fmt: skip
    for view in db.catalogue.views.values():
        for position, info in enumerate(view.columns, start=1):
            declared = declared_from_info(info)
            rows.append(
                _column_row(
                    view.owner, view.name, info.name, declared, info.nullable, position, None, "NO"
                )
            )
    return rows


def _column_row(owner: str, table: str, name: str, declared: Any, nullable: bool, position: int,
                default: str | None, identity: str) -> tuple[Any, ...]:  # fmt: skip
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


def _constraints(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    rows = []
    changed = _now()
    for table in db.catalogue.tables.values():
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


def _cons_columns(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    rows = []
    for table in db.catalogue.tables.values():
        for constraint in table.constraints:
            for position, name in enumerate(constraint.columns, start=1):
                rows.append((table.owner, constraint.name, table.name, name, position))
        for position, column in enumerate(table.columns, start=1):
            if not column.nullable:
                rows.append(
                    (table.owner, not_null_name(table, position), table.name, column.name, None)
                )
    return rows


def _objects(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    catalogue = db.catalogue
    entries: list[tuple[str, str, int, str, dt.datetime, int]] = []
    entries += [
        (t.owner, t.name, t.object_id, "TABLE", t.created, 1) for t in catalogue.tables.values()
    ]
    entries += [
        (v.owner, v.name, v.object_id, "VIEW", v.created, 1) for v in catalogue.views.values()
    ]
    entries += [
        (s.owner, s.name, s.object_id, "SEQUENCE", s.created, 1)
        for s in catalogue.sequences.values()
    ]
    entries += [
        (i.owner, i.name, i.object_id, "INDEX", i.created, 4) for i in catalogue.indexes.values()
    ]
    for table in catalogue.tables.values():
        for constraint in table.unique_keys():
            entries.append(
                (table.owner, constraint.name, table.object_id + 500_000, "INDEX", table.created, 4)
            )
    rows = []
    for owner, name, object_id, kind, created, namespace in entries:
        data_id = object_id if kind in ("TABLE", "INDEX") else None
        stamp = created.strftime("%Y-%m-%d:%H:%M:%S")
        rows.append((owner, name, None, object_id, data_id, kind, created, created, stamp, "VALID",
                     "N", "N", "N", namespace, None, "Y" if owner == "SYS" else "N"))  # fmt: skip
    return rows


def _tab_comments(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    rows = [(t.owner, t.name, "TABLE", t.comment) for t in db.catalogue.tables.values()]
    rows += [(v.owner, v.name, "VIEW", v.comment) for v in db.catalogue.views.values()]
    return rows


def _col_comments(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    return [
        (t.owner, t.name, c.name, c.comment)
        for t in db.catalogue.tables.values()
        for c in t.columns
    ]


def _index_entries(
    db: EmulatorDatabase,
) -> list[tuple[str, str, Table, tuple[str, ...], bool, bool]]:
    """(owner, name, table, columns, unique, generated) of explicit and constraint indexes."""
    catalogue = db.catalogue
    entries = []
    for index in catalogue.indexes.values():
        table = catalogue.tables.get((index.table_owner, index.table_name))
        if table is not None:
            entries.append((index.owner, index.name, table, index.columns, index.unique, False))
    for table in catalogue.tables.values():
        for constraint in table.unique_keys():
            entries.append(
                (
                    table.owner,
                    constraint.name,
                    table,
                    constraint.columns,
                    True,
                    constraint.generated,
                )
            )
    return entries


def _indexes(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    analyzed = _now()
    return [
        (owner, name, "NORMAL", table.owner, table.name, "TABLE",
         "UNIQUE" if unique else "NONUNIQUE", "DISABLED", None, TABLESPACE, "VALID",
         db.num_rows.get(table.object_id, 0), analyzed, "NO", "N", "Y" if generated else "N",
         "VISIBLE")
        for owner, name, table, _, unique, generated in _index_entries(db)
    ]  # fmt: skip


def _ind_columns(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    rows = []
    for owner, name, table, columns, _, _ in _index_entries(db):
        for position, column_name in enumerate(columns, start=1):
            column = table.column(column_name)
            length = column.type.dictionary_lengths() if column else (0, 0, None)
            rows.append(
                (
                    owner,
                    name,
                    table.owner,
                    table.name,
                    column_name,
                    position,
                    length[0],
                    length[1],
                    "ASC",
                )
            )
    return rows


def _sequences(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    return [
        (s.owner, s.name, s.min_value, s.max_value, s.increment, "Y" if s.cycle else "N", "N",
         s.cache, s.next_value)
        for s in db.catalogue.sequences.values()
    ]  # fmt: skip


def _users(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    return [
        (u.name, u.user_id, u.created, "NO", "Y" if u.name in ("SYS", "SYSTEM") else "N")
        for u in db.catalogue.users.values()
    ]


def _dba_users(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    return [
        (
            u.name,
            u.user_id,
            "OPEN",
            TABLESPACE,
            "TEMP",
            u.created,
            "DEFAULT",
            "Y" if u.name in ("SYS", "SYSTEM") else "N",
        )
        for u in db.catalogue.users.values()
    ]


def _views(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    return [
        (v.owner, v.name, len(v.text), v.text, v.text[:4000]) for v in db.catalogue.views.values()
    ]


def _identity(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    from oracle_emulator.sql.ddl import IDENTITY_PREFIX

    rows = []
    for table in db.catalogue.tables.values():
        for column in table.columns:
            default = column.default or ""
            if default.startswith(f'"{IDENTITY_PREFIX}'):
                sequence = default.split('"')[1]
                rows.append(
                    (table.owner, table.name, column.name, "ALWAYS", sequence, "START WITH: 1")
                )
    return rows


def _statistics(db: EmulatorDatabase) -> list[tuple[Any, ...]]:
    analyzed = _now()
    rows = []
    for table in db.catalogue.tables.values():
        count = db.num_rows.get(table.object_id, 0)
        blocks = max(1, count * ROW_BYTES_GUESS // BLOCK_BYTES)
        rows.append(
            (table.owner, table.name, "TABLE", count, blocks, ROW_BYTES_GUESS, analyzed, "NO")
        )
    return rows


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


ROW_SOURCES: dict[str, Callable[[EmulatorDatabase], list[tuple[Any, ...]]]] = {
    "ALL_TABLES": _tables,
    "ALL_TAB_COLS": _tab_cols,
    "ALL_CONSTRAINTS": _constraints,
    "ALL_CONS_COLUMNS": _cons_columns,
    "ALL_OBJECTS": _objects,
    "ALL_TAB_COMMENTS": _tab_comments,
    "ALL_COL_COMMENTS": _col_comments,
    "ALL_INDEXES": _indexes,
    "ALL_IND_COLUMNS": _ind_columns,
    "ALL_SEQUENCES": _sequences,
    "ALL_USERS": _users,
    "DBA_USERS": _dba_users,
    "ALL_VIEWS": _views,
    "ALL_TAB_IDENTITY_COLS": _identity,
    "ALL_TAB_STATISTICS": _statistics,
}
_ = OracleType
