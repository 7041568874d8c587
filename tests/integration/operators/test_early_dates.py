"""Dates and timestamps at the ends of Oracle's range, through a real task: 4712 BC and 1 BC
(which the driver cannot build as a datetime), 0001-01-01, and 9999-12-31 with nine fraction
digits; exact ISO 8601 text (astronomical years before 1), the manifest, the BigQuery schema
and a watermark on such a column."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import oracledb
import pytest
from google.cloud import storage

from .conftest import DagResult, extract_dag, read_jsonl_parts

OK = "success"
TABLE = "EARLY_DATES"
#: (ID, Oracle's text of the value, with nine fraction digits)
VALUES = [
    (1, "-4712-01-01 00:00:00.000000000"),  # 4712 BC, Oracle's first day
    (2, "-0001-12-31 23:59:59.999999999"),  # 1 BC, the ISO year 0
    (3, "0001-01-01 00:00:00.000000000"),
    (4, "9999-12-31 23:59:59.999999999"),
]
MODEL = "SYYYY-MM-DD HH24:MI:SS.FF9"
EXPECTED = {
    1: {
        "D": "-4711-01-01T00:00:00",
        "T": "-4711-01-01T00:00:00",
        "T9": "-4711-01-01T00:00:00.000000000",
        "Z": "-4711-01-01T00:00:00.000000Z",
    },
    2: {
        "D": "0000-12-31T23:59:59",
        "T": "0000-12-31T23:59:59.999999",
        "T9": "0000-12-31T23:59:59.999999999",
        "Z": "0000-12-31T23:59:59.999999Z",
    },
    3: {
        "D": "0001-01-01T00:00:00",
        "T": "0001-01-01T00:00:00",
        "T9": "0001-01-01T00:00:00.000000000",
        "Z": "0001-01-01T00:00:00.000000Z",
    },
    4: {
        "D": "9999-12-31T23:59:59",
        "T": "9999-12-31T23:59:59.999999",
        "T9": "9999-12-31T23:59:59.999999999",
        "Z": "9999-12-31T23:59:59.999999Z",
    },
}


@pytest.fixture
def early_table(oracle_connect: Callable[..., oracledb.Connection]) -> Iterator[str]:
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {TABLE} (ID NUMBER(2) PRIMARY KEY, D DATE, T TIMESTAMP(6), "
            "T9 TIMESTAMP(9), Z TIMESTAMP(6) WITH TIME ZONE)"
        )
        for ident, text in VALUES:
            value = f"TO_TIMESTAMP('{text}', '{MODEL}')"
            # Oracle rounds to each column's precision; truncate first, as the source would
            point = text.index(".")
            date, micros = text[:point], text[: point + 7]
            cursor.execute(
                f"INSERT INTO {TABLE} VALUES ({ident}, "
                f"TO_DATE('{date}', 'SYYYY-MM-DD HH24:MI:SS'), "
                f"TO_TIMESTAMP('{micros}', 'SYYYY-MM-DD HH24:MI:SS.FF6'), {value}, "
                f"FROM_TZ(TO_TIMESTAMP('{micros}', 'SYYYY-MM-DD HH24:MI:SS.FF6'), '+00:00'))"
            )
        connection.commit()
    yield TABLE
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE} PURGE")


def test_values_before_the_year_one_and_at_9999_export_exactly(
    early_table: str, run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    dag = extract_dag(
        gcs_bucket.name,
        table=early_table,
        transport="early",
        incremental={"column": "D", "initial": "-4712-01-01"},
    )
    result = run_dag(dag)
    assert result.state == OK, result.tasks
    summary = result.xcom("extract")
    manifest = json.loads(gcs_bucket.blob(summary["manifest"]).download_as_bytes())
    rows = {row.pop("ID"): row for row in read_jsonl_parts(gcs_bucket, summary["objects"])}
    assert rows == EXPECTED
    assert manifest["totals"]["rows"] == 4
    # the watermark is Oracle's signed text, bound back with the same model
    assert manifest["watermark"]["column"] == "D"
    assert manifest["watermark"]["low"] == "-4712-01-01 00:00:00"
    assert manifest["watermark"]["high"] == "9999-12-31 23:59:59"
    schema = json.loads(gcs_bucket.blob(manifest["schema_object"]).download_as_bytes())
    types = {field["name"]: field["type"] for field in schema}
    assert types == {
        "ID": "INT64",
        "D": "DATETIME",
        "T": "DATETIME",
        "T9": "STRING",
        "Z": "TIMESTAMP",
    }
