"""The structural check of ``where``: literals, quoted names and Jinja are not looked into."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.transports.predicate import predicate_problem
from tests.unit.transports.support import load, only_error, with_table


@pytest.mark.parametrize(
    "text",
    [
        "STATUS = 'OPEN'",
        "STATUS IN ('A', 'B') AND (AMOUNT > 0 OR AMOUNT IS NULL)",
        "NOTE = 'it''s; -- not a comment /* nor this */ :nor_a_bind )('",
        "NOTE = q'[it's ; -- ( ]'",
        "NOTE = Q'{a)b}' AND X = nq'!;!'",
        "NOTE = q'x;x'",
        '"Odd; Name" = 1',
        "ORDER_DATE >= DATE '{{ ds }}'",
        "ORDER_DATE >= DATE '{{ macros.ds_add(ds, -1) }}' AND YEAR = {{ ds[:4] }}",
        "{% if params.full %}1 = 1{% else %}REGION = 'EU'{% endif %}",
        "TO_CHAR(ORDER_DATE, 'HH24:MI') = '08:00'",
        "A = 1 /",
    ],
)
def test_acceptable_predicates(text: str) -> None:
    assert predicate_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "must not be empty (leave it out to read every row)"),
        ("   ", "must not be empty (leave it out to read every row)"),
        ("A = 1; DELETE FROM X", "contains ';'; it must be one predicate, not statements"),
        (
            "A = 1 -- and more",
            "contains a comment ('--'); comments would hide the conditions after it",
        ),
        (
            "A = 1 /* x */",
            "contains a comment ('/*'); comments would hide the conditions after it",
        ),
        ("A = 1) OR (1 = 1", "has a ')' without a matching '('"),
        ("(A = 1", "has 1 unclosed '('"),
        ("((A = 1)", "has 1 unclosed '('"),
        ("NOTE = 'abc", "has an unterminated string literal (a ' without its closing ')"),
        ("NOTE = 'it''s", "has an unterminated string literal (a ' without its closing ')"),
        ('"Odd = 1', "has an unterminated quoted identifier (no closing '\"')"),
        ("NOTE = q'[abc'", "has an unterminated q'...' literal (no closing \"]'\")"),
        ("NOTE = q'", "has an unterminated q'...' literal"),
        ("A = {{ ds ", "has an unterminated Jinja tag '{{' (no closing '}}')"),
        (
            "ID > :last_id",
            "uses a bind variable (:last_id); a transport passes no bind values: write the "
            "value, or a Jinja expression such as '{{ ds }}'",
        ),
        (
            "ID > :1",
            "uses a bind variable (:1); a transport passes no bind values: write the value, or "
            "a Jinja expression such as '{{ ds }}'",
        ),
    ],
)
def test_refused_predicates(text: str, reason: str) -> None:
    assert predicate_problem(text) == reason


def test_where_problems_carry_the_field_path() -> None:
    assert only_error(with_table(where="A = 1) OR (1 = 1")) == (
        "tables[0].where: has a ')' without a matching '('"
    )


def test_a_good_where_is_kept_as_written() -> None:
    where = "ORDER_DATE >= DATE '{{ ds }}'"
    assert load(with_table(where=where)).tables_normalized()[0].where == where
