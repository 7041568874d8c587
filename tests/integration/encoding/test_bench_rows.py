"""The benchmark shape at volume: every line parses and equals the driver's own values."""

from __future__ import annotations

import datetime as dt
import decimal

import oracledb

from airflow_oracle_etl.identifiers import quote_identifier

from .conftest import fetch_encoded, parse_lines, planned

ROWS = 10_001


def _reference(connection: oracledb.Connection, names: list[str]) -> list[tuple]:
    """The same rows fetched plainly, NUMBERs as Decimal: what the JSON must equal."""

    def exact_numbers(cursor: oracledb.Cursor, metadata: oracledb.FetchInfo):
        if metadata.type_code is oracledb.DB_TYPE_NUMBER:
            return cursor.var(decimal.Decimal, arraysize=cursor.arraysize)
        return None

    with connection.cursor() as cursor:
        cursor.outputtypehandler = exact_numbers
        select = ", ".join(quote_identifier(name) for name in names)
        cursor.execute(f"SELECT {select} FROM BENCH_ROWS WHERE ID <= {ROWS} ORDER BY ID")
        return cursor.fetchall()


def test_bench_rows_match_the_driver(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table(
        "ENC_BENCH",
        "ID NUMBER(12) NOT NULL, AMOUNT NUMBER(12,2), QTY NUMBER(6), PRICE BINARY_DOUBLE, "
        "NAME VARCHAR2(40), DESCRIPTION VARCHAR2(200), STATUS CHAR(1), CREATED DATE, "
        "UPDATED TIMESTAMP(6), NOTE VARCHAR2(100), CODE VARCHAR2(10), FLAG NUMBER(1)",
    )
    with demo.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" SELECT * FROM BENCH_ROWS WHERE ID <= {ROWS}')
    demo.commit()

    plan, _ = planned(demo, table)
    data = fetch_encoded(demo, plan, table, arraysize=997)
    rows = parse_lines(data)
    reference = _reference(demo, plan.names)
    assert len(rows) == len(reference) == ROWS
    for line, expected in zip(rows, reference, strict=True):
        assert list(line) == plan.names
        got = list(line.values())
        assert got[0] == int(expected[0]) and type(got[0]) is int
        assert (got[1] is None) == (expected[1] is None)
        if got[1] is not None:
            assert decimal.Decimal(got[1]) == expected[1]
        assert got[2] == expected[2]
        assert got[3] == expected[3]
        assert got[4:7] == list(expected[4:7])
        assert [dt.datetime.fromisoformat(v) for v in got[7:9]] == list(expected[7:9])
        assert got[9:11] == list(expected[9:11])
        assert got[11] == expected[11] and type(got[11]) is int
    assert any(line["NOTE"] is None for line in rows)
    assert any(line["NOTE"] is not None for line in rows)
