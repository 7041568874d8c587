"""Fault switches: make the emulator fail the way a real Oracle database or network does.

A test arms a fault, runs the code under test through the real driver, and reads the counters
to see what the client did (how many logons it tried, where a fault fired). Faults::

    faults.drop_connection_after(rows=5_000, table="BENCH_ROWS")   # socket reset mid-fetch
    faults.snapshot_too_old_after(rows=5_000, table="BENCH_ROWS")  # ORA-01555 mid-fetch
    faults.refuse_logins(times=1, user="DEMO")                     # ORA-01017 (or code=28000)
    faults.listener_down(seconds=2.0)                              # connects refused, then up
    faults.status()                                                # armed faults and counters
    faults.clear()                                                 # disarm all, listener up

The switchboard lives in the emulator's process (``EmulatorServer.faults``); a test in another
process drives it through the loopback control port of :mod:`.control`, with the same methods
(``EmulatorProcess.faults``). Every switch is thread-safe: sessions consult it from their own
threads while a test arms it from the control thread.

Row faults fire once a cursor of a matching query has sent ``rows`` rows: fetches are cut
short so that exactly ``rows`` rows reach the client first, as if the failure struck between
two network packets. ``table`` limits a fault to statements naming that table (a whole word of
the SQL text, any case), so that the dictionary queries of the same extraction pass untouched;
``times`` is how many cursors it fires for before it disarms itself (a retry then succeeds).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from oracle_emulator.api import ORA_LOGON_DENIED, OracleError
from oracle_emulator.protocol.buffer import RequestInterrupted
from oracle_emulator.sql.errors import snapshot_too_old

__all__ = [
    "ACTIONS",
    "ConnectionDropped",
    "FaultSwitchboard",
    "ListenerSwitch",
]

log = logging.getLogger(__name__)

DROP_CONNECTION = "drop_connection"
SNAPSHOT_TOO_OLD = "snapshot_too_old"
ORA_ACCOUNT_LOCKED = 28000
#: what a refused logon says, by ORA number (the texts are Oracle's)
_LOGON_MESSAGES = {
    ORA_LOGON_DENIED: "invalid username/password; logon denied",
    ORA_ACCOUNT_LOCKED: "The account is locked.",
}
#: the switchboard methods a control client may call (everything else is refused)
ACTIONS = frozenset(
    {
        "drop_connection_after",
        "snapshot_too_old_after",
        "refuse_logins",
        "listener_down",
        "listener_up",
        "clear",
    }
)


class ConnectionDropped(RequestInterrupted):
    """Raised inside a call to cut the connection: no reply, the socket is reset."""


class ListenerSwitch(Protocol):
    """What the server offers for ``listener_down``: close and reopen its listening socket
    (the port stays reserved, so clients are refused rather than sent elsewhere)."""

    def stop_listening(self) -> None: ...

    def start_listening(self) -> None: ...


@dataclass
class _RowFault:
    kind: str
    after_rows: int
    table: str | None
    remaining: int

    def matches(self, sql: str) -> bool:
        if self.table is None:
            return True
        return re.search(rf"(?<![\w$#]){re.escape(self.table)}(?![\w$#])", sql, re.I) is not None


@dataclass
class _LogonFault:
    code: int
    user: str | None
    remaining: int


@dataclass(frozen=True)
class RowLimit:
    """For one fetch of a cursor: rows it may still send, or the fault to raise now."""

    rows: int | None
    fire: _RowFault | None = None


_NO_LIMIT = RowLimit(None)


class FaultSwitchboard:
    """Armed faults and what happened, shared by every session of one emulator."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._row_faults: list[_RowFault] = []
        self._logon_faults: list[_LogonFault] = []
        self._listener: ListenerSwitch | None = None
        self._listener_timer: threading.Timer | None = None
        self._listener_down = False
        self._counters: Counter[str] = Counter()
        self._logons: dict[str, Counter[str]] = {}
        self._fired: list[dict[str, Any]] = []

    # --- arming ----------------------------------------------------------------------------

    def drop_connection_after(self, rows: int, table: str | None = None, times: int = 1) -> None:
        """Reset the connection of the next ``times`` matching cursors after ``rows`` rows."""
        self._arm_rows(DROP_CONNECTION, rows, table, times)

    def snapshot_too_old_after(self, rows: int, table: str | None = None, times: int = 1) -> None:
        """Fail the next ``times`` matching cursors with ORA-01555 after ``rows`` rows."""
        self._arm_rows(SNAPSHOT_TOO_OLD, rows, table, times)

    def refuse_logins(
        self, times: int = 1, user: str | None = None, code: int = ORA_LOGON_DENIED
    ) -> None:
        """Refuse the next ``times`` logons (of ``user`` only, if given), whatever the
        password: ORA-01017 as after a password change, or ORA-28000 (account locked)."""
        if code not in _LOGON_MESSAGES:
            raise ValueError(f"code must be one of {sorted(_LOGON_MESSAGES)}, got {code!r}")
        fault = _LogonFault(code, None if user is None else user.upper(), _count(times, "times"))
        with self._lock:
            self._logon_faults.append(fault)

    def listener_down(self, seconds: float | None = None) -> None:
        """Refuse new connections (sessions already open go on), for ``seconds`` if given,
        else until :meth:`listener_up`."""
        if seconds is not None and (isinstance(seconds, bool) or not seconds >= 0):
            raise ValueError(f"seconds must be a non-negative number or None, got {seconds!r}")
        with self._lock:
            listener = self._require_listener()
            self._cancel_timer()
            if not self._listener_down:
                listener.stop_listening()
                self._listener_down = True
            if seconds is not None:
                self._listener_timer = threading.Timer(seconds, self.listener_up)
                self._listener_timer.daemon = True
                self._listener_timer.start()
        log.info("fault: listener down for %s", "ever" if seconds is None else f"{seconds} s")

    def listener_up(self) -> None:
        with self._lock:
            self._cancel_timer()
            if self._listener_down and self._listener is not None:
                self._listener.start_listening()
                self._listener_down = False
                log.info("fault: listener up again")

    def clear(self) -> None:
        """Disarm every fault and bring the listener up; counters restart from zero."""
        self.listener_up()
        with self._lock:
            self._row_faults.clear()
            self._logon_faults.clear()
            self._counters.clear()
            self._logons.clear()
            self._fired.clear()

    def status(self) -> dict[str, Any]:
        """Armed faults and counters, as JSON-ready data."""
        with self._lock:
            return {
                "armed": {
                    "rows": [asdict(fault) for fault in self._row_faults],
                    "logons": [asdict(fault) for fault in self._logon_faults],
                    "listener_down": self._listener_down,
                },
                "counters": dict(self._counters),
                "logons": {user: dict(counts) for user, counts in self._logons.items()},
                "fired": list(self._fired),
            }

    # --- consulted by the emulator ---------------------------------------------------------

    def attach_listener(self, listener: ListenerSwitch) -> None:
        with self._lock:
            self._listener = listener

    def connection_accepted(self) -> None:
        with self._lock:
            self._counters["connections_accepted"] += 1

    def logon_attempt(self, username: str) -> OracleError | None:
        """Count a logon (phase two) of ``username``; the error to refuse it with, if armed."""
        with self._lock:
            counts = self._logons.setdefault(username, Counter())
            counts["attempts"] += 1
            for fault in self._logon_faults:
                if fault.user in (None, username):
                    fault.remaining -= 1
                    if not fault.remaining:
                        self._logon_faults.remove(fault)
                    self._fired.append(
                        {"kind": "refuse_logon", "user": username, "code": fault.code}
                    )
                    return OracleError(fault.code, _LOGON_MESSAGES[fault.code])
        return None

    def logon_refused(self, username: str) -> None:
        with self._lock:
            self._logons.setdefault(username, Counter())["refused"] += 1

    def row_limit(self, sql: str, sent: int) -> RowLimit:
        """Before a cursor of ``sql`` that has sent ``sent`` rows sends more: how many more
        it may send, or the fault that fires now (disarmed once its ``times`` are used)."""
        if not self._row_faults:  # the common case, without taking the lock
            return _NO_LIMIT
        with self._lock:
            matching = [fault for fault in self._row_faults if fault.matches(sql)]
            if not matching:
                return _NO_LIMIT
            fault = min(matching, key=lambda item: item.after_rows)
            if sent < fault.after_rows:
                return RowLimit(fault.after_rows - sent)
            fault.remaining -= 1
            if not fault.remaining:
                self._row_faults.remove(fault)
            self._counters[fault.kind] += 1
            self._fired.append({"kind": fault.kind, "table": fault.table, "rows": sent})
            return RowLimit(0, fault)

    def raise_row_fault(self, fault: _RowFault, session_id: int, rows: int) -> None:
        """Raise what ``fault`` stands for, in the session's thread."""
        log.info("fault: %s in session %d after %d rows", fault.kind, session_id, rows)
        if fault.kind == DROP_CONNECTION:
            raise ConnectionDropped(f"connection dropped after {rows} rows (fault switch)")
        raise snapshot_too_old()

    # --- helpers ---------------------------------------------------------------------------

    def _arm_rows(self, kind: str, rows: int, table: str | None, times: int) -> None:
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise ValueError(f"rows must be a non-negative integer, got {rows!r}")
        if table is not None and (not isinstance(table, str) or not table.strip()):
            raise ValueError(f"table must be a table name or None, got {table!r}")
        fault = _RowFault(
            kind, rows, None if table is None else table.strip(), _count(times, "times")
        )
        with self._lock:
            self._row_faults.append(fault)
        log.info("fault armed: %s after %d rows of %s", kind, rows, table or "any query")

    def _require_listener(self) -> ListenerSwitch:
        if self._listener is None:
            raise RuntimeError("no listener attached to this switchboard")
        return self._listener

    def _cancel_timer(self) -> None:
        timer, self._listener_timer = self._listener_timer, None
        if timer is not None:
            timer.cancel()


def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value
