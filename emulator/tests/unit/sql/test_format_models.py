"""Oracle format models in Python: expected values follow Oracle's documented behaviour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql import format_numbers as fnum
from oracle_emulator.sql import format_parse as fp

VALUE = fm.DateTimeValue(dt.datetime(2020, 1, 5, 13, 4, 5, 123456), 123456789)
NOW = dt.datetime(2024, 6, 15, 8, 30)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("YYYY-MM-DD HH24:MI:SS", "2020-01-05 13:04:05"),
        ("YYYY-MM-DD HH24:MI:SS.FF9", "2020-01-05 13:04:05.123456789"),
        ("FF3 FF6 FF1", "123 123456 1"),
        ("DD-MON-RR HH.MI.SSXFF AM", "05-JAN-20 01.04.05.123456789 PM"),
        ("Month DD, YYYY", "January   05, 2020"),
        ("FMMonth DD, YYYY", "January 5, 2020"),
        ("fmdd/mm/yyyy", "5/1/2020"),
        ("DY Dy dy DAY", "SUN Sun sun SUNDAY   "),
        ("D DDD Q IW WW W J SSSSS", "1 005 1 01 01 1 2458854 47045"),
        ('YYYY"T"HH24', "2020T13"),
        ("Y,YYY YYY YY Y CC", "2,020 020 20 0 21"),
        ("HH12 HH am a.m.", "01 01 pm p.m."),
    ],
)
def test_format_datetime(model: str, expected: str) -> None:
    assert fm.format_datetime(VALUE, model) == expected


def test_format_time_zone_elements() -> None:
    value = fm.DateTimeValue(dt.datetime(2020, 1, 5, 13, 4, 5), 0, -330, None)
    assert fm.format_datetime(value, "TZH:TZM TZR") == "-05:30 -05:30"


def test_zone_element_without_zone_is_rejected() -> None:
    with pytest.raises(OracleError) as error:
        fm.format_datetime(VALUE, "TZH")
    assert error.value.code == fm.ORA_DATE_FORMAT_NOT_RECOGNIZED


def test_unknown_element_is_ora_01821() -> None:
    with pytest.raises(OracleError) as error:
        fm.compile_model("YYYY-QQQ-ZZ")
    assert error.value.code == 1821


@pytest.mark.parametrize(
    ("model", "pattern"),
    [
        ("YYYY-MM-DD HH24:MI:SS", "%Y-%m-%d %H:%M:%S"),
        ("YYYY-MM-DD HH24:MI:SS.FF9", "%Y-%m-%d %H:%M:%S.%n"),
        ('YYYY"%"MM', "%Y%%%m"),
        ("HH:MI AM", "%I:%M %p"),
        ("DD-MON-YYYY", None),
        ("FMDD", None),
        ("am", None),
    ],
)
def test_strftime_pattern(model: str, pattern: str | None) -> None:
    assert fm.strftime_pattern(model) == pattern


@pytest.mark.parametrize(
    ("text", "model", "expected", "nanos"),
    [
        (
            "2020-01-05 13:04:05.123456789",
            "YYYY-MM-DD HH24:MI:SS.FF9",
            (2020, 1, 5, 13, 4, 5),
            123456789,
        ),
        ("2020-01-05 13:04:05.5", "YYYY-MM-DD HH24:MI:SS.FF", (2020, 1, 5, 13, 4, 5), 500000000),
        ("05-JAN-20", "DD-MON-RR", (2020, 1, 5, 0, 0, 0), 0),
        ("5/1/99", "DD/MM/RR", (1999, 1, 5, 0, 0, 0), 0),
        ("05-Jan-2020", "DD-MON-RR", (2020, 1, 5, 0, 0, 0), 0),
        ("January 5, 2020", "Month DD, YYYY", (2020, 1, 5, 0, 0, 0), 0),
        ("2020-1-5", "YYYY-MM-DD HH24:MI:SS", (2020, 1, 5, 0, 0, 0), 0),
        ("2020/01/05", "YYYY-MM-DD", (2020, 1, 5, 0, 0, 0), 0),
        ("10:30", "HH24:MI", (2024, 6, 1, 10, 30, 0), 0),
        ("01.04.05 PM", "HH.MI.SS AM", (2024, 6, 1, 13, 4, 5), 0),
        ("12:00 AM", "HH12:MI AM", (2024, 6, 1, 0, 0, 0), 0),
        ("2020 032", "YYYY DDD", (2020, 2, 1, 0, 0, 0), 0),
        ("43200", "SSSSS", (2024, 6, 1, 12, 0, 0), 0),
    ],
)
def test_parse_datetime(text: str, model: str, expected: tuple[int, ...], nanos: int) -> None:
    value = fp.parse_datetime(text, model, now=NOW)
    assert value.value.replace(microsecond=0) == dt.datetime(*expected)
    assert value.nanosecond == nanos


def test_parse_time_zone() -> None:
    value = fp.parse_datetime("2020-01-05 10:00 -05:30", "YYYY-MM-DD HH24:MI TZH:TZM", now=NOW)
    assert value.tz_offset_minutes == -330
    region = fp.parse_datetime("2020-01-05 10:00 Europe/Paris", "YYYY-MM-DD HH24:MI TZR", now=NOW)
    assert region.tz_region == "Europe/Paris"
    offset = fp.parse_datetime("2020-01-05 10:00 +02:00", "YYYY-MM-DD HH24:MI TZR", now=NOW)
    assert offset.tz_offset_minutes == 120


@pytest.mark.parametrize(
    ("text", "model", "code"),
    [
        ("2020-02-30", "YYYY-MM-DD", 1847),
        ("2020-13-01", "YYYY-MM-DD", 1843),
        ("2020-01-01 24:00", "YYYY-MM-DD HH24:MI", 1850),
        ("2020-01-01 10:61", "YYYY-MM-DD HH24:MI", 1851),
        ("13:00 PM", "HH:MI AM", 1849),
        ("2020-01-01x", "YYYY-MM-DD", 1830),
        ("2020-XX-01", "YYYY-MM-DD", 1843),
        ("ABCD", "YYYY", 1858),
        ("05-FOO-2020", "DD-MON-YYYY", 1843),
        ("2020 T", 'YYYY "X"', 1861),
    ],
)
def test_parse_errors(text: str, model: str, code: int) -> None:
    with pytest.raises(OracleError) as error:
        fp.parse_datetime(text, model, now=NOW)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("value", "model", "expected"),
    [
        ("123", "999", " 123"),
        ("-123", "999", "-123"),
        ("1234.5", "9,999.99", " 1,234.50"),
        ("0.5", "9.99", "  .50"),
        ("0.5", "0.99", " 0.50"),
        ("0", "999", "   0"),
        ("5", "099", " 005"),
        ("1234", "99", "###"),
        ("123", "FM999", "123"),
        ("1234.567", "FM9G999D00", "1,234.57"),
        ("123", "S999", "+123"),
        ("-123", "999MI", "123-"),
        ("123", "999MI", "123 "),
        ("-123", "999PR", "<123>"),
        ("12345", "9.99EEEE", " 1.23E+04"),
        ("123", "$9999", "  $123"),
        ("255", "XX", " FF"),
        ("0", "B999", "    "),
        ("2.5", "9", " 3"),
        ("-2.5", "9", "-3"),
        ("1234567.891", "FM999,999,999.00", "1,234,567.89"),
        ("42", "TM9", "42"),
    ],
)
def test_format_number(value: str, model: str, expected: str) -> None:
    assert fnum.format_number(Decimal(value), model) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", ".5"),
        ("-0.5", "-.5"),
        ("100", "100"),
        ("1.2300", "1.23"),
        ("0", "0"),
        ("-12.5", "-12.5"),
    ],
)
def test_canonical_number_text(value: str, expected: str) -> None:
    assert fnum.canonical_text(Decimal(value)) == expected


@pytest.mark.parametrize(
    ("text", "model", "expected"),
    [
        ("1,234.50", "9,999.99", Decimal("1234.50")),
        (" 12 ", None, Decimal("12")),
        ("-1.5e2", None, Decimal("-150")),
        ("123-", "999MI", Decimal("-123")),
        ("<12>", "99PR", Decimal("-12")),
        ("$1,000", "$9,999", Decimal("1000")),
        ("ff", "XX", Decimal("255")),
    ],
)
def test_parse_number(text: str, model: str | None, expected: Decimal) -> None:
    assert fnum.parse_number(text, model) == expected


@pytest.mark.parametrize(("text", "model"), [("abc", None), ("12345", "999"), ("1.2.3", None)])
def test_parse_number_errors(text: str, model: str | None) -> None:
    with pytest.raises(OracleError) as error:
        fnum.parse_number(text, model)
    assert error.value.code == 1722


def test_invalid_number_model_is_ora_01481() -> None:
    with pytest.raises(OracleError) as error:
        fnum.format_number(Decimal(1), "9Z9")
    assert error.value.code == 1481


def test_partial_years_are_in_the_current_decade_or_century() -> None:
    assert fp.parse_datetime("5", "Y", now=NOW).value.year == 2025
    assert fp.parse_datetime("123", "YYY", now=NOW).value.year == 2123
    assert fp.parse_datetime("99", "YY", now=NOW).value.year == 2099
    assert fp.parse_datetime("99", "RR", now=NOW).value.year == 1999
