"""Connections that cannot work say why, name the connection and what to change, never echo a
secret, and are not retried (a listener that is down still is: see the faults tests)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from google.cloud import storage

from airflow_oracle_etl.errors import AccessError, ConfigurationError
from airflow_oracle_etl.hooks.errors import (
    ConnectionSecurityError,
    ConnectionSetupError,
    OracleUnreachableError,
)
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

from ..operators.conftest import Code, DagResult, extract_dag
from .conftest import WALLET_PASSWORD, TcpsDatabase


def _connect_error(conn_id: str) -> Exception:
    hook = OracleExtractHook(oracle_conn_id=conn_id)
    with pytest.raises(Exception) as raised:
        hook.current_scn()
    return raised.value


def _check(error: Exception, kind: type[Exception], *texts: str) -> str:
    assert isinstance(error, kind), repr(error)
    message = str(error)
    for text in texts:
        assert text in message
    assert WALLET_PASSWORD not in message
    assert "oracle_test" in message  # the connection at fault
    return message


def test_a_wrong_wallet_password_is_a_missing_client_certificate(
    mtls: TcpsDatabase, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": "demo_high", "config_dir": str(mtls.wallet.directory),
                                    "wallet_password": "not-the-password"})  # fmt: skip
    message = _check(
        _connect_error(conn_id), ConnectionSecurityError, "requires a client certificate"
    )
    assert "wallet_password" in message  # what to change
    assert "not-the-password" not in message


def test_an_encrypted_wallet_without_its_password_is_refused_before_connecting(
    mtls: TcpsDatabase, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": "demo_high", "config_dir": str(mtls.wallet.directory)})
    _check(_connect_error(conn_id), ConnectionSetupError, "encrypted key", "'wallet_password'")


def test_a_missing_wallet_file_names_the_folder(
    mtls: TcpsDatabase, use_connection: Callable[..., str], tmp_path: Path
) -> None:
    shutil.copy(mtls.wallet.tnsnames_ora, tmp_path / "tnsnames.ora")  # no ewallet.pem
    conn_id = use_connection(extra={"dsn": "demo_high", "config_dir": str(tmp_path),
                                    "wallet_location": str(tmp_path),
                                    "wallet_password": WALLET_PASSWORD})  # fmt: skip
    _check(
        _connect_error(conn_id), ConnectionSetupError, f"{tmp_path}/ewallet.pem", "cannot be read"
    )


def test_an_unknown_alias_lists_the_ones_there_are(
    mtls: TcpsDatabase, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": "demo_hihg", "config_dir": str(mtls.wallet.directory),
                                    "wallet_password": WALLET_PASSWORD})  # fmt: skip
    _check(
        _connect_error(conn_id),
        ConnectionSetupError,
        "'demo_hihg' is not in",
        "demo_high, demo_low, demo_medium",
    )


def test_an_alias_without_a_tnsnames_folder_says_which_extra_to_set(
    use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TNS_ADMIN", raising=False)
    conn_id = use_connection(extra={"dsn": "demo_high"})
    _check(_connect_error(conn_id), ConnectionSetupError, "'config_dir'", "TNS_ADMIN")


def test_a_server_dn_that_does_not_match(
    oneway: TcpsDatabase, trust_test_ca: Path, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": oneway.descriptor(dn="CN=other.example.com,O=Else")})
    _check(_connect_error(conn_id), ConnectionSecurityError, "distinguished name", "DPY-6002")


def test_a_server_certificate_from_an_untrusted_ca(
    oneway: TcpsDatabase, use_connection: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only
    conn_id = use_connection(extra={"dsn": oneway.descriptor()})
    _check(_connect_error(conn_id), ConnectionSecurityError, "not signed by a CA this worker")


def test_an_expired_server_certificate(
    expired: TcpsDatabase, trust_test_ca: Path, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": expired.descriptor()})
    _check(_connect_error(conn_id), ConnectionSecurityError, "has expired")


def test_tls_against_a_plain_tcp_port(
    oneway: TcpsDatabase, trust_test_ca: Path, use_connection: Callable[..., str]
) -> None:
    conn_id = use_connection(extra={"dsn": oneway.descriptor(port=oneway.process.port)})
    _check(_connect_error(conn_id), ConnectionSecurityError, "plain TCP listener")


def test_plain_tcp_against_a_tcps_port(
    oneway: TcpsDatabase, use_connection: Callable[..., str]
) -> None:
    # a database restarting closes connections the same way: this one is retried (here 0
    # times), and the message says what else it may be
    conn_id = use_connection(extra={"dsn": oneway.descriptor(protocol="TCP")})
    _check(_connect_error(conn_id), OracleUnreachableError, "DPY-4011", "connect over TCPS")


def test_a_bad_wallet_fails_the_task_without_its_retries(
    mtls: TcpsDatabase,
    use_connection: Callable[..., str],
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    use_connection(extra={"dsn": "demo_high", "config_dir": str(mtls.wallet.directory),
                          "wallet_password": "not-the-password"})  # fmt: skip
    result = run_dag(
        extract_dag(
            gcs_bucket.name, table="CUSTOMER", retries=3, retry_delay=Code("dt.timedelta(0)")
        )
    )

    assert result.tasks[("extract", -1)] == ("failed", 1)
    log = "".join(capfd.readouterr())
    assert "ConnectionSecurityError" in log
    assert "not-the-password" not in log


def test_the_errors_are_permanent_ones() -> None:
    assert issubclass(ConnectionSecurityError, AccessError)
    assert issubclass(ConnectionSetupError, ConfigurationError)
