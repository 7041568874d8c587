"""The mapping from the grammar's first syntax error to Oracle's error: a pure function over
the records ``grammar/parse_server.js`` answers (written here as the parser gives them)."""

from __future__ import annotations

from typing import Any

import pytest

from oracle_emulator.sql.grammar_errors import classify, oracle_error


def _record(sql: str, token: str, *, furthest: str | None = None, **fields: Any) -> dict[str, Any]:
    """A parser record whose offending token is the first ``token`` in ``sql`` (``<EOF>``:
    the end), the furthest token reached being ``furthest`` (default: the same)."""

    def where(text: str) -> int:
        return len(sql) if text == "<EOF>" else sql.index(text)

    reached = furthest or token
    record: dict[str, Any] = {
        "token": token,
        "offset": where(token),
        "furthest": {"token": reached, "offset": where(reached)},
        "rules": ["sql_script"],
        "expected": ["EOF"],
        "parens": sql.count("(") - sql.count(")"),
        "first": sql.split()[0].upper() if sql.split() else "",
        "lexical": False,
    }
    record.update(fields)
    return record


@pytest.mark.parametrize(
    ("sql", "token", "fields", "code", "at"),
    [
        # a complete statement, then what no clause of it takes
        ("SELECT * FROM t LIMIT 5", "5", {}, 933, "5"),
        ("SELECT * FROM t AS x", "AS", {}, 933, "AS"),
        ("SELECT a FROM t WHERE a = 1)", ")", {}, 933, ")"),
        # a word where the condition wants its operator
        ("SELECT * FROM t WHERE a ILIKE 'x'", "'x'", {}, 920, "ILIKE"),
        ("SELECT * FROM t WHERE t.a SAME b", "b", {}, 920, "SAME"),
        # the select list
        ("SELECT a b c FROM t", "c", {"rules": ["column_alias", "select_list_elements"]}, 923, "c"),
        ("SELECT a, b t", "<EOF>", {"rules": ["column_alias", "select_list_elements"]}, 923, None),
        (
            "SELECT a, FROM t",
            "FROM",
            {"rules": ["select_list_elements", "selected_list"]},
            936,
            "FROM",
        ),
        ("SELECT FROM t", "FROM", {"rules": ["query_block", "subquery"]}, 936, "FROM"),
        # the end of the text where more was needed
        ("SELECT * FROM", "<EOF>", {"rules": ["table_ref_aux_internal"]}, 903, None),
        (
            "SELECT a FROM t WHERE a = ",
            "=",
            {"furthest": {"token": "<EOF>", "offset": 26}},
            936,
            None,
        ),
        ("UPDATE t SET a = 1 WHERE", "<EOF>", {"rules": ["where_clause"]}, 936, None),
    ],
)
def test_refusals_map_to_oracle_codes(
    sql: str, token: str, fields: dict[str, Any], code: int, at: str | None
) -> None:
    record = _record(sql, token)
    record.update(fields)
    assert classify(record, sql) == (code, len(sql) if at is None else sql.index(at))


def test_limit_after_a_condition_is_not_a_relational_operator() -> None:
    # the condition a = 1 is complete: LIMIT is a word too many, as after a table
    sql = "DELETE FROM t WHERE a = 1 LIMIT 1"
    record = _record(sql, "<EOF>")
    record["offset"] = record["furthest"]["offset"] = len(sql) - 1
    record["token"] = record["furthest"]["token"] = "1"
    assert classify(record, sql) == (933, len(sql) - 1)


def test_missing_right_parenthesis_points_where_the_parse_stopped() -> None:
    # ANTLR reports the WHERE clause as unexpected; the furthest prediction got to the end
    sql = "SELECT a FROM t WHERE (a = 1"
    record = _record(sql, "WHERE", furthest="<EOF>")
    assert classify(record, sql) == (907, len(sql))
    inside = "INSERT INTO t (a) VALUES (1, 2 3)"
    assert classify(_record(inside, "3", expected=["RIGHT_PAREN"], parens=0), inside)[0] == 907


@pytest.mark.parametrize(
    ("sql", "fields", "code"),
    [
        ("SELECT * FROM t;", {"kind": "semicolon", "token": ";", "offset": 15}, 911),
        ("SELECT 1 FROM dual; SELECT 2 FROM dual", {"kind": "trailing", "offset": 20}, 933),
        ("SELEC * FROM t", {"first": "SELEC"}, 900),
        ("SET ECHO ON", {"kind": "not_sql"}, 900),
        ("-- nothing", {"kind": "empty", "first": ""}, 900),
    ],
)
def test_statement_level_refusals(sql: str, fields: dict[str, Any], code: int) -> None:
    record = _record(sql, sql.split()[0])
    record.update(fields)
    assert classify(record, sql)[0] == code


@pytest.mark.parametrize(
    ("sql", "offset", "code"),
    [
        ("SELECT 'abc FROM t", 7, 1756),
        ('SELECT "abc FROM t', 7, 1740),
        ("SELECT # FROM t", 7, 911),
    ],
)
def test_characters_no_token_starts_with(sql: str, offset: int, code: int) -> None:
    record = {"lexical": True, "offset": offset, "token": sql[offset], "first": "SELECT"}
    assert classify(record, sql) == (code, offset)


def test_the_error_carries_oracle_text_and_offset() -> None:
    sql = "SELECT * FROM t AS x"
    error = oracle_error(_record(sql, "AS"), sql)
    assert (error.code, error.text, error.offset) == (
        933,
        "ORA-00933: SQL command not properly ended",
        sql.index("AS"),
    )
