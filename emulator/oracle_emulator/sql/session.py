"""One logged-in session: its DuckDB cursor, schema, open transaction and statement dispatch.

Each session has its own DuckDB cursor (a separate DuckDB connection to the same database),
so sessions run concurrently from their own threads. Statements run in short DuckDB
transactions; the Oracle transaction is the set of tags the session wrote (see
:mod:`.storage`), which is why a failing statement never disturbs earlier ones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
from sqlglot import exp

from oracle_emulator.api import (
    ColumnInfo,
    OracleError,
    StatementResult,
)
from oracle_emulator.sql import grammar_gate, nls_functions, parsing, privileges, translate
from oracle_emulator.sql.binds import bind_value, number_placeholders
from oracle_emulator.sql.catalogue import Table
from oracle_emulator.sql.dictionary import nls_variable_sql
from oracle_emulator.sql.errors import (
    ORA_SAVEPOINT_NOT_FOUND,
    cannot_serialize,
    internal,
    map_duckdb_error,
)
from oracle_emulator.sql.query import describe_query, plan_query
from oracle_emulator.sql.rewrite import RewriteContext
from oracle_emulator.sql.session_context import SessionContext
from oracle_emulator.sql.storage import (
    Snapshot,
    Transaction,
    commit_sql,
    rollback_sql,
    txn_of_tag,
)

if TYPE_CHECKING:
    from oracle_emulator.sql.engine import EmulatorDatabase

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCKED_MARK = "__EMU_LOCKED__"
_LOCKED = re.compile(LOCKED_MARK + r":\s*(-?\d+)")
#: DuckDB write-write conflicts between concurrent statements are retried this often
CONFLICT_RETRIES = 20
CONFLICT_PAUSE_S = 0.01
#: how long a kill waits for the killed session's interrupted statement to give up
KILL_ROLLBACK_WAIT_S = 5.0
_FIRST_WORDS = re.compile(
    r"^(?:\s+|--[^\n]*\n?|/\*.*?\*/|\()*([A-Za-z]+)(?:\s+([A-Za-z_]+))?", re.S
)


class RowLocked(Exception):
    """A statement met another open transaction's row (or key): wait for it, then retry."""

    def __init__(self, tag: int) -> None:
        super().__init__(f"locked by {tag}")
        self.txn = txn_of_tag(tag)


def first_words(sql: str) -> tuple[str, str]:
    match = _FIRST_WORDS.match(sql)
    if not match:
        return "", ""
    return match.group(1).upper(), (match.group(2) or "").upper()


class EmulatorSession:
    """Implements :class:`api.Session` for one connection."""

    def __init__(self, db: EmulatorDatabase, username: str) -> None:
        self.db = db
        self.username = username
        self.schema = username
        self.txn: Transaction | None = None
        self.currvals: dict[str, int] = {}
        self.closed = False
        self._statement_lock = threading.Lock()
        #: query plans by (text, schema, catalogue version, fast path on)
        self.plans: dict[tuple[Any, ...], Any] = {}
        self.session_id, self.serial = db.register_session(self)
        self.context = SessionContext()
        #: NLS parameters and time zone: the database's until ALTER SESSION changes them
        self.nls = db.nls
        self.cursor = db.new_cursor(self)

    # -- api.Session -----------------------------------------------------------------------

    def execute(self, sql: str, binds: Sequence[Any] = ()) -> StatementResult:
        grammar_gate.check(sql)  # the text as the client sent it, before any translation
        with self._statement_lock:
            return self._execute_unlocked(sql, binds)

    def _execute_unlocked(self, sql: str, binds: Sequence[Any]) -> StatementResult:
        if self.closed:
            raise OracleError(3114, "not connected to ORACLE")
        text = sql.strip().rstrip(";").strip() if not _is_plsql(sql) else sql.strip()
        try:
            return self.db.dispatcher.dispatch(self, text, list(binds))
        except OracleError:
            raise
        except duckdb.Error as exc:
            raise map_duckdb_error(exc, self.db.column_names) from exc
        except Exception as exc:
            log.exception("emulator failure on: %s", text)
            raise internal(f"{type(exc).__name__}: {exc}") from exc

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> StatementResult:
        """``executemany``, all rows or none (unlike Oracle's row-by-row array DML, which
        the protocol layer rebuilds from this by replaying after an error): an
        ``INSERT ... VALUES`` runs as multi-row statements, anything else once per row."""
        with self._statement_lock:
            if self.closed:
                raise OracleError(3114, "not connected to ORACLE")
            before = self.txn
            mark = before.statements if before is not None else 0
            try:
                return self._execute_many_unlocked(sql, rows)
            except BaseException:
                self._undo_call(before, mark)
                raise

    def _execute_many_unlocked(self, sql: str, rows: Sequence[Sequence[Any]]) -> StatementResult:
        from oracle_emulator.sql.dml import batched_insert

        try:
            batched = batched_insert(self, sql.strip().rstrip(";"), rows)
        except OracleError:
            raise
        except duckdb.Error as exc:
            raise map_duckdb_error(exc, self.db.column_names) from exc
        except Exception as exc:
            log.exception("emulator failure on: %s", sql)
            raise internal(f"{type(exc).__name__}: {exc}") from exc
        if batched is not None:
            return batched
        total = StatementResult(kind="OTHER")
        for row in rows:
            result = self._execute_unlocked(sql, row)
            total = StatementResult(rowcount=total.rowcount + result.rowcount, kind=result.kind)
        return total

    def _undo_call(self, before: Transaction | None, mark: int) -> None:
        """Undo what one call wrote: the statements after ``mark`` of the transaction open
        before it, or the whole transaction the call began."""
        txn = self.txn
        if txn is None:
            return
        if txn is before:
            self._undo_after(txn, mark)
        else:
            self.rollback_unlocked()

    def describe(self, sql: str) -> list[ColumnInfo]:
        """A parse call's answer: a query's columns; DML is checked as Oracle's parse checks
        it (grammar and bind names) and has none."""
        grammar_gate.check(sql)
        with self._statement_lock:
            word, _ = first_words(sql)
            if word in ("INSERT", "UPDATE", "DELETE"):
                translate.check_bind_names(sql.strip().rstrip(";"))
            if word not in ("SELECT", "WITH"):
                return []
            tree, count = parsing.parse(sql.strip().rstrip(";"))
            binds: list[Any] = [None] * count
            return describe_query(self, plan_query(self, tree, binds))

    def commit(self) -> None:
        with self._statement_lock:
            self.commit_unlocked()

    def rollback(self) -> None:
        with self._statement_lock:
            self.rollback_unlocked()

    def interrupt(self) -> None:
        with contextlib.suppress(duckdb.Error):  # nothing running
            self.cursor.interrupt()

    @property
    def killed(self) -> bool:
        return self.context.killed

    def kill(self) -> None:
        """ALTER SYSTEM KILL SESSION, from another session's thread: the statement running,
        if any, stops, and the transaction is rolled back at once (its row locks freed);
        the connection answers its next call ORA-00028 and ends."""
        self.context.killed = True
        self.interrupt()
        if not self._statement_lock.acquire(timeout=KILL_ROLLBACK_WAIT_S):
            return  # still busy: its connection rolls back when it closes
        try:
            if not self.closed:
                self.rollback_unlocked()
        finally:
            self._statement_lock.release()

    def close(self) -> None:
        with self._statement_lock:
            if self.closed:
                return
            try:
                self.rollback_unlocked()
            finally:
                self.closed = True
                self.db.forget_session(self)
                self.cursor.close()

    # -- helpers for the statement handlers ------------------------------------------------

    def snapshot(self) -> Snapshot:
        return self.txn.snapshot() if self.txn is not None else Snapshot()

    def rewrite_context(self, binds: Sequence[Any]) -> RewriteContext:
        return RewriteContext(
            catalogue=self.db.catalogue,
            schema=self.schema,
            user=self.username,
            snapshot=self.snapshot(),
            binds=list(binds),
            resolve_as_of=lambda kind, node, table: self.resolve_as_of(kind, node, table, binds),
            public=self.db.dictionary.public,
            touch_dictionary=self.db.dictionary.refresh,
            session_id=self.session_id,
            may_read=self._may_read,
        )

    def _may_read(self, name: str, owner: str | None) -> bool:
        return privileges.may_read(self.db.catalogue, self.username, name, owner)

    def alter_nls(self, changes: Sequence[tuple[str, str]]) -> None:
        """Apply ALTER SESSION SET parameters (validated together, then all applied): the
        session's macros carry the new values, and its plans are made again."""
        nls = self.nls
        for parameter, value in changes:
            nls = nls.set(parameter, value)
        if nls == self.nls:
            return
        nls_functions.install(self.cursor, nls, previous=self.nls)
        self.cursor.execute(nls_variable_sql(nls))
        self.nls = nls
        self.plans.clear()

    def resolve_as_of(
        self, kind: str, node: exp.Expression, table: Table, binds: Sequence[Any]
    ) -> int:
        """The SCN an ``AS OF`` clause asks for, checked against kept history."""
        found, value = bind_value(binds, node)
        if not found:
            if isinstance(node, exp.Literal) and not node.is_string:
                value = node.this
            else:
                value = self._evaluate(node, binds)
        if value is None:  # describe-only calls have no bind values yet
            return self.db.clock.current
        if kind == "TIMESTAMP":
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            if not isinstance(value, dt.datetime):
                value = dt.datetime.fromisoformat(str(value))
            scn = self.db.clock.scn_at(value)
        else:
            scn = int(value)
        return self.db.clock.check_readable(scn, table.created_scn)

    def _evaluate(self, node: exp.Expression, binds: Sequence[Any]) -> Any:
        select = exp.select(node.copy())
        params = number_placeholders(select, binds)
        sql = parsing.to_duckdb(select)
        return self.duck(lambda: self.cursor.execute(sql, params).fetchone()[0])

    def duck(self, work: Callable[[], T], updating: bool = False) -> T:
        """Run DuckDB work, raising DuckDB's errors as Oracle's."""
        try:
            return work()
        except duckdb.Error as exc:
            locked = _LOCKED.search(str(exc))
            if locked:
                raise RowLocked(int(locked.group(1))) from exc
            raise map_duckdb_error(exc, self.db.column_names, updating) from exc

    def ensure_txn(self) -> Transaction:
        if self.txn is None:
            self.txn = Transaction(self.db.counters.new_txn_id())
            self.db.txns.begin(self.txn.txn_id)
        return self.txn

    def run_write(self, work: Callable[[int], int], updating: bool = False) -> int:
        """Run one DML statement atomically with a fresh tag; waits on row locks, retries
        DuckDB write conflicts, undoes itself on any error."""
        conflicts = 0
        while True:
            txn = self.ensure_txn()
            tag = txn.next_tag()
            try:
                self.cursor.execute("BEGIN TRANSACTION")
                count = self.duck(functools.partial(work, tag), updating)
                self.duck(lambda: self.cursor.execute("COMMIT"))
                return count
            except RowLocked as locked:
                self._abort()
                self.db.txns.wait_for(txn.txn_id, locked.txn)
            except OracleError as exc:
                self._abort()
                if exc.code != cannot_serialize().code or conflicts >= CONFLICT_RETRIES:
                    raise
                conflicts += 1
                time.sleep(CONFLICT_PAUSE_S * conflicts)
            except BaseException:
                self._abort()
                raise

    def _abort(self) -> None:
        with contextlib.suppress(duckdb.Error):  # DuckDB may have ended it already
            self.cursor.execute("ROLLBACK")

    def commit_unlocked(self) -> None:
        txn, self.txn = self.txn, None
        if txn is None:
            return
        try:
            if txn.tables:
                self.db.commit_transaction(self.cursor, txn)
        finally:
            self.db.txns.end(txn.txn_id)

    def rollback_unlocked(self) -> None:
        txn, self.txn = self.txn, None
        if txn is None:
            return
        try:
            lo, hi = txn.range
            self._undo(txn, lo, hi)
        finally:
            self.db.txns.end(txn.txn_id)

    def _undo(self, txn: Transaction, lo: int, hi: int) -> None:
        statements = [sql for table in txn.tables.values() for sql in rollback_sql(table, lo, hi)]
        if not statements:
            return
        self.cursor.execute("BEGIN TRANSACTION")
        try:
            for sql in statements:
                self.cursor.execute(sql)
            self.cursor.execute("COMMIT")
        except duckdb.Error as exc:
            self._abort()
            raise map_duckdb_error(exc) from exc

    def savepoint(self, name: str) -> None:
        txn = self.ensure_txn()
        txn.savepoints[name] = txn.statements

    def rollback_to(self, name: str) -> None:
        txn = self.txn
        if txn is None or name not in txn.savepoints:
            raise OracleError(
                ORA_SAVEPOINT_NOT_FOUND,
                f"savepoint '{name}' never established in this session or is invalid",
            )
        self._undo_after(txn, txn.savepoints[name])

    def _undo_after(self, txn: Transaction, mark: int) -> None:
        """Undo the statements numbered above ``mark`` (ROLLBACK TO SAVEPOINT)."""
        lo, hi = txn.range_after(mark)
        self._undo(txn, lo, hi)
        txn.deltas = [d for d in txn.deltas if d[0] <= mark]
        txn.savepoints = {k: v for k, v in txn.savepoints.items() if v <= mark}

    def commit_statements(self, txn: Transaction, scn: int) -> list[str]:
        lo, hi = txn.range
        return [sql for table in txn.tables.values() for sql in commit_sql(table, lo, hi, scn)]


def _is_plsql(sql: str) -> bool:
    word, _ = first_words(sql)
    return word in ("BEGIN", "DECLARE")
