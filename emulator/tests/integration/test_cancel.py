"""Cancelling a running statement from another thread: ORA-01013, and the session lives on."""

from __future__ import annotations

import threading

import oracledb
import pytest

SLOW = "SELECT COUNT(*) FROM BENCH_ROWS a, BENCH_ROWS b, BENCH_ROWS c WHERE a.ID + b.ID = c.ID"


def test_cancel_running_statement(connection: oracledb.Connection) -> None:
    timer = threading.Timer(1.0, connection.cancel)
    timer.start()
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
        cursor.execute(SLOW)
    timer.join()
    assert failure.value.args[0].code == 1013
    with connection.cursor() as cursor:
        assert cursor.execute("SELECT 42 FROM DUAL").fetchone() == (42,)
