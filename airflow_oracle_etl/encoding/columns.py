"""How one column travels from Oracle to a JSON value: the record every other module reads.

A :class:`ColumnEncoding` is decided once per column (``mapping.py``) and then only read: the
SELECT list takes its SQL template, the output type handler its fetch mode and converter, the
BigQuery schema its type and mode. Nothing decides per value.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from airflow_oracle_etl.encoding.early import early_text_sql, guard_sql

#: The placeholder in :attr:`ColumnEncoding.sql` that the quoted column name replaces.
COLUMN_PLACEHOLDER = "{column}"


class JsonKind(str, enum.Enum):
    """What a column becomes in JSON; also the vocabulary of user type overrides."""

    INTEGER = "integer"  #: JSON integer (fits INT64)
    DECIMAL = "decimal"  #: exact decimal text such as "-50000.0001"
    FLOAT = "float"  #: JSON number; NaN and infinities as "NaN", "Infinity", "-Infinity"
    STRING = "string"  #: text
    BOOLEAN = "boolean"  #: true / false
    DATETIME = "datetime"  #: "YYYY-MM-DDTHH:MM:SS[.f]" without a zone
    TIMESTAMP = "timestamp"  #: UTC instant "YYYY-MM-DDTHH:MM:SS[.f]Z"
    INTERVAL = "interval"  #: ISO 8601 duration such as "P3DT4H5M6.789S"
    BYTES = "bytes"  #: base64 text


class FetchMode(enum.Enum):
    """How the driver is asked to fetch a column (what the output type handler does)."""

    DEFAULT = "default"  #: the driver's own type; no variable unless there is a converter
    TEXT = "text"  #: as str (NUMBER: the driver's exact decimal text, never a float)
    INTEGER = "integer"  #: as int
    FLOAT = "float"  #: as float
    LONG = "long"  #: CLOB/NCLOB read inline as str (LONG), not as a LOB locator
    LONG_RAW = "long_raw"  #: BLOB read inline as bytes (LONG RAW), not as a LOB locator


@dataclass(frozen=True)
class ColumnEncoding:
    """The decided encoding of one column.

    ``sql`` is a template with :data:`COLUMN_PLACEHOLDER` where the quoted column name goes;
    ``"{column}"`` alone means the column is selected as it is. ``converter`` is the driver
    ``outconverter`` (never called for NULL) for values the driver cannot deliver in their
    JSON form.
    """

    name: str
    oracle_type: str
    kind: JsonKind
    bigquery_type: str
    sql: str = COLUMN_PLACEHOLDER
    fetch: FetchMode = FetchMode.DEFAULT
    converter: Callable[[Any], Any] | None = None
    #: False where the value can be NULL even though the column is NOT NULL (none today but
    #: RTRIM of an all-blank CHAR, which Oracle turns into NULL)
    required: bool = False
    description: str | None = None
    #: True for Oracle types this package does not know (written as text, logged once)
    unknown: bool = False
    #: DATE and TIMESTAMP(0-6), which come as the driver's datetime: the TO_CHAR model of
    #: a value before the year 1, which the driver cannot build (see :mod:`.early`)
    early_model: str | None = None

    @property
    def selects_column_as_is(self) -> bool:
        return self.sql == COLUMN_PLACEHOLDER

    def select_expression(self, quoted_name: str, *, early: bool = False) -> str:
        """The SELECT-list entry: the column itself, or the expression aliased back to it;
        with ``early``, a column with an :attr:`early_model` is NULL before the year 1."""
        if early and self.early_model is not None:
            return f"{guard_sql(quoted_name)} AS {quoted_name}"
        if self.selects_column_as_is:
            return quoted_name
        return f"{self.sql.replace(COLUMN_PLACEHOLDER, quoted_name)} AS {quoted_name}"

    def early_expression(self, quoted_name: str, quoted_alias: str) -> str:
        """The extra SELECT-list entry of a column with an :attr:`early_model`."""
        assert self.early_model is not None
        return f"{early_text_sql(quoted_name, self.early_model)} AS {quoted_alias}"
