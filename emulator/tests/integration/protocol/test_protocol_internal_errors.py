"""Internal failures anywhere in a call: ORA-00600 for the client, the traceback in the log,
and a session that goes on.

The thin driver treats ORA-00600 as the end of the session (``errors.py`` maps it to
DPY-4011 and the driver closes its own socket), so through the driver a test can only see
the error, the log and a server that still serves others. That the emulator keeps the
session itself is shown at the wire, with a raw client that makes a second call on the
same socket after the failed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import oracledb
import pytest

from oracle_emulator import codecs
from oracle_emulator.protocol import calls, dispatcher, rows
from oracle_emulator.protocol.constants import MessageType
from oracle_emulator.server import EmulatorServer
from tests.integration import raw_tns as tns
from tests.integration.protocol.fake_database import BOOM_SQL, ECHO_SQL, SERVICE_NAME

ERRORS_LOGGER = "oracle_emulator.protocol.errors"
#: a bind long enough to span several packets of the default SDU
LONG_TEXT = "x" * 20_000


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("injected failure")


@pytest.fixture
def emulator_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="oracle_emulator"):
        yield caplog


def _internal_error(run: Callable[[], object]) -> Any:
    """The driver's error for ``run``: ORA-00600, which the driver reports as DPY-4011."""
    with pytest.raises(oracledb.DatabaseError) as failure:
        run()
    error = failure.value.args[0]
    assert error.code == 600
    assert error.is_session_dead  # the driver's decision, not the emulator's
    return error


def _assert_logged_with_traceback(log: pytest.LogCaptureFixture, text: str) -> None:
    records = [r for r in log.records if r.name == ERRORS_LOGGER and text in r.getMessage()]
    assert records, f"no log record mentions {text!r}"
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None  # the full traceback


def _assert_not_dropped_by_the_server(log: pytest.LogCaptureFixture) -> None:
    messages = [record.getMessage() for record in log.records]
    assert not [m for m in messages if "disconnecting" in m], messages


def test_wire_failed_call_is_answered_and_the_next_call_served(
    emulator: EmulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    emulator_log: pytest.LogCaptureFixture,
) -> None:
    failures = iter([True])
    real_ping = calls.ping

    def ping_once_failing(state: Any) -> bytes:
        if next(failures, False):
            raise RuntimeError("injected failure")
        return real_ping(state)

    monkeypatch.setattr(calls, "ping", ping_once_failing)
    with tns.tns_session(emulator.port, SERVICE_NAME) as sock:
        sock.sendall(tns.PING)
        reply = tns.read_reply(sock)
        assert reply[:1] == bytes((MessageType.ERROR,))
        assert b"ORA-00600: internal error code, arguments: [RuntimeError]" in reply
        assert b"[injected failure]" in reply
        sock.sendall(tns.PING)  # the same socket, the same session
        reply = tns.read_reply(sock)
        assert reply[:1] == bytes((MessageType.ERROR,)) and b"ORA-" not in reply
    _assert_logged_with_traceback(emulator_log, "RuntimeError")
    _assert_not_dropped_by_the_server(emulator_log)


def test_engine_failure(
    connect: Callable[..., oracledb.Connection], emulator_log: pytest.LogCaptureFixture
) -> None:
    connection = connect()
    error = _internal_error(lambda: connection.cursor().execute(BOOM_SQL))
    assert "ORA-00600: internal error code, arguments: [ZeroDivisionError], [kaboom]" in str(error)
    _assert_logged_with_traceback(emulator_log, "ZeroDivisionError")
    _assert_not_dropped_by_the_server(emulator_log)
    assert connect().cursor().execute(ECHO_SQL, ["next"]).fetchone() == ("next",)


def test_bind_decoding_failure(
    connect: Callable[..., oracledb.Connection],
    monkeypatch: pytest.MonkeyPatch,
    emulator_log: pytest.LogCaptureFixture,
) -> None:
    """A bind that fails to decode fails its call only after the whole request (here
    several packets long) was read: nothing of it is left to pass for the next request."""
    connection = connect()
    monkeypatch.setattr(codecs, "decode_bind", _fail)
    _internal_error(lambda: connection.cursor().execute(ECHO_SQL, [LONG_TEXT]))
    _assert_logged_with_traceback(emulator_log, "injected failure")
    _assert_not_dropped_by_the_server(emulator_log)


def test_row_encoding_failure(
    connect: Callable[..., oracledb.Connection],
    monkeypatch: pytest.MonkeyPatch,
    emulator_log: pytest.LogCaptureFixture,
) -> None:
    connection = connect()
    monkeypatch.setattr(rows.RowEncoder, "encode_rows", _fail)
    _internal_error(lambda: connection.cursor().execute(ECHO_SQL, ["row"]).fetchall())
    _assert_logged_with_traceback(emulator_log, "injected failure")


def test_lob_operation_failure(
    connect: Callable[..., oracledb.Connection],
    monkeypatch: pytest.MonkeyPatch,
    emulator_log: pytest.LogCaptureFixture,
) -> None:
    connection = connect()
    monkeypatch.setattr(dispatcher, "handle_lob_op", _fail)
    _internal_error(lambda: connection.createlob(oracledb.DB_TYPE_CLOB).write("text"))
    _assert_logged_with_traceback(emulator_log, "injected failure")


def test_oracle_errors_keep_their_code(
    conn: oracledb.Connection, emulator_log: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(oracledb.DatabaseError) as failure:
        conn.cursor().execute("select nosuch from numbers")
    assert failure.value.args[0].full_code == "ORA-00904"
    assert not [r for r in emulator_log.records if r.name == ERRORS_LOGGER]
    assert conn.cursor().execute(ECHO_SQL, ["still here"]).fetchone() == ("still here",)


def test_executemany_of_a_query_reads_every_bind_row(
    conn: oracledb.Connection, emulator_log: pytest.LogCaptureFixture
) -> None:
    """A query's execute announces no row count, yet executemany sends all its rows; when
    they span packets, a server reading one row took the rest for the next request."""
    with conn.cursor() as cursor:
        cursor.executemany(ECHO_SQL, [[LONG_TEXT], [LONG_TEXT], [LONG_TEXT]])
    assert conn.cursor().execute(ECHO_SQL, ["next"]).fetchone() == ("next",)
    _assert_not_dropped_by_the_server(emulator_log)
