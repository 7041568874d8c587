"""BINARY_FLOAT / BINARY_DOUBLE and character data in Oracle's wire format.

Oracle stores IEEE 754 values big-endian in a byte-comparable form: a positive value (sign
bit clear) gets its sign bit set, a negative value has all its bits inverted. NaN and the
infinities pass through like any other bit pattern.
"""

from __future__ import annotations

import struct

BINARY_DOUBLE_SIZE = 8
BINARY_FLOAT_SIZE = 4

_DOUBLE = struct.Struct(">d")
_FLOAT = struct.Struct(">f")
_DOUBLE_SIGN = 1 << 63
_DOUBLE_ALL = (1 << 64) - 1
_FLOAT_SIGN = 1 << 31
_FLOAT_ALL = (1 << 32) - 1

#: Oracle charset 873 (AL32UTF8) for form 1, 2000 (AL16UTF16) for form 2 (national)
DATABASE_ENCODING = "utf-8"
NATIONAL_ENCODING = "utf-16-be"


def double_bits_to_wire(bits: int) -> int:
    """Map IEEE 754 double bits to Oracle's byte-comparable form (as an integer)."""
    return bits ^ _DOUBLE_ALL if bits & _DOUBLE_SIGN else bits | _DOUBLE_SIGN


def encode_binary_double(value: float) -> bytes:
    bits = int.from_bytes(_DOUBLE.pack(value), "big")
    return double_bits_to_wire(bits).to_bytes(BINARY_DOUBLE_SIZE, "big")


def encode_binary_float(value: float) -> bytes:
    """Rounds to single precision like a C cast; magnitudes beyond its range raise
    :class:`OverflowError` (``struct``'s behaviour)."""
    bits = int.from_bytes(_FLOAT.pack(value), "big")
    bits = bits ^ _FLOAT_ALL if bits & _FLOAT_SIGN else bits | _FLOAT_SIGN
    return bits.to_bytes(BINARY_FLOAT_SIZE, "big")


def decode_binary_double(data: bytes) -> float:
    if len(data) != BINARY_DOUBLE_SIZE:
        raise ValueError(f"BINARY_DOUBLE of {len(data)} bytes")
    bits = int.from_bytes(data, "big")
    bits = bits ^ _DOUBLE_SIGN if bits & _DOUBLE_SIGN else bits ^ _DOUBLE_ALL
    return _DOUBLE.unpack(bits.to_bytes(BINARY_DOUBLE_SIZE, "big"))[0]


def decode_binary_float(data: bytes) -> float:
    if len(data) != BINARY_FLOAT_SIZE:
        raise ValueError(f"BINARY_FLOAT of {len(data)} bytes")
    bits = int.from_bytes(data, "big")
    bits = bits ^ _FLOAT_SIGN if bits & _FLOAT_SIGN else bits ^ _FLOAT_ALL
    return _FLOAT.unpack(bits.to_bytes(BINARY_FLOAT_SIZE, "big"))[0]


def encode_text(value: str, national: bool) -> bytes:
    """Character data in the database character set, or the national one (form 2)."""
    return value.encode(NATIONAL_ENCODING if national else DATABASE_ENCODING)


def decode_text(data: bytes, national: bool) -> str:
    return data.decode(NATIONAL_ENCODING if national else DATABASE_ENCODING)
