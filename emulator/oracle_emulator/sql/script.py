"""Split an Oracle SQL script (SQL*Plus style) into statements.

Statements end at ``;`` outside quotes and comments, or at a line holding only ``/``.
PL/SQL blocks (BEGIN/DECLARE, CREATE PROCEDURE and friends) contain semicolons, so they run
to the next ``/`` line. SQL*Plus commands (SET, PROMPT, SPOOL, WHENEVER, EXIT) are dropped.
"""

from __future__ import annotations

import re

_PLSQL_START = re.compile(
    r"^\s*(BEGIN|DECLARE|CREATE\s+(OR\s+REPLACE\s+)?(EDITIONABLE\s+)?"
    r"(PROCEDURE|FUNCTION|PACKAGE|TRIGGER|TYPE))\b",
    re.IGNORECASE,
)
_SQLPLUS = re.compile(r"^\s*(SET|PROMPT|SPOOL|WHENEVER|EXIT|QUIT|REM|REMARK|@)\b", re.IGNORECASE)
_SLASH_LINE = re.compile(r"^\s*/\s*$")
#: a line holding only a comment, skipped between statements
_COMMENT_LINE = re.compile(r"^\s*(--.*|/\*.*?\*/\s*)$")


def split_statements(text: str) -> list[str]:
    statements: list[str] = []
    current: list[str] = []
    in_plsql = False
    state = _Scanner()
    for line in text.splitlines():
        if not current and not state.inside:
            if not line.strip() or _SQLPLUS.match(line) or _COMMENT_LINE.match(line):
                continue
            in_plsql = bool(_PLSQL_START.match(line))
        if _SLASH_LINE.match(line) and not state.inside:
            _flush(statements, current)
            current, in_plsql = [], False
            continue
        if in_plsql:
            current.append(line)
            continue
        pieces = state.split_line(line)
        for index, piece in enumerate(pieces):
            if current or piece.strip():
                current.append(piece)
            if index < len(pieces) - 1:
                _flush(statements, current)
                current = []
    _flush(statements, current)
    return statements


def _flush(statements: list[str], lines: list[str]) -> None:
    text = "\n".join(lines).strip()
    if text and not all(_only_comment(line) for line in lines):
        statements.append(text)


def _only_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("--")


class _Scanner:
    """Tracks quotes and block comments across lines; splits a line at statement ends."""

    def __init__(self) -> None:
        self.quote = ""
        self.comment = False

    @property
    def inside(self) -> bool:
        return bool(self.quote) or self.comment

    def split_line(self, line: str) -> list[str]:
        pieces: list[str] = []
        start = 0
        index = 0
        while index < len(line):
            ch = line[index]
            if self.comment:
                if line.startswith("*/", index):
                    self.comment = False
                    index += 1
            elif self.quote:
                if ch == self.quote:
                    self.quote = ""
            elif line.startswith("--", index):
                break
            elif line.startswith("/*", index):
                self.comment = True
                index += 1
            elif ch in "'\"":
                self.quote = ch
            elif ch == ";":
                pieces.append(line[start:index])
                start = index + 1
            index += 1
        pieces.append(line[start:])
        return pieces
