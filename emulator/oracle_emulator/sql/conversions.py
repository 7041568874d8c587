"""SQL that turns a value into what a column stores (on write) or what a query gets (on read).

Write conversions apply Oracle's rules that DuckDB does not know: text written to a DATE or
TIMESTAMP column is read with the session's NLS format (as Oracle's implicit conversion
does), '' is NULL for every character type, CHAR is blank-padded, lengths are checked
(ORA-12899), NUMBER(p,s) rounds to its scale, DATE drops fractional seconds, TIMESTAMP(n)
rounds to n digits. They are applied
to plain column references of a derived table, so the source expression is evaluated once.
Errors are raised from inside DuckDB with ``error('ORA-NNNNN: ...')``, which
:mod:`.errors` turns back into :class:`OracleError`.

Read wrappers are applied to plain column references in the outermost select list only:
DuckDB's Python conversion turns month intervals into approximate timedeltas, and the exact
twin (NUMBER text, TIMESTAMP(7-9) nanoseconds) must replace the view queries compute with.
"""

from __future__ import annotations

from oracle_emulator.api import OracleType
from oracle_emulator.sql import zoned
from oracle_emulator.sql.oratypes import (
    BIGINT_MAX_PRECISION,
    MICRO_DIGITS,
    NANO_DIGITS,
    DeclaredType,
    sql_string,
)
from oracle_emulator.sql.rowid_sql import CHARTOROWID_MACRO

ORA_INVALID_NUMBER = "ORA-01722: invalid number"
ORA_NUMERIC_OVERFLOW = "ORA-01426: numeric overflow"
#: read wrappers tag the value so the result layer knows how to turn it into Python
READ_NANOS = "nanos"
READ_MONTHS = "months"
READ_EXACT = "exact"
#: a TIMESTAMP WITH TIME ZONE column: its stored text, wall clock and offset
READ_ZONED = "zoned"


def write_sql(decl: DeclaredType, value: str, label: str) -> str:
    """SQL converting ``value`` (a column reference) to the storage form of ``decl``.

    ``label`` is the quoted ``"OWNER"."TABLE"."COLUMN"`` used in error messages.
    """
    kind = decl.kind
    if kind is OracleType.NUMBER:
        return _number(decl, value)
    if kind in (OracleType.BINARY_FLOAT, OracleType.BINARY_DOUBLE):
        return f"CAST({value} AS {decl.storage_sql()})"
    if kind in (OracleType.VARCHAR2, OracleType.NVARCHAR2, OracleType.CHAR, OracleType.NCHAR):
        return _bounded_text(decl, value, label)
    if kind in (OracleType.CLOB, OracleType.NCLOB):
        # an empty LOB (a bound empty LOB locator) is a value, not NULL, as in Oracle; an
        # empty character string never gets here (it is NULL already)
        return f"CAST({value} AS VARCHAR)"
    if kind.is_character:
        return f"NULLIF(CAST({value} AS VARCHAR), '')"
    if kind is OracleType.DATE:
        return f"date_trunc('second', CAST(ora_text_to_date({value}) AS TIMESTAMP))"
    if kind is OracleType.TIMESTAMP:
        return _timestamp(decl, f"ora_text_to_timestamp({value})")
    if kind is OracleType.TIMESTAMP_TZ:
        digits = decl.scale if decl.scale is not None else MICRO_DIGITS
        return f"{zoned.STORE_MACRO}({value}, {min(digits, MICRO_DIGITS)})"
    if kind is OracleType.TIMESTAMP_LTZ:
        return _timestamp(decl, f"ora_text_to_timestamp_tz({value})")
    if kind is OracleType.INTERVAL_DS:
        return f"CAST({value} AS INTERVAL)"
    if kind is OracleType.INTERVAL_YM:
        cast = f"CAST({value} AS INTERVAL)"
        return (
            f"to_months(CAST(datepart('year', {cast}) * 12 + datepart('month', {cast}) AS INTEGER))"
        )
    if kind in (OracleType.RAW, OracleType.BLOB):
        return _binary(decl, value, label)
    if kind is OracleType.LONG_RAW:  # no length limit but RAW's: empty is NULL
        return f"NULLIF(CAST({value} AS BLOB), ''::BLOB)"
    if kind is OracleType.ROWID:
        return _rowid(value)
    return f"CAST({value} AS {decl.storage_sql()})"


def _rowid(value: str) -> str:
    """Only character data converts to a ROWID (a number or a date is ORA-00932), and the
    text must be one (ORA-01410), as Oracle checks on write. (A NULL has no type to refuse
    here: the driver binds None as VARCHAR.)"""
    kind = f"typeof({value})"
    message = (
        "'ORA-00932: inconsistent datatypes: expected ROWID got ' || "
        f"CASE WHEN {kind} LIKE 'TIMESTAMP%' OR {kind} = 'DATE' THEN 'DATE' "
        f"WHEN {kind} = 'BLOB' THEN 'BINARY' ELSE 'NUMBER' END"
    )
    return (
        f"CASE WHEN {value} IS NULL THEN NULL WHEN {kind} <> 'VARCHAR' THEN error({message}) "
        f"ELSE {CHARTOROWID_MACRO}(CAST({value} AS VARCHAR)) END"
    )


def _number(decl: DeclaredType, value: str) -> str:
    if decl.exact_text:
        text = f"trim(CAST({value} AS VARCHAR))"
        return (
            f"CASE WHEN {text} IS NULL OR {text} = '' THEN NULL "
            f"WHEN TRY_CAST({text} AS DOUBLE) IS NULL THEN error({sql_string(ORA_INVALID_NUMBER)}) "
            f"WHEN abs(TRY_CAST({text} AS DOUBLE)) >= 1e126 "
            f"THEN error({sql_string(ORA_NUMERIC_OVERFLOW)}) "
            f"ELSE {text} END"
        )
    width, scale = decl._decimal_shape()
    declared_scale = decl.scale or 0
    if declared_scale < 0:
        rounded = f"round(CAST({value} AS DECIMAL(38,0)), {declared_scale})"
        decimal = f"CAST({rounded} AS DECIMAL({width},0))"
    else:
        decimal = f"CAST({value} AS DECIMAL({width},{scale}))"
    if scale == 0 and width <= BIGINT_MAX_PRECISION:
        return f"CAST({decimal} AS BIGINT)"
    return decimal


def _bounded_text(decl: DeclaredType, value: str, label: str) -> str:
    text = f"CAST({value} AS VARCHAR)"
    counts_chars = decl.char_semantics or decl.kind.is_national
    length = f"length({text})" if counts_chars else f"strlen({text})"
    message = (
        f"'ORA-12899: value too large for column {label.replace(chr(39), chr(39) * 2)} "
        f"(actual: ' || {length} || ', maximum: {decl.size})'"
    )
    kept = text
    if decl.kind in (OracleType.CHAR, OracleType.NCHAR):
        kept = f"rpad({text}, {decl.size}, ' ')"
    return (
        f"CASE WHEN {text} IS NULL OR {text} = '' THEN NULL "
        f"WHEN {length} > {decl.size} THEN error({message}) ELSE {kept} END"
    )


def _timestamp(decl: DeclaredType, value: str) -> str:
    digits = decl.scale if decl.scale is not None else MICRO_DIGITS
    if decl.kind is not OracleType.TIMESTAMP:
        cast = f"CAST({value} AS TIMESTAMPTZ)"
        if digits >= MICRO_DIGITS:
            return cast
        step = 10 ** (MICRO_DIGITS - digits)
        rounded = f"make_timestamp(CAST(round(epoch_us({cast}) / {step}) AS BIGINT) * {step})"
        return f"CAST({rounded} AS TIMESTAMPTZ)"
    if digits > MICRO_DIGITS:
        nanos = f"ora_epoch_ns({value})"
        if digits == NANO_DIGITS:
            return nanos
        step = 10 ** (NANO_DIGITS - digits)
        return f"({nanos} + {step // 2}) // {step} * {step}"
    cast = f"CAST({value} AS TIMESTAMP)"
    if digits == MICRO_DIGITS:
        return cast
    step = 10 ** (MICRO_DIGITS - digits)
    return f"make_timestamp(CAST(round(epoch_us({cast}) / {step}) AS BIGINT) * {step})"


def _binary(decl: DeclaredType, value: str, label: str) -> str:
    data = f"CAST({value} AS BLOB)"
    if decl.kind is OracleType.BLOB:
        return data  # an empty BLOB is a value, as in Oracle
    message = (
        f"'ORA-12899: value too large for column {label.replace(chr(39), chr(39) * 2)} "
        f"(actual: ' || octet_length({data}) || ', maximum: {decl.size})'"
    )
    return (
        f"CASE WHEN {data} IS NULL OR octet_length({data}) = 0 THEN NULL "
        f"WHEN octet_length({data}) > {decl.size} THEN error({message}) ELSE {data} END"
    )


def read_kind(decl: DeclaredType) -> str | None:
    """Which read wrapper a plain reference to a column of this type needs, if any."""
    if decl.exact_text:
        return READ_EXACT
    if decl.nanoseconds:
        return READ_NANOS
    if decl.zoned:
        return READ_ZONED
    if decl.kind is OracleType.INTERVAL_YM:
        return READ_MONTHS
    return None


def read_sql(kind: str, value: str) -> str:
    """Wrap a column reference for fetching (``READ_EXACT`` references the text column)."""
    if kind == READ_NANOS:
        return value  # stored as the count of nanoseconds
    if kind == READ_MONTHS:
        return f"CAST(datepart('year', {value}) * 12 + datepart('month', {value}) AS INTEGER)"
    return value
