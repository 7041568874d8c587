"""The text of the three wallet files python-oracledb's thin mode uses, as the Autonomous
Database console writes them.

``ewallet.pem`` is what thin mode reads (``cwallet.sso``, ``ewallet.p12`` and the Java key
stores of the console's zip are for other clients): it loads the file twice, with
``ssl.SSLContext.load_verify_locations`` (every certificate in it becomes a trusted CA) and
``load_cert_chain(password=wallet_password)`` (the first private key and the certificate
chain, presented when the server asks for one). So the key's PEM encryption is whatever
OpenSSL's PEM reader decrypts with a password: PKCS#8 ``ENCRYPTED PRIVATE KEY`` (PBES2, or
PBES1 with SHA1-3DES) and the legacy ``Proc-Type: 4,ENCRYPTED`` form; what is written here
is the console's PKCS#8 form, with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). The driver
ignores a key it cannot decrypt (wrong password) and then simply presents no certificate.

``tnsnames.ora`` has one alias per consumer group, ``<db>_high``, ``<db>_medium`` and
``<db>_low``. ``sqlnet.ora`` is written as the console writes it, though thin mode never
reads it: the wallet's place comes from ``wallet_location`` (or the ``MY_WALLET_DIRECTORY``
of a descriptor), and the DN match from each alias's ``security`` part.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = [
    "CONSUMER_GROUPS",
    "SQLNET_ORA",
    "ewallet_pem",
    "service_names",
    "tnsnames_ora",
]

#: Autonomous Database's consumer groups, one service (and alias) each
CONSUMER_GROUPS = ("high", "medium", "low")
#: the domain of Autonomous Database service names
SERVICE_DOMAIN = "adb.oraclecloud.com"
#: the console's connect retries: 20 more attempts, 3 s apart
ADB_RETRY_COUNT = 20
ADB_RETRY_DELAY_S = 3

SQLNET_ORA = (
    'WALLET_LOCATION = (SOURCE = (METHOD = file) (METHOD_DATA = (DIRECTORY="?/network/admin")))\n'
    "SSL_SERVER_DN_MATCH=yes\n"
)


def service_names(db: str) -> dict[str, str]:
    """The alias and service name of each consumer group: ``demo_high`` ->
    ``demo_high.adb.oraclecloud.com`` (the console prefixes a tenancy id; none here)."""
    return {f"{db}_{group}": f"{db}_{group}.{SERVICE_DOMAIN}" for group in CONSUMER_GROUPS}


def tnsnames_ora(
    services: Mapping[str, str],
    host: str,
    port: int,
    *,
    server_cert_dn: str | None = None,
    retry_count: int = ADB_RETRY_COUNT,
    retry_delay: int = ADB_RETRY_DELAY_S,
) -> str:
    """One TCPS alias per ``services`` item (alias -> service name), each asking for the
    server's DN to be checked: against ``server_cert_dn`` when given, else the driver
    matches ``host`` against the certificate's DNS names and common name (never its IP
    addresses, so with a numeric host the DN is needed)."""
    security = "(ssl_server_dn_match=yes)"
    if server_cert_dn is not None:
        security += f'(ssl_server_cert_dn="{server_cert_dn}")'
    entries = [
        f"{alias} = (description= (retry_count={retry_count})(retry_delay={retry_delay})"
        f"(address=(protocol=tcps)(port={port})(host={host}))"
        f"(connect_data=(service_name={service}))(security={security}))"
        for alias, service in services.items()
    ]
    return "\n\n".join(entries) + "\n"


def ewallet_pem(
    certificates: Sequence[bytes],
    key: rsa.RSAPrivateKey | None = None,
    password: str | None = None,
) -> bytes:
    """The private key (encrypted with ``password`` if given), then ``certificates`` in
    PEM: the client's certificate first, then its chain and the CA. Without a key it is a
    trust store: the server is verified, no client certificate is presented."""
    parts: list[bytes] = []
    if key is not None:
        encryption: serialization.KeySerializationEncryption = (
            serialization.NoEncryption()
            if password is None
            else serialization.BestAvailableEncryption(password.encode())
        )
        parts.append(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
        )
    parts.extend(certificates)
    return b"".join(parts)
