"""One listening socket and its accept loop; the server has one per protocol (TCP, TCPS).

:meth:`Listener.stop_listening` (the ``listener_down`` fault) closes the listening socket
but keeps the port bound without listening: the kernel then refuses connections
(ECONNREFUSED, as from a host whose listener is down), sessions already open go on, and no
other program can take the port before :meth:`Listener.start_listening`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import threading
import time
from collections.abc import Callable

__all__ = ["Accept", "Listener"]

log = logging.getLogger(__name__)

_BACKLOG = 128
#: accept() errors that concern one client or a passing shortage, not the listening socket
_TRANSIENT_ACCEPT_ERRORS = frozenset(
    {errno.ECONNABORTED, errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EPROTO}
)
#: pause after a transient accept() failure, so that a shortage does not spin the loop
_ACCEPT_RETRY_S = 0.1

#: what a listener does with each accepted socket (and its peer's address)
Accept = Callable[[socket.socket, tuple[str, int]], None]


class Listener:
    """Accepts connections on ``host:port`` and hands each to ``accept``.

    :param name: the protocol, for the log (``TCP``, ``TCPS``)
    :param port: 0 picks a free port, readable as :attr:`port` once listening
    """

    def __init__(self, name: str, host: str, port: int, accept: Accept) -> None:
        self.name = name
        self.host = host
        self.port = port
        self._accept = accept
        self._socket: socket.socket | None = None
        #: the port's socket while the listener is down: bound, not listening
        self._reserved: socket.socket | None = None
        #: guards the two sockets above; the accept loop waits on it while the listener is down
        self._state = threading.Condition()
        self._closed = False

    def listen(self) -> None:
        """Bind and listen (once); the port is known from here on."""
        with self._state:
            if self._socket is None and self._reserved is None and not self._closed:
                listening = self._bind()
                listening.listen(_BACKLOG)
                self._socket = listening
                log.debug("%s listening on %s:%d", self.name, self.host, self.port)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        return sock

    def serve(self) -> None:
        """Accept connections until :meth:`close`."""
        self.listen()
        while (listening := self._next_socket()) is not None:
            try:
                sock, peer = listening.accept()
            except OSError as exc:
                if self._closed:
                    break
                with self._state:
                    stopped = listening is not self._socket  # closed by stop_listening()
                if not stopped:
                    self._accept_failed(exc)
                continue
            self._hand_over(sock, (peer[0], peer[1]))  # IPv6 peers come with flow info, scope

    def _accept_failed(self, exc: OSError) -> None:
        """A failed accept() that does not end the listener: the client gave up before it
        was accepted, or the process ran out of descriptors or memory for a while. Anything
        else means the listening socket is broken: raised, after saying so in the log."""
        if exc.errno not in _TRANSIENT_ACCEPT_ERRORS:
            log.exception("%s listener on %s:%d failed", self.name, self.host, self.port)
            raise exc
        log.warning("%s listener: accept failed, retrying: %s", self.name, exc)
        time.sleep(_ACCEPT_RETRY_S)

    def _hand_over(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        """Give ``sock`` to the server; a failure there costs that connection only, never
        the accept loop (and with it every later client)."""
        try:
            self._accept(sock, peer)
        except Exception:
            log.exception("%s: could not serve %s:%d, closed", self.name, *peer)
            sock.close()

    def _next_socket(self) -> socket.socket | None:
        """The listening socket; waits while the listener is down; None once closed."""
        with self._state:
            while self._socket is None and not self._closed:
                self._state.wait()
            return None if self._closed else self._socket

    def stop_listening(self) -> None:
        """Refuse new connections until :meth:`start_listening`."""
        with self._state:
            listening, self._socket = self._socket, None
            if listening is None:
                return
            _close_listening(listening)  # wakes the thread blocked in accept()
            self._reserved = self._bind()
        log.info("%s listener down on %s:%d", self.name, self.host, self.port)

    def start_listening(self) -> None:
        """Accept connections again after :meth:`stop_listening`, on the same port."""
        with self._state:
            if self._socket is not None or self._closed:
                return
            reserved, self._reserved = self._reserved, None
            listening = reserved or self._bind()
            listening.listen(_BACKLOG)
            self._socket = listening
            self._state.notify_all()
        log.info("%s listener up on %s:%d", self.name, self.host, self.port)

    def close(self) -> None:
        """Stop for good: the accept loop returns and the port is released."""
        with self._state:
            self._closed = True
            listening, self._socket = self._socket, None
            reserved, self._reserved = self._reserved, None
            self._state.notify_all()
        if listening is not None:
            _close_listening(listening)
        if reserved is not None:
            reserved.close()


def _close_listening(listening: socket.socket) -> None:
    with contextlib.suppress(OSError):  # shutdown wakes a thread blocked in accept()
        listening.shutdown(socket.SHUT_RDWR)
    listening.close()
