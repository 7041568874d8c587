"""The emulator's TCP listener: one thread per client connection, each with its own session.

Usage::

    with EmulatorServer(database) as server:       # listening on a free loopback port
        oracledb.connect(user=..., password=..., dsn=f"127.0.0.1:{server.port}/FREEPDB1")

``start()`` serves in a background thread and returns once the socket listens;
``serve_forever()`` serves in the calling thread; ``stop()`` closes the listener and every
connection (interrupting running statements, rolling back their sessions) and is what the
CLI calls on SIGTERM.

``faults`` is the server's :class:`~oracle_emulator.faults.FaultSwitchboard`.
Its ``listener_down`` switch uses :meth:`EmulatorServer.stop_listening`, which closes the
listening socket but keeps the port bound without listening: the kernel then refuses
connections (ECONNREFUSED, as from a host whose listener is down), sessions already open go
on, and no other program can take the port before :meth:`EmulatorServer.start_listening`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import threading

from oracle_emulator.api import Database
from oracle_emulator.faults import FaultSwitchboard
from oracle_emulator.lifecycle import StartStop
from oracle_emulator.protocol.auth import Verifiers
from oracle_emulator.protocol.connection import ClientConnection
from oracle_emulator.protocol.constants import MAX_SDU

__all__ = ["EmulatorServer"]

log = logging.getLogger(__name__)

_BACKLOG = 128
_JOIN_TIMEOUT_S = 10.0


class EmulatorServer(StartStop):
    """A TNS listener and server for python-oracledb thin clients.

    :param database: the engine behind every session
    :param host: address to listen on (loopback by default)
    :param port: port to listen on; 0 picks a free one, readable as :attr:`port` once started
    :param max_sdu: largest session data unit agreed to (the client's proposal is used up to
        this); larger SDUs mean fewer packets per fetch
    :param faults: the fault switchboard its sessions consult (a new one by default)
    """

    def __init__(
        self,
        database: Database,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_sdu: int = MAX_SDU,
        faults: FaultSwitchboard | None = None,
    ) -> None:
        self.database = database
        self.host = host
        self.port = port
        self._max_sdu = max_sdu
        self.faults = FaultSwitchboard() if faults is None else faults
        self.faults.attach_listener(self)
        self._listener: socket.socket | None = None
        #: the port's socket while the listener is down: bound, not listening
        self._reserved: socket.socket | None = None
        #: guards the two sockets above; the accept loop waits on it while the listener is down
        self._listening = threading.Condition()
        self._thread: threading.Thread | None = None
        self._verifiers = Verifiers()
        self._session_ids = itertools.count(1)
        self._connections: dict[ClientConnection, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # --- lifecycle -------------------------------------------------------------------------

    def _listen(self) -> None:
        with self._listening:
            if self._listener is None and self._reserved is None:
                listener = self._bind()
                listener.listen(_BACKLOG)
                self._listener = listener
                log.debug("listening on %s:%d", self.host, self.port)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        return sock

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
        self._listen()
        while (listener := self._next_listener()) is not None:
            try:
                sock, peer = listener.accept()
            except OSError:
                if self._stopping.is_set():
                    break
                with self._listening:
                    if listener is self._listener:  # not closed by stop_listening(): a failure
                        raise
                continue
            self._spawn(sock, peer)

    def _next_listener(self) -> socket.socket | None:
        """The listening socket; waits while the listener is down; None once stopping."""
        with self._listening:
            while self._listener is None and not self._stopping.is_set():
                self._listening.wait()
            return None if self._stopping.is_set() else self._listener

    def stop_listening(self) -> None:
        """Refuse new connections until :meth:`start_listening`; open sessions go on."""
        with self._listening:
            listener, self._listener = self._listener, None
            if listener is None:
                return
            _close_listener(listener)  # wakes the thread blocked in accept()
            self._reserved = self._bind()
        log.info("listener down on %s:%d", self.host, self.port)

    def start_listening(self) -> None:
        """Accept connections again after :meth:`stop_listening`, on the same port."""
        with self._listening:
            if self._listener is not None or self._stopping.is_set():
                return
            reserved, self._reserved = self._reserved, None
            listener = reserved or self._bind()
            listener.listen(_BACKLOG)
            self._listener = listener
            self._listening.notify_all()
        log.info("listener up on %s:%d", self.host, self.port)

    def _spawn(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        peer = (peer[0], peer[1])  # IPv6 peers come with flow info and scope id
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.faults.connection_accepted()
        connection = ClientConnection(
            sock,
            peer,
            self.database,
            self._verifiers,
            next(self._session_ids),
            self._max_sdu,
            faults=self.faults,
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
        with self._listening:
            listener, self._listener = self._listener, None
            reserved, self._reserved = self._reserved, None
            self._listening.notify_all()
        if listener is not None:
            _close_listener(listener)
        if reserved is not None:
            reserved.close()
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


def _close_listener(listener: socket.socket) -> None:
    with contextlib.suppress(OSError):  # shutdown wakes a thread blocked in accept()
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()
