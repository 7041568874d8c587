"""The catalogue: users, tables with their declared Oracle types, constraints, views,
sequences and indexes, as Oracle's data dictionary would know them.

It is the source of truth for names and types (DuckDB only holds the storage tables, named by
object id so Oracle's case-sensitive quoted names never clash in DuckDB's case-insensitive
catalogue). One lock guards it; objects are replaced, never edited in place, by DDL, which
Oracle commits implicitly, so every session sees a change at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from oracle_emulator.api import ColumnInfo
from oracle_emulator.sql.oratypes import DeclaredType

#: first object id given to objects created after start (Oracle's user objects start high)
FIRST_OBJECT_ID = 73_000
FIRST_USER_ID = 100
SYS = "SYS"
PUBLIC = "PUBLIC"
BASE_EDITION = "ORA$BASE"
DATA_SCHEMA = "__data"

CONSTRAINT_PRIMARY = "P"
CONSTRAINT_UNIQUE = "U"
CONSTRAINT_FOREIGN = "R"
CONSTRAINT_CHECK = "C"
#: the condition of an IS JSON check constraint on one column (with its optional modifiers)
_IS_JSON = re.compile(
    r"""\s*\(?\s*(?:"([^"]+)"|([A-Za-z][\w$#]*))\s+IS\s+JSON"""
    r"(?:\s+(?:FORMAT\s+JSON|STRICT|LAX|(?:WITH|WITHOUT)(?:\s+UNIQUE)?\s+KEYS"
    r"|(?:ALLOW|DISALLOW)\s+SCALARS)|\s*\(\s*(?:STRICT|LAX)\s*\))*\s*\)?\s*",
    re.IGNORECASE,
)


def now() -> dt.datetime:
    """Wall-clock time as Oracle's SYSDATE would show it (UTC, no fractional seconds)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Column:
    """One table column as declared."""

    name: str
    type: DeclaredType
    nullable: bool = True
    #: the DEFAULT clause as written (Oracle SQL), None without one
    default: str | None = None
    comment: str | None = None

    def info(self) -> ColumnInfo:
        return self.type.column_info(self.name, self.nullable)


@dataclass(frozen=True)
class Constraint:
    """A declared constraint. CHECK constraints are recorded, never enforced."""

    name: str
    kind: str
    columns: tuple[str, ...] = ()
    ref_owner: str | None = None
    ref_table: str | None = None
    ref_constraint: str | None = None
    condition: str | None = None
    generated: bool = False


@dataclass(frozen=True)
class Table:
    """A table: its declaration and the facts the dictionary shows about it."""

    owner: str
    name: str
    object_id: int
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    comment: str | None = None
    created: dt.datetime = field(default_factory=now)
    #: the SCN at which the table (this definition of it) appeared: older flashback fails
    created_scn: int = 0
    #: a global temporary table's ALL_TABLES.DURATION (``SYS$TRANSACTION`` for ON COMMIT
    #: DELETE ROWS, ``SYS$SESSION`` for PRESERVE ROWS); None for a permanent table. Only the
    #: dictionary shows it: rows are not kept per session (see the README's known limits)
    duration: str | None = None

    @property
    def storage(self) -> str:
        """The DuckDB name of the storage table (with hidden version columns)."""
        return f'{DATA_SCHEMA}."t{self.object_id}"'

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None

    def find_column(self, name: str, quoted: bool) -> Column | None:
        """Resolve a column reference: unquoted names match case-insensitively."""
        found = self.column(name if quoted else name.upper())
        if found is not None or quoted:
            return found
        return self.column(name)

    def json_columns(self) -> frozenset[str]:
        """Columns a ``CHECK (column IS JSON)`` constraint holds to JSON: Oracle marks them
        so in describe information, and clients then fetch their text as JSON values."""
        names = set()
        for constraint in self.constraints:
            match = _IS_JSON.fullmatch(constraint.condition or "")
            if constraint.kind == CONSTRAINT_CHECK and match:
                quoted, plain = match.group(1), match.group(2)
                names.add(quoted if quoted is not None else plain.upper())
        return frozenset(names)

    def unique_keys(self) -> list[Constraint]:
        return [c for c in self.constraints if c.kind in (CONSTRAINT_PRIMARY, CONSTRAINT_UNIQUE)]

    def primary_key(self) -> Constraint | None:
        for constraint in self.constraints:
            if constraint.kind == CONSTRAINT_PRIMARY:
                return constraint
        return None


@dataclass(frozen=True)
class View:
    owner: str
    name: str
    object_id: int
    #: the defining query as written (expanded into each query that uses the view)
    text: str
    #: the column list given in CREATE VIEW v (a, b), empty without one
    aliases: tuple[str, ...] = ()
    columns: tuple[ColumnInfo, ...] = ()
    comment: str | None = None
    created: dt.datetime = field(default_factory=now)


@dataclass
class Sequence:
    """A sequence; values are handed out outside transactions, as Oracle does."""

    owner: str
    name: str
    object_id: int
    start: int = 1
    increment: int = 1
    min_value: int = 1
    max_value: int = 10**28 - 1
    cycle: bool = False
    cache: int = 20
    next_value: int = 1
    created: dt.datetime = field(default_factory=now)


@dataclass(frozen=True)
class Index:
    owner: str
    name: str
    object_id: int
    table_owner: str
    table_name: str
    columns: tuple[str, ...]
    unique: bool = False
    created: dt.datetime = field(default_factory=now)


@dataclass(frozen=True)
class User:
    name: str
    password: str
    user_id: int
    created: dt.datetime = field(default_factory=now)


class Catalogue:
    """All schema objects. Reads take no lock (dict reads are atomic); changes do."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.tables: dict[tuple[str, str], Table] = {}
        self.views: dict[tuple[str, str], View] = {}
        self.sequences: dict[tuple[str, str], Sequence] = {}
        self.indexes: dict[tuple[str, str], Index] = {}
        #: grantee -> the privileges recorded for it (see :mod:`.privileges`)
        self.grants: dict[str, set[str]] = {}
        #: editions (see :mod:`.editions`); ORA$BASE always exists
        self.editions: set[str] = {BASE_EDITION}
        self._object_ids = itertools.count(FIRST_OBJECT_ID)
        self._user_ids = itertools.count(FIRST_USER_ID)
        #: bumped by every DDL: cached plans made under an older version are stale
        self.version = 0

    # -- ids -------------------------------------------------------------------------------

    def new_object_id(self) -> int:
        with self.lock:
            return next(self._object_ids)

    def new_user_id(self) -> int:
        with self.lock:
            return next(self._user_ids)

    def bump(self) -> None:
        with self.lock:
            self.version += 1

    # -- lookups ---------------------------------------------------------------------------

    def object_kind(self, owner: str, name: str) -> str | None:
        """'TABLE', 'VIEW' or 'SEQUENCE' if the name is taken in the schema's namespace."""
        key = (owner, name)
        if key in self.tables:
            return "TABLE"
        if key in self.views:
            return "VIEW"
        if key in self.sequences:
            return "SEQUENCE"
        return None

    def constraint_names(self, owner: str) -> set[str]:
        return {c.name for t in self.tables.values() if t.owner == owner for c in t.constraints}

    def table_by_id(self, object_id: int) -> Table | None:
        for table in self.tables.values():
            if table.object_id == object_id:
                return table
        return None

    def tables_of(self, owner: str | None = None) -> list[Table]:
        return [t for t in self.tables.values() if owner is None or t.owner == owner]

    # -- changes ---------------------------------------------------------------------------

    def put_table(self, table: Table) -> None:
        with self.lock:
            self.tables[(table.owner, table.name)] = table
            self.version += 1

    def drop_table(self, owner: str, name: str) -> Table | None:
        with self.lock:
            table = self.tables.pop((owner, name), None)
            for key in [
                k for k, i in self.indexes.items() if (i.table_owner, i.table_name) == (owner, name)
            ]:
                del self.indexes[key]
            self.version += 1
            return table

    def replace_table(self, table: Table, **changes: Any) -> Table:
        with self.lock:
            updated = replace(table, **changes)
            self.tables[(table.owner, table.name)] = updated
            self.version += 1
            return updated

    # -- persistence -----------------------------------------------------------------------

    def to_json(self) -> str:
        """Everything, for a file-backed database to reload."""
        with self.lock:
            doc = {
                "users": [asdict(u) for u in self.users.values()],
                "tables": [_table_dict(t) for t in self.tables.values()],
                "views": [_view_dict(v) for v in self.views.values()],
                "sequences": [asdict(s) for s in self.sequences.values()],
                "indexes": [asdict(i) for i in self.indexes.values()],
                "grants": {user: sorted(held) for user, held in self.grants.items()},
                "editions": sorted(self.editions),
            }
        return json.dumps(doc, default=_json_default)

    def load_json(self, text: str) -> None:
        doc = json.loads(text)
        with self.lock:
            for data in doc["users"]:
                user = User(**_dates(data))
                self.users[user.name] = user
            for data in doc["tables"]:
                table = _table_from(data)
                self.tables[(table.owner, table.name)] = table
            for data in doc["views"]:
                view = _view_from(data)
                self.views[(view.owner, view.name)] = view
            for data in doc["sequences"]:
                seq = Sequence(**_dates(data))
                self.sequences[(seq.owner, seq.name)] = seq
            for data in doc["indexes"]:
                index = Index(**_dates(data, tuples=("columns",)))
                self.indexes[(index.owner, index.name)] = index
            for user, held in doc.get("grants", {}).items():
                self.grants[user] = set(held)
            self.editions.update(doc.get("editions", []))
            ids = [t.object_id for t in self.tables.values()]
            ids += [v.object_id for v in self.views.values()]
            ids += [s.object_id for s in self.sequences.values()]
            ids += [i.object_id for i in self.indexes.values()]
            self._object_ids = itertools.count(max([FIRST_OBJECT_ID - 1, *ids]) + 1)
            user_ids = [u.user_id for u in self.users.values()]
            self._user_ids = itertools.count(max([FIRST_USER_ID - 1, *user_ids]) + 1)
            self.version += 1


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, DeclaredType):
        return value.to_dict()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dates(data: dict[str, Any], tuples: tuple[str, ...] = ()) -> dict[str, Any]:
    out = dict(data)
    if "created" in out and isinstance(out["created"], str):
        out["created"] = dt.datetime.fromisoformat(out["created"])
    for key in tuples:
        out[key] = tuple(out[key])
    return out


def _table_dict(table: Table) -> dict[str, Any]:
    data = asdict(table)
    data["columns"] = [{**asdict(c), "type": c.type.to_dict()} for c in table.columns]
    return data


def _table_from(data: dict[str, Any]) -> Table:
    out = _dates(data)
    out["columns"] = tuple(
        Column(**{**c, "type": DeclaredType.from_dict(c["type"])}) for c in data["columns"]
    )
    out["constraints"] = tuple(
        Constraint(**{**c, "columns": tuple(c["columns"])}) for c in data["constraints"]
    )
    return Table(**out)


def _view_dict(view: View) -> dict[str, Any]:
    data = asdict(view)
    data["columns"] = [{**asdict(c), "type": c.type.name} for c in view.columns]
    return data


def _view_from(data: dict[str, Any]) -> View:
    from oracle_emulator.api import OracleType

    out = _dates(data)
    out["columns"] = tuple(
        ColumnInfo(**{**c, "type": OracleType[c["type"]]}) for c in data["columns"]
    )
    out["aliases"] = tuple(out.get("aliases", ()))
    return View(**out)
