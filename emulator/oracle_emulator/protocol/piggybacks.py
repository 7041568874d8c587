"""Piggybacks (message type 17): small requests the driver prepends to its next call.

None of them gets a reply of its own. Their layouts are the ``_write_*_piggyback`` methods
of ``messages/base.pyx``; each body must be read completely, since the next message starts
right after it.
"""

from __future__ import annotations

import logging

from oracle_emulator.api import OracleError
from oracle_emulator.protocol.buffer import ProtocolError, ReadBuffer
from oracle_emulator.protocol.constants import Function
from oracle_emulator.protocol.lobs import split_locators
from oracle_emulator.protocol.state import ConnectionState
from oracle_emulator.sql.session_context import SessionContext

log = logging.getLogger(__name__)

#: end-to-end attributes: (pointer, length) pairs of client identifier, module, action,
#: then the ECID pair, two unused numbers, client info, two more unused pairs and DBOP
_E2E_LEADING_STRINGS = 3
_E2E_TRAILING_PAIRS = 3
#: the end-to-end fields whose strings follow the header, in write order (USERENV's names)
_E2E_STRING_FIELDS = ("CLIENT_IDENTIFIER", "MODULE", "ACTION", "CLIENT_INFO", "DBOP")
#: application context piggyback flags (``TNS_APP_CONTEXT_FLAG_*``)
_APP_CONTEXT_SET = 0x01
_APP_CONTEXT_CLEAR = 0x02


def handle_piggyback(buf: ReadBuffer, state: ConnectionState) -> None:
    """Read one piggyback (after its message type byte) and apply it."""
    code = buf.read_uint8()
    buf.read_uint8()  # sequence number
    if code == Function.CLOSE_CURSORS:
        _close_cursors(buf, state)
    elif code == Function.SET_END_TO_END_ATTR:
        _end_to_end(buf, state)
    elif code == Function.LOB_OP:
        _free_temp_lobs(buf, state)
    elif code == Function.SET_SCHEMA:
        _set_schema(buf, state)
    elif code == Function.SESSION_STATE:
        buf.read_ub8()  # request boundary flags: nothing to do
    elif code == Function.SET_KEY_VALUE:
        _key_values(buf, state)
    else:
        raise ProtocolError(f"unsupported piggyback function {code}")


def _close_cursors(buf: ReadBuffer, state: ConnectionState) -> None:
    buf.read_uint8()  # pointer
    for _ in range(buf.read_ub4()):
        state.close_cursor(buf.read_ub4())


def _end_to_end(buf: ReadBuffer, state: ConnectionState) -> None:
    """Client identifier, module, action, client info, DBOP: the session keeps the changed
    ones, for SYS_CONTEXT('USERENV', ...) to show."""
    buf.read_uint8()  # pointer (cidnam)
    buf.read_uint8()  # pointer (cidser)
    buf.read_ub4()  # flags
    fields = [(buf.read_uint8(), buf.read_ub4()) for _ in range(_E2E_LEADING_STRINGS)]
    buf.read_uint8()  # pointer (ECID)
    buf.read_ub4()  # ECID length
    buf.read_uint8()  # cidcct
    buf.read_ub4()  # cidecs
    fields.append((buf.read_uint8(), buf.read_ub4()))  # client info
    for _ in range(_E2E_TRAILING_PAIRS - 1):  # cidkstk, cidktgt
        buf.read_uint8()
        buf.read_ub4()
    fields.append((buf.read_uint8(), buf.read_ub4()))  # DBOP
    values = {}
    for name, (pointer, length) in zip(_E2E_STRING_FIELDS, fields, strict=True):
        if not pointer:
            continue
        # a changed value of None has length 0 and no string; an empty string has length 0
        # and a zero length byte, which no following string or message can start with (a
        # call always follows its piggybacks, so peeking never waits for nothing)
        if length or buf.peek_uint8() == 0:
            values[name] = (buf.read_bytes() or b"").decode()
        else:
            values[name] = None
    log.debug("session %d: end-to-end attributes %s", state.session_id, values)
    context = _context(state)
    if context is not None:
        for name, value in values.items():
            context.set_end_to_end(name, value)


def _context(state: ConnectionState) -> SessionContext | None:
    """The session's context (a session of another :class:`~oracle_emulator.api.Database`
    may have none)."""
    context = getattr(state.session, "context", None)
    return context if isinstance(context, SessionContext) else None


def _free_temp_lobs(buf: ReadBuffer, state: ConnectionState) -> None:
    buf.read_uint8()  # pointer
    total = buf.read_ub4()
    buf.read_uint8()  # destination locator pointer
    buf.read_ub4()
    buf.read_ub4()  # source locator
    buf.read_ub4()
    buf.skip(3)  # source offset, destination offset, character set
    buf.read_ub4()  # operation (FREE_TEMP | ARRAY)
    buf.read_uint8()  # SCN
    buf.read_ub4()  # losbscn
    buf.read_ub8()  # lobscnl
    buf.read_ub8()
    buf.read_uint8()
    for _ in range(3):  # array LOB fields
        buf.read_uint8()
        buf.read_ub4()
    for locator in split_locators(buf.read_raw(total)):
        try:
            state.lobs.free(locator)
        except OracleError:
            log.debug("session %d: asked to free an unknown LOB", state.session_id)


def _set_schema(buf: ReadBuffer, state: ConnectionState) -> None:
    buf.read_uint8()  # pointer
    schema = (buf.read_bytes_with_length() or b"").decode()
    if not schema:
        return
    try:
        state.require_session().execute(f"ALTER SESSION SET CURRENT_SCHEMA = {schema}")
    except Exception:
        log.warning("session %d: could not set the current schema to %s", state.session_id, schema)


def _key_values(buf: ReadBuffer, state: ConnectionState) -> None:
    """Application context changes (``connection.set_app_context()``, ``clear_app_context``):
    a namespace with entries to set, or none to clear it. A namespace the client may not set
    fails the call the piggyback came with (ORA-28267)."""
    buf.read_uint8()  # pointer (namespace)
    buf.read_ub4()  # namespace length
    buf.read_uint8()  # pointer (pairs)
    count = buf.read_ub4()
    flags = buf.read_ub2()
    buf.read_uint8()
    namespace = (buf.read_bytes() or b"").decode()
    entries = []
    for _ in range(count):
        key = (buf.read_bytes_with_length() or b"").decode()
        value = (buf.read_bytes_with_length() or b"").decode()
        buf.read_ub4()  # flags
        entries.append((key, value))
    context = _context(state)
    if context is None:
        return
    try:
        if flags & _APP_CONTEXT_CLEAR:
            context.clear_app_context(namespace)
        elif flags & _APP_CONTEXT_SET:
            context.set_app_context(namespace, entries)
    except OracleError as exc:
        state.pending_error = exc
