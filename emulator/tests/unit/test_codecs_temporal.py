"""DATE, TIMESTAMP, TIMESTAMP WITH TIME ZONE and INTERVAL codecs."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from oracle_emulator.api import IntervalYM, NanoDateTime, OracleDateTime
from oracle_emulator.codecs import (
    decode_datetime,
    decode_interval_ds,
    decode_interval_ym,
    encode_date,
    encode_interval_ds,
    encode_interval_ym,
    encode_timestamp,
    encode_timestamp_tz,
)

MOMENT = dt.datetime(2021, 3, 4, 5, 6, 7, 123456)
MOMENT_DATE_BYTES = "78 79 03 04 06 07 08"  # century 20+100, year 21+100, ..., hour 5+1


def test_date_vector() -> None:
    assert encode_date(MOMENT).hex(" ") == MOMENT_DATE_BYTES
    assert decode_datetime(encode_date(MOMENT)) == MOMENT.replace(microsecond=0)
    assert encode_date(dt.date(2021, 3, 4)).hex(" ") == "78 79 03 04 01 01 01"


def test_date_extremes() -> None:
    assert encode_date(dt.datetime(1, 1, 1)).hex(" ") == "64 65 01 01 01 01 01"
    assert encode_date(dt.datetime(9999, 12, 31, 23, 59, 59)).hex(" ") == "c7 c7 0c 1f 18 3c 3c"
    for value in (dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)):
        assert decode_datetime(encode_date(value)) == value


def test_timestamp_vector_and_zero_fraction() -> None:
    assert encode_timestamp(MOMENT).hex(" ") == MOMENT_DATE_BYTES + " 07 5b ca 00"
    assert len(encode_timestamp(MOMENT.replace(microsecond=0))) == 7
    assert encode_timestamp(MOMENT.replace(microsecond=0)) == encode_date(MOMENT)
    assert decode_datetime(encode_timestamp(MOMENT)) == MOMENT


def test_timestamp_with_time_zone_is_utc_plus_zero_offset() -> None:
    encoded = encode_timestamp_tz(MOMENT)
    assert len(encoded) == 13
    assert encoded.hex(" ") == MOMENT_DATE_BYTES + " 07 5b ca 00 14 3c"
    assert decode_datetime(encoded) == MOMENT
    whole_second = encode_timestamp_tz(MOMENT.replace(microsecond=0))
    assert whole_second.hex(" ") == MOMENT_DATE_BYTES + " 00 00 00 00 14 3c"


def test_aware_datetimes_send_their_utc_fields_and_their_offset() -> None:
    aware = dt.datetime(2021, 3, 4, 7, 6, 7, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    utc = encode_timestamp_tz(dt.datetime(2021, 3, 4, 5, 6, 7))
    encoded = encode_timestamp_tz(aware)
    assert encoded[:11] == utc[:11]
    assert encoded[11:] == bytes((20 + 2, 60))  # hours + 20, minutes + 60


def test_negative_offsets_are_sent_with_both_fields_negative() -> None:
    aware = dt.datetime(2021, 3, 4, 1, 6, 7, tzinfo=dt.timezone(-dt.timedelta(hours=2, minutes=30)))
    encoded = encode_timestamp_tz(aware)
    assert encoded[:11] == encode_timestamp_tz(dt.datetime(2021, 3, 4, 3, 36, 7))[:11]
    assert encoded[11:] == bytes((20 - 2, 60 - 30))


def test_named_time_zone_regions_are_refused() -> None:
    with pytest.raises(ValueError, match="region"):
        decode_datetime(encode_timestamp(MOMENT) + b"\x85\x3c")


def test_nanosecond_timestamps_round_trip() -> None:
    value = NanoDateTime(dt.datetime(2024, 2, 29, 23, 59, 59, 999999), 999_999_999)
    encoded = encode_timestamp(value)
    assert encoded[7:] == (999_999_999).to_bytes(4, "big")
    assert decode_datetime(encoded) == value
    assert decode_datetime(encode_timestamp_tz(value)) == value
    assert encode_date(value) == encode_date(value.value)
    exact_micro = NanoDateTime(dt.datetime(2024, 1, 1, 0, 0, 0, 5), 5000)
    assert decode_datetime(encode_timestamp(exact_micro)) == exact_micro.value


def test_random_timestamps_round_trip() -> None:
    rng = random.Random(3)
    start = dt.datetime(1, 1, 1)
    span = (dt.datetime(9999, 12, 31) - start).total_seconds()
    for _ in range(2000):
        base = start + dt.timedelta(seconds=rng.randrange(int(span)))
        nanos = rng.randrange(1_000_000_000)
        value = NanoDateTime(base.replace(microsecond=nanos // 1000), nanos)
        decoded = decode_datetime(encode_timestamp(value))
        expected = value if nanos % 1000 else value.value
        assert decoded == expected


def test_decode_rejects_short_values() -> None:
    with pytest.raises(ValueError):
        decode_datetime(b"\x78\x79\x03")


def test_interval_day_to_second_vector() -> None:
    value = dt.timedelta(days=1, hours=2, minutes=3, seconds=4, microseconds=5)
    assert encode_interval_ds(value).hex(" ") == "80 00 00 01 3e 3f 40 80 00 13 88"
    negative = encode_interval_ds(-value)
    assert negative.hex(" ") == "7f ff ff ff 3a 39 38 7f ff ec 78"
    assert decode_interval_ds(negative) == -value


@pytest.mark.parametrize(
    "value",
    [
        dt.timedelta(0),
        dt.timedelta(seconds=-1),
        dt.timedelta(microseconds=-1),
        dt.timedelta(days=-1, seconds=86399, microseconds=999999),
        dt.timedelta(days=999_999_999),
        dt.timedelta(days=-999_999_999, seconds=5),
        dt.timedelta(days=12, hours=23, minutes=59, seconds=59, microseconds=999999),
    ],
)
def test_interval_day_to_second_round_trips(value: dt.timedelta) -> None:
    assert decode_interval_ds(encode_interval_ds(value)) == value


def test_interval_nanoseconds_as_tuples() -> None:
    value = (3, 4000, 123_456_789)
    assert decode_interval_ds(encode_interval_ds(value)) == value
    negative = decode_interval_ds(encode_interval_ds((0, -1, -1)))  # -1.000000001 s
    assert negative == (-1, 86398, 999_999_999)
    micro_only = (0, 1, 5000)
    assert decode_interval_ds(encode_interval_ds(micro_only)) == dt.timedelta(0, 1, 5)


def test_interval_fields_share_the_sign_of_the_whole() -> None:
    encoded = encode_interval_ds(dt.timedelta(hours=-1, minutes=30))  # -00:30:00
    assert encoded[4] == 60  # hours 0
    assert encoded[5] == 60 - 30


def test_interval_in_the_drivers_mixed_sign_form_decodes() -> None:
    # the driver sends timedelta(seconds=-1) as days -1, 23:59:59 (timedelta's own fields)
    driver_form = bytes.fromhex("7f ff ff ff") + bytes([60 + 23, 60 + 59, 60 + 59])
    driver_form += (0x8000_0000).to_bytes(4, "big")
    assert decode_interval_ds(driver_form) == dt.timedelta(seconds=-1)


def test_interval_day_to_second_range() -> None:
    with pytest.raises(ValueError):
        encode_interval_ds((2**31, 0, 0))


def test_interval_year_to_month() -> None:
    assert encode_interval_ym(IntervalYM(1, 2)).hex(" ") == "80 00 00 01 3e"
    assert encode_interval_ym(IntervalYM(-1, -2)).hex(" ") == "7f ff ff ff 3a"
    assert encode_interval_ym(IntervalYM(0, 14)) == encode_interval_ym(IntervalYM(1, 2))
    assert encode_interval_ym(IntervalYM(-1, 10)) == encode_interval_ym(IntervalYM(0, -2))
    for value in (IntervalYM(0, 0), IntervalYM(5, 11), IntervalYM(-5, -11), IntervalYM(9999, 0)):
        assert decode_interval_ym(encode_interval_ym(value)) == value
    with pytest.raises(ValueError):
        decode_interval_ym(b"\x80\x00")


def test_bc_dates_in_oracle_bytes() -> None:
    """Oracle splits its signed year towards zero: 4712 BC is century -47, year -12."""
    first = OracleDateTime(-4712, 1, 1)
    assert encode_date(first) == bytes((53, 88, 1, 1, 1, 1, 1))
    assert decode_datetime(encode_date(first)) == first
    last_bc = OracleDateTime(-1, 12, 31, 23, 59, 59, 999_999_999)
    data = encode_timestamp(last_bc)
    assert data[:2] == bytes((100, 99))
    assert decode_datetime(data) == last_bc
