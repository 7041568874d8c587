"""Data dictionary queries for one table (or many of one owner), and the records built from
their rows.

Every query binds the owner and the table name (``:owner``, ``:name``); the ALL_ views show
what the connection's user may read, so a table the user cannot see looks missing, which is
what Oracle itself would report at SELECT time. Three round trips: columns with their
comments, the primary key, and the table's statistics and comment. A task reading many small
tables asks the same three questions once for up to :data:`MAX_NAMES_PER_QUERY` tables of an
owner (:func:`bulk_sql`: ``TABLE_NAME IN (:name0, ...)``, the table name first in each row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_oracle_etl.metadata import OracleColumn, TableMetadata

__all__ = [
    "COLUMNS_SQL",
    "MAX_NAMES_PER_QUERY",
    "PRIMARY_KEY_SQL",
    "TABLE_SQL",
    "bulk_binds",
    "bulk_sql",
    "column_from_row",
    "table_metadata",
]

#: table names in one IN list (Oracle allows 1,000 expressions in a list: ORA-01795)
MAX_NAMES_PER_QUERY = 500

#: columns in COLUMN_ID order (hidden and virtual-only columns are not in ALL_TAB_COLUMNS)
COLUMNS_SQL = """\
SELECT col.COLUMN_NAME, col.DATA_TYPE, col.DATA_PRECISION, col.DATA_SCALE,
       col.CHAR_LENGTH, col.NULLABLE, com.COMMENTS
FROM ALL_TAB_COLUMNS col
LEFT JOIN ALL_COL_COMMENTS com
  ON com.OWNER = col.OWNER AND com.TABLE_NAME = col.TABLE_NAME
 AND com.COLUMN_NAME = col.COLUMN_NAME
WHERE col.OWNER = :owner AND col.TABLE_NAME = :name
ORDER BY col.COLUMN_ID"""

PRIMARY_KEY_SQL = """\
SELECT cc.COLUMN_NAME
FROM ALL_CONSTRAINTS con
JOIN ALL_CONS_COLUMNS cc
  ON cc.OWNER = con.OWNER AND cc.CONSTRAINT_NAME = con.CONSTRAINT_NAME
 AND cc.TABLE_NAME = con.TABLE_NAME
WHERE con.OWNER = :owner AND con.TABLE_NAME = :name AND con.CONSTRAINT_TYPE = 'P'
ORDER BY cc.POSITION"""

#: ALL_TAB_COMMENTS has a row for every table and view (COMMENTS may be NULL); ALL_TABLES
#: only for tables, so a view gets NUM_ROWS NULL
TABLE_SQL = """\
SELECT tab.NUM_ROWS, com.COMMENTS
FROM ALL_TAB_COMMENTS com
LEFT JOIN ALL_TABLES tab ON tab.OWNER = com.OWNER AND tab.TABLE_NAME = com.TABLE_NAME
WHERE com.OWNER = :owner AND com.TABLE_NAME = :name"""

_NULLABLE_YES = "Y"
_ONE_TABLE = {
    COLUMNS_SQL: ("col.TABLE_NAME = :name", "col.TABLE_NAME", "ORDER BY col.COLUMN_ID"),
    PRIMARY_KEY_SQL: ("con.TABLE_NAME = :name", "con.TABLE_NAME", "ORDER BY cc.POSITION"),
    TABLE_SQL: ("com.TABLE_NAME = :name", "com.TABLE_NAME", None),
}


def bulk_sql(single: str, count: int) -> str:
    """``single`` (one of the three queries) for ``count`` tables of one owner: each row
    starts with its table's name, and rows of one table keep their order."""
    condition, name_column, order = _ONE_TABLE[single]
    names = ", ".join(f":name{i}" for i in range(count))
    sql = single.replace(condition, f"{name_column} IN ({names})")
    sql = sql.replace("SELECT ", f"SELECT {name_column}, ", 1)
    if order is not None:
        sql = sql.replace(order, f"ORDER BY {name_column}, {order.removeprefix('ORDER BY ')}")
    return sql


def bulk_binds(owner: str, names: Sequence[str]) -> dict[str, str]:
    return {"owner": owner, **{f"name{i}": name for i, name in enumerate(names)}}


def column_from_row(row: Sequence[Any]) -> OracleColumn:
    """One row of :data:`COLUMNS_SQL` as a column record."""
    name, data_type, precision, scale, char_length, nullable, comment = row
    return OracleColumn(
        name=name,
        data_type=data_type,
        precision=_int_or_none(precision),
        scale=_int_or_none(scale),
        char_length=int(char_length or 0),
        nullable=nullable == _NULLABLE_YES,
        comment=comment,
    )


def table_metadata(
    owner: str,
    name: str,
    column_rows: Sequence[Sequence[Any]],
    key_rows: Sequence[Sequence[Any]],
    table_row: Sequence[Any] | None,
) -> TableMetadata:
    """The table record from the rows of the three queries (``table_row`` may be missing)."""
    num_rows, comment = table_row if table_row is not None else (None, None)
    return TableMetadata(
        owner=owner,
        name=name,
        columns=tuple(column_from_row(row) for row in column_rows),
        primary_key=tuple(row[0] for row in key_rows),
        num_rows=_int_or_none(num_rows),
        comment=comment,
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
