"""Which connections name a TNS alias, and which driver errors are refused TLS handshakes."""

from __future__ import annotations

import json

import oracledb
import pytest
from airflow.models.connection import Connection
from airflow.sdk import Connection as TaskConnection  # what a task's hook gets

from airflow_oracle_etl.hooks.addresses import resolve_address, tns_alias
from airflow_oracle_etl.hooks.errors import ConnectionSetupError
from airflow_oracle_etl.hooks.tls_failures import tls_failure


@pytest.mark.parametrize(
    ("uri", "alias"),
    [
        ("oracle://u:p@/?dsn=mydb_high", "mydb_high"),
        ("oracle://u:p@sales_tcp", "sales_tcp"),  # the alias in the host field
        ("oracle://u:p@/?dsn=sales.example.com", "sales.example.com"),
        ("oracle://u:p@db.example.com:1521/?service_name=ORCL", None),
        ("oracle://u:p@db.example.com/ORCL", None),  # schema names the service
        ("oracle://u:p@/?dsn=db.example.com%3A1521%2FORCL", None),  # Easy Connect
        ("oracle://u:p@/?dsn=tcps%3A%2F%2Fdb%3A1522%2Fs", None),  # Easy Connect Plus
        ("oracle://u:p@/?dsn=%28DESCRIPTION%3D%28ADDRESS%3D%29%29", None),  # a descriptor
    ],
)
def test_a_bare_name_is_an_alias(uri: str, alias: str | None) -> None:
    assert tns_alias(Connection(conn_id="c", uri=uri)) == alias


def test_a_connection_without_an_alias_or_wallet_is_left_as_it_is() -> None:
    connection = TaskConnection(
        conn_id="c", conn_type="oracle", host="db", port=1521, extra='{"service_name": "ORCL"}'
    )
    assert resolve_address(connection) is connection


def test_an_alias_resolves_to_its_descriptor_and_the_wallet_folder_defaults(tmp_path) -> None:
    (tmp_path / "tnsnames.ora").write_text(
        "mydb_high = (description=(address=(protocol=tcps)(port=1522)(host=adb.example.com))"
        "(connect_data=(service_name=x_high.adb.oraclecloud.com))"
        "(security=(ssl_server_dn_match=yes)))\n"
    )
    (tmp_path / "ewallet.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    connection = TaskConnection(
        conn_id="c", conn_type="oracle", login="u", password="p",
        extra=json.dumps({"dsn": "mydb_high", "config_dir": str(tmp_path)}),
    )  # fmt: skip
    extras = resolve_address(connection).extra_dejson
    assert "(PROTOCOL=tcps)(HOST=adb.example.com)(PORT=1522)" in extras["dsn"]
    assert "SSL_SERVER_DN_MATCH=ON" in extras["dsn"]
    assert extras["wallet_location"] == str(tmp_path)


def test_an_unreadable_tnsnames_names_its_path(tmp_path) -> None:
    connection = TaskConnection(
        conn_id="c", conn_type="oracle", extra=json.dumps({"dsn": "x", "tns_admin": str(tmp_path)})
    )
    with pytest.raises(ConnectionSetupError, match=rf"{tmp_path}/tnsnames.ora is missing"):
        resolve_address(connection)


def _driver_error(text: str) -> oracledb.Error:
    return oracledb.OperationalError(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("DPY-6005: cannot connect\n[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
         "failed: certificate has expired", "has expired"),
        ("DPY-6005: cannot connect\n[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
         "failed: unable to get local issuer certificate", "not signed by a CA"),
        ("DPY-6005: x\nDPY-6002: The distinguished name (DN) on the server certificate does "
         "not match", "distinguished name"),
        ("DPY-6005: x\n[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate "
         "required", "requires a client certificate"),
        ("DPY-6005: x\n[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of "
         "protocol", "during the TLS handshake"),
    ],
)  # fmt: skip
def test_refused_handshakes_are_told_apart(text: str, problem: str) -> None:
    failure = tls_failure(_driver_error(text), "c")
    assert failure is not None and problem in str(failure)


@pytest.mark.parametrize(
    "text",
    ["DPY-6005: cannot connect\n[Errno 111] Connection refused", "DPY-4011: closed"],
)
def test_a_database_that_is_down_is_no_tls_failure(text: str) -> None:
    assert tls_failure(_driver_error(text), "c") is None


def test_a_wallet_in_tns_admin_is_not_forced_on_a_tcp_connection(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ewallet.pem").write_text("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    monkeypatch.setenv("TNS_ADMIN", str(tmp_path))
    connection = TaskConnection(
        conn_id="c", conn_type="oracle", host="db", port=1521, extra='{"service_name": "ORCL"}'
    )
    assert resolve_address(connection) is connection
