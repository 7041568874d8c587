"""Scrollable cursors' position arithmetic (protocol/scroll.py), as pure functions."""

from __future__ import annotations

import pytest

from oracle_emulator.api import ORA_FETCH_OUT_OF_SEQUENCE, OracleError
from oracle_emulator.protocol.constants import ExecOption, FetchOrientation
from oracle_emulator.protocol.scroll import is_positioned_fetch, resting_position, start_row

EXECUTE = ExecOption.EXECUTE | ExecOption.FETCH
PARSE = ExecOption.PARSE | EXECUTE
SCROLL = ExecOption.FETCH  # cursor.scroll() sends no EXECUTE


@pytest.mark.parametrize(
    ("options", "orientation", "row", "fetch"),
    [
        (PARSE, FetchOrientation.CURRENT, 1, False),  # first execute
        (EXECUTE, FetchOrientation.CURRENT, 1, False),  # execute again: runs afresh
        (EXECUTE, FetchOrientation.CURRENT, 2, True),  # fetch after the first row
        (EXECUTE, FetchOrientation.CURRENT, 101, True),
        (PARSE, FetchOrientation.CURRENT, 5, False),  # a parse always runs the statement
        (EXECUTE, FetchOrientation.ABSOLUTE, 5, False),  # an execute at a row: runs
        (SCROLL, FetchOrientation.FIRST, 1, True),
        (SCROLL, FetchOrientation.LAST, 0, True),
        (SCROLL, FetchOrientation.ABSOLUTE, 7, True),
        (SCROLL, FetchOrientation.RELATIVE, 1, True),
    ],
)
def test_which_calls_are_fetches(options: int, orientation: int, row: int, fetch: bool) -> None:
    assert is_positioned_fetch(options, orientation, row) is fetch


@pytest.mark.parametrize(
    ("orientation", "row", "position", "total", "start"),
    [
        (FetchOrientation.FIRST, 1, 7, 10, 1),
        (FetchOrientation.FIRST, 1, 0, 0, 1),  # empty: outside
        (FetchOrientation.LAST, 0, 3, 10, 10),
        (FetchOrientation.LAST, 0, 0, 0, 0),  # empty: outside
        (FetchOrientation.ABSOLUTE, 6, 10, 10, 6),
        (FetchOrientation.ABSOLUTE, 12, 2, 10, 12),  # past the end: outside
        (FetchOrientation.RELATIVE, 3, 10, 10, 3),  # the driver sends the target row
        (FetchOrientation.CURRENT, 11, 10, 30, 11),
        (FetchOrientation.NEXT, 0, 4, 10, 5),
        (FetchOrientation.PRIOR, 0, 4, 10, 3),
        (FetchOrientation.PRIOR, 0, 1, 10, 0),  # before the first row: outside
    ],
)
def test_start_row(orientation: int, row: int, position: int, total: int, start: int) -> None:
    assert start_row(orientation, row, position, total) == start


def test_an_unknown_orientation_is_fetch_out_of_sequence() -> None:
    with pytest.raises(OracleError) as failure:
        start_row(0x80, 1, 0, 10)
    assert failure.value.code == ORA_FETCH_OUT_OF_SEQUENCE
    assert "0x80" in str(failure.value)


@pytest.mark.parametrize(
    ("start", "total", "position"),
    [(1, 10, 0), (6, 10, 5), (10, 10, 9), (11, 10, 10), (40, 10, 10), (0, 10, 0), (-3, 10, 0)],
)
def test_resting_position(start: int, total: int, position: int) -> None:
    assert resting_position(start, total) == position
