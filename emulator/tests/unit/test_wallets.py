"""The wallet maker's files: what python-oracledb's thin mode will read in them.

The driver loads ``ewallet.pem`` with ``ssl.SSLContext.load_verify_locations`` and
``load_cert_chain(password=...)``; these tests load them the same way.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

from oracle_emulator.wallets import (
    DEFAULT_SERVER_DN,
    SQLNET_ORA,
    AdbWallets,
    make_adb_wallets,
    service_names,
)
from oracle_emulator.wallets.cli import main as wallets_main

PASSWORD = "Welcome1#Unit"
SERVER_DN = "CN=adb.example.oraclecloud.com,O=Oracle Corporation,L=Redwood City,ST=California,C=US"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> AdbWallets:
    return make_adb_wallets(
        tmp_path_factory.mktemp("wallets"),
        db="demo",
        port=2484,
        wallet_password=PASSWORD,
        error_certificates=True,
    )


def _pem_blocks(path: Path) -> list[str]:
    return [
        line[len("-----BEGIN ") : -len("-----")]
        for line in path.read_text().splitlines()
        if line.startswith("-----BEGIN ")
    ]


def _certificates(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def test_encrypted_wallet_holds_pkcs8_key_then_client_then_ca(made: AdbWallets) -> None:
    assert made.wallet is not None
    pem = made.wallet.ewallet_pem
    assert _pem_blocks(pem) == ["ENCRYPTED PRIVATE KEY", "CERTIFICATE", "CERTIFICATE"]
    client, ca = _certificates(pem)
    assert client.subject == made.pki.client.load_certificate().subject
    assert ca.subject == ca.issuer == made.pki.ca.load_certificate().subject
    assert pem.stat().st_mode & 0o777 == 0o600


def test_encrypted_key_opens_with_the_wallet_password_only(made: AdbWallets) -> None:
    assert made.wallet is not None
    pem = str(made.wallet.ewallet_pem)
    context = ssl.create_default_context()
    context.load_verify_locations(pem)
    context.load_cert_chain(pem, password=PASSWORD)  # as the thin driver loads it
    with pytest.raises(ssl.SSLError):
        ssl.create_default_context().load_cert_chain(pem, password="wrong")
    key = serialization.load_pem_private_key(
        made.wallet.ewallet_pem.read_bytes(), password=PASSWORD.encode()
    )
    assert key.public_key() == made.pki.client.load_certificate().public_key()


def test_unencrypted_wallet_and_truststore(made: AdbWallets) -> None:
    assert _pem_blocks(made.unencrypted.ewallet_pem) == [
        "PRIVATE KEY",
        "CERTIFICATE",
        "CERTIFICATE",
    ]
    ssl.create_default_context().load_cert_chain(str(made.unencrypted.ewallet_pem))
    assert not made.unencrypted.encrypted
    assert _pem_blocks(made.truststore.ewallet_pem) == ["CERTIFICATE"]
    assert not made.truststore.has_client_key


def test_tnsnames_has_adb_aliases_over_tcps_with_dn_match(made: AdbWallets) -> None:
    text = made.unencrypted.tnsnames_ora.read_text()
    assert made.unencrypted.services == service_names("demo")
    for group in ("high", "medium", "low"):
        assert (
            f"demo_{group} = (description= (retry_count=20)(retry_delay=3)"
            f"(address=(protocol=tcps)(port=2484)(host=127.0.0.1))"
            f"(connect_data=(service_name=demo_{group}.adb.oraclecloud.com))"
            f'(security=(ssl_server_dn_match=yes)(ssl_server_cert_dn="{SERVER_DN}")))'
        ) in text
    assert made.unencrypted.sqlnet_ora.read_text() == SQLNET_ORA
    assert SQLNET_ORA == (
        'WALLET_LOCATION = (SOURCE = (METHOD = file) (METHOD_DATA = (DIRECTORY="?/network/admin")))'
        "\nSSL_SERVER_DN_MATCH=yes\n"
    )


def test_server_certificate_dn_names_and_issuer(made: AdbWallets) -> None:
    server = made.pki.server.load_certificate()
    assert server.subject.rfc4514_string() == DEFAULT_SERVER_DN == SERVER_DN
    assert server.issuer == made.pki.ca.load_certificate().subject
    names = server.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    usage = server.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value
    assert list(usage) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert server.not_valid_before_utc < _now() < server.not_valid_after_utc
    client = made.pki.client.load_certificate()
    usage = client.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_error_certificates_expired_and_foreign(made: AdbWallets) -> None:
    assert made.errors is not None
    expired = made.errors.expired.load_certificate()
    assert expired.not_valid_after_utc < _now()
    assert expired.issuer == made.pki.ca.load_certificate().subject
    foreign = made.errors.signed_by_other_ca.load_certificate()
    assert foreign.issuer == made.errors.other_ca.load_certificate().subject
    assert foreign.issuer != made.pki.ca.load_certificate().subject
    assert foreign.subject.rfc4514_string() == SERVER_DN


def test_cli_makes_the_layout_and_prints_the_emulator_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        wallets_main(
            [
                str(tmp_path),
                "--db",
                "sales",
                "--port",
                "1522",
                "--no-dn-in-tnsnames",
                "--server-dn",
                "CN=db.example.com,O=Example",
                "--retry-count",
                "0",
            ]
        )
        == 0
    )
    for name in ("ca", "server", "client"):
        assert (tmp_path / name / "cert.pem").is_file()
        assert (tmp_path / name / "key.pem").is_file()
    assert not (tmp_path / "wallet").exists()  # no password: only the unencrypted wallet
    tnsnames = (tmp_path / "wallet_unencrypted" / "tnsnames.ora").read_text()
    assert "sales_medium = (description= (retry_count=0)" in tnsnames
    assert "ssl_server_cert_dn" not in tnsnames
    out = capsys.readouterr().out
    assert f"--tls-ca {tmp_path / 'ca' / 'cert.pem'}" in out
    assert "--service-alias sales_low.adb.oraclecloud.com" in out
    server = x509.load_pem_x509_certificate((tmp_path / "server" / "cert.pem").read_bytes())
    assert server.subject.rfc4514_string() == "CN=db.example.com,O=Example"
