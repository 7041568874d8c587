"""ALL_TYPES through the plan on a real cursor: every Oracle type, exact to the character."""

from __future__ import annotations

import oracledb
import pytest

from airflow_oracle_etl.encoding import EncodingError, plan_columns
from airflow_oracle_etl.identifiers import quote_identifier

from .conftest import dictionary_columns, fetch_encoded, parse_lines, planned

ROW_1 = {
    "ID": 1,
    "C_NUMBER": "1234.5",
    "C_NUMBER_38": "12345678901234567890123456789012345678",
    "C_NUMBER_P_S": "-50000.0001",
    "C_FLOAT": "0.1",
    "C_BIN_FLOAT": 1.5,
    "C_BIN_DOUBLE": 3.141592653589793,
    "C_VARCHAR2": "plain ascii",
    "C_CHAR": "abc       ",
    "C_NVARCHAR2": "Grüße, 東京",
    "C_NCHAR": "ñ    ",
    "C_DATE": "2024-02-29T00:00:00",
    "C_TS0": "2024-02-29T23:59:59",
    "C_TS6": "2024-02-29T23:59:59.123456",
    "C_TS9": "2024-02-29T23:59:59.123456789",
    "C_TSTZ": "2024-02-29T22:59:59.500000Z",
    "C_TSLTZ": "2024-02-29T22:59:59.250000Z",
    "C_IDS": "P3DT4H5M6.789S",
    "C_IYM": "P2Y3M",
    "C_RAW": "AP8Q",
    "C_CLOB": "short clob",
    "C_NCLOB": "nclob ✓",
    "C_BLOB": "3q2+7w==",
}
ROW_2 = {
    "ID": 2,
    "C_NUMBER": "-0.000000000000000000000000000001",
    "C_NUMBER_38": "-99999999999999999999999999999999999999",
    "C_NUMBER_P_S": "0",
    "C_FLOAT": "-10000000000",
    "C_BIN_FLOAT": -0.25,
    "C_BIN_DOUBLE": -1e300,
    "C_VARCHAR2": 'O\'Brien says "hi"',
    "C_CHAR": "          ",
    "C_NVARCHAR2": "𝄞 clef",
    "C_NCHAR": "x    ",
    "C_DATE": "0001-01-01T00:00:00",
    "C_TS0": "1970-01-01T00:00:00",
    "C_TS6": "2199-12-31T23:59:59.999999",
    "C_TS9": "1999-12-31T23:59:59.000000001",
    "C_TSTZ": None,
    "C_TSLTZ": None,
    "C_IDS": "-P1DT0.000001S",
    "C_IYM": "-P0Y11M",
    "C_RAW": "AA==",
    "C_CLOB": None,
    "C_NCLOB": None,
    "C_BLOB": None,
}
ROW_3 = {"ID": 3} | {name: None for name in ROW_1 if name != "ID"}


def test_every_type_exactly(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "ALL_TYPES")
    data = fetch_encoded(demo, plan, "ALL_TYPES")
    rows = parse_lines(data)
    assert rows == [ROW_1, ROW_2, ROW_3]
    assert [list(row) for row in rows] == [list(ROW_1)] * 3  # keys in column order


def test_decimals_are_text_as_oracle_wrote_them(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "ALL_TYPES")
    first, second, _ = fetch_encoded(demo, plan, "ALL_TYPES").split(b"\n", 2)
    assert b'"C_NUMBER_P_S":"-50000.0001"' in first
    assert b'"C_NUMBER_38":"12345678901234567890123456789012345678"' in first
    assert b'"C_NUMBER":"-0.000000000000000000000000000001"' in second
    assert "Grüße, 東京".encode() in first  # UTF-8, not \u escapes


def test_omit_nulls(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "ALL_TYPES", omit_nulls=True)
    rows = parse_lines(fetch_encoded(demo, plan, "ALL_TYPES"))
    assert rows[0] == ROW_1
    assert rows[1] == {k: v for k, v in ROW_2.items() if v is not None}
    assert rows[2] == {"ID": 3}


def test_trim_char(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "ALL_TYPES", trim_char=True)
    rows = parse_lines(fetch_encoded(demo, plan, "ALL_TYPES"))
    assert [row["C_CHAR"] for row in rows] == ["abc", None, None]  # all blanks: NULL
    assert [row["C_NCHAR"] for row in rows] == ["ñ", "x", None]
    assert rows[0]["C_VARCHAR2"] == "plain ascii"


def test_bigquery_schema_from_the_dictionary(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "ALL_TYPES")
    types = {field["name"]: field["type"] for field in plan.bigquery_schema()}
    assert types == {
        "ID": "INT64",
        "C_NUMBER": "BIGNUMERIC",
        "C_NUMBER_38": "BIGNUMERIC",
        "C_NUMBER_P_S": "NUMERIC",
        "C_FLOAT": "FLOAT64",
        "C_BIN_FLOAT": "FLOAT64",
        "C_BIN_DOUBLE": "FLOAT64",
        "C_VARCHAR2": "STRING",
        "C_CHAR": "STRING",
        "C_NVARCHAR2": "STRING",
        "C_NCHAR": "STRING",
        "C_DATE": "DATETIME",
        "C_TS0": "DATETIME",
        "C_TS6": "DATETIME",
        "C_TS9": "STRING",
        "C_TSTZ": "TIMESTAMP",
        "C_TSLTZ": "TIMESTAMP",
        "C_IDS": "STRING",
        "C_IYM": "STRING",
        "C_RAW": "BYTES",
        "C_CLOB": "STRING",
        "C_NCLOB": "STRING",
        "C_BLOB": "BYTES",
    }
    assert plan.bigquery_schema()[0]["mode"] == "REQUIRED"


def test_customer_comment_becomes_the_description(demo: oracledb.Connection) -> None:
    plan, _ = planned(demo, "CUSTOMER")
    described = {f["name"]: f.get("description") for f in plan.bigquery_schema()}
    assert described["CREDIT_LIMIT"] == "Credit limit in EUR"


def test_overrides_on_a_real_cursor(demo: oracledb.Connection) -> None:
    columns = dictionary_columns(demo, "ALL_TYPES")
    overrides = {"ID": "string", "C_BIN_DOUBLE": "string", "C_NUMBER_P_S": "float"}
    plan = plan_columns(columns, type_overrides=overrides)
    rows = parse_lines(fetch_encoded(demo, plan, "ALL_TYPES"))
    assert [row["ID"] for row in rows] == ["1", "2", "3"]
    assert [row["C_BIN_DOUBLE"] for row in rows] == ["3.141592653589793", "-1e+300", None]
    assert [row["C_NUMBER_P_S"] for row in rows] == [-50000.0001, 0.0, None]


def test_integer_override_refuses_a_fraction(demo: oracledb.Connection) -> None:
    columns = dictionary_columns(demo, "ALL_TYPES")
    plan = plan_columns(columns, type_overrides={"C_NUMBER": "integer"})
    with pytest.raises(EncodingError, match=r"'C_NUMBER'.*1234\.5"):
        fetch_encoded(demo, plan, "ALL_TYPES")


def test_a_column_missing_from_the_plan_fails_the_execute(demo: oracledb.Connection) -> None:
    columns = dictionary_columns(demo, "ALL_TYPES")
    plan = plan_columns(columns[:2])
    with demo.cursor() as cursor:
        cursor.outputtypehandler = plan.output_type_handler
        with pytest.raises(EncodingError, match="'C_NUMBER_38' is not in the encoding plan"):
            cursor.execute(f"SELECT ID, C_NUMBER, C_NUMBER_38 FROM {quote_identifier('ALL_TYPES')}")
