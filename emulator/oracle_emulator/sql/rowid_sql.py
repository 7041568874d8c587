"""ROWIDs shaped as Oracle's, computed in SQL from a row's identity, and back.

Oracle's extended ROWID is the data object number (32 bits), the relative file number of
the datafile, the block in that file and the row's slot in the block, written as 18
characters of base 64 (``OOOOOOFFFBBBBBBRRR``, see :mod:`oracle_emulator.codecs.rowid`). The
emulator places a table's rows as if in one datafile of the USERS tablespace:

- object: the table's object id (its DATA_OBJECT_ID in ALL_OBJECTS);
- file: :data:`DATAFILE_NO`, never 0 (relative file numbers start at 1; tools that decode
  ROWIDs, ``DBMS_ROWID`` among them, treat file 0 as no file at all);
- block: :data:`FIRST_DATA_BLOCK` plus the row identity's high bits, row: its low
  :data:`ROW_BITS` bits (a segment's first blocks hold its header, never rows).

The row identity (``__rid``, see :mod:`.storage`) is kept across updates, so a row keeps its
ROWID as in Oracle. (block, row) grows with the identity, so comparing identities compares
ROWIDs: a ROWID range is a range of identities, which DuckDB filters without decoding text.
Every valid ROWID text maps back to the identity it stands for, or to one that sorts the
same way against every row's (a block before the first data block gives a negative one), so
ranges with bounds that address no row stay exact too.
"""

from __future__ import annotations

from oracle_emulator.codecs.rowid import ALPHABET, ROWID_LENGTH, rowid_text
from oracle_emulator.sql.oratypes import sql_string

#: the relative file number of every row's datafile
DATAFILE_NO = 12
#: the first block of a table's rows (after the segment header and space bitmaps)
FIRST_DATA_BLOCK = 131
#: bits of the row identity that make the row's slot; the rest make the block
ROW_BITS = 16
ROWS_PER_BLOCK = 1 << ROW_BITS
ORA_INVALID_ROWID = "ORA-01410: invalid ROWID"
#: the DuckDB macro CHARTOROWID becomes
CHARTOROWID_MACRO = "ora_chartorowid"

_OBJECT_CHARS = 6
_FILE_CHARS = 3
_BLOCK_CHARS = 6
_ROW_CHARS = 3
_BITS_PER_CHAR = 6
_CHAR_MASK = (1 << _BITS_PER_CHAR) - 1
_ROWID_PATTERN = sql_string(f"[A-Za-z0-9+/]{{{ROWID_LENGTH}}}")


def _digits(value: int, chars: int) -> str:
    out = []
    for _ in range(chars):
        out.append(ALPHABET[value & _CHAR_MASK])
        value >>= _BITS_PER_CHAR
    return "".join(reversed(out))


def _digit_sql(number: str, index: int) -> str:
    """SQL for base-64 digit ``index`` (0: least significant) of an integer expression."""
    shift = index * _BITS_PER_CHAR
    position = f"CAST((({number} >> {shift}) & {_CHAR_MASK}) + 1 AS INTEGER)"
    return f"substr({sql_string(ALPHABET)}, {position}, 1)"


def _digits_sql(number: str, chars: int) -> list[str]:
    return [_digit_sql(number, index) for index in reversed(range(chars))]


def rowid_macro_sql(obj: str, rid: str) -> str:
    """Body of the ROWID-text macro over an object id and a row identity."""
    block = f"({FIRST_DATA_BLOCK} + ({rid} >> {ROW_BITS}))"
    row = f"({rid} & {ROWS_PER_BLOCK - 1})"
    parts = _digits_sql(obj, _OBJECT_CHARS)
    parts.append(sql_string(_digits(DATAFILE_NO, _FILE_CHARS)))
    parts += _digits_sql(block, _BLOCK_CHARS)
    parts += _digits_sql(row, _ROW_CHARS)
    return "(" + " || ".join(parts) + ")"


def rowid_of(object_id: int, rid: int) -> str:
    """The ROWID text of a row, in Python: what :func:`rowid_macro_sql` computes in SQL
    (the driver's ``cursor.lastrowid`` comes from the statement's reply, not a query)."""
    block = FIRST_DATA_BLOCK + (rid >> ROW_BITS)
    return rowid_text(object_id, DATAFILE_NO, block, rid & (ROWS_PER_BLOCK - 1))


def _number_sql(text: str, first: int, chars: int) -> str:
    """SQL for the integer written by ``chars`` base-64 digits of ``text`` from ``first``."""
    alphabet = sql_string(ALPHABET)
    terms = []
    for offset in range(chars):
        shift = (chars - 1 - offset) * _BITS_PER_CHAR
        digit = f"substr({text}, {first + offset}, 1)"
        terms.append(f"((strpos({alphabet}, {digit}) - 1)::BIGINT << {shift})")
    return "(" + " + ".join(terms) + ")"


def rid_from_text_sql(text: str) -> str:
    """Body of the macro giving the row identity a ROWID text stands for (inverse of
    :func:`rowid_macro_sql`; the object and file are not compared). Text that is no ROWID
    raises ORA-01410, as Oracle does when it converts it."""
    first_block = _OBJECT_CHARS + _FILE_CHARS + 1
    block = _number_sql(text, first_block, _BLOCK_CHARS)
    row = _number_sql(text, first_block + _BLOCK_CHARS, _ROW_CHARS)
    # multiplied, not shifted: a block before the first data block gives a negative number
    rid = f"(({block} - {FIRST_DATA_BLOCK}) * {ROWS_PER_BLOCK} + {row})"
    return _checked(text, rid)


def valid_rowid_sql(text: str) -> str:
    """SQL testing that a text is an extended ROWID (18 base-64 digits, a row slot that
    fits the row number's 16 bits)."""
    row = _number_sql(text, ROWID_LENGTH - _ROW_CHARS + 1, _ROW_CHARS)
    return f"(regexp_full_match({text}, {_ROWID_PATTERN}) AND {row} < {ROWS_PER_BLOCK})"


def chartorowid_macro_sql(text: str) -> str:
    """Body of CHARTOROWID: the text itself once checked (ROWIDs travel as their text)."""
    return _checked(text, text)


def _checked(text: str, value: str) -> str:
    """``value`` if ``text`` is a ROWID, NULL if it is NULL, else ORA-01410."""
    return (
        f"CASE WHEN {text} IS NULL THEN NULL WHEN {valid_rowid_sql(text)} THEN {value} "
        f"ELSE error({sql_string(ORA_INVALID_ROWID)}) END"
    )
