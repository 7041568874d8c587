"""Declared Oracle column types: how each is stored in DuckDB, checked on write, described.

DuckDB forgets the Oracle type a column was declared with (VARCHAR2(40) and CLOB are both
VARCHAR to it), so the catalogue keeps a :class:`DeclaredType` per column and this module
derives everything else from it. Storage choices keep values exact:

=================================  ===========================================================
Oracle                             DuckDB storage
=================================  ===========================================================
NUMBER(p[,0]), p <= 18             BIGINT (written through DECIMAL(p,0): rounds, checks p)
NUMBER(p,s), NUMBER(p) p > 18      DECIMAL(p,s); s > p gives DECIMAL(s,s); s < 0 rounds on
                                   write and stores DECIMAL(p-s,0)
NUMBER, FLOAT(b)                   VARCHAR holding the exact decimal text. Queries see it as
                                   DOUBLE (arithmetic and comparisons are in double
                                   precision); values fetched by plain column reference come
                                   from the text, so any Oracle NUMBER round-trips exactly
BINARY_FLOAT / BINARY_DOUBLE       FLOAT / DOUBLE
VARCHAR2, NVARCHAR2, CLOB, NCLOB   VARCHAR ('' is written as NULL; lengths checked ->
                                   ORA-12899, in bytes for BYTE semantics)
CHAR, NCHAR                        VARCHAR, blank-padded to the declared length on write
DATE                               TIMESTAMP truncated to seconds (DuckDB's proleptic
                                   Gregorian calendar: fields are kept as written, from
                                   4712 BC, but Oracle's Julian-calendar days before
                                   1582-10-15 are not modelled)
TIMESTAMP(0-6)                     TIMESTAMP (microseconds), rounded to the precision
TIMESTAMP(7-9)                     HUGEINT: nanoseconds since 1970-01-01, rounded to the
                                   precision. Queries see it as TIMESTAMP_NS, which only
                                   holds 1677-09-21 to 2262-04-11 (computing with a value
                                   beyond is ORA-03001); a plain column reference, or TO_CHAR
                                   of one, in the select list is read from the count, so any
                                   Oracle TIMESTAMP(9) (4712 BC to 9999) round-trips exactly
TIMESTAMP WITH TIME ZONE           VARCHAR: the wall clock and its offset (``sql.zoned``);
                                   queries see the TIMESTAMPTZ instant; microseconds at most
TIMESTAMP WITH LOCAL TIME ZONE     TIMESTAMPTZ (the UTC instant; microseconds at most)
INTERVAL DAY TO SECOND             INTERVAL
INTERVAL YEAR TO MONTH             INTERVAL (months only); fetched as :class:`IntervalYM`
RAW(n), LONG RAW, BLOB             BLOB (RAW length checked)
=================================  ===========================================================

Why a count for TIMESTAMP(7-9): no DuckDB timestamp holds Oracle's range (4712 BC to 9999)
with nanoseconds. TIMESTAMP keeps microseconds (and goes back far enough, so DATE and
TIMESTAMP(0-6) use it); TIMESTAMP_NS keeps nanoseconds in 64 bits, 1677-09-21 to 2262-04-11.
A HUGEINT of nanoseconds since 1970 holds the whole range exactly and sorts like the values;
queries get the TIMESTAMP_NS view so that Oracle's timestamp semantics (a difference is an
interval) hold where DuckDB can compute them, as NUMBER's DOUBLE view does for arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from oracle_emulator.api import ColumnInfo, OracleType

#: the largest count of nanoseconds a TIMESTAMP_NS holds (DuckDB keeps the extremes for
#: +-infinity)
NANOS_IN_TIMESTAMP_NS = 2**63 - 2
_ORA_WIDE_NANOS = (
    "ORA-03001: unimplemented feature: computing with a TIMESTAMP(7-9) value outside "
    "1677-09-21 to 2262-04-11 (select the column, or TO_CHAR of it)"
)
#: precision/scale Oracle reports for NUMBER without precision (and scale for FLOAT)
UNCONSTRAINED_SCALE = -127
MAX_NUMBER_PRECISION = 38
BIGINT_MAX_PRECISION = 18
DEFAULT_TIMESTAMP_PRECISION = 6
MICRO_DIGITS = 6
NANO_DIGITS = 9
DEFAULT_DAY_PRECISION = 2
DEFAULT_YEAR_PRECISION = 2
LOB_DESCRIBE_LENGTH = 4000
#: bytes per character of the database (AL32UTF8) and national (AL16UTF16) character sets
DB_CHAR_MAX_BYTES = 4
NATIONAL_CHAR_BYTES = 2
#: DATA_LENGTH Oracle shows for fixed-size types
_FIXED_DATA_LENGTH = {
    OracleType.NUMBER: 22,
    OracleType.DATE: 7,
    OracleType.TIMESTAMP: 11,
    OracleType.TIMESTAMP_TZ: 13,
    OracleType.TIMESTAMP_LTZ: 11,
    OracleType.INTERVAL_DS: 11,
    OracleType.INTERVAL_YM: 5,
    OracleType.BINARY_FLOAT: 4,
    OracleType.BINARY_DOUBLE: 8,
    OracleType.CLOB: 4000,
    OracleType.NCLOB: 4000,
    OracleType.BLOB: 4000,
    OracleType.LONG: 0,
    OracleType.LONG_RAW: 0,
    OracleType.ROWID: 10,
}
_SIMPLE_NAMES = {
    OracleType.NUMBER: "NUMBER",
    OracleType.VARCHAR2: "VARCHAR2",
    OracleType.NVARCHAR2: "NVARCHAR2",
    OracleType.CHAR: "CHAR",
    OracleType.NCHAR: "NCHAR",
    OracleType.DATE: "DATE",
    OracleType.BINARY_FLOAT: "BINARY_FLOAT",
    OracleType.BINARY_DOUBLE: "BINARY_DOUBLE",
    OracleType.RAW: "RAW",
    OracleType.CLOB: "CLOB",
    OracleType.NCLOB: "NCLOB",
    OracleType.BLOB: "BLOB",
    OracleType.LONG: "LONG",
    OracleType.LONG_RAW: "LONG RAW",
    OracleType.ROWID: "ROWID",
}
_STORAGE = {
    OracleType.BINARY_FLOAT: "FLOAT",
    OracleType.BINARY_DOUBLE: "DOUBLE",
    OracleType.DATE: "TIMESTAMP",
    OracleType.TIMESTAMP_TZ: "VARCHAR",
    OracleType.TIMESTAMP_LTZ: "TIMESTAMPTZ",
    OracleType.INTERVAL_DS: "INTERVAL",
    OracleType.INTERVAL_YM: "INTERVAL",
    OracleType.RAW: "BLOB",
    OracleType.LONG_RAW: "BLOB",
    OracleType.BLOB: "BLOB",
    OracleType.ROWID: "VARCHAR",
}


def sql_string(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """A DuckDB quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class DeclaredType:
    """A column type as written in DDL, normalised.

    ``precision`` is None for NUMBER without precision; ``scale`` is None where the type has
    none. For timestamps ``scale`` is the fractional-second precision; for intervals
    ``precision`` is the leading (day/year) precision and ``scale`` the fractional seconds.
    ``size`` is characters (CHAR semantics) or bytes (BYTE semantics, RAW).
    """

    kind: OracleType
    size: int = 0
    precision: int | None = None
    scale: int | None = None
    char_semantics: bool = False
    is_float: bool = False

    # -- storage -------------------------------------------------------------------------

    @property
    def exact_text(self) -> bool:
        """Stored as exact decimal text and shown to queries as DOUBLE."""
        return self.kind is OracleType.NUMBER and (self.precision is None or self.is_float)

    @property
    def nanoseconds(self) -> bool:
        return self.kind is OracleType.TIMESTAMP and (self.scale or 0) > MICRO_DIGITS

    @property
    def zoned(self) -> bool:
        """TIMESTAMP WITH TIME ZONE: stored as text keeping the offset (see ``sql.zoned``)."""
        return self.kind is OracleType.TIMESTAMP_TZ

    @property
    def has_twin(self) -> bool:
        """Queries see a lossy view of the stored value, and an exact twin is read back."""
        return self.exact_text or self.nanoseconds or self.zoned

    def query_sql(self, ref: str) -> str:
        """What queries see of the stored value ``ref``."""
        if self.exact_text:
            return f"CAST({ref} AS DOUBLE)"
        if self.zoned:
            return f"CAST({ref} AS TIMESTAMPTZ)"
        if self.nanoseconds:
            return (
                f"CASE WHEN {ref} BETWEEN {-NANOS_IN_TIMESTAMP_NS} AND {NANOS_IN_TIMESTAMP_NS} "
                f"THEN make_timestamp_ns(CAST({ref} AS BIGINT)) "
                f"ELSE error({sql_string(_ORA_WIDE_NANOS)}) END"
            )
        return ref

    def storage_sql(self) -> str:
        """The DuckDB column type."""
        if self.kind is OracleType.NUMBER:
            return self._number_storage()
        if self.kind is OracleType.TIMESTAMP:
            return "HUGEINT" if self.nanoseconds else "TIMESTAMP"
        return _STORAGE.get(self.kind, "VARCHAR")

    def _number_storage(self) -> str:
        if self.exact_text:
            return "VARCHAR"
        precision, scale = self._decimal_shape()
        if scale == 0 and precision <= BIGINT_MAX_PRECISION:
            return "BIGINT"
        return f"DECIMAL({precision},{scale})"

    def _decimal_shape(self) -> tuple[int, int]:
        """(width, scale) of the DECIMAL that holds every value of this NUMBER(p,s)."""
        precision = self.precision or MAX_NUMBER_PRECISION
        scale = self.scale or 0
        if scale < 0:
            return min(precision - scale, MAX_NUMBER_PRECISION), 0
        if scale > precision:
            return min(scale, MAX_NUMBER_PRECISION), scale
        return precision, scale

    # -- description ---------------------------------------------------------------------

    def column_info(self, name: str, nullable: bool = True) -> ColumnInfo:
        """What ``cursor.description`` shows for a column of this type."""
        precision, scale = self._describe_precision_scale()
        return ColumnInfo(
            name=name,
            type=self.kind,
            size=self.size if self.kind.is_character or self.kind is OracleType.RAW else 0,
            precision=precision,
            scale=scale,
            nullable=nullable,
        )

    def _describe_precision_scale(self) -> tuple[int, int]:
        kind = self.kind
        if kind is OracleType.NUMBER:
            if self.is_float:
                return self.precision or 126, UNCONSTRAINED_SCALE
            if self.precision is None:
                return 0, UNCONSTRAINED_SCALE
            return self.precision, self.scale or 0
        if kind in (OracleType.TIMESTAMP, OracleType.TIMESTAMP_TZ, OracleType.TIMESTAMP_LTZ):
            return 0, self._fsp()
        if kind is OracleType.INTERVAL_DS:
            return self._leading(DEFAULT_DAY_PRECISION), self._fsp()
        if kind is OracleType.INTERVAL_YM:
            return self._leading(DEFAULT_YEAR_PRECISION), 0
        return 0, 0

    def _fsp(self) -> int:
        return DEFAULT_TIMESTAMP_PRECISION if self.scale is None else self.scale

    def _leading(self, default: int) -> int:
        return default if self.precision is None else self.precision

    def data_type_text(self) -> str:
        """DATA_TYPE as the dictionary views spell it."""
        kind = self.kind
        if kind is OracleType.NUMBER and self.is_float:
            return "FLOAT"
        if kind is OracleType.TIMESTAMP:
            return f"TIMESTAMP({self._fsp()})"
        if kind is OracleType.TIMESTAMP_TZ:
            return f"TIMESTAMP({self._fsp()}) WITH TIME ZONE"
        if kind is OracleType.TIMESTAMP_LTZ:
            return f"TIMESTAMP({self._fsp()}) WITH LOCAL TIME ZONE"
        if kind is OracleType.INTERVAL_DS:
            return f"INTERVAL DAY({self._leading(DEFAULT_DAY_PRECISION)}) TO SECOND({self._fsp()})"
        if kind is OracleType.INTERVAL_YM:
            return f"INTERVAL YEAR({self._leading(DEFAULT_YEAR_PRECISION)}) TO MONTH"
        return _SIMPLE_NAMES.get(kind, kind.name)

    def ddl_text(self) -> str:
        """The type as DDL would declare it (for messages and DBMS_METADATA-like output)."""
        text = self.data_type_text()
        if self.kind is OracleType.NUMBER and not self.is_float and self.precision is not None:
            return f"NUMBER({self.precision},{self.scale or 0})"
        if self.kind is OracleType.NUMBER and self.is_float:
            return f"FLOAT({self.precision or 126})"
        if self.kind in (OracleType.VARCHAR2, OracleType.CHAR, OracleType.RAW):
            unit = " CHAR" if self.char_semantics and self.kind is not OracleType.RAW else ""
            return f"{text}({self.size}{unit})"
        if self.kind in (OracleType.NVARCHAR2, OracleType.NCHAR):
            return f"{text}({self.size})"
        return text

    def dictionary_lengths(self) -> tuple[int, int, str | None]:
        """(DATA_LENGTH, CHAR_LENGTH, CHAR_USED) for ALL_TAB_COLUMNS."""
        kind = self.kind
        if kind in (OracleType.VARCHAR2, OracleType.CHAR):
            data_length = self.size * (DB_CHAR_MAX_BYTES if self.char_semantics else 1)
            return data_length, self.size, "C" if self.char_semantics else "B"
        if kind in (OracleType.NVARCHAR2, OracleType.NCHAR):
            return self.size * NATIONAL_CHAR_BYTES, self.size, "C"
        if kind is OracleType.RAW:
            return self.size, 0, None
        return _FIXED_DATA_LENGTH.get(kind, 0), 0, None

    def dictionary_precision_scale(self) -> tuple[int | None, int | None]:
        """(DATA_PRECISION, DATA_SCALE) for ALL_TAB_COLUMNS (NULL where Oracle shows NULL)."""
        kind = self.kind
        if kind is OracleType.NUMBER:
            if self.is_float:
                return self.precision or 126, None
            if self.precision is None:
                return None, None
            return self.precision, self.scale or 0
        if kind in (OracleType.TIMESTAMP, OracleType.TIMESTAMP_TZ, OracleType.TIMESTAMP_LTZ):
            return None, self._fsp()
        if kind is OracleType.INTERVAL_DS:
            return self._leading(DEFAULT_DAY_PRECISION), self._fsp()
        if kind is OracleType.INTERVAL_YM:
            return self._leading(DEFAULT_YEAR_PRECISION), 0
        if kind is OracleType.DATE:
            return None, None
        return None, None

    # -- serialisation (catalogue persistence) -------------------------------------------

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.name,
            "size": self.size,
            "precision": self.precision,
            "scale": self.scale,
            "char_semantics": self.char_semantics,
            "is_float": self.is_float,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> DeclaredType:
        values = dict(data)
        values["kind"] = OracleType[str(values["kind"])]
        return cls(**values)  # type: ignore[arg-type]
