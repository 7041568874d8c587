"""Each ORA error the engine promises, from real failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import duckdb
import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.errors import map_duckdb_error
from oracle_emulator.sql.session import EmulatorSession

TOO_LARGE = 'value too large for column "DEMO"."T"."NAME"'


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    session = db.open_session("DEMO")
    session.execute(
        "CREATE TABLE t (id NUMBER(5) CONSTRAINT t_pk PRIMARY KEY, name VARCHAR2(5) NOT NULL, n "
        "NUMBER(3))"
    )
    session.execute("INSERT INTO t VALUES (1, 'a', 1)")
    yield session
    db.close()


@pytest.mark.parametrize(
    ("sql", "code", "text"),
    [
        ("SELECT * FROM missing_table", 942, "table or view does not exist"),
        ("SELECT no_such_column FROM t", 904, '"NO_SUCH_COLUMN": invalid identifier'),
        ("INSERT INTO t VALUES (1, 'b', 2)", 1, "unique constraint (DEMO.T_PK) violated"),
        ("INSERT INTO t (id) VALUES (2)", 1400, 'cannot insert NULL into ("DEMO"."T"."NAME")'),
        ("UPDATE t SET name = NULL", 1407, 'cannot update ("DEMO"."T"."NAME") to NULL'),
        ("INSERT INTO t VALUES (3, 'toolong', 1)", 12899, f"{TOO_LARGE} (actual: 7, maximum: 5)"),
        ("INSERT INTO t VALUES (3, 'x', 'abc')", 1722, "invalid number"),
        ("INSERT INTO t VALUES (3, 'x', 1000)", 1438, "value larger than specified precision"),
        ("CREATE TABLE t (x NUMBER)", 955, "name is already used by an existing object"),
        ("SELEC * FROM t", 900, "invalid SQL statement"),
        ("SELECT * FROM t WHERE", 936, "missing expression"),  # as Oracle: ORA-00936
        ("INSERT INTO t (id, name) VALUES (3)", 947, "not enough values"),
        ("SELECT * FROM t WHERE id = :1 AND n = :2", 1008, "not all variables bound"),
    ],
)  # fmt: skip
def test_ora_codes(session: EmulatorSession, sql: str, code: int, text: str) -> None:
    with pytest.raises(OracleError) as error:
        session.execute(sql, [1] if ":1" in sql else [])
    assert error.value.code == code
    assert text in error.value.message
    assert error.value.text.startswith(f"ORA-{code:05d}: ")


def test_interrupt_cancels_a_running_query(session: EmulatorSession) -> None:
    session.execute("CREATE TABLE big (x NUMBER(10))")
    session.db.bulk_insert("DEMO", "BIG", "SELECT range AS x FROM range(3000)")
    outcome: list[int] = []

    def run() -> None:
        try:
            session.execute(
                "SELECT count(*) FROM big a, big b, big c WHERE MOD(a.x * 7 + b.x * 13 + c.x, "
                "1000003) = 5"
            )
        except OracleError as exc:
            outcome.append(exc.code)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.2)
        session.interrupt()
    thread.join(30)
    assert outcome == [1013]


def test_unknown_duckdb_failures_become_internal_errors() -> None:
    error = map_duckdb_error(duckdb.NotImplementedException("Not implemented Error: frobnicate"))
    assert error.code == 600
    assert "frobnicate" in error.message


def test_conflicts_map_to_cannot_serialize() -> None:
    error = map_duckdb_error(
        duckdb.TransactionException("TransactionContext Error: Conflict on update!")
    )
    assert error.code == 8177


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (duckdb.BinderException('Binder Error: Referenced table "O" not found!'), 904, '"O"'),
        (
            duckdb.BinderException('Values list "O" does not have a column named "X"!'),
            904,
            '"X"',
        ),
        (
            duckdb.BinderException(
                "Binder Error: Could not choose a best candidate function for the function call "
                '"+(STRING_LITERAL, INTEGER_LITERAL)".'
            ),
            932,
            "inconsistent datatypes",
        ),
        (
            duckdb.BinderException("Macro ora_sub() has multiple overloads that match"),
            932,
            "inconsistent datatypes",
        ),
        (
            duckdb.BinderException("Binder Error: STAR expression is only allowed as the root"),
            936,
            "missing expression",
        ),
        (
            duckdb.CatalogException("Catalog Error: Scalar Function with name a b does not exist!"),
            904,
            '"A B": invalid identifier',
        ),
        (
            duckdb.NotImplementedException("Not implemented Error: Unknown TimeZone 'Nowhere'!"),
            1882,
            "timezone region not found",
        ),
        (
            duckdb.InvalidInputException("Invalid Input Error: Invalid input for hex digit: x"),
            1465,
            "invalid hex number",
        ),
    ],
    ids=["table", "values column", "candidates", "overloads", "star", "spaced", "zone", "hex"],
)
def test_failures_the_fuzz_found_map_to_oracle_errors(exc: Exception, code: int, text: str) -> None:
    """Each was ORA-00600 (after which the thin driver drops the connection)."""
    error = map_duckdb_error(exc)
    assert (error.code, text in error.message) == (code, True), error.text
