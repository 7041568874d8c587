"""``ALTER SYSTEM KILL SESSION`` and ``ALTER SYSTEM DISCONNECT SESSION``.

Oracle's SQL Language Reference, ALTER SYSTEM: ``KILL SESSION 'sid, serial# [, @inst]'
[IMMEDIATE | NOWAIT | FORCE TIMEOUT n]`` marks the session killed: its transaction is rolled
back and its next call fails with ORA-00028 "your session has been killed" (the thin driver
reports DPY-4011 and drops the connection). It needs the ALTER SYSTEM privilege (ORA-01031);
a pair naming no session is ORA-00030, one's own session ORA-00027, a session already
killed ORA-00031. DISCONNECT SESSION ends the session the same way here. Other ALTER SYSTEM
clauses (FLUSH, SET, CHECKPOINT...) change nothing the emulator models: a privileged user's
are accepted and ignored.

Like every ALTER SYSTEM statement, it does not commit the killer's own transaction.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from oracle_emulator.api import OracleError
from oracle_emulator.sql import privileges

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

log = logging.getLogger(__name__)

ORA_INVALID_SESSION_ID = 26
ORA_CANNOT_KILL_CURRENT = 27
ORA_NO_SUCH_SESSION = 30
ORA_MARKED_FOR_KILL = 31

_SESSION_CLAUSE = re.compile(
    r"^\s*ALTER\s+SYSTEM\s+(?P<verb>KILL|DISCONNECT)\s+SESSION\s+'(?P<id>[^']*)'",
    re.IGNORECASE,
)
_SESSION_ID = re.compile(r"^\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*@\s*\d+\s*)?$")


def alter_system(session: EmulatorSession, sql: str) -> None:
    """Run an ALTER SYSTEM statement for ``session``."""
    if not may_alter_system(session):
        raise OracleError(privileges.ORA_INSUFFICIENT_PRIVILEGES, "insufficient privileges")
    clause = _SESSION_CLAUSE.match(sql)
    if clause is None:
        log.info("ALTER SYSTEM accepted and ignored: %s", sql)
        return
    sid, serial = _session_id(clause.group("id"))
    target = session.db.sessions.find(sid, serial)
    if target is None:
        raise OracleError(ORA_NO_SUCH_SESSION, "User session ID does not exist.")
    if target is session:
        raise OracleError(ORA_CANNOT_KILL_CURRENT, "cannot kill current session")
    if target.killed:
        raise OracleError(ORA_MARKED_FOR_KILL, "session marked for kill")
    target.kill()
    log.info("session %d,%d (%s) killed by %s", sid, serial, target.username, session.username)


def may_alter_system(session: EmulatorSession) -> bool:
    """SYS, SYSTEM, DBA role holders and users granted ALTER SYSTEM."""
    catalogue = session.db.catalogue
    held = catalogue.grants.get(session.username, set())
    return privileges.is_administrator(catalogue, session.username) or (
        privileges.ALTER_SYSTEM in held
    )


def _session_id(text: str) -> tuple[int, int]:
    match = _SESSION_ID.match(text)
    if match is None:
        raise OracleError(ORA_INVALID_SESSION_ID, "missing or invalid session ID")
    return int(match.group(1)), int(match.group(2))
