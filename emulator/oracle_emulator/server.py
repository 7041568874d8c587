"""The emulator's listeners: one thread per client connection, each with its own session.

Usage::

    with EmulatorServer(database) as server:       # listening on a free loopback port
        oracledb.connect(user=..., password=..., dsn=f"127.0.0.1:{server.port}/FREEPDB1")

With a TLS context the server listens for TCPS as well, on :attr:`EmulatorServer.tcps_port`
(see :mod:`oracle_emulator.tls`); both listeners serve the same database and sessions.

``start()`` serves in background threads and returns once the sockets listen;
``serve_forever()`` serves in the calling thread; ``stop()`` closes the listeners and every
connection (interrupting running statements, rolling back their sessions) and is what the
CLI calls on SIGTERM.

``faults`` is the server's :class:`~oracle_emulator.faults.FaultSwitchboard`.
Its ``listener_down`` switch uses :meth:`EmulatorServer.stop_listening`, which takes every
listener down (see :mod:`oracle_emulator.listener`) until
:meth:`EmulatorServer.start_listening`.
"""

from __future__ import annotations

import itertools
import logging
import socket
import ssl
import threading
from collections.abc import Collection

from oracle_emulator.api import Database
from oracle_emulator.faults import FaultSwitchboard
from oracle_emulator.lifecycle import StartStop
from oracle_emulator.listener import Listener
from oracle_emulator.protocol.auth import Verifiers
from oracle_emulator.protocol.connection import ClientConnection
from oracle_emulator.protocol.constants import MAX_SDU

__all__ = ["EmulatorServer"]

log = logging.getLogger(__name__)

_JOIN_TIMEOUT_S = 10.0


class EmulatorServer(StartStop):
    """A TNS listener and server for python-oracledb thin clients, over TCP and TCPS.

    :param database: the engine behind every session
    :param host: address to listen on (loopback by default)
    :param port: TCP port to listen on; 0 picks a free one, readable as :attr:`port` once
        started
    :param max_sdu: largest session data unit agreed to (the client's proposal is used up to
        this); larger SDUs mean fewer packets per fetch
    :param faults: the fault switchboard its sessions consult (a new one by default)
    :param services: more service names to accept besides the database's own (Autonomous
        Database offers one per consumer group: ``..._high``, ``..._medium``, ``..._low``)
    :param tls: a server-side TLS context (:func:`~oracle_emulator.tls.server_context`):
        listen for TCPS too, on ``tcps_port`` (0 picks a free one, :attr:`tcps_port`)
    :param tls_renegotiate: over TCPS, ask each client for a second TLS handshake after its
        first CONNECT, as an Oracle listener handing over to a server process does
    """

    def __init__(
        self,
        database: Database,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        max_sdu: int = MAX_SDU,
        faults: FaultSwitchboard | None = None,
        services: Collection[str] = (),
        tls: ssl.SSLContext | None = None,
        tcps_port: int = 0,
        tls_renegotiate: bool = False,
    ) -> None:
        self.database = database
        self.host = host
        self._max_sdu = max_sdu
        self._services = (database.service_name, *services)
        self._tls = tls
        self._tls_renegotiate = tls_renegotiate
        self.faults = FaultSwitchboard() if faults is None else faults
        self.faults.attach_listener(self)
        self._tcp = Listener("TCP", host, port, self._accept_tcp)
        self._tcps = None if tls is None else Listener("TCPS", host, tcps_port, self._accept_tcps)
        self._threads: list[threading.Thread] = []
        self._verifiers = Verifiers()
        self._session_ids = itertools.count(1)
        self._connections: dict[ClientConnection, threading.Thread] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        """The TCP port (the bound one once started)."""
        return self._tcp.port

    @property
    def tcps_port(self) -> int | None:
        """The TCPS port (the bound one once started); None without TLS."""
        return None if self._tcps is None else self._tcps.port

    @property
    def _listeners(self) -> list[Listener]:
        return [self._tcp] if self._tcps is None else [self._tcp, self._tcps]

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        """Listen, then serve in background threads; returns once connections are accepted."""
        for listener in self._listeners:
            listener.listen()
        self._serve_in_threads(self._listeners)
        return self

    def _serve_in_threads(self, listeners: list[Listener]) -> None:
        for listener in listeners:
            thread = threading.Thread(
                target=listener.serve,
                name=f"oracle-emulator-{listener.name.lower()}-listener",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def serve_forever(self) -> None:
        """Accept connections until :meth:`stop` is called (TCPS in a thread of its own)."""
        for listener in self._listeners:
            listener.listen()
        self._serve_in_threads(self._listeners[1:])
        self._tcp.serve()

    def stop_listening(self) -> None:
        """Refuse new connections until :meth:`start_listening`; open sessions go on."""
        for listener in self._listeners:
            listener.stop_listening()

    def start_listening(self) -> None:
        """Accept connections again after :meth:`stop_listening`, on the same ports."""
        if not self._stopping.is_set():
            for listener in self._listeners:
                listener.start_listening()

    def _accept_tcp(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        self._spawn(sock, peer, tls=None)

    def _accept_tcps(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        self._spawn(sock, peer, tls=self._tls)

    def _spawn(
        self, sock: socket.socket, peer: tuple[str, int], tls: ssl.SSLContext | None
    ) -> None:
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
            services=self._services,
            tls=tls,
            tls_renegotiate=self._tls_renegotiate,
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
        """Close the listeners and every connection; wait for their threads to finish."""
        self._stopping.set()
        for listener in self._listeners:
            listener.close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            connection.abort()
        for thread in connections.values():
            thread.join(_JOIN_TIMEOUT_S)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(_JOIN_TIMEOUT_S)
        log.debug("stopped (%d connections closed)", len(connections))

    @property
    def connection_count(self) -> int:
        with self._lock:
            return len(self._connections)
