"""Connection handling: thin mode, owners, fetch extras, SCN, and secrets kept out of errors."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

import oracledb
import pytest

from airflow_oracle_etl.hooks.errors import (
    FetchSettingError,
    LogonRefusedError,
    SnapshotPrivilegeError,
)
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

SECRET = "Wr0ng-Sekret-Passw0rd!"


def test_thin_mode_by_default(hook: OracleExtractHook) -> None:
    connection = hook.get_conn()
    try:
        assert connection.thin is True
    finally:
        connection.close()


def test_identity_is_the_oracle_connection_type() -> None:
    assert OracleExtractHook.conn_type == "oracle"
    assert OracleExtractHook.conn_name_attr == "oracle_conn_id"
    assert OracleExtractHook.default_conn_name == "oracle_default"
    assert OracleExtractHook.hook_name == "Oracle (extract to GCS)"


def test_owner_from_schema_when_service_name_is_in_extras(
    set_connection: Callable[..., str], oracle_emulator
) -> None:
    conn_id = set_connection(schema="demo")
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    assert hook.resolve_owner() == "DEMO"
    assert hook.resolve_owner('"Other Owner"') == "Other Owner"
    assert hook.get_table_metadata("SALES_ORDER").owner == "DEMO"


def test_schema_used_as_service_name_is_not_made_the_current_schema(
    set_connection: Callable[..., str], oracle_emulator
) -> None:
    conn_id = set_connection(schema=oracle_emulator.service_name, extra={})
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    normalized = hook.get_connection(conn_id)
    assert (normalized.schema, normalized.extra_dejson["service_name"]) == (None, "FREEPDB1")
    # the owner comes from the session, not from the service name
    assert hook.resolve_owner() == "DEMO"
    metadata = hook.get_table_metadata("SALES_ORDER")
    assert metadata.qualified_name == "DEMO.SALES_ORDER"
    assert sum(len(b) for b in hook.stream_batches("SELECT 1 FROM DUAL")) == 1


def test_fetch_settings_from_extras_and_arguments(
    set_connection: Callable[..., str], oracle_emulator
) -> None:
    extra = {"service_name": oracle_emulator.service_name, "arraysize": "250", "prefetchrows": 50}
    conn_id = set_connection(extra=extra)
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    assert (hook.fetch_settings.arraysize, hook.fetch_settings.prefetchrows) == (250, 50)
    batches = list(hook.stream_batches("SELECT ID FROM BENCH_ROWS WHERE ID <= 600"))
    assert [len(b) for b in batches] == [250, 250, 100]
    explicit = OracleExtractHook(oracle_conn_id=conn_id, arraysize=400)
    assert explicit.fetch_settings.arraysize == 400


def test_bad_extra_fails_with_the_extra_named(
    set_connection: Callable[..., str], oracle_emulator
) -> None:
    conn_id = set_connection(
        extra={"service_name": oracle_emulator.service_name, "arraysize": "lots"}
    )
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    with pytest.raises(FetchSettingError, match="extra 'arraysize' of connection 'oracle_test'"):
        list(hook.stream_batches("SELECT 1 FROM DUAL"))


def test_bad_argument_fails_at_construction() -> None:
    with pytest.raises(FetchSettingError, match="prefetchrows must be a positive integer"):
        OracleExtractHook(oracle_conn_id="any", prefetchrows=-1)


def test_current_scn_moves_forward(hook: OracleExtractHook, bench_table) -> None:
    first = hook.current_scn()
    bench_table(1)  # DDL commits
    second = hook.current_scn()
    assert isinstance(first, int)
    assert second > first > 0


class _NoScnAccessHook(OracleExtractHook):
    """Reads the SCN from a view the user cannot see, as a user without the grant would."""

    current_scn_sql = "SELECT CURRENT_SCN FROM V$DATABASE_NOT_GRANTED"


def test_missing_scn_grant_says_what_to_grant_and_how_to_opt_out(
    set_connection: Callable[..., str],
) -> None:
    hook = _NoScnAccessHook(oracle_conn_id=set_connection())
    with pytest.raises(SnapshotPrivilegeError) as caught:
        hook.current_scn()
    message = str(caught.value)
    assert "ORA-00942" in message
    assert "GRANT SELECT ON SYS.V_$DATABASE TO demo" in message
    assert "FLASHBACK" in message
    assert "switch consistent snapshots off" in message
    assert isinstance(caught.value.__cause__, oracledb.DatabaseError)


def test_password_never_appears_in_errors_or_logs(
    set_connection: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    hook = OracleExtractHook(oracle_conn_id=set_connection(password=SECRET))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LogonRefusedError) as caught:
        hook.get_table_metadata("SALES_ORDER")
    cause = caught.value.__cause__
    assert isinstance(cause, oracledb.DatabaseError)
    assert cause.args[0].code == 1017  # invalid username/password
    rendered = "".join(traceback.format_exception(caught.value))
    for text in (str(caught.value), repr(caught.value), rendered, caplog.text):
        assert SECRET not in text


def test_password_stays_out_of_the_logs_of_a_working_extraction(
    set_connection: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    hook = OracleExtractHook(oracle_conn_id=set_connection(login="scott", password="tiger"))
    caplog.set_level(logging.DEBUG)
    with hook.session():
        assert hook.resolve_owner() == "SCOTT"
        assert hook.current_scn() > 0
        assert list(hook.stream_batches("SELECT 1 FROM DUAL")) == [[(1,)]]
    assert "Executing on 'oracle_test'" in caplog.text
    assert "tiger" not in caplog.text
