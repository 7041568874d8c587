"""TCPS for the emulator: the listener's TLS context, a TLS session over a socket that a
connection's reading and writing threads can share, and Oracle's SNI names.

Only the transport changes over TCPS: once the TLS handshake is done, the TNS/TTC
conversation is the one the TCP listener speaks.
"""

from oracle_emulator.tls.channel import TlsChannel, TlsHandshakeError
from oracle_emulator.tls.context import TlsFiles, certificate_subject, server_context
from oracle_emulator.tls.detect import looks_like_client_hello
from oracle_emulator.tls.sni import OracleSni, ServerNames, parse_oracle_sni

__all__ = [
    "OracleSni",
    "ServerNames",
    "TlsChannel",
    "TlsFiles",
    "TlsHandshakeError",
    "certificate_subject",
    "looks_like_client_hello",
    "parse_oracle_sni",
    "server_context",
]
