"""The logon round trips: O5LOGON phase one and two, then the session is opened.

Wrong user names are only told apart from wrong passwords by nobody: phase one answers
every user with a verifier, and phase two fails with ORA-01017 either way.

Every phase two counts as one logon attempt of its user on the fault switchboard, which may
also refuse it (``refuse_logins``: ORA-01017 or ORA-28000 whatever the password), so a test
can tell how many times a client tried.
"""

from __future__ import annotations

import logging

from oracle_emulator.api import ORA_LOGON_DENIED, OracleError
from oracle_emulator.protocol.auth import (
    LogonState,
    Verifiers,
    oracle_user_name,
    parse_auth_request,
    server_proof,
    write_parameters,
)
from oracle_emulator.protocol.buffer import ReadBuffer, WriteBuffer
from oracle_emulator.protocol.constants import AUTH_VERSION_NO, AuthKey
from oracle_emulator.protocol.errors import EndOfCall
from oracle_emulator.protocol.state import ConnectionState

log = logging.getLogger(__name__)

_ALTER_SESSION_KEY = "AUTH_ALTER_SESSION"
_MAX_IDENTIFIER_LENGTH = 128
_MAX_OPEN_CURSORS = 300
_SERIAL_NUM = 1
_LOGON_DENIED = OracleError(ORA_LOGON_DENIED, "invalid username/password; logon denied")


class LogonHandler:
    """Functions 118 and 115 for one connection."""

    def __init__(self, state: ConnectionState, verifiers: Verifiers) -> None:
        self._state = state
        self._verifiers = verifiers
        self._logon: LogonState | None = None

    def phase_one(self, buf: ReadBuffer) -> bytes:
        request = parse_auth_request(buf)
        username = oracle_user_name(request.username)
        try:
            password = self._state.database.authenticate(username)
        except OracleError:
            password = None
        self._logon = self._verifiers.start_logon(username, password)
        out = WriteBuffer()
        write_parameters(out, self._logon.phase_one_pairs())
        return out.getvalue() + EndOfCall().encode()

    def phase_two(self, buf: ReadBuffer) -> bytes:
        request = parse_auth_request(buf)
        logon, self._logon = self._logon, None
        username = logon.username if logon is not None else ""
        refusal = self._state.faults.logon_attempt(username)
        session_key = logon.verify(request.pairs) if logon is not None else None
        if refusal is not None or logon is None or session_key is None:
            error = refusal or _LOGON_DENIED
            self._state.faults.logon_refused(username)
            log.info("session %d: logon of %s refused: %s", self._state.session_id, username, error)
            return EndOfCall(error=error).encode()
        state = self._state
        state.session = state.database.open_session(logon.username)
        state.username = logon.username
        refused = self._alter_session(request.pairs.get(_ALTER_SESSION_KEY, ""))
        if refused is not None:
            return EndOfCall(error=refused).encode()
        out = WriteBuffer()
        write_parameters(out, self._session_pairs(server_proof(session_key)))
        return out.getvalue() + EndOfCall().encode()

    def _session_pairs(self, proof: str) -> list[tuple[str, str, int]]:
        service = self._state.database.service_name
        return [
            (AuthKey.VERSION_NO.value, str(AUTH_VERSION_NO), 0),
            (AuthKey.SESSION_ID.value, str(self._state.session_id), 0),
            (AuthKey.SERIAL_NUM.value, str(_SERIAL_NUM), 0),
            (AuthKey.SVR_RESPONSE.value, proof, 0),
            (AuthKey.SERVICE_NAME.value, service, 0),
            (AuthKey.INSTANCE_NAME.value, service, 0),
            (AuthKey.DB_NAME.value, service, 0),
            (AuthKey.MAX_IDEN_LENGTH.value, str(_MAX_IDENTIFIER_LENGTH), 0),
            (AuthKey.MAX_OPEN_CURSORS.value, str(_MAX_OPEN_CURSORS), 0),
        ]

    def _alter_session(self, statement: str) -> OracleError | None:
        """The driver's ``ALTER SESSION SET TIME_ZONE=...`` (from ORA_SDTZ or the client's
        UTC offset), applied as Oracle does: an invalid zone fails the logon with its error
        (ORA-01882 for an unknown region), and the session is closed again."""
        statement = statement.rstrip("\x00").strip()
        session = self._state.session
        if not statement or session is None:
            return None
        try:
            session.execute(statement)
        except OracleError as exc:
            log.info("session %d: %s refused: %s", self._state.session_id, statement, exc)
            self._state.session = None
            session.close()
            return exc
        return None
