"""Oracle connections of every form the Go service's users had, against TCPS emulators.

``mtls`` requires client certificates signed by the test CA, as Autonomous Database does by
default, and carries a small demo schema; ``oneway`` shows its certificate and asks for none;
``expired`` shows a certificate that expired. Their wallets are written once the TCPS port is
known, shaped like the ones the Autonomous Database console hands out; their aliases retry
nothing (``retry_count=0``), so a refused connection fails at once instead of after a minute.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.tls import TlsFiles
from oracle_emulator.wallets import (
    DEFAULT_HOSTS,
    DEFAULT_SERVER_DN,
    TestPki,
    WalletFiles,
    make_error_certificates,
    make_pki,
    service_names,
    write_wallet,
)
from tests.integration.operators.conftest import (  # noqa: F401 (fixtures, by name)
    ORACLE_CONN_ID,
    airflow_connections,
    airflow_db,
    run_dag,
)

DB = "demo"
WALLET_PASSWORD = "Wallet#Secret-7f3a"
SERVER_DN = DEFAULT_SERVER_DN
DEMO_ARGS = ["--demo", "--orders", "30", "--customers", "25"]
CUSTOMERS = 25


@dataclass(frozen=True)
class TcpsDatabase:
    """An emulator listening for TCP and TCPS, and the wallets written for it."""

    process: EmulatorProcess
    pki: TestPki
    #: ewallet.pem with the client key encrypted by WALLET_PASSWORD
    wallet: WalletFiles
    unencrypted: WalletFiles

    def descriptor(self, *, dn: str = SERVER_DN, protocol: str = "TCPS", port: int = 0) -> str:
        """A full connect descriptor, as Autonomous Database's "TLS" connection strings are."""
        return (
            f"(DESCRIPTION=(RETRY_COUNT=0)(ADDRESS=(PROTOCOL={protocol})(HOST={self.process.host})"
            f"(PORT={port or self.process.tcps_port}))"
            f"(CONNECT_DATA=(SERVICE_NAME={self.process.service_name}))"
            f'(SECURITY=(SSL_SERVER_DN_MATCH=YES)(SSL_SERVER_CERT_DN="{dn}")))'
        )


def _serve(
    tmp_path_factory: pytest.TempPathFactory, pki: TestPki, name: str, tls: TlsFiles
) -> Iterator[TcpsDatabase]:
    process = EmulatorProcess(
        args=DEMO_ARGS, tls=tls, service_aliases=list(service_names(DB).values()), control=False
    )
    with process:
        folder = tmp_path_factory.mktemp(name)

        def wallet(directory: str, password: str | None) -> WalletFiles:
            return write_wallet(
                folder / directory,
                ca=pki.ca,
                client=pki.client,
                db=DB,
                host=process.host,
                port=process.tcps_port,
                wallet_password=password,
                server_cert_dn=SERVER_DN,
                retry_count=0,
            )

        yield TcpsDatabase(
            process, pki, wallet("wallet", WALLET_PASSWORD), wallet("unencrypted", None)
        )


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return make_pki(tmp_path_factory.mktemp("pki"), server_dn=SERVER_DN)


@pytest.fixture(scope="session")
def mtls(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsDatabase]:
    yield from _serve(tmp_path_factory, pki, "mtls", pki.server_tls(mutual=True))


@pytest.fixture(scope="session")
def oneway(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsDatabase]:
    yield from _serve(tmp_path_factory, pki, "oneway", pki.server_tls(mutual=False))


@pytest.fixture(scope="session")
def expired(tmp_path_factory: pytest.TempPathFactory, pki: TestPki) -> Iterator[TcpsDatabase]:
    certificates = make_error_certificates(
        tmp_path_factory.mktemp("error-certificates"), pki.ca, dn=SERVER_DN, hosts=DEFAULT_HOSTS
    )
    tls = TlsFiles(certificates.expired.cert, certificates.expired.key)
    yield from _serve(tmp_path_factory, pki, "expired", tls)


@pytest.fixture
def trust_test_ca(pki: TestPki, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test CA in the worker's system trust (OpenSSL's SSL_CERT_FILE), as a public CA
    that signed a real database's certificate is: one-way TLS then needs no wallet."""
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca.cert))
    return pki.ca.cert


@pytest.fixture
def use_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """``use_connection(extra=..., **fields)``: the test's Oracle connection (the one
    ``extract_dag`` uses), as ``AIRFLOW_CONN_ORACLE_TEST`` JSON; returns its id."""

    def use(*, extra: dict[str, Any], **fields: Any) -> str:
        connection = {"conn_type": "oracle", "login": "demo", "password": "demo", **fields}
        connection["extra"] = {"connect_retries": 0, **extra}
        monkeypatch.setenv(f"AIRFLOW_CONN_{ORACLE_CONN_ID.upper()}", json.dumps(connection))
        return ORACLE_CONN_ID

    return use
