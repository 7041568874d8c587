"""Oracle column -> :class:`ColumnEncoding`: the type contract as one pure function.

:func:`encode_column` looks the column's base type up (``TIMESTAMP(6) WITH TIME ZONE`` ->
``TIMESTAMP WITH TIME ZONE``: sizes stripped, so no prefix match can take a zoned timestamp
for a plain one or FLOAT for NUMBER), then applies a user override if there is one. A type it
does not know becomes text rather than an error.

What goes where, and why:

- SQL does what the driver would lose: TIMESTAMP(7-9) and INTERVAL DAY TO SECOND(7-9) as text
  (the driver keeps microseconds), zoned timestamps as UTC text with a ``Z`` (the thin driver
  drops the zone), RTRIM of CHAR on request, and the text of dates and timestamps before the
  year 1, which the driver cannot build (:mod:`.early`).
- The fetch mode does what the driver can do in C at no cost per value: NUMBER as its exact
  decimal text (never a float), CLOB/BLOB inline as str/bytes.
- Converters (Python, once per non-NULL value, only in the columns that need them): NaN and
  infinities, intervals as ISO 8601 text.
- Everything else is the driver's own value, written by msgspec: int, float, str, naive
  datetime ("2024-02-29T23:59:59.123456"), bytes (base64).

FLOAT(b) is written as its exact decimal text, like NUMBER, although its BigQuery type is
FLOAT64: it is an Oracle NUMBER underneath (up to 38 digits), the file stays exact, and
BigQuery reads a quoted number into FLOAT64. BINARY_FLOAT is written as the shortest text of
the double holding its 32-bit value (0.1f -> 0.10000000149011612): exact, and what FLOAT64
will hold.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from airflow_oracle_etl.encoding import bigquery as bq
from airflow_oracle_etl.encoding.columns import (
    COLUMN_PLACEHOLDER,
    ColumnEncoding,
    FetchMode,
    JsonKind,
)
from airflow_oracle_etl.encoding.converters import (
    IntegerRequired,
    float_as_text,
    float_or_name,
    interval_ds_text_to_iso,
    interval_ds_to_iso,
    interval_ym_to_iso,
    value_as_text,
)
from airflow_oracle_etl.encoding.early import signed_text_to_iso
from airflow_oracle_etl.encoding.errors import EncodingError
from airflow_oracle_etl.metadata import OracleColumn

if TYPE_CHECKING:
    from typing_extensions import Unpack  # in typing from Python 3.11; 3.10 is supported

#: fractional-second digits the driver's datetime and timedelta keep
DRIVER_FRACTION_DIGITS = 6
#: Oracle's default fractional-second precision (TIMESTAMP, INTERVAL ... SECOND)
DEFAULT_FRACTION_DIGITS = 6
#: Oracle format model of the date and time part of an ISO 8601 text
ISO_DATETIME_MODEL = 'YYYY-MM-DD"T"HH24:MI:SS'
#: the UTC designator appended to zoned timestamps
UTC_SUFFIX = '"Z"'

_SECOND_DIGITS = re.compile(r"SECOND\s*\(\s*(\d+)\s*\)")

#: Oracle types whose values are NUMBERs (the only ones integer/decimal overrides accept)
_ORACLE_NUMBERS = frozenset({"NUMBER", "FLOAT"})
_BINARY_FLOATS = frozenset({"BINARY_FLOAT", "BINARY_DOUBLE"})
_OVERRIDE_KINDS = (JsonKind.STRING, JsonKind.INTEGER, JsonKind.DECIMAL, JsonKind.FLOAT)


def iso_model(fraction_digits: int, suffix: str = "", *, signed: bool = False) -> str:
    """The TO_CHAR model of ISO 8601 text with ``fraction_digits`` digits after the point
    (none for 0) and an optional quoted suffix such as ``"Z"``; ``signed`` puts the sign
    before the year (SYYYY: a blank for AD, see :mod:`.early`)."""
    fraction = f".FF{fraction_digits}" if fraction_digits else ""
    model = f"{ISO_DATETIME_MODEL}{fraction}{suffix}"
    return f"S{model}" if signed else model


def iso_text_sql(fraction_digits: int, suffix: str = "", value: str = COLUMN_PLACEHOLDER) -> str:
    """TO_CHAR template writing the timestamp ``value`` as signed ISO 8601 text (the
    converter :func:`~.early.signed_text_to_iso` finishes it)."""
    return f"TO_CHAR({value}, '{iso_model(fraction_digits, suffix, signed=True)}')"


class _How(TypedDict, total=False):
    """The :class:`ColumnEncoding` fields a type's encoding sets beyond the column's own."""

    sql: str
    fetch: FetchMode
    converter: Callable[[Any], Any] | None


def _encoding(
    column: OracleColumn, kind: JsonKind, bigquery_type: str, **how: Unpack[_How]
) -> ColumnEncoding:
    return ColumnEncoding(
        name=column.name,
        oracle_type=column.data_type,
        kind=kind,
        bigquery_type=bigquery_type,
        required=not column.nullable,
        description=column.comment,
        **how,
    )


def _second_digits(column: OracleColumn) -> int:
    match = _SECOND_DIGITS.search(column.data_type.upper())
    if match:
        return int(match.group(1))
    return column.scale if column.scale is not None else DEFAULT_FRACTION_DIGITS


def _number(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    if bq.is_int64_number(column.precision, column.scale):
        # the driver's default for scale 0 is int; a negative scale needs asking for it
        fetch = FetchMode.DEFAULT if not column.scale else FetchMode.INTEGER
        return _encoding(column, JsonKind.INTEGER, bq.INT64, fetch=fetch)
    bigquery_type = bq.decimal_type(column.precision, column.scale)
    return _encoding(column, JsonKind.DECIMAL, bigquery_type, fetch=FetchMode.TEXT)


def _oracle_float(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.DECIMAL, bq.FLOAT64, fetch=FetchMode.TEXT)


def _binary_float(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.FLOAT, bq.FLOAT64, converter=float_or_name)


def _text(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.STRING, bq.STRING)


def _fixed_text(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    if not trim_char:
        return _text(column, trim_char)
    # RTRIM of an all-blank value is '' which Oracle makes NULL: never REQUIRED
    trimmed = _encoding(column, JsonKind.STRING, bq.STRING, sql=f"RTRIM({COLUMN_PLACEHOLDER})")
    return dataclasses.replace(trimmed, required=False)


def _clob(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.STRING, bq.STRING, fetch=FetchMode.LONG)


def _blob(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.BYTES, bq.BYTES, fetch=FetchMode.LONG_RAW)


def _raw(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.BYTES, bq.BYTES)


def _boolean(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.BOOLEAN, bq.BOOL)


def _date(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    encoding = _encoding(column, JsonKind.DATETIME, bq.DATETIME)
    return dataclasses.replace(encoding, early_model=iso_model(0))


def _timestamp(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    digits = column.fractional_precision
    digits = DEFAULT_FRACTION_DIGITS if digits is None else digits
    bigquery_type = bq.datetime_type(digits, bq.DATETIME)
    if digits <= DRIVER_FRACTION_DIGITS:
        encoding = _encoding(column, JsonKind.DATETIME, bigquery_type)
        # the driver's datetime writes 6 digits when there is a fraction: so does the text
        early = iso_model(DRIVER_FRACTION_DIGITS if digits else 0)
        return dataclasses.replace(encoding, early_model=early)
    return _encoding(
        column,
        JsonKind.DATETIME,
        bigquery_type,
        sql=iso_text_sql(digits),
        converter=signed_text_to_iso,
    )


def _zoned_timestamp(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    digits = column.fractional_precision
    digits = DEFAULT_FRACTION_DIGITS if digits is None else digits
    utc = iso_text_sql(digits, UTC_SUFFIX, value=f"SYS_EXTRACT_UTC({COLUMN_PLACEHOLDER})")
    bigquery_type = bq.datetime_type(digits, bq.TIMESTAMP)
    return _encoding(
        column, JsonKind.TIMESTAMP, bigquery_type, sql=utc, converter=signed_text_to_iso
    )


def _interval_day_to_second(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    if _second_digits(column) <= DRIVER_FRACTION_DIGITS:
        return _encoding(column, JsonKind.INTERVAL, bq.STRING, converter=interval_ds_to_iso)
    return _encoding(
        column,
        JsonKind.INTERVAL,
        bq.STRING,
        sql=f"TO_CHAR({COLUMN_PLACEHOLDER})",
        converter=interval_ds_text_to_iso,
    )


def _interval_year_to_month(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    return _encoding(column, JsonKind.INTERVAL, bq.STRING, converter=interval_ym_to_iso)


def _unknown(column: OracleColumn, trim_char: bool) -> ColumnEncoding:
    encoding = _encoding(column, JsonKind.STRING, bq.STRING, converter=value_as_text)
    return dataclasses.replace(encoding, unknown=True)


#: Oracle base type (sizes stripped, upper case) -> its encoding
_BY_BASE_TYPE: dict[str, Callable[[OracleColumn, bool], ColumnEncoding]] = {
    "NUMBER": _number,
    "FLOAT": _oracle_float,
    "BINARY_FLOAT": _binary_float,
    "BINARY_DOUBLE": _binary_float,
    "VARCHAR2": _text,
    "VARCHAR": _text,
    "NVARCHAR2": _text,
    "LONG": _text,
    "CHAR": _fixed_text,
    "NCHAR": _fixed_text,
    "CLOB": _clob,
    "NCLOB": _clob,
    "BLOB": _blob,
    "RAW": _raw,
    "LONG RAW": _raw,
    "ROWID": _text,
    "UROWID": _text,
    "BOOLEAN": _boolean,
    "DATE": _date,
    "TIMESTAMP": _timestamp,
    "TIMESTAMP WITH TIME ZONE": _zoned_timestamp,
    "TIMESTAMP WITH LOCAL TIME ZONE": _zoned_timestamp,
    "INTERVAL DAY TO SECOND": _interval_day_to_second,
    "INTERVAL YEAR TO MONTH": _interval_year_to_month,
}

KNOWN_BASE_TYPES = frozenset(_BY_BASE_TYPE)


def encode_column(
    column: OracleColumn, *, trim_char: bool = False, override: JsonKind | str | None = None
) -> ColumnEncoding:
    """How ``column`` is selected, fetched, written and typed in BigQuery.

    :param trim_char: select CHAR/NCHAR through RTRIM (Oracle then returns NULL for an
        all-blank value)
    :param override: a :class:`JsonKind` (or its value) the user wants instead: ``string``
        for any column, ``integer``/``decimal`` for NUMBER and FLOAT, ``float`` for those and
        BINARY_FLOAT/DOUBLE
    """
    builder = _BY_BASE_TYPE.get(column.base_type.upper(), _unknown)
    natural = builder(column, trim_char)
    if override is None:
        return natural
    return _overridden(natural, column, _override_kind(column, override))


def _override_kind(column: OracleColumn, override: JsonKind | str) -> JsonKind:
    try:
        kind = JsonKind(override)
    except ValueError:
        kind = None
    if kind not in _OVERRIDE_KINDS:
        known = ", ".join(k.value for k in _OVERRIDE_KINDS)
        raise EncodingError(
            f"type override {override!r} of column {column.name!r} is not one of: {known}"
        )
    return kind


def _overridden(natural: ColumnEncoding, column: OracleColumn, kind: JsonKind) -> ColumnEncoding:
    base = column.base_type.upper()
    replace = dataclasses.replace
    if kind is JsonKind.STRING:
        if natural.kind in (JsonKind.INTEGER, JsonKind.DECIMAL):
            return replace(
                natural, kind=kind, bigquery_type=bq.STRING, fetch=FetchMode.TEXT, converter=None
            )
        if natural.kind in (JsonKind.FLOAT, JsonKind.BOOLEAN):
            text = float_as_text if natural.kind is JsonKind.FLOAT else value_as_text
            return replace(natural, kind=kind, bigquery_type=bq.STRING, converter=text)
        return replace(natural, kind=kind, bigquery_type=bq.STRING)  # already text in JSON
    if kind is JsonKind.FLOAT and base in _BINARY_FLOATS:
        return natural
    if base not in _ORACLE_NUMBERS:
        raise EncodingError(
            f"column {column.name!r} ({column.data_type}) cannot be overridden to "
            f"{kind.value!r}: only NUMBER and FLOAT columns can (any column can be 'string')"
        )
    if kind is JsonKind.INTEGER:
        return replace(
            natural,
            kind=kind,
            bigquery_type=bq.INT64,
            fetch=FetchMode.INTEGER,
            converter=IntegerRequired(column.name),
        )
    if kind is JsonKind.DECIMAL:
        bigquery_type = bq.decimal_type(column.precision, column.scale)
        if base == "FLOAT":  # FLOAT(b) has a binary precision: no decimal bound applies
            bigquery_type = bq.BIGNUMERIC
        return replace(
            natural, kind=kind, bigquery_type=bigquery_type, fetch=FetchMode.TEXT, converter=None
        )
    return replace(natural, kind=kind, bigquery_type=bq.FLOAT64, fetch=FetchMode.FLOAT)
