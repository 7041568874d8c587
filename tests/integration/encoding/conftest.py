"""Helpers for encoding through a real python-oracledb cursor on the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import oracledb
import pytest

from airflow_oracle_etl.encoding import EncodingPlan, plan_columns
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import OracleColumn

DICTIONARY_SQL = """
SELECT c.COLUMN_NAME, c.DATA_TYPE, c.DATA_PRECISION, c.DATA_SCALE, c.CHAR_LENGTH, c.NULLABLE,
       m.COMMENTS
FROM ALL_TAB_COLUMNS c
LEFT JOIN ALL_COL_COMMENTS m
  ON m.OWNER = c.OWNER AND m.TABLE_NAME = c.TABLE_NAME AND m.COLUMN_NAME = c.COLUMN_NAME
WHERE c.OWNER = 'DEMO' AND c.TABLE_NAME = :table_name
ORDER BY c.COLUMN_ID
"""


def dictionary_columns(connection: oracledb.Connection, table: str) -> list[OracleColumn]:
    """The table's columns as the data dictionary declares them (what the hook introspects)."""
    with connection.cursor() as cursor:
        cursor.execute(DICTIONARY_SQL, table_name=table)
        return [
            OracleColumn(
                name=name,
                data_type=data_type,
                precision=precision,
                scale=scale,
                char_length=char_length or 0,
                nullable=nullable == "Y",
                comment=comment,
            )
            for name, data_type, precision, scale, char_length, nullable, comment in cursor
        ]


def fetch_encoded(
    connection: oracledb.Connection,
    plan: EncodingPlan,
    table: str,
    *,
    order_by: str | None = "ID",
    arraysize: int = 10_000,
) -> bytes:
    """SELECT the plan's list from ``table`` with the plan's handler and row factory, and
    encode every batch as the operator will."""
    sql = f"SELECT {plan.select_list(quote_identifier)} FROM {quote_identifier(table)}"
    if order_by:
        sql += f" ORDER BY {quote_identifier(order_by)}"
    encoder = plan.encoder()
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        cursor.arraysize = cursor.prefetchrows = arraysize
        cursor.outputtypehandler = plan.output_type_handler
        cursor.execute(sql)
        cursor.rowfactory = plan.rowfactory  # after execute: the driver resets it there
        while rows := cursor.fetchmany():
            chunks.append(encoder.encode(rows))
    return b"".join(chunks)


def parse_lines(data: bytes) -> list[dict[str, Any]]:
    """Every line parsed; the data must end with a newline and hold no blank line."""
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    return [json.loads(line) for line in lines]


@pytest.fixture
def demo(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    return oracle_connect()


@pytest.fixture
def scratch_table(
    demo: oracledb.Connection,
) -> Iterator[Callable[[str, str], str]]:
    """``create(name, columns_ddl)``: a table dropped after the test."""
    created: list[str] = []

    def create(name: str, columns_ddl: str) -> str:
        with demo.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {quote_identifier(name)} ({columns_ddl})")
        created.append(name)
        return name

    yield create
    with demo.cursor() as cursor:
        for name in created:
            cursor.execute(f"DROP TABLE {quote_identifier(name)}")


def planned(
    connection: oracledb.Connection, table: str, **options: Any
) -> tuple[EncodingPlan, Sequence[OracleColumn]]:
    columns = dictionary_columns(connection, table)
    return plan_columns(columns, **options), columns
