"""Public surface of the codecs package and the TTC length framing of values."""

from __future__ import annotations

import inspect

import pytest

from oracle_emulator import codecs
from oracle_emulator.codecs import NULL_VALUE, with_length
from oracle_emulator.codecs.framing import (
    encode_ub2,
    encode_ub4,
    read_length_prefixed,
    read_ub4,
)

CONTRACT = {
    "encode_number": ["value"],
    "decode_number": ["data"],
    "encode_date": ["value"],
    "encode_timestamp": ["value"],
    "encode_timestamp_tz": ["value"],
    "decode_datetime": ["data"],
    "encode_binary_double": ["value"],
    "encode_binary_float": ["value"],
    "decode_binary_double": ["data"],
    "decode_binary_float": ["data"],
    "encode_interval_ds": ["value"],
    "decode_interval_ds": ["data"],
    "encode_interval_ym": ["value"],
    "decode_interval_ym": ["data"],
    "encode_text": ["value", "national"],
    "with_length": ["data"],
    "rowid_text": ["object_id", "file_no", "block", "row"],
    "parse_rowid_text": ["text"],
    "encode_value": ["column", "value"],
    "make_row_encoder": ["columns"],
    "decode_bind": ["ora_type_num", "csfrm", "data"],
}


@pytest.mark.parametrize(("name", "parameters"), sorted(CONTRACT.items()))
def test_contract_names_and_parameters(name: str, parameters: list[str]) -> None:
    function = getattr(codecs, name)
    assert list(inspect.signature(function).parameters)[: len(parameters)] == parameters
    assert name in codecs.__all__


def test_null_value() -> None:
    assert NULL_VALUE == b"\x00"
    assert with_length(b"") == NULL_VALUE


@pytest.mark.parametrize("size", [1, 100, 252])
def test_short_values_have_one_length_byte(size: int) -> None:
    data = bytes(range(256))[:size] * 1
    assert with_length(data) == bytes([size]) + data


def test_long_form_starts_at_253_bytes() -> None:
    data = b"x" * 253
    assert with_length(data) == b"\xfe" + b"\x01\xfd" + data + b"\x00"


def test_long_form_of_32767_bytes_is_one_chunk() -> None:
    data = bytes(i % 251 for i in range(32767))
    assert with_length(data) == b"\xfe\x02\x7f\xff" + data + b"\x00"


def test_long_form_splits_into_32767_byte_chunks() -> None:
    data = bytes(i % 249 for i in range(100_000))
    framed = with_length(data)
    expected = b"\xfe"
    for start in range(0, len(data), 32767):
        chunk = data[start : start + 32767]
        expected += encode_ub4(len(chunk)) + chunk
    assert framed == expected + b"\x00"
    assert framed.count(b"\x02\x7f\xff") >= 3
    assert read_length_prefixed(framed) == (data, len(framed))


def _driver_read_bytes(buffer: bytes) -> bytes | None:
    """The driver's ``read_raw_bytes_and_length`` / chunked read (packet.pyx), restated."""
    length = buffer[0]
    if length in (0, 255):
        return None
    if length != 254:
        return buffer[1 : 1 + length]
    pos, out = 1, b""
    while True:
        size_len = buffer[pos]
        size = int.from_bytes(buffer[pos + 1 : pos + 1 + size_len], "big")
        pos += 1 + size_len
        if size == 0:
            return out
        out += buffer[pos : pos + size]
        pos += size


@pytest.mark.parametrize("size", [0, 1, 252, 253, 254, 255, 1000, 32767, 32768, 70_000])
def test_framing_reads_back_like_the_driver(size: int) -> None:
    data = bytes(i % 253 for i in range(size))
    framed = with_length(data)
    assert _driver_read_bytes(framed) == (data or None)
    value, end = read_length_prefixed(framed + b"tail")
    assert value == (data or None)
    assert end == len(framed)


def test_read_length_prefixed_accepts_any_chunking_and_null_indicator() -> None:
    framed = b"\xfe\x01\x03abc\x01\x02de\x00"
    assert read_length_prefixed(framed) == (b"abcde", len(framed))
    assert read_length_prefixed(b"\xff") == (None, 1)
    assert read_length_prefixed(b"xx\x00", 2) == (None, 3)
    with pytest.raises(ValueError):
        read_length_prefixed(b"\x05abc")


def test_universal_integers() -> None:
    assert encode_ub4(0) == b"\x00"
    assert encode_ub4(200) == b"\x01\xc8"
    assert encode_ub4(300) == b"\x02\x01\x2c"
    assert encode_ub4(70_000) == b"\x04\x00\x01\x11\x70"
    assert encode_ub2(65535) == b"\x02\xff\xff"
    assert read_ub4(b"\x04\x00\x01\x11\x70", 0) == (70_000, 5)
    with pytest.raises(ValueError):
        encode_ub2(65536)
    with pytest.raises(ValueError):
        encode_ub4(-1)
    with pytest.raises(ValueError):
        read_ub4(b"\x81\x01", 0)
