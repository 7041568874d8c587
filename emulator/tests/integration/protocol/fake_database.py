"""A small in-memory :class:`api.Database` for testing the protocol layer without the engine.

It knows a fixed set of statements (matched after lower-casing and collapsing whitespace),
records every statement and its binds, and raises :class:`OracleError` for anything else,
so each test can say exactly what the server must have received and what it sends back.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from oracle_emulator import codecs
from oracle_emulator.api import (
    ORA_CANCELLED,
    ORA_INVALID_IDENTIFIER,
    ORA_INVALID_SQL,
    ORA_TABLE_NOT_FOUND,
    ORA_UNIQUE_CONSTRAINT,
    ColumnInfo,
    IntervalYM,
    OracleError,
    OracleType,
    QueryResult,
    StatementResult,
)

SERVICE_NAME = "FAKEPDB"
USERS = {"SCOTT": "tiger", "MIXED": "Pa55-Word!"}
SLOW_SQL = "update slow_table set x = x + 1"
SLOW_LIMIT_S = 30.0
#: a query returning its one bind, typed after the bind's Python type
ECHO_SQL = "select :1 as v from dual"
#: a statement whose engine call fails with a plain Python exception (an emulator bug)
BOOM_SQL = "select boom from dual"
LOB_SIZE = 5 * 1024 * 1024

TYPE_COLUMNS = [
    ColumnInfo("ID", OracleType.NUMBER, precision=9, scale=0, nullable=False),
    ColumnInfo("AMOUNT", OracleType.NUMBER, precision=12, scale=2),
    ColumnInfo("ANY_NUM", OracleType.NUMBER, precision=0, scale=-127),
    ColumnInfo("FLT", OracleType.BINARY_FLOAT),
    ColumnInfo("DBL", OracleType.BINARY_DOUBLE),
    ColumnInfo("NAME", OracleType.VARCHAR2, size=40),
    ColumnInfo("NNAME", OracleType.NVARCHAR2, size=20),
    ColumnInfo("CODE", OracleType.CHAR, size=5),
    ColumnInfo("NCODE", OracleType.NCHAR, size=3),
    ColumnInfo("BIN", OracleType.RAW, size=16),
    ColumnInfo("DAY", OracleType.DATE),
    ColumnInfo("TS", OracleType.TIMESTAMP, scale=6),
    ColumnInfo("TSTZ", OracleType.TIMESTAMP_TZ, scale=6),
    ColumnInfo("TSLTZ", OracleType.TIMESTAMP_LTZ, scale=6),
    ColumnInfo("DS", OracleType.INTERVAL_DS, precision=2, scale=6),
    ColumnInfo("YM", OracleType.INTERVAL_YM, precision=2),
    ColumnInfo("RID", OracleType.ROWID),
]
TYPE_ROWS = [
    (
        1,
        Decimal("1234.5"),
        Decimal("-0.000123"),
        1.5,
        -2.25e100,
        "héllo wörld",
        "ünïcode ✓",
        "ab   ",
        "xyz",
        bytes(range(16)),
        dt.datetime(2024, 2, 29, 13, 14, 15),
        dt.datetime(1999, 12, 31, 23, 59, 59, 123456),
        dt.datetime(2024, 6, 1, 10, 0, 0, 500000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        dt.datetime(2001, 1, 1, 0, 0, 1),
        dt.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=7),
        IntervalYM(2, 11),
        codecs.rowid_text(74000, 4, 151, 0),
    ),
    (2, *([None] * (len(TYPE_COLUMNS) - 1))),
    (
        3,
        Decimal("-99999999.99"),
        10**30,
        -0.0,
        float("inf"),
        "x" * 40,
        "",
        "q    ",
        "é  ",
        b"",
        dt.datetime(1, 1, 1),
        dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
        dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
        dt.datetime(2024, 1, 1),
        dt.timedelta(days=-1, seconds=1),
        IntervalYM(-1, -2),
        codecs.rowid_text(1, 1, 1, 1),
    ),
]
NUMBER_COLUMNS = [
    ColumnInfo("N", OracleType.NUMBER, precision=10, scale=0, nullable=False),
    ColumnInfo("LABEL", OracleType.VARCHAR2, size=20),
]
NUMBER_ROWS = [(n, f"row {n}") for n in range(1, 11)]
LOB_COLUMNS = [
    ColumnInfo("ID", OracleType.NUMBER, precision=9, scale=0, nullable=False),
    ColumnInfo("C", OracleType.CLOB, size=4000),
    ColumnInfo("B", OracleType.BLOB, size=4000),
    ColumnInfo("NC", OracleType.NCLOB, size=4000),
]
BIG_COLUMNS = [
    ColumnInfo("ID", OracleType.NUMBER, precision=12, scale=0, nullable=False),
    ColumnInfo("CODE", OracleType.VARCHAR2, size=12),
    ColumnInfo("AMOUNT", OracleType.NUMBER, precision=12, scale=2),
    ColumnInfo("CREATED", OracleType.DATE),
]


def lob_rows() -> list[tuple[Any, ...]]:
    text = ("0123456789abcdef" * (LOB_SIZE // 16))[: LOB_SIZE - 3] + "é✓"
    data = bytes(range(256)) * (LOB_SIZE // 256)
    return [(1, text, data, "ñ" * 100), (2, None, None, None), (3, "short", b"\x00\x01", "")]


def big_rows(count: int) -> list[bytes]:
    encode = codecs.make_row_encoder(BIG_COLUMNS)
    start = dt.datetime(2020, 1, 1)
    return [
        encode(
            (n, f"C{n % 1000:05d}", Decimal(n % 100_000) / 100, start + dt.timedelta(days=n % 3650))
        )
        for n in range(count)
    ]


@dataclass
class Table:
    columns: list[ColumnInfo]
    rows: Sequence[tuple[Any, ...]] | None = None
    encoded_rows: Sequence[bytes] | None = None

    def result(self) -> StatementResult:
        query = QueryResult(list(self.columns), rows=self.rows, encoded_rows=self.encoded_rows)
        return StatementResult(query=query, kind="SELECT")


@dataclass
class Recorded:
    username: str
    sql: str
    binds: list[Any]


@dataclass
class FakeDatabase:
    """The shared state: tables, users and what every session ran."""

    service_name: str = SERVICE_NAME
    tables: dict[str, Table] = field(default_factory=dict)
    recorded: list[Recorded] = field(default_factory=list)
    commits: int = 0
    rollbacks: int = 0
    sessions_opened: int = 0
    sessions_closed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        encode = codecs.make_row_encoder(TYPE_COLUMNS)
        self.tables.update(
            {
                "types": Table(TYPE_COLUMNS, rows=TYPE_ROWS),
                "types_encoded": Table(TYPE_COLUMNS, encoded_rows=[encode(r) for r in TYPE_ROWS]),
                "numbers": Table(
                    NUMBER_COLUMNS,
                    rows=NUMBER_ROWS,
                    encoded_rows=[codecs.make_row_encoder(NUMBER_COLUMNS)(r) for r in NUMBER_ROWS],
                ),
                "empty": Table(NUMBER_COLUMNS, rows=[]),
            }
        )

    def add_big_table(self, count: int) -> None:
        self.tables["big"] = Table(BIG_COLUMNS, encoded_rows=big_rows(count))

    def add_lob_table(self) -> None:
        self.tables["lobs"] = Table(LOB_COLUMNS, rows=lob_rows())

    def authenticate(self, username: str) -> str | None:
        return USERS.get(username.upper())

    def open_session(self, username: str) -> FakeSession:
        with self.lock:
            self.sessions_opened += 1
        return FakeSession(self, username)

    def record(self, username: str, sql: str, binds: Sequence[Any]) -> None:
        with self.lock:
            self.recorded.append(Recorded(username, sql, list(binds)))

    def last(self, sql_prefix: str) -> list[Recorded]:
        """Recorded statements starting with ``sql_prefix`` (normalised), oldest first."""
        prefix = normalise(sql_prefix)
        with self.lock:
            return [r for r in self.recorded if normalise(r.sql).startswith(prefix)]

    def close(self) -> None:
        pass


def normalise(sql: str) -> str:
    return re.sub(r"\s+", " ", sql.strip()).lower()


_SELECT_STAR = re.compile(r"^select \* from (\w+)$")


class FakeSession:
    def __init__(self, database: FakeDatabase, username: str) -> None:
        self.database = database
        self.username = username
        self.unique_ids: set[Any] = set()
        self.closed = False
        self._interrupted = threading.Event()
        self._statements: dict[str, Callable[[Sequence[Any]], StatementResult]] = {
            "insert into sink": lambda binds: StatementResult(rowcount=1, kind="INSERT"),
            "update numbers set label = :1": lambda binds: StatementResult(
                rowcount=10, kind="UPDATE"
            ),
            "insert into uniq": self._insert_unique,
            "delete from uniq": self._delete_unique,
            SLOW_SQL: self._slow,
            "create table": lambda binds: StatementResult(kind="DDL"),
            # the driver's ALTER SESSION SET TIME_ZONE at logon, and CURRENT_SCHEMA
            "alter session": lambda binds: StatementResult(kind="DDL"),
            ECHO_SQL: self._echo,
            BOOM_SQL: self._boom,
        }

    def execute(self, sql: str, binds: Sequence[Any] = ()) -> StatementResult:
        self.database.record(self.username, sql, binds)
        try:
            return self._execute(normalise(sql), binds)
        finally:
            self._interrupted.clear()  # an interrupt ends with the statement it was for

    def _execute(self, text: str, binds: Sequence[Any]) -> StatementResult:
        match = _SELECT_STAR.match(text)
        if match:
            return self._table(match.group(1)).result()
        for prefix, handler in self._statements.items():
            if text.startswith(prefix):
                return handler(binds)
        if text.startswith("select nosuch "):
            raise OracleError(ORA_INVALID_IDENTIFIER, '"NOSUCH": invalid identifier', offset=7)
        if text.startswith("select"):
            raise OracleError(ORA_TABLE_NOT_FOUND, "table or view does not exist")
        raise OracleError(ORA_INVALID_SQL, "invalid SQL statement")

    def _table(self, name: str) -> Table:
        table = self.database.tables.get(name)
        if table is None:
            raise OracleError(ORA_TABLE_NOT_FOUND, "table or view does not exist")
        return table

    def _insert_unique(self, binds: Sequence[Any]) -> StatementResult:
        key = binds[0]
        if key in self.unique_ids:
            raise OracleError(ORA_UNIQUE_CONSTRAINT, "unique constraint (SCOTT.UNIQ_PK) violated")
        self.unique_ids.add(key)
        return StatementResult(rowcount=1, kind="INSERT")

    def _delete_unique(self, binds: Sequence[Any]) -> StatementResult:
        count = len(self.unique_ids)
        self.unique_ids.clear()
        return StatementResult(rowcount=count, kind="DELETE")

    def _slow(self, binds: Sequence[Any]) -> StatementResult:
        if self._interrupted.wait(SLOW_LIMIT_S):
            raise OracleError(ORA_CANCELLED, "user requested cancel of current operation")
        return StatementResult(rowcount=0, kind="UPDATE")

    def _echo(self, binds: Sequence[Any]) -> StatementResult:
        value = binds[0]
        if isinstance(value, str):
            column = ColumnInfo("V", OracleType.VARCHAR2, size=max(len(value), 1))
        else:
            column = ColumnInfo("V", OracleType.NUMBER)
        return StatementResult(query=QueryResult([column], rows=[(value,)]), kind="SELECT")

    def _boom(self, binds: Sequence[Any]) -> StatementResult:
        raise ZeroDivisionError("kaboom")

    def describe(self, sql: str) -> list[ColumnInfo]:
        match = _SELECT_STAR.match(normalise(sql))
        return list(self._table(match.group(1)).columns) if match else []

    def commit(self) -> None:
        with self.database.lock:
            self.database.commits += 1

    def rollback(self) -> None:
        with self.database.lock:
            self.database.rollbacks += 1

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        self.closed = True
        with self.database.lock:
            self.database.sessions_closed += 1
