"""The statement that gives each of the provider's sessions the NLS values its SQL needs."""

from __future__ import annotations

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.session_nls import SESSION_NLS, SESSION_NLS_SQL
from airflow_oracle_etl.resume import binary_collation


def test_one_statement_sets_the_decimal_point_and_binary_collation() -> None:
    assert SESSION_NLS_SQL == (
        "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' NLS_SORT = 'BINARY' NLS_COMP = 'BINARY'"
    )
    assert OracleExtractHook.session_nls_sql == SESSION_NLS_SQL


def test_the_values_set_are_those_the_restart_keys_accept() -> None:
    values = dict(SESSION_NLS)
    assert values["NLS_NUMERIC_CHARACTERS"][0] == "."  # Python's text of a float
    assert binary_collation(values)


def test_dates_and_time_zone_stay_the_users() -> None:
    names = {name for name, _ in SESSION_NLS}
    assert not names & {"NLS_DATE_FORMAT", "NLS_TIMESTAMP_FORMAT", "TIME_ZONE", "NLS_LANGUAGE"}
