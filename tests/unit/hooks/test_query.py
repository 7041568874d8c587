from __future__ import annotations

import pytest

from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND, build_select, wrap_query
from airflow_oracle_etl.identifiers import InvalidIdentifierError
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata


def _table(owner: str, name: str) -> TableMetadata:
    return TableMetadata(
        owner=owner, name=name, columns=(OracleColumn(name="ID", data_type="NUMBER"),)
    )


def test_select_qualifies_and_quotes_the_table() -> None:
    sql = build_select(_table("DEMO", "SALES_ORDER"), '"ID", "STATUS"')
    assert sql == 'SELECT "ID", "STATUS" FROM "DEMO"."SALES_ORDER"'


def test_select_keeps_mixed_case_and_spaces_exact() -> None:
    sql = build_select(_table("Demo Owner", "Mixed_Case"), '"Id", "Some Col"')
    assert sql == 'SELECT "Id", "Some Col" FROM "Demo Owner"."Mixed_Case"'


def test_select_as_of_scn_leaves_a_named_bind() -> None:
    sql = build_select(_table("DEMO", "T"), '"ID"', as_of_scn=True)
    assert sql == f'SELECT "ID" FROM "DEMO"."T" AS OF SCN :{AS_OF_SCN_BIND}'


def test_where_is_parenthesised_on_its_own_lines_after_as_of() -> None:
    sql = build_select(
        _table("DEMO", "T"), '"ID"', where="ID > :low -- trailing comment", as_of_scn=True
    )
    assert sql == (
        'SELECT "ID" FROM "DEMO"."T" AS OF SCN :as_of_scn WHERE (\nID > :low -- trailing comment\n)'
    )


@pytest.mark.parametrize("where", [None, "", "   "])
def test_blank_where_adds_no_clause(where: str | None) -> None:
    assert "WHERE" not in build_select(_table("DEMO", "T"), '"ID"', where=where)


def test_empty_select_list_is_refused() -> None:
    with pytest.raises(ValueError, match=r"empty select list for DEMO\.T"):
        build_select(_table("DEMO", "T"), " ")


def test_names_that_sql_cannot_hold_are_refused() -> None:
    with pytest.raises(InvalidIdentifierError, match=r"^table "):
        build_select(_table("DEMO", 'T" --'), '"ID"')


def test_wrap_query_keeps_the_user_query_on_its_own_lines() -> None:
    sql = wrap_query("SELECT * FROM T -- note", '"A", "B"')
    assert sql == 'SELECT "A", "B" FROM (\nSELECT * FROM T -- note\n)'
