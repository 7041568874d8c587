"""Finding a DML statement's RETURNING INTO clause in its text, as the driver does."""

from __future__ import annotations

import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.codecs.rowid import parse_rowid_text
from oracle_emulator.sql import returning
from oracle_emulator.sql.rowid_sql import DATAFILE_NO, FIRST_DATA_BLOCK, ROWS_PER_BLOCK, rowid_of


def test_split_cuts_at_the_top_level_clause() -> None:
    clause = returning.split("UPDATE T SET A = :1 RETURNING A, B || :2 INTO :3, :4")
    assert clause == returning.ClauseText("UPDATE T SET A = :1 ", " A, B || :2 ", " :3, :4")


def test_split_without_blanks_and_with_return() -> None:
    clause = returning.split("insert into t (a) values (:v)returning(a)into :o")
    assert clause is not None
    assert (clause.expressions, clause.into) == ("(a)", " :o")
    assert returning.split("DELETE FROM T RETURN A INTO :O") is not None


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT A INTO B FROM T",
        "UPDATE T SET A = 'returning x into :y'",
        "UPDATE T SET A = q'[RETURNING A INTO :B]'",
        "UPDATE T SET A = JSON_VALUE(J, '$.a' RETURNING NUMBER)",
        'UPDATE T SET "RETURNING" = 1 -- RETURNING A INTO :B',
        "UPDATE T SET A = 1 /* RETURNING A INTO :B */",
    ],
)
def test_no_clause(sql: str) -> None:
    assert returning.split(sql) is None
    assert returning.return_bind_count(sql) == 0


def test_return_binds_are_those_after_into() -> None:
    sql = 'INSERT INTO T VALUES (:1, :2) RETURNING A + :3 INTO :4, :"Quoted"'
    assert returning.return_bind_count(sql) == 2
    # the driver does not know RETURN: it sends those binds as values
    assert returning.return_bind_count("DELETE FROM T RETURN A INTO :1") == 0
    assert returning.return_bind_count("BEGIN UPDATE T SET A = 1 RETURNING A INTO :1; END;") == 0


def test_parse_numbers_binds_after_the_statements_own() -> None:
    clause = returning.split("UPDATE T SET A = :1 RETURNING A + :2, B INTO :3, :4")
    assert clause is not None
    parsed = returning.parse(clause, statement_binds=1)
    assert parsed.into == [2, 3]
    placeholders = [str(node.this) for item in parsed.expressions for node in item.walk()]
    assert "2" in placeholders


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("DELETE FROM T RETURNING A, B INTO :1", 913),
        ("DELETE FROM T RETURNING A INTO :1, :2", 947),
        ("DELETE FROM T RETURNING COUNT(*), A INTO :1, :2", 937),
        ("DELETE FROM T RETURNING A INTO B", 933),
        ("DELETE FROM T RETURNING A AS X INTO :1", 933),
    ],
)
def test_parse_errors(sql: str, code: int) -> None:
    clause = returning.split(sql)
    assert clause is not None
    with pytest.raises(OracleError) as failure:
        returning.parse(clause, statement_binds=0)
    assert failure.value.code == code


def test_rowid_of_matches_the_rowid_layout() -> None:
    rid = 3 * ROWS_PER_BLOCK + 7
    assert parse_rowid_text(rowid_of(75_000, rid)) == (75_000, DATAFILE_NO, FIRST_DATA_BLOCK + 3, 7)
