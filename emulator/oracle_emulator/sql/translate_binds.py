"""Find Oracle bind variables in SQL text and replace them before sqlglot sees the text.

sqlglot does not parse ``:1`` (a colon followed by digits) as a placeholder, so every bind is
swapped for a synthetic ``:ORA_BIND_<n>`` name that it does parse (as ``exp.Placeholder``);
:func:`~oracle_emulator.sql.translate.parse` later renames those nodes to
their occurrence number. The scan follows python-oracledb's own statement parser, so the
binds found here are exactly the ones the driver sends values for, in the same order: each
occurrence is a bind of its own (SQL statements bind by position), quoted names keep their
case, unquoted ones are upper-cased, and text inside quotes, q-quotes and comments is skipped.
A colon right after a string literal is not a bind (JSON constant syntax).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the name sqlglot parses; ``<n>`` is the 1-based occurrence number
SYNTHETIC_PREFIX = "ORA_BIND_"
#: Oracle's SQL reserved words (V$RESERVED_WORDS with RESERVED = 'Y'): an unquoted bind
#: variable may not be named with one (ORA-01745), since the parser reads it as the keyword
_RESERVED_TEXT = """
ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT
COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE
EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT
INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS
MLSLABEL MODE MODIFY NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION
OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT
SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE TABLE THEN TO TRIGGER UID
UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())
_NAME_EXTRA_CHARS = "_$#"
_Q_QUOTE_CLOSERS = {"[": "]", "{": "}", "<": ">", "(": ")"}


@dataclass
class BindScan:
    """The rewritten text, the bind names in order and how to map offsets back."""

    text: str
    names: list[str] = field(default_factory=list)
    #: (offset in ``text``, shift to add to get the offset in the original text), ascending
    shifts: list[tuple[int, int]] = field(default_factory=list)
    #: (offset in the original text, name) of the first unquoted bind named with a reserved
    #: word, if any
    reserved: tuple[int, str] | None = None

    def original_offset(self, offset: int) -> int:
        """Map an offset in the rewritten text to the caller's text (for error positions)."""
        shift = 0
        for start, delta in self.shifts:
            if offset < start:
                break
            shift = delta
        return max(offset + shift, 0)


def scan_binds(sql: str) -> BindScan:
    """Replace each bind occurrence with ``:ORA_BIND_<n>`` and record its Oracle name."""
    out: list[str] = []
    scan = BindScan(text="")
    pos, last_was_string, copied_to = 0, False, 0
    length = len(sql)
    while pos < length:
        ch = sql[pos]
        if ch == "'":
            pos = _skip_string(sql, pos)
            last_was_string = True
            continue
        if ch.isspace():
            pos += 1
            continue
        if ch == "-" and sql.startswith("--", pos):
            end = sql.find("\n", pos)
            pos = length if end < 0 else end + 1
        elif ch == "/" and sql.startswith("/*", pos):
            end = sql.find("*/", pos + 2)
            pos = length if end < 0 else end + 2
        elif ch == '"':
            end = sql.find('"', pos + 1)
            pos = length if end < 0 else end + 1
        elif ch == ":" and not last_was_string:
            found = _bind_at(sql, pos)
            if found is None:
                pos += 1
            else:
                name, end = found
                if scan.reserved is None and name in RESERVED_WORDS and sql[end - 1] != '"':
                    scan.reserved = (pos, name)
                scan.names.append(name)
                out.append(sql[copied_to:pos])
                replacement = f":{SYNTHETIC_PREFIX}{len(scan.names)}"
                new_pos = sum(len(part) for part in out)
                out.append(replacement)
                copied_to = end
                shift = end - (new_pos + len(replacement))
                scan.shifts.append((new_pos + len(replacement), shift))
                pos = end
        else:
            pos += 1
        last_was_string = False
    out.append(sql[copied_to:])
    scan.text = "".join(out)
    return scan


def _skip_string(sql: str, pos: int) -> int:
    """Skip a string literal starting at the quote at ``pos``; q-quotes included."""
    is_q = _is_q_quote(sql, pos)
    if is_q and pos + 1 < len(sql):
        opener = sql[pos + 1]
        closer = _Q_QUOTE_CLOSERS.get(opener, opener) + "'"
        end = sql.find(closer, pos + 2)
        return len(sql) if end < 0 else end + 2
    pos += 1
    while pos < len(sql):
        if sql[pos] == "'":
            if sql.startswith("''", pos):
                pos += 2
                continue
            return pos + 1
        pos += 1
    return pos


def _is_q_quote(sql: str, quote: int) -> bool:
    """Whether the quote at ``quote`` opens a ``q'...'`` or ``nq'...'`` literal."""
    if quote < 1 or sql[quote - 1] not in "qQ":
        return False
    start = quote - 1
    if start >= 1 and sql[start - 1] in "nN":
        start -= 1
    return not _ident_char(sql, start - 1)


def _ident_char(sql: str, pos: int) -> bool:
    return pos >= 0 and (sql[pos].isalnum() or sql[pos] in _NAME_EXTRA_CHARS)


def _bind_at(sql: str, colon: int) -> tuple[str, int] | None:
    """The bind name after the colon at ``colon`` and the offset just past it, if any."""
    pos = colon + 1
    while pos < len(sql) and sql[pos].isspace():
        pos += 1
    if pos >= len(sql):
        return None
    ch = sql[pos]
    if ch == '"':
        end = sql.find('"', pos + 1)
        if end < 0:
            return None
        return sql[pos + 1 : end], end + 1
    if ch.isdigit():
        end = pos
        while end < len(sql) and sql[end].isdigit():
            end += 1
        return sql[pos:end], end
    if ch.isalpha():
        end = pos
        while end < len(sql) and (sql[end].isalnum() or sql[end] in _NAME_EXTRA_CHARS):
            end += 1
        return sql[pos:end].upper(), end
    return None
