"""The BigQuery schema written with the data."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.encoding import bigquery_schema, plan_columns
from airflow_oracle_etl.encoding.bigquery import decimal_type, is_int64_number
from airflow_oracle_etl.metadata import OracleColumn

ALL_TYPES = [
    ("ID", "NUMBER", 6, 0, False, "INT64"),
    ("C_NUMBER", "NUMBER", None, None, True, "BIGNUMERIC"),
    ("C_NUMBER_38", "NUMBER", 38, 0, True, "BIGNUMERIC"),
    ("C_NUMBER_P_S", "NUMBER", 12, 4, True, "NUMERIC"),
    ("C_FLOAT", "FLOAT", 126, None, True, "FLOAT64"),
    ("C_BIN_FLOAT", "BINARY_FLOAT", None, None, True, "FLOAT64"),
    ("C_BIN_DOUBLE", "BINARY_DOUBLE", None, None, True, "FLOAT64"),
    ("C_VARCHAR2", "VARCHAR2", None, None, True, "STRING"),
    ("C_CHAR", "CHAR", None, None, False, "STRING"),
    ("C_NVARCHAR2", "NVARCHAR2", None, None, True, "STRING"),
    ("C_NCHAR", "NCHAR", None, None, True, "STRING"),
    ("C_DATE", "DATE", None, None, True, "DATETIME"),
    ("C_TS0", "TIMESTAMP(0)", None, 0, True, "DATETIME"),
    ("C_TS6", "TIMESTAMP(6)", None, 6, True, "DATETIME"),
    ("C_TS9", "TIMESTAMP(9)", None, 9, True, "STRING"),
    ("C_TSTZ", "TIMESTAMP(6) WITH TIME ZONE", None, 6, True, "TIMESTAMP"),
    ("C_TSLTZ", "TIMESTAMP(6) WITH LOCAL TIME ZONE", None, 6, True, "TIMESTAMP"),
    ("C_IDS", "INTERVAL DAY(3) TO SECOND(6)", 3, 6, True, "STRING"),
    ("C_IYM", "INTERVAL YEAR(4) TO MONTH", 4, 0, True, "STRING"),
    ("C_RAW", "RAW", None, None, True, "BYTES"),
    ("C_CLOB", "CLOB", None, None, True, "STRING"),
    ("C_NCLOB", "NCLOB", None, None, True, "STRING"),
    ("C_BLOB", "BLOB", None, None, True, "BYTES"),
    ("C_ROWID", "ROWID", None, None, True, "STRING"),
    ("C_BOOL", "BOOLEAN", None, None, True, "BOOL"),
    ("C_XML", "XMLTYPE", None, None, True, "STRING"),
]


def _columns() -> list[OracleColumn]:
    return [
        OracleColumn(name=n, data_type=t, precision=p, scale=s, nullable=nl)
        for n, t, p, s, nl, _ in ALL_TYPES
    ]


def test_schema_of_every_type() -> None:
    schema = bigquery_schema(_columns())
    assert schema == [
        {"name": n, "type": bq, "mode": "NULLABLE" if nl else "REQUIRED"}
        for n, _, _, _, nl, bq in ALL_TYPES
    ]


def test_plan_schema_is_the_same() -> None:
    assert plan_columns(_columns()).bigquery_schema() == bigquery_schema(_columns())


def test_trimmed_char_is_nullable() -> None:
    columns = [OracleColumn(name="C", data_type="CHAR", nullable=False)]
    assert bigquery_schema(columns)[0]["mode"] == "REQUIRED"
    assert bigquery_schema(columns, trim_char=True)[0]["mode"] == "NULLABLE"


def test_description_from_comment_within_bigquery_limit() -> None:
    columns = [
        OracleColumn(name="A", data_type="DATE", comment="Credit limit in EUR"),
        OracleColumn(name="B", data_type="DATE", comment="x" * 5000),
        OracleColumn(name="C", data_type="DATE", comment=""),
    ]
    schema = bigquery_schema(columns)
    assert schema[0]["description"] == "Credit limit in EUR"
    assert len(schema[1]["description"]) == 1024
    assert "description" not in schema[2]


def test_overrides_change_the_type() -> None:
    columns = [OracleColumn(name="N", data_type="NUMBER")]
    assert bigquery_schema(columns, type_overrides={"N": "integer"})[0]["type"] == "INT64"


@pytest.mark.parametrize(
    ("precision", "scale", "expected"),
    [
        (1, 0, True),
        (18, 0, True),
        (19, 0, False),
        (16, -2, True),
        (17, -2, False),
        (None, 0, False),
        (None, None, False),
        (5, 1, False),
    ],
)
def test_int64_numbers(precision, scale, expected) -> None:
    assert is_int64_number(precision, scale) is expected


@pytest.mark.parametrize(
    ("precision", "scale", "expected"),
    [
        (29, 0, "NUMERIC"),  # 29 integer digits: NUMERIC's maximum
        (30, 0, "BIGNUMERIC"),
        (38, 9, "NUMERIC"),
        (10, 10, "BIGNUMERIC"),  # scale above NUMERIC's 9
        (9, 9, "NUMERIC"),
        (38, 38, "BIGNUMERIC"),
        (38, 39, "STRING"),  # more fractional digits than BIGNUMERIC's 38
        (38, -1, "STRING"),  # 39 integer digits
        (3, 5, "NUMERIC"),  # 0.00xyz
        (None, None, "BIGNUMERIC"),
    ],
)
def test_decimal_types(precision, scale, expected) -> None:
    assert decimal_type(precision, scale) == expected
