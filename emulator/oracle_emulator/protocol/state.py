"""What one client connection remembers between calls: its session, cursors and LOBs.

The driver refers to a statement it has executed before by a cursor id only (re-execute,
fetch, define), so each cursor keeps its SQL, bind metadata, last describe and open result.
The ``running`` flag lets the packet-reading thread interrupt a statement when a break
arrives; everything else is touched by the connection's own thread only.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from oracle_emulator.api import (
    ORA_CANCELLED,
    ColumnInfo,
    Database,
    OracleError,
    QueryResult,
    Session,
)
from oracle_emulator.faults import FaultSwitchboard
from oracle_emulator.protocol.binds import BindMeta
from oracle_emulator.protocol.lobs import LobStore
from oracle_emulator.protocol.rows import RowEncoder

log = logging.getLogger(__name__)

T = TypeVar("T")
ORA_MAX_OPEN_CURSORS = 1000
ORA_INVALID_CURSOR = 1001
ORA_NOT_LOGGED_ON = 1012
_MAX_CURSOR_ID = 0xFFFF
#: statement kinds after which a transaction is open / closed
_DML_KINDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})
_TXN_ENDING_KINDS = frozenset({"COMMIT", "ROLLBACK", "DDL"})


@dataclass
class CursorState:
    cursor_id: int
    sql: str = ""
    is_query: bool = False
    is_plsql: bool = False
    binds: list[BindMeta] = field(default_factory=list)
    #: columns of the last DESCRIBE_INFO sent for this cursor
    columns: list[ColumnInfo] | None = None
    #: the client's defines since that describe (LOB columns as LOB, LONG or LONG RAW)
    defines: list[BindMeta] | None = None
    #: whether the client had fetch variables when that describe came: a LOB column it
    #: then leaves undefined is one it fetched as a string type before, and reads as LONG
    #: or LONG RAW (``MessageWithData._adjust_metadata``)
    undefined_lobs_as_long: bool = False
    result: QueryResult | None = None
    encoder: RowEncoder | None = None
    #: rows sent from ``result`` so far (the rowcount the driver shows for queries)
    fetched: int = 0
    #: whether the last full execute asked for per-row DML counts
    dml_rowcounts: bool = False
    #: whether the open result is a scrollable cursor's: kept to its end and beyond, for
    #: fetches that may start at any row (``scroll.py``)
    scrollable: bool = False
    #: binds of a DML RETURNING INTO list (the statement's last ones): sent without values
    return_binds: int = 0

    def open_result(self, result: QueryResult) -> None:
        self.result = result
        self.encoder = None
        self.fetched = 0

    def close_result(self) -> None:
        """Let go of an exhausted result (the row count stays for the end-of-call record)."""
        self.result = None
        self.encoder = None


class ConnectionState:
    """Per-connection state shared by the message handlers."""

    def __init__(
        self, database: Database, session_id: int, faults: FaultSwitchboard | None = None
    ) -> None:
        self.database = database
        self.session_id = session_id
        #: the server's fault switches (a private, never armed one when none is given)
        self.faults = FaultSwitchboard() if faults is None else faults
        self.session: Session | None = None
        self.username = ""
        self.lobs = LobStore()
        self.cursors: dict[int, CursorState] = {}
        self.txn_in_progress = False
        self.statements = 0
        self._cursor_ids = itertools.cycle(range(1, _MAX_CURSOR_ID + 1))
        self._running = False
        self._running_lock = threading.Lock()
        #: set by the packet-reading thread for every break; cleared once answered
        self.break_requested = threading.Event()
        #: a piggyback's failure: the call it came with answers it (see :meth:`require_session`)
        self.pending_error: OracleError | None = None
        #: the session's current schema and edition as the client last learnt them
        self.known_keywords: dict[int, str] = {}
        #: the session is over (killed): the connection closes after this call's reply
        self.ended = False

    # --- session ---------------------------------------------------------------------------

    def require_session(self) -> Session:
        """The session, to run the call in (see :meth:`raise_pending`)."""
        if self.session is None:
            raise OracleError(ORA_NOT_LOGGED_ON, "not logged on")
        self.raise_pending()
        return self.session

    def raise_pending(self) -> None:
        """Raise the error of a piggyback that came with this call (an application context
        namespace the client may not set), so that the call fails with it once its body is
        read."""
        error, self.pending_error = self.pending_error, None
        if error is not None:
            raise error

    def run(self, call: Callable[[], T]) -> T:
        """Run an engine call that a break from the client may interrupt.

        Either this sees a break that came first, or :meth:`request_break` sees the call
        running: the flag is set before the lock is taken there, and checked after it is
        released here.
        """
        with self._running_lock:
            self._running = True
        try:
            if self.break_requested.is_set():
                raise OracleError(ORA_CANCELLED, "user requested cancel of current operation")
            return call()
        finally:
            with self._running_lock:
                self._running = False

    def request_break(self) -> None:
        """From the packet-reading thread: a break arrived."""
        self.break_requested.set()
        self.interrupt()

    def interrupt(self) -> None:
        """Stop the running statement, if any (a break, or the server stopping)."""
        with self._running_lock:
            if not self._running or self.session is None:
                return
            session = self.session
        try:
            session.interrupt()
        except Exception:
            log.exception("session %d: interrupt failed", self.session_id)

    def note_statement(self, kind: str) -> None:
        """Track the transaction state the end-of-call records report."""
        if kind in _DML_KINDS:
            self.txn_in_progress = True
        elif kind in _TXN_ENDING_KINDS:
            self.txn_in_progress = False

    # --- cursors ---------------------------------------------------------------------------

    def new_cursor(self) -> CursorState:
        for _ in range(_MAX_CURSOR_ID):
            cursor_id = next(self._cursor_ids)
            if cursor_id not in self.cursors:
                cursor = self.cursors[cursor_id] = CursorState(cursor_id)
                return cursor
        raise OracleError(ORA_MAX_OPEN_CURSORS, "maximum open cursors exceeded")

    def cursor(self, cursor_id: int) -> CursorState:
        cursor = self.cursors.get(cursor_id)
        if cursor is None:
            raise OracleError(ORA_INVALID_CURSOR, "invalid cursor")
        return cursor

    def close_cursor(self, cursor_id: int) -> None:
        self.cursors.pop(cursor_id, None)
