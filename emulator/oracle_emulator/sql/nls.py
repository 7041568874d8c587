"""NLS: the territory and language tables, and one session's NLS parameters.

Oracle derives most session parameters from two choices: the territory gives the decimal and
group characters, the date and timestamp formats, the currency symbols and the first day of
the week; the language gives month and day names and the default linguistic sort. A session
starts from the database's defaults (``--nls-territory``, ``--nls-language``,
``--time-zone``) and changes them with ``ALTER SESSION SET``; setting ``NLS_TERRITORY`` or
``NLS_LANGUAGE`` resets the parameters derived from it, as in Oracle, while a parameter set
by name keeps its value until set again. The tables are data: a territory or language is
added by adding a row.

Invalid values are refused with Oracle's errors: ORA-12705 for an unknown territory,
language, sort, comparison mode or numeric characters, ORA-01821 for a format model that is
not one, ORA-02248 for an option ALTER SESSION does not know, ORA-01882 for an unknown time
zone region and ORA-01874/ORA-01875 for an offset out of range.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

from oracle_emulator.api import OracleError

ORA_INVALID_NLS = 12705
ORA_INVALID_ALTER_SESSION_OPTION = 2248
ORA_TZ_REGION_NOT_FOUND = 1882
ORA_TZ_HOUR = 1874
ORA_TZ_MINUTE = 1875
#: the highest offset hour Oracle accepts for a session time zone
_MAX_TZ_HOUR = 14
_OFFSET = re.compile(r"^([+-])(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Territory:
    """What NLS_TERRITORY sets (Oracle's locale data for the territory)."""

    name: str
    numeric_characters: str  # decimal character, then group separator
    date_format: str
    time_format: str
    timestamp_format: str
    time_tz_format: str
    timestamp_tz_format: str
    currency: str
    iso_currency: str
    dual_currency: str
    #: ISO weekday (1 = Monday ... 7 = Sunday) that the D element numbers 1
    first_day: int


@dataclass(frozen=True)
class Language:
    """What NLS_LANGUAGE sets: names used by TO_CHAR/TO_DATE, and the default NLS_SORT."""

    name: str
    months: tuple[str, ...]
    month_abbreviations: tuple[str, ...]
    days: tuple[str, ...]  # Monday first
    day_abbreviations: tuple[str, ...]
    sort: str


TERRITORIES = {
    t.name: t
    for t in (
        Territory(
            "AMERICA", ".,", "DD-MON-RR", "HH.MI.SSXFF AM", "DD-MON-RR HH.MI.SSXFF AM",
            "HH.MI.SSXFF AM TZR", "DD-MON-RR HH.MI.SSXFF AM TZR", "$", "AMERICA", "$", 7,
        ),
        Territory(
            "GERMANY", ",.", "DD.MM.RR", "HH24:MI:SSXFF", "DD.MM.RR HH24:MI:SSXFF",
            "HH24:MI:SSXFF TZR", "DD.MM.RR HH24:MI:SSXFF TZR", "€", "GERMANY", "€", 1,
        ),
    )
}  # fmt: skip

_ENGLISH_MONTHS = (
    "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
    "OCTOBER", "NOVEMBER", "DECEMBER",
)  # fmt: skip
_ENGLISH_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
LANGUAGES = {
    lang.name: lang
    for lang in (
        Language(
            "AMERICAN",
            _ENGLISH_MONTHS,
            tuple(m[:3] for m in _ENGLISH_MONTHS),
            _ENGLISH_DAYS,
            tuple(d[:3] for d in _ENGLISH_DAYS),
            "BINARY",
        ),
        Language(
            "GERMAN",
            ("JANUAR", "FEBRUAR", "MÄRZ", "APRIL", "MAI", "JUNI", "JULI", "AUGUST",
             "SEPTEMBER", "OKTOBER", "NOVEMBER", "DEZEMBER"),
            ("JAN", "FEB", "MRZ", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
            ("MONTAG", "DIENSTAG", "MITTWOCH", "DONNERSTAG", "FREITAG", "SAMSTAG", "SONNTAG"),
            ("MO", "DI", "MI", "DO", "FR", "SA", "SO"),
            "GERMAN",
        ),
    )
}  # fmt: skip
#: linguistic sorts the emulator implements (see :mod:`.collation`), besides BINARY
LINGUISTIC_SORTS = ("GERMAN", "XGERMAN", "GERMAN_DIN", "XGERMAN_DIN", "WEST_EUROPEAN", "GENERIC_M")
_SORT_SUFFIXES = ("", "_CI", "_AI")
COMP_MODES = ("BINARY", "LINGUISTIC", "ANSI")


@dataclass(frozen=True)
class DateNames:
    """What datetime format models need from the session: names, radix, week start."""

    language: str = "AMERICAN"
    radix: str = "."
    first_day: int = 7

    @property
    def names(self) -> Language:
        return LANGUAGES[self.language]

    def key(self) -> str:
        """A compact text form, passed to the database-wide format functions."""
        return f"{self.language}|{self.radix}|{self.first_day}"

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def from_key(key: str) -> DateNames:
        language, radix, first_day = key.split("|")
        return DateNames(language, radix, int(first_day))


AMERICAN_DATES = DateNames()


@dataclass(frozen=True)
class NlsSettings:
    """One session's NLS parameters and time zone (also the database's defaults)."""

    language: str = "AMERICAN"
    territory: str = "AMERICA"
    currency: str = "$"
    iso_currency: str = "AMERICA"
    numeric_characters: str = ".,"
    calendar: str = "GREGORIAN"
    date_format: str = "DD-MON-RR"
    date_language: str = "AMERICAN"
    sort: str = "BINARY"
    time_format: str = "HH.MI.SSXFF AM"
    timestamp_format: str = "DD-MON-RR HH.MI.SSXFF AM"
    time_tz_format: str = "HH.MI.SSXFF AM TZR"
    timestamp_tz_format: str = "DD-MON-RR HH.MI.SSXFF AM TZR"
    dual_currency: str = "$"
    comp: str = "BINARY"
    length_semantics: str = "BYTE"
    nchar_conv_excp: str = "FALSE"
    #: the session time zone as SESSIONTIMEZONE shows it: '+hh:mi' or a region name
    time_zone: str = "+00:00"
    #: the database time zone (DBTIMEZONE); a session's LOCAL is the server's zone
    db_time_zone: str = "+00:00"
    first_day: int = 7

    @classmethod
    def defaults(
        cls, territory: str = "AMERICA", language: str = "AMERICAN", time_zone: str = "+00:00"
    ) -> NlsSettings:
        """The database's settings for a server started with these choices."""
        zone = check_time_zone(time_zone)
        base = cls(time_zone=zone, db_time_zone=zone)
        return base.set("NLS_LANGUAGE", language).set("NLS_TERRITORY", territory)

    # -- reading ---------------------------------------------------------------------------

    @property
    def decimal(self) -> str:
        return self.numeric_characters[0]

    @property
    def group(self) -> str:
        return self.numeric_characters[1]

    def dates(self) -> DateNames:
        return DateNames(self.date_language, self.decimal, self.first_day)

    def rows(self) -> list[tuple[str, str]]:
        """NLS_SESSION_PARAMETERS, in Oracle's order."""
        return [(name, str(getattr(self, field))) for name, field in _PARAMETERS.items()]

    def zone_info(self) -> dt.tzinfo:
        """The session time zone as a tzinfo (offsets are fixed, regions follow DST)."""
        return tzinfo_of(self.time_zone)

    # -- changing --------------------------------------------------------------------------

    def set(self, parameter: str, value: str) -> NlsSettings:
        """These settings with one ALTER SESSION parameter changed (validated)."""
        name = parameter.upper()
        if name == "NLS_TERRITORY":
            return self._with_territory(value)
        if name == "NLS_LANGUAGE":
            language = _language(value)
            return dataclasses.replace(
                self, language=language.name, date_language=language.name, sort=language.sort
            )
        if name == "NLS_DATE_LANGUAGE":
            return dataclasses.replace(self, date_language=_language(value).name)
        if name == "NLS_NUMERIC_CHARACTERS":
            return dataclasses.replace(self, numeric_characters=_numeric_characters(value))
        if name == "NLS_SORT":
            return dataclasses.replace(self, sort=_sort(value))
        if name == "NLS_COMP":
            return dataclasses.replace(self, comp=_choice(value, COMP_MODES))
        if name == "NLS_CALENDAR":
            return dataclasses.replace(self, calendar=_choice(value, ("GREGORIAN",)))
        if name == "NLS_LENGTH_SEMANTICS":
            return dataclasses.replace(self, length_semantics=_choice(value, ("BYTE", "CHAR")))
        if name == "NLS_NCHAR_CONV_EXCP":
            return dataclasses.replace(self, nchar_conv_excp=_choice(value, ("TRUE", "FALSE")))
        if name in _FORMATS:
            return dataclasses.replace(self, **{_FORMATS[name]: check_format(value)})
        if name in ("NLS_CURRENCY", "NLS_DUAL_CURRENCY"):
            field = "currency" if name == "NLS_CURRENCY" else "dual_currency"
            return dataclasses.replace(self, **{field: value})
        if name == "NLS_ISO_CURRENCY":
            return dataclasses.replace(self, iso_currency=_territory(value).name)
        if name == "TIME_ZONE":
            return dataclasses.replace(self, time_zone=self._session_zone(value))
        raise OracleError(ORA_INVALID_ALTER_SESSION_OPTION, "invalid option for ALTER SESSION")

    def _with_territory(self, value: str) -> NlsSettings:
        territory = _territory(value)
        return dataclasses.replace(
            self,
            territory=territory.name,
            numeric_characters=territory.numeric_characters,
            date_format=territory.date_format,
            time_format=territory.time_format,
            timestamp_format=territory.timestamp_format,
            time_tz_format=territory.time_tz_format,
            timestamp_tz_format=territory.timestamp_tz_format,
            currency=territory.currency,
            iso_currency=territory.iso_currency,
            dual_currency=territory.dual_currency,
            first_day=territory.first_day,
        )

    def _session_zone(self, value: str) -> str:
        word = value.strip().upper()
        if word == "DBTIMEZONE":
            return self.db_time_zone
        if word == "LOCAL":
            return offset_text(dt.datetime.now(tzinfo_of(self.db_time_zone)).utcoffset())
        return check_time_zone(value)


#: NLS_SESSION_PARAMETERS rows -> NlsSettings field
_PARAMETERS = {
    "NLS_LANGUAGE": "language",
    "NLS_TERRITORY": "territory",
    "NLS_CURRENCY": "currency",
    "NLS_ISO_CURRENCY": "iso_currency",
    "NLS_NUMERIC_CHARACTERS": "numeric_characters",
    "NLS_CALENDAR": "calendar",
    "NLS_DATE_FORMAT": "date_format",
    "NLS_DATE_LANGUAGE": "date_language",
    "NLS_SORT": "sort",
    "NLS_TIME_FORMAT": "time_format",
    "NLS_TIMESTAMP_FORMAT": "timestamp_format",
    "NLS_TIME_TZ_FORMAT": "time_tz_format",
    "NLS_TIMESTAMP_TZ_FORMAT": "timestamp_tz_format",
    "NLS_DUAL_CURRENCY": "dual_currency",
    "NLS_COMP": "comp",
    "NLS_LENGTH_SEMANTICS": "length_semantics",
    "NLS_NCHAR_CONV_EXCP": "nchar_conv_excp",
}
_FORMATS = {
    "NLS_DATE_FORMAT": "date_format",
    "NLS_TIME_FORMAT": "time_format",
    "NLS_TIMESTAMP_FORMAT": "timestamp_format",
    "NLS_TIME_TZ_FORMAT": "time_tz_format",
    "NLS_TIMESTAMP_TZ_FORMAT": "timestamp_tz_format",
}


def _invalid() -> OracleError:
    return OracleError(
        ORA_INVALID_NLS, "Cannot access NLS data files or invalid environment specified"
    )


def _choice(value: str, allowed: tuple[str, ...]) -> str:
    word = value.strip().upper()
    if word not in allowed:
        raise _invalid()
    return word


def _territory(value: str) -> Territory:
    territory = TERRITORIES.get(value.strip().upper())
    if territory is None:
        raise _invalid()
    return territory


def _language(value: str) -> Language:
    language = LANGUAGES.get(value.strip().upper())
    if language is None:
        raise _invalid()
    return language


def _sort(value: str) -> str:
    word = value.strip().upper()
    if word == "BINARY" or word in ("BINARY_CI", "BINARY_AI"):
        return word
    for base in LINGUISTIC_SORTS:
        if word in (base + suffix for suffix in _SORT_SUFFIXES):
            return word
    raise _invalid()


def _numeric_characters(value: str) -> str:
    """Two different characters, neither a digit, '+', '-', '<' or '>' (Oracle's rule)."""
    if len(value) != 2 or value[0] == value[1]:
        raise _invalid()
    if any(ch.isdigit() or ch in "+-<>" for ch in value):
        raise _invalid()
    return value


def check_format(value: str) -> str:
    """A datetime format model for NLS_*_FORMAT: compiled once to refuse bad ones."""
    from oracle_emulator.sql import format_models as fm

    fm.compile_model(value)
    return value


def check_time_zone(value: str) -> str:
    """'+hh:mi' (normalised) or a known region name; Oracle's errors otherwise."""
    text = value.strip()
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3))
        if hours > _MAX_TZ_HOUR:
            raise OracleError(ORA_TZ_HOUR, "time zone hour must be between -15 and 15")
        if minutes > 59:
            raise OracleError(ORA_TZ_MINUTE, "time zone minute must be between -59 and 59")
        return f"{sign}{hours:02d}:{minutes:02d}"
    tzinfo_of(text)
    return text


@functools.lru_cache(maxsize=64)
def tzinfo_of(zone: str) -> dt.tzinfo:
    offset = _OFFSET.match(zone)
    if offset:
        minutes = int(offset.group(2)) * 60 + int(offset.group(3))
        sign = -1 if offset.group(1) == "-" else 1
        return dt.timezone(dt.timedelta(minutes=sign * minutes))
    if zone.upper() in ("UTC", "GMT"):
        return dt.timezone.utc
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise OracleError(ORA_TZ_REGION_NOT_FOUND, "timezone region not found") from None


def duckdb_zone(zone: str) -> str:
    """The zone as DuckDB's ICU names it ('+01:00' is 'GMT+01:00')."""
    return f"GMT{zone}" if _OFFSET.match(zone) else zone


def offset_text(offset: dt.timedelta | None) -> str:
    minutes = int((offset or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"
