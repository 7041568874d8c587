"""The pure parts of fault handling: connect retry settings, backoff, which errors are
transient, which are refusals, and the source named in query errors."""

from __future__ import annotations

import random

import oracledb
import pytest

from airflow_oracle_etl.hooks.connect_retry import (
    LOGON_REFUSED_CODES,
    backoff_delay,
    is_transient,
)
from airflow_oracle_etl.hooks.errors import (
    ConnectionLostError,
    FetchSettingError,
    LogonRefusedError,
    OracleUnreachableError,
    SnapshotTooOldError,
)
from airflow_oracle_etl.hooks.failures import describe_source, error_text
from airflow_oracle_etl.hooks.settings import ConnectRetrySettings, connect_retry_settings


def test_connect_retry_defaults_and_extras() -> None:
    assert connect_retry_settings({}, "ora") == ConnectRetrySettings(5, 1.0, 30.0)
    extras = {"connect_retries": "2", "connect_retry_delay": "0.5", "connect_retry_max_delay": 4}
    settings = connect_retry_settings(extras, "ora")
    assert settings == ConnectRetrySettings(2, 0.5, 4.0)
    assert settings.attempts == 3
    assert connect_retry_settings({"connect_retries": 0}, "ora").attempts == 1


@pytest.mark.parametrize(
    ("extras", "named"),
    [
        ({"connect_retries": -1}, "connect_retries"),
        ({"connect_retries": "many"}, "connect_retries"),
        ({"connect_retries": True}, "connect_retries"),
        ({"connect_retry_delay": 0}, "connect_retry_delay"),
        ({"connect_retry_delay": "soon"}, "connect_retry_delay"),
        ({"connect_retry_max_delay": "inf"}, "connect_retry_max_delay"),
    ],
)
def test_bad_connect_retry_extras_are_named(extras: dict, named: str) -> None:
    with pytest.raises(FetchSettingError, match=f"extra '{named}' of connection 'ora'"):
        connect_retry_settings(extras, "ora")


def test_backoff_doubles_is_capped_and_jittered_within_the_upper_half() -> None:
    settings = ConnectRetrySettings(retries=8, delay_s=1.0, max_delay_s=10.0)
    rng = random.Random(7)
    for retry, ceiling in enumerate([1, 2, 4, 8, 10, 10], start=1):
        delays = {backoff_delay(retry, settings, rng) for _ in range(50)}
        assert all(ceiling / 2 <= delay <= ceiling for delay in delays)
        assert len(delays) > 1  # jittered: tasks that failed together spread out


@pytest.mark.parametrize(
    ("full_code", "code", "transient"),
    [
        ("DPY-6005", None, True),  # cannot connect: refused, timed out, unreachable
        ("DPY-6001", None, True),  # service not registered (yet)
        ("DPY-4011", None, True),  # closed during the handshake
        ("ORA-12541", 12541, True),  # no listener (thick mode)
        ("ORA-12514", 12514, True),
        ("ORA-01033", 1033, True),  # database opening
        ("ORA-01017", 1017, False),
        ("ORA-28000", 28000, False),
        ("ORA-00942", 942, False),
        ("DPY-4001", None, False),  # no credentials given
    ],
)
def test_which_connect_errors_are_transient(
    full_code: str, code: int | None, transient: bool
) -> None:
    assert is_transient(full_code, code) is transient


def test_refused_logons_are_never_transient() -> None:
    assert {1017, 28000, 28001} <= LOGON_REFUSED_CODES
    assert not any(is_transient(f"ORA-{code:05d}", code) for code in LOGON_REFUSED_CODES)


@pytest.mark.parametrize(
    ("sql", "source"),
    [
        ('SELECT "ID" FROM "DEMO"."BENCH_ROWS" AS OF SCN :as_of_scn', "DEMO.BENCH_ROWS"),
        ("select id from sales_order where id > :1", "sales_order"),
        ('SELECT "A" FROM (\nSELECT a FROM "Mixed Case" t\n)', "Mixed Case"),
        ("SELECT 1 FROM DUAL", "DUAL"),
        ("BEGIN NULL; END;", "the query"),
    ],
)
def test_describe_source_names_the_table_read(sql: str, source: str) -> None:
    assert describe_source(sql) == source


def test_error_text_keeps_the_cause_and_drops_the_help_link() -> None:
    error = oracledb.OperationalError(
        "DPY-6005: cannot connect to database (CONNECTION_ID=x).\n[Errno 111] Connection refused"
        "\nHelp: https://python-oracledb.readthedocs.io/"
    )
    assert error_text(error) == (
        "DPY-6005: cannot connect to database (CONNECTION_ID=x). [Errno 111] Connection refused"
    )


def test_messages_name_the_connection_and_what_to_do() -> None:
    unreachable = str(OracleUnreachableError("ora", 4, "DPY-6005: refused"))
    assert "'ora' after 4 attempt(s)" in unreachable and "connect_retries" in unreachable
    locked = str(LogonRefusedError("ora", "etl", "ORA-28000: locked", 28000))
    assert "user 'etl'" in locked and "ALTER USER etl ACCOUNT UNLOCK" in locked
    wrong = str(LogonRefusedError("ora", "etl", "ORA-01017: invalid", 1017))
    assert "Not retried" in wrong and "connection 'ora'" in wrong
    old = str(SnapshotTooOldError("DEMO.T p2/4", "ora", 300))
    assert "reading DEMO.T p2/4 through connection 'ora' after 300 rows" in old
    lost = str(ConnectionLostError("DEMO.T", "ora", 10, "DPY-4011: closed"))
    assert "(DPY-4011: closed)" in lost and "safe to retry" in lost
