"""The tables and views of some owners, in one dictionary query: what schema selectors resolve
against, with the statistics the plan weighs tables by.

One statement, whatever the number of owners and objects: a schema of 2,000 tables is one
round trip to execute it and a couple to fetch the rows, not one per table. It reads:

- ``ALL_TABLES``: the tables whose rows a ``SELECT`` returns: not global temporary tables
  (``TEMPORARY = 'N'``: their rows belong to other sessions), not the storage tables of nested
  table columns (``NESTED = 'NO'``), of domain indexes (``SECONDARY = 'N'``) or of an IOT's
  overflow and mapping segments (``IOT_TYPE`` NULL or ``'IOT'``), and not what sits in the
  recycle bin (``DROPPED = 'NO'``); with ``NUM_ROWS`` and ``AVG_ROW_LEN`` (NULL until
  statistics are gathered);
- ``ALL_VIEWS``: every view (the caller decides whether views are wanted);
- ``DUAL``: one row carrying ``SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')``, so the schema that
  owner-less names resolve to comes with the same round trip, even when nothing else matches.

Owners are bind variables (``:owner0``, ``:owner1``, ...), never pasted; at most
:data:`MAX_IN_LIST` of them per ``IN`` list (Oracle's limit, ORA-01795). ``ALL_`` views show
what the connection's user may read, so a table the user cannot select is not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

import msgspec

__all__ = [
    "KIND_TABLE",
    "KIND_VIEW",
    "MAX_IN_LIST",
    "CatalogEntry",
    "catalog_binds",
    "catalog_sql",
    "entries_from_rows",
]

KIND_TABLE: Final = "TABLE"
KIND_VIEW: Final = "VIEW"
#: the kind of the one row that carries the current schema (in its OWNER column)
_KIND_SCHEMA = "SCHEMA"
#: Oracle allows at most this many expressions in one IN list (ORA-01795)
MAX_IN_LIST = 1000
_CURRENT_SCHEMA = "SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')"

_TABLES = """\
SELECT t.OWNER, t.TABLE_NAME, 'TABLE', t.NUM_ROWS, t.AVG_ROW_LEN
FROM ALL_TABLES t
WHERE ({owners})
  AND t.TEMPORARY = 'N' AND t.NESTED = 'NO' AND t.SECONDARY = 'N' AND t.DROPPED = 'NO'
  AND (t.IOT_TYPE IS NULL OR t.IOT_TYPE = 'IOT')"""
_VIEWS = """\
SELECT v.OWNER, v.VIEW_NAME, 'VIEW', NULL, NULL
FROM ALL_VIEWS v
WHERE ({owners})"""
_SCHEMA = f"SELECT {_CURRENT_SCHEMA}, NULL, 'SCHEMA', NULL, NULL FROM DUAL"


class CatalogEntry(msgspec.Struct, frozen=True, kw_only=True):
    """A table or view as the dictionary lists it (exact names)."""

    owner: str
    name: str
    kind: Literal["TABLE", "VIEW"]
    #: the statistics' row count (None: never gathered, or a view)
    num_rows: int | None = None
    #: the statistics' average row length in bytes (None: never gathered, or a view)
    avg_row_len: int | None = None

    @property
    def label(self) -> str:
        """``OWNER.NAME``, for people (task labels, logs); not SQL."""
        return f"{self.owner}.{self.name}"

    @property
    def estimated_bytes(self) -> int | None:
        """``NUM_ROWS * AVG_ROW_LEN``, or None when either is unknown."""
        if self.num_rows is None or self.avg_row_len is None:
            return None
        return self.num_rows * self.avg_row_len


def catalog_sql(owner_count: int, *, current_schema: bool) -> str:
    """The catalog query for ``owner_count`` bound owners (``:owner0`` ...), plus the
    session's current schema when ``current_schema``.

    With neither, the query is the DUAL row alone (the current schema's name).
    """
    owners = _owner_predicate(owner_count, current_schema=current_schema)
    branches = []
    if owners is not None:
        branches.append(_TABLES.format(owners=owners.format(alias="t")))
        branches.append(_VIEWS.format(owners=owners.format(alias="v")))
    branches.append(_SCHEMA)
    return "\nUNION ALL\n".join(branches)


def catalog_binds(owners: Sequence[str]) -> dict[str, str]:
    """The bind values of :func:`catalog_sql` for these exact owner names."""
    return {f"owner{index}": owner for index, owner in enumerate(owners)}


def entries_from_rows(rows: Iterable[Sequence[Any]]) -> tuple[list[CatalogEntry], str]:
    """The entries of the query's rows, and the current schema from its DUAL row."""
    entries: list[CatalogEntry] = []
    schema: str | None = None
    for owner, name, kind, num_rows, avg_row_len in rows:
        if kind == _KIND_SCHEMA:
            schema = owner
            continue
        entries.append(
            CatalogEntry(
                owner=owner,
                name=name,
                kind=KIND_TABLE if kind == KIND_TABLE else KIND_VIEW,
                num_rows=_int_or_none(num_rows),
                avg_row_len=_int_or_none(avg_row_len),
            )
        )
    if schema is None:
        raise ValueError("the catalog query returned no current schema row")
    return entries, schema


def _owner_predicate(owner_count: int, *, current_schema: bool) -> str | None:
    """``{alias}.OWNER IN (:owner0, ...) OR {alias}.OWNER = SYS_CONTEXT(...)``, with
    ``{alias}`` left to fill; None when no owner is asked for."""
    alternatives = []
    for start in range(0, owner_count, MAX_IN_LIST):
        binds = ", ".join(f":owner{i}" for i in range(start, min(owner_count, start + MAX_IN_LIST)))
        alternatives.append(f"{{alias}}.OWNER IN ({binds})")
    if current_schema:
        alternatives.append(f"{{alias}}.OWNER = {_CURRENT_SCHEMA}")
    return " OR ".join(alternatives) or None


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
