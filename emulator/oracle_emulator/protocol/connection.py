"""One client connection: listener handshake, then requests and replies until it ends.

Two threads per connection. A reader thread turns the socket's bytes into packets and queues
them; it also watches for breaks, so that a statement running in the connection's own thread
can be interrupted (``Session.interrupt``) the moment the client cancels. The connection's
thread takes packets off the queue, dispatches requests and writes replies.

Breaks (packets of type MARKER): the driver cancels with an INTERRUPT marker (or a BREAK
when it gives up on a reply). The answer is a BREAK marker; the driver replies RESET; then a
RESET marker and an end-of-call record with ORA-01013, which the driver reads as the outcome
of its call. When the break arrives while a call runs, this sequence replaces the call's
reply, as Oracle does; a break arriving after the reply went out is answered on its own.

A call that raises :class:`~oracle_emulator.faults.ConnectionDropped` (a
fault switch) gets no reply: the socket is reset (RST), as when a server process dies or a
firewall cuts the connection, and the session is rolled back.

Over TCPS the connection's thread first runs the TLS handshake; everything after it goes
through the :class:`~oracle_emulator.tls.TlsChannel`. With ``tls_renegotiate`` the first
CONNECT is answered with a RESEND flagged TLS_RENEG, as by an Oracle listener that hands
the connection to a server process: the client handshakes again on the same TCP
connection and resends CONNECT. A client that sent the service in its TLS server name
(python-oracledb's ``use_sni``) is spared that second handshake, as Oracle spares it.
The TLS handshake and the CONNECT must both be done within ``INBOUND_CONNECT_TIMEOUT_S``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import ssl
import struct
import threading
import time
from collections.abc import Collection

from oracle_emulator.api import ORA_CANCELLED, Database, OracleError
from oracle_emulator.faults import ConnectionDropped, FaultSwitchboard
from oracle_emulator.protocol.auth import Verifiers
from oracle_emulator.protocol.buffer import (
    ProtocolError,
    ReadBuffer,
    RequestInterrupted,
)
from oracle_emulator.protocol.connect import (
    ConnectRequest,
    build_accept,
    build_refuse,
    build_tls_renegotiate,
    negotiate_sdu,
    parse_connect,
)
from oracle_emulator.protocol.constants import (
    DATA_FLAGS_EOF,
    INBOUND_CONNECT_TIMEOUT_S,
    MAX_SDU,
    MarkerType,
    PacketType,
)
from oracle_emulator.protocol.dispatcher import Dispatcher
from oracle_emulator.protocol.errors import EndOfCall
from oracle_emulator.protocol.packets import (
    Packet,
    PacketReader,
    build_marker,
    data_packet_parts,
)
from oracle_emulator.protocol.state import ConnectionState
from oracle_emulator.protocol.stream import SocketStream, Stream, close_gracefully
from oracle_emulator.tls import (
    TlsChannel,
    TlsHandshakeError,
    looks_like_client_hello,
    parse_oracle_sni,
)

log = logging.getLogger(__name__)

_BREAKS = frozenset({MarkerType.BREAK, MarkerType.INTERRUPT})
_CANCELLED = OracleError(ORA_CANCELLED, "user requested cancel of current operation")


class ConnectionClosed(RequestInterrupted):
    """The client went away (or the server is stopping)."""


class BreakReceived(RequestInterrupted):
    """A break marker arrived in the middle of a request."""


class ClientConnection:
    """Serves one accepted socket; :meth:`serve` returns when the connection is over.

    :param services: the service names (any case) the listener accepts; by default the
        database's own
    :param tls: the TLS context for a connection accepted by the TCPS listener
    :param tls_renegotiate: ask a TCPS client for a second TLS handshake (see above)
    """

    def __init__(
        self,
        sock: socket.socket,
        peer: tuple[str, int],
        database: Database,
        verifiers: Verifiers,
        session_id: int,
        max_sdu: int = MAX_SDU,
        *,
        faults: FaultSwitchboard | None = None,
        services: Collection[str] = (),
        tls: ssl.SSLContext | None = None,
        tls_renegotiate: bool = False,
    ) -> None:
        self._sock = sock
        self._stream: Stream = SocketStream(sock)
        self._tls = tls
        self._channel: TlsChannel | None = None
        self._tls_renegotiate = tls_renegotiate
        self._peer = peer
        self._database = database
        self._services = frozenset(name.upper() for name in services or [database.service_name])
        self._max_sdu = max_sdu
        self._sdu = max_sdu
        self._reader = PacketReader(self._recv)
        self._packets: queue.SimpleQueue[Packet | None] = queue.SimpleQueue()
        self._send_lock = threading.Lock()
        self.state = ConnectionState(database, session_id, faults)
        self._dispatcher = Dispatcher(self.state, verifiers)
        self._opened_at = 0.0
        self._closing = False
        #: refused before the TNS handshake: close so that the client reads why
        self._refused = False

    # --- lifecycle -------------------------------------------------------------------------

    @property
    def protocol(self) -> str:
        return "TCP" if self._tls is None else "TCPS"

    def serve(self) -> None:
        try:
            if self._open():
                threading.Thread(
                    target=self._read_packets,
                    name=f"oracle-emulator-reader-{self.state.session_id}",
                    daemon=True,
                ).start()
                self._serve_requests()
        except ConnectionDropped as exc:
            log.info("session %d: %s", self.state.session_id, exc)
            self._reset_on_close()
        except TlsHandshakeError as exc:
            self._refused = True
            log.info(
                "session %d: TLS handshake with %s:%d failed: %s",
                self.state.session_id,
                *self._peer,
                exc,
            )
        except TimeoutError:
            log.info(
                "session %d: %s:%d did not connect within %.0f s: closed",
                self.state.session_id,
                *self._peer,
                INBOUND_CONNECT_TIMEOUT_S,
            )
        except (ConnectionClosed, OSError) as exc:
            log.debug("session %d: connection ended: %s", self.state.session_id, exc)
        except ProtocolError as exc:
            log.warning("session %d: protocol error, disconnecting: %s", self.state.session_id, exc)
        except Exception:
            log.exception("session %d: failure, disconnecting", self.state.session_id)
        finally:
            self._finish()

    def abort(self) -> None:
        """From another thread (server stop): interrupt any statement and drop the socket."""
        self._closing = True
        self.state.interrupt()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def _reset_on_close(self) -> None:
        """Make the close send RST rather than FIN: the client sees the connection reset.

        Shutting down the receiving side wakes the reader thread blocked in ``recv`` (a bare
        close would not, and the socket would live on, unanswered, until the client gave up).
        """
        with contextlib.suppress(OSError):
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._sock.shutdown(socket.SHUT_RD)

    def _finish(self) -> None:
        state = self.state
        session, state.session = state.session, None
        if session is not None:
            try:
                session.close()
            except Exception:
                log.exception("session %d: close failed", state.session_id)
        if self._opened_at:
            log.info(
                "session %d closed: user %s, %.3f s, %d statements",
                state.session_id,
                state.username,
                time.monotonic() - self._opened_at,
                state.statements,
            )
        if self._refused:
            close_gracefully(self._sock)
            return
        # the reader thread may still be blocked in recv(), which holds the socket open
        # after close(): no FIN would go out, and a client that sent garbage would wait
        # forever for an answer. Shutting the receiving side wakes it.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RD)
        with contextlib.suppress(OSError):
            self._stream.close()

    # --- listener handshake ----------------------------------------------------------------

    def _open(self) -> bool:
        """TLS (over TCPS), then CONNECT and ACCEPT, within the inbound connect timeout."""
        self._sock.settimeout(INBOUND_CONNECT_TIMEOUT_S)
        if self._tls is not None:
            self._channel = self._start_tls(self._tls)
            self._stream = self._channel
        accepted = self._handshake()
        self._sock.settimeout(None)
        return accepted

    def _start_tls(self, context: ssl.SSLContext) -> TlsChannel:
        channel = TlsChannel(self._sock, context)
        channel.handshake()
        log.info(
            "session %d: %s from %s:%d, %s %s%s",
            self.state.session_id,
            self.protocol,
            *self._peer,
            channel.version,
            channel.cipher,
            f", client certificate {channel.peer_subject}" if channel.peer_subject else "",
        )
        return channel

    def _handshake(self) -> bool:
        request = self._read_connect()
        if request is not None and self._renegotiate_tls():
            request = self._read_connect()
        if request is None:
            return False
        wanted = request.service_name or request.sid or ""
        if wanted.upper() not in self._services:
            log.info("refused %s:%d: unknown service %r", *self._peer, wanted)
            self._stream.sendall(build_refuse())
            return False
        self._sdu = negotiate_sdu(request.sdu, self._max_sdu)
        self._stream.sendall(build_accept(self._sdu))
        # the version both sides use is at least 315 (older clients were refused above), so
        # packet lengths are 32-bit in both directions from here on
        self._reader.large_lengths = True
        return True

    def _renegotiate_tls(self) -> bool:
        """Over TCPS with ``tls_renegotiate``: RESEND flagged TLS_RENEG and a second TLS
        handshake, unless the client named the service in its SNI; True if it happened."""
        channel = self._channel
        if channel is None or not self._tls_renegotiate:
            return False
        sni = parse_oracle_sni(channel.server_name)
        if sni is not None:
            log.info(
                "session %d: SNI names service %s: no TLS renegotiation",
                self.state.session_id,
                sni.service_name,
            )
            return False
        channel.sendall(build_tls_renegotiate())
        channel.restart()
        log.info("session %d: TLS renegotiated (%s)", self.state.session_id, channel.version)
        return True

    def _read_connect(self) -> ConnectRequest | None:
        """The client's CONNECT packet with its whole descriptor; None if the client closed
        or sent something else (logged: TLS to the TCP port is a common mistake)."""
        header = self._reader.peek_header()
        if header is None:
            return None
        if self._tls is None and looks_like_client_hello(header):
            self._refused = True
            log.info(
                "session %d: %s:%d started a TLS handshake on the TCP port (TCPS is another "
                "port): closed",
                self.state.session_id,
                *self._peer,
            )
            return None
        packet = self._reader.read_packet()
        if packet is None:
            return None
        if packet.type != PacketType.CONNECT:
            self._refused = True
            log.info(
                "session %d: %s:%d sent packet type %d instead of CONNECT: closed",
                self.state.session_id,
                *self._peer,
                packet.type,
            )
            return None
        request = parse_connect(packet.body)
        while len(request.connect_data) < request.connect_data_length:
            more = self._reader.read_packet()
            if more is None:
                return None
            request = request.with_connect_data(request.connect_data + more.body)
        return request

    # --- reader thread ---------------------------------------------------------------------

    def _recv(self, size: int) -> bytes:
        try:
            return self._stream.recv(size)
        except TimeoutError:
            raise  # the inbound connect timeout, during the handshake
        except OSError:
            return b""

    def _read_packets(self) -> None:
        try:
            while True:
                packet = self._reader.read_packet()
                if packet is None:
                    break
                if packet.type == PacketType.MARKER and packet.marker_type in _BREAKS:
                    self.state.request_break()
                self._packets.put(packet)
        except ProtocolError as exc:
            log.warning("session %d: unreadable packet: %s", self.state.session_id, exc)
        except Exception:
            # whatever it was, the connection's thread learns of it from the None below
            log.exception("session %d: reader failed, disconnecting", self.state.session_id)
        finally:
            self.state.interrupt()
            self._packets.put(None)

    def _next_packet(self) -> Packet:
        packet = self._packets.get()
        if packet is None or self._closing:
            raise ConnectionClosed("client disconnected")
        return packet

    def _more_data(self) -> bytes:
        """The next DATA packet's body, for a request spanning several packets."""
        packet = self._next_packet()
        if packet.type == PacketType.MARKER and packet.marker_type in _BREAKS:
            raise BreakReceived
        if packet.type != PacketType.DATA:
            raise ProtocolError(f"packet type {packet.type} inside a request")
        return packet.body

    # --- requests --------------------------------------------------------------------------

    def _serve_requests(self) -> None:
        while True:
            packet = self._next_packet()
            if packet.type == PacketType.MARKER:
                if packet.marker_type in _BREAKS:
                    self._answer_break()
                continue  # a stray RESET: nothing to answer
            if packet.type != PacketType.DATA:
                raise ProtocolError(f"unexpected packet type {packet.type}")
            if packet.data_flags & DATA_FLAGS_EOF:
                return
            try:
                reply = self._dispatcher.handle(ReadBuffer(packet.body, self._more_data))
            except BreakReceived:
                reply = b""
            self._note_logon()
            if self.state.ended:  # killed: ORA-00028, then the connection ends
                self._send(reply)
                return
            if self.state.break_requested.is_set():
                self._answer_break()  # instead of the reply of the interrupted call
            elif reply:
                self._send(reply)

    def _note_logon(self) -> None:
        if not self._opened_at and self.state.session is not None:
            self._opened_at = time.monotonic()
            log.info(
                "session %d opened: user %s from %s:%d over %s",
                self.state.session_id,
                self.state.username,
                *self._peer,
                self.protocol,
            )

    def _answer_break(self) -> None:
        """BREAK, wait for the client's RESET (dropping whatever comes before it, including
        the break marker itself when a call was interrupted), RESET, then ORA-01013."""
        self.state.break_requested.clear()
        self._send_raw(build_marker(MarkerType.BREAK))
        while True:
            packet = self._next_packet()
            if packet.type == PacketType.MARKER and packet.marker_type == MarkerType.RESET:
                break
        self._send_raw(build_marker(MarkerType.RESET))
        self._send(EndOfCall(error=_CANCELLED).encode())

    def _send(self, payload: bytes) -> None:
        parts = data_packet_parts(payload, self._sdu)
        with self._send_lock:
            self._stream.send_buffers(parts)

    def _send_raw(self, data: bytes) -> None:
        with self._send_lock:
            self._stream.sendall(data)
