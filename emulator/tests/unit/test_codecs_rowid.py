"""ROWID text and the ROWID / UROWID forms in row data, read back the driver's way."""

from __future__ import annotations

import base64
import random

import pytest

from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.codecs import encode_value, parse_rowid_text, rowid_text
from oracle_emulator.codecs.framing import read_length_prefixed, read_ub4

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
ROWID = ColumnInfo("ROWID", OracleType.ROWID)
UROWID = ColumnInfo("R", OracleType.UROWID)


def _driver_rowid_text(object_id: int, file_no: int, block: int, row: int) -> str | None:
    """The driver's ``_encode_rowid`` (impl/thin/utils.pyx) restated."""
    if not (object_id or file_no or block or row):
        return None
    out = ""
    for value, size in ((object_id, 6), (file_no, 3), (block, 6), (row, 3)):
        out += "".join(ALPHABET[(value >> (6 * (size - 1 - i))) & 0x3F] for i in range(size))
    return out


def _driver_read_rowid_column(data: bytes) -> str | None:
    """The fetch branch for ROWID in ``_process_column_data``: a length byte, then
    ub4 object, ub2 file, one skipped byte, ub4 block, ub2 slot."""
    if data[0] in (0, 255):
        assert data == b"\x00"
        return None
    object_id, pos = read_ub4(data, 1)
    file_no, pos = read_ub4(data, pos)
    block, pos = read_ub4(data, pos + 1)
    row, pos = read_ub4(data, pos)
    assert pos == len(data)
    return _driver_rowid_text(object_id, file_no, block, row)


def _driver_read_urowid_column(data: bytes) -> str | None:
    """``read_urowid`` (impl/thin/packet.pyx) restated."""
    first, pos = read_length_prefixed(data)
    if first is None:
        return None
    raw, pos = read_length_prefixed(data, pos)
    assert pos == len(data)
    assert raw is not None and len(raw) >= 13
    if raw[0] == 1:
        return _driver_rowid_text(
            int.from_bytes(raw[1:5], "big"),
            int.from_bytes(raw[5:7], "big"),
            int.from_bytes(raw[7:11], "big"),
            int.from_bytes(raw[11:13], "big"),
        )
    return "*" + base64.b64encode(raw[1:]).decode().rstrip("=")


def test_known_rowid() -> None:
    assert rowid_text(73196, 4, 151, 0) == "AAAR3sAAEAAAACXAAA"
    assert parse_rowid_text("AAAR3sAAEAAAACXAAA") == (73196, 4, 151, 0)


def test_rowid_round_trips_and_matches_the_driver() -> None:
    rng = random.Random(8)
    for _ in range(500):
        parts = (
            rng.randrange(1, 2**32),
            rng.randrange(2**16),
            rng.randrange(2**32),
            rng.randrange(2**16),
        )
        text = rowid_text(*parts)
        assert len(text) == 18
        assert set(text) <= set(ALPHABET)
        assert text == _driver_rowid_text(*parts)
        assert parse_rowid_text(text) == parts
        assert _driver_read_rowid_column(encode_value(ROWID, text)) == text
        assert _driver_read_urowid_column(encode_value(UROWID, text)) == text


def test_rowid_column_bytes() -> None:
    encoded = encode_value(ROWID, rowid_text(73196, 4, 151, 0))
    assert encoded.hex(" ") == "0b 04 00 01 1d ec 01 04 00 01 97 00"
    assert encode_value(ROWID, None) == b"\x00"


def test_urowid_column_bytes() -> None:
    encoded = encode_value(UROWID, rowid_text(73196, 4, 151, 2))
    assert encoded.hex(" ") == "01 0d 0d 01 00 01 1d ec 00 04 00 00 00 97 00 02"
    assert encode_value(UROWID, None) == b"\x00"


def test_logical_urowid() -> None:
    text = "*BAEACCQCwQL+AAAAAAAAAAAA"
    assert _driver_read_urowid_column(encode_value(UROWID, text)) == text
    with pytest.raises(ValueError):
        encode_value(UROWID, "*BAEA")  # shorter than the driver accepts
    with pytest.raises(ValueError):
        encode_value(UROWID, "*not base64!")


@pytest.mark.parametrize(
    "bad",
    ["", "AAAR3sAAEAAAACXAA", "AAAR3sAAEAAAACXAAAA", "AAAR3sAAEAAAACXAA-", "/AAAAAAAEAAAACXAAA"],
)
def test_parse_rejects_malformed_text(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_rowid_text(bad)


@pytest.mark.parametrize(
    "parts", [(-1, 0, 0, 0), (2**32, 0, 0, 0), (1, 2**16, 0, 0), (1, 0, 2**32, 0), (1, 0, 0, 2**16)]
)
def test_rowid_text_rejects_out_of_range_parts(parts: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        rowid_text(*parts)
