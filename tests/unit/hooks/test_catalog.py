"""The catalog query's text and rows: one statement, owners as binds, the DUAL row read."""

from __future__ import annotations

import re

import pytest

from airflow_oracle_etl.hooks.catalog import (
    KIND_TABLE,
    KIND_VIEW,
    MAX_IN_LIST,
    CatalogEntry,
    catalog_binds,
    catalog_sql,
    entries_from_rows,
)

_BIND = re.compile(r":(\w+)")


def test_owners_are_binds_in_both_branches_never_text() -> None:
    owners = ["SALES", "O'Brien", "HR"]
    sql = catalog_sql(len(owners), current_schema=False)
    binds = catalog_binds(owners)
    assert sorted(set(_BIND.findall(sql))) == sorted(binds)
    assert all(owner not in sql for owner in owners)
    assert sql.count("UNION ALL") == 2  # tables, views, the DUAL row: one statement
    assert ";" not in sql
    assert sql.endswith(
        "SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA'), NULL, 'SCHEMA', NULL, NULL FROM DUAL"
    )
    assert sql.count("OWNER = SYS_CONTEXT") == 0


def test_the_current_schema_s_objects_are_asked_for_by_sys_context() -> None:
    sql = catalog_sql(1, current_schema=True)
    assert "t.OWNER IN (:owner0) OR t.OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in sql
    assert "v.OWNER IN (:owner0) OR v.OWNER = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')" in sql
    only_current = catalog_sql(0, current_schema=True)
    assert ":owner" not in only_current
    assert "ALL_TABLES" in only_current


def test_no_owner_at_all_reads_the_current_schema_s_name_alone() -> None:
    sql = catalog_sql(0, current_schema=False)
    assert "ALL_TABLES" not in sql
    assert "ALL_VIEWS" not in sql
    assert sql.startswith("SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA')")


def test_many_owners_are_split_into_in_lists_oracle_accepts() -> None:
    count = MAX_IN_LIST * 2 + 1
    sql = catalog_sql(count, current_schema=False)
    lists = re.findall(r"t\.OWNER IN \(([^)]*)\)", sql)
    assert [len(found.split(", ")) for found in lists] == [MAX_IN_LIST, MAX_IN_LIST, 1]
    assert f":owner{count - 1})" in sql


def test_rows_become_entries_and_the_dual_row_the_current_schema() -> None:
    rows = [
        ("SALES", "ORDERS", "TABLE", 12, 80),
        ("SCOTT", None, "SCHEMA", None, None),
        ("SALES", "ORDERS_V", "VIEW", None, None),
        ("SALES", "NEW_TABLE", "TABLE", None, None),
    ]
    entries, schema = entries_from_rows(rows)
    assert schema == "SCOTT"
    assert entries == [
        CatalogEntry(owner="SALES", name="ORDERS", kind=KIND_TABLE, num_rows=12, avg_row_len=80),
        CatalogEntry(owner="SALES", name="ORDERS_V", kind=KIND_VIEW),
        CatalogEntry(owner="SALES", name="NEW_TABLE", kind=KIND_TABLE),
    ]
    assert [e.estimated_bytes for e in entries] == [960, None, None]
    assert entries[0].label == "SALES.ORDERS"


def test_rows_without_the_dual_row_are_refused() -> None:
    with pytest.raises(ValueError, match="no current schema row"):
        entries_from_rows([("SALES", "ORDERS", "TABLE", 1, 1)])
