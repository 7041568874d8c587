"""Execute (94), re-execute (4), re-execute-and-fetch (78) and fetch (5).

A full execute carries options, the cursor id (0 for a new statement), the SQL when the
statement is parsed, a 13-slot integer array, then either define metadata (the second round
trip of a query with LOB columns) or bind metadata and bind rows (``messages/execute.pyx``).
Re-executes carry the cursor id, an iteration count, two option words and bind rows only.

Replies: DESCRIBE_INFO when the statement is parsed or its columns changed, row data up to
the number of rows asked for (never more, and none for queries with LOB columns, which the
driver executes again with defines: that second execute gets them), and the end-of-call
record with the cursor id, the row count, the ROWID of the last row DML changed and
ORA-01403 once a result is exhausted. DML with RETURNING INTO runs once per bind row and
its reply carries the returned values of each execution (:mod:`.returned`).

Before rows are sent, the fault switchboard is asked how many a cursor may still send: an
armed row fault (``drop_connection_after``, ``snapshot_too_old_after``) cuts fetches short so
that exactly its number of rows goes out, then fires on the next fetch. A fetch call first
lets the result check itself (``QueryResult.check_fetch``): a cursor read AS OF an SCN whose
history was purged since fails there with ORA-01555, as Oracle's does when the undo it needs
is overwritten during a long fetch.

A scrollable cursor's fetches and scrolls come as full executes too; ``scroll.py`` tells
them from executes and says which row they start at, and such a cursor's result stays open
past its end, for scrolls back into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from oracle_emulator.api import (
    ORA_CANCELLED,
    ORA_FETCH_OUT_OF_SEQUENCE,
    ColumnInfo,
    OracleError,
    StatementResult,
)
from oracle_emulator.protocol.binds import BindReader, read_metadata
from oracle_emulator.protocol.buffer import (
    ReadBuffer,
    RequestInterrupted,
)
from oracle_emulator.protocol.constants import (
    AL8I4_EXEC_FLAGS,
    AL8I4_FETCH_ORIENTATION,
    AL8I4_FETCH_POS,
    AL8I4_IS_QUERY,
    ERR_ARRAY_DML_ERRORS,
    EXEC_FLAGS_DML_ROWCOUNTS,
    EXEC_FLAGS_SCROLLABLE,
    REEXECUTE_COMMIT,
    ExecOption,
)
from oracle_emulator.protocol.describe import describe_info
from oracle_emulator.protocol.errors import (
    NO_DATA_FOUND,
    BatchError,
    EndOfCall,
    reported,
)
from oracle_emulator.protocol.lob_defines import lobs_read_inline
from oracle_emulator.protocol.returned import returned_rows
from oracle_emulator.protocol.rows import ROW_HEADER, RowEncoder
from oracle_emulator.protocol.scroll import is_positioned_fetch, resting_position, start_row
from oracle_emulator.protocol.session_sync import changed_keywords, return_parameters
from oracle_emulator.protocol.state import ConnectionState, CursorState
from oracle_emulator.sql.returning import return_bind_count

_AL8I4_EXEC_COUNT = 1
ORA_DEADLOCK = 60
ORA_LOCK_TIMEOUT = 30006
#: errors after which an array is not replayed: the client cancelled the call
_NOT_REPLAYED = frozenset({ORA_CANCELLED})
#: errors of waiting for another transaction's rows: replayed one row at a time, so that the
#: wait happens once, at the row that meets the lock, as it would in Oracle
_REPLAYED_ROW_BY_ROW = frozenset({ORA_DEADLOCK, ORA_LOCK_TIMEOUT})


@dataclass
class ExecuteRequest:
    options: int
    cursor_id: int
    sql: str | None
    prefetch_rows: int
    num_binds: int
    num_defines: int
    al8i4: list[int]

    @property
    def is_query(self) -> bool:
        return bool(self.al8i4[AL8I4_IS_QUERY])

    @property
    def exec_flags(self) -> int:
        return self.al8i4[AL8I4_EXEC_FLAGS]

    @property
    def fetch_orientation(self) -> int:
        return self.al8i4[AL8I4_FETCH_ORIENTATION]

    @property
    def fetch_pos(self) -> int:
        return self.al8i4[AL8I4_FETCH_POS]


def parse_execute(buf: ReadBuffer) -> ExecuteRequest:
    """The fixed part of a full execute, up to the integer array (field version 13)."""
    options = buf.read_ub4()
    cursor_id = buf.read_ub4()
    has_sql = buf.read_uint8()
    buf.read_ub4()  # SQL length
    buf.read_uint8()  # pointer (al8i4)
    al8i4_length = buf.read_ub4()
    buf.skip(2)  # pointers al8o4, al8o4l
    buf.read_ub4()  # prefetch buffer size
    prefetch_rows = buf.read_ub4()
    buf.read_ub4()  # maximum LONG size
    buf.read_uint8()  # pointer (binds)
    num_binds = buf.read_ub4()
    buf.skip(5)  # pointers al8app, al8txn, al8txl, al8kv, al8kvl
    buf.read_uint8()  # pointer (defines)
    num_defines = buf.read_ub4()
    buf.read_ub4()  # registration id (low half)
    buf.skip(3)  # pointers al8objlist, al8objlen, al8blv
    buf.read_ub4()  # al8blvl
    buf.read_uint8()  # pointer (al8dnam)
    buf.read_ub4()  # al8dnaml
    buf.read_ub4()  # registration id (high half)
    buf.read_uint8()  # pointer (DML row counts)
    buf.read_ub4()  # DML row counts length
    buf.read_uint8()  # pointer (DML row counts length)
    buf.read_uint8()  # pointer (SQL signature), from field version 12.2
    buf.read_ub4()  # SQL signature length
    buf.read_uint8()  # pointer (SQL id)
    buf.read_ub4()  # SQL id size
    buf.read_uint8()  # pointer (SQL id length)
    buf.read_uint8()  # pointer (chunk ids), from field version 12.2 extension 1
    buf.read_ub4()  # number of chunk ids
    sql = None
    if has_sql:
        sql = (buf.read_bytes() or b"").decode()
    al8i4 = [buf.read_ub4() for _ in range(al8i4_length)]
    return ExecuteRequest(options, cursor_id, sql, prefetch_rows, num_binds, num_defines, al8i4)


@dataclass
class _Outcome:
    """What running a statement (once, or once per bind row) produced."""

    result: StatementResult | None = None
    rowcount: int = 0
    error: OracleError | None = None
    row_counts: list[int] = field(default_factory=list)
    batch_errors: list[BatchError] = field(default_factory=list)
    #: RETURNING INTO: per successful execution, the values of each return bind
    returned: list[list[list[Any]]] = field(default_factory=list)


class ExecuteHandler:
    """Runs execute-family calls against one connection's state."""

    def __init__(self, state: ConnectionState) -> None:
        self._state = state

    # --- function 94 -----------------------------------------------------------------------

    def execute(self, buf: ReadBuffer) -> bytes:
        state = self._state
        request = parse_execute(buf)
        cursor = state.cursor(request.cursor_id) if request.cursor_id else state.new_cursor()
        if request.sql is not None:
            cursor.sql = request.sql
            cursor.return_binds = 0 if request.is_query else return_bind_count(cursor.sql)
        if request.options & ExecOption.DEFINE:
            cursor.defines = read_metadata(buf, request.num_defines)
            cursor.encoder = None
            if request.prefetch_rows and cursor.result is not None:
                # the define call returns the first rows, up to the prefetch count it carries
                # (its FETCH option is off: the driver marks LOB queries "no prefetch");
                # fetch_df_batches() takes its first batch from them
                return self.fetch_rows(cursor, request.prefetch_rows)
            return EndOfCall(cursor.cursor_id, rowcount=cursor.fetched).encode()
        cursor.is_plsql = bool(request.options & ExecOption.EXECUTE) and not (
            request.options & ExecOption.NOT_PLSQL
        )
        cursor.dml_rowcounts = bool(request.exec_flags & EXEC_FLAGS_DML_ROWCOUNTS)
        bind_rows = self._read_binds(buf, cursor, request)
        scroll = bool(request.exec_flags & EXEC_FLAGS_SCROLLABLE)
        if scroll and is_positioned_fetch(
            request.options, request.fetch_orientation, request.fetch_pos
        ):
            return self._fetch_at(cursor, request)
        cursor.scrollable = scroll and request.is_query
        if not request.options & ExecOption.EXECUTE:
            return self._parse_only(cursor, request)
        outcome = self._run(
            cursor, bind_rows, batch_errors=bool(request.options & ExecOption.BATCH_ERRORS)
        )
        if outcome.error is None and request.options & ExecOption.COMMIT:
            outcome.error = self._commit()
        fetch = request.prefetch_rows if request.options & ExecOption.FETCH else 0
        # A query with LOB columns comes as a full execute every time (the driver marks it
        # "no prefetch") and without its defines: the client may have changed its fetch
        # types since it defined the cursor (another output type handler, fetch_lobs, a
        # data frame fetch on a cached statement). Its columns are described again, so
        # that it defines them anew before any row goes out, or, for the LOB columns it
        # now fetches as strings, reads them as LONG / LONG RAW.
        # (``lob_defines``). Rows go with the describe only when the client surely reads
        # every LOB column inline, as fetch_df_batches() takes its first batch from them.
        redescribe = request.is_query and cursor.columns is not None and _has_lob(cursor.columns)
        if redescribe:
            fetch = request.prefetch_rows
        force_describe = bool(request.options & ExecOption.PARSE) or redescribe
        return self._reply(cursor, outcome, fetch, force_describe)

    def _read_binds(
        self, buf: ReadBuffer, cursor: CursorState, request: ExecuteRequest
    ) -> list[list[Any]]:
        cursor.is_query = request.is_query
        count = 1 if request.is_query else max(request.al8i4[_AL8I4_EXEC_COUNT], 1)
        if not request.num_binds and not request.options & ExecOption.EXECUTE:
            # a parse (cursor.parse() of an executed cursor) sends no bind metadata: the
            # cursor keeps the binds it was executed with, which a re-execute sends values of
            return [[]]
        cursor.binds = read_metadata(buf, request.num_binds)
        if cursor.binds and not request.options & ExecOption.BIND:
            return [[]]  # a scroll: the bind metadata comes without values
        return self._read_bind_rows(buf, cursor, count)

    def _read_bind_rows(self, buf: ReadBuffer, cursor: CursorState, count: int) -> list[list[Any]]:
        """One list of bind values per execution (``executemany(sql, 5)`` without binds runs
        five times, with empty lists). A query runs once, but all its rows are read."""
        if not cursor.binds:
            return [[] for _ in range(count)]
        reader = BindReader(cursor.binds, self._state.lobs, cursor.is_plsql, cursor.return_binds)
        return reader.read_rows(buf, count, rest=cursor.is_query)

    def _parse_only(self, cursor: CursorState, request: ExecuteRequest) -> bytes:
        """``cursor.parse()``: describe a query, check DML, without running either."""
        parts = []
        error = None
        try:
            columns = self._state.require_session().describe(cursor.sql)
            if request.is_query:
                parts.append(describe_info(columns))
                cursor.undefined_lobs_as_long = cursor.columns is not None
                cursor.columns = list(columns)
                cursor.defines = None
        except Exception as exc:
            error = self._engine_error(exc)
        parts.append(EndOfCall(cursor.cursor_id, error=error).encode())
        return b"".join(parts)

    def _fetch_at(self, cursor: CursorState, request: ExecuteRequest) -> bytes:
        """A scrollable cursor's fetch or scroll: rows from the row it names (``scroll.py``)."""
        query = cursor.result
        if query is None or not cursor.scrollable or not request.is_query:
            # no open result, or one its statement did not open as scrollable
            raise OracleError(ORA_FETCH_OUT_OF_SEQUENCE, "fetch out of sequence")
        row = start_row(request.fetch_orientation, request.fetch_pos, query.position, query.size)
        query.position = cursor.fetched = resting_position(row, query.size)
        if row < 1:  # before the first row: nothing to send
            return EndOfCall(
                cursor.cursor_id,
                error=NO_DATA_FOUND,
                txn_in_progress=self._state.txn_in_progress,
            ).encode()
        # the row count, even without the FETCH option (off for queries with LOB columns)
        return self.fetch_rows(cursor, request.prefetch_rows)

    # --- functions 4 and 78 ----------------------------------------------------------------

    def reexecute(self, buf: ReadBuffer, and_fetch: bool) -> bytes:
        cursor = self._state.cursor(buf.read_ub4())
        iterations = buf.read_ub4()
        options = buf.read_ub4()
        options_2 = buf.read_ub4()
        count = 1 if and_fetch or cursor.is_query else max(iterations, 1)
        bind_rows = self._read_bind_rows(buf, cursor, count)
        outcome = self._run(cursor, bind_rows, batch_errors=False)
        if outcome.error is None and options_2 & REEXECUTE_COMMIT:
            outcome.error = self._commit()
        fetch = iterations if and_fetch and options & ExecOption.EXECUTE else 0
        return self._reply(cursor, outcome, fetch, force_describe=False)

    # --- function 5 ------------------------------------------------------------------------

    def fetch(self, buf: ReadBuffer) -> bytes:
        cursor = self._state.cursor(buf.read_ub4())
        return self.fetch_rows(cursor, buf.read_ub4())

    def fetch_rows(self, cursor: CursorState, count: int) -> bytes:
        """Up to ``count`` rows of the open result and the end of the fetch."""
        if cursor.result is None:
            raise OracleError(ORA_FETCH_OUT_OF_SEQUENCE, "fetch out of sequence")
        try:
            _check_fetch(cursor)
            rows = self._rows(cursor, count)
        except RequestInterrupted:
            raise  # a fault switch cutting the connection: no reply at all
        except Exception as exc:
            return EndOfCall(cursor.cursor_id, error=self._engine_error(exc)).encode()
        return b"".join((*rows, self._fetch_end(cursor)))  # the one copy of the rows

    # --- running statements ----------------------------------------------------------------

    def _run(self, cursor: CursorState, bind_rows: list[list[Any]], batch_errors: bool) -> _Outcome:
        """Execute once per bind row (``executemany``), adding up the row counts."""
        state = self._state
        session = state.require_session()
        state.statements += 1  # one per call: an executemany is one statement
        many = getattr(session, "execute_many", None)  # optional for other Session fakes
        if (
            many is not None
            and len(bind_rows) > 1
            and not (batch_errors or cursor.dml_rowcounts or cursor.is_query or cursor.is_plsql)
            and not cursor.return_binds  # each execution returns its own rows
        ):
            return self._run_array(cursor, bind_rows)
        return self._run_rows(cursor, bind_rows, batch_errors)

    def _run_array(self, cursor: CursorState, bind_rows: list[list[Any]]) -> _Outcome:
        """Array DML as Oracle runs it (rows before a failing row stay applied, the error is
        that row's, the row count that of the rows before it) from all-or-nothing
        ``execute_many`` calls: the whole array first, then after an error its halves, each
        again halved when it fails, down to the failing row. That costs at most about three
        times the array's rows in ``execute_many``, never a round of ``execute`` per row."""
        outcome = _Outcome()
        self._apply_rows(cursor, bind_rows, outcome)
        return outcome

    def _apply_rows(self, cursor: CursorState, rows: list[list[Any]], outcome: _Outcome) -> bool:
        """Apply ``rows`` in order up to the first failing one (its error goes to
        ``outcome``); True if all were applied."""
        state = self._state
        session = state.require_session()
        if len(rows) == 1:
            return self._apply_one(cursor, rows[0], outcome)
        try:
            result = state.run(lambda: session.execute_many(cursor.sql, rows))
        except Exception as exc:
            error = self._engine_error(exc)
            if error.code in _NOT_REPLAYED:
                outcome.error = error
                return False
            if error.code in _REPLAYED_ROW_BY_ROW:  # halving would wait once per level
                return all(self._apply_one(cursor, row, outcome) for row in rows)
            middle = len(rows) // 2
            return self._apply_rows(cursor, rows[:middle], outcome) and self._apply_rows(
                cursor, rows[middle:], outcome
            )
        self._applied(result, outcome)
        return True

    def _apply_one(self, cursor: CursorState, binds: list[Any], outcome: _Outcome) -> bool:
        session = self._state.require_session()
        try:
            result = self._state.run(lambda: session.execute(cursor.sql, binds))
        except Exception as exc:
            outcome.error = self._engine_error(exc)
            return False
        self._applied(result, outcome)
        return True

    def _applied(self, result: StatementResult, outcome: _Outcome) -> None:
        self._state.note_statement(result.kind)
        outcome.result = result
        outcome.rowcount += result.rowcount

    def _run_rows(
        self, cursor: CursorState, bind_rows: list[list[Any]], batch_errors: bool
    ) -> _Outcome:
        """One ``execute`` per bind row: for batch errors and per-row counts (which need
        each row's own outcome), queries and PL/SQL."""
        state = self._state
        session = state.require_session()
        outcome = _Outcome()
        for index, binds in enumerate(bind_rows):
            try:
                result = state.run(lambda binds=binds: session.execute(cursor.sql, binds))
            except Exception as exc:
                error = self._engine_error(exc)
                if not batch_errors:
                    outcome.error = error
                    break
                outcome.batch_errors.append(BatchError(index, error))
                outcome.row_counts.append(0)
                if cursor.return_binds:  # the driver files returned rows by execution
                    outcome.returned.append([[] for _ in range(cursor.return_binds)])
                continue
            state.note_statement(result.kind)
            outcome.result = result
            outcome.rowcount += result.rowcount
            outcome.row_counts.append(result.rowcount)
            if cursor.return_binds:
                outcome.returned.append(_returned(result, cursor.return_binds))
            if result.query is not None:
                break  # a query runs once, whatever the client sent
        if outcome.batch_errors:
            outcome.error = OracleError(ERR_ARRAY_DML_ERRORS, "error(s) in array DML")
        return outcome

    def _commit(self) -> OracleError | None:
        try:
            self._state.require_session().commit()
        except Exception as exc:
            return self._engine_error(exc)
        self._state.txn_in_progress = False
        return None

    def _engine_error(self, exc: BaseException) -> OracleError:
        """A statement's failure as the error of its reply (or of its row, with batch
        errors): these replies carry more than the dispatcher's bare end-of-call record."""
        return reported(exc, self._state.session_id, "statement")

    # --- replies ---------------------------------------------------------------------------

    def _reply(
        self, cursor: CursorState, outcome: _Outcome, fetch: int, force_describe: bool
    ) -> bytes:
        result = outcome.result
        if result is None or result.query is None or outcome.error is not None:
            return self._statement_reply(cursor, outcome)
        parts: list[bytes | memoryview] = []
        columns = list(result.query.columns)
        inline = False
        if force_describe or cursor.columns != columns:
            parts.append(describe_info(columns))
            inline = lobs_read_inline(
                cursor.columns, cursor.defines, cursor.undefined_lobs_as_long, columns
            )
            # a new cursor's client has no fetch variables yet: it defines every LOB column
            cursor.undefined_lobs_as_long = cursor.columns is not None
            cursor.columns = columns
            cursor.defines = None
        cursor.open_result(result.query)
        if not fetch or (_has_lob(columns) and cursor.defines is None and not inline):
            # queries with LOB columns are executed again with defines before any fetch,
            # unless the client reads them all inline (see lob_defines)
            end = EndOfCall(cursor.cursor_id, txn_in_progress=self._state.txn_in_progress)
            parts.append(end.encode())
            return b"".join(parts)
        try:
            parts.extend(self._rows(cursor, fetch))
            parts.append(self._fetch_end(cursor))
        except RequestInterrupted:
            raise  # a fault switch cutting the connection: no reply at all
        except Exception as exc:
            parts.append(EndOfCall(cursor.cursor_id, error=self._engine_error(exc)).encode())
        return b"".join(parts)

    def _statement_reply(self, cursor: CursorState, outcome: _Outcome) -> bytes:
        """The reply to DML, DDL and anything that failed: the row count or the error."""
        parts = []
        if outcome.returned:
            metas = cursor.binds[len(cursor.binds) - cursor.return_binds :]
            try:
                parts.append(returned_rows(metas, outcome.returned, self._state.lobs))
            except Exception as exc:
                outcome.error = outcome.error or self._engine_error(exc)
        # what the statement changed in the session (ALTER SESSION SET CURRENT_SCHEMA...)
        keywords = changed_keywords(self._state.session, self._state.known_keywords)
        if cursor.dml_rowcounts and (outcome.error is None or outcome.batch_errors):
            parts.append(return_parameters(keywords, outcome.row_counts))
        elif keywords:
            parts.append(return_parameters(keywords))
        result = outcome.result
        end = EndOfCall(
            cursor.cursor_id,
            error=outcome.error,
            rowcount=outcome.rowcount,
            txn_in_progress=self._state.txn_in_progress,
            batch_errors=outcome.batch_errors,
            rowid=result.rowid if result is not None and outcome.error is None else None,
        )
        parts.append(end.encode())
        return b"".join(parts)

    def _rows(self, cursor: CursorState, count: int) -> list[bytes | memoryview]:
        """Up to ``count`` rows of the cursor's result as ROW_HEADER + ROW_DATA messages,
        in parts for the caller to join with the rest of its reply: pre-encoded rows come as
        a view of the engine's buffer, so that join is their only copy."""
        query = cursor.result
        assert query is not None
        count = self._within_fault_limit(cursor, count)
        columns = cursor.columns or query.columns
        if query.encoded and not _has_lob(columns):
            fetched, block = query.fetch_block(count)
            cursor.fetched += fetched
            return [ROW_HEADER, block] if fetched else []
        if cursor.encoder is None:
            cursor.encoder = RowEncoder(
                query.columns, cursor.defines, self._state.lobs, cursor.undefined_lobs_as_long
            )
        values = query.fetch_rows(count)
        cursor.fetched += len(values)
        return [cursor.encoder.encode_rows(values)]

    def _within_fault_limit(self, cursor: CursorState, count: int) -> int:
        """``count``, or fewer so that an armed row fault strikes at its row; raises the
        fault (after closing the result, which a failed fetch leaves unusable) when due."""
        limit = self._state.faults.row_limit(cursor.sql, cursor.fetched)
        if limit.fire is not None:
            cursor.close_result()
            self._state.faults.raise_row_fault(limit.fire, self._state.session_id, cursor.fetched)
        return count if limit.rows is None else min(count, limit.rows)

    def _fetch_end(self, cursor: CursorState) -> bytes:
        query = cursor.result
        exhausted = query is not None and query.exhausted
        if exhausted and not cursor.scrollable:
            cursor.close_result()  # the driver fetches no further after ORA-01403
        return EndOfCall(
            cursor.cursor_id,
            error=NO_DATA_FOUND if exhausted else None,
            rowcount=cursor.fetched,
            txn_in_progress=self._state.txn_in_progress,
        ).encode()


def _check_fetch(cursor: CursorState) -> None:
    """Let the engine fail a fetch before rows are sent (ORA-01555 mid-fetch); a result
    that failed is closed, as a fetch error leaves an Oracle cursor unusable."""
    query = cursor.result
    if query is None or query.check_fetch is None:
        return
    try:
        query.check_fetch()
    except OracleError:
        cursor.close_result()
        raise


def _returned(result: StatementResult, binds: int) -> list[list[Any]]:
    """An execution's values for its return binds (none when the engine returned none for
    them: a statement it ran without the clause)."""
    if result.returned is None or len(result.returned) != binds:
        return [[] for _ in range(binds)]
    return result.returned


def _has_lob(columns: Sequence[ColumnInfo]) -> bool:
    return any(column.type.is_lob for column in columns)
