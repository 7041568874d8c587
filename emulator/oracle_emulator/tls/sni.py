"""Server names that TLS clients send (SNI), and the form python-oracledb gives them.

With ``use_sni`` (``USE_SNI=ON`` in a descriptor) the driver sends no host name but
``S<n>.<service name>[.T1.<server type>].V3.<TNS version>``, e.g.
``S29.demo_high.adb.oraclecloud.com.V3.319``: the listener learns the service from the
handshake itself and can hand the connection over without a second TLS negotiation.
"""

from __future__ import annotations

import re
import ssl
import threading
import weakref
from dataclasses import dataclass

__all__ = ["OracleSni", "ServerNames", "parse_oracle_sni"]

_LENGTH_PREFIX = re.compile(r"S(\d+)\.")
_TAIL = re.compile(r"(?:\.T1\.(?P<server_type>[^.]+))?\.V3\.(?P<version>\d+)")


@dataclass(frozen=True)
class OracleSni:
    service_name: str
    server_type: str | None
    tns_version: int


def parse_oracle_sni(name: str | None) -> OracleSni | None:
    """The parts of a python-oracledb SNI name, or None when ``name`` is not one (absent,
    or an ordinary host name)."""
    if not name:
        return None
    prefix = _LENGTH_PREFIX.match(name)
    if prefix is None:
        return None
    start = prefix.end()
    end = start + int(prefix.group(1))
    tail = _TAIL.fullmatch(name, end)
    if tail is None:
        return None
    return OracleSni(name[start:end], tail.group("server_type"), int(tail.group("version")))


class ServerNames:
    """A context's ``sni_callback`` that remembers the name each handshake received.

    The callback only sees the TLS object, so the names are kept by it (weakly: a name goes
    with its connection) for :class:`~oracle_emulator.tls.TlsChannel` to look up.
    """

    def __init__(self) -> None:
        self._names: weakref.WeakKeyDictionary[ssl.SSLObject, str] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, tls: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
        if server_name:
            with self._lock:
                self._names[tls] = server_name

    def of(self, tls: ssl.SSLObject) -> str | None:
        with self._lock:
            return self._names.get(tls)
