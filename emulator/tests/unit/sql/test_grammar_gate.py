"""The grammar gate itself: its Node parser, the cache, restarts, the allowances."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.sql import grammar_gate
from oracle_emulator.sql.grammar_gate import (
    ALLOWANCES,
    GrammarGate,
    for_the_grammar,
    statement_shape,
)


@pytest.fixture
def gate() -> Iterator[GrammarGate]:
    """A gate of the test's own (the process's shared one keeps its figures for the run)."""
    own = GrammarGate(cache_size=4)
    own.wait_ready()
    yield own
    own.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT TO_BINARY_DOUBLE(A), SESSIONTIMEZONE, ORA_HASH(ROWID, 7) FROM T AS OF SCN :scn",
        'SELECT "ID" FROM T WHERE ("ID", "K") NOT IN (SELECT "ID", "K" FROM U)',
        "SELECT A FROM T ORDER BY A NULLS FIRST OFFSET 10 ROWS FETCH FIRST 5 ROWS ONLY",
        "SELECT /*+ PARALLEL(4) */ A FROM T WHERE B = q'{it's}' -- c",
        "MERGE INTO T USING U ON (T.A = U.A) WHEN MATCHED THEN UPDATE SET T.B = U.B",
        "CREATE TABLE T (A NUMBER(10) NOT NULL, B TIMESTAMP(6) WITH TIME ZONE, PRIMARY KEY (A))",
        "GRANT SELECT ON SYS.V_$DATABASE TO DEMO",
        "BEGIN DBMS_STATS.GATHER_TABLE_STATS('DEMO', 'T'); END;",
        "LOCK TABLE T IN EXCLUSIVE MODE NOWAIT",
        "COMMENT ON COLUMN T.A IS 'x'",
    ],
)
def test_valid_oracle_parses(gate: GrammarGate, sql: str) -> None:
    gate.check(sql)


def test_a_statement_is_parsed_once_then_answered_from_the_cache(gate: GrammarGate) -> None:
    before = gate.stats.parsed
    for _ in range(3):
        gate.check("SELECT ID FROM SALES_ORDER WHERE ID = :1")
    for _ in range(2):
        with pytest.raises(OracleError):
            gate.check("SELECT ID FROM SALES_ORDER LIMIT 1")
    assert gate.stats.parsed - before == 2
    assert gate.stats.cache_hits == 3
    assert (gate.stats.refused, gate.stats.refused_distinct) == (2, 1)


def test_a_query_over_other_tables_is_answered_by_its_shape(gate: GrammarGate) -> None:
    before = gate.stats.parsed
    for n in range(5):
        gate.check(f'SELECT "ID", "NOTE" FROM "DEMO"."T_{n}" AS OF SCN :scn ORDER BY "ID"')
    assert gate.stats.parsed - before == 1
    assert gate.stats.shape_hits == 4


def test_a_refusal_is_never_answered_by_shape(gate: GrammarGate) -> None:
    """A refused text of an accepted shape cannot exist; a refused shape is parsed each time
    so that every refusal points at its own text's offset."""
    for table in ("A", "LONGER_NAME"):
        with pytest.raises(OracleError) as refused:
            gate.check(f'SELECT "ID" FROM "{table}" AS X')
        assert refused.value.offset == len(f'SELECT "ID" FROM "{table}" ')
    assert (gate.stats.shape_hits, gate.stats.refused_distinct) == (0, 2)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # a string literal or a comment may hold a '"': such texts have no shape
        ("""SELECT "A" FROM T WHERE B = '"X"'""", """SELECT "B" FROM T WHERE B = '"X"'"""),
        ('SELECT "A" FROM T -- "X"', 'SELECT "B" FROM T -- "X"'),
        ('SELECT "A" FROM T /* "X" */', 'SELECT "B" FROM T /* "X" */'),
        # identifiers beyond the plain letters, or with a "" escape, stay as written
        ('SELECT "A B" FROM T', 'SELECT "A C" FROM T'),
        ('SELECT "A""B" FROM T', 'SELECT "A""C" FROM T'),
    ],
)
def test_texts_a_shape_could_misread_are_parsed_on_their_own(
    gate: GrammarGate, first: str, second: str
) -> None:
    before = gate.stats.parsed
    gate.check(first)
    gate.check(second)
    assert gate.stats.parsed - before == 2
    assert gate.stats.shape_hits == 0


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ('SELECT "ID" FROM "DEMO"."T$1#"', 'SELECT "Q" FROM "Q"."Q"'),
        ('SELECT "A""B", "C" FROM T', 'SELECT "A""B", "Q" FROM T'),
        ('SELECT "' + "X" * 129 + '" FROM T', 'SELECT "' + "X" * 129 + '" FROM T'),
        ("SELECT 'x' FROM DUAL", None),
    ],
)
def test_statement_shape(text: str, shape: str | None) -> None:
    assert statement_shape(text) == shape


def test_the_cache_is_bounded(gate: GrammarGate) -> None:
    before = gate.stats.parsed
    statements = [f"SELECT {n} FROM DUAL" for n in range(6)]  # more than cache_size=4
    for sql in statements:
        gate.check(sql)
    gate.check(statements[0])  # evicted: parsed again
    gate.check(statements[-1])  # still cached
    assert gate.stats.parsed - before == 7


def test_a_dead_parser_is_restarted_and_the_statement_still_answered(gate: GrammarGate) -> None:
    pid = gate.parser_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    gate.check("SELECT 'after the crash' FROM DUAL")  # answered, not dropped
    with pytest.raises(OracleError) as refused:
        gate.check("SELECT * FROM DUAL AS D")
    assert refused.value.code == 933
    assert gate.stats.restarts == 1
    assert gate.parser_pid not in (None, pid)


def test_refusals_are_kept_for_the_figures(gate: GrammarGate) -> None:
    with pytest.raises(OracleError):
        gate.check("SELECT * FROM DUAL WHERE DUMMY ILIKE 'x'")
    figures = gate.stats.as_dict()
    assert figures["refusals"] == [
        {
            "sql": "SELECT * FROM DUAL WHERE DUMMY ILIKE 'x'",
            "error": "ORA-00920: invalid relational operator",
            "offset": 31,
        }
    ]
    assert "1 refused" in gate.stats.summary()


@pytest.mark.parametrize(
    ("sql", "name"),
    [
        ("ALTER SESSION SET TIME_ZONE = '+00:00'", ALLOWANCES[0].name),
        ("ALTER SESSION SET OPTIMIZER_INDEX_COST_ADJ = 50", ALLOWANCES[0].name),
        ("ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD'", ALLOWANCES[0].name),
        (
            "SELECT INTERVAL '2-3' YEAR(4) TO MONTH FROM DUAL",
            "INTERVAL '...' YEAR TO MONTH literal",
        ),
        ("SELECT INTERVAL '1-0' year to month FROM DUAL", ALLOWANCES[1].name),
        ("ALTER SYSTEM KILL SESSION '12,345'", "ALTER SYSTEM KILL/DISCONNECT SESSION"),
        (
            "alter system disconnect session '12, 345' immediate",
            "ALTER SYSTEM KILL/DISCONNECT SESSION",
        ),
    ],
)
def test_documented_allowances_let_valid_oracle_through(
    gate: GrammarGate, sql: str, name: str
) -> None:
    text, applied = for_the_grammar(sql)
    assert applied == [name]
    assert len(text) == len(sql)  # offsets of later errors stay right
    gate.check(sql)
    assert gate.stats.allowances == {name: 1}
    assert gate.stats.allowed == 1


def test_allowances_leave_other_text_alone() -> None:
    for sql in (
        "SELECT 'SET X = ''y''' FROM DUAL",
        "UPDATE T SET A = 'x'",
        "SELECT INTERVAL '2' DAY FROM DUAL",
    ):
        assert for_the_grammar(sql) == (sql, [])


def test_an_allowance_does_not_hide_other_errors(gate: GrammarGate) -> None:
    with pytest.raises(OracleError) as refused:
        gate.check("SELECT INTERVAL '2-3' YEAR TO MONTH FROM DUAL LIMIT 1")
    assert refused.value.code == 933
    with pytest.raises(OracleError):  # not the whole statement: no allowance, the grammar's
        gate.check("ALTER SYSTEM KILL SESSION '12,34' LIMIT 5")


def test_switched_off_the_gate_checks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(grammar_gate.DISABLE_ENV, "1")
    assert grammar_gate.shared_gate() is None
    grammar_gate.check("SELECT * FROM DUAL LIMIT 1")  # no error: nothing was parsed


def test_without_node_the_gate_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(grammar_gate.GrammarUnavailable) as missing:
        GrammarGate()
    assert "Node.js" in str(missing.value)
    assert "make install" in str(missing.value)
