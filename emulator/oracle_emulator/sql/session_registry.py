"""Every open session by SID, with the serial number that tells its incarnations apart.

Oracle identifies a session to administrators by the pair (SID, SERIAL#): a SID is a slot
that a later session may reuse, the serial number changes with each use, and ``ALTER
SYSTEM KILL SESSION 'sid,serial#'`` must name both, so that a stale pair never kills the
wrong session. The driver learns both at logon (``connection.session_id``,
``connection.serial_num``). Here SIDs are never reused; serial numbers are still drawn per
session (1..65535, the driver keeps them in 16 bits) so that a wrong one is told apart.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from typing import Generic, TypeVar

S = TypeVar("S")

#: serial numbers are unsigned 16-bit values, never 0
MAX_SERIAL = 0xFFFF


class SessionRegistry(Generic[S]):
    """Sessions by SID; thread-safe (sessions open and close from their own threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[int, tuple[int, S]] = {}
        self._sids = itertools.count(1)
        self._serials = itertools.count(secrets.randbelow(MAX_SERIAL))

    def register(self, session: S) -> tuple[int, int]:
        """A new (SID, SERIAL#) for ``session``."""
        with self._lock:
            sid = next(self._sids)
            serial = next(self._serials) % MAX_SERIAL + 1
            self._by_sid[sid] = (serial, session)
            return sid, serial

    def get(self, sid: int) -> S | None:
        entry = self._by_sid.get(sid)
        return entry[1] if entry is not None else None

    def find(self, sid: int, serial: int) -> S | None:
        """The session with this SID and SERIAL#, None if none has both."""
        entry = self._by_sid.get(sid)
        if entry is None or entry[0] != serial:
            return None
        return entry[1]

    def forget(self, sid: int) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def sessions(self) -> list[S]:
        with self._lock:
            return [session for _, session in self._by_sid.values()]
