"""Register on a DuckDB connection the functions that translated Oracle SQL calls.

Most are SQL macros (expanded when a query is bound, so they cost nothing per row beyond the
expression they stand for). Where Oracle's semantics depend on an argument's type (``-`` on
two DATEs gives days, on numbers a number; ``TRUNC`` of a date
or of a number), the macro has typed overloads and DuckDB picks one by the argument types at
bind time, so the translator needs no type information. The type conventions this relies on,
which the engine's storage must follow:

- Oracle DATE is a DuckDB TIMESTAMP (microseconds, always whole seconds);
- Oracle TIMESTAMP(0-6) is TIMESTAMP; expressions with 7-9 fraction digits are TIMESTAMP_NS
  (1677-2262 only); TIMESTAMP WITH [LOCAL] TIME ZONE is TIMESTAMPTZ. Years before 1 are
  astronomical in DuckDB (0 is 1 BC) and Oracle's signed years in format models;
- Oracle NUMBER(p,s) is DECIMAL(p,s); where a scale must be chosen for a value whose scale
  Oracle lets float (division, TO_NUMBER, CAST AS NUMBER) it is :data:`NUMBER_TYPE`.

What DuckDB cannot do exactly is a Python UDF (:mod:`functions_udf`). The UDFs belong to
the database (every cursor of a connection sees them), the macros to one cursor: call
:func:`install_functions` on every cursor that runs translated SQL, with ``udfs=False`` once
a cursor of the same connection made the UDFs. Calling it again is harmless.
"""

from __future__ import annotations

import logging
import re

import duckdb
from duckdb import func as duckdb_func
from duckdb import sqltypes

from oracle_emulator.api import OracleError
from oracle_emulator.sql import functions_udf as udf
from oracle_emulator.sql import nls_functions, packages, zoned
from oracle_emulator.sql.macros import create_macros
from oracle_emulator.sql.nls import NlsSettings

log = logging.getLogger(__name__)

WIDE_NANOS_FIELD = udf.WIDE_NANOS_FIELD
WIDE_NANOS_TYPE = udf.WIDE_NANOS_TYPE
NUMBER_TYPE = f"DECIMAL({udf.NUMBER_PRECISION}, {udf.NUMBER_SCALE})"
_NUMBER = duckdb.decimal_type(udf.NUMBER_PRECISION, udf.NUMBER_SCALE)
_SCALE_UNIT = "0." + "0" * (udf.NUMBER_SCALE - 1) + "1"
_ORA_MESSAGE = re.compile(r"ORA-(\d{5}): ([^\n]*)")

_UDFS = (
    ("ora_div_exact", udf.div_exact, [sqltypes.VARCHAR, sqltypes.VARCHAR], _NUMBER),
    ("ora_num_text", udf.num_text, [sqltypes.VARCHAR], sqltypes.VARCHAR),
    ("ora_parse_double", udf.parse_binary_double, [sqltypes.VARCHAR], sqltypes.DOUBLE),
    ("ora_num_format", udf.num_format, [sqltypes.VARCHAR, sqltypes.VARCHAR], sqltypes.VARCHAR),
    ("ora_parse_number", udf.parse_number, [sqltypes.VARCHAR, sqltypes.VARCHAR], _NUMBER),
    ("ora_dt_format", udf.dt_format, [sqltypes.TIMESTAMP_NS, sqltypes.VARCHAR], sqltypes.VARCHAR),
    (
        "ora_dt_format_us",
        udf.dt_format_us,
        [sqltypes.TIMESTAMP, sqltypes.VARCHAR],
        sqltypes.VARCHAR,
    ),
    ("ora_ns_format", udf.ns_format, [sqltypes.HUGEINT, sqltypes.VARCHAR], sqltypes.VARCHAR),
    (
        "ora_tstz_format",
        udf.tstz_format,
        [sqltypes.TIMESTAMP_TZ, sqltypes.VARCHAR],
        sqltypes.VARCHAR,
    ),
    ("ora_parse_date", udf.parse_date, [sqltypes.VARCHAR, sqltypes.VARCHAR], sqltypes.TIMESTAMP),
    (
        "ora_parse_timestamp",
        udf.parse_timestamp,
        [sqltypes.VARCHAR, sqltypes.VARCHAR],
        sqltypes.TIMESTAMP_NS,
    ),
    (
        "ora_parse_timestamp_tz",
        udf.parse_timestamp_tz,
        [sqltypes.VARCHAR, sqltypes.VARCHAR],
        sqltypes.TIMESTAMP_TZ,
    ),
    (
        "ora_is_json",
        udf.is_json,
        [sqltypes.VARCHAR, sqltypes.BOOLEAN, sqltypes.BOOLEAN, sqltypes.BOOLEAN],
        sqltypes.BOOLEAN,
    ),
    (
        "ora_instr_udf",
        udf.instr,
        [sqltypes.VARCHAR, sqltypes.VARCHAR, sqltypes.BIGINT, sqltypes.BIGINT],
        sqltypes.BIGINT,
    ),
)

# Each entry is one CREATE MACRO with all its overloads (a later CREATE OR REPLACE of the same
# name would drop the others); later ones may call earlier ones, but not an overloaded one
# with an untyped parameter (DuckDB binds macro bodies when they are created). So string
# arguments arrive already converted: the translator wraps them in ora_str().
_MACROS = (
    # exact division of an integer by a constant, as NUMBER_TYPE (no UDF, no double)
    f"ora_div_int(x, d) AS CAST(CAST(x AS HUGEINT) * {10**udf.NUMBER_SCALE} // d AS "
    f"DECIMAL(38, 0)) * CAST({_SCALE_UNIT} AS {NUMBER_TYPE})",
    "ora_div(a, b) AS ora_div_exact(CAST(a AS VARCHAR), CAST(b AS VARCHAR))",
    "ora_days(n) AS to_microseconds(CAST(round(CAST(n AS DOUBLE) * 86400) AS BIGINT) * 1000000)",
    # Oracle date arithmetic: DATE +/- days = DATE; DATE - DATE = days; TIMESTAMP - TIMESTAMP
    # = interval; a TIMESTAMP (WITH TIME ZONE) +/- days is a DATE
    "ora_add(a TIMESTAMP, b DOUBLE) AS date_trunc('second', a) + ora_days(b), "
    "(a DOUBLE, b TIMESTAMP) AS date_trunc('second', b) + ora_days(a), "
    "(a TIMESTAMPTZ, b DOUBLE) AS date_trunc('second', CAST(a AS TIMESTAMP)) + ora_days(b), "
    "(a, b) AS a + b",
    "ora_sub(a TIMESTAMP, b TIMESTAMP) AS ora_div_int(epoch_us(a) - epoch_us(b), 86400000000), "
    "(a TIMESTAMP_NS, b TIMESTAMP_NS) AS a - b, "
    "(a TIMESTAMPTZ, b TIMESTAMPTZ) AS a - b, "
    "(a TIMESTAMP, b DOUBLE) AS date_trunc('second', a) - ora_days(b), "
    "(a TIMESTAMPTZ, b DOUBLE) AS date_trunc('second', CAST(a AS TIMESTAMP)) - ora_days(b), "
    "(a, b) AS a - b",
    # a difference of two datetimes not both DATE (chosen from their declared types, see
    # datetime_types): an INTERVAL DAY TO SECOND, as Oracle gives
    "ora_ts_diff(a TIMESTAMP, b TIMESTAMP) AS a - b, "
    "(a TIMESTAMP_NS, b TIMESTAMP_NS) AS a - b, "
    "(a TIMESTAMPTZ, b TIMESTAMPTZ) AS a - b, "
    "(a, b) AS a - b",
    # a TIMESTAMP(7-9) column's stored form: nanoseconds since 1970 as a HUGEINT (any year)
    f"ora_epoch_ns(x {WIDE_NANOS_TYPE}) AS x.{WIDE_NANOS_FIELD}, "
    "(x HUGEINT) AS x, (x TIMESTAMP_NS) AS CAST(epoch_ns(x) AS HUGEINT), "
    "(x TIMESTAMP) AS CAST(epoch_us(x) AS HUGEINT) * 1000, "
    "(x TIMESTAMPTZ) AS CAST(epoch_us(x) AS HUGEINT) * 1000, "
    "(x) AS CAST(epoch_ns(CAST(x AS TIMESTAMP_NS)) AS HUGEINT)",
    "ora_round_ns(t, p) AS CASE WHEN p >= 9 THEN t ELSE make_timestamp_ns("
    "(epoch_ns(t) + 5 * CAST(pow(10, 8 - p) AS BIGINT)) // CAST(pow(10, 9 - p) AS BIGINT)"
    " * CAST(pow(10, 9 - p) AS BIGINT)) END",
    # TO_BINARY_DOUBLE / TO_BINARY_FLOAT: text is parsed as Oracle reads it ('NaN', 'INF'...)
    "ora_to_binary_double(x VARCHAR) AS ora_parse_double(x), (x) AS CAST(x AS DOUBLE)",
    "ora_to_binary_float(x VARCHAR) AS CAST(ora_parse_double(x) AS FLOAT), (x) AS CAST(x AS FLOAT)",
    # TO_BLOB: RAW is BLOB already; text is taken as hexadecimal digits, as Oracle converts
    # text to RAW
    "ora_to_blob(x VARCHAR) AS unhex(x), (x) AS CAST(x AS BLOB)",
    zoned.WALL_CLOCK_MACRO_SQL,
    # EMPTY_CLOB() / EMPTY_BLOB(): a LOB of length zero, a value (unlike the empty string)
    "ora_empty_clob() AS CAST('' AS VARCHAR)",
    "ora_empty_blob() AS CAST('' AS BLOB)",
    # strings: Oracle has no empty string (it is NULL)
    "ora_substr(s, p) AS CASE WHEN p < 0 AND -p > length(s) THEN NULL ELSE "
    "nullif(substring(s, CAST(CASE WHEN p = 0 THEN 1 ELSE trunc(p) END AS BIGINT)), '')"
    " END, "
    "(s, p, l) AS CASE WHEN l < 1 OR (p < 0 AND -p > length(s)) THEN NULL ELSE "
    "nullif(substring(s, CAST(CASE WHEN p = 0 THEN 1 ELSE trunc(p) END AS BIGINT), "
    "CAST(trunc(l) AS BIGINT)), '') END",
    "ora_instr(s, x) AS instr(s, x), "
    "(s, x, p) AS ora_instr_udf(s, x, CAST(trunc(p) AS BIGINT), 1), "
    "(s, x, p, o) AS ora_instr_udf(s, x, CAST(trunc(p) AS BIGINT), "
    "CAST(trunc(o) AS BIGINT))",
    "ora_length(s) AS length(s)",
    # RAW <-> hexadecimal text (Oracle's RAW is DuckDB's BLOB)
    "hextoraw(s) AS unhex(s)",
    "rawtohex(b) AS upper(hex(b))",
    "ora_lpad(s, n) AS CASE WHEN n < 1 THEN NULL ELSE "
    "nullif(lpad(s, CAST(trunc(n) AS INTEGER), ' '), '') END, "
    "(s, n, p) AS CASE WHEN n < 1 THEN NULL ELSE "
    "nullif(lpad(s, CAST(trunc(n) AS INTEGER), p), '') END",
    "ora_rpad(s, n) AS CASE WHEN n < 1 THEN NULL ELSE "
    "nullif(rpad(s, CAST(trunc(n) AS INTEGER), ' '), '') END, "
    "(s, n, p) AS CASE WHEN n < 1 THEN NULL ELSE "
    "nullif(rpad(s, CAST(trunc(n) AS INTEGER), p), '') END",
    "ora_replace(s, a) AS nullif(CASE WHEN a IS NULL THEN s "
    "ELSE replace(s, a, '') END, ''), "
    "(s, a, b) AS nullif(CASE WHEN a IS NULL THEN s "
    "ELSE replace(s, a, coalesce(b, '')) END, '')",
    # numbers
    "ora_mod(a, b) AS CASE WHEN b = 0 THEN a ELSE a % b END",
    "ora_hash(a) AS CASE WHEN a IS NULL THEN 0 ELSE "
    "CAST(hash(a, CAST(0 AS UBIGINT)) % 4294967296 AS BIGINT) END, "
    "(a, m) AS CASE WHEN a IS NULL THEN 0 ELSE "
    "CAST(hash(a, CAST(0 AS UBIGINT)) % (CAST(m AS UBIGINT) + 1) AS BIGINT) END, "
    "(a, m, s) AS CASE WHEN a IS NULL THEN 0 ELSE "
    "CAST(hash(a, CAST(s AS UBIGINT)) % (CAST(m AS UBIGINT) + 1) AS BIGINT) END",
    # dates
    "ora_trunc_date(a, f) AS CASE "
    "WHEN f IN ('DD', 'DDD', 'J') THEN date_trunc('day', a) "
    "WHEN f IN ('MM', 'MON', 'MONTH', 'RM') THEN date_trunc('month', a) "
    "WHEN f IN ('YYYY', 'SYYYY', 'YEAR', 'SYEAR', 'YYY', 'YY', 'Y') THEN date_trunc('year', a) "
    "WHEN f IN ('IYYY', 'IYY', 'IY', 'I') THEN date_trunc('week', "
    "make_timestamp(isoyear(a), 1, 4, 0, 0, 0)) "
    "WHEN f = 'Q' THEN date_trunc('quarter', a) "
    "WHEN f = 'IW' THEN date_trunc('week', a) "
    "WHEN f = 'WW' THEN date_trunc('day', a) - to_days(CAST((dayofyear(a) - 1) % 7 AS INTEGER)) "
    "WHEN f = 'W' THEN date_trunc('day', a) - to_days(CAST((day(a) - 1) % 7 AS INTEGER)) "
    "WHEN f IN ('DAY', 'DY', 'D') THEN date_trunc('day', a) "
    "- to_days(CAST(dayofweek(a) AS INTEGER)) "
    "WHEN f IN ('HH', 'HH12', 'HH24') THEN date_trunc('hour', a) "
    "WHEN f = 'MI' THEN date_trunc('minute', a) "
    "WHEN f IN ('CC', 'SCC') THEN make_timestamp((year(a) - 1) // 100 * 100 + 1, 1, 1, 0, 0, 0) "
    "ELSE error('ORA-01821: date format not recognized') END",
    "ora_round_date(a, f) AS CASE "
    "WHEN f IN ('DD', 'DDD', 'J') THEN date_trunc('day', a + INTERVAL 12 HOUR) "
    "WHEN f IN ('HH', 'HH12', 'HH24') THEN date_trunc('hour', a + INTERVAL 30 MINUTE) "
    "WHEN f = 'MI' THEN date_trunc('minute', a + INTERVAL 30 SECOND) "
    "WHEN f IN ('MM', 'MON', 'MONTH', 'RM') THEN date_trunc('month', a) "
    "+ CASE WHEN day(a) >= 16 THEN INTERVAL 1 MONTH ELSE INTERVAL 0 MONTH END "
    "WHEN f IN ('YYYY', 'SYYYY', 'YEAR', 'SYEAR', 'YYY', 'YY', 'Y') THEN date_trunc('year', a) "
    "+ CASE WHEN month(a) >= 7 THEN INTERVAL 1 YEAR ELSE INTERVAL 0 YEAR END "
    "ELSE ora_trunc_date(a, f) END",
    "ora_trunc(a TIMESTAMP) AS date_trunc('day', a), "
    "(a TIMESTAMPTZ) AS date_trunc('day', CAST(a AS TIMESTAMP)), "
    "(a) AS trunc(a), "
    "(a TIMESTAMP, f VARCHAR) AS ora_trunc_date(a, upper(f)), "
    "(a TIMESTAMPTZ, f VARCHAR) AS ora_trunc_date(CAST(a AS TIMESTAMP), upper(f)), "
    "(a, n) AS trunc(a, CAST(n AS INTEGER))",
    "ora_round(a TIMESTAMP) AS date_trunc('day', a + INTERVAL 12 HOUR), "
    "(a TIMESTAMPTZ) AS date_trunc('day', CAST(a AS TIMESTAMP) + INTERVAL 12 HOUR), "
    "(a) AS round(a), "
    "(a TIMESTAMP, f VARCHAR) AS ora_round_date(a, upper(f)), "
    "(a TIMESTAMPTZ, f VARCHAR) AS ora_round_date(CAST(a AS TIMESTAMP), upper(f)), "
    "(a, n) AS round(a, CAST(n AS INTEGER))",
    "ora_add_months(d TIMESTAMP, n) AS CASE WHEN CAST(d AS DATE) = last_day(d) THEN "
    "CAST(last_day(d + to_months(CAST(trunc(n) AS INTEGER))) AS TIMESTAMP) "
    "+ (d - date_trunc('day', d)) "
    "ELSE d + to_months(CAST(trunc(n) AS INTEGER)) END",
    "ora_months_between(a TIMESTAMP, b TIMESTAMP) AS "
    f"CAST((year(a) - year(b)) * 12 + month(a) - month(b) AS {NUMBER_TYPE}) + CASE WHEN "
    "day(a) = day(b) OR (CAST(a AS DATE) = last_day(a) AND CAST(b AS DATE) = last_day(b)) "
    f"THEN CAST(0 AS {NUMBER_TYPE}) ELSE ora_div_int((day(a) - day(b)) * 86400000000 "
    "+ (epoch_us(a) - epoch_us(date_trunc('day', a))) "
    "- (epoch_us(b) - epoch_us(date_trunc('day', b))), 2678400000000) END",
    "ora_last_day(d TIMESTAMP) AS CAST(last_day(d) AS TIMESTAMP) + (d - date_trunc('day', d))",
    "ora_extract_second(x TIMESTAMP_NS) AS "
    "CAST(nanosecond(x) AS DECIMAL(38, 0)) * CAST(0.000000001 AS DECIMAL(38, 9)), "
    "(x) AS date_part('second', x)",
    # time zones: Oracle's '+hh:mi' offsets are ICU's 'GMT+hh:mi'
    "ora_tz_name(z) AS CASE WHEN regexp_full_match(z, '[+-][0-9]{1,2}:[0-9]{2}') "
    "THEN 'GMT' || z ELSE z END",
    "ora_from_tz(t, z) AS timezone(ora_tz_name(z), CAST(t AS TIMESTAMP))",
    # the emulator's TIMESTAMP WITH TIME ZONE has microseconds: so has its UTC value, which
    # then holds every Oracle year (TIMESTAMP_NS stops at 1677-2262)
    "ora_sys_extract_utc(t TIMESTAMPTZ) AS timezone('UTC', t), (t) AS CAST(t AS TIMESTAMP_NS)",
    "ora_at_time_zone(x TIMESTAMPTZ, z VARCHAR) AS timezone(ora_tz_name(z), x), "
    "(x, z) AS timezone(ora_tz_name(z), CAST(x AS TIMESTAMPTZ))",
)
#: every macro definition above (the translator reads which ones have typed overloads)
MACRO_DEFINITIONS = _MACROS


def install_functions(
    conn: duckdb.DuckDBPyConnection, nls: NlsSettings | None = None, *, udfs: bool = True
) -> None:
    """Register the UDFs and macros translated SQL uses; safe to call more than once.

    :param nls: the settings of the NLS-dependent macros (``ora_str``, ``ora_to_char``,
        ``ora_to_number``, ``ora_cast_date``...); default Oracle's.
    :param udfs: also make the UDFs missing from the database; False for a cursor of a
        connection another cursor already gave them (a session's: the engine's own cursor
        made them), which spares asking DuckDB's catalogue at every logon.
    """
    if udfs:
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'ora_%'"
            ).fetchall()
        }
        for name, function, parameters, return_type in _UDFS:
            if name in existing:
                continue
            conn.create_function(
                name,
                function,
                parameters,
                return_type,
                type=duckdb_func.ARROW,
                null_handling=duckdb_func.SPECIAL,
            )
    create_macros(conn, (*_MACROS, *packages.MACROS))
    nls_functions.install(conn, nls or NlsSettings(), udfs=udfs)
    log.debug("installed %d UDFs and %d macros", len(_UDFS), len(_MACROS))


def oracle_error_from_duckdb(error: BaseException) -> OracleError | None:
    """The Oracle error a UDF or macro raised inside a DuckDB exception, if any.

    UDFs raise :class:`OracleError` and macros call ``error('ORA-NNNNN: ...')``; DuckDB wraps
    both in its own exception whose text still holds ``ORA-NNNNN: message``.
    """
    match = _ORA_MESSAGE.search(str(error))
    if match is None:
        return None
    return OracleError(int(match.group(1)), match.group(2).strip())
