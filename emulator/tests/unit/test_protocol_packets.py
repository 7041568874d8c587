"""TNS framing of what arrives: packets whose header cannot be true are refused at once."""

from __future__ import annotations

import pytest

from oracle_emulator.protocol.buffer import ProtocolError
from oracle_emulator.protocol.constants import MAX_SDU, PacketType
from oracle_emulator.protocol.packets import Packet, PacketReader, data_packet_parts


def _reader(data: bytes) -> PacketReader:
    """A reader over ``data``, past ACCEPT (32-bit lengths); then the stream ends."""
    chunks = [data]
    reader = PacketReader(lambda _size: chunks.pop() if chunks else b"")
    reader.large_lengths = True
    return reader


def _header(size: int, packet_type: int) -> bytes:
    return size.to_bytes(4, "big") + bytes((packet_type, 0, 0, 0))


def test_a_data_packet_is_read() -> None:
    packet = _reader(_header(13, PacketType.DATA) + b"\x00\x40abc").read_packet()
    assert packet == Packet(PacketType.DATA, 0, b"abc", data_flags=0x40)


@pytest.mark.parametrize(
    ("size", "packet_type"),
    [
        (MAX_SDU + 1, PacketType.DATA),  # no client sends more than an SDU: garbage
        (0x7FFF_FFF0, PacketType.DATA),
        (7, PacketType.CONNECT),  # shorter than the header itself
        (9, PacketType.DATA),  # no room for the data flags
        (10, PacketType.MARKER),  # no room for the marker type
    ],
)
def test_impossible_lengths_are_refused_before_waiting(size: int, packet_type: int) -> None:
    """Refused from the header alone: the reader must not wait for the bytes announced."""
    with pytest.raises(ProtocolError):
        _reader(_header(size, packet_type)).read_packet()


def test_end_of_stream_mid_packet_is_the_end_of_the_connection() -> None:
    assert _reader(_header(100, PacketType.DATA) + b"\x00\x00ab").read_packet() is None


@pytest.mark.parametrize("sdu", [512, 600, 4095, 8192, MAX_SDU])
@pytest.mark.parametrize("size", [0, 1, 501, 502, 503, 1004, 100_000])
def test_a_reply_is_cut_into_packets_of_at_most_the_sdu(sdu: int, size: int) -> None:
    """Every packet but the last is exactly the SDU long, and read back in order the packets
    give the reply again."""
    payload = bytes(index % 251 for index in range(size))
    stream = b"".join(data_packet_parts(payload, sdu))
    reader = _reader(stream)
    sizes: list[int] = []
    bodies: list[bytes] = []
    offset = 0
    while (packet := reader.read_packet()) is not None:
        length = int.from_bytes(stream[offset : offset + 4], "big")
        sizes.append(length)
        offset += length
        bodies.append(packet.body)
    assert b"".join(bodies) == payload
    assert all(length == sdu for length in sizes[:-1])
    assert 0 < sizes[-1] <= sdu
