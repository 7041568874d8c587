"""Schema selectors: patterns as identifiers, the merge rule, file order, and empty selectors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.hooks.catalog import KIND_TABLE, KIND_VIEW, CatalogEntry
from airflow_oracle_etl.transports import Transport
from airflow_oracle_etl.transports.selectors import (
    PatternError,
    SelectorError,
    catalog_owners,
    parse_pattern,
    resolve_tables,
)
from tests.unit.transports.support import load, only_error, transport_yaml


def table(owner: str, name: str, rows: int | None = 10, length: int | None = 20) -> CatalogEntry:
    return CatalogEntry(owner=owner, name=name, kind=KIND_TABLE, num_rows=rows, avg_row_len=length)


def view(owner: str, name: str) -> CatalogEntry:
    return CatalogEntry(owner=owner, name=name, kind=KIND_VIEW)


CATALOG = [
    table("SALES", "ORDERS"),
    table("SALES", "ORDER_LINE", rows=None, length=None),
    table("SALES", "ORDERS_TMP"),
    table("SALES", "CUSTA"),
    table("SALES", "CUSTOMER"),
    table("SALES", "Mixed_Case"),
    table("SALES", "BIN$X"),
    view("SALES", "ORDER_SUMMARY"),
    table("HR", "EMP"),
    table("HR", "DEPT"),
    view("HR", "EMP_V"),
    table("DEMO", "ORDERS"),
]


def transport(*tables: Any) -> Transport:
    return load(transport_yaml(tables=list(tables)))


def resolve(*tables: Any, catalog: list[CatalogEntry] = CATALOG, current: str = "DEMO") -> Any:
    loaded = transport(*tables)
    return resolve_tables(loaded.tables_normalized(), loaded.selectors(), catalog, current)


def labels(*tables: Any, **kwargs: Any) -> list[str]:
    return [t.label for t in resolve(*tables, **kwargs).tables]


# -- patterns ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "glob"),
    [
        ("order*", "ORDER*"),
        ("*_tmp", "*_TMP"),
        ("cust?", "CUST?"),
        ("cust[a-c]", "CUST[A-C]"),
        ("[!x]*", "[!X]*"),
        ("*$*", "*$*"),
        ('"Mixed*"', "Mixed*"),
        ('"a b-c*"', "a b-c*"),
        ("*", "*"),
    ],
)
def test_a_pattern_folds_like_an_identifier(text: str, glob: str) -> None:
    assert parse_pattern(text) == glob


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "the pattern is empty"),
        ('""', "the pattern is empty"),
        ("ORDER-*", "'-' cannot be part of an unquoted name"),
        ("ORDER *", "' ' cannot be part of an unquoted name"),
        ("[a", "the character class at position 1 is not closed"),
        ("A[!]", "the character class at position 2 is not closed"),
        ("A[b.]", "'.' cannot be part of an unquoted name"),
        ('"abc', "a quoted pattern must end with a double quote"),
        ('"a"b"', "a name cannot contain a double quote"),
    ],
)
def test_a_pattern_no_name_could_match_is_refused(text: str, reason: str) -> None:
    with pytest.raises(PatternError, match=re.escape(reason)):
        parse_pattern(text)


def test_a_bad_pattern_is_a_load_error_naming_its_field() -> None:
    text = transport_yaml(tables=["T", {"schema": "S", "exclude": ["OK", "A.B"]}])
    assert only_error(text).startswith("tables[1].exclude[1]: exclude pattern 'A.B': '.'")


def test_a_selector_s_options_and_schema_are_normalized_with_its_position() -> None:
    loaded = transport(
        "T",
        {"schema": "sales", "include": ["ord*"], "trim_char": True, "checkpoint": False},
    )
    (selector,) = loaded.selectors()
    assert (selector.schema, selector.include, selector.exclude, selector.index) == (
        "SALES",
        ("ORD*",),
        (),
        1,
    )
    assert (selector.trim_char, selector.omit_nulls, selector.checkpoint) == (True, False, False)
    assert [t.label for t in loaded.tables_normalized()] == ["T"]  # explicit tables only


# -- resolution --------------------------------------------------------------------------------


def test_a_selector_takes_matching_tables_sorted_by_name_exclude_winning() -> None:
    assert labels({"schema": "SALES", "include": ["ORDER*", "CUST?"], "exclude": ["*_TMP"]}) == [
        "SALES.CUSTA",
        "SALES.ORDERS",
        "SALES.ORDER_LINE",
    ]


def test_matching_is_case_sensitive_on_the_exact_name() -> None:
    assert labels({"schema": "SALES", "include": ['"Mixed*"']}) == ["SALES.Mixed_Case"]
    assert labels(
        {"schema": "SALES", "include": ["mixed*"]}, catalog=[*CATALOG, table("SALES", "MIXED")]
    ) == ["SALES.MIXED"]


def test_the_default_include_takes_the_whole_schema_and_an_exclude_can_drop_dollar_names() -> None:
    assert labels({"schema": "HR"}) == ["HR.DEPT", "HR.EMP"]
    assert "SALES.BIN$X" not in labels({"schema": "SALES", "exclude": ["*$*"]})


def test_views_only_with_include_views() -> None:
    assert labels({"schema": "HR", "include": ["EMP*"]}) == ["HR.EMP"]
    resolved = resolve({"schema": "HR", "include": ["EMP*"], "include_views": True})
    assert [(t.label, t.entry and t.entry.kind) for t in resolved.tables] == [
        ("HR.EMP", "TABLE"),
        ("HR.EMP_V", "VIEW"),
    ]


def test_an_explicit_entry_wins_whole_and_keeps_its_place() -> None:
    resolved = resolve(
        {"schema": "SALES", "include": ["ORDER*"], "trim_char": True},
        {"table": "SALES.ORDERS", "partitions": 4},
    )
    assert [t.label for t in resolved.tables] == [
        "SALES.ORDERS_TMP",
        "SALES.ORDER_LINE",
        "SALES.ORDERS",
    ]
    by_label = {t.label: t for t in resolved.tables}
    explicit = by_label["SALES.ORDERS"]
    assert (explicit.selector, explicit.config.partitions, explicit.config.trim_char) == (
        None,
        4,
        False,
    )
    matched = by_label["SALES.ORDER_LINE"]
    assert (matched.selector, matched.config.trim_char, matched.config.partitions) == (0, True, 1)
    (result,) = resolved.selectors
    assert result.matched == ("SALES.ORDERS", "SALES.ORDERS_TMP", "SALES.ORDER_LINE")
    assert result.tables == ("SALES.ORDERS_TMP", "SALES.ORDER_LINE")
    assert result.selector == "tables[0] (schema SALES, include ORDER*)"


def test_an_owner_less_explicit_entry_is_the_current_schema_s_for_the_merge_rule() -> None:
    resolved = resolve("EMP", {"schema": "HR"}, current="HR")
    assert [(t.label, t.selector) for t in resolved.tables] == [("HR.EMP", None), ("HR.DEPT", 1)]
    assert resolved.tables[0].config.owner == "HR"


def test_the_first_selector_wins_a_table_two_selectors_match() -> None:
    resolved = resolve(
        {"schema": "SALES", "include": ["CUST*"], "omit_nulls": True},
        "DEMO.ORDERS",
        {"schema": "SALES", "include": ["*"], "exclude": ["ORDER*", "BIN$*", '"Mixed*"']},
    )
    assert [(t.label, t.selector) for t in resolved.tables] == [
        ("SALES.CUSTA", 0),
        ("SALES.CUSTOMER", 0),
        ("DEMO.ORDERS", None),
    ]
    assert all(t.config.omit_nulls for t in resolved.tables if t.selector == 0)
    assert resolved.selectors[1].tables == ()  # matched, but all taken: not an error
    assert resolved.selectors[1].matched == ("SALES.CUSTA", "SALES.CUSTOMER")


def test_catalog_figures_ride_along_and_an_unlisted_explicit_table_has_no_entry() -> None:
    resolved = resolve("SALES.ORDERS", "SALES.NOWHERE", "ORDERS")
    entries = {t.label: t.entry for t in resolved.tables}
    assert entries["SALES.ORDERS"] == table("SALES", "ORDERS")
    assert entries["SALES.ORDERS"] is not None
    assert entries["SALES.ORDERS"].estimated_bytes == 200
    assert entries["SALES.NOWHERE"] is None
    assert entries["DEMO.ORDERS"] == table("DEMO", "ORDERS")


def test_every_selector_that_matches_nothing_is_named_at_once() -> None:
    with pytest.raises(SelectorError) as caught:
        resolve(
            {"schema": "SALES", "include": ["NOPE*"]},
            "T",
            {"schema": "GHOST"},
            {"schema": "SALES", "include": ["ORDER_S*"]},
            {"schema": "HR"},
        )
    assert caught.value.selectors == (
        "tables[0] (schema SALES, include NOPE*): matches no table",
        "tables[2] (schema GHOST, include *): matches no table (the connection sees no table "
        "or view of schema GHOST: is the name right, and does its user have SELECT on them?)",
        "tables[3] (schema SALES, include ORDER_S*): matches no table (1 view(s) match; "
        "include_views: true exports views too)",
    )
    assert isinstance(caught.value, ConfigurationError)
    assert str(caught.value).startswith("3 schema selector(s) match no table:\n  tables[0] ")


def test_two_explicit_entries_for_one_table_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"more than once .*: DEMO\.ORDERS"):
        resolve("ORDERS", "DEMO.ORDERS")


def test_an_explicit_list_that_does_not_fit_the_positions_is_a_programming_error() -> None:
    loaded = transport("A", {"schema": "HR"})
    with pytest.raises(ValueError, match="pass every explicit entry"):
        resolve_tables([], loaded.selectors(), CATALOG, "DEMO")


def test_the_catalog_is_asked_for_each_owner_once_and_for_the_current_schema_when_needed() -> None:
    loaded = transport("SALES.ORDERS", {"schema": "hr"}, {"schema": "sales"}, "HR.EMP")
    assert catalog_owners(loaded.tables_normalized(), loaded.selectors()) == (
        ["HR", "SALES"],
        False,
    )
    owner_less = transport("ORDERS", {"schema": "HR"})
    assert catalog_owners(owner_less.tables_normalized(), owner_less.selectors()) == (["HR"], True)
