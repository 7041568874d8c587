"""How an Airflow connection names its database, and the wallet it brings.

The forms a connection may take (the README shows each as a URI, JSON and the UI's fields):

- host, port and service name (or SID): plain TCP, OracleHook's own;
- a TNS alias (``demo_high``) in the ``dsn`` extra or the host field, resolved from the
  ``tnsnames.ora`` in the folder named by the ``config_dir`` extra, else ``$TNS_ADMIN``;
- Autonomous Database with a wallet: the alias, ``wallet_location`` (default, for an alias:
  ``config_dir`` when it holds the wallet's ``ewallet.pem``, as the unzipped wallet does) and
  ``wallet_password``;
- a full descriptor ``(DESCRIPTION=...(PROTOCOL=TCPS)...)`` in the ``dsn`` extra: one-way TLS
  without a wallet, the server's certificate checked against the system's trusted CAs;
- Easy Connect Plus ``tcps://host:port/service?ssl_server_cert_dn=...`` in the ``dsn`` extra.

OracleHook reads ``dsn``, ``wallet_location`` and ``wallet_password`` from the extras but has
no ``config_dir``: the thin driver would then look for aliases in ``$TNS_ADMIN`` only. So an
alias is resolved here into its descriptor (the driver's own tnsnames.ora parser does it),
before OracleHook connects; a problem with the alias or the wallet files is found before any
connection is tried, and named with the connection and the extra to change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import attrs
import oracledb

from airflow_oracle_etl.hooks.errors import ConnectionSetupError

__all__ = ["WALLET_FILE", "resolve_address", "tns_alias"]

#: the wallet file the thin driver reads: the client's key and certificates, and the CAs
WALLET_FILE = "ewallet.pem"
TNSNAMES_FILE = "tnsnames.ora"
#: extras naming the folder of tnsnames.ora (``tns_admin`` as the Go service called it)
CONFIG_DIR_EXTRAS = ("config_dir", "tns_admin")
#: a net service name: what is neither a descriptor, Easy Connect nor host:port/service
_ALIAS = re.compile(r"[A-Za-z][\w.$#-]*")
_TNS_ENTRY = re.compile(r"^([A-Za-z][\w.$#-]*)\s*=", re.M)
_ENCRYPTED_KEY = "ENCRYPTED PRIVATE KEY"
_LEGACY_ENCRYPTED_KEY = "Proc-Type: 4,ENCRYPTED"
_ALIAS_NOT_FOUND = "DPY-4000"
_TNSNAMES_UNREADABLE = "DPY-4026"


def tns_alias(connection: Any) -> str | None:
    """The TNS alias the connection names, or None when it names its database otherwise."""
    extras = connection.extra_dejson
    if extras.get("service_name") or extras.get("sid"):
        return None
    dsn = extras.get("dsn")
    if dsn is None and not connection.port and not connection.schema:
        dsn = connection.host
    # a bare name is what the driver, too, takes for a net service name of tnsnames.ora
    if isinstance(dsn, str) and _ALIAS.fullmatch(dsn.strip()):
        return dsn.strip()
    return None


def resolve_address(connection: Any) -> Any:
    """The connection with a TNS alias replaced by its descriptor (``dsn`` extra), and the
    wallet folder defaulted to ``config_dir``; the connection itself when it names no alias.

    :raises ConnectionSetupError: no ``config_dir`` (nor ``$TNS_ADMIN``) for an alias, no
        tnsnames.ora there, an alias it lacks, a wallet folder without ``ewallet.pem``, or an
        encrypted wallet without ``wallet_password``.
    """
    conn_id = connection.conn_id
    extras = dict(connection.extra_dejson)
    config_dir = _config_dir(extras)
    alias = tns_alias(connection)
    if alias is not None:
        if config_dir is None:
            raise ConnectionSetupError(
                conn_id,
                f"it names the TNS alias {alias!r} but no folder holding tnsnames.ora: set the "
                "extra 'config_dir' (or TNS_ADMIN in the worker's environment)",
            )
        extras["dsn"] = _descriptor(conn_id, alias, config_dir)
        connection = attrs.evolve(connection, host=None, port=None)
    # only for an alias: TNS_ADMIN may name a wallet that a plain TCP connection does not use
    wallet_in_config_dir = config_dir and (Path(config_dir) / WALLET_FILE).is_file()
    if alias is not None and "wallet_location" not in extras and wallet_in_config_dir:
        extras["wallet_location"] = config_dir
    if extras.get("wallet_location"):
        _check_wallet(conn_id, Path(extras["wallet_location"]), extras.get("wallet_password"))
    if extras == connection.extra_dejson:
        return connection
    return attrs.evolve(connection, extra=json.dumps(extras))


def _config_dir(extras: dict[str, Any]) -> str | None:
    for key in CONFIG_DIR_EXTRAS:
        if extras.get(key):
            return str(extras[key])
    return os.environ.get("TNS_ADMIN") or None


def _descriptor(conn_id: str, alias: str, config_dir: str) -> str:
    """The alias's connect descriptor, as the thin driver reads tnsnames.ora."""
    params = oracledb.ConnectParams(config_dir=config_dir)
    try:
        params.parse_connect_string(alias)
    except oracledb.Error as error:
        text = str(error)
        names = Path(config_dir) / TNSNAMES_FILE
        if text.startswith(_ALIAS_NOT_FOUND):
            known = ", ".join(_aliases(names)) or "none"
            raise ConnectionSetupError(
                conn_id, f"the TNS alias {alias!r} is not in {names} (its aliases: {known})"
            ) from None
        if text.startswith(_TNSNAMES_UNREADABLE):
            raise ConnectionSetupError(
                conn_id,
                f"{names} is missing or unreadable: the extra 'config_dir' (or TNS_ADMIN) must "
                "name the folder of the wallet's tnsnames.ora",
            ) from None
        raise ConnectionSetupError(conn_id, f"the TNS alias {alias!r}: {text}") from None
    return str(params.get_connect_string())


def _aliases(tnsnames: Path) -> list[str]:
    try:
        return sorted(set(_TNS_ENTRY.findall(tnsnames.read_text(errors="replace"))))
    except OSError:
        return []


def _check_wallet(conn_id: str, folder: Path, password: object) -> None:
    """Refuse a wallet the driver could not use, before it tries: without ``ewallet.pem`` the
    driver's own error names no connection, and an encrypted one without a password makes
    OpenSSL ask for the pass phrase on the terminal."""
    wallet = folder / WALLET_FILE
    try:
        text = wallet.read_text(errors="replace")
    except OSError as error:
        raise ConnectionSetupError(
            conn_id,
            f"the wallet {wallet} cannot be read ({error.strerror or error}): the extra "
            "'wallet_location' must name the folder of the unzipped wallet's ewallet.pem",
        ) from None
    if not password and (_ENCRYPTED_KEY in text or _LEGACY_ENCRYPTED_KEY in text):
        raise ConnectionSetupError(
            conn_id,
            f"the wallet {wallet} holds an encrypted key: set the extra 'wallet_password' (the "
            "password given when the wallet was downloaded)",
        )
