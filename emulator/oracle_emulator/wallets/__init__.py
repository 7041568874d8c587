"""Test certificates and wallets shaped like Autonomous Database's, for the TCPS listener.

::

    from oracle_emulator.wallets import make_pki, write_wallet, service_names

    pki = make_pki(tmp / "pki")                                   # CA, server, client
    emulator = EmulatorProcess(tls=pki.server_tls(), services=service_names("demo").values())
    wallet = write_wallet(tmp / "wallet", ca=pki.ca, client=pki.client, db="demo",
                          host="127.0.0.1", port=emulator.start().tcps_port,
                          wallet_password="Welcome1#")
    oracledb.connect(user=..., password=..., dsn="demo_high", config_dir=wallet.directory,
                     wallet_location=wallet.directory, wallet_password="Welcome1#")

or, with the port known, everything at once: :func:`make_adb_wallets` (also
``python -m oracle_emulator.wallets DIR --port N``).
"""

from oracle_emulator.wallets.files import CONSUMER_GROUPS, SQLNET_ORA, service_names
from oracle_emulator.wallets.pki import (
    DEFAULT_CA_DN,
    DEFAULT_CLIENT_DN,
    DEFAULT_HOSTS,
    DEFAULT_SERVER_DN,
    Credential,
    TestPki,
    issue_client_certificate,
    issue_server_certificate,
    make_ca,
    make_pki,
)
from oracle_emulator.wallets.wallet import (
    AdbWallets,
    ErrorCertificates,
    WalletFiles,
    make_adb_wallets,
    make_error_certificates,
    write_wallet,
)

__all__ = [
    "CONSUMER_GROUPS",
    "DEFAULT_CA_DN",
    "DEFAULT_CLIENT_DN",
    "DEFAULT_HOSTS",
    "DEFAULT_SERVER_DN",
    "SQLNET_ORA",
    "AdbWallets",
    "Credential",
    "ErrorCertificates",
    "TestPki",
    "WalletFiles",
    "issue_client_certificate",
    "issue_server_certificate",
    "make_adb_wallets",
    "make_ca",
    "make_error_certificates",
    "make_pki",
    "service_names",
    "write_wallet",
]
