"""The emulator's database: DuckDB underneath, Oracle's catalogue, SCNs and sessions on top.

:class:`EmulatorDatabase` implements :class:`api.Database`; its sessions
(:class:`~.session.EmulatorSession`) implement :class:`api.Session`. Beyond the protocol's
needs it offers what the CLI, the demo loader and tests use: users, scripts, bulk loads,
cache warming and history purging (to provoke ORA-01555).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from oracle_emulator.api import LogonRequest, OracleError, OracleType
from oracle_emulator.sql import parsing, privileges, proxy_users, sys_context
from oracle_emulator.sql.catalogue import SYS, Catalogue, Column, Table, User
from oracle_emulator.sql.conversions import write_sql
from oracle_emulator.sql.dictionary import (
    CURRENT_SCN_FUNCTION,
    Dictionary,
    nls_variable_sql,
    user_variable_sql,
)
from oracle_emulator.sql.dictionary_columns import LAST_NUMBER_FUNCTION, NUM_ROWS_FUNCTION
from oracle_emulator.sql.dispatch import Dispatcher
from oracle_emulator.sql.errors import (
    ORA_SEQUENCE_EXHAUSTED,
    ORA_SEQUENCE_NOT_YET_DEFINED,
    ORA_USER_EXISTS,
    ORA_USER_NOT_FOUND,
    map_duckdb_error,
    table_not_found,
)
from oracle_emulator.sql.nls import NlsSettings
from oracle_emulator.sql.oratypes import DeclaredType, quote_ident
from oracle_emulator.sql.outputs import MONTHS_MACRO
from oracle_emulator.sql.rewrite import (
    CURRVAL_FUNCTION,
    NEXTVAL_FUNCTION,
    RID_OF_MACRO,
    ROWID_TEXT_MACRO,
)
from oracle_emulator.sql.rowcache import RowCache
from oracle_emulator.sql.rowid_sql import (
    CHARTOROWID_MACRO,
    chartorowid_macro_sql,
    rid_from_text_sql,
    rowid_macro_sql,
)
from oracle_emulator.sql.script import split_statements
from oracle_emulator.sql.session import EmulatorSession
from oracle_emulator.sql.session_registry import SessionRegistry
from oracle_emulator.sql.session_start import start_session
from oracle_emulator.sql.storage import (
    DEL,
    INS,
    RID,
    VER,
    VersionCounters,
    cleanup_uncommitted_sql,
    commit_sql,
    create_table_sql,
    purge_sql,
    schema_sql,
)
from oracle_emulator.sql.sys_context import SYS_CONTEXT_FUNCTION
from oracle_emulator.sql.transactions import ScnClock, TxnRegistry

log = logging.getLogger(__name__)

MAX_PASSWORD_BYTES = 1024
ORA_INVALID_PASSWORD = 988

META_TABLE = "__meta_catalogue"
#: Oracle's INITCAP for DuckDB-side SQL (bulk loads): words split on blanks
INITCAP_SQL = (
    "array_to_string(list_transform(string_split(s, ' '), "
    "lambda w: upper(w[1]) || lower(w[2:])), ' ')"
)
DEFAULT_USERS = {"DEMO": "demo", "SYSTEM": "manager"}


class EmulatorDatabase:
    """Implements :class:`api.Database` on one DuckDB database (memory, or a file)."""

    def __init__(
        self,
        service_name: str = "FREEPDB1",
        users: dict[str, str] | None = None,
        path: str | None = None,
        lock_timeout: float = 30.0,
        nls: NlsSettings | None = None,
    ) -> None:
        self.service_name = service_name
        #: the database's NLS defaults and time zone (NLS_DATABASE_PARAMETERS, DBTIMEZONE)
        self.nls = nls or NlsSettings()
        self.db_name = service_name.split(".")[0].upper()
        self.created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.path = path
        self.fast_path_enabled = True
        self.catalogue = Catalogue()
        self.counters = VersionCounters()
        self.clock = ScnClock()
        self.txns = TxnRegistry(lock_timeout)
        self.commit_lock = threading.Lock()
        self.num_rows: dict[int, int] = {}
        self.row_cache = RowCache(self.counters.peek)
        self.dictionary = Dictionary(self)
        self.dispatcher = Dispatcher()
        #: open sessions by SID (ALTER SYSTEM KILL SESSION, SYS_CONTEXT, NEXTVAL find them)
        self.sessions: SessionRegistry[EmulatorSession] = SessionRegistry()
        self._constraint_numbers = iter(range(10_000, 10**9))
        self._conn = duckdb.connect(path or ":memory:")
        self._internal_lock = threading.RLock()
        self._internal = self._configure(self._conn.cursor(), None)
        self._setup(users if users is not None else DEFAULT_USERS)

    # -- setup -----------------------------------------------------------------------------

    def _setup(self, users: dict[str, str]) -> None:
        with self.internal() as cursor:
            cursor.execute(schema_sql())
            cursor.execute(
                f"CREATE OR REPLACE MACRO {ROWID_TEXT_MACRO}(obj, rid) AS "
                f"{rowid_macro_sql('obj', 'rid')}"
            )
            cursor.execute(f"CREATE OR REPLACE MACRO {RID_OF_MACRO}(t) AS {rid_from_text_sql('t')}")
            cursor.execute(
                f"CREATE OR REPLACE MACRO {CHARTOROWID_MACRO}(t) AS {chartorowid_macro_sql('t')}"
            )
            months = "CAST(datepart('year', x) * 12 + datepart('month', x) AS INTEGER)"
            cursor.execute(f"CREATE OR REPLACE MACRO {MONTHS_MACRO}(x) AS {months}")
            cursor.execute(f"CREATE OR REPLACE MACRO initcap(s) AS {INITCAP_SQL}")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (doc VARCHAR)")
            stored = cursor.execute(f"SELECT doc FROM {META_TABLE}").fetchone()
            self.dictionary.create(cursor)
        if stored:
            self._reopen(stored[0])
        else:
            self._add_user(SYS, "change_on_install")
            self._create_dual()
        for name, password in users.items():
            if name.upper() not in self.catalogue.users:
                self.create_user(name, password)
            self.provision_user(name.upper())

    def provision_user(self, name: str) -> None:
        """What a DBA grants the provider's user (``docker/oracle/sql/01_demo_user.sql``):
        SELECT on V_$DATABASE for the SCN of consistent snapshots. Users given to the
        constructor (``--user``) get it; users made by ``CREATE USER`` do not."""
        if name not in privileges.ADMINISTRATORS:
            privileges.grant(self.catalogue, name, privileges.SCN_PRIVILEGE)
            self.after_ddl()

    def _create_dual(self) -> None:
        columns = (Column("DUMMY", DeclaredType(OracleType.VARCHAR2, size=1)),)
        table = Table(SYS, "DUAL", self.catalogue.new_object_id(), columns)
        with self.internal() as cursor:
            table = self.create_storage(cursor, table)
            cursor.execute(f"INSERT INTO {table.storage} VALUES ('X', 1, 1, 1, NULL)")
        self.counters.set_next(table.object_id, 2)
        self.num_rows[table.object_id] = 1

    def _reopen(self, doc: str) -> None:
        """A file database: reload the catalogue, drop uncommitted leftovers, recount."""
        self.catalogue.load_json(doc)
        with self.internal() as cursor:
            top = 0
            for table in self.catalogue.tables.values():
                for sql in cleanup_uncommitted_sql(table):
                    cursor.execute(sql)
                row = cursor.execute(
                    f"SELECT max({VER}), max(greatest({INS}, coalesce({DEL}, 0))), "
                    f"count(*) FILTER (WHERE {DEL} IS NULL) FROM {table.storage}"
                ).fetchone()
                self.counters.set_next(table.object_id, (row[0] or 0) + 1)
                self.num_rows[table.object_id] = int(row[2] or 0)
                top = max(top, int(row[1] or 0), table.created_scn)
        self.clock.current = max(self.clock.current, top)

    def _configure(self, cursor: Any, session: EmulatorSession | None) -> Any:
        cursor.execute("SET TimeZone = 'UTC'")
        cursor.execute(user_variable_sql(session.username if session else SYS))
        if session is None:
            self._create_functions(cursor)
        nls = session.nls if session is not None else self.nls
        # UDFs are database-wide: the engine's own cursor, configured first, makes them
        parsing.install_functions(cursor, nls, udfs=session is None)
        cursor.execute(nls_variable_sql(nls))
        return cursor

    def _create_functions(self, cursor: Any) -> None:
        """Python functions are database-wide in DuckDB: created once, told the session."""
        rows = cursor.execute("SELECT function_name FROM duckdb_functions()").fetchall()
        existing = {row[0] for row in rows}
        key_and_session = ["VARCHAR", "BIGINT"]
        functions = [
            (CURRENT_SCN_FUNCTION, lambda: self.clock.current, [], "BIGINT"),
            (NUM_ROWS_FUNCTION, lambda oid: self.num_rows.get(oid, 0), ["BIGINT"], "BIGINT"),
            (LAST_NUMBER_FUNCTION, self._last_number, ["VARCHAR", "VARCHAR"], "DECIMAL(38,0)"),
            (
                NEXTVAL_FUNCTION,
                lambda key, sid: self.nextval(self._session_by_id(sid), key),
                key_and_session,
                "DECIMAL(38,0)",
            ),
            (
                CURRVAL_FUNCTION,
                lambda key, sid: self.currval(self._session_by_id(sid), key),
                key_and_session,
                "DECIMAL(38,0)",
            ),
        ]
        for name, function, parameters, returns in functions:
            if name not in existing:
                cursor.create_function(name, function, parameters, returns, side_effects=True)
        if SYS_CONTEXT_FUNCTION not in existing:  # NULL is a value it returns
            cursor.create_function(
                SYS_CONTEXT_FUNCTION,
                self._sys_context,
                ["VARCHAR", "VARCHAR", "BIGINT", "BIGINT"],
                "VARCHAR",
                null_handling="special",
                side_effects=True,
            )

    def _sys_context(
        self, namespace: str | None, parameter: str | None, length: int | None, sid: int
    ) -> str | None:
        length = sys_context.DEFAULT_LENGTH if length is None else length
        return sys_context.value(self._session_by_id(sid), namespace, parameter, length)

    def _last_number(self, owner: str, name: str) -> int | None:
        """ALL_SEQUENCES.LAST_NUMBER, read live (NEXTVAL moves it without DDL)."""
        sequence = self.catalogue.sequences.get((owner, name))
        return sequence.next_value if sequence is not None else None

    def register_session(self, session: EmulatorSession) -> tuple[int, int]:
        """The new session's SID and SERIAL#."""
        return self.sessions.register(session)

    def _session_by_id(self, session_id: int) -> EmulatorSession | None:
        return self.sessions.get(session_id)

    def new_cursor(self, session: EmulatorSession) -> Any:
        return self._configure(self._conn.cursor(), session)

    @contextmanager
    def internal(self) -> Iterator[Any]:
        """The engine's own cursor (catalogue work, dictionary refresh), one user at a time."""
        with self._internal_lock:
            yield self._internal

    # -- api.Database ----------------------------------------------------------------------

    def authenticate(self, username: str) -> str | None:
        user = self.catalogue.users.get(username.upper())
        return user.password if user is not None else None

    def open_session(self, username: str) -> EmulatorSession:
        name = username.upper()
        if name not in self.catalogue.users:
            raise OracleError(1017, "invalid username/password; logon denied")
        return EmulatorSession(self, name)

    def logon(self, request: LogonRequest) -> EmulatorSession:
        """A session as the logon asks (proxy user, edition, application contexts)."""
        return start_session(self, request)

    def change_password(self, username: str, password: str) -> None:
        """A password change the client made at logon or with ``changepassword()``: at most
        1024 bytes, as Oracle's passwords (ORA-00988 otherwise)."""
        if not password or len(password.encode()) > MAX_PASSWORD_BYTES:
            raise OracleError(ORA_INVALID_PASSWORD, "missing or invalid password(s)")
        with self.catalogue.lock:
            user = self.catalogue.users[username]
            self.catalogue.users[username] = replace(user, password=password)
        self.after_ddl()

    def forget_session(self, session: EmulatorSession) -> None:
        self.sessions.forget(getattr(session, "session_id", 0))

    def close(self) -> None:
        for session in self.sessions.sessions():
            try:
                session.close()
            except OracleError:
                log.warning("closing session %s failed", session.username)
        self._conn.close()

    # -- users -----------------------------------------------------------------------------

    def _add_user(self, name: str, password: str) -> None:
        with self.catalogue.lock:
            self.catalogue.users[name] = User(name, password, self.catalogue.new_user_id())

    def create_user(self, name: str, password: str, exists_ok: bool = True) -> None:
        """Create a user, which is also a schema. From the API an existing user just gets the
        new password; ``CREATE USER`` passes ``exists_ok=False`` and gets ORA-01920."""
        name = name.upper() if not name.startswith('"') else name.strip('"')
        with self.catalogue.lock:
            existing = self.catalogue.users.get(name)
            if existing is not None and exists_ok:
                self.catalogue.users[name] = User(
                    name, password, existing.user_id, existing.created
                )
                return
            if existing is not None:
                raise OracleError(
                    ORA_USER_EXISTS, f"user name '{name}' conflicts with another user or role name"
                )
            self._add_user(name, password)
        self.after_ddl()

    def drop_user(self, name: str) -> None:
        with self.catalogue.lock:
            if self.catalogue.users.pop(name, None) is None:
                raise OracleError(ORA_USER_NOT_FOUND, f"user '{name}' does not exist")
            self.catalogue.grants.pop(name, None)
            proxy_users.forget_proxy(self.catalogue, name)
        with self.internal() as cursor:
            for table in self.catalogue.tables_of(name):
                self.drop_table(cursor, name, table.name)
        for store in (self.catalogue.views, self.catalogue.sequences, self.catalogue.indexes):
            for key in [k for k in store if k[0] == name]:
                del store[key]
        self.after_ddl()

    # -- storage lifecycle -----------------------------------------------------------------

    def create_storage(self, cursor: Any, table: Table) -> Table:
        with self.commit_lock:
            scn = self.clock.advance()
            table = replace(table, created_scn=scn)
            cursor.execute(create_table_sql(table))
            self.catalogue.put_table(table)
            self.counters.set_next(table.object_id, 1)
            self.num_rows[table.object_id] = 0
        return table

    def drop_table(self, cursor: Any, owner: str, name: str) -> None:
        table = self.catalogue.tables.get((owner, name))
        if table is None:
            raise table_not_found()
        with self.commit_lock:
            cursor.execute(f"DROP TABLE IF EXISTS {table.storage}")
            self.catalogue.drop_table(owner, name)
            self.clock.advance()
        self.row_cache.invalidate(table.object_id)
        self.num_rows.pop(table.object_id, None)
        self.counters.forget(table.object_id)

    def truncate_table(self, cursor: Any, owner: str, name: str) -> None:
        """Remove all rows and history: older flashback queries get ORA-01466, as in Oracle."""
        table = self.catalogue.tables.get((owner, name))
        if table is None:
            raise table_not_found()
        with self.commit_lock:
            cursor.execute(f"DELETE FROM {table.storage}")
            scn = self.clock.advance()
            self.catalogue.replace_table(table, created_scn=scn)
        self.row_cache.invalidate(table.object_id)
        self.num_rows[table.object_id] = 0

    def add_column(self, session: EmulatorSession, table: Table, column: Column) -> Table:
        from oracle_emulator.sql.dml import default_sql, label

        if table.column(column.name) is not None:
            raise OracleError(1430, "column being added already exists in table")
        cursor = session.cursor
        name = quote_ident(column.name)
        ddl = f"ALTER TABLE {table.storage} ADD COLUMN {name} {column.type.storage_sql()}"
        cursor.execute(ddl)
        if column.default is not None:
            value = write_sql(
                column.type,
                f"({default_sql(session, table, column.default)})",
                label(table, column),
            )
            cursor.execute(f"UPDATE {table.storage} SET {quote_ident(column.name)} = {value}")
        if not column.nullable:
            cursor.execute(
                f"ALTER TABLE {table.storage} ALTER COLUMN {quote_ident(column.name)} SET NOT NULL"
            )
        self.row_cache.invalidate(table.object_id)
        return self.catalogue.replace_table(table, columns=(*table.columns, column))

    def after_ddl(self) -> None:
        self.catalogue.bump()  # stale plans, and dictionary rows to bring up to date
        if self.path:
            with self.internal() as cursor:
                cursor.execute(f"DELETE FROM {META_TABLE}")
                cursor.execute(f"INSERT INTO {META_TABLE} VALUES (?)", [self.catalogue.to_json()])

    def generated_constraint_name(self) -> str:
        return f"SYS_C{next(self._constraint_numbers):07d}"

    def column_names(self, object_id: int, column: str) -> tuple[str, str, str] | None:
        table = self.catalogue.table_by_id(object_id)
        return (table.owner, table.name, column) if table else None

    # -- transactions ----------------------------------------------------------------------

    def commit_transaction(self, cursor: Any, txn: Any) -> int:
        """Give a transaction's changes a commit SCN, atomically for every reader."""
        lo, hi = txn.range
        with self.commit_lock:
            scn = self.clock.current + 1
            cursor.execute("BEGIN TRANSACTION")
            try:
                for table in txn.tables.values():
                    if (table.owner, table.name) not in self.catalogue.tables:
                        continue
                    for sql in commit_sql(table, lo, hi, scn):
                        cursor.execute(sql)
                cursor.execute("COMMIT")
            except duckdb.Error as exc:
                cursor.execute("ROLLBACK")
                raise map_duckdb_error(exc) from exc
            self.clock.advance()
            for _, object_id, delta in txn.deltas:
                if object_id in self.num_rows:
                    self.num_rows[object_id] = max(0, self.num_rows[object_id] + delta)
        return scn

    @property
    def current_scn(self) -> int:
        return self.clock.current

    def purge_history(self, before_scn: int) -> None:
        """Forget versions deleted at or before ``before_scn``; older AS OF reads raise
        ORA-01555 from now on."""
        with self.commit_lock, self.internal() as cursor:
            for table in list(self.catalogue.tables.values()):
                cursor.execute(purge_sql(table, before_scn))
            self.clock.oldest = max(self.clock.oldest, before_scn)

    # -- sequences -------------------------------------------------------------------------

    def nextval(self, session: EmulatorSession | None, key: str) -> int:
        owner, _, name = key.partition(".")
        with self.catalogue.lock:
            seq = self.catalogue.sequences.get((owner, name))
            if seq is None:
                raise OracleError(2289, "sequence does not exist")
            value = seq.next_value
            if (seq.increment > 0 and value > seq.max_value) or (
                seq.increment < 0 and value < seq.min_value
            ):
                if not seq.cycle:
                    raise OracleError(
                        ORA_SEQUENCE_EXHAUSTED,
                        f"sequence {name}.NEXTVAL exceeds MAXVALUE and cannot be instantiated",
                    )
                value = seq.min_value if seq.increment > 0 else seq.max_value
            seq.next_value = value + seq.increment
        if session is not None:
            session.currvals[key] = value
        return value

    def currval(self, session: EmulatorSession | None, key: str) -> int:
        if session is None or key not in session.currvals:
            name = key.partition(".")[2]
            raise OracleError(
                ORA_SEQUENCE_NOT_YET_DEFINED,
                f"sequence {name}.CURRVAL is not yet defined in this session",
            )
        return session.currvals[key]

    # -- loading ---------------------------------------------------------------------------

    def execute_script(self, text: str, schema: str) -> int:
        """Run an Oracle SQL script (``;``/``/`` separated) as ``schema``; commits at the end."""
        session = self.open_session(schema)
        try:
            count = 0
            for statement in split_statements(text):
                session.execute(statement)
                count += 1
            session.commit()
            return count
        finally:
            session.close()

    def load_sql_file(self, path: str | Path, schema: str) -> int:
        return self.execute_script(Path(path).read_text(encoding="utf-8"), schema)

    def bulk_insert(self, owner: str, table_name: str, duckdb_select_sql: str) -> int:
        """Insert the rows of a DuckDB query (columns matched by name) as one commit."""
        table = self._table(owner, table_name)
        started = time.monotonic()
        with self.internal() as cursor, self.commit_lock:
            with self.counters.allocating(table.object_id) as alloc:
                scn = self.clock.current + 1
                sql = bulk_insert_sql(cursor, table, duckdb_select_sql, alloc.base, scn)
                try:
                    count = int(cursor.execute(sql).fetchone()[0])
                except duckdb.Error as exc:
                    raise map_duckdb_error(exc, self.column_names) from exc
                alloc.used = count
            self.clock.advance()
            self.num_rows[table.object_id] = self.num_rows.get(table.object_id, 0) + count
        elapsed = time.monotonic() - started
        log.info("bulk loaded %d rows into %s.%s in %.2f s", count, owner, table_name, elapsed)
        return count

    def warm(self, table: str, columns: Sequence[str] | None = None) -> int:
        """Encode the rows of ``table`` (``OWNER.NAME``) for the fast path ahead of queries."""
        owner, _, name = table.rpartition(".")
        target = self._table(owner or "DEMO", name)
        chosen = [c for c in target.columns if not c.type.kind.is_lob]
        if columns is not None:
            wanted = [c.upper() for c in columns]
            chosen = [c for c in target.columns if c.name in wanted]
        started = time.monotonic()
        with self.internal() as cursor:
            count = self.row_cache.warm(cursor, target, chosen)
        log.info("warmed %d rows of %s in %.2f s", count, table, time.monotonic() - started)
        return count

    def _table(self, owner: str, name: str) -> Table:
        table = self.catalogue.tables.get((owner.upper(), name.upper()))
        if table is None:
            raise table_not_found()
        return table


def bulk_insert_sql(cursor: Any, table: Table, select_sql: str, base: int, scn: int) -> str:
    """An INSERT of a DuckDB query's rows (matched to columns by name) committed at ``scn``."""
    probe = cursor.execute(f"SELECT * FROM ({select_sql}) LIMIT 0").description or []
    names = {str(d[0]).upper(): str(d[0]) for d in probe}
    targets, values = [], []
    for column in table.columns:
        if column.name.upper() in names:
            targets.append(quote_ident(column.name))
            source = f"__b.{quote_ident(names[column.name.upper()])}"
            label = f'"{table.owner}"."{table.name}"."{column.name}"'
            values.append(write_sql(column.type, source, label))
    first = base - 1
    return (
        f"INSERT INTO {table.storage} ({', '.join(targets)}, {VER}, {RID}, {INS}) "
        f"SELECT {', '.join(values)}, {first} + __n, {first} + __n, {scn} FROM "
        f"(SELECT *, row_number() OVER () AS __n FROM ({select_sql})) AS __b"
    )
