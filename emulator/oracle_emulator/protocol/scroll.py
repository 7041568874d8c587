"""Scrollable cursors: which calls are fetches, and the row each fetch starts at.

A scrollable cursor keeps its whole result on the server, and the thin driver sends every
call for it as a full execute (function 94) whose integer array names a fetch orientation
and a row (``al8i4[10]``, ``al8i4[11]``; ``messages/execute.pyx``, ``cursor.pyx``):

- ``cursor.execute()``: EXECUTE, CURRENT, row 1 (the driver resets its row count first);
- a fetch once the rows the client holds are used up: EXECUTE (and the binds again),
  CURRENT, the row after the last one the client consumed;
- ``cursor.scroll()``: no EXECUTE, then FIRST, LAST, ABSOLUTE n or RELATIVE n. For
  RELATIVE the driver sends the row it wants (its row count plus the offset, already
  checked to be at least 1), not the offset, since only it knows how many of the rows sent
  were consumed.

A call with EXECUTE is therefore a fetch only when it names a row past the first: an
execute again on the same cursor (CURRENT, row 1) runs the statement afresh, so that it
sees the data as it is now, as ``cursor.execute()`` must. The only fetch that also says
CURRENT, row 1 (``prefetchrows = 0``, nothing fetched yet) then reads a fresh result from
its first row, which is what it would have read anyway.

Rows go forward from the start row, up to the count asked for, and ORA-01403 comes with the
last row of the result. A start outside the result sends no rows (with ORA-01403): the
driver makes that DPY-2063 (scroll out of the result set), except for FIRST and LAST on an
empty result. NEXT and PRIOR, which the thin driver never sends, move one row from the
server's position (the last row it sent).
"""

from __future__ import annotations

from oracle_emulator.api import ORA_FETCH_OUT_OF_SEQUENCE, OracleError
from oracle_emulator.protocol.constants import ExecOption, FetchOrientation


def is_positioned_fetch(options: int, orientation: int, row: int) -> bool:
    """Whether a scrollable query's execute call fetches from its open result rather than
    running the statement (see the module's docstring for why row 1 runs it)."""
    if not options & ExecOption.EXECUTE:
        return True
    return not options & ExecOption.PARSE and orientation == FetchOrientation.CURRENT and row > 1


def start_row(orientation: int, row: int, position: int, total: int) -> int:
    """The 1-based row a fetch starts at: outside ``1..total`` when there is none.

    :param orientation: the call's :class:`FetchOrientation`
    :param row: the row the call names (CURRENT, ABSOLUTE, RELATIVE)
    :param position: the server's position, the number of the last row it sent (0: none)
    :param total: the number of rows in the result
    """
    if orientation == FetchOrientation.FIRST:
        return 1
    if orientation == FetchOrientation.LAST:
        return total
    if orientation == FetchOrientation.NEXT:
        return position + 1
    if orientation == FetchOrientation.PRIOR:
        return position - 1
    if orientation in (
        FetchOrientation.CURRENT,
        FetchOrientation.ABSOLUTE,
        FetchOrientation.RELATIVE,
    ):
        return row
    raise OracleError(
        ORA_FETCH_OUT_OF_SEQUENCE, f"fetch out of sequence (fetch orientation {orientation:#x})"
    )


def resting_position(start: int, total: int) -> int:
    """The server's position before sending rows from ``start``: the row before it, or
    before the first row / after the last when ``start`` is outside the result."""
    return min(max(start - 1, 0), total)
