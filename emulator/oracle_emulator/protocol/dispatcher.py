"""Routes one request (the TTC messages of one client round trip) to its handler.

A request is any number of piggybacks followed by one message that expects a reply: a
function call, or during connection setup the PROTOCOL or DATA_TYPES exchange. The reply
always ends with an end-of-call record: an engine :class:`OracleError` becomes the error in
that record, anything else ORA-00600 (and a logged traceback, since it is an emulator bug).

:meth:`Dispatcher._call` is the one place where a call's failure becomes its reply: every
function (logon, execute, fetch, LOB operations, commit...) and everything it does (bind
decoding, SQL translation, the engine, row encoding) runs inside it, and it is the last
point that still knows the call's own framing, so the session can go on after the answer.
A call whose body does not parse is answered ORA-03137, as Oracle answers one. Only what
breaks the framing of the request itself (an unknown message type, a break, the client
going away) leaves it, and ends the connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from oracle_emulator.api import ORA_INTERNAL, OracleError
from oracle_emulator.protocol import calls
from oracle_emulator.protocol.auth import Verifiers
from oracle_emulator.protocol.buffer import (
    ProtocolError,
    ReadBuffer,
    RequestInterrupted,
)
from oracle_emulator.protocol.constants import Function, MessageType
from oracle_emulator.protocol.errors import EndOfCall, malformed, reported
from oracle_emulator.protocol.execute import ExecuteHandler
from oracle_emulator.protocol.lob_ops import handle_lob_op, parse_lob_op
from oracle_emulator.protocol.logon import LogonHandler
from oracle_emulator.protocol.negotiation import (
    data_types_reply,
    protocol_reply,
    read_data_types_request,
    read_protocol_request,
)
from oracle_emulator.protocol.piggybacks import handle_piggyback
from oracle_emulator.protocol.state import ConnectionState

log = logging.getLogger(__name__)

ORA_SESSION_KILLED = 28

Handler = Callable[[ReadBuffer], bytes]


def session_killed() -> OracleError:
    """What a killed session's next call gets; the driver takes it for a closed connection
    (DPY-4011) and drops the connection, as from Oracle."""
    return OracleError(ORA_SESSION_KILLED, "your session has been killed")


class Dispatcher:
    """One connection's message router; :meth:`handle` returns the reply bytes (b"" when
    the message expects none)."""

    def __init__(self, state: ConnectionState, verifiers: Verifiers) -> None:
        self.state = state
        self._logon = LogonHandler(state, verifiers)
        execute = ExecuteHandler(state)
        self._functions: dict[int, Handler] = {
            Function.AUTH_PHASE_ONE: self._logon.phase_one,
            Function.AUTH_PHASE_TWO: self._logon.phase_two,
            Function.EXECUTE: execute.execute,
            Function.REEXECUTE: lambda buf: execute.reexecute(buf, and_fetch=False),
            Function.REEXECUTE_AND_FETCH: lambda buf: execute.reexecute(buf, and_fetch=True),
            Function.FETCH: execute.fetch,
            Function.LOB_OP: lambda buf: (
                handle_lob_op(parse_lob_op(buf), state.lobs) + EndOfCall().encode()
            ),
            Function.COMMIT: lambda _buf: calls.commit(state),
            Function.ROLLBACK: lambda _buf: calls.rollback(state),
            Function.PING: lambda _buf: calls.ping(state),
            Function.LOGOFF: lambda _buf: calls.logoff(state),
        }
        #: the function code of the last call, for logs
        self.last_function = 0

    def handle(self, buf: ReadBuffer) -> bytes:
        while True:
            message_type = buf.read_uint8()
            if message_type == MessageType.PIGGYBACK:
                self._piggyback(buf)
            elif message_type == MessageType.FUNCTION:
                code = buf.read_uint8()
                buf.read_uint8()  # sequence number
                return self._call(code, buf)
            elif message_type == MessageType.PROTOCOL:
                read_protocol_request(buf)
                return protocol_reply()
            elif message_type == MessageType.DATA_TYPES:
                read_data_types_request(buf)
                return data_types_reply()
            elif message_type == MessageType.ONEWAY_FN:
                return b""  # DRCP session release: no reply expected
            else:
                raise ProtocolError(f"unexpected message type {message_type}")

    def _piggyback(self, buf: ReadBuffer) -> None:
        try:
            handle_piggyback(buf, self.state)
        except (ProtocolError, RequestInterrupted):
            raise
        except Exception:
            log.exception("session %d: piggyback failed", self.state.session_id)

    def _call(self, code: int, buf: ReadBuffer) -> bytes:
        self.last_function = code
        if self._killed():  # the rest of the call goes unread: the connection ends
            return self._killed_reply()
        reply = self._run_call(code, buf)
        if self._killed():  # killed while the call ran (which interrupted it)
            return self._killed_reply()
        return reply

    def _killed(self) -> bool:
        session = self.state.session
        return session is not None and bool(getattr(session, "killed", False))

    def _killed_reply(self) -> bytes:
        self.state.ended = True
        log.info("session %d: killed: answered ORA-00028, disconnecting", self.state.session_id)
        return EndOfCall(error=session_killed()).encode()

    def _run_call(self, code: int, buf: ReadBuffer) -> bytes:
        handler = self._functions.get(code)
        if handler is None:
            log.warning("session %d: unsupported function %d", self.state.session_id, code)
            error = OracleError(ORA_INTERNAL, f"internal error code, arguments: [ttc {code}]")
            return EndOfCall(error=error).encode()
        try:
            return handler(buf)
        except RequestInterrupted:
            raise
        except ProtocolError as exc:
            log.warning("session %d: function %d malformed: %s", self.state.session_id, code, exc)
            return EndOfCall(error=malformed(exc)).encode()
        except Exception as exc:
            error = reported(exc, self.state.session_id, f"function {code}")
            return EndOfCall(error=error).encode()
