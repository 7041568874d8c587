"""A raw TNS client for the packet and wire-level tests: just enough to open a session at
the TNS level (CONNECT, ACCEPT) and then send whatever bytes a test wants, well-formed or
not.

Written from the packet layout the emulator documents (``protocol/packets.py``,
``protocol/connect.py``), not with the emulator's own builders, so that a builder bug
cannot hide a parser bug.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time

from oracle_emulator.protocol.constants import (
    CONNECT_DATA_OFFSET,
    PACKET_HEADER_SIZE,
    TNS_VERSION,
    Function,
    MessageType,
    PacketType,
)

IO_TIMEOUT_S = 10.0
#: what a CONNECT proposes: a modest SDU, and a TNS version the emulator accepts
PROPOSED_SDU = 8192
_MIN_VERSION = 300
_CONNECT_FIXED = struct.Struct(">HHHHHHHHHHI2s24sIIII")
_PING_SEQUENCE = 1


def descriptor(service: str) -> bytes:
    return f"(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME={service})))".encode()


def connect_packet(service: str, version: int = TNS_VERSION) -> bytes:
    """A CONNECT packet (16-bit length) with the descriptor inside it."""
    data = descriptor(service)
    body = _CONNECT_FIXED.pack(
        version,
        _MIN_VERSION,
        0,  # service options
        PROPOSED_SDU,
        0xFFFF,  # TDU
        0,  # protocol characteristics
        0,  # line turnaround
        1,  # the constant 1
        len(data),
        CONNECT_DATA_OFFSET,
        0,  # maximum receivable data
        b"\x00\x00",  # NSI flags
        bytes(24),
        PROPOSED_SDU,  # 32-bit SDU
        PROPOSED_SDU,  # 32-bit TDU
        0,  # connect flags 1
        0,  # connect flags 2
    )
    return packet(PacketType.CONNECT, body + data, large=False)


def packet(packet_type: int, body: bytes, large: bool = True, length: int | None = None) -> bytes:
    """A packet of any type; ``length`` overrides the header's (true) length."""
    size = PACKET_HEADER_SIZE + len(body) if length is None else length
    head = size.to_bytes(4, "big") if large else size.to_bytes(2, "big") + b"\x00\x00"
    return head + bytes((packet_type, 0)) + b"\x00\x00" + body


def data_packet(payload: bytes, data_flags: int = 0) -> bytes:
    return packet(PacketType.DATA, data_flags.to_bytes(2, "big") + payload)


def function_call(code: int, sequence: int = _PING_SEQUENCE) -> bytes:
    """A DATA packet holding one TTC function message without a body (ping, commit...)."""
    return data_packet(bytes((MessageType.FUNCTION, code, sequence)))


PING = function_call(Function.PING)


def open_socket(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    sock.settimeout(IO_TIMEOUT_S)
    return sock


def tns_session(port: int, service: str) -> socket.socket:
    """A socket past CONNECT and ACCEPT: packet lengths are 32-bit from here on."""
    sock = open_socket(port)
    sock.sendall(connect_packet(service))
    reply_type, _ = read_packet(sock, large=False)
    if reply_type != PacketType.ACCEPT:
        sock.close()
        raise AssertionError(f"expected ACCEPT, got packet type {reply_type}")
    return sock


def read_packet(sock: socket.socket, large: bool = True) -> tuple[int, bytes]:
    """(type, body) of the next packet; (0, b"") when the server closed the connection."""
    header = _read_exactly(sock, PACKET_HEADER_SIZE)
    if header is None:
        return 0, b""
    size = int.from_bytes(header[:4] if large else header[:2], "big")
    body = _read_exactly(sock, size - PACKET_HEADER_SIZE)
    return header[4], body or b""


def read_reply(sock: socket.socket) -> bytes:
    """The TTC bytes of a short reply (one DATA packet: the calls these tests make are
    answered by a lone end-of-call record); b"" if the server closed the connection."""
    packet_type, body = read_packet(sock)
    if packet_type != PacketType.DATA:
        return b""
    return body[2:]


def closed_by_server(sock: socket.socket, within_s: float = IO_TIMEOUT_S) -> bool:
    """True once the server has closed (or reset) the connection, draining what it sent."""
    deadline = time.monotonic() + within_s
    sock.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def _read_exactly(sock: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        try:
            chunk = sock.recv(count - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data


def send_quietly(sock: socket.socket, data: bytes) -> None:
    """Send, ignoring a server that already closed (which is a valid answer to garbage)."""
    with contextlib.suppress(OSError):
        sock.sendall(data)
