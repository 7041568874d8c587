"""The session's NLS inside DuckDB: per-session macros over database-wide functions.

Python UDFs are shared by every connection, so they take the NLS values they need as
arguments (the decimal and group characters, :meth:`nls.DateNames.key`). Macros are TEMP,
one set per session cursor, and carry the session's values as literals: ``ora_str`` (the
implicit conversion to text), ``ora_to_char``, ``ora_to_number``, ``ora_to_date``... are
defined here and re-defined when ``ALTER SESSION`` changes a value. Macros are expanded when
a query is bound, so a macro of :mod:`.functions` that calls one of these sees the current
session's definition.

``ora_sortkey`` is what ORDER BY (under a linguistic NLS_SORT) and comparisons (under
NLS_COMP=LINGUISTIC) apply to character values: DuckDB's ICU collation of the sort's
language, lower-cased first for a ``_CI`` sort and without accents too for ``_AI``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from typing import Any

import duckdb
import pyarrow as pa
from duckdb import func as duckdb_func
from duckdb import sqltypes

from oracle_emulator.sql import exact_numbers, zoned
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql import format_numbers as fnum
from oracle_emulator.sql import format_parse as fp
from oracle_emulator.sql import functions_udf as udf
from oracle_emulator.sql.macros import create_macros
from oracle_emulator.sql.nls import DateNames, NlsSettings, duckdb_zone, offset_text
from oracle_emulator.sql.oratypes import sql_string

_NUMBER = duckdb.decimal_type(udf.NUMBER_PRECISION, udf.NUMBER_SCALE)
NUMBER_TYPE = f"DECIMAL({udf.NUMBER_PRECISION}, {udf.NUMBER_SCALE})"
_V = sqltypes.VARCHAR
#: the text form of a nanosecond TIMESTAMP bind (see :func:`.binds.oracle_value`)
_NANO_BIND = (
    "regexp_full_match(x, '-?[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{9}')"
)
#: the ICU collation standing for each linguistic sort's base name
_COLLATIONS = {
    "GERMAN": "de",
    "XGERMAN": "de",
    "GERMAN_DIN": "de",
    "XGERMAN_DIN": "de",
    "WEST_EUROPEAN": "en",
    "GENERIC_M": "en",
}


def _num_format(values: pa.Array, models: pa.Array, numeric: pa.Array) -> pa.Array:
    return udf._map(
        lambda text, model, chars: fnum.format_number(decimal.Decimal(text), model, chars),
        (values, models, numeric),
        pa.string(),
    )


def _parse_number(texts: pa.Array, models: pa.Array, numeric: pa.Array) -> pa.Array:
    return udf._map(
        lambda text, model, chars: udf._to_number(fnum.parse_number(text, model, chars)),
        (texts, models, numeric),
        udf.NUMBER_ARROW_TYPE,
    )


def _dt_format(values: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    return udf._map(
        lambda nanos, model, key: fm.format_datetime(
            udf._from_nanos(nanos), model, DateNames.from_key(key)
        ),
        (udf._as_ints(values), models, names),
        pa.string(),
    )


def _dt_format_us(values: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    """For TIMESTAMP (microsecond) input: a DATE or TIMESTAMP(0-6) of any Oracle year, which
    TIMESTAMP_NS (1677-2262) cannot hold."""
    return udf._map(
        lambda micros, model, key: fm.format_datetime(
            udf._from_nanos(micros * 1000), model, DateNames.from_key(key)
        ),
        (udf._as_ints(values), models, names),
        pa.string(),
    )


def _ns_format(values: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    """For a TIMESTAMP(7-9) column's stored value: epoch nanoseconds as a HUGEINT."""
    return udf._map(
        lambda nanos, model, key: fm.format_datetime(
            udf._from_nanos(int(nanos)), model, DateNames.from_key(key)
        ),
        (values, models, names),
        pa.string(),
    )


def _tstz_format(values: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    """Shown in UTC (DuckDB keeps the instant, not the zone), as :func:`udf.tstz_format`."""

    def one(micros: int, model: str, key: str) -> str | None:
        shown = dataclasses.replace(udf._from_nanos(micros * 1000, 0), tz_region="UTC")
        return fm.format_datetime(shown, model, DateNames.from_key(key))

    return udf._map(one, (udf._as_ints(values), models, names), pa.string())


def _zoned_format(texts: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    """``TO_CHAR`` of a TIMESTAMP WITH TIME ZONE column: its stored wall clock and offset
    (see :mod:`.zoned`), so TZH:TZM and TZR show the offset it was written with."""

    def one(text: str, model: str, key: str) -> str | None:
        local, minutes = zoned.stored_parts(text)
        shown = udf._from_nanos(local, minutes)
        return fm.format_datetime(shown, model, DateNames.from_key(key))

    return udf._map(one, (texts, models, names), pa.string())


def _parsed(text: str, model: str, key: str) -> fm.DateTimeValue:
    return fp.parse_datetime(text, model, names=DateNames.from_key(key))


def _parse_date(texts: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    def one(text: str, model: str, key: str) -> int:
        value = _parsed(text, model, key)
        if any(element.name.startswith("FF") for element in fm.compile_model(model)):
            raise udf.OracleError(fm.ORA_DATE_FORMAT_NOT_RECOGNIZED, "date format not recognized")
        return udf._to_nanos(value) // udf._NANOS * 1_000_000

    return udf._map(one, (texts, models, names), pa.timestamp("us"))


def _parse_timestamp(texts: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    return udf._map(
        lambda text, model, key: udf.in_nanosecond_range(udf._to_nanos(_parsed(text, model, key))),
        (texts, models, names),
        pa.timestamp("ns"),
    )


def _parse_timestamp_tz(texts: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    def one(text: str, model: str, key: str) -> int:
        value = _parsed(text, model, key)
        offset = value.tz_offset_minutes
        if offset is None and value.tz_region:
            offset = udf._region_offset(value.tz_region, value.value)
        return (udf._to_nanos(value) - (offset or 0) * 60 * udf._NANOS) // 1000

    return udf._map(one, (texts, models, names), pa.timestamp("us", tz="UTC"))


def _parsed_zone(texts: pa.Array, models: pa.Array, names: pa.Array) -> pa.Array:
    """The zone a text read with a TIMESTAMP WITH TIME ZONE model names (NULL if none)."""

    def one(text: str, model: str, key: str) -> str | None:
        value = _parsed(text, model, key)
        if value.tz_offset_minutes is not None:
            return offset_text(dt.timedelta(minutes=value.tz_offset_minutes))
        return value.tz_region or None

    return udf._map(one, (texts, models, names), pa.string())


_UDFS = (
    ("ora_zoned_text_nls", zoned.zoned_text, [sqltypes.TIMESTAMP_TZ, _V, sqltypes.INTEGER], _V),
    ("ora_parsed_zone_nls", _parsed_zone, [_V, _V, _V], _V),
    ("ora_zoned_format_nls", _zoned_format, [_V, _V, _V], _V),
    ("ora_num_format_nls", _num_format, [_V, _V, _V], _V),
    ("ora_parse_number_nls", _parse_number, [_V, _V, _V], _NUMBER),
    ("ora_parse_number_text_nls", exact_numbers.number_text_udf, [_V, _V, _V], _V),
    ("ora_dt_format_nls", _dt_format, [sqltypes.TIMESTAMP_NS, _V, _V], _V),
    ("ora_dt_format_us_nls", _dt_format_us, [sqltypes.TIMESTAMP, _V, _V], _V),
    ("ora_ns_format_nls", _ns_format, [sqltypes.HUGEINT, _V, _V], _V),
    ("ora_tstz_format_nls", _tstz_format, [sqltypes.TIMESTAMP_TZ, _V, _V], _V),
    ("ora_parse_date_nls", _parse_date, [_V, _V, _V], sqltypes.TIMESTAMP),
    ("ora_parse_timestamp_nls", _parse_timestamp, [_V, _V, _V], sqltypes.TIMESTAMP_NS),
    ("ora_parse_timestamp_tz_nls", _parse_timestamp_tz, [_V, _V, _V], sqltypes.TIMESTAMP_TZ),
)


def macros(nls: NlsSettings) -> list[str]:
    """The session's NLS-dependent macros, its values written in as literals."""
    q = sql_string
    names, numeric, dec = q(nls.dates().key()), q(nls.numeric_characters), q(nls.decimal)
    d, t, tz = q(nls.date_format), q(nls.timestamp_format), q(nls.timestamp_tz_format)
    session_zone, db_zone = q(duckdb_zone(nls.time_zone)), q(duckdb_zone(nls.db_time_zone))
    session = q(nls.time_zone)
    return [
        f"ora_nls_numeric() AS {numeric}",
        f"ora_str(x VARCHAR) AS x, (x TIMESTAMP) AS ora_dt_format_us_nls(x, {d}, {names}), "
        f"(x TIMESTAMP_NS) AS ora_dt_format_nls(x, {t}, {names}), "
        f"(x TIMESTAMPTZ) AS ora_tstz_format_nls(x, {tz}, {names}), "
        "(x BIGINT) AS CAST(x AS VARCHAR), "
        f"(x) AS replace(ora_num_text(CAST(x AS VARCHAR)), '.', {dec})",
        "ora_to_char(x VARCHAR, f VARCHAR) AS x, "
        f"(x {udf.WIDE_NANOS_TYPE}, f VARCHAR) AS "
        f"ora_ns_format_nls(x.{udf.WIDE_NANOS_FIELD}, f, {names}), "
        f"(x TIMESTAMP, f VARCHAR) AS ora_dt_format_us_nls(x, f, {names}), "
        f"(x TIMESTAMP_NS, f VARCHAR) AS ora_dt_format_nls(x, f, {names}), "
        f"(x TIMESTAMPTZ, f VARCHAR) AS ora_tstz_format_nls(x, f, {names}), "
        f"(x, f) AS ora_num_format_nls(CAST(x AS VARCHAR), f, {numeric})",
        f"ora_to_number(s VARCHAR) AS ora_parse_number_nls(s, 'TM9', {numeric}), "
        f"(s) AS CAST(s AS {NUMBER_TYPE}), "
        f"(s, f) AS ora_parse_number_nls(s, f, {numeric})",
        # CAST(text AS NUMBER / BINARY_DOUBLE): the text read with the decimal character
        f"ora_cast_number(x VARCHAR) AS ora_parse_number_nls(x, 'TM9', {numeric}), (x) AS x",
        # the same as the exact text of the value (a top-level select item: exact_numbers)
        f"ora_to_number_text(s VARCHAR) AS ora_parse_number_text_nls(s, 'TM9', {numeric}), "
        "(s) AS CAST(s AS VARCHAR), "
        f"(s, f) AS ora_parse_number_text_nls(s, f, {numeric})",
        f"ora_cast_number_text(x VARCHAR) AS ora_parse_number_text_nls(x, 'TM9', {numeric}), "
        "(x) AS CAST(x AS VARCHAR)",
        f"ora_cast_date(x VARCHAR) AS ora_parse_date_nls(x, {d}, {names}), "
        "(x) AS date_trunc('second', CAST(x AS TIMESTAMP))",
        f"ora_cast_timestamp(x VARCHAR, p) AS "
        f"ora_round_ns(ora_parse_timestamp_nls(x, {t}, {names}), p), "
        "(x, p) AS ora_round_ns(CAST(x AS TIMESTAMP_NS), p)",
        f"ora_to_date(x) AS ora_parse_date_nls(x, {d}, {names}), "
        f"(x, f) AS ora_parse_date_nls(x, f, {names})",
        f"ora_to_timestamp(x) AS ora_parse_timestamp_nls(x, {t}, {names}), "
        f"(x, f) AS ora_parse_timestamp_nls(x, f, {names})",
        f"ora_to_timestamp_tz(x) AS ora_parse_timestamp_tz_nls(x, {tz}, {names}), "
        f"(x, f) AS ora_parse_timestamp_tz_nls(x, f, {names})",
        # text written to a datetime column: read with the session's format for its type
        # (a TIMESTAMP bind with nanoseconds arrives as text in the form binds.oracle_value
        # gives it, which is a typed value, not text to read with a format)
        f"ora_text_to_date(x VARCHAR) AS CASE WHEN {_NANO_BIND} THEN CAST(x AS TIMESTAMP_NS) "
        f"ELSE ora_parse_date_nls(x, {d}, {names}) END, (x) AS x",
        f"ora_text_to_timestamp(x VARCHAR) AS CASE WHEN {_NANO_BIND} THEN "
        f"CAST(x AS TIMESTAMP_NS) ELSE ora_parse_timestamp_nls(x, {t}, {names}) END, (x) AS x",
        f"ora_text_to_timestamp_tz(x VARCHAR) AS CASE WHEN {_NANO_BIND} THEN "
        f"CAST(x AS TIMESTAMPTZ) ELSE ora_parse_timestamp_tz_nls(x, {tz}, {names}) END, (x) AS x",
        # a value written to a TIMESTAMP WITH TIME ZONE column, as the text it is stored as:
        # a zoned literal keeps its zone, text the zone it names, the rest the session's
        f"{zoned.STORE_MACRO}(x {zoned.ZONED_TYPE}, p INTEGER) AS "
        "ora_zoned_text_nls(x.ora_instant, x.ora_zone, p), "
        f"(x VARCHAR, p INTEGER) AS CASE WHEN {_NANO_BIND} THEN "
        f"ora_zoned_text_nls(timezone({session_zone}, CAST(x AS TIMESTAMP)), {session}, p) "
        f"ELSE ora_zoned_text_nls(ora_parse_timestamp_tz_nls(x, {tz}, {names}), "
        f"coalesce(ora_parsed_zone_nls(x, {tz}, {names}), {session}), p) END, "
        f"(x TIMESTAMPTZ, p INTEGER) AS ora_zoned_text_nls(x, {session}, p), "
        f"(x, p) AS ora_zoned_text_nls(timezone({session_zone}, CAST(x AS TIMESTAMP)), "
        f"{session}, p)",
        f"{zoned.TO_CHAR_MACRO}(x VARCHAR) AS ora_zoned_format_nls(x, {tz}, {names}), "
        f"(x VARCHAR, f VARCHAR) AS ora_zoned_format_nls(x, f, {names})",
        # time zones: the session's (LOCALTIMESTAMP, CURRENT_DATE) and the server's (SYSDATE)
        f"ora_sessiontimezone() AS {q(nls.time_zone)}",
        f"ora_dbtimezone() AS {q(nls.db_time_zone)}",
        f"ora_localtimestamp() AS CAST(timezone({session_zone}, current_timestamp) "
        "AS TIMESTAMP_NS)",
        f"ora_current_date() AS CAST(date_trunc('second', timezone({session_zone}, "
        "current_timestamp)) AS TIMESTAMP)",
        f"ora_sysdate() AS CAST(date_trunc('second', timezone({db_zone}, current_timestamp)) "
        "AS TIMESTAMP)",
        f"ora_sortkey(x VARCHAR) AS {_sort_key(nls.sort)}, (x) AS x",
    ]


def _sort_key(sort: str) -> str:
    """The collated expression NLS_SORT ``sort`` orders character values by."""
    base, suffix = (sort[:-3], sort[-2:]) if sort.endswith(("_CI", "_AI")) else (sort, "")
    value = "x"
    if suffix in ("CI", "AI"):
        value = "lower(x)"
    if suffix == "AI":
        value = "strip_accents(lower(x))"
    collation = _COLLATIONS.get(base)
    return f"{value} COLLATE {collation}" if collation else value


def install(
    cursor: Any, nls: NlsSettings, previous: NlsSettings | None = None, *, udfs: bool = True
) -> None:
    """Give one cursor the NLS functions and the session's macros; after ALTER SESSION
    (``previous`` given) only the macros whose text changed are made again. ``udfs``: also
    make the NLS UDFs missing from the database (see ``functions.install_functions``)."""
    if previous is not None:
        before = set(macros(previous))
        create_macros(cursor, [macro for macro in macros(nls) if macro not in before])
        return
    if not udfs:
        create_macros(cursor, macros(nls))
        return
    existing = {
        row[0]
        for row in cursor.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'ora_%_nls'"
        ).fetchall()
    }
    for name, function, parameters, returns in _UDFS:
        if name not in existing:
            cursor.create_function(
                name,
                function,
                parameters,
                returns,
                type=duckdb_func.ARROW,
                null_handling=duckdb_func.SPECIAL,
            )
    create_macros(cursor, macros(nls))
