"""``python -m oracle_emulator.wallets DIR --port N``: test certificates and ADB-shaped
wallets for an emulator listening for TCPS on ``--host``:``--port``.

Prints what it made and the ``oracle-emulator`` options that serve it.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sequence
from pathlib import Path

from oracle_emulator.wallets.files import ADB_RETRY_COUNT, ADB_RETRY_DELAY_S, service_names
from oracle_emulator.wallets.pki import DEFAULT_CLIENT_DN, DEFAULT_HOSTS, DEFAULT_SERVER_DN
from oracle_emulator.wallets.wallet import AdbWallets, make_adb_wallets


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m oracle_emulator.wallets",
        description="Make a test CA, server and client certificates, and wallets shaped like "
        "Autonomous Database's (ewallet.pem, tnsnames.ora, sqlnet.ora).",
    )
    parser.add_argument("directory", type=Path, help="where to write (created if missing)")
    parser.add_argument("--db", default="demo", help="database name: aliases <db>_high...")
    parser.add_argument("--host", default="127.0.0.1", help="host in tnsnames.ora")
    parser.add_argument("--port", type=int, required=True, help="the emulator's TCPS port")
    parser.add_argument(
        "--wallet-password",
        help="encrypt the client key in wallet/ewallet.pem with it (wallet_unencrypted/ "
        "always has it in clear)",
    )
    parser.add_argument("--server-dn", default=DEFAULT_SERVER_DN, help="server certificate DN")
    parser.add_argument("--client-dn", default=DEFAULT_CLIENT_DN, help="client certificate DN")
    parser.add_argument(
        "--san",
        action="append",
        metavar="HOST",
        help="a name or IP address the server certificate is for; repeatable "
        f"(default: {', '.join(DEFAULT_HOSTS)})",
    )
    parser.add_argument(
        "--no-dn-in-tnsnames",
        action="store_true",
        help="leave ssl_server_cert_dn out of the aliases (the driver then matches the host "
        "against the certificate's DNS names)",
    )
    parser.add_argument("--retry-count", type=int, default=ADB_RETRY_COUNT)
    parser.add_argument("--retry-delay", type=int, default=ADB_RETRY_DELAY_S)
    parser.add_argument(
        "--error-certificates",
        action="store_true",
        help="also an expired server certificate and one signed by an unrelated CA",
    )
    return parser


def emulator_options(made: AdbWallets, db: str, port: int) -> list[str]:
    """The ``oracle-emulator`` options that serve these wallets over mutual TLS."""
    options = ["--tcps-port", str(port), *made.pki.server_tls(mutual=True).cli_args()]
    for service in service_names(db).values():
        options += ["--service-alias", service]
    return options


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    made = make_adb_wallets(
        args.directory,
        db=args.db,
        host=args.host,
        port=args.port,
        wallet_password=args.wallet_password,
        server_dn=args.server_dn,
        client_dn=args.client_dn,
        hosts=tuple(args.san or DEFAULT_HOSTS),
        dn_in_tnsnames=not args.no_dn_in_tnsnames,
        retry_count=args.retry_count,
        retry_delay=args.retry_delay,
        error_certificates=args.error_certificates,
    )
    print(f"CA:                 {made.pki.ca.cert} ({made.pki.ca.subject})")
    print(f"server certificate: {made.pki.server.cert} ({made.pki.server.subject})")
    print(f"client certificate: {made.pki.client.cert} ({made.pki.client.subject})")
    for label, wallet in (
        ("wallet", made.wallet),
        ("wallet_unencrypted", made.unencrypted),
        ("truststore", made.truststore),
    ):
        if wallet is not None:
            print(f"{label + ':':<20}{wallet.directory} (aliases {', '.join(wallet.services)})")
    if made.errors is not None:
        print(f"expired server:     {made.errors.expired.cert}")
        print(f"other CA's server:  {made.errors.signed_by_other_ca.cert}")
    print(
        "serve it with: oracle-emulator " + shlex.join(emulator_options(made, args.db, args.port))
    )
    return 0
