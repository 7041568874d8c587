"""LOB locators and the per-connection store behind them.

A fetched CLOB/BLOB reaches the client as a locator: an opaque byte string that the driver
sends back in LOB operations (function 96) to read the data, ask its length, write, trim or
free it. Oracle's locators point into the database; ours point into a per-connection store
of Python values (``str`` for CLOB/NCLOB, ``bytes`` for BLOB), so a LOB stays readable for
as long as the client holds it, even after its cursor is gone.

Locator layout (40 bytes, the size the driver reserves for temporary LOBs). The driver reads
bytes 4 and 7: ``0x40`` in byte 4 (abstract) or ``0x01`` in byte 7 (temporary) make it free
the LOB later through a piggyback, and ``0x80`` in byte 6 would switch CLOBs to UTF-16; so
persistent LOBs set neither (CLOB data travels as UTF-8) and only client-created temporary
LOBs carry the temporary flag::

    0-1   length of the rest (38)        8-15  magic b"EMULOB01"
    2-3   version (1)                    16-23 LOB id (big-endian)
    4     flags: 0x01 = BLOB             24    kind: 1 CLOB, 2 NCLOB, 3 BLOB
    5     flags: 0x08 = initialized      25-39 zero
    6     flags: 0
    7     flags: 0x01 = temporary
"""

from __future__ import annotations

import enum
import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass

from oracle_emulator.api import OracleError, OracleType
from oracle_emulator.protocol.constants import (
    LOB_LOC_FLAGS_BLOB,
    LOB_LOC_FLAGS_INIT,
    LOB_LOC_FLAGS_TEMP,
    LOB_LOCATOR_LENGTH,
)

_MAGIC = b"EMULOB01"
_VERSION = 1
_ID_OFFSET = 16
_KIND_OFFSET = 24
_MAGIC_OFFSET = 8
_LENGTH_FIELD = 2
#: persistent LOBs kept per connection; the oldest are forgotten beyond this
MAX_PERSISTENT_LOBS = 200_000
ORA_INVALID_LOB_LOCATOR = 22275
ORA_LOB_OFFSET_BEYOND_END = 22925
_UTF16_UNIT = 2


class LobKind(enum.IntEnum):
    CLOB = 1
    NCLOB = 2
    BLOB = 3

    @classmethod
    def of(cls, column_type: OracleType) -> LobKind:
        return {
            OracleType.CLOB: cls.CLOB,
            OracleType.NCLOB: cls.NCLOB,
            OracleType.BLOB: cls.BLOB,
        }[column_type]

    @property
    def is_character(self) -> bool:
        return self is not LobKind.BLOB

    def encode(self, value: str | bytes) -> bytes:
        """Wire bytes of LOB data: UTF-8 for CLOB, UTF-16BE for NCLOB, as-is for BLOB."""
        if isinstance(value, bytes):
            return value
        return value.encode("utf-16-be" if self is LobKind.NCLOB else "utf-8")

    def decode(self, data: bytes) -> str | bytes:
        if self is LobKind.BLOB:
            return data
        return data.decode("utf-16-be" if self is LobKind.NCLOB else "utf-8")


@dataclass
class LobValue:
    kind: LobKind
    value: str | bytes
    temporary: bool = False
    is_open: bool = False

    @property
    def size(self) -> int:
        """LOB length as Oracle counts it: bytes for BLOB, UTF-16 code units for CLOBs."""
        value = self.value
        if isinstance(value, bytes) or value.isascii():
            return len(value)
        return len(value.encode("utf-16-le")) // _UTF16_UNIT

    def read(self, offset: int, amount: int) -> str | bytes:
        """``amount`` units from the 1-based ``offset`` (characters in UTF-16 code units, so
        that characters outside the BMP count twice, as Oracle counts them)."""
        start = max(offset - 1, 0)
        value = self.value
        if isinstance(value, bytes) or value.isascii():
            return value[start : start + amount]
        units = value.encode("utf-16-le")
        piece = units[start * _UTF16_UNIT : (start + amount) * _UTF16_UNIT]
        return piece.decode("utf-16-le", errors="surrogatepass")

    def write(self, offset: int, data: str | bytes) -> None:
        """Overwrite from the 1-based ``offset``; a gap after the end is filled with zero
        bytes (BLOB) or spaces (CLOB), as Oracle fills it."""
        start = max(offset - 1, 0)
        current = self.value
        if isinstance(current, bytes) and isinstance(data, bytes):
            gap = b"\x00" * max(start - len(current), 0)
            self.value = current[:start] + gap + data + current[start + len(data) :]
        elif isinstance(current, str) and isinstance(data, str):
            text_gap = " " * max(start - len(current), 0)
            self.value = current[:start] + text_gap + data + current[start + len(data) :]
        else:
            raise OracleError(ORA_INVALID_LOB_LOCATOR, "LOB data of the wrong kind")

    def trim(self, new_size: int) -> None:
        self.value = self.read(1, new_size)


def make_locator(lob_id: int, kind: LobKind, temporary: bool) -> bytes:
    locator = bytearray(LOB_LOCATOR_LENGTH)
    locator[0:_LENGTH_FIELD] = (LOB_LOCATOR_LENGTH - _LENGTH_FIELD).to_bytes(2, "big")
    locator[2:4] = _VERSION.to_bytes(2, "big")
    locator[4] = LOB_LOC_FLAGS_BLOB if kind is LobKind.BLOB else 0
    locator[5] = LOB_LOC_FLAGS_INIT
    locator[7] = LOB_LOC_FLAGS_TEMP if temporary else 0
    locator[_MAGIC_OFFSET:_ID_OFFSET] = _MAGIC
    locator[_ID_OFFSET:_KIND_OFFSET] = lob_id.to_bytes(8, "big")
    locator[_KIND_OFFSET] = kind
    return bytes(locator)


def locator_id(locator: bytes) -> int:
    if len(locator) < _KIND_OFFSET or locator[_MAGIC_OFFSET:_ID_OFFSET] != _MAGIC:
        raise OracleError(ORA_INVALID_LOB_LOCATOR, "invalid LOB locator specified")
    return int.from_bytes(locator[_ID_OFFSET:_KIND_OFFSET], "big")


def split_locators(data: bytes) -> list[bytes]:
    """Locators concatenated by the driver's free-temporary-LOB piggyback."""
    locators = []
    pos = 0
    while pos + _LENGTH_FIELD <= len(data):
        size = int.from_bytes(data[pos : pos + _LENGTH_FIELD], "big") + _LENGTH_FIELD
        locators.append(data[pos : pos + size])
        pos += size
    return locators


class LobStore:
    """The LOB values one connection has handed out, by locator id."""

    def __init__(self, max_persistent: int = MAX_PERSISTENT_LOBS) -> None:
        self._values: OrderedDict[int, LobValue] = OrderedDict()
        self._ids = itertools.count(1)
        self._max_persistent = max_persistent
        self._lock = threading.Lock()

    def add(self, kind: LobKind, value: str | bytes, temporary: bool = False) -> bytes:
        """Register ``value``; return its locator."""
        lob_id = next(self._ids)
        with self._lock:
            self._values[lob_id] = LobValue(kind, value, temporary)
            if len(self._values) > self._max_persistent:
                self._evict_oldest_persistent()
        return make_locator(lob_id, kind, temporary)

    def _evict_oldest_persistent(self) -> None:
        for lob_id, lob in self._values.items():
            if not lob.temporary:
                del self._values[lob_id]
                return

    def get(self, locator: bytes) -> LobValue:
        lob = self._values.get(locator_id(locator))
        if lob is None:
            raise OracleError(ORA_INVALID_LOB_LOCATOR, "invalid LOB locator specified")
        return lob

    def free(self, locator: bytes) -> None:
        with self._lock:
            self._values.pop(locator_id(locator), None)

    def __len__(self) -> int:
        return len(self._values)
