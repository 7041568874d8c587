"""The emulator's TCP listener: one thread per client connection, each with its own session.

Usage::

    with EmulatorServer(database) as server:       # listening on a free loopback port
        oracledb.connect(user=..., password=..., dsn=f"127.0.0.1:{server.port}/FREEPDB1")

``start()`` serves in a background thread and returns once the socket listens;
``serve_forever()`` serves in the calling thread; ``stop()`` closes the listener and every
connection (interrupting running statements, rolling back their sessions) and is what the
CLI calls on SIGTERM.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import threading
from types import TracebackType

from airflow_oracle_etl.testing.oracle.api import Database
from airflow_oracle_etl.testing.oracle.protocol.auth import Verifiers
from airflow_oracle_etl.testing.oracle.protocol.connection import ClientConnection
from airflow_oracle_etl.testing.oracle.protocol.constants import MAX_SDU

__all__ = ["EmulatorServer"]

log = logging.getLogger(__name__)

_BACKLOG = 128
_JOIN_TIMEOUT_S = 10.0


class EmulatorServer:
    """A TNS listener and server for python-oracledb thin clients.

    :param database: the engine behind every session
    :param host: address to listen on (loopback by default)
    :param port: port to listen on; 0 picks a free one, readable as :attr:`port` once started
    :param max_sdu: largest session data unit agreed to (the client's proposal is used up to
        this); larger SDUs mean fewer packets per fetch
    """

    def __init__(
        self,
        database: Database,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_sdu: int = MAX_SDU,
    ) -> None:
        self.database = database
        self.host = host
        self.port = port
        self._max_sdu = max_sdu
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._verifiers = Verifiers()
        self._session_ids = itertools.count(1)
        self._connections: dict[ClientConnection, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # --- lifecycle -------------------------------------------------------------------------

    def _listen(self) -> socket.socket:
        if self._listener is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(_BACKLOG)
            self.port = listener.getsockname()[1]
            self._listener = listener
            log.debug("listening on %s:%d", self.host, self.port)
        return self._listener

    def start(self) -> EmulatorServer:
        """Listen, then serve in a background thread; returns once connections are accepted."""
        self._listen()
        self._thread = threading.Thread(
            target=self.serve_forever, name="oracle-emulator-listener", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Accept connections until :meth:`stop` is called."""
        listener = self._listen()
        while not self._stopping.is_set():
            try:
                sock, peer = listener.accept()
            except OSError:
                if self._stopping.is_set():
                    break
                raise
            self._spawn(sock, peer)

    def _spawn(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        peer = (peer[0], peer[1])  # IPv6 peers come with flow info and scope id
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = ClientConnection(
            sock, peer, self.database, self._verifiers, next(self._session_ids), self._max_sdu
        )
        thread = threading.Thread(
            target=self._serve_connection,
            args=(connection,),
            name=f"oracle-emulator-session-{connection.state.session_id}",
            daemon=True,
        )
        with self._lock:
            if self._stopping.is_set():
                sock.close()
                return
            self._connections[connection] = thread
        thread.start()

    def _serve_connection(self, connection: ClientConnection) -> None:
        try:
            connection.serve()
        finally:
            with self._lock:
                self._connections.pop(connection, None)

    def stop(self) -> None:
        """Close the listener and every connection; wait for their threads to finish."""
        self._stopping.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes a thread blocked in accept()
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            connection.abort()
        for thread in connections.values():
            thread.join(_JOIN_TIMEOUT_S)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(_JOIN_TIMEOUT_S)
        log.debug("stopped (%d connections closed)", len(connections))

    @property
    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
