"""BINARY_DOUBLE and BINARY_FLOAT: numbers, and NaN/Infinity as the strings BigQuery reads."""

from __future__ import annotations

import math

import oracledb

from .conftest import fetch_encoded, planned


def test_nan_and_infinities(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table("ENC_FLOATS", "ID NUMBER(3) NOT NULL, BD BINARY_DOUBLE, BF BINARY_FLOAT")
    values = [math.nan, math.inf, -math.inf, 0.1, -0.0, 1e308, None]
    with demo.cursor() as cursor:
        cursor.setinputsizes(None, oracledb.DB_TYPE_BINARY_DOUBLE, oracledb.DB_TYPE_BINARY_FLOAT)
        cursor.executemany(
            f'INSERT INTO "{table}" VALUES (:1, :2, :3)',
            [(i, v, None if v == 1e308 else v) for i, v in enumerate(values)],
        )
    demo.commit()

    plan, _ = planned(demo, table)
    lines = fetch_encoded(demo, plan, table).decode().splitlines()
    assert lines == [
        '{"ID":0,"BD":"NaN","BF":"NaN"}',
        '{"ID":1,"BD":"Infinity","BF":"Infinity"}',
        '{"ID":2,"BD":"-Infinity","BF":"-Infinity"}',
        # a BINARY_FLOAT is written as the exact double of its 32-bit value
        '{"ID":3,"BD":0.1,"BF":0.10000000149011612}',
        '{"ID":4,"BD":-0.0,"BF":-0.0}',
        '{"ID":5,"BD":1e308,"BF":null}',
        '{"ID":6,"BD":null,"BF":null}',
    ]
