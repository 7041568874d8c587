"""Oracle SQL text -> sqlglot tree -> DuckDB tree: the emulator's SQL translator.

The engine's flow is ``parse(sql)`` -> (the engine rewrites table references: visibility
filters, ``AS OF`` flashback, DUAL, dictionary views) -> ``to_duckdb(tree)`` ->
``.sql(dialect="duckdb")`` on a connection prepared by
:func:`functions.install_functions`.

Binds: every bind occurrence (``:1``, ``:name``, ``:"Quoted"``) becomes an
``exp.Placeholder`` whose ``this`` is its 1-based occurrence number as a string; DuckDB's
generator prints it as ``$1``, ``$2``... so the engine can pass the driver's positional values
straight to ``conn.execute(sql, values)`` (DuckDB takes the parameter types from the values,
so the typed macro overloads behind ``SYSDATE - :1`` resolve correctly), or call
:func:`inline_binds` to turn them into typed literals. ``Statement.bind_names`` keeps the
Oracle names in occurrence order (for PL/SQL blocks: distinct names, as the driver sends
them).

Out of scope, by design: comparison semantics of blank-padded CHAR against VARCHAR2 (DuckDB
compares the stored strings as they are); CONNECT BY other than the row generator over DUAL
(:mod:`translate_connect`; the rest is ORA-00900); Oracle's error offsets for errors found
after parsing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.transforms import eliminate_join_marks

from oracle_emulator import api
from oracle_emulator.api import OracleError
from oracle_emulator.sql import translate_aggregates, translate_binds, translate_exprs
from oracle_emulator.sql.binds import EmptyLob
from oracle_emulator.sql.translate_dialect import EmulatorOracle
from oracle_emulator.sql.translate_rownum import rewrite_rownum

log = logging.getLogger(__name__)

ORA_QUOTED_STRING_NOT_TERMINATED = 1756
ORA_INVALID_BIND_NAME = 1745
ORA_OUTER_JOIN_INVALID = 1719
_PLSQL_KEYWORDS = frozenset({"BEGIN", "DECLARE"})
_KNOWN_KEYWORDS = frozenset(
    {
        "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "TRUNCATE",
        "COMMENT", "ALTER", "COMMIT", "ROLLBACK", "GRANT", "REVOKE", "SAVEPOINT", "SET", "LOCK",
        "EXPLAIN", "ANALYZE", "RENAME", "PURGE", "CALL", "AUDIT", "FLASHBACK",
    }
)  # fmt: skip
_FIRST_WORD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*\(*\s*([A-Za-z_]+)", re.DOTALL)
_CREATE_KINDS = {"TABLE": "CREATE_TABLE", "INDEX": "CREATE_INDEX", "SEQUENCE": "CREATE_SEQUENCE"}
_CREATE_KINDS["VIEW"] = "CREATE_VIEW"
_STATEMENT_KINDS: tuple[tuple[type[exp.Expression], str], ...] = (
    (exp.Query, "SELECT"),
    (exp.Subquery, "SELECT"),
    (exp.Insert, "INSERT"),
    (exp.Update, "UPDATE"),
    (exp.Delete, "DELETE"),
    (exp.Merge, "MERGE"),
    (exp.Drop, "DROP"),
    (exp.TruncateTable, "TRUNCATE"),
    (exp.Comment, "COMMENT"),
    (exp.Alter, "ALTER"),
    (exp.Commit, "COMMIT"),
    (exp.Rollback, "ROLLBACK"),
)
_OTHER_STATEMENTS = (exp.Command, exp.Grant, exp.Set, exp.Transaction)


@dataclass(frozen=True)
class Flashback:
    """A table reference read as of the past: ``t AS OF SCN expr`` / ``AS OF TIMESTAMP``."""

    table: exp.Table
    kind: str  # "SCN" or "TIMESTAMP"
    expression: exp.Expression


@dataclass
class Statement:
    """One parsed statement."""

    tree: exp.Expression
    kind: str
    bind_names: list[str] = field(default_factory=list)
    flashback: list[Flashback] = field(default_factory=list)


def check_bind_names(sql: str) -> translate_binds.BindScan:
    """The statement's binds, or ORA-01745 at the first one named with a reserved word (which
    Oracle's parser reads as the keyword): a parse call without execution checks this too."""
    scan = translate_binds.scan_binds(sql)
    if scan.reserved is not None:
        offset = scan.reserved[0]
        raise OracleError(ORA_INVALID_BIND_NAME, "invalid host/bind variable name", offset)
    return scan


def parse(sql: str) -> Statement:
    """Parse one Oracle statement; Oracle's errors for what is not one."""
    text = sql.strip()
    keyword = _first_keyword(text)
    if keyword in _PLSQL_KEYWORDS:
        return _plsql(text, keyword)
    text = text.rstrip(";").rstrip()
    if keyword not in _KNOWN_KEYWORDS:
        raise OracleError(api.ORA_INVALID_SQL, "invalid SQL statement")
    scan = check_bind_names(text)
    trees = _parse_text(scan)
    if len(trees) != 1 or trees[0] is None:
        raise OracleError(api.ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    tree = trees[0]
    _refuse_what_oracle_refuses(tree)
    _number_placeholders(tree)
    return Statement(
        tree=tree,
        kind=_kind(tree),
        bind_names=scan.names,
        flashback=_flashbacks(tree),
    )


def _refuse_what_oracle_refuses(tree: exp.Expression) -> None:
    """Rules of Oracle's grammar that a permissive parse lets through.

    An expression list in parentheses is allowed on the left of a comparison or ``IN`` and in
    ``GROUP BY``, never as a select-list item: ``SELECT ("A", "B") FROM T`` is ORA-00907 on
    Oracle (its parser wants the ``)`` after ``"A"``)."""
    for select in tree.find_all(exp.Select):
        for item in select.expressions:
            value = item.this if isinstance(item, exp.Alias) else item
            if isinstance(value, exp.Tuple):
                raise OracleError(api.ORA_MISSING_RIGHT_PARENTHESIS, "missing right parenthesis")


def _first_keyword(text: str) -> str:
    match = _FIRST_WORD.match(text)
    return match.group(1).upper() if match else ""


def _plsql(text: str, keyword: str) -> Statement:
    """PL/SQL blocks are not translated; the engine decides what to do with them."""
    scan = translate_binds.scan_binds(text)
    names = list(dict.fromkeys(scan.names))
    tree = exp.Command(this=keyword, expression=exp.Literal.string(text[len(keyword) :]))
    return Statement(tree=tree, kind="OTHER", bind_names=names)


def _parse_text(scan: translate_binds.BindScan) -> list[exp.Expression | None]:
    try:
        return sqlglot.parse(scan.text, read=EmulatorOracle)
    except TokenError:
        raise OracleError(
            ORA_QUOTED_STRING_NOT_TERMINATED, "quoted string not properly terminated"
        ) from None
    except ParseError as error:
        offset = scan.original_offset(_error_offset(scan.text, error))
        log.debug("parse error at %d: %s", offset, error)
        raise OracleError(
            api.ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended", offset
        ) from None


def _error_offset(text: str, error: ParseError) -> int:
    if not error.errors:
        return 0
    first = error.errors[0]
    line, col = first.get("line") or 1, first.get("col") or 0
    line_start = sum(len(part) + 1 for part in text.split("\n")[: line - 1])
    return max(line_start + col - len(first.get("highlight") or ""), 0)


def _number_placeholders(tree: exp.Expression) -> None:
    prefix = translate_binds.SYNTHETIC_PREFIX
    for node in tree.find_all(exp.Placeholder):
        name = node.name
        if name.upper().startswith(prefix):
            node.set("this", name[len(prefix) :])


def _kind(tree: exp.Expression) -> str:
    if isinstance(tree, exp.Create):
        return _CREATE_KINDS.get(str(tree.args.get("kind") or "").upper(), "OTHER")
    for node_type, kind in _STATEMENT_KINDS:
        if isinstance(tree, node_type):
            return kind
    if isinstance(tree, exp.Command):
        return "ALTER" if tree.name.upper() == "ALTER" else "OTHER"
    if isinstance(tree, _OTHER_STATEMENTS):
        return "OTHER"
    raise OracleError(api.ORA_INVALID_SQL, "invalid SQL statement")


def _flashbacks(tree: exp.Expression) -> list[Flashback]:
    found = []
    for table in tree.find_all(exp.Table):
        version = table.args.get("version")
        if isinstance(version, exp.Version) and version.name.upper() in ("SCN", "TIMESTAMP"):
            found.append(Flashback(table, version.name.upper(), version.expression))
    return found


def to_duckdb(tree: exp.Expression) -> exp.Expression:
    """Oracle semantics in DuckDB terms; the input tree is not modified."""
    tree = tree.copy()
    translate_exprs.reject_unsupported(tree)
    if any(column.args.get("join_mark") for column in tree.find_all(exp.Column)):
        tree = _outer_joins(tree)
    tree = rewrite_rownum(tree)
    return translate_aggregates.bind_aggregate_operands(translate_exprs.rewrite(tree))


def _outer_joins(tree: exp.Expression) -> exp.Expression:
    try:
        tree = eliminate_join_marks(tree)
    except Exception as error:  # sqlglot asserts on the forms it does not handle
        raise OracleError(
            ORA_OUTER_JOIN_INVALID,
            f"outer join operator (+) not supported in this form by the emulator: {error}",
        ) from None
    if any(column.args.get("join_mark") for column in tree.find_all(exp.Column)):
        raise OracleError(
            ORA_OUTER_JOIN_INVALID, "outer join operator (+) not supported in this position"
        )
    return tree


def inline_binds(tree: exp.Expression, values: Sequence[Any]) -> exp.Expression:
    """Replace the placeholders of a (translated) tree with literals of ``values``.

    Oracle semantics are kept: an empty string is NULL; a datetime without microseconds is a
    DATE (DuckDB TIMESTAMP), one with a fraction a TIMESTAMP (TIMESTAMP_NS).
    """

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name.isdigit():
            index = int(node.name) - 1
            if index >= len(values):
                raise OracleError(1008, "not all variables bound")
            return literal(values[index])
        return node

    return tree.transform(replace)


def literal(value: Any) -> exp.Expression:
    """A DuckDB literal with the Oracle meaning of a Python bind value."""
    if isinstance(value, EmptyLob):  # a value, unlike the empty string
        if isinstance(value.value, str):
            return exp.Literal.string("")
        return exp.Anonymous(this="from_hex", expressions=[exp.Literal.string("")])
    if value is None or value == "":
        return exp.Null()
    if isinstance(value, bool):
        return exp.Literal.number(int(value))
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, decimal.Decimal):
        return exp.Literal.number(format(value, "f"))
    if isinstance(value, float):
        return _typed(repr(value), "DOUBLE")
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, bytes):
        return exp.Anonymous(this="from_hex", expressions=[exp.Literal.string(value.hex())])
    return _temporal_literal(value)


def _typed(text: str, type_sql: str) -> exp.Expression:
    return exp.Cast(
        this=exp.Literal.string(text), to=exp.DataType.build(type_sql, dialect="duckdb")
    )


def _temporal_literal(value: Any) -> exp.Expression:
    if isinstance(value, api.NanoDateTime):
        base = value.value.replace(microsecond=0).isoformat(sep=" ")
        return _typed(f"{base}.{value.nanosecond:09d}", "TIMESTAMP_NS")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return _typed(value.isoformat(sep=" "), "TIMESTAMPTZ")
        if value.microsecond:
            return _typed(value.isoformat(sep=" "), "TIMESTAMP_NS")
        return _typed(value.isoformat(sep=" "), "TIMESTAMP")
    if isinstance(value, dt.date):
        return _typed(value.isoformat(), "TIMESTAMP")
    if isinstance(value, dt.timedelta):
        micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
        return _typed(f"{micros} microseconds", "INTERVAL")
    if isinstance(value, api.IntervalYM):
        return _typed(f"{value.years * 12 + value.months} months", "INTERVAL")
    raise OracleError(api.ORA_INTERNAL, f"unsupported bind value type {type(value).__name__}")
