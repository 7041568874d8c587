"""TTC encoding and decoding: Oracle's variable-length integers and length-prefixed bytes.

The names follow python-oracledb's ``impl/base/buffer.pyx`` so the two sides can be read
side by side. "Universal" integers (``ub2``/``ub4``/``ub8`` and signed ``sb*``) are a length
byte, whose top bit is the sign, followed by that many big-endian bytes. Byte strings are a
length byte (0 = NULL) or, above 252 bytes, 0xFE and chunks closed by a zero length.

:class:`ReadBuffer` reads one request; when it runs out of bytes mid-value it asks its
``more`` callback for the next packet's payload, so a message split across packets is read
as if it were contiguous. :class:`WriteBuffer` builds one reply in a bytearray.
"""

from __future__ import annotations

from collections.abc import Callable

_SIGN_BIT = 0x80
_LENGTH_MASK = 0x7F
_NULL_LENGTH = 0
_NULL_LENGTH_INDICATOR = 0xFF
_LONG_LENGTH_INDICATOR = 0xFE
_MAX_SHORT_LENGTH = 252
_CHUNK_SIZE = 32767
_UINT8_MAX = 0xFF
_UINT16_MAX = 0xFFFF
_UINT32_MAX = 0xFFFF_FFFF


class ProtocolError(Exception):
    """The client sent something the emulator cannot parse: inside a call's body, the call
    is answered ORA-03137 and the session goes on; where it breaks the framing of packets
    or requests, the connection is dropped (either way, logged)."""


class RequestInterrupted(Exception):
    """Raised by a :class:`ReadBuffer`'s ``more`` callback when, instead of the rest of a
    request, a break or the end of the connection arrives; handlers let it through."""


class ReadBuffer:
    """Sequential reader over a request's bytes, pulling further packets on demand."""

    def __init__(self, data: bytes, more: Callable[[], bytes] | None = None) -> None:
        self._data = data
        self._pos = 0
        self._more = more

    def _ensure(self, count: int) -> None:
        while len(self._data) - self._pos < count:
            if self._more is None:
                raise ProtocolError(f"message ends before {count} more bytes at {self._pos}")
            self._data = self._data[self._pos :] + self._more()
            self._pos = 0

    def at_end(self) -> bool:
        """True when every byte received so far has been read (more may still arrive)."""
        return self._pos >= len(self._data)

    def peek_uint8(self) -> int:
        self._ensure(1)
        return self._data[self._pos]

    def read_raw(self, count: int) -> bytes:
        self._ensure(count)
        start = self._pos
        self._pos += count
        return self._data[start : self._pos]

    def skip(self, count: int) -> None:
        self._ensure(count)
        self._pos += count

    def read_uint8(self) -> int:
        self._ensure(1)
        value = self._data[self._pos]
        self._pos += 1
        return value

    def read_uint16be(self) -> int:
        return int.from_bytes(self.read_raw(2), "big")

    def read_uint16le(self) -> int:
        return int.from_bytes(self.read_raw(2), "little")

    def read_uint32be(self) -> int:
        return int.from_bytes(self.read_raw(4), "big")

    def _read_universal(self, max_length: int, signed: bool) -> int:
        length = self.read_uint8()
        negative = bool(length & _SIGN_BIT)
        if negative and not signed:
            raise ProtocolError(f"negative unsigned integer at {self._pos - 1}")
        length &= _LENGTH_MASK
        if length > max_length:
            raise ProtocolError(f"integer of {length} bytes where at most {max_length} fit")
        value = int.from_bytes(self.read_raw(length), "big") if length else 0
        return -value if negative else value

    def read_ub2(self) -> int:
        return self._read_universal(2, signed=False)

    def read_ub4(self) -> int:
        return self._read_universal(4, signed=False)

    def read_ub8(self) -> int:
        return self._read_universal(8, signed=False)

    def read_sb4(self) -> int:
        return self._read_universal(4, signed=True)

    def read_sb8(self) -> int:
        return self._read_universal(8, signed=True)

    def read_bytes(self) -> bytes | None:
        """A length-prefixed value; None for NULL (length 0)."""
        length = self.read_uint8()
        if length in (_NULL_LENGTH, _NULL_LENGTH_INDICATOR):
            return None
        if length != _LONG_LENGTH_INDICATOR:
            return self.read_raw(length)
        chunks = []
        while True:
            size = self.read_ub4()
            if size == 0:
                return b"".join(chunks)
            chunks.append(self.read_raw(size))

    def read_bytes_with_length(self) -> bytes | None:
        """A ub4 length, then (if not zero) a length-prefixed value."""
        if self.read_ub4() == 0:
            return None
        return self.read_bytes()

    def read_str_with_length(self) -> str | None:
        data = self.read_bytes_with_length()
        return None if data is None else data.decode()


class WriteBuffer:
    """Builds one reply; :meth:`getvalue` returns the bytes to frame into packets."""

    def __init__(self) -> None:
        self._data = bytearray()

    def __len__(self) -> int:
        return len(self._data)

    def getvalue(self) -> bytes:
        return bytes(self._data)

    def write_raw(self, data: bytes) -> None:
        self._data += data

    def write_uint8(self, value: int) -> None:
        self._data.append(value)

    def write_uint16be(self, value: int) -> None:
        self._data += value.to_bytes(2, "big")

    def write_uint16le(self, value: int) -> None:
        self._data += value.to_bytes(2, "little")

    def write_uint32be(self, value: int) -> None:
        self._data += value.to_bytes(4, "big")

    def _write_universal(self, value: int, sign: int = 0) -> None:
        if value == 0:
            self._data.append(0)
        elif value <= _UINT8_MAX:
            self._data += bytes((1 | sign, value))
        elif value <= _UINT16_MAX:
            self._data.append(2 | sign)
            self._data += value.to_bytes(2, "big")
        elif value <= _UINT32_MAX:
            self._data.append(4 | sign)
            self._data += value.to_bytes(4, "big")
        else:
            self._data.append(8 | sign)
            self._data += value.to_bytes(8, "big")

    def write_ub2(self, value: int) -> None:
        self._write_universal(value)

    def write_ub4(self, value: int) -> None:
        self._write_universal(value)

    def write_ub8(self, value: int) -> None:
        self._write_universal(value)

    def write_sb4(self, value: int) -> None:
        self._write_universal(abs(value), _SIGN_BIT if value < 0 else 0)

    write_sb8 = write_sb4

    def write_bytes_with_length(self, data: bytes) -> None:
        """``data`` behind a length byte, or the chunked long form above 252 bytes."""
        self._data += encode_with_length(data)

    def write_str_with_length(self, text: str | None) -> None:
        """The layout of ``read_str_with_length``: ub4 byte count, then the prefixed bytes."""
        self.write_bytes_with_two_lengths(None if text is None else text.encode())

    def write_bytes_with_two_lengths(self, data: bytes | None) -> None:
        if not data:
            self._data.append(0)
            return
        self.write_ub4(len(data))
        self.write_bytes_with_length(data)


def encode_with_length(data: bytes) -> bytes:
    """TTC length-prefixed form of ``data`` (empty = NULL)."""
    size = len(data)
    if size <= _MAX_SHORT_LENGTH:
        return bytes((size,)) + data
    out = WriteBuffer()
    out.write_uint8(_LONG_LENGTH_INDICATOR)
    view = memoryview(data)
    for start in range(0, size, _CHUNK_SIZE):
        chunk = view[start : start + _CHUNK_SIZE]
        out.write_ub4(len(chunk))
        out.write_raw(chunk)
    out.write_ub4(0)
    return out.getvalue()
