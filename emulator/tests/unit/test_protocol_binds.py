"""Bind rows: the whole request is read before any value is decoded."""

from __future__ import annotations

import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.protocol.binds import BindMeta, BindReader
from oracle_emulator.protocol.buffer import ReadBuffer, encode_with_length
from oracle_emulator.protocol.constants import MessageType
from oracle_emulator.protocol.lobs import LobStore

VARCHAR = BindMeta(ora_type=1, flags=0, buffer_size=100, max_elements=0, csfrm=1)
CLOB = BindMeta(ora_type=112, flags=0, buffer_size=0, max_elements=0, csfrm=1)
ROW = bytes((MessageType.ROW_DATA,))


def _rows(*values: bytes) -> bytes:
    return b"".join(ROW + encode_with_length(value) for value in values)


def test_a_query_reads_the_rows_executemany_sent() -> None:
    """A query's execute says one row; executemany sends more: all are read."""
    buf = ReadBuffer(_rows(b"a", b"b", b"c"))
    rows = BindReader([VARCHAR], LobStore(), is_plsql=False).read_rows(buf, 1, rest=True)
    assert rows == [["a"], ["b"], ["c"]]
    assert buf.at_end()


def test_without_rest_only_the_rows_announced_are_read() -> None:
    buf = ReadBuffer(_rows(b"a", b"b"))
    assert BindReader([VARCHAR], LobStore(), False).read_rows(buf, 1) == [["a"]]
    assert not buf.at_end()


def test_a_value_that_does_not_decode_fails_after_the_request_is_read() -> None:
    """An unknown LOB locator fails the call, with nothing of the request left over."""
    locator = b"\x00" * 40
    row = ROW + bytes((1, len(locator))) + encode_with_length(locator)  # ub4 size, locator
    buf = ReadBuffer(row + row)
    with pytest.raises(OracleError):
        BindReader([CLOB], LobStore(), is_plsql=False).read_rows(buf, 2)
    assert buf.at_end()
