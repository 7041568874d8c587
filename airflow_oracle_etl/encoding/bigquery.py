"""BigQuery column types for Oracle columns, and the JSON schema file written with the data.

BigQuery's limits decide the numeric types (checked in its documentation):

- INT64: 64-bit; NUMBER(p,0) with p <= 18 always fits (19 digits may not).
- NUMERIC: 38 digits, 9 of them after the point: at most 29 integer digits, scale <= 9.
- BIGNUMERIC: 76.76 digits, 38 after the point: at most 38 whole integer digits, scale <= 38.

So NUMBER(p,s) is NUMERIC when s <= 9 and p - s <= 29 (NUMBER(38,9) included), else
BIGNUMERIC when s <= 38 and p - s <= 38, else STRING (the JSON keeps the exact text either way;
a STRING column loads every value instead of failing the load job). NUMBER without precision
(and INTEGER, which is NUMBER(*,0)) is BIGNUMERIC: its values usually fit, but Oracle allows
up to 1E125 and down to 1E-130, which BigQuery rejects or rounds; override such a column to
``string`` if it holds them.

Timestamps with more than six fractional digits become STRING: BigQuery's DATETIME and
TIMESTAMP keep microseconds only, and the nanoseconds must not be lost silently. The JSON text
is the same ISO form, so ``PARSE_DATETIME`` or a schema change brings them back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from airflow_oracle_etl.encoding.columns import ColumnEncoding

INT64 = "INT64"
NUMERIC = "NUMERIC"
BIGNUMERIC = "BIGNUMERIC"
FLOAT64 = "FLOAT64"
STRING = "STRING"
BYTES = "BYTES"
BOOL = "BOOL"
DATETIME = "DATETIME"
TIMESTAMP = "TIMESTAMP"

REQUIRED = "REQUIRED"
NULLABLE = "NULLABLE"

#: NUMBER(p,0) up to this precision is an integer that fits INT64
INT64_MAX_DIGITS = 18
NUMERIC_MAX_SCALE = 9
NUMERIC_MAX_INTEGER_DIGITS = 29
BIGNUMERIC_MAX_SCALE = 38
BIGNUMERIC_MAX_INTEGER_DIGITS = 38
#: BigQuery's microseconds: more fractional digits than this do not fit DATETIME/TIMESTAMP
MAX_DATETIME_DIGITS = 6
#: BigQuery rejects longer column descriptions
MAX_DESCRIPTION_CHARS = 1024


def is_int64_number(precision: int | None, scale: int | None) -> bool:
    """Whether NUMBER(precision, scale) holds only integers that fit INT64 (a negative scale
    rounds to tens, hundreds...: NUMBER(10,-2) has 12 integer digits)."""
    if precision is None:
        return False
    scale = scale or 0
    return scale <= 0 and precision - scale <= INT64_MAX_DIGITS


def decimal_type(precision: int | None, scale: int | None) -> str:
    """NUMERIC, BIGNUMERIC or STRING for a decimal NUMBER(precision, scale)."""
    if precision is None:
        return BIGNUMERIC
    scale = scale or 0
    integer_digits = precision - scale
    if scale <= NUMERIC_MAX_SCALE and integer_digits <= NUMERIC_MAX_INTEGER_DIGITS:
        return NUMERIC
    if scale <= BIGNUMERIC_MAX_SCALE and integer_digits <= BIGNUMERIC_MAX_INTEGER_DIGITS:
        return BIGNUMERIC
    return STRING


def datetime_type(fraction_digits: int | None, fits: str) -> str:
    """``fits`` (DATETIME or TIMESTAMP) when BigQuery keeps every fractional digit, else
    STRING."""
    if fraction_digits is not None and fraction_digits > MAX_DATETIME_DIGITS:
        return STRING
    return fits


def schema_fields(encodings: Iterable[ColumnEncoding]) -> list[dict[str, Any]]:
    """The BigQuery JSON schema (``bq load --schema``, ``schema.fields`` of the REST API)."""
    fields: list[dict[str, Any]] = []
    for encoding in encodings:
        field: dict[str, Any] = {
            "name": encoding.name,
            "type": encoding.bigquery_type,
            "mode": REQUIRED if encoding.required else NULLABLE,
        }
        if encoding.description:
            field["description"] = encoding.description[:MAX_DESCRIPTION_CHARS]
        fields.append(field)
    return fields
