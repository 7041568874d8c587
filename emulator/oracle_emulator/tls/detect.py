"""Telling a TLS ClientHello from a TNS CONNECT packet by their first bytes.

A client that speaks TLS to the plain TCP port sends a TLS record first: content type 22
(handshake), protocol major version 3, a 2-byte length, then handshake type 1
(ClientHello). Read as a TNS header, those bytes declare a packet of over 5,600 bytes that
never comes, so the listener looks for them and closes the connection at once instead.
"""

from __future__ import annotations

__all__ = ["looks_like_client_hello"]

_HANDSHAKE_RECORD = 0x16
_MAJOR_VERSION = 0x03
_CLIENT_HELLO = 0x01
_CLIENT_HELLO_OFFSET = 5


def looks_like_client_hello(data: bytes) -> bool:
    """Whether ``data`` (at least 6 bytes) starts a TLS ClientHello record."""
    return (
        len(data) > _CLIENT_HELLO_OFFSET
        and data[0] == _HANDSHAKE_RECORD
        and data[1] == _MAJOR_VERSION
        and data[_CLIENT_HELLO_OFFSET] == _CLIENT_HELLO
    )
