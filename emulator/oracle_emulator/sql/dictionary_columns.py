"""The columns of the data dictionary's ALL_ views, and which of them are computed live.

:data:`VIEW_COLUMNS` lists (name, DuckDB type) in Oracle's order for the columns that exist
here. A few columns follow the data rather than the DDL: NUM_ROWS (and BLOCKS, derived from
it) move with every commit, LAST_NUMBER with every NEXTVAL. Storing them would mean rewriting
dictionary rows on every commit, so :data:`LIVE_COLUMNS` computes them when a query reads
them, from the table's object id kept beside each row (:data:`OBJECT_COLUMN`).
"""

from __future__ import annotations

V = "VARCHAR"
N = "BIGINT"
D = "TIMESTAMP"
BIG = "DECIMAL(38,0)"

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

#: hidden column of the stored rows: the object id of the table a row's live counts come from
OBJECT_COLUMN = "__oid"
#: DuckDB functions (created by the engine) reading the live values
NUM_ROWS_FUNCTION = "__emu_num_rows"
LAST_NUMBER_FUNCTION = "__emu_last_number"
#: the dictionary's guess of a row's size and Oracle's default block size (BLOCKS, AVG_ROW_LEN)
ROW_BYTES_GUESS = 100
BLOCK_BYTES = 8192

_COUNT = f"{NUM_ROWS_FUNCTION}({OBJECT_COLUMN})"
_BLOCKS = f"greatest(1, {_COUNT} * {ROW_BYTES_GUESS} // {BLOCK_BYTES})"
#: view -> column -> SQL computing it when read (over the view's stored columns)
LIVE_COLUMNS: dict[str, dict[str, str]] = {
    "ALL_TABLES": {"NUM_ROWS": _COUNT, "BLOCKS": _BLOCKS},
    "ALL_TAB_STATISTICS": {"NUM_ROWS": _COUNT, "BLOCKS": _BLOCKS},
    "ALL_INDEXES": {"NUM_ROWS": _COUNT},
    "ALL_SEQUENCES": {"LAST_NUMBER": f'{LAST_NUMBER_FUNCTION}("SEQUENCE_OWNER", "SEQUENCE_NAME")'},
}
