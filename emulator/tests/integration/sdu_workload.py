"""What a connection must do at any SDU: a fetch of rows wider than the SDU, a CLOB read of
many packets, and binds wider than the SDU, which the driver sends in several DATA packets
(one request, however many packets), read back intact. Shared by the TCP and TCPS tests.

Also a relay that measures every TNS packet on its way from the emulator to the client, so
that a test can show the emulator keeps to the SDU the client chose."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import uuid
from collections.abc import Iterator

import oracledb

#: every SDU python-oracledb lets a client choose lies between these
SDUS = (512, 600, 1000, 2048, 4095, 8192, 65_535, 2 * 1024 * 1024)
WIDE_ROWS = 200
WIDE_ROW_CHARS = 3000
CLOB_CHARS = 100_000
BOUND_TEXT_CHARS = 20_000
BLOB_BYTES = 50_000
_HEADER_SIZE = 8
_RELAY_CHUNK = 64 * 1024


def _text(size: int) -> str:
    """Text that shows a shuffled or lost packet: no two neighbouring 26-character runs
    are alike, and some characters take two bytes in UTF-8."""
    letters = "abcdefghijklmnopqrstuvwxyé"
    return "".join(letters[(i * 7 + i // 26) % 26] for i in range(size))


def _blob(size: int) -> bytes:
    return bytes(itertools.islice(itertools.cycle(range(251)), size))


def check_wide_fetch(connection: oracledb.Connection) -> None:
    """Rows of 3,000 characters each, fetched in one round trip of many packets."""
    with connection.cursor() as cursor:
        cursor.arraysize = WIDE_ROWS
        cursor.execute(
            f"SELECT LEVEL, RPAD('x', {WIDE_ROW_CHARS}, TO_CHAR(LEVEL)) FROM DUAL"
            f" CONNECT BY LEVEL <= {WIDE_ROWS}"
        )
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == list(range(1, WIDE_ROWS + 1))
    for number, text in rows:
        assert text == ("x" + str(number) * WIDE_ROW_CHARS)[:WIDE_ROW_CHARS]


def check_wide_binds_and_lobs(connection: oracledb.Connection) -> None:
    """A 20,000-character string, a 50 KB BLOB and a 100 KB CLOB bound, then read back."""
    table = f"T_SDU_{uuid.uuid4().hex[:10].upper()}"
    text, blob, clob = _text(BOUND_TEXT_CHARS), _blob(BLOB_BYTES), _text(CLOB_CHARS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (ID NUMBER, TXT CLOB, BIN BLOB)")
        try:
            cursor.execute(f"INSERT INTO {table} VALUES (1, :1, :2)", [text, blob])
            cursor.setinputsizes(oracledb.DB_TYPE_CLOB)
            cursor.execute(f"INSERT INTO {table} (ID, TXT) VALUES (2, :1)", [clob])
            cursor.execute(f"SELECT TXT, BIN FROM {table} ORDER BY ID")
            (first_text, first_blob), (second_text, second_blob) = cursor.fetchall()
            assert first_text.read() == text
            assert first_blob.read() == blob
            assert second_text.read() == clob
            assert second_blob is None
        finally:
            cursor.execute(f"DROP TABLE {table} PURGE")


class PacketSizeRelay:
    """A TCP relay for one connection at a time, noting the length of every TNS packet the
    server sends. Its first packet (ACCEPT, or REFUSE) has a 16-bit length; all later ones
    32-bit, as for any client of TNS version 315 and later."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        #: lengths of the packets from the server, in order, over every relayed connection
        self.server_packets: list[int] = []
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def close(self) -> None:
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=10)

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                server = socket.create_connection(self._target)
                for source, sink, measured in ((client, server, False), (server, client, True)):
                    thread = threading.Thread(
                        target=self._pump, args=(source, sink, measured), daemon=True
                    )
                    self._threads.append(thread)
                    thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket, measured: bool) -> None:
        pending = bytearray()
        first = True
        with contextlib.suppress(OSError), source, sink:
            while data := source.recv(_RELAY_CHUNK):
                sink.sendall(data)
                if not measured:
                    continue
                pending += data
                while len(pending) >= _HEADER_SIZE:
                    width = 2 if first else 4
                    size = int.from_bytes(pending[:width], "big")
                    if len(pending) < size:
                        break
                    self.server_packets.append(size)
                    del pending[:size]
                    first = False
            sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def packet_size_relay(host: str, port: int) -> Iterator[PacketSizeRelay]:
    relay = PacketSizeRelay(host, port)
    try:
        yield relay
    finally:
        relay.close()
