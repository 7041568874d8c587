"""The grammar gate through the real driver: what Oracle's grammar refuses is refused with
Oracle's code and the offset of the offending token; the Oracle the provider and its users
write is accepted; ``--no-grammar-check`` turns it off, loudly."""

from __future__ import annotations

import os
import subprocess
import sys

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess


def _refusal(connection: oracledb.Connection, sql: str) -> tuple[int, int]:
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute(sql)
    error = failure.value.args[0]
    return error.code, error.offset


@pytest.mark.parametrize(
    ("sql", "code", "at"),
    [
        ("SELECT ORDER_ID FROM SALES_ORDER LIMIT 5", 933, "5"),
        ("SELECT ORDER_ID FROM SALES_ORDER AS O", 933, "AS"),
        ("SELECT ORDER_ID FROM SALES_ORDER WHERE STATUS ILIKE 'new'", 920, "ILIKE"),
        ("SELECT ORDER_ID FROM SALES_ORDER WHERE (STATUS = 'NEW'", 907, None),
        ("SELECT COUNT(ORDER_ID FROM SALES_ORDER", 907, "FROM"),
        ("SELECT ORDER_ID STATUS CURRENCY FROM SALES_ORDER", 923, "CURRENCY"),
        ("SELECT ORDER_ID FROM SALES_ORDER WHERE ORDER_ID = 1 GARBAGE MORE", 933, "GARBAGE"),
        ("SELECT ORDER_ID, FROM SALES_ORDER", 936, "FROM"),
        ("SELECT FROM SALES_ORDER", 936, "FROM"),
        ("SELECT * FROM", 903, None),
        ("SELECT ORDER_ID FROM SALES_ORDER WHERE", 936, None),
        ("SELECT ORDER_ID FROM SALES_ORDER;", 911, ";"),
        ("SELECT ORDER_ID FROM SALES_ORDER WHERE ORDER_ID = 1 # 2", 911, "#"),
        ("SELEKT ORDER_ID FROM SALES_ORDER", 900, None),
        ("UPDATE SALES_ORDER SET STATUS = 'X' WHERE ORDER_ID = 1 LIMIT 1", 933, "LIMIT"),
        # not the grammar's: an expression list is no select-list item (the translator's rule)
        ('SELECT ("ORDER_ID", "STATUS") FROM SALES_ORDER', 907, None),
    ],
)
def test_refused_as_oracle_refuses(
    connection: oracledb.Connection, sql: str, code: int, at: str | None
) -> None:
    got_code, offset = _refusal(connection, sql)
    assert got_code == code
    if at is not None:
        assert offset == sql.index(at)
    elif code in (907, 903, 936):
        assert offset in (0, len(sql))  # the end of the text, or Oracle's "unknown"
    # the session goes on
    assert connection.cursor().execute("SELECT 1 FROM DUAL").fetchone() == (1,)


@pytest.mark.parametrize(
    "sql",
    [
        # what the provider sends: snapshots, hash and ROWID partitions, keyset resumes
        "SELECT CURRENT_SCN FROM V$DATABASE",
        "SELECT ORDER_ID FROM SALES_ORDER AS OF SCN :scn WHERE ORA_HASH(ROWID, 7) = :b",
        'SELECT "ORDER_ID", "STATUS" FROM "DEMO"."SALES_ORDER" WHERE ("ORDER_ID", "STATUS") '
        'NOT IN (SELECT "ORDER_ID", "STATUS" FROM "DEMO"."SALES_ORDER" WHERE 1 = 0)',
        "SELECT ORDER_ID FROM SALES_ORDER ORDER BY ORDER_ID NULLS FIRST "
        "OFFSET 2 ROWS FETCH FIRST 3 ROWS ONLY",
        "SELECT TO_CHAR(TOTAL_AMOUNT) FROM SALES_ORDER WHERE ROWNUM <= 2",
        # quoting, comments, hints, q-quotes and binds of every kind
        'SELECT /*+ FULL(o) */ o."ORDER_ID" -- a comment\nFROM SALES_ORDER o '
        "WHERE o.STATUS <> q'[it's]' AND o.ORDER_ID > :1",
        "SELECT INTERVAL '2-3' YEAR(4) TO MONTH, INTERVAL '1 02:03:04' DAY TO SECOND FROM DUAL",
        "WITH s AS (SELECT ORDER_ID FROM SALES_ORDER) SELECT COUNT(*) FROM s",
    ],
)
def test_oracle_the_provider_writes_is_accepted(connection: oracledb.Connection, sql: str) -> None:
    binds = {name: 1 for name in ("scn", "b") if f":{name}" in sql}
    if ":1" in sql:
        binds = {"1": 1}
    with connection.cursor() as cursor:
        if ":scn" in sql:
            binds["scn"] = cursor.execute("SELECT CURRENT_SCN FROM V$DATABASE").fetchone()[0]
        cursor.execute(sql, binds)
        cursor.fetchall()


def test_session_statements_and_blocks_are_checked(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD'")
        cursor.execute("BEGIN DBMS_STATS.GATHER_TABLE_STATS('DEMO', 'SALES_ORDER'); END;")
        # Oracle parses dynamic SQL when the block runs
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute("BEGIN EXECUTE IMMEDIATE 'SELECT 1 FROM DUAL LIMIT 1'; END;")
        assert failure.value.args[0].code == 933
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute("BEGIN NULL; END")  # the block's own ';' is required
        error = failure.value.args[0]
        assert error.code == 6550
        assert 'PLS-00103: Encountered the symbol "end-of-file"' in error.message


def test_the_figures_count_checks_and_refusals(oracle_emulator: EmulatorProcess) -> None:
    connection = oracledb.connect(user="demo", password="demo", dsn=oracle_emulator.dsn)
    with connection:
        before = oracle_emulator.faults.grammar_stats()
        with connection.cursor() as cursor:
            for _ in range(3):
                cursor.execute("SELECT COUNT(*) FROM CUSTOMER WHERE CUSTOMER_ID > 17").fetchone()
            with pytest.raises(oracledb.DatabaseError):
                cursor.execute("SELECT COUNT(*) FROM CUSTOMER LIMIT 17")
        after = oracle_emulator.faults.grammar_stats()
    assert after["checked"] - before["checked"] >= 4
    assert after["refused"] - before["refused"] == 1
    assert after["cache_hits"] - before["cache_hits"] >= 2
    assert any(r["sql"] == "SELECT COUNT(*) FROM CUSTOMER LIMIT 17" for r in after["refusals"])


def test_no_grammar_check_turns_the_gate_off_and_says_so() -> None:
    with EmulatorProcess(args=["--user", "DEMO/demo", "--no-grammar-check"]) as emulator:
        connection = oracledb.connect(user="demo", password="demo", dsn=emulator.dsn)
        with connection, connection.cursor() as cursor:
            # Oracle refuses this; with the gate off only the translator's rules apply
            cursor.execute("SELECT 1 FROM DUAL AS D")
            assert emulator.faults.grammar_stats() == {"enabled": False}
        log = emulator.log_tail(200)
    assert "GRAMMAR CHECK OFF" in log


def test_without_node_the_emulator_refuses_to_start() -> None:
    env = dict(os.environ, PATH=os.path.dirname(sys.executable))  # no node on it
    result = subprocess.run(
        [sys.executable, "-m", "oracle_emulator", "--port", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Node.js" in result.stderr
    assert "make install" in result.stderr
    assert "--no-grammar-check" in result.stderr
