"""The contract between the emulator's wire protocol layer and its SQL engine.

The protocol layer (``protocol/``) speaks TNS/TTC to the python-oracledb driver and knows
nothing about SQL; the SQL engine (``sql/``) runs Oracle SQL on DuckDB and knows nothing about
bytes on the wire. Both meet here, so either side can be rewritten without touching the other.
The value codecs (``codecs.py``) are shared: the engine uses them to serve rows it has already
encoded (the fast path that keeps the emulator out of the way of benchmarks), the protocol
layer uses them for everything else.

Error tree: every failure the client must see is an :class:`OracleError` carrying an ORA
number; the protocol layer turns it into an end-of-call record. Anything else escaping the
engine is a bug in the emulator and is reported to the client as ORA-00600.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable


class OracleType(enum.Enum):
    """Oracle data types the emulator stores and describes.

    The value is the type number the driver sees in describe information (``ORA_TYPE_NUM_*``
    in python-oracledb); the national-character variants share a number with their
    ``CS_FORM_NCHAR`` twin and are told apart by :attr:`ColumnInfo.csfrm`.
    """

    VARCHAR2 = 1
    NVARCHAR2 = -1  # wire type 1, charset form 2
    NUMBER = 2
    LONG = 8
    DATE = 12
    ROWID = 11
    RAW = 23
    LONG_RAW = 24
    CHAR = 96
    NCHAR = -96  # wire type 96, charset form 2
    BINARY_FLOAT = 100
    BINARY_DOUBLE = 101
    CLOB = 112
    NCLOB = -112  # wire type 112, charset form 2
    BLOB = 113
    BFILE = 114
    TIMESTAMP = 180
    TIMESTAMP_TZ = 181
    INTERVAL_YM = 182
    INTERVAL_DS = 183
    UROWID = 208
    TIMESTAMP_LTZ = 231

    @property
    def wire_type(self) -> int:
        """The type number sent on the wire (national variants share their base's number)."""
        return abs(self.value)

    @property
    def is_national(self) -> bool:
        return self.value < 0

    @property
    def is_lob(self) -> bool:
        return self in (OracleType.CLOB, OracleType.NCLOB, OracleType.BLOB)

    @property
    def is_locator(self) -> bool:
        """Values reach the client as locators, which the protocol layer writes (LOBs and
        BFILE); the driver executes a query again with defines only for LOB columns."""
        return self.is_lob or self is OracleType.BFILE

    @property
    def is_character(self) -> bool:
        return self in _CHARACTER_TYPES


_CHARACTER_TYPES = frozenset(
    {
        OracleType.VARCHAR2,
        OracleType.NVARCHAR2,
        OracleType.CHAR,
        OracleType.NCHAR,
        OracleType.CLOB,
        OracleType.NCLOB,
        OracleType.LONG,
    }
)

CS_FORM_IMPLICIT = 1
CS_FORM_NCHAR = 2


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a result, as ``cursor.description`` must show it.

    ``size`` is the declared length: characters for character types (VARCHAR2(40) -> 40),
    bytes for RAW; 0 where Oracle reports none. ``precision``/``scale`` follow Oracle's rules:
    NUMBER without precision is (0, -127); FLOAT(b) is (b, -127); DATE and the timestamp
    types carry their fractional-second precision in ``scale`` (TIMESTAMP(6) -> scale 6);
    INTERVAL DAY(p) TO SECOND(s) is (p, s) and INTERVAL YEAR(p) TO MONTH is (p, 0).
    """

    name: str
    type: OracleType
    size: int = 0
    precision: int = 0
    scale: int = 0
    nullable: bool = True
    #: an IS JSON check constraint holds the column to JSON: clients fetch it as JSON
    is_json: bool = False

    @property
    def csfrm(self) -> int:
        if self.type.is_national:
            return CS_FORM_NCHAR
        return CS_FORM_IMPLICIT if self.type.is_character else 0

    @property
    def max_bytes(self) -> int:
        """Largest encoded size of one value, as announced in describe information."""
        if self.type in (OracleType.VARCHAR2, OracleType.CHAR):
            return self.size * 4
        if self.type in (OracleType.NVARCHAR2, OracleType.NCHAR):
            return self.size * 2
        return _FIXED_MAX_BYTES.get(self.type, self.size)


_FIXED_MAX_BYTES = {
    OracleType.NUMBER: 22,
    OracleType.DATE: 7,
    OracleType.TIMESTAMP: 11,
    OracleType.TIMESTAMP_TZ: 13,
    OracleType.TIMESTAMP_LTZ: 11,
    OracleType.BINARY_FLOAT: 4,
    OracleType.BINARY_DOUBLE: 8,
    OracleType.INTERVAL_YM: 5,
    OracleType.INTERVAL_DS: 11,
    OracleType.ROWID: 18,
    OracleType.UROWID: 4000,
    OracleType.CLOB: 4000,
    OracleType.NCLOB: 4000,
    OracleType.BLOB: 4000,
    OracleType.BFILE: 530,
}


@dataclass(frozen=True)
class BfileName:
    """A BFILE value (``BFILENAME(directory, file)``): a directory object's name and a file
    name in it, fetched as a locator holding both."""

    directory: str
    file_name: str


@dataclass(frozen=True)
class NanoDateTime:
    """A timestamp with nanoseconds, which :class:`datetime.datetime` cannot hold.

    ``value`` has ``microsecond == nanosecond // 1000``; ``nanosecond`` (0..999,999,999) is
    the whole fraction. Plain ``datetime`` values are used wherever microseconds suffice.
    """

    value: dt.datetime
    nanosecond: int


@dataclass(frozen=True)
class OracleDateTime:
    """A DATE or TIMESTAMP before the year 1, which :class:`datetime.datetime` cannot hold.

    ``year`` is Oracle's signed year, as SYYYY shows it and as the wire carries it: -4712 is
    4712 BC, -1 is 1 BC, and there is no year 0 (ISO 8601 would call 1 BC the year 0000).
    ``nanosecond`` is the whole fraction of the second.
    """

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    nanosecond: int = 0


@dataclass(frozen=True)
class IntervalYM:
    """INTERVAL YEAR TO MONTH: Python has no type for it (oracledb has its own, client side)."""

    years: int
    months: int


class OracleError(Exception):
    """An error the client sees as ``ORA-NNNNN: message``.

    ``offset`` is the position in the SQL text the error refers to (Oracle's parse error
    offset), 0 when unknown.
    """

    def __init__(self, code: int, message: str, offset: int = 0) -> None:
        super().__init__(f"ORA-{code:05d}: {message}")
        self.code = code
        self.message = message
        self.offset = offset

    @property
    def text(self) -> str:
        return f"ORA-{self.code:05d}: {self.message}"


# The numbers the tests and the provider rely on; the message texts follow Oracle's.
ORA_UNIQUE_CONSTRAINT = 1  # ORA-00001: unique constraint (OWNER.NAME) violated
ORA_INVALID_SQL = 900  # ORA-00900: invalid SQL statement
ORA_INVALID_IDENTIFIER = 904  # ORA-00904: "X": invalid identifier
ORA_MISSING_RIGHT_PARENTHESIS = 907  # ORA-00907: missing right parenthesis
ORA_NOT_PROPERLY_ENDED = 933  # ORA-00933: SQL command not properly ended
ORA_TABLE_NOT_FOUND = 942  # ORA-00942: table or view does not exist
ORA_NAME_IN_USE = 955  # ORA-00955: name is already used by an existing object
ORA_LOGON_DENIED = 1017  # ORA-01017: invalid username/password; logon denied
ORA_CANCELLED = 1013  # ORA-01013: user requested cancel of current operation
ORA_CANNOT_INSERT_NULL = 1400  # ORA-01400: cannot insert NULL into ("O"."T"."C")
ORA_NO_DATA_FOUND = 1403  # ORA-01403: no data found (end of fetch)
ORA_FETCH_OUT_OF_SEQUENCE = 1002  # ORA-01002: fetch out of sequence
ORA_SNAPSHOT_TOO_OLD = 1555  # ORA-01555: snapshot too old
ORA_INVALID_NUMBER = 1722  # ORA-01722: invalid number
ORA_VALUE_TOO_LARGE = 12899  # ORA-12899: value too large for column
ORA_CANNOT_SERIALIZE = 8177  # ORA-08177: can't serialize access for this transaction
ORA_INTERNAL = 600  # ORA-00600: internal error code
ORA_UNIMPLEMENTED = 3001  # ORA-03001: unimplemented feature (what the emulator cannot do)
ORA_INVALID_YEAR = 1841  # ORA-01841: (full) year must be between -4713 and +9999...


@dataclass
class QueryResult:
    """An open result set. The protocol layer pulls rows from it in fetch-sized slices.

    Exactly one of two ways is used per fetch: :meth:`fetch_block` when :attr:`encoded` is
    true and the client asked for no defines (rows already in wire form, produced once and
    kept by the engine), otherwise :meth:`fetch_rows` (Python values, encoded by the protocol
    layer). Both advance the same position (so does :meth:`fetch_encoded`, the per-row view
    of encoded rows).

    An engine that keeps its encoded rows in one buffer also sets :attr:`row_block`: a fetch
    is then a slice of that buffer, with no Python work per row and no copy of small objects.
    """

    #: the byte in front of every row :meth:`fetch_block` returns: TTC's ROW_DATA message
    #: type, which the engine's buffers already hold so that a fetch needs no joining
    ROW_MARK: ClassVar[bytes] = b"\x07"

    columns: list[ColumnInfo]
    rows: Sequence[tuple[Any, ...]] | None = None
    encoded_rows: Sequence[bytes] | None = None
    position: int = 0
    #: the SCN the query read at (for ``AS OF SCN`` and for diagnostics)
    scn: int = 0
    #: ``row_block(start, stop)``: rows ``start`` to ``stop - 1`` of :attr:`encoded_rows`
    #: as one buffer, each row behind :attr:`ROW_MARK` (None: joined from ``encoded_rows``)
    row_block: Callable[[int, int], memoryview] | None = None
    #: called before each fetch that follows the execute: raises the :class:`OracleError`
    #: that fetch fails with instead of sending rows (ORA-01555 once the history a read
    #: AS OF an SCN needs is gone); None: nothing to check
    check_fetch: Callable[[], None] | None = None

    @property
    def encoded(self) -> bool:
        return self.encoded_rows is not None

    def _take(self, source: Sequence[Any], count: int) -> Sequence[Any]:
        start = self.position
        self.position = min(start + count, len(source))
        return source[start : self.position]

    def fetch_rows(self, count: int) -> Sequence[tuple[Any, ...]]:
        """Up to ``count`` rows as tuples of Python values; an empty sequence at the end."""
        if self.rows is None:
            raise RuntimeError("this result is only available pre-encoded")
        return self._take(self.rows, count)

    def fetch_encoded(self, count: int) -> Sequence[bytes]:
        """Up to ``count`` rows, each the concatenated wire encoding of its column values
        (without the ROW_DATA message byte); an empty sequence at the end."""
        if self.encoded_rows is None:
            raise RuntimeError("this result has no pre-encoded rows")
        return self._take(self.encoded_rows, count)

    def fetch_block(self, count: int) -> tuple[int, memoryview]:
        """Up to ``count`` rows as ``(rows, buffer)``: the rows' wire encodings, each behind
        the ROW_DATA byte, back to back, ready to follow a ROW_HEADER; ``(0, empty)`` at
        the end."""
        if self.encoded_rows is None:
            raise RuntimeError("this result has no pre-encoded rows")
        start = self.position
        stop = self.position = min(start + count, len(self.encoded_rows))
        if stop == start:
            return 0, memoryview(b"")
        if self.row_block is not None:
            return stop - start, self.row_block(start, stop)
        mark = self.ROW_MARK
        rows = self.encoded_rows[start:stop]
        return stop - start, memoryview(b"".join((mark, mark.join(rows))))

    @property
    def size(self) -> int:
        """Rows in the whole result (a scrollable cursor's fetches may start at any)."""
        source = self.encoded_rows if self.encoded_rows is not None else self.rows
        return 0 if source is None else len(source)

    @property
    def exhausted(self) -> bool:
        return self.position >= self.size


@dataclass
class StatementResult:
    """What one execution produced: a result set for queries, a row count for the rest."""

    query: QueryResult | None = None
    rowcount: int = 0
    #: statement kind as Oracle reports it: "SELECT", "INSERT", "UPDATE", "DELETE", "DDL",
    #: "COMMIT", "ROLLBACK", "OTHER"
    kind: str = "OTHER"
    extras: dict[str, Any] = field(default_factory=dict)
    #: DML RETURNING INTO: per INTO bind, the values of every row the statement changed
    returned: list[list[Any]] | None = None
    #: ROWID (text) of the last row an INSERT, UPDATE or DELETE changed (cursor.lastrowid)
    rowid: str | None = None


@dataclass(frozen=True)
class OutBind:
    """The bind value at each position of a RETURNING INTO list: not a value but the
    client's variable, whose type the returned values are converted to."""

    type: OracleType


@dataclass(frozen=True)
class LogonRequest:
    """What a logon asks for besides the user it authenticated (python-oracledb sends these
    in its second authentication message)."""

    #: the user whose password the client proved
    user: str
    #: proxy authentication: the user to open the session as (``proxy[client]``)
    client_user: str | None = None
    #: AUTH_ORA_EDITION, as Oracle stores the name
    edition: str | None = None
    #: application context entries (namespace, attribute, value)
    app_context: tuple[tuple[str, str, str], ...] = ()
    #: what the client says about itself: HOST, TERMINAL, OS_USER, CLIENT_PROGRAM_NAME...
    client: tuple[tuple[str, str], ...] = ()


class Session(Protocol):
    """One logged-in connection's view of the database: its own transaction.

    Binds are the values the client sent: a list for positional binds (``:1``, ``:2`` or
    ``:name`` in order of appearance, which is how the driver sends them) with Python values
    decoded by the protocol layer (None, int, decimal.Decimal, float, str, bytes,
    datetime.datetime, datetime.timedelta, :class:`IntervalYM`), and an :class:`OutBind`
    for each bind of a RETURNING INTO list.
    """

    username: str

    def execute(self, sql: str, binds: Sequence[Any] = ()) -> StatementResult:
        """Run one statement; raise :class:`OracleError` for anything the client should see."""

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> StatementResult:
        """Run one DML statement once per bind row (``executemany``), all rows or none: on
        any error nothing of it stays applied and the error is raised, so the caller can
        replay the rows one by one to find which row failed (Oracle applies the rows before
        it). The row count is the total over all rows."""

    def describe(self, sql: str) -> list[ColumnInfo]:
        """Columns a query would return, without running it (used for parse-only calls)."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def interrupt(self) -> None:
        """Called from another thread when the client sends a break: abort the running
        statement, which then raises ``OracleError(ORA_CANCELLED, ...)``."""

    def close(self) -> None:
        """Logoff or disconnect: roll back what is not committed and free resources."""


class Database(Protocol):
    """The shared database behind all sessions."""

    service_name: str

    def authenticate(self, username: str) -> str | None:
        """The password of ``username`` (case-insensitive) or None if there is no such user;
        the protocol layer runs O5LOGON against it."""

    def open_session(self, username: str) -> Session: ...

    def close(self) -> None: ...


@runtime_checkable
class LogonDatabase(Database, Protocol):
    """A database that also takes the logon's options (proxy user, edition, application
    contexts) and password changes; the protocol layer uses them when present."""

    def logon(self, request: LogonRequest) -> Session:
        """Open the session the request asks for; raise :class:`OracleError` to refuse it."""

    def change_password(self, username: str, password: str) -> None: ...
