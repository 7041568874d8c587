"""Breaks: conn.cancel() and call timeouts interrupt the running statement."""

from __future__ import annotations

import threading

import oracledb
import pytest

from tests.integration.protocol.fake_database import SLOW_SQL


def test_cancel_interrupts_the_statement(conn: oracledb.Connection) -> None:
    timer = threading.Timer(0.3, conn.cancel)
    timer.start()
    with conn.cursor() as cursor:
        with pytest.raises(oracledb.OperationalError) as failure:
            cursor.execute(SLOW_SQL)
        timer.join()
        assert failure.value.args[0].full_code == "ORA-01013"
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")


def test_call_timeout_breaks_and_the_connection_recovers(conn: oracledb.Connection) -> None:
    conn.call_timeout = 300
    with conn.cursor() as cursor:
        with pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(SLOW_SQL)
        assert failure.value.args[0].full_code == "DPY-4024"
        conn.call_timeout = 0
        assert cursor.execute("select * from numbers").fetchall()[-1] == (10, "row 10")
    conn.ping()


def test_cancel_of_an_idle_connection_does_not_break_it(conn: oracledb.Connection) -> None:
    conn.cancel()
    with conn.cursor() as cursor:
        try:
            cursor.execute("select * from numbers")
        except oracledb.OperationalError as exc:  # the break may be reported here, as Oracle does
            assert exc.args[0].full_code == "ORA-01013"
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")
