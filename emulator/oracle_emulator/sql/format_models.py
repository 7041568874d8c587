"""Oracle datetime format models (``TO_CHAR``, ``TO_DATE``, ``TO_TIMESTAMP``) in Python.

A model is compiled once into a tuple of :class:`Element` (cached) and then used to format
or parse many values. Formatting follows Oracle's rules for case (``MON`` -> ``JAN``,
``Mon`` -> ``Jan``), padding of names (``MONTH``/``DAY`` are blank-padded to the longest
name unless ``FM``) and ``FM`` (fill mode: no padding, no leading zeros). Parsing follows the
default, lenient rules (without ``FX``): numbers may have fewer digits than the element's
width, any punctuation matches any punctuation, the input may end early (the rest defaults),
missing year/month default to the current ones and missing day to 1. Errors carry Oracle's
numbers through :class:`~oracle_emulator.api.OracleError`.

:func:`strftime_pattern` gives the exact DuckDB ``strftime`` equivalent of a model when one
exists, so the common numeric formats run vectorized inside DuckDB instead of in Python.

Years before 1 are Oracle's signed years: ``SYYYY`` and ``SCC`` show the sign (a blank for
AD), the other year elements the year of the era, ``BC``/``AD`` the era; ``J`` is Oracle's
Julian day (:func:`calendar.julian_day`).

Out of scope: the ``TH``/``SP`` suffixes, ``RM`` (roman months), ``SYEAR``/``YEAR`` spelled
out, ``E``/``EE`` era names. Names come from the session's date language and
``X`` (the radix) and ``D`` (the day of the week) from its territory, through
:class:`~oracle_emulator.sql.nls.DateNames`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from oracle_emulator.api import ORA_INVALID_YEAR as ORA_INVALID_YEAR  # for format_parse
from oracle_emulator.api import OracleError
from oracle_emulator.sql import calendar
from oracle_emulator.sql.nls import AMERICAN_DATES, DateNames

ORA_DATE_FORMAT_NOT_RECOGNIZED = 1821
ORA_LITERAL_MISMATCH = 1861
ORA_PICTURE_ENDS = 1830
ORA_INVALID_MONTH = 1843
ORA_INVALID_DAY = 1847
ORA_INVALID_HOUR24 = 1850
ORA_INVALID_HOUR12 = 1849
ORA_INVALID_MINUTE = 1851
ORA_INVALID_SECOND = 1852
ORA_NON_NUMERIC = 1858
ORA_INVALID_DAY_OF_YEAR = 1848
ORA_INVALID_MERIDIAN = 1855

#: Oracle's defaults for territory AMERICA (a session's own are in :mod:`.nls`)
NLS_DATE_FORMAT = "DD-MON-RR"
NLS_TIMESTAMP_FORMAT = "DD-MON-RR HH.MI.SSXFF AM"
NLS_TIMESTAMP_TZ_FORMAT = "DD-MON-RR HH.MI.SSXFF AM TZR"

_FRACTION_DIGITS = 9

#: element name -> (zero-padded width for numbers, or 0 for text elements)
NUMERIC_WIDTH = {
    "SYYYY": 4,
    "YYYY": 4,
    "IYYY": 4,
    "RRRR": 4,
    "Y,YYY": 5,
    "YYY": 3,
    "IYY": 3,
    "YY": 2,
    "RR": 2,
    "IY": 2,
    "Y": 1,
    "I": 1,
    "CC": 2,
    "SCC": 2,
    "Q": 1,
    "MM": 2,
    "WW": 2,
    "IW": 2,
    "W": 1,
    "DDD": 3,
    "DD": 2,
    "D": 1,
    "J": 7,
    "HH24": 2,
    "HH12": 2,
    "HH": 2,
    "MI": 2,
    "SSSSS": 5,
    "SS": 2,
}
_TEXT_ELEMENTS = (
    "MONTH", "MON", "DAY", "DY", "AM", "PM", "A.M.", "P.M.", "AD", "BC", "A.D.", "B.C.",
)  # fmt: skip
_OTHER_ELEMENTS = ("TZH", "TZM", "TZR", "TZD", "FM", "FX", "X")
_FF = re.compile(r"FF[1-9]?", re.IGNORECASE)
#: every keyword, longest first so that MONTH wins over MON and MI, HH24 over HH
_KEYWORDS = sorted((*NUMERIC_WIDTH, *_TEXT_ELEMENTS, *_OTHER_ELEMENTS), key=lambda k: (-len(k), k))
PUNCTUATION = set(" -/,.;:\t\n")


@dataclass(frozen=True)
class Element:
    """One piece of a model: a keyword (upper-cased), or literal text when ``literal``."""

    name: str
    literal: bool = False
    #: the keyword as written, whose case decides the case of names in the output
    written: str = ""
    #: fill mode (FM) in force for this element
    fill: bool = False


@functools.lru_cache(maxsize=256)
def compile_model(model: str) -> tuple[Element, ...]:
    """Split a format model into elements; unknown letters raise ORA-01821."""
    elements: list[Element] = []
    pos, fill = 0, False
    while pos < len(model):
        ch = model[pos]
        if ch == '"':
            end = model.find('"', pos + 1)
            if end < 0:
                raise OracleError(ORA_DATE_FORMAT_NOT_RECOGNIZED, "date format not recognized")
            elements.append(Element(model[pos + 1 : end], literal=True))
            pos = end + 1
            continue
        if ch in PUNCTUATION:
            elements.append(Element(ch, literal=True))
            pos += 1
            continue
        match = _FF.match(model, pos)
        keyword = match.group(0).upper() if match else _keyword_at(model, pos)
        if keyword is None:
            raise OracleError(ORA_DATE_FORMAT_NOT_RECOGNIZED, "date format not recognized")
        written = model[pos : pos + len(keyword)]
        pos += len(keyword)
        if keyword == "FM":
            fill = not fill
        elif keyword != "FX":
            elements.append(Element(keyword, written=written, fill=fill))
    return tuple(elements)


def _keyword_at(model: str, pos: int) -> str | None:
    upper = model[pos : pos + 5].upper()
    for keyword in _KEYWORDS:
        if upper.startswith(keyword):
            return keyword
    return None


# -- formatting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateTimeValue:
    """A wall-clock value with nanoseconds and, for TIMESTAMP WITH TIME ZONE, its offset."""

    value: dt.datetime
    nanosecond: int = 0
    tz_offset_minutes: int | None = None
    tz_region: str | None = None
    #: years to add to ``value.year`` for the astronomical year: a value outside Python's
    #: years 1..9999 is held 400-year cycles away (see :func:`calendar.python_moment`)
    year_shift: int = 0

    @property
    def oracle_year(self) -> int:
        """Oracle's signed year (-4712 for 4712 BC, no year 0)."""
        return calendar.oracle_year(self.value.year + self.year_shift)


def format_datetime(
    value: DateTimeValue, model: str, names: DateNames = AMERICAN_DATES
) -> str | None:
    """Oracle ``TO_CHAR(datetime, model)``; an empty result is NULL, as in Oracle."""
    parts = [_format_element(element, value, names) for element in compile_model(model)]
    text = "".join(parts)
    return text or None


def _apply_case(text: str, written: str) -> str:
    if written[:1].islower():
        return text.lower()
    if len(written) > 1 and written[1].islower():
        return text.capitalize()
    return text.upper()


def _format_element(element: Element, value: DateTimeValue, names: DateNames) -> str:
    if element.literal:
        return element.name
    name = element.name
    if name.startswith("FF"):
        digits = int(name[2:]) if len(name) > 2 else _default_fraction_digits(value)
        return f"{value.nanosecond:09d}"[:digits]
    if name in NUMERIC_WIDTH:
        number = _numeric_field(name, value, names.first_day)
        if name in ("SYYYY", "SCC"):
            sign = "-" if number < 0 else ("" if element.fill else " ")
            digits = str(abs(number)) if element.fill else f"{abs(number):0{NUMERIC_WIDTH[name]}d}"
            return sign + digits
        if name == "Y,YYY":
            return f"{number // 1000},{number % 1000:03d}"
        width = NUMERIC_WIDTH[name]
        if name in ("YYY", "IYY", "YY", "RR", "IY", "Y", "I"):
            number %= 10**width
        return str(number) if element.fill else f"{number:0{width}d}"
    return _format_other(element, value, names)


def _default_fraction_digits(value: DateTimeValue) -> int:
    """``FF`` alone: 6 digits (the default TIMESTAMP precision) unless nanoseconds are set."""
    return _FRACTION_DIGITS if value.nanosecond % 1000 else 6


def _numeric_field(name: str, value: DateTimeValue, first_day: int) -> int:
    moment = value.value
    signed = value.oracle_year
    year = abs(signed)
    iso_year, iso_week, _ = moment.isocalendar()
    iso_year = abs(calendar.oracle_year(iso_year + value.year_shift))
    fields = {
        "SYYYY": signed,
        "YYYY": year,
        "RRRR": year,
        "Y,YYY": year,
        "YYY": year,
        "YY": year,
        "RR": year,
        "Y": year,
        "IYYY": iso_year,
        "IYY": iso_year,
        "IY": iso_year,
        "I": iso_year,
        "CC": (year + 99) // 100,
        "SCC": (year + 99) // 100 * (-1 if signed < 0 else 1),
        "Q": (moment.month - 1) // 3 + 1,
        "MM": moment.month,
        "WW": (moment.timetuple().tm_yday - 1) // 7 + 1,
        "IW": iso_week,
        "W": (moment.day - 1) // 7 + 1,
        "DDD": moment.timetuple().tm_yday,
        "DD": moment.day,
        "D": (moment.isoweekday() - first_day) % 7 + 1,  # the territory's first day is 1
        "J": calendar.julian_day(moment.year + value.year_shift, moment.month, moment.day),
        "HH24": moment.hour,
        "HH12": (moment.hour + 11) % 12 + 1,
        "HH": (moment.hour + 11) % 12 + 1,
        "MI": moment.minute,
        "SSSSS": moment.hour * 3600 + moment.minute * 60 + moment.second,
        "SS": moment.second,
    }
    return fields[name]


def _format_other(element: Element, value: DateTimeValue, names: DateNames) -> str:
    name, moment, fill = element.name, value.value, element.fill
    language = names.names
    if name in ("MONTH", "DAY"):
        choices = language.months if name == "MONTH" else language.days
        full = choices[moment.month - 1] if name == "MONTH" else choices[moment.weekday()]
        # Oracle pads MONTH and DAY to the longest name of the language
        text = full if fill else full.ljust(max(len(c) for c in choices))
        return _apply_case(text, element.written)
    if name == "MON":
        return _apply_case(language.month_abbreviations[moment.month - 1], element.written)
    if name == "DY":
        return _apply_case(language.day_abbreviations[moment.weekday()], element.written)
    if name in ("AM", "PM", "A.M.", "P.M."):
        meridian = "AM" if moment.hour < 12 else "PM"
        if "." in name:
            meridian = f"{meridian[0]}.{meridian[1]}."
        return _apply_case(meridian, element.written)
    if name in ("AD", "BC", "A.D.", "B.C."):
        era = "BC" if value.oracle_year < 0 else "AD"
        if "." in name:
            era = f"{era[0]}.{era[1]}."
        return _apply_case(era, element.written)
    if name == "X":
        return names.radix
    return _format_zone(name, value)


def _format_zone(name: str, value: DateTimeValue) -> str:
    offset = value.tz_offset_minutes
    if offset is None:
        raise OracleError(ORA_DATE_FORMAT_NOT_RECOGNIZED, "date format not recognized")
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset), 60)
    if name == "TZH":
        return f"{sign}{hours:02d}"
    if name == "TZM":
        return f"{minutes:02d}"
    if name == "TZR" and value.tz_region:
        return value.tz_region
    if name == "TZD":
        return value.tz_region or ""
    return f"{sign}{hours:02d}:{minutes:02d}"


# -- strftime translation --------------------------------------------------------------------

_STRFTIME = {
    "YYYY": "%Y",
    # the strftime form only runs for the years 1 to 9999 (see translate_exprs), where SYYYY
    # is a blank and the year
    "SYYYY": " %Y",
    "MM": "%m",
    "DD": "%d",
    "DDD": "%j",
    "HH24": "%H",
    "HH": "%I",
    "HH12": "%I",
    "MI": "%M",
    "SS": "%S",
    "FF3": "%g",
    "FF6": "%f",
    "FF9": "%n",
    "IW": "%V",
    "AM": "%p",
    "PM": "%p",
}


@functools.lru_cache(maxsize=256)
def strftime_pattern(model: str) -> str | None:
    """The DuckDB strftime pattern giving exactly Oracle's output, or None when there is none
    (names, FM, elements strftime lacks, ``X`` whose radix is the session's); unknown elements
    raise like :func:`compile_model`."""
    pieces: list[str] = []
    for element in compile_model(model):
        if element.literal:
            pieces.append(element.name.replace("%", "%%"))
            continue
        pattern = _STRFTIME.get(element.name)
        if pattern is None or element.fill:
            return None
        if element.name in ("AM", "PM") and element.written != element.name:
            return None  # lower-case am/pm
        pieces.append(pattern)
    return "".join(pieces)
