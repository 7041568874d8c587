"""TNS packet framing, apart from any socket: bytes in, packets out, and back.

Every packet has an 8-byte header: a length, the packet type, flags and a zero checksum.
Until the server sends ACCEPT the length is 16 bits (bytes 0-1, then a 16-bit checksum);
afterwards, for TNS versions of 315 and later, it takes all of bytes 0-3. Both directions
switch at the same moment, which :attr:`PacketReader.large_lengths` and the ``large``
argument of the builders below express. DATA packets start their body with 2 bytes of data
flags; replies larger than the negotiated SDU are cut into several DATA packets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oracle_emulator.protocol.buffer import ProtocolError
from oracle_emulator.protocol.constants import (
    DATA_FLAGS_SIZE,
    MARKER_PREFIX,
    MAX_SDU,
    PACKET_HEADER_SIZE,
    MarkerType,
    PacketType,
)

_RECV_SIZE = 256 * 1024
_DATA_HEADER_SIZE = PACKET_HEADER_SIZE + DATA_FLAGS_SIZE
_MARKER_SIZE = PACKET_HEADER_SIZE + len(MARKER_PREFIX) + 1
#: the smallest packet of each type whose body the emulator reads at fixed offsets
_MIN_SIZES = {PacketType.DATA: _DATA_HEADER_SIZE, PacketType.MARKER: _MARKER_SIZE}
_TYPE_OFFSET = 4
_FLAGS_OFFSET = 5
_NO_FLAGS = b"\x00\x00"


@dataclass(frozen=True)
class Packet:
    """One received packet. ``body`` excludes the header (and, for DATA, the data flags)."""

    type: int
    flags: int
    body: bytes
    data_flags: int = 0

    @property
    def marker_type(self) -> int | None:
        """The marker type of a MARKER packet (BREAK, RESET, INTERRUPT), else None."""
        if self.type != PacketType.MARKER or len(self.body) < len(MARKER_PREFIX) + 1:
            return None
        return self.body[len(MARKER_PREFIX)]


class PacketReader:
    """Cuts a byte stream into packets; ``recv(n)`` returns b"" at end of stream."""

    def __init__(self, recv: Callable[[int], bytes]) -> None:
        self._recv = recv
        self._buffer = bytearray()
        #: set once ACCEPT has been sent: lengths are 32-bit from then on
        self.large_lengths = False

    def read_packet(self) -> Packet | None:
        """The next packet, or None when the peer has closed the connection."""
        while True:
            packet = self._extract()
            if packet is not None:
                return packet
            data = self._recv(_RECV_SIZE)
            if not data:
                return None
            self._buffer += data

    def peek_header(self) -> bytes | None:
        """The first header's bytes, without taking them: the listener looks at them before
        waiting for a whole packet of a length that may be garbage (a TLS ClientHello on
        the TCP port reads as a 5,635-byte packet). None if the peer closes first."""
        while len(self._buffer) < PACKET_HEADER_SIZE:
            data = self._recv(_RECV_SIZE)
            if not data:
                return None
            self._buffer += data
        return bytes(self._buffer[:PACKET_HEADER_SIZE])

    def _extract(self) -> Packet | None:
        buffer = self._buffer
        if len(buffer) < PACKET_HEADER_SIZE:
            return None
        width = 4 if self.large_lengths else 2
        size = int.from_bytes(buffer[:width], "big")
        packet_type = buffer[_TYPE_OFFSET]
        _check_size(size, packet_type)
        if len(buffer) < size:
            return None
        flags = buffer[_FLAGS_OFFSET]
        if packet_type == PacketType.DATA:
            data_flags = int.from_bytes(buffer[PACKET_HEADER_SIZE:_DATA_HEADER_SIZE], "big")
            body = bytes(buffer[_DATA_HEADER_SIZE:size])
        else:
            data_flags = 0
            body = bytes(buffer[PACKET_HEADER_SIZE:size])
        del buffer[:size]
        return Packet(packet_type, flags, body, data_flags)


def _check_size(size: int, packet_type: int) -> None:
    """Refuse a length no client sends, before waiting for that many bytes: a garbage
    header would otherwise hold the connection until gigabytes arrived. Clients cut what
    they send into packets of at most the SDU, which is never above ``MAX_SDU``."""
    if size < _MIN_SIZES.get(packet_type, PACKET_HEADER_SIZE):
        raise ProtocolError(f"packet of type {packet_type} and length {size} is too short")
    if size > MAX_SDU:
        raise ProtocolError(f"packet length {size} exceeds the largest SDU ({MAX_SDU})")


def _header(size: int, packet_type: int, large: bool, flags: int = 0) -> bytes:
    length = size.to_bytes(4, "big") if large else size.to_bytes(2, "big") + _NO_FLAGS
    return length + bytes((packet_type, flags)) + _NO_FLAGS


def build_packet(packet_type: int, body: bytes, large: bool, flags: int = 0) -> bytes:
    """One non-DATA packet (CONNECT-phase replies, markers)."""
    return _header(PACKET_HEADER_SIZE + len(body), packet_type, large, flags) + body


def build_marker(marker_type: MarkerType, large: bool = True) -> bytes:
    return build_packet(PacketType.MARKER, MARKER_PREFIX + bytes((marker_type,)), large)


def data_packet_parts(
    payload: bytes, sdu: int, large: bool = True, data_flags: int = 0
) -> list[bytes | memoryview]:
    """``payload`` as consecutive DATA packets of at most ``sdu`` bytes each, as a list of
    buffers (headers and views of ``payload``) for one scatter-gather send: a fetch reply of
    many megabytes is then never copied in user space, only by the kernel."""
    room = sdu - _DATA_HEADER_SIZE
    flags = data_flags.to_bytes(DATA_FLAGS_SIZE, "big")
    size = len(payload)
    if size <= room:
        return [_header(size + _DATA_HEADER_SIZE, PacketType.DATA, large) + flags, payload]
    view = memoryview(payload)
    parts: list[bytes | memoryview] = []
    full_header = _header(sdu, PacketType.DATA, large) + flags
    for start in range(0, size, room):
        chunk = view[start : start + room]
        if len(chunk) == room:
            parts.append(full_header)
        else:
            parts.append(_header(len(chunk) + _DATA_HEADER_SIZE, PacketType.DATA, large) + flags)
        parts.append(chunk)
    return parts
