"""``decode_bind``: values in the form the driver's ``_write_bind_params_column`` writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oracle_emulator.api import IntervalYM, NanoDateTime
from oracle_emulator.codecs import (
    decode_bind,
    encode_binary_double,
    encode_binary_float,
    encode_date,
    encode_interval_ym,
    encode_number,
    encode_timestamp,
    encode_timestamp_tz,
    rowid_text,
)

FORM_IMPLICIT, FORM_NCHAR = 1, 2


@pytest.mark.parametrize("type_num", [1, 8, 96])
def test_character_binds(type_num: int) -> None:
    assert decode_bind(type_num, FORM_IMPLICIT, "Zürich".encode()) == "Zürich"
    assert decode_bind(type_num, FORM_NCHAR, "Zürich".encode("utf-16-be")) == "Zürich"
    assert decode_bind(type_num, FORM_IMPLICIT, None) is None


@pytest.mark.parametrize("type_num", [2, 3])
def test_number_binds(type_num: int) -> None:
    # the driver sends str(value) through its own NUMBER encoder; for these texts it
    # produces Oracle's canonical bytes, which are what encode_number produces
    assert decode_bind(type_num, 0, bytes.fromhex("c2 0d 23 33")) == Decimal("1234.5")
    assert decode_bind(type_num, 0, bytes.fromhex("3e 64 66")) == -1
    assert decode_bind(type_num, 0, encode_number(10**30)) == 10**30
    assert decode_bind(type_num, 0, b"\x80") == 0


def test_raw_binds() -> None:
    assert decode_bind(23, 0, b"\x00\xff") == b"\x00\xff"
    assert decode_bind(24, 0, b"x" * 70_000) == b"x" * 70_000


def test_date_and_timestamp_binds() -> None:
    moment = dt.datetime(2021, 3, 4, 5, 6, 7, 123456)
    assert decode_bind(12, 0, encode_date(moment)) == moment.replace(microsecond=0)
    assert decode_bind(180, 0, encode_timestamp(moment)) == moment
    # the driver sends a timestamp without fraction as 7 bytes
    assert decode_bind(180, 0, encode_date(moment)) == moment.replace(microsecond=0)
    assert decode_bind(231, 0, encode_timestamp(moment)) == moment
    assert decode_bind(181, 0, encode_timestamp_tz(moment)) == moment
    nano = NanoDateTime(moment.replace(microsecond=123456), 123_456_789)
    assert decode_bind(180, 0, encode_timestamp(nano)) == nano


def test_binary_float_and_double_binds() -> None:
    assert decode_bind(101, 0, encode_binary_double(-2.5)) == -2.5
    assert decode_bind(100, 0, encode_binary_float(0.5)) == 0.5


def test_interval_binds() -> None:
    # the driver writes timedelta(seconds=-1) with timedelta's own fields: days -1, 23:59:59
    driver_form = (
        bytes.fromhex("7f ff ff ff") + bytes([83, 119, 119]) + bytes.fromhex("80 00 00 00")
    )
    assert decode_bind(183, 0, driver_form) == dt.timedelta(seconds=-1)
    assert decode_bind(182, 0, encode_interval_ym(IntervalYM(2, 5))) == IntervalYM(2, 5)


def test_boolean_binds() -> None:
    assert decode_bind(252, 0, b"\x01\x01") is True
    assert decode_bind(252, 0, b"\x00") is False
    assert decode_bind(252, 0, None) is None


def test_rowid_binds_are_text() -> None:
    text = rowid_text(73196, 4, 151, 0)
    assert decode_bind(11, FORM_IMPLICIT, text.encode()) == text
    assert decode_bind(208, FORM_IMPLICIT, text.encode()) == text


@pytest.mark.parametrize("type_num", [0, 112, 113, 999])
def test_unknown_types_are_named(type_num: int) -> None:
    with pytest.raises(ValueError, match=str(type_num)):
        decode_bind(type_num, 0, b"\x01")
    with pytest.raises(ValueError, match=str(type_num)):
        decode_bind(type_num, 0, None)
