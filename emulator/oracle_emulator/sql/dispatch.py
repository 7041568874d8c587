"""Route one statement to its handler by its leading keywords."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from oracle_emulator.api import ORA_INVALID_SQL, OracleError, StatementResult
from oracle_emulator.sql import grammar_gate, parsing, returning
from oracle_emulator.sql.alter_system import alter_system
from oracle_emulator.sql.binds import check_count
from oracle_emulator.sql.query import cached_plan, run_query

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

log = logging.getLogger(__name__)

_DDL_WORDS = {
    "CREATE",
    "DROP",
    "TRUNCATE",
    "COMMENT",
    "GRANT",
    "REVOKE",
    "ANALYZE",
    "RENAME",
    "PURGE",
    "AUDIT",
}
_IGNORED_PLSQL = re.compile(
    r"^\s*(NULL|DBMS_STATS\.\w+|DBMS_SESSION\.\w+|DBMS_APPLICATION_INFO\.\w+|DBMS_OUTPUT\.\w+|"
    r"DBMS_LOCK\.SLEEP)\b",
    re.IGNORECASE,
)
_PLSQL_BODY = re.compile(r"^\s*BEGIN\s+(.*?)\s*END\s*;?\s*$", re.IGNORECASE | re.DOTALL)
_EXECUTE_IMMEDIATE = re.compile(
    r"^\s*EXECUTE\s+IMMEDIATE\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE | re.DOTALL
)
_SAVEPOINT = re.compile(
    r"^\s*ROLLBACK(?:\s+WORK)?\s+TO\s+(?:SAVEPOINT\s+)?(\"?[\w$#]+\"?)", re.IGNORECASE
)
ORA_PLSQL_ERROR = 6550


class Dispatcher:
    """Stateless: every handler receives the session it runs for."""

    def dispatch(self, session: EmulatorSession, sql: str, binds: Sequence[Any]) -> StatementResult:
        from oracle_emulator.sql.session import first_words

        word, second = first_words(sql)
        if word in ("SELECT", "WITH"):
            return self.query(session, sql, binds)
        if word in ("INSERT", "UPDATE", "DELETE"):
            return self.dml(session, sql, binds)
        if word == "COMMIT":
            session.commit_unlocked()
            return StatementResult(kind="COMMIT")
        if word == "ROLLBACK":
            return self.rollback(session, sql)
        if word == "SAVEPOINT":
            session.savepoint(_name(sql.split()[1]))
            return StatementResult(kind="OTHER")
        if word == "ALTER" and second == "SYSTEM":  # no implicit commit
            alter_system(session, sql)
            return StatementResult(kind="OTHER")
        if word == "ALTER" and second == "SESSION":
            return self.ddl(session, sql, commit=False)
        if word in _DDL_WORDS or word == "ALTER":
            return self.ddl(session, sql, commit=True)
        if word in ("BEGIN", "DECLARE"):
            return self.plsql(session, sql, binds)
        if word in ("SET", "LOCK"):
            return StatementResult(kind="OTHER")
        if word == "MERGE":
            raise OracleError(
                ORA_INVALID_SQL, "invalid SQL statement (MERGE is not supported by the emulator)"
            )
        raise OracleError(ORA_INVALID_SQL, "invalid SQL statement")

    def query(self, session: EmulatorSession, sql: str, binds: Sequence[Any]) -> StatementResult:
        result = run_query(session, cached_plan(session, sql, binds))
        return StatementResult(query=result, kind="SELECT")

    def dml(self, session: EmulatorSession, sql: str, binds: Sequence[Any]) -> StatementResult:
        from oracle_emulator.sql.dml import execute_dml

        clause = returning.split(sql)
        if clause is None:
            tree, count = parsing.parse(sql)
            check_count(count, binds)
            return execute_dml(session, tree, binds)
        tree, count = parsing.parse(clause.statement)
        spec = returning.parse(clause, count)
        check_count(spec.into[-1] + 1, binds)
        return execute_dml(session, tree, binds, spec)

    def ddl(self, session: EmulatorSession, sql: str, commit: bool) -> StatementResult:
        from oracle_emulator.sql.ddl import execute_ddl

        if commit:
            session.commit_unlocked()
        execute_ddl(session, sql)
        return StatementResult(kind="DDL")

    def rollback(self, session: EmulatorSession, sql: str) -> StatementResult:
        match = _SAVEPOINT.match(sql)
        if match:
            session.rollback_to(_name(match.group(1)))
        else:
            session.rollback_unlocked()
        return StatementResult(kind="ROLLBACK")

    def plsql(self, session: EmulatorSession, sql: str, binds: Sequence[Any]) -> StatementResult:
        """Anonymous blocks: calls the emulator can ignore (statistics, session info) and
        EXECUTE IMMEDIATE of a literal statement; anything else is refused."""
        body = _PLSQL_BODY.match(sql)
        if body is None:
            raise OracleError(
                ORA_PLSQL_ERROR, "line 1, column 1: PL/SQL is not supported by the emulator"
            )
        for statement in _split_plsql(body.group(1)):
            immediate = _EXECUTE_IMMEDIATE.match(statement)
            if immediate:
                dynamic = immediate.group(1).replace("''", "'")
                grammar_gate.check(dynamic)  # Oracle parses dynamic SQL when it runs
                self.dispatch(session, dynamic, [])
            elif not _IGNORED_PLSQL.match(statement):
                raise OracleError(
                    ORA_PLSQL_ERROR, f"PL/SQL not supported by the emulator: {statement[:60]}"
                )
        return StatementResult(kind="OTHER")


def _split_plsql(body: str) -> list[str]:
    parts, current, quote = [], [], False
    for ch in body:
        if ch == "'":
            quote = not quote
        if ch == ";" and not quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return [p for p in parts if p]


def _name(text: str) -> str:
    return text[1:-1] if text.startswith('"') else text.upper()
