"""A connect that failed in its TLS handshake, told apart from a database that is down.

The thin driver reports both as DPY-6005 ("cannot connect to database") with the socket or
OpenSSL error on the next line, or, for a server certificate it checked itself, as DPY-6002
and DPY-6006. A database that is down is worth waiting for (:mod:`.connect_retry`); a
handshake refused for a certificate, a wallet or a protocol mix-up is not: it fails the same
way until someone changes the certificate, the wallet or the connection. Each gets a message
that says which of these to change. The texts matched are OpenSSL's reason names and the
driver's codes, which carry no secret.
"""

from __future__ import annotations

from typing import NamedTuple

import oracledb

from airflow_oracle_etl.hooks.errors import ConnectionSecurityError
from airflow_oracle_etl.hooks.failures import error_text

__all__ = ["tls_failure"]


class _Rule(NamedTuple):
    marker: str
    problem: str
    advice: str


_WALLET = "the extras 'wallet_location' (the unzipped wallet's folder) and 'wallet_password'"
#: most specific first: an expired certificate also fails verification
_RULES = (
    _Rule(
        "DPY-6002",
        "the server certificate's distinguished name (DN) is not the one expected",
        "Check the alias's or the DSN's ssl_server_cert_dn (the wallet's tnsnames.ora has "
        "the right one), or that the connection reaches the database it means to.",
    ),
    _Rule(
        "DPY-6006",
        "the server certificate does not name the host connected to",
        "Connect with the host name the certificate names, or set ssl_server_cert_dn in the "
        "DSN to the certificate's DN.",
    ),
    _Rule(
        "certificate has expired",
        "the server certificate has expired",
        "The database's certificate must be renewed (for Autonomous Database, download a "
        "new wallet after the rotation); nothing on this side can accept it.",
    ),
    _Rule(
        "CERTIFICATE_VERIFY_FAILED",
        "the server certificate is not signed by a CA this worker trusts",
        f"With a wallet, check {_WALLET}: its ewallet.pem carries the database's CA. Without "
        "one, the worker's system CA store must hold the CA that signed the database's "
        "certificate.",
    ),
    _Rule(
        "CERTIFICATE_REQUIRED",
        "the database requires a client certificate (mutual TLS) and none was presented",
        f"Check {_WALLET}: with a wrong password the driver silently presents no certificate. "
        "For Autonomous Database without a wallet, allow TLS connections (mTLS not required) "
        "in its network settings.",
    ),
    _Rule(
        "UNKNOWN_CA",
        "the database does not trust the client certificate the wallet presented",
        f"Download the database's current wallet and point {_WALLET} at it.",
    ),
    _Rule(
        "PROTOCOL_VERSION",
        "the database and this worker share no TLS version",
        "The database must accept TLS 1.2 or 1.3.",
    ),
    _Rule(
        "WRONG_VERSION_NUMBER",
        "the port did not answer TLS",
        "The port is a plain TCP listener: use TCP (host, port and service name, or a DSN "
        "with PROTOCOL=TCP), or the database's TCPS port.",
    ),
    _Rule(
        "UNEXPECTED_EOF_WHILE_READING",
        "the port closed the connection during the TLS handshake",
        "The port is likely a plain TCP listener: use TCP there, or the database's TCPS "
        "port (Autonomous Database: 1522).",
    ),
)


def tls_failure(error: oracledb.Error, conn_id: str) -> ConnectionSecurityError | None:
    """The error to raise for a connect that failed in its TLS handshake, or None."""
    text = error_text(error)
    for rule in _RULES:
        if rule.marker in text:
            return ConnectionSecurityError(conn_id, rule.problem, rule.advice, text)
    return None
