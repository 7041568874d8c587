"""The TCPS listener's TLS context: which certificate it shows and whose it asks for.

TLS 1.2 and 1.3 only, as Oracle Database 23ai and Autonomous Database accept them: a client
that offers nothing newer than TLS 1.1 gets a ``protocol_version`` alert during the
handshake. With a CA file the listener asks every client for a certificate and refuses the
handshake unless one signed by that CA comes back (mutual TLS, the Autonomous Database
default); without one it runs one-way TLS, where only the server proves who it is.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from oracle_emulator.tls.sni import ServerNames

__all__ = ["TlsFiles", "certificate_subject", "peer_subject", "server_context"]

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2
MAXIMUM_VERSION = ssl.TLSVersion.TLSv1_3


@dataclass(frozen=True)
class TlsFiles:
    """Where the TCPS listener's PEM files are.

    :param cert: the server certificate (followed by any intermediate CAs)
    :param key: its private key, unencrypted (a listener has nobody to ask for a password)
    :param ca: the CA whose signature a client certificate must carry; None for one-way TLS
    """

    cert: Path
    key: Path
    ca: Path | None = None

    @property
    def mutual(self) -> bool:
        """Whether clients must present a certificate."""
        return self.ca is not None

    def cli_args(self) -> list[str]:
        """The ``oracle-emulator`` options that name these files."""
        args = ["--tls-cert", str(self.cert), "--tls-key", str(self.key)]
        if self.ca is not None:
            args += ["--tls-ca", str(self.ca)]
        return args


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """A server-side context for ``files``; ValueError names the file that would not load."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_VERSION
    context.maximum_version = MAXIMUM_VERSION
    # Oracle's "TLS renegotiation" is a fresh handshake on the same TCP connection (see
    # ClientConnection); TLS 1.2's in-session renegotiation has no use here
    context.options |= ssl.OP_NO_RENEGOTIATION
    context.sni_callback = ServerNames()
    try:
        context.load_cert_chain(files.cert, files.key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"cannot load the TLS certificate {files.cert} / key {files.key}: {exc}"
        ) from exc
    if files.ca is not None:
        try:
            context.load_verify_locations(cafile=files.ca)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"cannot load the client CA file {files.ca}: {exc}") from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def certificate_subject(path: Path) -> str:
    """The subject DN of the first certificate in a PEM file (RFC 4514), for the log."""
    certificate = x509.load_pem_x509_certificate(path.read_bytes())
    return certificate.subject.rfc4514_string()


def peer_subject(der: bytes | None) -> str | None:
    """The subject DN of a peer certificate in DER form, or None without one."""
    if not der:
        return None
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()
