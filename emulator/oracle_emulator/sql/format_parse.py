"""Parse text with an Oracle datetime format model (``TO_DATE``, ``TO_TIMESTAMP[_TZ]``).

The default, lenient mode is implemented (what Oracle does without ``FX``): numeric elements
take up to their width in digits, a run of punctuation or blanks in the model matches any run
of punctuation or blanks in the input (or none), names are matched case-insensitively and a
month element accepts a number or either form of the name, and input that ends before the
model does leaves the remaining fields at their defaults: the current year and month, day 1,
midnight. Text left over after the model is ORA-01830.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oracle_emulator.api import OracleError
from oracle_emulator.sql import calendar
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql.nls import AMERICAN_DATES, DateNames

_MAX_YEAR = 9999
_MAX_JULIAN_DAY = 5_373_484
_ORA_INVALID_JULIAN = 1854
_RR_PIVOT = 50
_MERIDIANS = {"AM": "AM", "A.M.": "AM", "PM": "PM", "P.M.": "PM"}
_TWELVE_HOUR = ("HH", "HH12")
_SIGNED_ELEMENTS = ("TZH", "TZR", "SYYYY")
#: two-digit year elements still take a four-digit year as it is
_YEAR_DIGITS = 4


@dataclass
class _Fields:
    """Field values collected while scanning; None = not given."""

    year: int | None = None
    two_digit_year: str | None = None  # "RR" or "YY" when the year came with two digits
    partial_year_digits: int = 0  # YYY, YY... in the current century (decade, year)
    month: int | None = None
    day: int | None = None
    day_of_year: int | None = None
    julian: int | None = None
    hour: int | None = None
    twelve_hour: bool = False
    meridian: str | None = None
    minute: int = 0
    second: int = 0
    seconds_of_day: int | None = None
    nanosecond: int = 0
    tz_sign: int = 1
    tz_hours: int | None = None
    tz_minutes: int = 0
    tz_region: str | None = None
    before_christ: bool = False  # a BC/B.C. indicator was read


def parse_datetime(
    text: str,
    model: str,
    *,
    now: dt.datetime | None = None,
    names: DateNames = AMERICAN_DATES,
) -> fm.DateTimeValue:
    """Oracle ``TO_TIMESTAMP_TZ(text, model)``; ``TO_DATE`` and ``TO_TIMESTAMP`` use the same
    scan and drop what their type cannot hold. Month and day names are those of the
    session's date language, ``X`` its radix character."""
    fields = _Fields()
    scanner = _Scanner(text)
    elements = fm.compile_model(model)
    for index, element in enumerate(elements):
        if scanner.at_end():
            break
        if element.literal:
            following = elements[index + 1].name if index + 1 < len(elements) else ""
            scanner.literal(element.name, keep_sign=following in _SIGNED_ELEMENTS)
        else:
            _read_element(scanner, element, fields, names)
    scanner.skip_blanks()
    if not scanner.at_end():
        raise OracleError(
            fm.ORA_PICTURE_ENDS, "date format picture ends before converting entire input string"
        )
    return _resolve(fields, now or dt.datetime.now())


class _Scanner:
    """A cursor over the input text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.skip_blanks()

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_blanks(self) -> None:
        while not self.at_end() and self.text[self.pos].isspace():
            self.pos += 1

    def literal(self, literal: str, keep_sign: bool = False) -> None:
        if all(ch in fm.PUNCTUATION for ch in literal):
            while not self.at_end() and not self.text[self.pos].isalnum():
                if keep_sign and self.text[self.pos] in "+-":
                    break
                self.pos += 1
            return
        if self.text[self.pos : self.pos + len(literal)].upper() != literal.upper():
            raise OracleError(fm.ORA_LITERAL_MISMATCH, "literal does not match format string")
        self.pos += len(literal)

    def digits(self, width: int, signed: bool = False) -> int:
        self.skip_blanks()
        start = self.pos
        if signed and not self.at_end() and self.text[self.pos] in "+-":
            self.pos += 1
        first = self.pos
        while not self.at_end() and self.text[self.pos].isdigit() and self.pos - first < width:
            self.pos += 1
        token = self.text[start : self.pos]
        if not token.lstrip("+-"):
            raise OracleError(
                fm.ORA_NON_NUMERIC, "a non-numeric character was found where a numeric was expected"
            )
        return int(token)

    def word(self, choices: list[str]) -> str | None:
        """The longest choice the input continues with (case-insensitive), consumed."""
        self.skip_blanks()
        rest = self.text[self.pos :].upper()
        for choice in sorted(choices, key=len, reverse=True):
            if rest.startswith(choice):
                self.pos += len(choice)
                return choice
        return None


def _read_element(
    scanner: _Scanner, element: fm.Element, fields: _Fields, names: DateNames
) -> None:
    language = names.names
    name = element.name
    if name.startswith("FF"):
        width = int(name[2:]) if len(name) > 2 else 9
        scanner.skip_blanks()
        start = scanner.pos
        value = scanner.digits(width)
        digits = scanner.pos - start
        fields.nanosecond = value * 10 ** (9 - digits)
    elif name in ("MONTH", "MON") or (name == "MM" and _starts_alpha(scanner)):
        fields.month = _read_month(scanner, names)
    elif name in ("DAY", "DY"):
        if scanner.word([*language.days, *language.day_abbreviations]) is None:
            raise OracleError(1846, "not a valid day of the week")
    elif name in _MERIDIANS:
        found = scanner.word(list(_MERIDIANS))
        if found is None:
            raise OracleError(fm.ORA_INVALID_MERIDIAN, "AM/A.M. or PM/P.M. required")
        fields.meridian = _MERIDIANS[found]
    elif name in ("AD", "BC", "A.D.", "B.C."):
        era = scanner.word(["AD", "A.D.", "BC", "B.C."])
        if era is None:
            raise OracleError(1856, "BC/B.C. or AD/A.D. required")
        fields.before_christ = era.startswith("B")
    elif name == "X":
        scanner.literal(names.radix)
    elif name in ("TZH", "TZM", "TZR", "TZD"):
        _read_zone(scanner, name, fields)
    else:
        _read_number(scanner, name, fields)


def _starts_alpha(scanner: _Scanner) -> bool:
    scanner.skip_blanks()
    return not scanner.at_end() and scanner.text[scanner.pos].isalpha()


def _read_month(scanner: _Scanner, names: DateNames) -> int:
    if not _starts_alpha(scanner):
        return scanner.digits(2)
    language = names.names
    found = scanner.word([*language.months, *language.month_abbreviations])
    if found is None:
        raise OracleError(fm.ORA_INVALID_MONTH, "not a valid month")
    if found in language.months:
        return language.months.index(found) + 1
    return language.month_abbreviations.index(found) + 1


def _read_number(scanner: _Scanner, name: str, fields: _Fields) -> None:
    if name == "Y,YYY":
        thousands = scanner.digits(1)
        scanner.literal(",")
        fields.year = thousands * 1000 + scanner.digits(3)
        return
    start = scanner.pos
    width = _YEAR_DIGITS if name in ("RR", "YY") else fm.NUMERIC_WIDTH[name]
    value = scanner.digits(width, signed=name == "SYYYY")
    digits = len(scanner.text[start : scanner.pos].strip().lstrip("+-"))
    if name in ("SYYYY", "YYYY", "IYYY"):
        fields.year = value
    elif name in ("YYY", "IYY", "IY", "I", "Y"):
        fields.year, fields.partial_year_digits = value, fm.NUMERIC_WIDTH[name]
    elif name in ("RRRR", "RR", "YY"):
        fields.year = value
        if digits <= 2:
            fields.two_digit_year = "YY" if name == "YY" else "RR"
    else:
        _store_number(name, value, fields)


def _store_number(name: str, value: int, fields: _Fields) -> None:
    if name == "MM":
        fields.month = value
    elif name == "DD":
        fields.day = value
    elif name == "DDD":
        fields.day_of_year = value
    elif name == "J":
        fields.julian = value
    elif name in ("HH24", *_TWELVE_HOUR):
        fields.hour, fields.twelve_hour = value, name in _TWELVE_HOUR
    elif name == "MI":
        fields.minute = value
    elif name == "SS":
        fields.second = value
    elif name == "SSSSS":
        fields.seconds_of_day = value
    # Q, W, WW, IW, D, CC are accepted and ignored, as Oracle does for TO_DATE input


def _read_zone(scanner: _Scanner, name: str, fields: _Fields) -> None:
    scanner.skip_blanks()
    if name == "TZH":
        fields.tz_sign = -1 if scanner.text[scanner.pos] == "-" else 1
        if scanner.text[scanner.pos] in "+-":
            scanner.pos += 1
        fields.tz_hours = scanner.digits(2)
        return
    if name == "TZM":
        fields.tz_minutes = scanner.digits(2)
        return
    start = scanner.pos
    while not scanner.at_end() and not scanner.text[scanner.pos].isspace():
        scanner.pos += 1
    token = scanner.text[start : scanner.pos]
    offset = _offset_from_text(token)
    if offset is None:
        fields.tz_region = token
    else:
        fields.tz_sign = -1 if offset < 0 else 1
        fields.tz_hours, fields.tz_minutes = divmod(abs(offset), 60)


def _offset_from_text(token: str) -> int | None:
    """Minutes east of UTC for ``+hh:mi``/``-hh:mi``, None for a region name."""
    if len(token) >= 2 and token[0] in "+-" and token[1].isdigit():
        hours, _, minutes = token[1:].partition(":")
        total = int(hours) * 60 + int(minutes or 0)
        return -total if token[0] == "-" else total
    return None


def _resolve(fields: _Fields, now: dt.datetime) -> fm.DateTimeValue:
    year = _resolve_year(fields, now)
    hour = _resolve_hour(fields)
    minute, second = fields.minute, fields.second
    if fields.seconds_of_day is not None:
        hour, rest = divmod(fields.seconds_of_day, 3600)
        minute, second = divmod(rest, 60)
    _check(0 <= minute <= 59, fm.ORA_INVALID_MINUTE, "minutes must be between 0 and 59")
    _check(0 <= second <= 59, fm.ORA_INVALID_SECOND, "seconds must be between 0 and 59")
    astronomical, month, day = _resolve_date(fields, year, now)
    moment, shift = calendar.python_moment(astronomical, month, day, hour, minute, second)
    moment = moment.replace(microsecond=fields.nanosecond // 1000)
    offset = None
    if fields.tz_hours is not None:
        offset = fields.tz_sign * (fields.tz_hours * 60 + fields.tz_minutes)
    return fm.DateTimeValue(moment, fields.nanosecond, offset, fields.tz_region, shift)


def _resolve_year(fields: _Fields, now: dt.datetime) -> int:
    """Oracle's signed year (-4712 for 4712 BC), from SYYYY's sign or a BC indicator."""
    year = now.year if fields.year is None else fields.year
    if fields.partial_year_digits:
        unit = 10**fields.partial_year_digits
        year = now.year - now.year % unit + year
    elif fields.two_digit_year == "YY":
        year = now.year - now.year % 100 + year
    elif fields.two_digit_year == "RR":
        century = now.year - now.year % 100
        this_half = now.year % 100 < _RR_PIVOT
        if year < _RR_PIVOT:
            year = century + year if this_half else century + 100 + year
        else:
            year = century - 100 + year if this_half else century + year
    if fields.before_christ:
        year = -year
    _check(
        calendar.ORACLE_MIN_YEAR <= year <= _MAX_YEAR and year != 0,
        fm.ORA_INVALID_YEAR,
        "(full) year must be between -4713 and +9999, and not be 0",
    )
    return year


def _resolve_hour(fields: _Fields) -> int:
    hour = fields.hour or 0
    if fields.twelve_hour or fields.meridian:
        if fields.hour is None:
            return 12 if fields.meridian == "PM" else 0
        _check(1 <= hour <= 12, fm.ORA_INVALID_HOUR12, "hour must be between 1 and 12")
        hour %= 12
        return hour + 12 if fields.meridian == "PM" else hour
    _check(0 <= hour <= 23, fm.ORA_INVALID_HOUR24, "hour must be between 0 and 23")
    return hour


def _resolve_date(fields: _Fields, year: int, now: dt.datetime) -> tuple[int, int, int]:
    """(astronomical year, month, day) of the fields and Oracle's signed ``year``."""
    astronomical = calendar.astronomical_year(year)
    if fields.julian is not None:
        _check(
            1 <= fields.julian <= _MAX_JULIAN_DAY,
            _ORA_INVALID_JULIAN,
            "julian date must be between 1 and 5373484",
        )
        return calendar.from_julian_day(fields.julian)
    if fields.day_of_year is not None:
        _check(
            1 <= fields.day_of_year <= (366 if _leap(astronomical) else 365),
            fm.ORA_INVALID_DAY_OF_YEAR,
            "day of year must be between 1 and 365 (366 for leap year)",
        )
        first = calendar.days_from_civil(astronomical, 1, 1)
        return calendar.civil_from_days(first + fields.day_of_year - 1)
    month = now.month if fields.month is None else fields.month
    _check(1 <= month <= 12, fm.ORA_INVALID_MONTH, "not a valid month")
    day = 1 if fields.day is None else fields.day
    _check(
        1 <= day <= _month_days(astronomical, month),
        fm.ORA_INVALID_DAY,
        "day of month must be between 1 and last day of month",
    )
    return astronomical, month, day


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if _leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _check(condition: bool, code: int, message: str) -> None:
    if not condition:
        raise OracleError(code, message)
