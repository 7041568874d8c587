"""A server-side TLS session over an accepted socket, shared by a connection's two threads.

A connection reads in one thread (to see a client's break while a call runs) and writes in
another. An ``ssl.SSLSocket`` must not be read and written at the same time from two
threads (OpenSSL's ``SSL`` object is not thread-safe), so the TLS state lives in an
``ssl.SSLObject`` over memory buffers instead: every call into it takes one short lock and
never blocks, while the socket reads and writes happen outside that lock. A second lock
keeps encrypted records going out in the order they were made.

:meth:`TlsChannel.restart` begins a new TLS session on the same TCP connection, without
closing the first one: what python-oracledb does when the server asks for "TLS
renegotiation" during connect (see ``ClientConnection``).
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Sequence

from oracle_emulator.tls.context import peer_subject
from oracle_emulator.tls.sni import ServerNames

__all__ = ["TlsChannel", "TlsHandshakeError"]

_RECV_SIZE = 256 * 1024


class TlsHandshakeError(ConnectionError):
    """The TLS handshake failed: bad or missing client certificate, no common protocol
    version, or bytes that are not TLS at all (a plain TCP client on the TCPS port)."""


class TlsChannel:
    """TLS over ``sock`` as the server; ``recv``/``sendall``/``send_buffers`` like a socket.

    :param sock: the accepted TCP socket (it stays the caller's to shut down or time out)
    :param context: a server-side context (:func:`~oracle_emulator.tls.server_context`)
    """

    def __init__(self, sock: socket.socket, context: ssl.SSLContext) -> None:
        self._sock = sock
        self._context = context
        #: every call into the SSLObject and its buffers
        self._state_lock = threading.Lock()
        #: taking encrypted bytes out of the buffer and sending them, in order
        self._wire_lock = threading.Lock()
        self._incoming, self._outgoing, self._tls = self._new_session()

    def _new_session(self) -> tuple[ssl.MemoryBIO, ssl.MemoryBIO, ssl.SSLObject]:
        """Fresh buffers and TLS state: bytes from the client go in ``incoming``, bytes
        for it come out of ``outgoing``."""
        incoming = ssl.MemoryBIO()
        outgoing = ssl.MemoryBIO()
        return incoming, outgoing, self._context.wrap_bio(incoming, outgoing, server_side=True)

    # --- handshake -------------------------------------------------------------------------

    def handshake(self) -> None:
        """Run the server's side of the handshake; TlsHandshakeError says why it failed.

        A failure's alert (protocol version, certificate required, unknown CA...) is sent
        before raising, so the client reports the reason rather than a bare end of file.
        """
        while True:
            try:
                with self._state_lock:
                    self._tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    raise TlsHandshakeError(
                        "the client closed the connection during the TLS handshake"
                    ) from None
            except ssl.SSLError as exc:
                with contextlib.suppress(OSError):
                    self._flush()
                raise TlsHandshakeError(_reason(exc)) from exc
        self._flush()

    def restart(self) -> None:
        """Drop the current TLS session without closing it and handshake again on the same
        TCP connection (the client has detached its socket from its first session too)."""
        with self._wire_lock, self._state_lock:
            self._incoming, self._outgoing, self._tls = self._new_session()
        self.handshake()

    @property
    def version(self) -> str | None:
        """The negotiated protocol version, e.g. ``TLSv1.3``."""
        return self._tls.version()

    @property
    def cipher(self) -> str | None:
        cipher = self._tls.cipher()
        return None if cipher is None else cipher[0]

    @property
    def peer_subject(self) -> str | None:
        """The subject DN of the client's certificate (mutual TLS), else None."""
        return peer_subject(self._tls.getpeercert(binary_form=True))

    @property
    def server_name(self) -> str | None:
        """The server name the client sent (TLS SNI), if any."""
        names = self._context.sni_callback
        return names.of(self._tls) if isinstance(names, ServerNames) else None

    # --- data ------------------------------------------------------------------------------

    def recv(self, size: int) -> bytes:
        """Up to ``size`` decrypted bytes; b"" once the client has closed (or sent
        close_notify). Socket and TLS failures raise OSError (ssl.SSLError is one)."""
        while True:
            with self._state_lock:
                try:
                    data = self._tls.read(size)
                except ssl.SSLWantReadError:
                    data = None
                except ssl.SSLZeroReturnError:
                    return b""
                pending = self._outgoing.pending
            if pending:  # e.g. the answer to a TLS 1.3 key update
                self._flush()
            if data:
                return data
            if not self._fill():
                return b""

    def sendall(self, data: bytes | memoryview) -> None:
        self.send_buffers([data])

    def send_buffers(self, buffers: Sequence[bytes | memoryview]) -> None:
        """Encrypt and send ``buffers`` as one stream of records (joined first: a record per
        packet header would cost more than the copy)."""
        data = buffers[0] if len(buffers) == 1 else b"".join(buffers)
        with self._wire_lock:
            with self._state_lock:
                self._tls.write(data)
                encrypted = self._outgoing.read()
            self._sock.sendall(encrypted)

    def close(self) -> None:
        """Send close_notify when the socket still takes it, then close the socket."""
        with contextlib.suppress(OSError, ValueError), self._wire_lock:
            with self._state_lock:
                with contextlib.suppress(ssl.SSLWantReadError):
                    self._tls.unwrap()
                encrypted = self._outgoing.read()
            if encrypted:
                self._sock.settimeout(0)  # never wait on a client that stopped reading
                self._sock.send(encrypted)
        self._sock.close()

    # --- socket side -----------------------------------------------------------------------

    def _fill(self) -> bool:
        """Feed the next bytes from the socket to the TLS session; False at end of stream."""
        data = self._sock.recv(_RECV_SIZE)
        with self._state_lock:
            if not data:
                self._incoming.write_eof()
                return False
            self._incoming.write(data)
        return True

    def _flush(self) -> None:
        with self._wire_lock:
            with self._state_lock:
                encrypted = self._outgoing.read()
            if encrypted:
                self._sock.sendall(encrypted)


def _reason(exc: ssl.SSLError) -> str:
    """OpenSSL's reason for a failed handshake, without Python's location suffix."""
    return exc.reason or exc.strerror or str(exc)
