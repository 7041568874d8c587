"""NUMBER as the driver's exact decimal text: always a valid JSON-ready decimal ("0.5", never
".5"), never rounded through a float."""

from __future__ import annotations

import decimal

import oracledb

from .conftest import fetch_encoded, parse_lines, planned

VALUES = [
    ("0.5", "0.5"),
    ("-0.5", "-0.5"),
    ("0.05", "0.05"),
    ("-50000.00", "-50000"),  # Oracle keeps no trailing zeros
    ("123456789.123456789", "123456789.123456789"),
    ("0.1", "0.1"),
    ("1E-30", "0.000000000000000000000000000001"),
    ("-1E-130", "-0." + "0" * 129 + "1"),
    ("100", "100"),
    ("-0", "0"),
    ("99999999999999999999999999999999999999", "99999999999999999999999999999999999999"),
]


def test_decimal_text(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table("ENC_DECIMALS", "ID NUMBER(3) NOT NULL, N NUMBER, F FLOAT(126)")
    with demo.cursor() as cursor:
        # one row at a time: the emulator stores a whole executemany batch as DOUBLE when
        # one of its values does not fit DuckDB's DECIMAL(38)
        for i, (value, _) in enumerate(VALUES):
            number = decimal.Decimal(value)
            cursor.execute(f'INSERT INTO "{table}" VALUES (:1, :2, :3)', [i, number, number])
    demo.commit()

    plan, _ = planned(demo, table)
    rows = parse_lines(fetch_encoded(demo, plan, table))
    assert [row["N"] for row in rows] == [text for _, text in VALUES]
    assert [row["F"] for row in rows] == [text for _, text in VALUES]
    for row, (value, _) in zip(rows, VALUES, strict=True):
        assert decimal.Decimal(row["N"]) == decimal.Decimal(value)


def test_scaled_number_rounds_as_oracle_does(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table("ENC_SCALED", "ID NUMBER(3) NOT NULL, P NUMBER(12,2), I NUMBER(10,-2)")
    with demo.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{table}" VALUES (:1, :2, :3)',
            [(1, decimal.Decimal("123456789.125"), 1234), (2, decimal.Decimal("-0.004"), -99)],
        )
    demo.commit()

    plan, _ = planned(demo, table)
    assert [e.bigquery_type for e in plan.encodings] == ["INT64", "NUMERIC", "INT64"]
    rows = parse_lines(fetch_encoded(demo, plan, table))
    assert rows == [{"ID": 1, "P": "123456789.13", "I": 1200}, {"ID": 2, "P": "0", "I": -100}]
