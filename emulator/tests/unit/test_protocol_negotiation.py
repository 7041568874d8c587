"""The PROTOCOL and DATA_TYPES requests are read to their last byte, however the client cut
them into packets: what follows them on the connection is the next request."""

from __future__ import annotations

import pytest

from oracle_emulator.protocol.buffer import ProtocolError, ReadBuffer
from oracle_emulator.protocol.negotiation import read_data_types_request, read_protocol_request

#: the layout of python-oracledb's requests (``messages/protocol.pyx``, ``data_types.pyx``)
_UTF8 = (873).to_bytes(2, "little")
_DRIVER = b"python-oracledb thn : 26.1.0"
_NEXT_REQUEST = b"\x03\x5e\x01"


def _data_types_request(entries: int) -> bytes:
    """The body after the message type: character sets, encoding flags, both capability
    arrays with a length byte, then ``entries`` 8-byte entries and a zero type."""
    compile_caps, runtime_caps = bytes(range(1, 54)), bytes(range(1, 12))
    head = _UTF8 + _UTF8 + b"\x03"
    caps = bytes((len(compile_caps),)) + compile_caps + bytes((len(runtime_caps),)) + runtime_caps
    types = b"".join(
        (number + 1).to_bytes(2, "big") + (number + 1).to_bytes(2, "big") + b"\x00\x01\x00\x00"
        for number in range(entries)
    )
    return head + caps + types + b"\x00\x00"


def _packets(data: bytes, room: int) -> ReadBuffer:
    """A ReadBuffer over ``data`` as the payloads of packets of ``room`` bytes each."""
    chunks = [data[start : start + room] for start in range(0, len(data), room)]
    chunks.reverse()
    return ReadBuffer(chunks.pop(), lambda: chunks.pop())


@pytest.mark.parametrize("room", [502, 2038, 8182])
def test_a_data_types_request_of_several_packets_is_read_whole(room: int) -> None:
    buf = _packets(_data_types_request(entries=300) + _NEXT_REQUEST, room)
    read_data_types_request(buf)
    assert buf.read_raw(len(_NEXT_REQUEST)) == _NEXT_REQUEST


def test_a_data_types_request_cut_short_is_refused() -> None:
    with pytest.raises(ProtocolError):
        read_data_types_request(ReadBuffer(_data_types_request(entries=10)[:-3]))


def test_a_data_types_request_without_an_end_is_refused() -> None:
    endless = _data_types_request(entries=0)[:-2] + b"\x00\x01" * 4 * 5000
    with pytest.raises(ProtocolError, match="more than"):
        read_data_types_request(ReadBuffer(endless))


def test_the_protocol_request_is_read_whole() -> None:
    buf = _packets(b"\x06\x00" + _DRIVER + b"\x00" + _NEXT_REQUEST, 7)
    read_protocol_request(buf)
    assert buf.read_raw(len(_NEXT_REQUEST)) == _NEXT_REQUEST


def test_a_protocol_request_with_an_endless_name_is_refused() -> None:
    with pytest.raises(ProtocolError, match="driver name"):
        read_protocol_request(ReadBuffer(b"\x06\x00" + b"x" * 1000))
