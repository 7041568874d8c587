"""The SCN clock, open transactions, row-lock waits and commit/rollback of tagged changes.

Oracle makes a writer wait for the transaction holding a row (or an uncommitted duplicate
key) and then re-evaluates; the engine does the same: a statement that meets another open
transaction's tag undoes itself (its DuckDB transaction), waits here until that transaction
ends, and runs again. A wait that would close a cycle is a deadlock (ORA-00060); a wait
longer than ``lock_timeout`` gives ORA-30006.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from oracle_emulator.api import OracleError
from oracle_emulator.sql.errors import (
    definition_changed,
    invalid_scn,
    lock_timeout,
    snapshot_too_old,
)

#: the SCN the first commit after start gets (Oracle's are large; tests only compare them)
FIRST_SCN = 1_000_000
ORA_DEADLOCK = 60
DEFAULT_LOCK_TIMEOUT_S = 30.0


@dataclass
class ScnClock:
    """Commit SCNs with their times (for AS OF TIMESTAMP) and the oldest readable SCN."""

    current: int = FIRST_SCN
    oldest: int = 1
    _scns: list[int] = field(default_factory=list)
    _times: list[dt.datetime] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self) -> int:
        """A new SCN for a commit or DDL (call with ``commit_lock`` held by the caller)."""
        with self.lock:
            self.current += 1
            self._scns.append(self.current)
            self._times.append(now_precise())
            return self.current

    def check_readable(self, scn: int, created_scn: int = 0) -> int:
        """Raise the ORA error Oracle gives for an unusable flashback SCN."""
        if scn < 1 or scn > self.current:
            raise invalid_scn()
        if scn < self.oldest:
            raise snapshot_too_old()
        if scn < created_scn:
            raise definition_changed()
        return scn

    def check_history(self, scn: int) -> None:
        """ORA-01555 if the history of ``scn`` was purged since a read AS OF it began."""
        if scn < self.oldest:
            raise snapshot_too_old()

    def scn_at(self, moment: dt.datetime) -> int:
        """The last SCN committed at or before ``moment`` (naive UTC)."""
        with self.lock:
            index = bisect.bisect_right(self._times, moment)
            if index == 0:
                raise snapshot_too_old()
            return self._scns[index - 1]

    def time_of(self, scn: int) -> dt.datetime | None:
        with self.lock:
            index = bisect.bisect_right(self._scns, scn)
            return self._times[index - 1] if index else None


def now_precise() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class TxnRegistry:
    """Open transactions and who waits for whom."""

    def __init__(self, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> None:
        self._cond = threading.Condition()
        self._open: set[int] = set()
        self._waits: dict[int, int] = {}
        self.lock_timeout = lock_timeout

    def begin(self, txn_id: int) -> None:
        with self._cond:
            self._open.add(txn_id)

    def end(self, txn_id: int) -> None:
        with self._cond:
            self._open.discard(txn_id)
            self._waits.pop(txn_id, None)
            self._cond.notify_all()

    def is_open(self, txn_id: int) -> bool:
        return txn_id in self._open

    def wait_for(self, waiter: int | None, holder: int) -> None:
        """Block until ``holder`` ends; ORA-00060 on a cycle, ORA-30006 on timeout."""
        deadline = time.monotonic() + self.lock_timeout
        with self._cond:
            if waiter is not None:
                if self._closes_cycle(waiter, holder):
                    raise OracleError(ORA_DEADLOCK, "deadlock detected while waiting for resource")
                self._waits[waiter] = holder
            try:
                while holder in self._open:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise lock_timeout()
                    self._cond.wait(remaining)
            finally:
                if waiter is not None:
                    self._waits.pop(waiter, None)

    def _closes_cycle(self, waiter: int, holder: int) -> bool:
        seen = set()
        current: int | None = holder
        while current is not None and current not in seen:
            if current == waiter:
                return True
            seen.add(current)
            current = self._waits.get(current)
        return False
