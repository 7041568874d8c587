"""What the thin driver reports when TCPS goes wrong, and that the server serves on.

Every failure is DPY-6005 ("cannot connect to database") with the cause's text after it:
the driver's own check (DPY-2018 no wallet file, DPY-6002 DN, DPY-6006 host name), the TLS
alert the emulator sent (certificate required, unknown CA, protocol version) or OpenSSL's
verdict on the server certificate. The wallets here have ``retry_count=0``.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import sys
import warnings
from pathlib import Path

import oracledb
import pytest

from oracle_emulator.wallets import (
    ErrorCertificates,
    TestPki,
    issue_client_certificate,
    write_wallet,
)
from tests.integration.tls.conftest import (
    DB,
    SERVER_DN,
    USER,
    WALLET_PASSWORD,
    LogWatch,
    TcpsEmulator,
)

pytestmark = pytest.mark.timeout(60)

_CHILD_TIMEOUT_S = 30


def _connect_error(**params: object) -> str:
    """The driver's error text for a connect that must fail (DPY-6005 and its cause)."""
    with pytest.raises(oracledb.OperationalError) as failure:
        oracledb.connect(**USER, **params)  # type: ignore[arg-type]
    assert failure.value.args[0].full_code == "DPY-6005"
    return str(failure.value)


def _alias(wallet: Path, alias: str = "demo_high", **params: object) -> dict[str, object]:
    return {"dsn": alias, "config_dir": str(wallet), "wallet_location": str(wallet), **params}


def _assert_serves(emulator: TcpsEmulator) -> None:
    """The emulator still takes a good connection over TCPS."""
    wallet = str(emulator.fail_fast.directory)
    with oracledb.connect(
        **USER,
        dsn="demo_low",
        config_dir=wallet,
        wallet_location=wallet,
        wallet_password=WALLET_PASSWORD,
    ) as connection:
        assert connection.cursor().execute("SELECT USER FROM DUAL").fetchone() == ("DEMO",)


def test_wrong_wallet_password_presents_no_certificate(mtls: TcpsEmulator) -> None:
    # the driver ignores a key it cannot decrypt: the handshake goes on without a
    # certificate, and the server refuses it
    watch = LogWatch(mtls.process)
    text = _connect_error(**_alias(mtls.fail_fast.directory, wallet_password="wrong"))
    assert "tlsv13 alert certificate required" in text
    watch.wait_for("failed: PEER_DID_NOT_RETURN_A_CERTIFICATE")
    _assert_serves(mtls)


def test_client_without_certificate_when_mutual_tls_is_required(mtls: TcpsEmulator) -> None:
    text = _connect_error(**_alias(mtls.fail_fast_truststore.directory))
    assert "tlsv13 alert certificate required" in text


def test_client_certificate_from_another_ca_is_refused(
    mtls: TcpsEmulator, error_certificates: ErrorCertificates, pki: TestPki, tmp_path: Path
) -> None:
    watch = LogWatch(mtls.process)
    stranger = issue_client_certificate(error_certificates.other_ca, tmp_path / "stranger")
    wallet = write_wallet(
        tmp_path / "wallet",
        ca=pki.ca,
        client=stranger,
        db=DB,
        host="127.0.0.1",
        port=mtls.port,
        retry_count=0,
    )
    text = _connect_error(**_alias(wallet.directory))
    assert "tlsv1 alert unknown ca" in text
    watch.wait_for("failed: CERTIFICATE_VERIFY_FAILED")


def test_missing_ewallet_pem(mtls: TcpsEmulator, tmp_path: Path) -> None:
    shutil.copy(mtls.fail_fast.tnsnames_ora, tmp_path / "tnsnames.ora")
    text = _connect_error(**_alias(tmp_path, wallet_password=WALLET_PASSWORD))
    assert f"DPY-2018: wallet file {tmp_path / 'ewallet.pem'} was not found" in text


def test_encrypted_wallet_without_password_makes_openssl_prompt(mtls: TcpsEmulator) -> None:
    # the driver hands password=None to load_cert_chain, and OpenSSL then asks for the pass
    # phrase on the terminal: run it where there is none (new session, stdin from
    # /dev/null), where the prompt fails at once
    wallet = str(mtls.fail_fast.directory)
    script = (
        "import oracledb\n"
        "try:\n"
        f"    oracledb.connect(user='demo', password='demo', dsn='demo_high',"
        f" config_dir={wallet!r}, wallet_location={wallet!r})\n"
        "except oracledb.Error as exc:\n"
        "    print(exc)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=_CHILD_TIMEOUT_S,
        start_new_session=True,
        check=True,
    )
    assert "Enter PEM pass phrase:" in child.stderr
    assert child.stdout.startswith("DPY-6005: cannot connect to database")
    assert "[Errno 22] Invalid argument" in child.stdout


def test_server_dn_not_matching(oneway: TcpsEmulator) -> None:
    expected = "CN=other.example.com,O=Oracle Corporation,C=US"
    dsn = (
        f"(DESCRIPTION=(RETRY_COUNT=0)(ADDRESS=(PROTOCOL=TCPS)(HOST=127.0.0.1)(PORT={oneway.port}))"
        "(CONNECT_DATA=(SERVICE_NAME=FREEPDB1))"
        f'(SECURITY=(SSL_SERVER_DN_MATCH=YES)(SSL_SERVER_CERT_DN="{expected}")'
        f"(MY_WALLET_DIRECTORY={oneway.truststore.directory})))"
    )
    text = _connect_error(dsn=dsn)
    assert (
        "DPY-6002: The distinguished name (DN) on the server certificate does not match the "
        f"expected value: {expected}"
    ) in text


def test_host_name_not_on_the_certificate(oneway: TcpsEmulator) -> None:
    # no DN to expect: the driver checks the host against the certificate's DNS names and
    # common name, never its IP addresses
    dsn = (
        f"tcps://127.0.0.1:{oneway.port}/FREEPDB1"
        f"?wallet_location={oneway.truststore.directory}&retry_count=0"
    )
    text = _connect_error(dsn=dsn)
    assert (
        "DPY-6006: The name on the server certificate does not match the expected value: "
        '"127.0.0.1"'
    ) in text


def test_server_certificate_from_an_untrusted_ca(foreign: TcpsEmulator, pki: TestPki) -> None:
    dsn = (
        f'tcps://127.0.0.1:{foreign.port}/FREEPDB1?ssl_server_cert_dn="{SERVER_DN}"'
        f"&wallet_location={foreign.fail_fast_truststore.directory}&retry_count=0"
    )
    text = _connect_error(dsn=dsn)
    assert "certificate verify failed: unable to get local issuer certificate" in text


def test_expired_server_certificate(expired: TcpsEmulator) -> None:
    dsn = (
        f'tcps://127.0.0.1:{expired.port}/FREEPDB1?ssl_server_cert_dn="{SERVER_DN}"'
        f"&wallet_location={expired.fail_fast_truststore.directory}&retry_count=0"
    )
    text = _connect_error(dsn=dsn)
    assert "certificate verify failed: certificate has expired" in text


def test_plain_tcp_client_on_the_tcps_port(mtls: TcpsEmulator) -> None:
    watch = LogWatch(mtls.process)
    text = _connect_error(dsn=f"127.0.0.1:{mtls.port}/FREEPDB1?retry_count=0")
    assert "DPY-4011: the database or network closed the connection" in text
    assert "TLS handshake with 127.0.0.1:" in watch.wait_for("TLS handshake with")
    _assert_serves(mtls)


def test_tls_client_on_the_tcp_port(mtls: TcpsEmulator) -> None:
    watch = LogWatch(mtls.process)
    dsn = (
        f"tcps://127.0.0.1:{mtls.process.port}/FREEPDB1"
        f"?wallet_location={mtls.unencrypted.directory}&retry_count=0"
    )
    text = _connect_error(dsn=dsn)
    assert "EOF occurred in violation of protocol" in text
    watch.wait_for("started a TLS handshake on the TCP port (TCPS is another port): closed")
    _assert_serves(mtls)
    with oracledb.connect(**USER, dsn=mtls.process.dsn) as connection:  # TCP serves on too
        assert connection.cursor().execute("SELECT 1 FROM DUAL").fetchone() == (1,)


@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls_1_0_and_1_1_are_refused(oneway: TcpsEmulator, pki: TestPki, version: str) -> None:
    watch = LogWatch(oneway.process)
    context = ssl.create_default_context(cafile=str(pki.ca.cert))
    context.check_hostname = False
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer the old versions
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = getattr(ssl.TLSVersion, version)
        context.minimum_version = old
        context.maximum_version = old
    text = _connect_error(
        dsn=f"tcps://127.0.0.1:{oneway.port}/FREEPDB1?retry_count=0&ssl_server_dn_match=off",
        ssl_context=context,
    )
    assert "tlsv1 alert protocol version" in text  # the server's alert
    watch.wait_for("failed: UNSUPPORTED_PROTOCOL")
