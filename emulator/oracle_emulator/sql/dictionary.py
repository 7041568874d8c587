"""Oracle's data dictionary and dynamic performance views, as DuckDB relations.

The ALL_ views are DuckDB views over one table of stored rows (:mod:`.dictionary_store`),
brought up to date from the catalogue when a query names a dictionary view after a DDL
statement: only the units whose catalogue objects changed are rewritten
(:mod:`.dictionary_data`), and nothing at all after a commit, because the columns that move
with the data (NUM_ROWS, BLOCKS, LAST_NUMBER) are computed when read. USER_ variants filter
on the session's user (a DuckDB session variable set on every session cursor) and drop the
owner column as Oracle's do; DBA_ variants equal ALL_. V$ views are static tables except
V$DATABASE.CURRENT_SCN, read through a function.
Queries reach all of them through public synonyms resolved by :mod:`.rewrite`.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from oracle_emulator.sql.dictionary_columns import VIEW_COLUMNS
from oracle_emulator.sql.dictionary_data import units
from oracle_emulator.sql.dictionary_store import DictionaryStore
from oracle_emulator.sql.oratypes import quote_ident, sql_string
from oracle_emulator.sql.privileges import DATABASE_VIEW
from oracle_emulator.sql.rewrite import CURRENT_SCN_FUNCTION

if TYPE_CHECKING:
    from oracle_emulator.sql.engine import EmulatorDatabase
    from oracle_emulator.sql.nls import NlsSettings

log = logging.getLogger(__name__)

SCHEMA = "__dict"
USER_VARIABLE = "emu_user"
BANNER = "Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production"
EMULATOR_BANNER = "airflow-oracle-etl emulator: an Oracle stand-in running on DuckDB (not Oracle)"
VERSION = "19.0.0.0.0"
VERSION_FULL = "19.3.0.0.0"
_NEVER = -1

#: USER_ view -> (ALL_ view, owner column, keep the owner column)
_USER_VIEWS = {
    "USER_TABLES": ("ALL_TABLES", "OWNER", False),
    "USER_TAB_COLS": ("ALL_TAB_COLS", "OWNER", False),
    "USER_TAB_COLUMNS": ("ALL_TAB_COLS", "OWNER", False),
    "USER_CONSTRAINTS": ("ALL_CONSTRAINTS", "OWNER", True),
    "USER_CONS_COLUMNS": ("ALL_CONS_COLUMNS", "OWNER", True),
    "USER_OBJECTS": ("ALL_OBJECTS", "OWNER", False),
    "USER_TAB_COMMENTS": ("ALL_TAB_COMMENTS", "OWNER", False),
    "USER_COL_COMMENTS": ("ALL_COL_COMMENTS", "OWNER", False),
    "USER_INDEXES": ("ALL_INDEXES", "OWNER", False),
    "USER_IND_COLUMNS": ("ALL_IND_COLUMNS", "INDEX_OWNER", False),
    "USER_SEQUENCES": ("ALL_SEQUENCES", "SEQUENCE_OWNER", False),
    "USER_VIEWS": ("ALL_VIEWS", "OWNER", False),
    "USER_TAB_IDENTITY_COLS": ("ALL_TAB_IDENTITY_COLS", "OWNER", False),
    "USER_TAB_STATISTICS": ("ALL_TAB_STATISTICS", "OWNER", False),
    "USER_USERS": ("DBA_USERS", "USERNAME", True),
}
#: empty views that tools probe (no partitions, synonyms, links, materialized views here)
_EMPTY_VIEWS = {
    "ALL_TAB_PARTITIONS": [("TABLE_OWNER", "VARCHAR"), ("TABLE_NAME", "VARCHAR"),
                           ("PARTITION_NAME", "VARCHAR"), ("PARTITION_POSITION", "BIGINT"),
                           ("HIGH_VALUE", "VARCHAR"), ("NUM_ROWS", "BIGINT")],
    "ALL_PART_TABLES": [("OWNER", "VARCHAR"), ("TABLE_NAME", "VARCHAR"),
                        ("PARTITIONING_TYPE", "VARCHAR"), ("PARTITION_COUNT", "BIGINT")],
    "ALL_SYNONYMS": [("OWNER", "VARCHAR"), ("SYNONYM_NAME", "VARCHAR"), ("TABLE_OWNER", "VARCHAR"),
                     ("TABLE_NAME", "VARCHAR"), ("DB_LINK", "VARCHAR")],
    "ALL_DB_LINKS": [("OWNER", "VARCHAR"), ("DB_LINK", "VARCHAR"), ("USERNAME", "VARCHAR"),
                     ("HOST", "VARCHAR"), ("CREATED", "TIMESTAMP")],
    "ALL_MVIEWS": [("OWNER", "VARCHAR"), ("MVIEW_NAME", "VARCHAR"), ("QUERY", "VARCHAR")],
    "ALL_MVIEW_COMMENTS": [("OWNER", "VARCHAR"), ("MVIEW_NAME", "VARCHAR"),
                           ("COMMENTS", "VARCHAR")],
    "ALL_IND_EXPRESSIONS": [("INDEX_OWNER", "VARCHAR"), ("INDEX_NAME", "VARCHAR"),
                            ("TABLE_OWNER", "VARCHAR"), ("TABLE_NAME", "VARCHAR"),
                            ("COLUMN_EXPRESSION", "VARCHAR"), ("COLUMN_POSITION", "BIGINT")],
}  # fmt: skip


class Dictionary:
    """Creates the dictionary relations once and brings their rows up to date on demand."""

    def __init__(self, db: EmulatorDatabase) -> None:
        self.db = db
        self.public: dict[str, str] = {}
        self.store = DictionaryStore(self._relation)
        #: the catalogue version the stored rows show (-1: none yet)
        self._synced = _NEVER
        self._lock = threading.Lock()

    def create(self, cursor: Any) -> None:
        # derived data only: a database file's old dictionary relations are dropped, not kept
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        self.public.update(self.store.create(cursor))
        self._synced = _NEVER
        for name, columns in _EMPTY_VIEWS.items():
            self._table(cursor, name, columns)
        for name in {**VIEW_COLUMNS, **_EMPTY_VIEWS}:
            self._alias(cursor, name.replace("ALL_", "DBA_", 1), name)
        for name, (source, owner_column, keep) in _USER_VIEWS.items():
            columns = [c for c, _ in VIEW_COLUMNS[source] if keep or c != owner_column]
            items = ", ".join(quote_ident(c) for c in columns)
            sql = (
                f"CREATE OR REPLACE VIEW {self._relation(name)} AS SELECT {items} FROM "
                f"{self._relation(source)} WHERE {quote_ident(owner_column)} = "
                f"getvariable('{USER_VARIABLE}')"
            )
            cursor.execute(sql)
            self.public[name] = self._relation(name)
        self._alias(cursor, "ALL_TAB_COLUMNS", "ALL_TAB_COLS")
        self._alias(cursor, "DBA_TAB_COLUMNS", "ALL_TAB_COLS")
        self._static(cursor)

    def _relation(self, name: str) -> str:
        return f"{SCHEMA}.{quote_ident(name)}"

    def _table(self, cursor: Any, name: str, columns: list[tuple[str, str]]) -> None:
        body = ", ".join(f"{quote_ident(c)} {t}" for c, t in columns)
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {self._relation(name)} ({body})")
        self.public[name] = self._relation(name)

    def _alias(self, cursor: Any, name: str, source: str) -> None:
        if name == source or name in VIEW_COLUMNS:
            return
        relation, origin = self._relation(name), self._relation(source)
        cursor.execute(f"CREATE OR REPLACE VIEW {relation} AS SELECT * FROM {origin}")
        self.public[name] = self._relation(name)

    def _static(self, cursor: Any) -> None:
        """V$ views and parameter views: fixed rows (V$DATABASE reads the SCN live)."""
        for name, columns, rows in _static_views(self.db):
            self._fill(cursor, name, [(c, _type_of(c)) for c in columns], rows)
        cursor.execute(
            f"CREATE OR REPLACE VIEW {self._relation('V$DATABASE')} AS SELECT DBID, NAME, CREATED, "
            f"{CURRENT_SCN_FUNCTION}() AS CURRENT_SCN, LOG_MODE, OPEN_MODE, DATABASE_ROLE, "
            f"FLASHBACK_ON, PLATFORM_NAME, DB_UNIQUE_NAME FROM {self._relation('__V_DATABASE')}"
        )
        self.public["V$DATABASE"] = self._relation("V$DATABASE")
        self.public[DATABASE_VIEW] = self._relation("V$DATABASE")  # as SYS.V_$DATABASE
        self.public.pop("__V_DATABASE", None)
        session_rows = f"SELECT unnest(getvariable('{NLS_VARIABLE}'), recursive := true)"
        charsets = " UNION ALL ".join(f"SELECT '{n}', '{v}'" for n, v in _CHARACTER_SETS)
        views = {
            "NLS_SESSION_PARAMETERS": session_rows,
            "V$NLS_PARAMETERS": f"{session_rows} UNION ALL {charsets}",
        }
        for name, body in views.items():
            cursor.execute(f"CREATE OR REPLACE VIEW {self._relation(name)} AS {body}")
            self.public[name] = self._relation(name)

    def _fill(
        self, cursor: Any, name: str, columns: list[tuple[str, str]], rows: list[tuple[Any, ...]]
    ) -> None:
        body = ", ".join(f"{quote_ident(c)} {t}" for c, t in columns)
        cursor.execute(f"CREATE OR REPLACE TABLE {self._relation(name)} ({body})")
        if rows:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {self._relation(name)} VALUES ({marks})", rows)
        self.public[name] = self._relation(name)

    def refresh(self) -> None:
        """Rewrite the stored rows of what changed since the last refresh (DDL only: a
        commit changes no stored row). Cheap when nothing did: one integer comparison."""
        if self._synced == self.db.catalogue.version:
            return
        with self._lock:
            catalogue = self.db.catalogue
            if self._synced == catalogue.version:
                return
            with catalogue.lock:  # a consistent picture while DDL may run
                version = catalogue.version
                current = units(self.db)
            with self.db.internal() as cursor:
                self.store.sync(cursor, current)
            self._synced = version

    def rebuild(self) -> None:
        """Forget every stored row and write them all again (tests compare the result with
        what the refreshes after each DDL statement left)."""
        with self._lock, self.db.internal() as cursor:
            self.store.create(cursor)
            self._synced = _NEVER
        self.refresh()


_NUMERIC_COLUMNS = {"CON_ID", "INSTANCE_NUMBER", "TYPE", "DBID"}


def _type_of(column: str) -> str:
    if column in _NUMERIC_COLUMNS:
        return "BIGINT"
    return "TIMESTAMP" if column == "CREATED" else "VARCHAR"


def _static_views(db: EmulatorDatabase) -> list[tuple[str, list[str], list[tuple[Any, ...]]]]:
    banners = [BANNER, EMULATOR_BANNER]
    parameter_view = ["PARAMETER", "VALUE"]
    return [
        (
            "V$VERSION",
            ["BANNER", "BANNER_FULL", "BANNER_LEGACY", "CON_ID"],
            [(b, f"{b}\nVersion {VERSION_FULL}", b, 0) for b in banners],
        ),
        (
            "PRODUCT_COMPONENT_VERSION",
            ["PRODUCT", "VERSION", "VERSION_FULL", "STATUS"],
            [("Oracle Database 19c Enterprise Edition ", VERSION, VERSION_FULL, "Production")],
        ),
        (
            "V$INSTANCE",
            ["INSTANCE_NUMBER", "INSTANCE_NAME", "HOST_NAME", "VERSION", "VERSION_FULL", "STATUS",
             "DATABASE_STATUS", "INSTANCE_ROLE", "EDITION"],
            [(1, db.db_name, "emulator", VERSION, VERSION_FULL, "OPEN", "ACTIVE",
              "PRIMARY_INSTANCE", "EE")],
        ),
        (
            "V$PARAMETER",
            ["NAME", "TYPE", "VALUE", "DISPLAY_VALUE", "ISDEFAULT", "DESCRIPTION"],
            [(n, 2, v, v, "TRUE", n) for n, v in _parameters(db)],
        ),
        ("NLS_DATABASE_PARAMETERS", parameter_view, _database_nls(db)),
        ("NLS_INSTANCE_PARAMETERS", parameter_view, db.nls.rows()),
        ("GLOBAL_NAME", ["GLOBAL_NAME"], [(db.service_name,)]),
        (
            "__V_DATABASE",
            ["DBID", "NAME", "CREATED", "LOG_MODE", "OPEN_MODE", "DATABASE_ROLE", "FLASHBACK_ON",
             "PLATFORM_NAME", "DB_UNIQUE_NAME"],
            [(1_234_567_890, db.db_name, db.created, "ARCHIVELOG", "READ WRITE", "PRIMARY", "NO",
              "Linux x86 64-bit", db.db_name)],
        ),
    ]  # fmt: skip


def _parameters(db: EmulatorDatabase) -> list[tuple[str, str]]:
    return [
        ("compatible", "19.0.0"),
        ("db_name", db.db_name),
        ("db_block_size", "8192"),
        ("service_names", db.service_name),
        ("nls_length_semantics", "BYTE"),
        ("max_string_size", "STANDARD"),
        ("undo_retention", "900"),
        ("cpu_count", "2"),
        ("parallel_max_servers", "8"),
        ("open_cursors", "300"),
        ("processes", "300"),
    ]


#: NLS parameters the database has but a session cannot change (not in NLS_SESSION_PARAMETERS)
_CHARACTER_SETS = [("NLS_CHARACTERSET", "AL32UTF8"), ("NLS_NCHAR_CHARACTERSET", "AL16UTF16")]
NLS_VARIABLE = "emu_nls"


def _database_nls(db: EmulatorDatabase) -> list[tuple[str, str]]:
    """Oracle's order: the character sets after NLS_DATE_LANGUAGE and NLS_DUAL_CURRENCY."""
    rows = db.nls.rows()
    return [*rows[:8], _CHARACTER_SETS[0], *rows[8:14], _CHARACTER_SETS[1], *rows[14:]]


def nls_variable_sql(nls: NlsSettings) -> str:
    """Set the DuckDB session variable NLS_SESSION_PARAMETERS and V$NLS_PARAMETERS read."""
    items = ", ".join(
        f"{{'PARAMETER': {sql_string(name)}, 'VALUE': {sql_string(value)}}}"
        for name, value in nls.rows()
    )
    return f"SET VARIABLE {NLS_VARIABLE} = [{items}]"


def user_variable_sql(user: str) -> str:
    return f"SET VARIABLE {USER_VARIABLE} = {sql_string(user)}"
