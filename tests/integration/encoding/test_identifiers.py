"""Quoted, mixed-case and non-ASCII column names become the JSON keys exactly."""

from __future__ import annotations

import oracledb

from airflow_oracle_etl.encoding import plan_columns

from .conftest import dictionary_columns, fetch_encoded, parse_lines

NAMES = ["ID", "Mixed Case", "ünï 東京", "it's", "lower", "SELECT"]


def test_keys_are_the_dictionary_names(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table(
        "Enc Names",
        '"ID" NUMBER(3), "Mixed Case" NUMBER(5,2), "ünï 東京" VARCHAR2(10), "it\'s" DATE, '
        '"lower" CHAR(2), "SELECT" TIMESTAMP(9)',
    )
    with demo.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO \"{table}\" VALUES (1, 1.5, '東', DATE '2024-01-02', 'a', "
            "TIMESTAMP '2024-01-02 03:04:05.123456789')"
        )
    demo.commit()

    columns = dictionary_columns(demo, table)
    assert [c.name for c in columns] == NAMES
    plan = plan_columns(columns, trim_char=True)
    rows = parse_lines(fetch_encoded(demo, plan, table))
    assert rows == [
        {
            "ID": 1,
            "Mixed Case": "1.5",
            "ünï 東京": "東",
            "it's": "2024-01-02T00:00:00",
            "lower": "a",
            "SELECT": "2024-01-02T03:04:05.123456789",
        }
    ]
    assert [list(row) for row in rows] == [NAMES]


def test_a_name_json_must_escape(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table("ENC_ESCAPED", '"ID" NUMBER(3), "back\\slash" NUMBER(6,2)')
    with demo.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" VALUES (1, -0.5)')
    demo.commit()

    plan = plan_columns(dictionary_columns(demo, table))
    assert plan.rowfactory is None  # msgspec cannot rename to it: tuples and dicts instead
    data = fetch_encoded(demo, plan, table)
    assert data == b'{"ID":1,"back\\\\slash":"-0.5"}\n'
    assert parse_lines(data) == [{"ID": 1, "back\\slash": "-0.5"}]
