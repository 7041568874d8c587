"""Introspection through the real driver and the emulator's data dictionary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_oracle_etl.hooks.errors import TableNotFoundError
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.identifiers import InvalidIdentifierError, quote_identifier
from airflow_oracle_etl.metadata import OracleColumn
from oracle_emulator.process import EmulatorProcess

from .conftest import CONN_ID, DEMO_PASSWORD

ALL_TYPES_SPELLINGS = [
    ("ID", "NUMBER", 6, 0, 0, False),
    ("C_NUMBER", "NUMBER", None, None, 0, True),
    ("C_NUMBER_38", "NUMBER", 38, 0, 0, True),
    ("C_NUMBER_P_S", "NUMBER", 12, 4, 0, True),
    ("C_FLOAT", "FLOAT", 126, None, 0, True),
    ("C_BIN_FLOAT", "BINARY_FLOAT", None, None, 0, True),
    ("C_BIN_DOUBLE", "BINARY_DOUBLE", None, None, 0, True),
    ("C_VARCHAR2", "VARCHAR2", None, None, 4000, True),
    ("C_CHAR", "CHAR", None, None, 10, True),
    ("C_NVARCHAR2", "NVARCHAR2", None, None, 100, True),
    ("C_NCHAR", "NCHAR", None, None, 5, True),
    ("C_DATE", "DATE", None, None, 0, True),
    ("C_TS0", "TIMESTAMP(0)", None, 0, 0, True),
    ("C_TS6", "TIMESTAMP(6)", None, 6, 0, True),
    ("C_TS9", "TIMESTAMP(9)", None, 9, 0, True),
    ("C_TSTZ", "TIMESTAMP(6) WITH TIME ZONE", None, 6, 0, True),
    ("C_TSLTZ", "TIMESTAMP(6) WITH LOCAL TIME ZONE", None, 6, 0, True),
    ("C_IDS", "INTERVAL DAY(3) TO SECOND(6)", 3, 6, 0, True),
    ("C_IYM", "INTERVAL YEAR(4) TO MONTH", 4, 0, 0, True),
    ("C_RAW", "RAW", None, None, 0, True),
    ("C_CLOB", "CLOB", None, None, 0, True),
    ("C_NCLOB", "NCLOB", None, None, 0, True),
    ("C_BLOB", "BLOB", None, None, 0, True),
]


def _spellings(columns: tuple[OracleColumn, ...]) -> list[tuple]:
    return [(c.name, c.data_type, c.precision, c.scale, c.char_length, c.nullable) for c in columns]


def test_every_type_is_spelled_as_the_dictionary_spells_it(hook: OracleExtractHook) -> None:
    metadata = hook.get_table_metadata("ALL_TYPES")
    assert (metadata.owner, metadata.name) == ("DEMO", "ALL_TYPES")
    assert _spellings(metadata.columns) == ALL_TYPES_SPELLINGS
    assert metadata.primary_key == ("ID",)
    assert metadata.num_rows == 3
    assert metadata.comment == "One column of every Oracle type the provider maps"


def test_composite_key_in_position_order_and_size_estimate(hook: OracleExtractHook) -> None:
    metadata = hook.get_table_metadata("demo.sales_line_item")
    assert metadata.primary_key == ("ORDER_ID", "LINE_NO")
    assert metadata.num_rows == 30003
    assert metadata.comment is None
    assert [c.name for c in metadata.columns][:3] == ["ORDER_ID", "LINE_NO", "PRODUCT_CODE"]


def test_table_and_column_comments(hook: OracleExtractHook) -> None:
    metadata = hook.get_table_metadata("CUSTOMER", owner="demo")
    assert metadata.comment == "Customers of the demo shop"
    assert metadata.column("CREDIT_LIMIT").comment == "Credit limit in EUR"
    assert metadata.column("NAME").comment is None
    assert metadata.column("CUSTOMER_ID").nullable is False


def test_quoted_mixed_case_table(
    hook: OracleExtractHook, new_table: Callable[..., str], connection
) -> None:
    name = new_table(
        'CREATE TABLE "{name}" ("Id" NUMBER(5), "Some Col" VARCHAR2(10))',
        name=f"Mixed_Case_{id(hook) % 100_000}",
    )
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{name}" ("Id", "Some Col") VALUES (7, \'seven\')')
    connection.commit()

    metadata = hook.get_table_metadata(f'"{name}"')
    assert (metadata.owner, metadata.name) == ("DEMO", name)
    assert [(c.name, c.data_type, c.char_length) for c in metadata.columns] == [
        ("Id", "NUMBER", 0),
        ("Some Col", "VARCHAR2", 10),
    ]
    select_list = ", ".join(quote_identifier(c.name) for c in metadata.columns)
    sql = hook.build_select(metadata, select_list, where='"Id" = :id')
    assert list(hook.stream_batches(sql, {"id": 7})) == [[(7, "seven")]]

    with pytest.raises(TableNotFoundError):
        hook.get_table_metadata(name)  # unquoted: folded to upper case, which does not exist


def test_missing_table_names_table_and_connection_but_no_secret(
    hook: OracleExtractHook, oracle_emulator
) -> None:
    with pytest.raises(TableNotFoundError) as caught:
        hook.get_table_metadata("NO_SUCH_TABLE")
    message = str(caught.value)
    assert "DEMO.NO_SUCH_TABLE" in message
    assert repr(CONN_ID) in message
    assert f":{DEMO_PASSWORD}@" not in message
    assert str(oracle_emulator.port) not in message
    assert isinstance(caught.value, LookupError)


def test_conflicting_owners_are_refused(hook: OracleExtractHook) -> None:
    with pytest.raises(ValueError, match="names its owner"):
        hook.get_table_metadata("DEMO.CUSTOMER", owner="OTHER")
    assert hook.get_table_metadata("DEMO.CUSTOMER", owner="demo").name == "CUSTOMER"


INJECTIONS = [
    "SALES_ORDER; DROP TABLE CUSTOMER",
    "SALES_ORDER --",
    "SALES_ORDER/* x */",
    "SALES_ORDER' OR '1'='1",
    '" OR 1=1 --',
    'SALES_ORDER" WHERE 1=1 --',
    "SALES_ORDER\x00",
    "SALES_ORDER\nUNION SELECT * FROM ALL_USERS",
    "X" * 200,
    "",
    "DEMO.SALES_ORDER.X",
    "SALES_ORDER@DBLINK",
]


@pytest.mark.parametrize("table", INJECTIONS)
def test_injection_rejected_before_any_sql_is_sent(
    table: str, set_connection: Callable[..., str]
) -> None:
    # nothing listens on port 9: any attempt to connect would fail with a connection error
    conn_id = set_connection("oracle_nowhere", host="127.0.0.1", port=9)
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    with pytest.raises(InvalidIdentifierError, match=r"^table .* is not a valid Oracle identifier"):
        hook.get_table_metadata(table)


@pytest.mark.parametrize("owner", ["DEMO; DROP USER X", "DEMO--", '"DEMO"" OR 1=1'])
def test_owner_injection_rejected(owner: str, set_connection: Callable[..., str]) -> None:
    hook = OracleExtractHook(oracle_conn_id=set_connection("oracle_nowhere", port=9))
    with pytest.raises(InvalidIdentifierError, match=r"^owner "):
        hook.get_table_metadata("SALES_ORDER", owner=owner)


def test_describe_query_matches_the_dictionary(hook: OracleExtractHook) -> None:
    described = hook.describe_query("SELECT * FROM ALL_TYPES")
    assert _spellings(described) == ALL_TYPES_SPELLINGS


def test_describe_query_with_binds_and_expressions(hook: OracleExtractHook) -> None:
    described = hook.describe_query(
        'SELECT ID, AMOUNT * 2 AS "Doubled", ROWID AS RID, NAME FROM BENCH_ROWS '
        "WHERE ID <= :last AND NAME <> :name"
    )
    assert [(c.name, c.data_type) for c in described] == [
        ("ID", "NUMBER"),
        ("Doubled", "NUMBER"),
        ("RID", "ROWID"),
        ("NAME", "VARCHAR2"),
    ]
    assert (described[0].precision, described[0].scale) == (12, 0)
    assert described[3].char_length == 40


def test_describe_refuses_statements_that_are_not_queries(
    hook: OracleExtractHook, bench_table: Callable[[int], str]
) -> None:
    name = bench_table(1)
    with pytest.raises(ValueError, match="not a query"):
        hook.describe_query(f"DELETE FROM {name}")


def test_metadata_read_ahead_in_bulk_equals_metadata_read_one_table_at_a_time(
    hook: OracleExtractHook, new_table: Callable[..., str], oracle_emulator: EmulatorProcess
) -> None:
    keyed = new_table(
        "CREATE TABLE {name} (B VARCHAR2(5), A NUMBER(4) NOT NULL, C DATE, PRIMARY KEY (A, B))"
    )
    tables = [("DEMO", "CUSTOMER"), ("DEMO", "SALES_ORDER"), ("DEMO", keyed), ("DEMO", "NOPE")]
    one_by_one = {name: hook.get_table_metadata(f"DEMO.{name}") for _, name in tables[:3]}

    with hook.session():
        before = oracle_emulator.faults.grammar_stats()["checked"]
        assert hook.prefetch_metadata(tables) == 3
        assert oracle_emulator.faults.grammar_stats()["checked"] - before == 3
        ahead = {name: hook.get_table_metadata(f"DEMO.{name}") for _, name in tables[:3]}
        assert oracle_emulator.faults.grammar_stats()["checked"] - before == 3  # no more
        with pytest.raises(TableNotFoundError, match="NOPE"):
            hook.get_table_metadata("DEMO.NOPE")

    assert ahead == one_by_one
    assert ahead[keyed].primary_key == ("A", "B")
    assert [c.name for c in ahead[keyed].columns] == ["B", "A", "C"]
