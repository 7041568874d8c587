"""BINARY_DOUBLE / BINARY_FLOAT and character data."""

from __future__ import annotations

import math
import random
import struct

import pytest

from oracle_emulator.codecs import (
    decode_binary_double,
    decode_binary_float,
    encode_binary_double,
    encode_binary_float,
    encode_text,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "bf f0 00 00 00 00 00 00"),
        (-1.0, "40 0f ff ff ff ff ff ff"),
        (0.0, "80 00 00 00 00 00 00 00"),
        (-0.0, "7f ff ff ff ff ff ff ff"),
        (math.inf, "ff f0 00 00 00 00 00 00"),
        (-math.inf, "00 0f ff ff ff ff ff ff"),
    ],
)
def test_binary_double_vectors(value: float, expected: str) -> None:
    assert encode_binary_double(value).hex(" ") == expected
    decoded = decode_binary_double(bytes.fromhex(expected))
    assert decoded == value
    assert math.copysign(1.0, decoded) == math.copysign(1.0, value)


def test_binary_double_nan() -> None:
    encoded = encode_binary_double(math.nan)
    assert encoded[0] & 0x80  # NaN's sign bit is clear: stored like a positive value
    assert math.isnan(decode_binary_double(encoded))


def test_binary_double_orders_like_the_values() -> None:
    rng = random.Random(1)
    values = sorted([rng.uniform(-1e9, 1e9) for _ in range(500)] + [-math.inf, math.inf, 0.0])
    encoded = [encode_binary_double(value) for value in values]
    assert encoded == sorted(encoded)
    assert [decode_binary_double(data) for data in encoded] == values


def test_binary_float() -> None:
    assert encode_binary_float(1.5).hex(" ") == "bf c0 00 00"
    assert encode_binary_float(-1.5).hex(" ") == "40 3f ff ff"
    assert decode_binary_float(bytes.fromhex("bf c0 00 00")) == 1.5
    assert decode_binary_float(encode_binary_float(-math.inf)) == -math.inf
    assert math.isnan(decode_binary_float(encode_binary_float(math.nan)))
    rounded = struct.unpack(">f", struct.pack(">f", 0.1))[0]
    assert decode_binary_float(encode_binary_float(0.1)) == rounded


def test_binary_sizes_are_checked() -> None:
    with pytest.raises(ValueError):
        decode_binary_double(b"\x80" * 4)
    with pytest.raises(ValueError):
        decode_binary_float(b"\x80" * 8)


def test_text() -> None:
    text = "Zürich 東京 😀"
    assert encode_text(text, national=False) == text.encode("utf-8")
    assert encode_text(text, national=True) == text.encode("utf-16-be")
    assert encode_text("A", national=True) == b"\x00A"
