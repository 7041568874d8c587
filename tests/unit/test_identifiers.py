from __future__ import annotations

import pytest

from airflow_oracle_etl.identifiers import (
    MAX_IDENTIFIER_BYTES,
    InvalidIdentifierError,
    parse_identifier,
    parse_table_name,
    qualified_name,
    quote_identifier,
)


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("SALES_ORDER", "SALES_ORDER"),
        ("sales_order", "SALES_ORDER"),
        ("Sales$Order#2", "SALES$ORDER#2"),
        ("x", "X"),
        ('"Mixed Case"', "Mixed Case"),
        ('"lower"', "lower"),
        ('"SELECT"', "SELECT"),
        ('"a.b; c -- d"', "a.b; c -- d"),
        ('"Grüße 東京"', "Grüße 東京"),
        ("A" * MAX_IDENTIFIER_BYTES, "A" * MAX_IDENTIFIER_BYTES),
    ],
)
def test_parse_identifier_folds_unquoted_and_keeps_quoted(text: str, exact: str) -> None:
    assert parse_identifier(text) == exact


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ('""', "empty"),
        ("1ABC", "start with a letter"),
        ("_ABC", "start with a letter"),
        ("SALES ORDER", "only letters"),
        ("SALES; DROP TABLE X", "only letters"),
        ("SALES--", "only letters"),
        ("SALES/*x*/", "only letters"),
        ("SALES'", "only letters"),
        ("SALES\nX", "only letters"),
        ("SALES\x00", "only letters"),
        (" SALES", "only letters"),
        ("SALES ", "only letters"),
        ("ÄPFEL", "only letters"),
        ("A" * (MAX_IDENTIFIER_BYTES + 1), "only letters"),
        ('" OR 1=1 --', "must end with a double quote"),
        ('"abc', "must end with a double quote"),
        ('"', "must end with a double quote"),
        ('"a"b"', "double quote"),
        ('"a\x00b"', "NUL"),
        ('"' + "é" * 65 + '"', "130 bytes long"),
        ("select", "reserved word"),
        ("TABLE", "reserved word"),
        ("Where", "reserved word"),
    ],
)
def test_parse_identifier_rejects(text: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifierError, match="not a valid Oracle identifier") as caught:
        parse_identifier(text, what="table")
    assert reason in str(caught.value)
    assert caught.value.what == "table"
    assert caught.value.value == text


def test_error_names_the_field_and_the_value() -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        parse_identifier("SALES; DROP TABLE X", what="table")
    assert str(caught.value).startswith(
        "table 'SALES; DROP TABLE X' is not a valid Oracle identifier: "
    )
    assert isinstance(caught.value, ValueError)


def test_error_shows_control_characters_escaped_and_cuts_long_values() -> None:
    with pytest.raises(InvalidIdentifierError) as caught:
        parse_identifier("A\nB", what="owner")
    assert "owner 'A\\nB'" in str(caught.value)
    with pytest.raises(InvalidIdentifierError) as caught:
        parse_identifier("A" * 10_000, what="column")
    message = str(caught.value)
    assert "(10000 characters)" in message
    assert len(message) < 400


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidIdentifierError, match="expected a string, got int"):
        parse_identifier(42, what="table")  # type: ignore[arg-type]
    with pytest.raises(InvalidIdentifierError, match="expected a string, got NoneType"):
        parse_table_name(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SALES_ORDER", (None, "SALES_ORDER")),
        ("demo.sales_order", ("DEMO", "SALES_ORDER")),
        ('DEMO."Mixed_Case"', ("DEMO", "Mixed_Case")),
        ('"my.schema"."a.b"', ("my.schema", "a.b")),
        ('"a.b"', (None, "a.b")),
        ('"Owner"."Table"', ("Owner", "Table")),
    ],
)
def test_parse_table_name(text: str, expected: tuple[str | None, str]) -> None:
    assert parse_table_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A.B.C",
        "DEMO.",
        ".SALES",
        "DEMO..SALES",
        "DEMO.SALES@REMOTE",
        "DEMO.SALES;",
        'DEMO."SALES',
        '"DEMO"X.SALES',
        'DEMO.SALES" OR 1=1 --',
        "DEMO.SALES WHERE 1=1",
        "DEMO.SALES\n",
        "DEMO . SALES",
    ],
)
def test_parse_table_name_rejects(text: str) -> None:
    with pytest.raises(InvalidIdentifierError, match=r"^table "):
        parse_table_name(text)


def test_quote_identifier_keeps_exact_names() -> None:
    assert quote_identifier("SALES_ORDER") == '"SALES_ORDER"'
    assert quote_identifier("Mixed Case") == '"Mixed Case"'
    assert quote_identifier("lower") == '"lower"'
    assert quote_identifier("TABLE") == '"TABLE"'
    assert qualified_name("DEMO", "Mixed_Case") == '"DEMO"."Mixed_Case"'


@pytest.mark.parametrize("name", ["", 'a"b', '"Quoted"', "a\x00", "x" * 129])
def test_quote_identifier_rejects_names_sql_cannot_hold(name: str) -> None:
    with pytest.raises(InvalidIdentifierError, match=r"^column "):
        quote_identifier(name, what="column")
