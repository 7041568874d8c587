"""ROWID and UROWID: Oracle's extended rowid text and the two row-data forms the driver reads.

The text form is 18 characters of base 64 (alphabet ``A-Z a-z 0-9 + /``, most significant
first): 6 for the data object number, 3 for the relative file number, 6 for the block and 3
for the row slot. In row data the driver reads a ROWID column as a length byte followed by
the four numbers as universal integers (object ub4, file ub2, one ignored byte, block ub4,
slot ub2) and rebuilds the text itself; a rowid of all zeros comes back as None. A UROWID
column is two length-prefixed values: its length (ignored) and the raw rowid, whose first
byte is 1 for a physical rowid (then the four numbers big-endian, 13 bytes in all) or
another value for a logical one (shown as ``*`` and base 64 of the remaining bytes).
"""

from __future__ import annotations

import base64
import binascii

from oracle_emulator.codecs.framing import (
    encode_ub2,
    encode_ub4,
    with_length,
)

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DIGIT_VALUES = {char: index for index, char in enumerate(ALPHABET)}
_BITS_PER_CHAR = 6
#: (characters, largest value the wire form can carry) of object, file, block, row
_FIELDS = ((6, 2**32 - 1), (3, 2**16 - 1), (6, 2**32 - 1), (3, 2**16 - 1))
_NAMES = ("object_id", "file_no", "block", "row")
ROWID_LENGTH = sum(chars for chars, _ in _FIELDS)

_PHYSICAL_UROWID = 1
_LOGICAL_UROWID = 2
_LOGICAL_PREFIX = "*"
_MIN_UROWID_BYTES = 13  # the driver refuses shorter raw UROWID values
_FILLER = b"\x00"  # the byte the driver skips between file number and block


def _base64_digits(value: int, chars: int) -> str:
    out = []
    for _ in range(chars):
        out.append(ALPHABET[value & 0x3F])
        value >>= _BITS_PER_CHAR
    return "".join(reversed(out))


def rowid_text(object_id: int, file_no: int, block: int, row: int) -> str:
    """The 18-character extended ROWID text of a row's physical address."""
    values = (object_id, file_no, block, row)
    for name, value, (_, limit) in zip(_NAMES, values, _FIELDS, strict=True):
        if not 0 <= value <= limit:
            raise ValueError(f"ROWID {name} {value} is out of range 0..{limit}")
    return "".join(
        _base64_digits(value, chars) for value, (chars, _) in zip(values, _FIELDS, strict=True)
    )


def parse_rowid_text(text: str) -> tuple[int, int, int, int]:
    """(object_id, file_no, block, row) of an extended ROWID text."""
    if len(text) != ROWID_LENGTH:
        raise ValueError(f"ROWID {text!r} is not {ROWID_LENGTH} characters long")
    values = []
    start = 0
    for name, (chars, limit) in zip(_NAMES, _FIELDS, strict=True):
        value = 0
        for char in text[start : start + chars]:
            digit = _DIGIT_VALUES.get(char)
            if digit is None:
                raise ValueError(f"ROWID {text!r} has an invalid character {char!r}")
            value = value << _BITS_PER_CHAR | digit
        if value > limit:
            raise ValueError(f"ROWID {text!r}: {name} {value} is out of range")
        values.append(value)
        start += chars
    return values[0], values[1], values[2], values[3]


def encode_rowid_column(text: str) -> bytes:
    """A non-NULL ROWID column value in row data (not a length-prefixed string)."""
    object_id, file_no, block, row = parse_rowid_text(text)
    body = encode_ub4(object_id) + encode_ub2(file_no) + _FILLER
    body += encode_ub4(block) + encode_ub2(row)
    return bytes((len(body),)) + body


def urowid_bytes(text: str) -> bytes:
    """The raw UROWID value of a rowid text: physical, or logical (``*...``)."""
    if text.startswith(_LOGICAL_PREFIX):
        encoded = text[1:]
        try:
            raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"invalid logical UROWID {text!r}") from exc
        raw = bytes((_LOGICAL_UROWID,)) + raw
        if len(raw) < _MIN_UROWID_BYTES:
            raise ValueError(f"logical UROWID {text!r} is too short for the driver")
        return raw
    object_id, file_no, block, row = parse_rowid_text(text)
    return (
        bytes((_PHYSICAL_UROWID,))
        + object_id.to_bytes(4, "big")
        + file_no.to_bytes(2, "big")
        + block.to_bytes(4, "big")
        + row.to_bytes(2, "big")
    )


def encode_urowid_column(text: str) -> bytes:
    """A non-NULL UROWID column value in row data: its length, then the raw rowid."""
    raw = urowid_bytes(text)
    return encode_ub4(len(raw)) + with_length(raw)
