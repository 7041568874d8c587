"""The logon round trips: O5LOGON phase one and two, then the session is opened.

Wrong user names are only told apart from wrong passwords by nobody: phase one answers
every user with a verifier, and phase two fails with ORA-01017 either way.

Every phase two counts as one logon attempt of its user on the fault switchboard, which may
also refuse it (``refuse_logins``: ORA-01017 or ORA-28000 whatever the password), so a test
can tell how many times a client tried.
"""

from __future__ import annotations

import logging

from oracle_emulator.api import (
    ORA_LOGON_DENIED,
    LogonDatabase,
    LogonRequest,
    OracleError,
    Session,
)
from oracle_emulator.protocol.auth import (
    AuthRequest,
    LogonState,
    Verifiers,
    decrypt_password,
    oracle_user_name,
    parse_auth_request,
    server_proof,
    write_parameters,
)
from oracle_emulator.protocol.buffer import ReadBuffer, WriteBuffer
from oracle_emulator.protocol.constants import AUTH_VERSION_NO, AuthKey
from oracle_emulator.protocol.errors import EndOfCall
from oracle_emulator.protocol.session_sync import session_keywords
from oracle_emulator.protocol.state import ConnectionState

log = logging.getLogger(__name__)

_ALTER_SESSION_KEY = "AUTH_ALTER_SESSION"
_MAX_IDENTIFIER_LENGTH = 128
_MAX_OPEN_CURSORS = 300
_SERIAL_NUM = 1
_LOGON_DENIED = OracleError(ORA_LOGON_DENIED, "invalid username/password; logon denied")
_INVALID_OLD_PASSWORD = OracleError(28008, "invalid old password")
#: phase one's keys about the client -> the USERENV parameter showing each
_CLIENT_KEYS = (
    (AuthKey.MACHINE.value, "HOST"),
    (AuthKey.TERMINAL.value, "TERMINAL"),
    (AuthKey.PROGRAM.value, "CLIENT_PROGRAM_NAME"),
    (AuthKey.OS_USER.value, "OS_USER"),
)
_APP_CONTEXT_KEYS = frozenset(
    key.value for key in (AuthKey.APPCTX_NAMESPACE, AuthKey.APPCTX_ATTRIBUTE, AuthKey.APPCTX_VALUE)
)


def _logon_request(
    username: str, request: AuthRequest, client: tuple[tuple[str, str], ...]
) -> LogonRequest:
    proxied = request.pairs.get(AuthKey.PROXY_CLIENT_NAME.value)
    edition = request.pairs.get(AuthKey.EDITION.value)
    return LogonRequest(
        user=username,
        client_user=oracle_user_name(proxied) if proxied else None,
        edition=oracle_user_name(edition) if edition else None,
        app_context=_app_context(request.entries),
        client=client,
    )


def _app_context(entries: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """The (namespace, attribute, value) triples, which come as three pairs each."""
    values = [value for key, value in entries if key in _APP_CONTEXT_KEYS]
    return tuple(zip(values[0::3], values[1::3], values[2::3], strict=False))


class LogonHandler:
    """Functions 118 and 115 for one connection (115 again for a password change)."""

    def __init__(self, state: ConnectionState, verifiers: Verifiers) -> None:
        self._state = state
        self._verifiers = verifiers
        self._logon: LogonState | None = None
        #: what the client said about itself in phase one, for SYS_CONTEXT
        self._client: tuple[tuple[str, str], ...] = ()
        #: the logged-on session's key: a later password change is encrypted with it
        self._session_key: bytes | None = None

    def phase_one(self, buf: ReadBuffer) -> bytes:
        request = parse_auth_request(buf)
        username = oracle_user_name(request.username)
        self._client = tuple(
            (name, request.pairs[key]) for key, name in _CLIENT_KEYS if request.pairs.get(key)
        )
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
        if self._logon is None and self._state.session is not None and request.changes_password:
            return self._change_password(request)
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
        try:
            state.session = self._open_session(logon.username, request, session_key)
        except OracleError as exc:
            log.info("session %d: logon of %s refused: %s", state.session_id, username, exc)
            return EndOfCall(error=exc).encode()
        state.username = getattr(state.session, "username", logon.username)
        state.known_keywords = session_keywords(state.session)
        self._session_key = session_key
        refused = self._alter_session(request.pairs.get(_ALTER_SESSION_KEY, ""))
        if refused is not None:
            return EndOfCall(error=refused).encode()
        out = WriteBuffer()
        write_parameters(out, self._session_pairs(server_proof(session_key)))
        return out.getvalue() + EndOfCall().encode()

    def _open_session(self, username: str, request: AuthRequest, session_key: bytes) -> Session:
        """The session the logon asks for, then the password change it carries
        (``newpassword``), which a refused logon does not make."""
        database = self._state.database
        if not isinstance(database, LogonDatabase):
            return database.open_session(username)
        session = database.logon(_logon_request(username, request, self._client))
        new_password = decrypt_password(session_key, request.pairs.get(AuthKey.NEW_PASSWORD.value))
        if new_password is not None:
            try:
                database.change_password(username, new_password.decode())
            except OracleError:
                session.close()
                raise
        return session

    def _change_password(self, request: AuthRequest) -> bytes:
        """``connection.changepassword(old, new)``: both encrypted with the session key."""
        database = self._state.database
        username = self._state.username
        key = self._session_key
        old = decrypt_password(key, request.pairs.get(AuthKey.PASSWORD.value)) if key else None
        new = decrypt_password(key, request.pairs.get(AuthKey.NEW_PASSWORD.value)) if key else None
        current = database.authenticate(username)
        if old is None or new is None or current is None or old.decode() != current:
            return EndOfCall(error=_INVALID_OLD_PASSWORD).encode()
        if not isinstance(database, LogonDatabase):
            return EndOfCall(error=_LOGON_DENIED).encode()
        try:
            database.change_password(username, new.decode())
        except OracleError as exc:
            return EndOfCall(error=exc).encode()
        log.info("session %d: %s changed its password", self._state.session_id, username)
        return EndOfCall().encode()

    def _session_pairs(self, proof: str) -> list[tuple[str, str, int]]:
        database = self._state.database
        service = database.service_name
        session = self._state.session
        sid = getattr(session, "session_id", self._state.session_id)
        serial = getattr(session, "serial", _SERIAL_NUM)
        db_name = getattr(database, "db_name", service)
        return [
            (AuthKey.VERSION_NO.value, str(AUTH_VERSION_NO), 0),
            (AuthKey.SESSION_ID.value, str(sid), 0),
            (AuthKey.SERIAL_NUM.value, str(serial), 0),
            (AuthKey.SVR_RESPONSE.value, proof, 0),
            (AuthKey.SERVICE_NAME.value, service, 0),
            (AuthKey.INSTANCE_NAME.value, db_name, 0),
            (AuthKey.DB_NAME.value, db_name, 0),
            (AuthKey.REAL_DB_UNIQUE_NAME.value, db_name, 0),
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
