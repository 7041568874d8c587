"""Connecting, logging on and the calls without a body, through the real thin driver."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.server import EmulatorServer
from tests.integration.protocol.fake_database import SERVICE_NAME, FakeDatabase


def test_connect_with_keyword_parameters(emulator: EmulatorServer) -> None:
    connection = oracledb.connect(
        user="scott",
        password="tiger",
        host="127.0.0.1",
        port=emulator.port,
        service_name=SERVICE_NAME.lower(),  # service names are case-insensitive
    )
    try:
        assert connection.thin
        assert connection.version == "19.0.0.0.0"
        assert connection.username == "scott"
    finally:
        connection.close()


def test_connect_with_easy_connect_dsn(connect: Callable[..., oracledb.Connection]) -> None:
    connection = connect()
    connection.ping()
    assert connection.is_healthy()


def test_mixed_case_password(connect: Callable[..., oracledb.Connection]) -> None:
    connection = connect(user="mixed", password="Pa55-Word!")
    connection.ping()


def test_wrong_password_is_ora_01017(connect: Callable[..., oracledb.Connection]) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        connect(password="TIGER")
    assert failure.value.args[0].full_code == "ORA-01017"


def test_unknown_user_is_ora_01017(connect: Callable[..., oracledb.Connection]) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        connect(user="nobody")
    assert failure.value.args[0].full_code == "ORA-01017"


def test_wrong_service_is_refused_by_the_listener(emulator: EmulatorServer) -> None:
    with pytest.raises(oracledb.OperationalError) as failure:
        oracledb.connect(user="scott", password="tiger", dsn=f"127.0.0.1:{emulator.port}/NOPE")
    assert "DPY-6001" in str(failure.value)
    assert "ORA-12514" in str(failure.value)


def test_ping_commit_rollback_reach_the_session(
    conn: oracledb.Connection, fake_db: FakeDatabase
) -> None:
    commits, rollbacks = fake_db.commits, fake_db.rollbacks
    conn.ping()
    conn.commit()
    conn.rollback()
    conn.ping()
    assert (fake_db.commits, fake_db.rollbacks) == (commits + 1, rollbacks + 1)


def test_logoff_closes_the_session(
    connect: Callable[..., oracledb.Connection], fake_db: FakeDatabase
) -> None:
    closed = fake_db.sessions_closed
    connect().close()
    assert fake_db.sessions_closed == closed + 1


def test_session_log_lines(
    connect: Callable[..., oracledb.Connection], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="oracle_emulator")
    connection = connect()
    with connection.cursor() as cursor:
        cursor.execute("select * from numbers").fetchall()
        cursor.execute("select * from numbers").fetchall()
    connection.close()

    def messages() -> list[str]:
        return [record.getMessage() for record in caplog.records]

    def closed() -> bool:
        return any("closed: user SCOTT" in m and "2 statements" in m for m in messages())

    deadline = time.monotonic() + 10  # the server logs the close after the client left
    while not closed() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert any("opened: user SCOTT from 127.0.0.1:" in m for m in messages())
    assert closed()


def test_transaction_in_progress_follows_dml(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        cursor.execute("insert into sink values (1)")
        assert conn.transaction_in_progress
        conn.commit()
        assert not conn.transaction_in_progress


def test_current_schema_piggyback(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    conn.current_schema = "hr"
    conn.ping()  # the piggyback rides on the next call
    assert fake_db.last("alter session set current_schema")[-1].sql.endswith("= hr")


def test_end_to_end_attributes_piggyback(conn: oracledb.Connection) -> None:
    conn.module = "etl module"
    conn.action = ""  # an empty string is sent unlike None: both must parse
    conn.client_identifier = "client ✓"
    conn.clientinfo = "info"
    conn.dbop = "op"
    with conn.cursor() as cursor:
        assert cursor.execute("select * from numbers").fetchone() == (1, "row 1")
    conn.action = None
    conn.module = ""
    conn.ping()
    assert conn.is_healthy()


@pytest.mark.parametrize(
    ("proposed", "agreed"), [(None, 8192), (65_536, 65_536), (2_097_152, 2_097_152)]
)
def test_sdu_is_the_clients_proposal(
    connect: Callable[..., oracledb.Connection], proposed: int | None, agreed: int
) -> None:
    connection = connect() if proposed is None else connect(sdu=proposed)
    assert connection.sdu == agreed
    with connection.cursor() as cursor:  # replies larger than the SDU come in several packets
        rows = cursor.execute("select * from types").fetchall()
        assert len(rows) == 3


def test_sdu_beyond_the_servers_limit(fake_db: FakeDatabase) -> None:
    with EmulatorServer(fake_db, max_sdu=16_384) as server:
        dsn = f"127.0.0.1:{server.port}/{SERVICE_NAME}"
        with oracledb.connect(user="scott", password="tiger", dsn=dsn, sdu=65_536) as connection:
            assert connection.sdu == 16_384
            with connection.cursor() as cursor:
                cursor.arraysize = 500
                assert len(cursor.execute("select * from lobs").fetchall()) == 3
