"""BFILE locators and the file operations on them.

A BFILE names a file in a directory object (``BFILENAME('DIR', 'file.txt')``). Its locator
carries both names where the driver reads them back for ``LOB.getfilename()`` without a
round trip (``lob.pyx`` ``get_file_name``): from offset 16, the directory name's length
(2 bytes, big-endian), the name, then the file name's length and the name.

The emulator has no directory objects (``CREATE DIRECTORY`` is not emulated), so, as in an
Oracle database without that directory, every operation that reaches the file (FILEEXISTS,
FILEOPEN, READ, GETLENGTH...) fails with ORA-22285 naming the operation. Closing a file
that is not open and asking whether it is open need no file and answer as Oracle does.
"""

from __future__ import annotations

from oracle_emulator.api import BfileName, OracleError
from oracle_emulator.protocol.buffer import WriteBuffer
from oracle_emulator.protocol.constants import LOB_LOC_FLAGS_INIT, LobOp, MessageType

ORA_NO_DIRECTORY_OR_FILE = 22285
_MAGIC = b"EMUBFILE"
_MAGIC_OFFSET = 8
#: where the directory name's length starts (TNS_LOB_LOC_FIXED_OFFSET in the driver)
_NAMES_OFFSET = 16
_LENGTH_FIELD = 2
_VERSION = 1
#: the operation each LOB operation code is named by in ORA-22285
_FILE_OPERATIONS = {
    LobOp.FILE_EXISTS: "FILEEXISTS",
    LobOp.FILE_OPEN: "FILEOPEN",
    LobOp.READ: "FILEOPEN",
    LobOp.GET_LENGTH: "GETLENGTH",
}


def make_locator(value: BfileName) -> bytes:
    """The locator of a BFILE value."""
    names = b"".join(
        len(part).to_bytes(2, "big") + part
        for part in (value.directory.encode(), value.file_name.encode())
    )
    body = bytearray(_NAMES_OFFSET - _LENGTH_FIELD)
    body[0:2] = _VERSION.to_bytes(2, "big")
    body[3] = LOB_LOC_FLAGS_INIT
    body[_MAGIC_OFFSET - _LENGTH_FIELD : _NAMES_OFFSET - _LENGTH_FIELD] = _MAGIC
    locator = bytes(body) + names
    return len(locator).to_bytes(2, "big") + locator


def is_bfile_locator(locator: bytes) -> bool:
    return locator[_MAGIC_OFFSET:_NAMES_OFFSET] == _MAGIC


def file_operation(locator: bytes, operation: int) -> bytes:
    """The PARAMETER message answering a LOB operation on a BFILE: whether it is open
    (never: nothing opens), or nothing for a CLOSE; ORA-22285 for what needs the directory
    and the file."""
    if operation in (LobOp.FILE_ISOPEN, LobOp.IS_OPEN, LobOp.FILE_CLOSE):
        out = WriteBuffer()
        out.write_uint8(MessageType.PARAMETER)
        out.write_raw(locator)
        if operation != LobOp.FILE_CLOSE:
            out.write_uint8(0)
        return out.getvalue()
    name = _FILE_OPERATIONS.get(operation, f"{operation:#x}")
    raise OracleError(
        ORA_NO_DIRECTORY_OR_FILE, f"non-existent directory or file for {name} operation"
    )
