"""The catalog query through the real driver: the tables and views of some owners, with their
statistics and the current schema, from one statement the emulator's grammar gate accepts."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import oracledb
import pytest

from airflow_oracle_etl.hooks.catalog import KIND_TABLE, KIND_VIEW, CatalogEntry
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

Connect = Callable[..., oracledb.Connection]
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Schema:
    """A schema of its own, so the catalog's contents are exactly what the test made."""

    name: str
    rows: int


@pytest.fixture
def system(oracle_connect: Connect) -> oracledb.Connection:
    return oracle_connect(user="system", password="manager")


@pytest.fixture
def schema(system: oracledb.Connection, hook: OracleExtractHook) -> Iterator[Schema]:
    made = Schema(name=f"CATALOG_{next(_numbers)}_{id(hook) % 100_000}", rows=7)
    owner = made.name
    with system.cursor() as cursor:
        cursor.execute(f'CREATE USER {owner} IDENTIFIED BY "secret"')
        cursor.execute(f"CREATE TABLE {owner}.ORDERS (ID NUMBER(9) PRIMARY KEY, NOTE VARCHAR2(40))")
        cursor.executemany(
            f"INSERT INTO {owner}.ORDERS (ID, NOTE) VALUES (:1, :2)",
            [(n, f"order {n}") for n in range(made.rows)],
        )
        cursor.execute(f'CREATE TABLE {owner}."Mixed_Lines" (ID NUMBER(9))')
        cursor.execute(
            f"CREATE GLOBAL TEMPORARY TABLE {owner}.SCRATCH (ID NUMBER(9)) ON COMMIT PRESERVE ROWS"
        )
        cursor.execute(f"CREATE TABLE {owner}.GONE (ID NUMBER(9))")
        cursor.execute(f"DROP TABLE {owner}.GONE")
        cursor.execute(f"CREATE VIEW {owner}.ORDERS_V AS SELECT ID FROM {owner}.ORDERS")
        system.commit()
    yield made
    with system.cursor() as cursor:
        cursor.execute(f"DROP USER {owner} CASCADE")


def _by_name(entries: list[CatalogEntry], owner: str) -> dict[str, CatalogEntry]:
    return {entry.name: entry for entry in entries if entry.owner == owner}


def test_tables_and_views_of_an_owner_with_their_statistics(
    hook: OracleExtractHook, schema: Schema
) -> None:
    entries, current = hook.list_catalog([schema.name], current_schema=False)

    assert current == "DEMO"
    assert {entry.owner for entry in entries} == {schema.name}
    found = _by_name(entries, schema.name)
    # GONE was dropped; SCRATCH is a global temporary table, whose rows are other sessions'
    assert sorted(found) == ["Mixed_Lines", "ORDERS", "ORDERS_V"]
    assert [(found[n].kind) for n in ("Mixed_Lines", "ORDERS", "ORDERS_V")] == [
        KIND_TABLE,
        KIND_TABLE,
        KIND_VIEW,
    ]
    orders = found["ORDERS"]
    assert orders.num_rows == schema.rows
    assert isinstance(orders.avg_row_len, int)
    assert orders.avg_row_len > 0
    assert orders.estimated_bytes == schema.rows * orders.avg_row_len
    view = found["ORDERS_V"]
    assert (view.num_rows, view.avg_row_len, view.estimated_bytes) == (None, None, None)


def test_the_current_schema_comes_along_and_with_it_its_objects(
    hook: OracleExtractHook, schema: Schema
) -> None:
    entries, current = hook.list_catalog([schema.name], current_schema=True)

    assert current == "DEMO"
    demo = _by_name(entries, "DEMO")
    assert {"CUSTOMER", "SALES_ORDER", "SALES_LINE_ITEM"} <= set(demo)
    assert demo["CUSTOMER"].kind == KIND_TABLE
    assert sorted(_by_name(entries, schema.name)) == ["Mixed_Lines", "ORDERS", "ORDERS_V"]
    assert hook.resolve_owner() == "DEMO"  # learnt from the same statement


def test_no_owner_gives_the_current_schema_name_and_nothing_else(hook: OracleExtractHook) -> None:
    assert hook.list_catalog([], current_schema=False) == ([], "DEMO")


def test_an_owner_the_connection_cannot_see_lists_nothing(hook: OracleExtractHook) -> None:
    entries, current = hook.list_catalog(["NO_SUCH_SCHEMA", "NO_SUCH_SCHEMA"], current_schema=False)
    assert (entries, current) == ([], "DEMO")


def test_a_connection_schema_naming_an_owner_is_the_default_schema(
    set_connection: Callable[..., str], oracle_emulator, schema: Schema
) -> None:
    """As :meth:`OracleExtractHook.resolve_owner`: the connection's schema, when it names an
    owner, is what owner-less names mean (bound, not read from the session)."""
    conn_id = set_connection("oracle_catalog_schema", schema=schema.name)
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    entries, current = hook.list_catalog([], current_schema=True)
    assert current == schema.name
    assert sorted(_by_name(entries, schema.name)) == ["Mixed_Lines", "ORDERS", "ORDERS_V"]


def test_it_runs_inside_the_hook_s_session(hook: OracleExtractHook, schema: Schema) -> None:
    with hook.session() as connection:
        entries, _ = hook.list_catalog([schema.name], current_schema=False)
        metadata = hook.get_table_metadata(f"{schema.name}.ORDERS")
        with connection.cursor() as cursor:  # the session's connection is still open
            assert cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)
    assert metadata.num_rows == _by_name(entries, schema.name)["ORDERS"].num_rows
