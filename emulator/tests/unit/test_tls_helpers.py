"""The small TLS helpers: Oracle's SNI names, spotting a ClientHello, the server context
and the command line's TLS options."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import pytest

from oracle_emulator.cli import build_parser, tls_context
from oracle_emulator.protocol.connect import build_tls_renegotiate
from oracle_emulator.protocol.constants import PACKET_FLAG_TLS_RENEG, PacketType
from oracle_emulator.tls import (
    OracleSni,
    TlsFiles,
    looks_like_client_hello,
    parse_oracle_sni,
    server_context,
)
from oracle_emulator.wallets import make_pki


def test_oracle_sni_names_are_parsed() -> None:
    # the form python-oracledb's Transport._calc_sni_data writes
    assert parse_oracle_sni("S8.FREEPDB1.V3.319") == OracleSni("FREEPDB1", None, 319)
    assert parse_oracle_sni("S29.demo_high.adb.oraclecloud.com.V3.319") == OracleSni(
        "demo_high.adb.oraclecloud.com", None, 319
    )
    assert parse_oracle_sni("S4.SALE.T1.D.V3.319") == OracleSni("SALE", "D", 319)


@pytest.mark.parametrize(
    "name", [None, "", "localhost", "adb.example.oraclecloud.com", "S9.FREEPDB1.V3.319"]
)
def test_other_server_names_are_not_oracle_sni(name: str | None) -> None:
    assert parse_oracle_sni(name) is None


def test_client_hello_is_told_from_a_connect_packet() -> None:
    incoming = ssl.MemoryBIO()
    outgoing = ssl.MemoryBIO()
    client = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname="x")
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    assert looks_like_client_hello(outgoing.read())
    connect_header = bytes((0x00, 0x4A, 0x00, 0x00, PacketType.CONNECT, 0, 0, 0))
    assert not looks_like_client_hello(connect_header)
    assert not looks_like_client_hello(b"\x16\x03")


def test_tls_renegotiation_packet_is_a_flagged_resend() -> None:
    packet = build_tls_renegotiate()
    assert int.from_bytes(packet[:2], "big") == len(packet) == 8
    assert packet[4] == PacketType.RESEND
    assert packet[5] == PACKET_FLAG_TLS_RENEG


def test_server_context_is_tls_1_2_and_up_and_mutual_with_a_ca(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    mutual = server_context(pki.server_tls(mutual=True))
    assert mutual.minimum_version is ssl.TLSVersion.TLSv1_2
    assert mutual.maximum_version is ssl.TLSVersion.TLSv1_3
    assert mutual.verify_mode is ssl.CERT_REQUIRED
    assert server_context(pki.server_tls(mutual=False)).verify_mode is ssl.CERT_NONE
    with pytest.raises(ValueError, match="key"):
        server_context(TlsFiles(pki.server.cert, pki.client.key))  # key of another cert
    assert pki.server_tls().cli_args() == [
        "--tls-cert",
        str(pki.server.cert),
        "--tls-key",
        str(pki.server.key),
        "--tls-ca",
        str(pki.ca.cert),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tcps-port", "0"], "--tcps-port needs --tls-cert and --tls-key"),
        (["--tls-cert", "x.pem", "--tls-key", "y.pem"], "the --tls-* options need --tcps-port"),
        (["--tls-renegotiate"], "the --tls-* options need --tcps-port"),
        (
            ["--tcps-port", "0", "--tls-cert", "missing.pem", "--tls-key", "missing.key"],
            "cannot load the TLS certificate missing.pem",
        ),
    ],
)
def test_cli_tls_options_are_checked(argv: list[str], message: str) -> None:
    with pytest.raises(SystemExit, match=re.escape(message)):
        tls_context(build_parser().parse_args(argv))


def test_cli_without_tcps_has_no_tls_context() -> None:
    assert tls_context(build_parser().parse_args([])) is None
