"""A test certificate authority and the certificates it signs, as PEM files.

Every key is RSA 2048 (what Autonomous Database wallets carry) and every certificate is
X.509 v3 with SHA-256. Certificates of the kinds a TLS client must refuse are made here too:
an expired server certificate and one signed by an unrelated CA.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from oracle_emulator.tls.context import TlsFiles

__all__ = [
    "DEFAULT_CA_DN",
    "DEFAULT_CLIENT_DN",
    "DEFAULT_HOSTS",
    "DEFAULT_SERVER_DN",
    "Credential",
    "TestPki",
    "issue_client_certificate",
    "issue_server_certificate",
    "make_ca",
    "make_pki",
]

#: the subject of the server certificate, shaped like Autonomous Database's
DEFAULT_SERVER_DN = (
    "CN=adb.example.oraclecloud.com,O=Oracle Corporation,L=Redwood City,ST=California,C=US"
)
DEFAULT_CA_DN = "CN=Oracle Emulator Test CA,O=Oracle Emulator"
DEFAULT_CLIENT_DN = "CN=adb-wallet-client,O=Oracle Emulator"
#: names the server certificate is valid for (subject alternative names)
DEFAULT_HOSTS = ("127.0.0.1", "localhost")

_KEY_SIZE = 2048
_PUBLIC_EXPONENT = 65537
_CA_DAYS = 3650
_LEAF_DAYS = 825
#: an expired certificate's validity: it ended this long ago, after lasting as long
_EXPIRED_AGO = datetime.timedelta(days=30)
_EXPIRED_SPAN = datetime.timedelta(days=365)
#: backdating of new certificates, so that a clock a little behind still accepts them
_CLOCK_SKEW = datetime.timedelta(minutes=5)
CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"


@dataclass(frozen=True)
class Credential:
    """A certificate and its private key (unencrypted), each in a PEM file."""

    cert: Path
    key: Path
    subject: str

    def load_certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert.read_bytes())

    def load_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.key.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError(f"{self.key} holds no RSA key")
        return key


@dataclass(frozen=True)
class TestPki:
    """A CA, a server certificate and a client certificate it signed."""

    __test__ = False  # not a pytest test class, whatever its name

    ca: Credential
    server: Credential
    client: Credential

    def server_tls(self, *, mutual: bool = True) -> TlsFiles:
        """The TCPS listener's files: the server certificate, and with ``mutual`` the CA
        that client certificates must be signed by."""
        return TlsFiles(self.server.cert, self.server.key, self.ca.cert if mutual else None)


def make_pki(
    directory: Path,
    *,
    server_dn: str = DEFAULT_SERVER_DN,
    client_dn: str = DEFAULT_CLIENT_DN,
    hosts: Sequence[str] = DEFAULT_HOSTS,
) -> TestPki:
    """A CA in ``directory/ca``, a server certificate in ``directory/server`` and a client
    certificate in ``directory/client`` (``cert.pem`` and ``key.pem`` in each)."""
    ca = make_ca(directory / "ca")
    server = issue_server_certificate(ca, directory / "server", dn=server_dn, hosts=hosts)
    client = issue_client_certificate(ca, directory / "client", dn=client_dn)
    return TestPki(ca, server, client)


def make_ca(directory: Path, *, dn: str = DEFAULT_CA_DN, days: int = _CA_DAYS) -> Credential:
    """A self-signed CA certificate that may sign others (and no further CAs)."""
    key = _new_key()
    name = x509.Name.from_rfc4514_string(dn)
    start = _now() - _CLOCK_SKEW
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    return _save(directory, builder.sign(key, hashes.SHA256()), key)


def issue_server_certificate(
    ca: Credential,
    directory: Path,
    *,
    dn: str = DEFAULT_SERVER_DN,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    expired: bool = False,
) -> Credential:
    """A TLS server certificate for ``dn`` with ``hosts`` (IP addresses or DNS names) as
    subject alternative names; with ``expired`` its validity ended a month ago."""
    names = [_alternative_name(host) for host in hosts]
    return _issue(
        ca,
        directory,
        dn,
        ExtendedKeyUsageOID.SERVER_AUTH,
        [x509.SubjectAlternativeName(names)] if names else [],
        expired=expired,
    )


def issue_client_certificate(
    ca: Credential, directory: Path, *, dn: str = DEFAULT_CLIENT_DN
) -> Credential:
    """A TLS client certificate for ``dn`` (what a wallet presents for mutual TLS)."""
    return _issue(ca, directory, dn, ExtendedKeyUsageOID.CLIENT_AUTH, [])


def _issue(
    ca: Credential,
    directory: Path,
    dn: str,
    usage: x509.ObjectIdentifier,
    extensions: Sequence[x509.ExtensionType],
    *,
    expired: bool = False,
) -> Credential:
    key = _new_key()
    ca_certificate = ca.load_certificate()
    ca_key = ca.load_key()
    if expired:
        end = _now() - _EXPIRED_AGO
        start = end - _EXPIRED_SPAN
    else:
        start = _now() - _CLOCK_SKEW
        end = start + datetime.timedelta(days=_LEAF_DAYS)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string(dn))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return _save(directory, builder.sign(ca_key, hashes.SHA256()), key)


def _alternative_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=_PUBLIC_EXPONENT, key_size=_KEY_SIZE)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _save(directory: Path, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> Credential:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path = directory / CERT_FILE
    key_path = directory / KEY_FILE
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return Credential(cert_path, key_path, certificate.subject.rfc4514_string())
