"""Oracle NUMBER: a base-100 floating point format, converted without going through float.

Layout (Oracle's documented internal format, and what python-oracledb's ``decode_number``
reads): an exponent byte, then up to 20 mantissa bytes, one per base-100 digit.

- Positive values: exponent byte ``192 + p`` where ``p`` is the number of base-100 digits
  before the point (so ``193 + e`` for the exponent ``e`` of the leading digit); each digit
  is stored plus one (1..100).
- Negative values: every byte is the complement of the positive form (exponent ``255 - x``,
  digits ``101 - d``) and a 102 byte closes the mantissa when it is shorter than 20 bytes,
  so that negative numbers sort correctly byte-wise.
- Zero is the single byte 0x80; a lone 0x00 byte is "-1e126", which the driver tolerates.

The conversion works on decimal digit strings: ``bytes.fromhex`` of a decimal string packs
each pair of digits into one BCD byte and ``bytes.translate`` maps BCD bytes to Oracle digits
in C, which is what makes the per-value cost small enough to pre-encode whole tables.
"""

from __future__ import annotations

import math
from decimal import Decimal

from oracle_emulator.api import OracleError

ORA_NUMERIC_OVERFLOW = 1426

ZERO = b"\x80"
#: exponent byte of a positive number = this + base-100 digits before the point
_EXPONENT_BIAS = 192
_MAX_MANTISSA_BYTES = 20
_MAX_DIGITS = 2 * _MAX_MANTISSA_BYTES
_NEGATIVE_TERMINATOR = 102
_BYTE_MASK = 0xFF
_SIGN_BIT = 0x80
#: range of base-100 digits before the point: 1e-130 (exponent byte 128) .. <1e126 (255)
_MIN_POINT_PAIRS = 128 - _EXPONENT_BIAS
_MAX_POINT_PAIRS = 255 - _EXPONENT_BIAS
_MAX_NEGATIVE = -(10**126)
#: ints below this have at most 38 digits: no rounding, no range check needed
_FAST_LIMIT = 10**38
_NONZERO_DIGITS = frozenset("123456789")
_INVALID = 0xAA  # not a BCD byte: makes int() reject a corrupt mantissa
_DIGIT_OFFSET = 1
_NEGATIVE_BASE = 101


class NumericOverflow(OracleError, ValueError):
    """ORA-01426: a magnitude of 1e126 or more (or an infinity) where a NUMBER is due; still
    a ValueError for callers that only check whether a value can be encoded."""

    def __init__(self) -> None:
        super().__init__(ORA_NUMERIC_OVERFLOW, "numeric overflow")


def _bcd(value: int) -> int:
    return (value // 10) << 4 | value % 10


def _table(mapping: dict[int, int]) -> bytes:
    return bytes(mapping.get(byte, _INVALID) for byte in range(256))


_BCD_TO_POSITIVE = _table({_bcd(d): d + _DIGIT_OFFSET for d in range(100)})
_BCD_TO_NEGATIVE = _table({_bcd(d): _NEGATIVE_BASE - d for d in range(100)})
_POSITIVE_TO_BCD = _table({d + _DIGIT_OFFSET: _bcd(d) for d in range(100)})
_NEGATIVE_TO_BCD = _table({_NEGATIVE_BASE - d: _bcd(d) for d in range(100)})
_BYTES = tuple(bytes((byte,)) for byte in range(256))
_ONE = _BYTES[_DIGIT_OFFSET]  # a positive zero digit: trailing ones are stripped
_BCD_ZERO = _BYTES[0]
_TERMINATOR = _BYTES[_NEGATIVE_TERMINATOR]
#: length byte and exponent byte of a positive value, by mantissa bytes and by digits
#: before the point (even, 0..40): the two header bytes of the fast paths in one lookup
_POSITIVE_HEADERS = tuple(
    tuple(bytes((mantissa + 1, _EXPONENT_BIAS + point // 2)) for point in range(_MAX_DIGITS + 1))
    for mantissa in range(_MAX_MANTISSA_BYTES + 1)
)
_NEGATIVE_HEADERS = tuple(
    tuple(
        bytes((mantissa + 1, _BYTE_MASK - _EXPONENT_BIAS - point // 2))
        for point in range(_MAX_DIGITS + 1)
    )
    for mantissa in range(_MAX_MANTISSA_BYTES + 1)
)


def encode_number(value: int | Decimal | float | str) -> bytes:
    """Oracle NUMBER bytes (no length prefix) of an exact value.

    Values with more digits than 20 base-100 digits hold (40, or 39 when the number of
    digits before the point is odd) are rounded half away from zero, as Oracle rounds
    them; magnitudes below 1e-130 become zero; magnitudes of 1e126 and above and infinities
    raise :class:`NumericOverflow` (ORA-01426, as Oracle answers), NaN :class:`ValueError`.
    Floats are taken by their shortest text form (``repr``), which is what the driver sends
    for a float bound as NUMBER.
    """
    if isinstance(value, int):
        return encode_int(int(value))
    if isinstance(value, Decimal):
        if value.is_infinite():
            raise NumericOverflow()
        if not value.is_finite():
            raise ValueError(f"NUMBER cannot hold {value}")
        return _encode_number_text(str(value))
    if isinstance(value, float):
        if math.isinf(value):
            raise NumericOverflow()
        if math.isnan(value):
            raise ValueError(f"NUMBER cannot hold {value}")
        return _encode_number_text(repr(value))
    if isinstance(value, str):
        return _encode_text(value)
    raise TypeError(f"cannot encode {type(value).__name__} as NUMBER")


def encode_int(value: int) -> bytes:
    """The integer fast path of :func:`encode_number`."""
    if value > 0:
        negative = False
        digits = str(value)
    elif value < 0:
        negative = True
        digits = str(-value)
    else:
        return ZERO
    if len(digits) & 1:
        digits = "0" + digits
    if len(digits) > _MAX_DIGITS:
        return _encode_digits(negative, digits, len(digits))
    return _encode_aligned(negative, digits, len(digits) >> 1)


def number_wire(value: int | Decimal | float | str) -> bytes:
    """:func:`encode_number` behind its length byte, as a column value in row data.

    Ints and Decimals in plain notation of a magnitude of at least 1 take a short path
    (most NUMBER values in tables are such, and pre-encoding tables is bound by this).
    """
    kind = type(value)
    if kind is int:
        if 0 < value < _FAST_LIMIT:
            digits = str(value)
            if len(digits) & 1:
                digits = "0" + digits
            mantissa = bytes.fromhex(digits).translate(_BCD_TO_POSITIVE).rstrip(_ONE)
            return _POSITIVE_HEADERS[len(mantissa)][len(digits)] + mantissa
        if -_FAST_LIMIT < value < 0:
            return _negative_wire(str(-value), "")
    elif kind is Decimal:
        text = str(value)
        if len(text) <= _MAX_DIGITS and "E" not in text:
            whole, _, fraction = text.partition(".")
            if whole[0] in _NONZERO_DIGITS:
                if len(whole) & 1:
                    whole = "0" + whole
                if len(fraction) & 1:
                    fraction += "0"
                bcd = bytes.fromhex(whole + fraction)
                mantissa = bcd.translate(_BCD_TO_POSITIVE).rstrip(_ONE)
                return _POSITIVE_HEADERS[len(mantissa)][len(whole)] + mantissa
            if whole[0] == "-" and whole[1] in _NONZERO_DIGITS:
                return _negative_wire(whole[1:], fraction)
    data = encode_number(value)
    return _BYTES[len(data)] + data


def _negative_wire(whole: str, fraction: str) -> bytes:
    """The short path of :func:`number_wire` for a negative value: the digits of its
    magnitude before (no leading zeros) and after the point, at most 38 in all."""
    if len(whole) & 1:
        whole = "0" + whole
    if len(fraction) & 1:
        fraction += "0"
    bcd = bytes.fromhex(whole + fraction).rstrip(_BCD_ZERO)
    mantissa = bcd.translate(_BCD_TO_NEGATIVE)
    if len(bcd) < _MAX_MANTISSA_BYTES:
        mantissa += _TERMINATOR
    return _NEGATIVE_HEADERS[len(mantissa)][len(whole)] + mantissa


def _encode_number_text(text: str) -> bytes:
    """Encode the text of a finite Decimal or float (``str``/``repr``), quickly when it is
    plain positional notation of a magnitude of at least 1 (the common case)."""
    negative = text[0] == "-"
    body = text[1:] if negative else text
    whole, _, fraction = body.partition(".")
    if whole[0] == "0" or "E" in body or "e" in body:
        return _encode_text(text)
    point = len(whole)
    digits = whole + fraction
    if point & 1:
        digits = "0" + digits
        point += 1
    if len(digits) & 1:
        digits += "0"
    if len(digits) > _MAX_DIGITS:
        return _encode_text(text)
    return _encode_aligned(negative, digits, point >> 1)


def _encode_text(text: str) -> bytes:
    """Encode decimal text such as ``-12.50``, ``1E+5`` or ``.5`` (Python's and Oracle's
    number literals)."""
    body = text.strip()
    negative = body.startswith("-")
    if negative or body.startswith("+"):
        body = body[1:]
    mantissa, has_exponent, exponent_text = body.upper().partition("E")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"invalid number: {text!r}")
    exponent = _parse_exponent(exponent_text, text) if has_exponent else 0
    significant = digits.lstrip("0")
    point = len(whole) + exponent - (len(digits) - len(significant))
    return _encode_digits(negative, significant, point)


def _parse_exponent(exponent_text: str, text: str) -> int:
    unsigned = exponent_text.lstrip("+-")
    if not unsigned or not (unsigned.isascii() and unsigned.isdigit()):
        raise ValueError(f"invalid exponent in number: {text!r}")
    return int(exponent_text)


def _encode_digits(negative: bool, digits: str, point: int) -> bytes:
    """Encode ``0.<digits> * 10**point``: align the point on a base-100 digit boundary,
    round to 40 digits, check the range."""
    digits = digits.rstrip("0")
    if not digits:
        return ZERO
    if point & 1:
        digits = "0" + digits
        point += 1
    if len(digits) & 1:
        digits += "0"
    if len(digits) > _MAX_DIGITS:
        return _encode_rounded(negative, digits, point)
    pairs = point >> 1
    if pairs > _MAX_POINT_PAIRS:
        raise NumericOverflow()
    if pairs < _MIN_POINT_PAIRS:
        return ZERO  # underflow: Oracle stores magnitudes below 1e-130 as zero
    return _encode_aligned(negative, digits, pairs)


def _encode_aligned(negative: bool, digits: str, pairs: int) -> bytes:
    """Encode an even-length digit string (at most 40 digits, not all zeros) with ``pairs``
    base-100 digits before the point."""
    bcd = bytes.fromhex(digits)
    if not negative:
        return _BYTES[_EXPONENT_BIAS + pairs] + bcd.translate(_BCD_TO_POSITIVE).rstrip(_ONE)
    bcd = bcd.rstrip(_BCD_ZERO)
    encoded = _BYTES[_BYTE_MASK - _EXPONENT_BIAS - pairs] + bcd.translate(_BCD_TO_NEGATIVE)
    if len(bcd) < _MAX_MANTISSA_BYTES:
        encoded += _TERMINATOR
    return encoded


def _encode_rounded(negative: bool, digits: str, point: int) -> bytes:
    """Round an aligned digit string to 40 digits (half away from zero) and encode it."""
    kept = int(digits[:_MAX_DIGITS])
    if digits[_MAX_DIGITS] >= "5":
        kept += 1
    text = str(kept)
    return _encode_digits(negative, text, point - _MAX_DIGITS + len(text))


def decode_number(data: bytes) -> int | Decimal:
    """The exact value of Oracle NUMBER bytes: an int when integral, else a Decimal."""
    if not data:
        raise ValueError("empty NUMBER")
    first = data[0]
    positive = first & _SIGN_BIT
    if len(data) == 1:
        return 0 if positive else _MAX_NEGATIVE
    mantissa = data[1:]
    if positive:
        pairs = first - _EXPONENT_BIAS
        digits = mantissa.translate(_POSITIVE_TO_BCD).hex()
    else:
        pairs = _BYTE_MASK - first - _EXPONENT_BIAS
        if mantissa[-1] == _NEGATIVE_TERMINATOR:
            mantissa = mantissa[:-1]
        digits = mantissa.translate(_NEGATIVE_TO_BCD).hex()
    if not digits.isdigit():
        raise ValueError(f"invalid NUMBER bytes: {data.hex()}")
    significant = digits.rstrip("0") or "0"
    scale = 2 * pairs - len(significant)
    sign = "" if positive else "-"
    if scale >= 0:
        return int(sign + significant) * 10**scale
    return Decimal(f"{sign}{significant}E{scale}")
