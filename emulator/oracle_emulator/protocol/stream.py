"""What a connection reads from and writes to: the TCP socket itself, or TLS over it.

:class:`~oracle_emulator.tls.TlsChannel` is the TLS one; :class:`SocketStream` is plain
TCP, where a reply of many packets leaves in scatter-gather sends straight from the packet
buffers.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Sequence
from typing import Protocol

__all__ = ["SocketStream", "Stream", "close_gracefully"]

#: buffers per ``sendmsg`` call (Linux's IOV_MAX is 1024; fewer only means more calls)
_IOV_MAX = 1024
#: how long a refused client may go on sending before its socket is closed anyway
_LINGER_S = 2.0
_DRAIN_SIZE = 64 * 1024


class Stream(Protocol):
    def recv(self, size: int) -> bytes: ...

    def sendall(self, data: bytes | memoryview) -> None: ...

    def send_buffers(self, buffers: Sequence[bytes | memoryview]) -> None: ...

    def close(self) -> None: ...


class SocketStream:
    """Plain TCP on ``sock``."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def recv(self, size: int) -> bytes:
        return self._sock.recv(size)

    def sendall(self, data: bytes | memoryview) -> None:
        self._sock.sendall(data)

    def send_buffers(self, buffers: Sequence[bytes | memoryview]) -> None:
        """``sendall`` for a list of buffers: sends of up to ``_IOV_MAX`` buffers at a time,
        resuming after a partial send where it stopped."""
        pending = list(buffers)
        index = 0
        while index < len(pending):
            sent = self._sock.sendmsg(pending[index : index + _IOV_MAX])
            while index < len(pending) and sent >= len(pending[index]):
                sent -= len(pending[index])
                index += 1
            if sent:
                pending[index] = memoryview(pending[index])[sent:]

    def close(self) -> None:
        self._sock.close()


def close_gracefully(sock: socket.socket, linger: float = _LINGER_S) -> None:
    """Close a connection the server refuses so that the client reads what it was sent.

    Closing a socket with unread bytes makes the kernel send RST, and the client may lose
    the last data in flight (a TLS alert that says why its handshake failed). So: FIN
    first, then read and drop whatever the client still sends until it closes too (or
    ``linger`` seconds pass), then close.
    """
    deadline = time.monotonic() + linger
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            if not sock.recv(_DRAIN_SIZE):
                break
    sock.close()
