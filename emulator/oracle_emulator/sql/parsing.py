"""The engine's single doorway to the SQL translator: Oracle text in, sqlglot tree out, and
a (rewritten) tree back to DuckDB text.

The translator (:mod:`.translate`) is preferred; while it is missing this falls back to
sqlglot's stock Oracle dialect, with binds renamed to their occurrence number first (the
driver sends one value per occurrence, in order, for SQL statements).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from oracle_emulator.api import (
    ORA_INVALID_SQL,
    ORA_NOT_PROPERLY_ENDED,
    OracleError,
)
from oracle_emulator.sql.translate_binds import SYNTHETIC_PREFIX, scan_binds

if TYPE_CHECKING:
    from oracle_emulator.sql.nls import NlsSettings

log = logging.getLogger(__name__)

try:  # the translator is written alongside the engine; it may not be importable yet
    from oracle_emulator.sql import translate as _translate
except ImportError:  # pragma: no cover - depends on the translator's presence
    _translate = None


def translator_available() -> bool:
    return _translate is not None and hasattr(_translate, "parse")


def parse(sql: str) -> tuple[exp.Expression, int]:
    """The statement's tree and its number of bind occurrences."""
    if translator_available():
        statement: Any = _translate.parse(sql)  # type: ignore[union-attr]
        return statement.tree, len(statement.bind_names)
    scan = scan_binds(sql)
    try:
        tree = sqlglot.parse_one(scan.text, read="oracle")
    except ParseError as exc:
        errors = getattr(exc, "errors", None) or [{}]
        column = errors[0].get("col", 0) or 0
        code = ORA_NOT_PROPERLY_ENDED if "end" in str(exc).lower() else ORA_INVALID_SQL
        message = (
            "SQL command not properly ended"
            if code == ORA_NOT_PROPERLY_ENDED
            else ("invalid SQL statement")
        )
        raise OracleError(code, message, scan.original_offset(column)) from exc
    if tree is None:
        raise OracleError(ORA_INVALID_SQL, "invalid SQL statement")
    for node in tree.find_all(exp.Placeholder):
        name = str(node.this or "")
        if name.startswith(SYNTHETIC_PREFIX):
            node.set("this", name[len(SYNTHETIC_PREFIX) :])
    return tree, len(scan.names)


def to_duckdb(tree: exp.Expression) -> str:
    """DuckDB SQL for a tree produced by :func:`parse` (and rewritten by the engine)."""
    if translator_available() and hasattr(_translate, "to_duckdb"):
        translated = _translate.to_duckdb(tree)  # type: ignore[union-attr]
        return translated if isinstance(translated, str) else translated.sql(dialect="duckdb")
    return tree.sql(dialect="duckdb")


def install_functions(conn: Any, nls: NlsSettings | None = None, *, udfs: bool = True) -> None:
    """The translator's DuckDB macros/functions on one cursor (no-op without it); see
    ``functions.install_functions``."""
    try:
        from oracle_emulator.sql import functions
    except ImportError:  # pragma: no cover - depends on the translator's presence
        return
    installer = getattr(functions, "install_functions", None)
    if installer is not None:
        installer(conn, nls, udfs=udfs)
