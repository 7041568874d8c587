"""The type contract, column by column: kind, SQL, fetch mode, converter, BigQuery type."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.encoding import EncodingError, FetchMode, JsonKind, encode_column
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
from airflow_oracle_etl.metadata import OracleColumn

AS_IS = "{column}"
SGN = signed_text_to_iso
TS9_TEXT = "TO_CHAR({column}, 'SYYYY-MM-DD\"T\"HH24:MI:SS.FF9')"
UTC6_TEXT = 'TO_CHAR(SYS_EXTRACT_UTC({column}), \'SYYYY-MM-DD"T"HH24:MI:SS.FF6"Z"\')'
UTC0_TEXT = 'TO_CHAR(SYS_EXTRACT_UTC({column}), \'SYYYY-MM-DD"T"HH24:MI:SS"Z"\')'
UTC9_TEXT = 'TO_CHAR(SYS_EXTRACT_UTC({column}), \'SYYYY-MM-DD"T"HH24:MI:SS.FF9"Z"\')'


def col(data_type: str, precision: int | None = None, scale: int | None = None) -> OracleColumn:
    return OracleColumn(name="C", data_type=data_type, precision=precision, scale=scale)


# (column, kind, sql, fetch, converter, BigQuery type): every row of DESIGN.md's table
CONTRACT = [
    (col("NUMBER", 6, 0), JsonKind.INTEGER, AS_IS, FetchMode.DEFAULT, None, "INT64"),
    (col("NUMBER", 18, 0), JsonKind.INTEGER, AS_IS, FetchMode.DEFAULT, None, "INT64"),
    (col("NUMBER", 1, 0), JsonKind.INTEGER, AS_IS, FetchMode.DEFAULT, None, "INT64"),
    (col("NUMBER", 10, -2), JsonKind.INTEGER, AS_IS, FetchMode.INTEGER, None, "INT64"),
    (col("NUMBER", 19, 0), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "NUMERIC"),
    (col("NUMBER", 38, 0), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("NUMBER", 12, 2), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "NUMERIC"),
    (col("NUMBER", 38, 9), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "NUMERIC"),
    (col("NUMBER", 38, 10), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("NUMBER", 30, 0), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("NUMBER", 38, 38), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("NUMBER", 38, 39), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "STRING"),
    (col("NUMBER", 38, -1), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "STRING"),
    (col("NUMBER"), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("NUMBER", None, 0), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "BIGNUMERIC"),
    (col("FLOAT", 126), JsonKind.DECIMAL, AS_IS, FetchMode.TEXT, None, "FLOAT64"),
    (col("BINARY_FLOAT"), JsonKind.FLOAT, AS_IS, FetchMode.DEFAULT, float_or_name, "FLOAT64"),
    (col("BINARY_DOUBLE"), JsonKind.FLOAT, AS_IS, FetchMode.DEFAULT, float_or_name, "FLOAT64"),
    (col("VARCHAR2"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("NVARCHAR2"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("CHAR"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("NCHAR"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("LONG"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("CLOB"), JsonKind.STRING, AS_IS, FetchMode.LONG, None, "STRING"),
    (col("NCLOB"), JsonKind.STRING, AS_IS, FetchMode.LONG, None, "STRING"),
    (col("DATE"), JsonKind.DATETIME, AS_IS, FetchMode.DEFAULT, None, "DATETIME"),
    (col("TIMESTAMP(0)", scale=0), JsonKind.DATETIME, AS_IS, FetchMode.DEFAULT, None, "DATETIME"),
    (col("TIMESTAMP(6)", scale=6), JsonKind.DATETIME, AS_IS, FetchMode.DEFAULT, None, "DATETIME"),
    (col("TIMESTAMP"), JsonKind.DATETIME, AS_IS, FetchMode.DEFAULT, None, "DATETIME"),
    (col("TIMESTAMP(9)", scale=9), JsonKind.DATETIME, TS9_TEXT, FetchMode.DEFAULT, SGN, "STRING"),
    (
        col("TIMESTAMP(6) WITH TIME ZONE", scale=6),
        JsonKind.TIMESTAMP,
        UTC6_TEXT,
        FetchMode.DEFAULT,
        SGN,
        "TIMESTAMP",
    ),
    (
        col("TIMESTAMP(0) WITH LOCAL TIME ZONE", scale=0),
        JsonKind.TIMESTAMP,
        UTC0_TEXT,
        FetchMode.DEFAULT,
        SGN,
        "TIMESTAMP",
    ),
    (
        col("TIMESTAMP(9) WITH TIME ZONE", scale=9),
        JsonKind.TIMESTAMP,
        UTC9_TEXT,
        FetchMode.DEFAULT,
        SGN,
        "STRING",
    ),
    (
        col("INTERVAL DAY(3) TO SECOND(6)", 3, 6),
        JsonKind.INTERVAL,
        AS_IS,
        FetchMode.DEFAULT,
        interval_ds_to_iso,
        "STRING",
    ),
    (
        col("INTERVAL DAY(2) TO SECOND(9)", 2, 9),
        JsonKind.INTERVAL,
        "TO_CHAR({column})",
        FetchMode.DEFAULT,
        interval_ds_text_to_iso,
        "STRING",
    ),
    (
        col("INTERVAL YEAR(4) TO MONTH", 4, 0),
        JsonKind.INTERVAL,
        AS_IS,
        FetchMode.DEFAULT,
        interval_ym_to_iso,
        "STRING",
    ),
    (col("RAW"), JsonKind.BYTES, AS_IS, FetchMode.DEFAULT, None, "BYTES"),
    (col("LONG RAW"), JsonKind.BYTES, AS_IS, FetchMode.DEFAULT, None, "BYTES"),
    (col("BLOB"), JsonKind.BYTES, AS_IS, FetchMode.LONG_RAW, None, "BYTES"),
    (col("ROWID"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("UROWID"), JsonKind.STRING, AS_IS, FetchMode.DEFAULT, None, "STRING"),
    (col("BOOLEAN"), JsonKind.BOOLEAN, AS_IS, FetchMode.DEFAULT, None, "BOOL"),
]


@pytest.mark.parametrize(
    ("column", "kind", "sql", "fetch", "converter", "bigquery_type"),
    CONTRACT,
    ids=[f"{c.data_type}-{c.precision}-{c.scale}" for c, *_ in CONTRACT],
)
def test_type_contract(column, kind, sql, fetch, converter, bigquery_type) -> None:
    encoding = encode_column(column)
    assert encoding.kind is kind
    assert encoding.sql == sql
    assert encoding.fetch is fetch
    assert encoding.converter is converter
    assert encoding.bigquery_type == bigquery_type
    assert not encoding.unknown


def test_lower_case_type_names_are_known() -> None:
    assert encode_column(col("timestamp(6) with time zone", scale=6)).sql == UTC6_TEXT


@pytest.mark.parametrize("data_type", ["XMLTYPE", "MDSYS.SDO_GEOMETRY", "BFILE", "VECTOR"])
def test_unknown_types_become_text(data_type: str) -> None:
    encoding = encode_column(col(data_type))
    assert encoding.unknown
    assert encoding.kind is JsonKind.STRING
    assert encoding.bigquery_type == "STRING"
    assert encoding.sql == AS_IS
    assert encoding.converter is value_as_text


def test_trim_char_selects_rtrim_and_is_never_required() -> None:
    column = OracleColumn(name="C", data_type="CHAR", char_length=3, nullable=False)
    plain = encode_column(column)
    trimmed = encode_column(column, trim_char=True)
    assert plain.sql == AS_IS and plain.required
    assert trimmed.sql == "RTRIM({column})"
    assert not trimmed.required  # RTRIM('   ') is NULL in Oracle
    assert encode_column(col("NCHAR"), trim_char=True).sql == "RTRIM({column})"
    assert encode_column(col("VARCHAR2"), trim_char=True).sql == AS_IS


def test_select_expression_aliases_expressions_only() -> None:
    ts9 = encode_column(OracleColumn(name="T", data_type="TIMESTAMP(9)", scale=9))
    assert ts9.select_expression('"T"') == ('TO_CHAR("T", \'SYYYY-MM-DD"T"HH24:MI:SS.FF9\') AS "T"')
    assert encode_column(col("VARCHAR2")).select_expression('"C"') == '"C"'
    # a DATE is selected as it is; reading early dates, NULL before the year 1
    date = encode_column(col("DATE"))
    assert date.select_expression('"C"') == '"C"'
    assert date.select_expression('"C"', early=True) == (
        'CASE WHEN "C" >= DATE \'0001-01-01\' THEN "C" END AS "C"'
    )


def test_required_and_description_follow_the_column() -> None:
    column = OracleColumn(name="C", data_type="DATE", nullable=False, comment="when")
    encoding = encode_column(column)
    assert encoding.required
    assert encoding.description == "when"


class TestOverrides:
    def test_string_makes_numbers_text(self) -> None:
        encoding = encode_column(col("NUMBER", 10, 0), override="string")
        assert encoding.kind is JsonKind.STRING
        assert encoding.fetch is FetchMode.TEXT
        assert encoding.converter is None
        assert encoding.bigquery_type == "STRING"

    def test_string_makes_binary_floats_text(self) -> None:
        encoding = encode_column(col("BINARY_DOUBLE"), override=JsonKind.STRING)
        assert encoding.converter is float_as_text
        assert encoding.bigquery_type == "STRING"

    def test_string_keeps_sql_of_temporal_types(self) -> None:
        encoding = encode_column(col("TIMESTAMP(6) WITH TIME ZONE", scale=6), override="string")
        assert encoding.sql == UTC6_TEXT
        assert encoding.bigquery_type == "STRING"

    def test_integer_checks_every_value(self) -> None:
        encoding = encode_column(OracleColumn(name="ID", data_type="NUMBER"), override="integer")
        assert encoding.kind is JsonKind.INTEGER
        assert encoding.fetch is FetchMode.INTEGER
        assert isinstance(encoding.converter, IntegerRequired)
        assert encoding.converter(12) == 12
        with pytest.raises(EncodingError, match=r"'ID'.*1\.5"):
            encoding.converter(1.5)
        assert encoding.bigquery_type == "INT64"

    def test_decimal_of_an_integer_number(self) -> None:
        encoding = encode_column(col("NUMBER", 10, 0), override="decimal")
        assert encoding.fetch is FetchMode.TEXT
        assert encoding.bigquery_type == "NUMERIC"
        assert encode_column(col("FLOAT", 126), override="decimal").bigquery_type == "BIGNUMERIC"

    def test_float_of_a_number(self) -> None:
        encoding = encode_column(col("NUMBER", 12, 2), override="float")
        assert encoding.kind is JsonKind.FLOAT
        assert encoding.fetch is FetchMode.FLOAT
        assert encoding.bigquery_type == "FLOAT64"
        assert encode_column(col("BINARY_FLOAT"), override="float").converter is float_or_name

    @pytest.mark.parametrize("kind", ["integer", "decimal", "float"])
    def test_numeric_kinds_need_a_number(self, kind: str) -> None:
        with pytest.raises(EncodingError, match=r"'C' \(DATE\) cannot be overridden"):
            encode_column(col("DATE"), override=kind)

    @pytest.mark.parametrize("kind", ["datetime", "bytes", "nonsense"])
    def test_unknown_or_unsupported_kind(self, kind: str) -> None:
        with pytest.raises(EncodingError, match="string, integer, decimal, float"):
            encode_column(col("NUMBER"), override=kind)
