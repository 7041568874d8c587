"""Wallet directories shaped like the one the Autonomous Database console hands out.

:func:`make_adb_wallets` makes everything in one go when the TCPS port is known;
otherwise make the certificates first (:func:`~oracle_emulator.wallets.make_pki`), start the
emulator with them, and write the wallets with :func:`write_wallet` once its port is known.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from oracle_emulator.wallets.files import (
    ADB_RETRY_COUNT,
    ADB_RETRY_DELAY_S,
    SQLNET_ORA,
    ewallet_pem,
    service_names,
    tnsnames_ora,
)
from oracle_emulator.wallets.pki import (
    DEFAULT_CLIENT_DN,
    DEFAULT_HOSTS,
    DEFAULT_SERVER_DN,
    Credential,
    TestPki,
    issue_server_certificate,
    make_ca,
    make_pki,
)

__all__ = [
    "AdbWallets",
    "ErrorCertificates",
    "WalletFiles",
    "make_adb_wallets",
    "make_error_certificates",
    "write_wallet",
]

EWALLET_PEM = "ewallet.pem"
TNSNAMES_ORA = "tnsnames.ora"
SQLNET_ORA_FILE = "sqlnet.ora"
_PRIVATE = 0o600


@dataclass(frozen=True)
class WalletFiles:
    """One wallet directory: pass it as both ``config_dir`` and ``wallet_location``."""

    directory: Path
    ewallet_pem: Path
    tnsnames_ora: Path
    sqlnet_ora: Path
    #: alias -> service name, e.g. ``demo_high`` -> ``demo_high.adb.oraclecloud.com``
    services: dict[str, str] = field(default_factory=dict)
    #: whether ewallet.pem holds a client key (and certificate), i.e. can do mutual TLS
    has_client_key: bool = True
    #: whether that key is encrypted (then ``wallet_password`` is needed)
    encrypted: bool = False


@dataclass(frozen=True)
class ErrorCertificates:
    """Server certificates a client must refuse: expired, and signed by a CA it does not
    trust (``other_ca``)."""

    expired: Credential
    other_ca: Credential
    signed_by_other_ca: Credential


@dataclass(frozen=True)
class AdbWallets:
    """What :func:`make_adb_wallets` made."""

    pki: TestPki
    #: ewallet.pem with the client key encrypted by the wallet password (None without one)
    wallet: WalletFiles | None
    #: the same with the key in clear
    unencrypted: WalletFiles
    #: only the CA: one-way TLS, the server verified, no client certificate
    truststore: WalletFiles
    errors: ErrorCertificates | None = None


def write_wallet(
    directory: Path,
    *,
    ca: Credential,
    client: Credential | None,
    db: str,
    host: str,
    port: int,
    wallet_password: str | None = None,
    server_cert_dn: str | None = DEFAULT_SERVER_DN,
    services: Mapping[str, str] | None = None,
    retry_count: int = ADB_RETRY_COUNT,
    retry_delay: int = ADB_RETRY_DELAY_S,
) -> WalletFiles:
    """Write ``ewallet.pem``, ``tnsnames.ora`` and ``sqlnet.ora`` into ``directory``.

    :param client: the certificate and key to present; None writes a trust store (CA only)
    :param wallet_password: encrypt the client key with it (as the console always does)
    :param server_cert_dn: the DN each alias expects of the server (``ssl_server_cert_dn``);
        None leaves the driver to match ``host`` against the certificate's DNS names
    :param services: alias -> service name; by default ``<db>_high``, ``_medium``, ``_low``
    :param retry_count: connect retries in each alias; the console's 20 (3 s apart) make a
        refused connection take a minute to fail, which tests of failures may not want
    """
    directory.mkdir(parents=True, exist_ok=True)
    services = dict(service_names(db) if services is None else services)
    certificates = [ca.cert.read_bytes()]
    key = None
    if client is not None:
        certificates.insert(0, client.cert.read_bytes())
        key = client.load_key()
    pem = directory / EWALLET_PEM
    pem.write_bytes(ewallet_pem(certificates, key, wallet_password))
    pem.chmod(_PRIVATE)
    tnsnames = directory / TNSNAMES_ORA
    tnsnames.write_text(
        tnsnames_ora(
            services,
            host,
            port,
            server_cert_dn=server_cert_dn,
            retry_count=retry_count,
            retry_delay=retry_delay,
        ),
        encoding="utf-8",
    )
    sqlnet = directory / SQLNET_ORA_FILE
    sqlnet.write_text(SQLNET_ORA, encoding="utf-8")
    return WalletFiles(
        directory,
        pem,
        tnsnames,
        sqlnet,
        services,
        has_client_key=client is not None,
        encrypted=client is not None and wallet_password is not None,
    )


def make_error_certificates(
    directory: Path, ca: Credential, *, dn: str, hosts: Sequence[str]
) -> ErrorCertificates:
    """An expired server certificate from ``ca`` and a valid one from a CA of its own."""
    expired = issue_server_certificate(
        ca, directory / "server_expired", dn=dn, hosts=hosts, expired=True
    )
    other_ca = make_ca(directory / "other_ca", dn="CN=Unrelated Test CA,O=Elsewhere")
    signed = issue_server_certificate(other_ca, directory / "server_other_ca", dn=dn, hosts=hosts)
    return ErrorCertificates(expired, other_ca, signed)


def make_adb_wallets(
    directory: Path,
    *,
    db: str = "demo",
    host: str = "127.0.0.1",
    port: int,
    wallet_password: str | None = None,
    server_dn: str = DEFAULT_SERVER_DN,
    client_dn: str = DEFAULT_CLIENT_DN,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    dn_in_tnsnames: bool = True,
    retry_count: int = ADB_RETRY_COUNT,
    retry_delay: int = ADB_RETRY_DELAY_S,
    error_certificates: bool = False,
) -> AdbWallets:
    """Certificates and wallets under ``directory``::

        ca/ server/ client/          cert.pem + key.pem each (the listener's: server/, ca/)
        wallet/                      ewallet.pem with the key encrypted (given a password)
        wallet_unencrypted/          ewallet.pem with the key in clear
        truststore/                  ewallet.pem with the CA only (one-way TLS)
        server_expired/ other_ca/ server_other_ca/   with ``error_certificates``

    Each wallet directory also has ``tnsnames.ora`` (aliases for ``host:port``) and
    ``sqlnet.ora``. ``dn_in_tnsnames`` writes ``ssl_server_cert_dn`` into each alias.
    """
    pki = make_pki(directory, server_dn=server_dn, client_dn=client_dn, hosts=hosts)
    write = functools.partial(
        write_wallet,
        ca=pki.ca,
        db=db,
        host=host,
        port=port,
        server_cert_dn=server_dn if dn_in_tnsnames else None,
        retry_count=retry_count,
        retry_delay=retry_delay,
    )
    wallet = (
        None
        if wallet_password is None
        else write(directory / "wallet", client=pki.client, wallet_password=wallet_password)
    )
    errors = (
        make_error_certificates(directory, pki.ca, dn=server_dn, hosts=hosts)
        if error_certificates
        else None
    )
    return AdbWallets(
        pki,
        wallet,
        unencrypted=write(directory / "wallet_unencrypted", client=pki.client),
        truststore=write(directory / "truststore", client=None),
        errors=errors,
    )
