"""NUMBER codec: Oracle's documented format, the driver's decoding rules, exact round trips."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from oracle_emulator.codecs import decode_number, encode_number, with_length
from oracle_emulator.codecs.number import number_wire

MAX_NUMBER_BYTES = 21  # the driver refuses longer NUMBER values


def _int8(value: int) -> int:
    return (value + 128) % 256 - 128


def driver_number_text(data: bytes) -> str:
    """python-oracledb's ``decode_number`` (impl/base/decoders.pyx) restated in Python:
    the text the driver builds from NUMBER bytes and turns into int/float/Decimal."""
    assert len(data) <= MAX_NUMBER_BYTES
    positive = bool(data[0] & 0x80)
    exponent = _int8(data[0]) if positive else ~_int8(data[0])
    point = _int8(exponent - 193) * 2 + 2
    if len(data) == 1:
        return "0" if positive else "-1e126"
    size = len(data)
    if not positive and data[-1] == 102:
        size -= 1
    digits: list[int] = []
    for index in range(1, size):
        byte = (data[index] - 1) % 256 if positive else (101 - data[index]) % 256
        high, low = divmod(byte, 10)
        if high == 0 and not digits:
            point -= 1
        elif high == 10:
            digits += [1, 0]
            point += 1
        else:
            digits.append(high)
        if low != 0 or index < size - 1:
            digits.append(low)
    text = "".join(map(str, digits))
    if point <= 0:
        text = "0." + "0" * -point + text
    elif point < len(text):
        text = text[:point] + "." + text[point:]
    else:
        text += "0" * (point - len(text))
    return text if positive else "-" + text


def reference_encode(value: Decimal) -> bytes:
    """Oracle's NUMBER format computed arithmetically (base-100 digits by division), as an
    independent check of the string-based encoder. Values must fit 20 base-100 digits."""
    if value == 0:
        return b"\x80"
    magnitude = abs(Fraction(value))
    exponent = 0
    while magnitude >= 100**exponent * 100:
        exponent += 1
    while magnitude < Fraction(100) ** exponent:
        exponent -= 1
    scaled = magnitude / Fraction(100) ** (exponent - 19)
    assert scaled.denominator == 1, "value needs more than 20 base-100 digits"
    pairs = []
    number = scaled.numerator
    for _ in range(20):
        number, digit = divmod(number, 100)
        pairs.append(digit)
    pairs.reverse()
    while pairs[-1] == 0:
        pairs.pop()
    if value > 0:
        return bytes([193 + exponent] + [digit + 1 for digit in pairs])
    encoded = bytes([255 - (193 + exponent)] + [101 - digit for digit in pairs])
    return encoded + (b"\x66" if len(pairs) < 20 else b"")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "80"),
        (1, "c1 02"),
        (5, "c1 06"),
        (10, "c1 0b"),
        (99, "c1 64"),
        (100, "c2 02"),
        (101, "c2 02 02"),
        (-1, "3e 64 66"),
        (-5, "3e 60 66"),
        (-100, "3d 64 66"),
        (Decimal("1234.5"), "c2 0d 23 33"),
        (Decimal("-1234.5"), "3d 59 43 33 66"),
        (Decimal("0.5"), "c0 33"),
        (Decimal("0.0012"), "bf 0d"),
        (Decimal("0.01"), "c0 02"),
        (Decimal("-0.01"), "3f 64 66"),
        (Decimal("1E-130"), "80 02"),
        (Decimal("-1E-130"), "7f 64 66"),
        (Decimal("123456789012"), "c6 0d 23 39 4f 5b 0d"),
    ],
)
def test_known_vectors(value: int | Decimal, expected: str) -> None:
    assert encode_number(value).hex(" ") == expected
    assert decode_number(bytes.fromhex(expected)) == value


def test_largest_magnitudes_use_all_twenty_mantissa_bytes() -> None:
    largest = Decimal("9" * 40 + "E+86")  # 9.99...e125, the largest NUMBER
    encoded = encode_number(largest)
    assert encoded == b"\xff" + b"\x64" * 20
    negative = encode_number(largest.copy_negate())
    assert negative == b"\x00" + b"\x02" * 20  # 20 digits: no 102 terminator
    assert decode_number(encoded) == largest
    assert decode_number(negative) == largest.copy_negate()


def test_thirty_eight_digit_integers() -> None:
    value = 12345678901234567890123456789012345678
    encoded = encode_number(value)
    assert encoded == reference_encode(Decimal(value))
    assert len(encoded) == 20
    assert decode_number(encoded) == value
    assert type(decode_number(encoded)) is int
    assert decode_number(encode_number(-value)) == -value
    assert encode_number(10**37) == bytes.fromhex("d3 0b")


def test_forty_digits_fit_when_aligned_and_round_when_not() -> None:
    forty = int("9" * 40)
    assert decode_number(encode_number(forty)) == forty
    # 42 digits: rounded half away from zero to 40, like Oracle
    assert decode_number(encode_number(int("1" * 40 + "50"))) == int("1" * 39 + "2") * 100
    assert decode_number(encode_number(-int("1" * 40 + "50"))) == -int("1" * 39 + "2") * 100
    assert decode_number(encode_number(int("1" * 40 + "49"))) == int("1" * 40) * 100
    # 41 digits: the leading base-100 digit holds one, so 39 are kept
    assert decode_number(encode_number(int("1" * 41))) == int("1" * 39) * 100
    # an odd number of digits before the point leaves room for 39 only
    value = Decimal("1." + "2" * 38 + "9")
    assert decode_number(encode_number(value)) == Decimal("1." + "2" * 37 + "3")
    # rounding that carries into a new digit
    assert decode_number(encode_number(Decimal("9" * 45))) == 10**45


def test_range_edges() -> None:
    with pytest.raises(ValueError, match="ORA-01426"):
        encode_number(Decimal("1E126"))
    with pytest.raises(ValueError):
        encode_number(-(10**126))
    assert encode_number(Decimal("9.5E-131")) == b"\x80"  # below 1e-130: zero
    assert encode_number(Decimal("-1E-131")) == b"\x80"
    assert decode_number(b"\x00") == -(10**126)  # the driver's "-1e126" special case


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan")]
)
def test_rejects_non_finite(value: object) -> None:
    with pytest.raises(ValueError):
        encode_number(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_rejects_infinite_floats(value: float) -> None:
    with pytest.raises(ValueError):
        encode_number(value)


def test_floats_strings_and_bools() -> None:
    assert encode_number(0.1) == encode_number(Decimal("0.1"))
    assert encode_number(1e-5) == encode_number(Decimal("0.00001"))
    assert encode_number(1.5e20) == encode_number(150 * 10**18)
    assert encode_number(" -12.50 ") == encode_number(Decimal("-12.5"))
    assert encode_number(".5") == encode_number(Decimal("0.5"))
    assert encode_number("1e+3") == encode_number(1000)
    assert encode_number("-0") == b"\x80"
    assert encode_number(True) == encode_number(1)
    assert encode_number(False) == b"\x80"
    for bad in ("", "abc", "1e", "1.2.3", "--1", "1e+-2", "١٢"):
        with pytest.raises(ValueError):
            encode_number(bad)
    with pytest.raises(TypeError):
        encode_number([1])  # type: ignore[arg-type]


def test_exact_beyond_float_precision() -> None:
    value = Decimal("0.1000000000000000000000000000000000001")
    assert decode_number(encode_number(value)) == value
    big = 2**100 + 1
    assert decode_number(encode_number(big)) == big


def test_decode_types() -> None:
    assert type(decode_number(b"\xc1\x02")) is int
    assert type(decode_number(encode_number(10**30))) is int
    assert isinstance(decode_number(encode_number(Decimal("1.5"))), Decimal)
    assert str(decode_number(encode_number(Decimal("-1.50")))) == "-1.5"
    with pytest.raises(ValueError):
        decode_number(b"")
    with pytest.raises(ValueError):
        decode_number(b"\xc1\x00")  # mantissa byte 0 is not a digit


def _random_decimal(rng: random.Random) -> Decimal:
    digits = rng.randint(1, 38)
    coefficient = rng.randrange(10 ** (digits - 1), 10**digits)
    scale = rng.randint(-84, 127)
    sign = rng.choice(("", "-"))
    # built from text: Decimal arithmetic would round to the context's 28 digits
    return Decimal(f"{sign}{coefficient}E{-scale}")


def test_random_round_trips_match_reference_and_driver_rules() -> None:
    rng = random.Random(20260501)
    for _ in range(4000):
        value = _random_decimal(rng)
        encoded = encode_number(value)
        assert encoded == reference_encode(value), value
        assert decode_number(encoded) == value
        driver_text = driver_number_text(encoded)
        assert Decimal(driver_text) == value
        assert ("." not in driver_text) == (value == value.to_integral_value())


def test_random_integers_round_trip() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        value = rng.randrange(-(10**38), 10**38)
        encoded = encode_number(value)
        assert decode_number(encoded) == value
        assert driver_number_text(encoded) == str(value)


def test_wire_form_matches_length_prefixed_encoding() -> None:
    rng = random.Random(11)
    values: list[object] = [1, 9, 10, 100, 10**37, 10**38 - 1, 10**38, -7, 0, True, 0.25]
    values += [Decimal("12345678.90"), Decimal("10.00"), Decimal("1E+3"), Decimal("0.5")]
    values += [-1, -100, -(10**37), -(10**38) + 1, -(10**38), Decimal("-12345678.90")]
    values += [Decimal("-0.5"), Decimal("-1E+3"), Decimal("-" + "9" * 38), Decimal("-0")]
    values += [rng.randrange(1, 10 ** rng.randint(1, 39)) for _ in range(2000)]
    values += [-rng.randrange(1, 10 ** rng.randint(1, 39)) for _ in range(2000)]
    values += [_random_decimal(rng) for _ in range(2000)]
    for value in values:
        assert number_wire(value) == with_length(encode_number(value)), value  # type: ignore[arg-type]
