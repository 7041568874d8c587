"""TCPS emulators and the wallets for them, shared by the TLS tests of one session.

Each emulator is a child process listening for TCP and TCPS; the wallets are written once
its TCPS port is known. ``mtls`` requires client certificates (as Autonomous Database does
by default) and carries a small demo schema; ``oneway`` asks for none. The wallets whose
names start with ``fail_fast`` have ``retry_count=0`` in their aliases: with the console's
20 retries 3 s apart, a refused connection would take a minute to fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.tls import TlsFiles
from oracle_emulator.wallets import (
    DEFAULT_HOSTS,
    DEFAULT_SERVER_DN,
    ErrorCertificates,
    TestPki,
    WalletFiles,
    make_error_certificates,
    make_pki,
    service_names,
    write_wallet,
)

DB = "demo"
WALLET_PASSWORD = "Welcome1#Emulator"
SERVER_DN = DEFAULT_SERVER_DN
USER = {"user": "demo", "password": "demo"}
#: small demo data: BENCH_ROWS for a fetch of many packets and a statement slow to cancel
DEMO_ARGS = ["--demo", "--bench-rows", "20000", "--orders", "20", "--customers", "5"]
USER_ONLY_ARGS = ["--user", "DEMO/demo"]
_LOG_WAIT_S = 5.0


@dataclass(frozen=True)
class TcpsEmulator:
    """An emulator with TCPS and the wallets written for its port."""

    process: EmulatorProcess
    #: encrypted with WALLET_PASSWORD, aliases as the console writes them
    wallet: WalletFiles
    unencrypted: WalletFiles
    #: the CA only: no client certificate
    truststore: WalletFiles
    fail_fast: WalletFiles
    fail_fast_truststore: WalletFiles

    @property
    def port(self) -> int:
        return self.process.tcps_port


class LogWatch:
    """The emulator's log from now on: the server logs a refused handshake in its own
    time, possibly after the client has raised."""

    def __init__(self, process: EmulatorProcess) -> None:
        assert process.log_path is not None
        self._path = process.log_path
        self._start = self._path.stat().st_size

    def new_text(self) -> str:
        with open(self._path, "rb") as log:
            log.seek(self._start)
            return log.read().decode(errors="replace")

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + _LOG_WAIT_S
        while text not in (found := self.new_text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not logged; new log lines:\n{found}")
            time.sleep(0.05)
        return found


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"), server_dn=SERVER_DN)


@pytest.fixture(scope="session")
def error_certificates(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> ErrorCertificates:
    return make_error_certificates(
        tmp_path_factory.mktemp("error-certificates"), pki.ca, dn=SERVER_DN, hosts=DEFAULT_HOSTS
    )


def _with_wallets(process: EmulatorProcess, pki: TestPki, directory: Path) -> TcpsEmulator:
    def write(
        name: str, *, key: bool, password: str | None = None, retries: int = 20
    ) -> WalletFiles:
        return write_wallet(
            directory / name,
            ca=pki.ca,
            client=pki.client if key else None,
            db=DB,
            host=process.host,
            port=process.tcps_port,
            wallet_password=password,
            server_cert_dn=SERVER_DN,
            retry_count=retries,
        )

    return TcpsEmulator(
        process,
        wallet=write("wallet", key=True, password=WALLET_PASSWORD),
        unencrypted=write("wallet_unencrypted", key=True),
        truststore=write("truststore", key=False),
        fail_fast=write("fail_fast", key=True, password=WALLET_PASSWORD, retries=0),
        fail_fast_truststore=write("fail_fast_truststore", key=False, retries=0),
    )


def _serve(
    tmp_path_factory: pytest.TempPathFactory,
    pki: TestPki,
    name: str,
    *,
    args: list[str],
    tls: TlsFiles,
    renegotiate: bool = False,
) -> Iterator[TcpsEmulator]:
    process = EmulatorProcess(
        args=args,
        tls=tls,
        tls_renegotiate=renegotiate,
        service_aliases=list(service_names(DB).values()),
        control=False,
    )
    with process:
        yield _with_wallets(process, pki, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def mtls(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsEmulator]:
    """Mutual TLS: a client certificate signed by the test CA is required."""
    yield from _serve(tmp_path_factory, pki, "mtls", args=DEMO_ARGS, tls=pki.server_tls())


@pytest.fixture(scope="session")
def oneway(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsEmulator]:
    """One-way TLS: the server shows its certificate and asks for none."""
    yield from _serve(
        tmp_path_factory, pki, "oneway", args=USER_ONLY_ARGS, tls=pki.server_tls(mutual=False)
    )


@pytest.fixture(scope="session")
def renegotiating(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsEmulator]:
    """One-way TLS, asking each client for a second handshake after its CONNECT."""
    yield from _serve(
        tmp_path_factory,
        pki,
        "renegotiating",
        args=USER_ONLY_ARGS,
        tls=pki.server_tls(mutual=False),
        renegotiate=True,
    )


@pytest.fixture(scope="session")
def expired(
    tmp_path_factory: pytest.TempPathFactory, pki: TestPki, error_certificates: ErrorCertificates
) -> Iterator[TcpsEmulator]:
    """One-way TLS with a server certificate that expired a month ago."""
    certificate = error_certificates.expired
    yield from _serve(
        tmp_path_factory,
        pki,
        "expired",
        args=USER_ONLY_ARGS,
        tls=TlsFiles(certificate.cert, certificate.key),
    )


@pytest.fixture(scope="session")
def foreign(
    tmp_path_factory: pytest.TempPathFactory, pki: TestPki, error_certificates: ErrorCertificates
) -> Iterator[TcpsEmulator]:
    """One-way TLS with a server certificate signed by a CA the wallets do not trust."""
    certificate = error_certificates.signed_by_other_ca
    yield from _serve(
        tmp_path_factory,
        pki,
        "foreign",
        args=USER_ONLY_ARGS,
        tls=TlsFiles(certificate.cert, certificate.key),
    )
