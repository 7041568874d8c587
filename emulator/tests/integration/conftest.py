"""Helpers for the emulator's own suite: every test talks to it through the real driver."""

from __future__ import annotations

import contextlib
import decimal
import itertools
from collections.abc import Callable, Iterator

import oracledb
import pytest

_names = itertools.count(1)


def decimal_numbers(cursor: oracledb.Cursor, metadata: oracledb.FetchInfo) -> object:
    """Output type handler: fetch NUMBER as Decimal, so comparisons are exact."""
    if metadata.type_code is oracledb.DB_TYPE_NUMBER:
        return cursor.var(decimal.Decimal, arraysize=cursor.arraysize)
    return None


@pytest.fixture
def connection(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    return oracle_connect()


@pytest.fixture
def table_name(connection: oracledb.Connection) -> Iterator[str]:
    """A fresh table name for this test, dropped afterwards (the emulator is shared)."""
    name = f"T_{next(_names)}_{id(connection) % 10_000}"
    yield name
    with connection.cursor() as cursor, contextlib.suppress(oracledb.DatabaseError):
        cursor.execute(f"DROP TABLE {name} PURGE")  # fails if the test never created it
