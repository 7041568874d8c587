"""TTC length framing of values, as python-oracledb's ``Buffer`` reads it.

Every column value in row data and every bind value is a byte string behind a length byte.
Short values (up to 252 bytes) carry the length in that byte; longer ones set it to 0xFE and
follow it with chunks, each a "universal" 32-bit length and its bytes, closed by a zero
length. A length byte of 0 (or 0xFF) is SQL NULL, which is also why Oracle cannot tell an
empty string from NULL.
"""

from __future__ import annotations

NULL_LENGTH = 0
MAX_SHORT_LENGTH = 252
LONG_LENGTH_INDICATOR = 0xFE
NULL_LENGTH_INDICATOR = 0xFF
#: the driver writes long values in chunks of this size; it reads chunks of any size
CHUNK_SIZE = 32767

#: SQL NULL in row data and in bind data
NULL_VALUE = bytes((NULL_LENGTH,))

_UINT8_MAX = 0xFF
_UINT16_MAX = 0xFFFF
_UINT32_MAX = 0xFFFF_FFFF

#: the one-byte length prefix of every short value, indexed by its length
SHORT_PREFIXES: tuple[bytes, ...] = tuple(bytes((n,)) for n in range(MAX_SHORT_LENGTH + 1))


def encode_ub2(value: int) -> bytes:
    """A 16-bit unsigned integer in TTC's universal form: a length byte and big-endian bytes."""
    if not 0 <= value <= _UINT16_MAX:
        raise ValueError(f"{value} does not fit an unsigned 16-bit integer")
    if value == 0:
        return b"\x00"
    if value <= _UINT8_MAX:
        return bytes((1, value))
    return b"\x02" + value.to_bytes(2, "big")


def encode_ub4(value: int) -> bytes:
    """A 32-bit unsigned integer in TTC's universal form (lengths 0, 1, 2 or 4, as the driver
    writes them)."""
    if not 0 <= value <= _UINT32_MAX:
        raise ValueError(f"{value} does not fit an unsigned 32-bit integer")
    if value == 0:
        return b"\x00"
    if value <= _UINT8_MAX:
        return bytes((1, value))
    if value <= _UINT16_MAX:
        return b"\x02" + value.to_bytes(2, "big")
    return b"\x04" + value.to_bytes(4, "big")


def with_length(data: bytes) -> bytes:
    """``data`` behind its TTC length: one byte up to 252 bytes, else the chunked long form.

    Empty data comes out as :data:`NULL_VALUE`: on the wire an empty value is NULL.
    """
    size = len(data)
    if size <= MAX_SHORT_LENGTH:
        return SHORT_PREFIXES[size] + data
    parts = [bytes((LONG_LENGTH_INDICATOR,))]
    view = memoryview(data)
    for start in range(0, size, CHUNK_SIZE):
        chunk = view[start : start + CHUNK_SIZE]
        parts.append(encode_ub4(len(chunk)))
        parts.append(bytes(chunk))
    parts.append(encode_ub4(0))
    return b"".join(parts)


def read_ub4(data: bytes, offset: int) -> tuple[int, int]:
    """Read a universal unsigned integer at ``offset``; return it and the offset after it."""
    size = data[offset]
    if size & 0x80:
        raise ValueError(f"unexpected negative integer at offset {offset}")
    end = offset + 1 + size
    if end > len(data):
        raise ValueError(f"integer at offset {offset} runs past the end of the data")
    return int.from_bytes(data[offset + 1 : end], "big"), end


def read_length_prefixed(data: bytes, offset: int = 0) -> tuple[bytes | None, int]:
    """Read one length-prefixed value at ``offset`` (the inverse of :func:`with_length`).

    Returns the value (None for NULL) and the offset just after it. Chunks of any size are
    accepted, as the driver accepts them.
    """
    size = data[offset]
    offset += 1
    if size in (NULL_LENGTH, NULL_LENGTH_INDICATOR):
        return None, offset
    if size != LONG_LENGTH_INDICATOR:
        return _take(data, offset, size)
    chunks = []
    while True:
        size, offset = read_ub4(data, offset)
        if size == 0:
            return b"".join(chunks), offset
        chunk, offset = _take(data, offset, size)
        chunks.append(chunk)


def _take(data: bytes, offset: int, size: int) -> tuple[bytes, int]:
    end = offset + size
    if end > len(data):
        raise ValueError(f"value of {size} bytes at offset {offset} runs past the end")
    return bytes(data[offset:end]), end
