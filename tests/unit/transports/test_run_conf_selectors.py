"""Run conf ``tables`` naming tables that schema selectors take: accepted by name statically,
narrowed against what the selectors resolved to at plan time."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_oracle_etl.hooks.catalog import KIND_TABLE, KIND_VIEW, CatalogEntry
from airflow_oracle_etl.transports.run_conf import RunConf, RunConfError, parse_run_conf
from airflow_oracle_etl.transports.selectors import resolve_tables
from tests.unit.transports.support import load, transport_yaml

TRANSPORT = load(
    transport_yaml(
        tables=[
            "DEMO.CUSTOMER",
            {"schema": "sales", "include": ["ORDER*"], "exclude": ["*_TMP"]},
            {"schema": "HR", "include": ["EMP*"]},
        ]
    )
)
CATALOG = [
    CatalogEntry(owner="DEMO", name="CUSTOMER", kind=KIND_TABLE),
    CatalogEntry(owner="SALES", name="ORDERS", kind=KIND_TABLE),
    CatalogEntry(owner="SALES", name="ORDER_LINE", kind=KIND_TABLE),
    CatalogEntry(owner="HR", name="EMP", kind=KIND_TABLE),
    CatalogEntry(owner="HR", name="EMPLOYEE_V", kind=KIND_VIEW),
]


def conf(tables: Any) -> RunConf:
    return parse_run_conf(
        {"tables": tables},
        TRANSPORT.tables_normalized(),
        transport="t",
        selectors=TRANSPORT.selectors(),
    )


def resolved() -> list[Any]:
    return resolve_tables(
        TRANSPORT.tables_normalized(), TRANSPORT.selectors(), CATALOG, "DEMO"
    ).tables


def test_names_a_selector_could_match_are_accepted_and_kept_parsed() -> None:
    chosen = conf(["sales.orders", "ORDER_LINE", "CUSTOMER"])
    assert [t.label for t in chosen.tables] == ["DEMO.CUSTOMER"]  # explicit tables, as before
    assert chosen.requested == (("SALES", "ORDERS"), (None, "ORDER_LINE"), (None, "CUSTOMER"))


@pytest.mark.parametrize(
    "name",
    [
        "SALES.ORDERS_TMP",  # excluded
        "HR.ORDERS",  # the pattern matches, the schema is another selector's
        "SALES.CUSTOMER",  # the schema matches, no pattern does
    ],
)
def test_a_name_no_table_or_selector_could_take_is_refused_naming_both_lists(name: str) -> None:
    with pytest.raises(RunConfError) as raised:
        conf([name])
    (problem,) = raised.value.problems
    assert problem.field == "tables"
    assert problem.reason == (
        f"names table(s) not in this transport: {name} (its tables: DEMO.CUSTOMER; its "
        "schema selectors: tables[1] (schema SALES, include ORDER*, exclude *_TMP), "
        "tables[2] (schema HR, include EMP*))"
    )


def test_narrow_keeps_the_requested_tables_in_resolved_order() -> None:
    chosen = conf(["HR.EMP", "ORDERS", "CUSTOMER"]).narrow(resolved())
    assert [t.label for t in chosen] == ["DEMO.CUSTOMER", "SALES.ORDERS", "HR.EMP"]


def test_no_tables_in_the_run_conf_narrows_nothing() -> None:
    every = resolved()
    assert parse_run_conf({}, TRANSPORT.tables_normalized(), transport="t").narrow(every) == every


def test_a_name_that_resolved_to_nothing_is_an_error_naming_it() -> None:
    # EMPLOYEE_V matches the pattern but is a view, which the selector leaves out
    with pytest.raises(RunConfError) as raised:
        conf(["HR.EMPLOYEE_V", "ORDERS", "ORDER_ARCHIVE"]).narrow(resolved())
    assert str(raised.value) == (
        "transport 't': run conf: tables: names table(s) this job does not export: "
        "HR.EMPLOYEE_V, ORDER_ARCHIVE"
    )
