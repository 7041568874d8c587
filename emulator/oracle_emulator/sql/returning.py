"""DML RETURNING INTO: the clause found in the statement text, and its values evaluated.

``INSERT ... VALUES``, ``UPDATE`` and ``DELETE`` may end with ``RETURNING expr [, ...] INTO
:b [, ...]`` (``RETURN`` is a synonym). Each INTO bind receives, per execution, the values of
every row the statement changed: INSERT and UPDATE the new values, DELETE the old ones. For
UPDATE and DELETE the expressions may instead all be single-set aggregates, which return one
row whatever the number of rows changed (SQL Language Reference, DELETE, "returning_clause").

The clause is cut off the statement text before the translator sees it (sqlglot does not
parse it), at the same place the driver finds it: python-oracledb marks every bind after the
``RETURNING`` and ``INTO`` keywords of a DML statement as a return bind, sends their metadata
with the others but no values, and reads the returned rows back into them. The expressions
are then evaluated as a query over the changed rows, so they get Oracle's expression rules,
ROWID, functions and the input binds they contain (``RETURNING c + :add INTO :out``).

Each value is converted to the type of the client's variable, as Oracle converts a fetched
column into a define of another type: a CAST in the query where the families differ (a
NUMBER returned into a string variable), none where they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from oracle_emulator.api import OracleError, OracleType, OutBind
from oracle_emulator.sql import parsing
from oracle_emulator.sql.binds import placeholder_index
from oracle_emulator.sql.query import describe_query, plan_query
from oracle_emulator.sql.results import convert_rows, describe
from oracle_emulator.sql.translate_binds import scan_binds

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

ORA_NOT_PROPERLY_ENDED = 933
ORA_TOO_MANY_VALUES = 913
ORA_NOT_ENOUGH_VALUES = 947
ORA_GROUP_FUNCTION_NOT_ALLOWED = 934
ORA_NOT_SINGLE_GROUP = 937
_DML_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE"})
_CLAUSE_WORDS = frozenset({"RETURNING", "RETURN"})
_Q_CLOSERS = {"[": "]", "{": "}", "<": ">", "(": ")"}

#: the type families within which a value needs no conversion; LOBs take their own family's
#: values and text (CLOB, NCLOB) or bytes (BLOB), as a CLOB variable takes a VARCHAR2 column
_TEXT = "text"
_NUMBER = "number"
_DATETIME = "datetime"
_BYTES = "bytes"
_FAMILIES = {
    OracleType.VARCHAR2: _TEXT, OracleType.NVARCHAR2: _TEXT, OracleType.CHAR: _TEXT,
    OracleType.NCHAR: _TEXT, OracleType.LONG: _TEXT, OracleType.ROWID: _TEXT,
    OracleType.UROWID: _TEXT, OracleType.CLOB: _TEXT, OracleType.NCLOB: _TEXT,
    OracleType.NUMBER: _NUMBER, OracleType.BINARY_FLOAT: _NUMBER,
    OracleType.BINARY_DOUBLE: _NUMBER, OracleType.DATE: _DATETIME,
    OracleType.TIMESTAMP: _DATETIME, OracleType.TIMESTAMP_TZ: _DATETIME,
    OracleType.TIMESTAMP_LTZ: _DATETIME, OracleType.RAW: _BYTES, OracleType.LONG_RAW: _BYTES,
    OracleType.BLOB: _BYTES,
}  # fmt: skip
#: the Oracle type a value is CAST to for a variable of another family
_CAST_TYPES = {
    OracleType.VARCHAR2: "VARCHAR2(4000)", OracleType.CHAR: "VARCHAR2(4000)",
    OracleType.LONG: "VARCHAR2(4000)", OracleType.CLOB: "VARCHAR2(4000)",
    OracleType.NVARCHAR2: "NVARCHAR2(2000)", OracleType.NCHAR: "NVARCHAR2(2000)",
    OracleType.NCLOB: "NVARCHAR2(2000)", OracleType.NUMBER: "NUMBER",
    OracleType.BINARY_FLOAT: "BINARY_FLOAT", OracleType.BINARY_DOUBLE: "BINARY_DOUBLE",
    OracleType.DATE: "DATE", OracleType.TIMESTAMP: "TIMESTAMP(9)",
    OracleType.TIMESTAMP_TZ: "TIMESTAMP(9) WITH TIME ZONE",
    OracleType.TIMESTAMP_LTZ: "TIMESTAMP(9) WITH LOCAL TIME ZONE",
    OracleType.RAW: "RAW(2000)", OracleType.LONG_RAW: "RAW(2000)", OracleType.BLOB: "RAW(2000)",
}  # fmt: skip


@dataclass(frozen=True)
class ClauseText:
    """A DML statement's text cut at its RETURNING clause."""

    statement: str
    expressions: str
    into: str


@dataclass
class Returning:
    """A parsed RETURNING clause: expressions whose placeholders are numbered as in the
    whole statement (after the DML's own binds), and the positions of the INTO binds."""

    expressions: list[exp.Expression]
    #: 0-based positions of the INTO binds in the statement's bind list
    into: list[int]
    aggregate: bool = False
    #: the values of the last evaluation, one list per INTO bind
    values: list[list[Any]] = field(default_factory=list)


def split(sql: str) -> ClauseText | None:
    """The statement cut at its top-level ``RETURNING|RETURN ... INTO``, or None."""
    words = _top_level_words(sql)
    if not words or words[0][0] not in _DML_WORDS:
        return None
    for index, (word, start, end) in enumerate(words):
        if word not in _CLAUSE_WORDS:
            continue
        for later, into_start, into_end in words[index + 1 :]:
            if later == "INTO":
                return ClauseText(sql[:start], sql[end:into_start], sql[into_end:])
        return None
    return None


def return_bind_count(sql: str) -> int:
    """How many binds of a statement python-oracledb treats as return binds: those after
    ``RETURNING`` and a later ``INTO`` in a DML statement (``RETURN`` is not looked for)."""
    words = _top_level_words(sql, top_only=False)
    if not words or words[0][0] not in _DML_WORDS:
        return 0
    seen_returning = False
    for word, _, end in words:
        if word == "RETURNING":
            seen_returning = True
        elif word == "INTO" and seen_returning:
            return len(scan_binds(sql[end:]).names)
    return 0


def parse(clause: ClauseText, statement_binds: int) -> Returning:
    """The clause's expressions (binds numbered after the statement's own) and INTO list."""
    expressions = _expressions(clause.expressions, statement_binds)
    expression_binds = sum(1 for item in expressions for _ in item.find_all(exp.Placeholder))
    targets = _into_targets(clause.into)
    if len(expressions) > len(targets):
        raise OracleError(ORA_TOO_MANY_VALUES, "too many values")
    if len(expressions) < len(targets):
        raise OracleError(ORA_NOT_ENOUGH_VALUES, "not enough values")
    first = statement_binds + expression_binds
    aggregates = [_has_aggregate(item) for item in expressions]
    if any(aggregates) and not all(aggregates):
        raise OracleError(ORA_NOT_SINGLE_GROUP, "not a single-group group function")
    return Returning(expressions, list(range(first, first + len(targets))), all(aggregates))


def _expressions(text: str, offset: int) -> list[exp.Expression]:
    if not text.strip():
        raise OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    tree, _ = parsing.parse(f"SELECT {text} FROM DUAL")
    if not isinstance(tree, exp.Select) or tree.args.get("where") is not None:
        raise OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    items = []
    for item in tree.expressions:
        if isinstance(item, (exp.Alias, exp.Star)):
            raise OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
        for node in item.find_all(exp.Placeholder):
            index = placeholder_index(node)
            if index is not None:
                node.set("this", str(index + offset))
        items.append(item)
    return items


def _into_targets(text: str) -> list[str]:
    """The INTO list: bind variables only, separated by commas (a host variable list)."""
    scan = scan_binds(text)
    parts = [part.strip() for part in scan.text.split(",")]
    if len(parts) != len(scan.names) or any(not part.startswith(":") for part in parts):
        raise OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    return scan.names


def _has_aggregate(item: exp.Expression) -> bool:
    return any(isinstance(node, exp.AggFunc) for node in item.walk())


def check_insert(returning: Returning) -> None:
    """Aggregates are for UPDATE and DELETE only: an INSERT ... VALUES adds one row."""
    if returning.aggregate:
        raise OracleError(ORA_GROUP_FUNCTION_NOT_ALLOWED, "group function is not allowed here")


def evaluate(
    session: EmulatorSession,
    returning: Returning,
    table_node: exp.Expression,
    condition: exp.Expression | None,
    order: exp.Expression | None,
    binds: Sequence[Any],
) -> None:
    """Evaluate the expressions over the rows of ``table_node`` that meet ``condition``
    (the changed rows) in ``order``, converted to the INTO variables' types, into
    ``returning.values``. Runs inside the statement's DuckDB transaction."""
    targets = [_target(binds, index) for index in returning.into]
    items = [item.copy() for item in returning.expressions]
    plan = _plan(session, items, table_node, condition, order, binds, returning.aggregate)
    infos = describe_query(session, plan)
    casts = [_cast_type(info.type, target) for info, target in zip(infos, targets, strict=True)]
    if any(casts):
        items = [
            item if cast is None else exp.cast(item, exp.DataType.build(cast, dialect="oracle"))
            for item, cast in zip(items, casts, strict=True)
        ]
        plan = _plan(session, items, table_node, condition, order, binds, returning.aggregate)
    result = session.cursor.execute(plan.sql, plan.params)
    description, rows = result.description, result.fetchall()
    _, converters = describe(plan.outputs, description or [])
    converted = convert_rows(rows, converters)
    returning.values = [[row[i] for row in converted] for i in range(len(targets))]


def _plan(
    session: EmulatorSession,
    items: list[exp.Expression],
    table_node: exp.Expression,
    condition: exp.Expression | None,
    order: exp.Expression | None,
    binds: Sequence[Any],
    aggregate: bool,
) -> Any:
    select = exp.Select(expressions=[item.copy() for item in items])
    select.set("from_", exp.From(this=table_node.copy()))
    if condition is not None:
        select.set("where", exp.Where(this=condition.copy()))
    if order is not None and not aggregate:
        select.set("order", exp.Order(expressions=[exp.Ordered(this=order.copy())]))
    plan = plan_query(session, select, binds)
    plan.fast = None  # values are wanted, not the encoded-row cache
    return plan


def _target(binds: Sequence[Any], index: int) -> OutBind:
    value = binds[index] if index < len(binds) else None
    if not isinstance(value, OutBind):
        # a value where the variable should be: the client did not declare it an out bind
        raise OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    return value


def _cast_type(source: OracleType, target: OutBind) -> str | None:
    """The type to CAST a value of ``source`` to for ``target``, None when it fits as is."""
    wanted = target.type
    family = _FAMILIES.get(wanted)
    if family is None or _FAMILIES.get(source) == family:
        return None
    return _CAST_TYPES.get(wanted)


def _top_level_words(sql: str, top_only: bool = True) -> list[tuple[str, int, int]]:
    """Upper-cased words outside quotes, comments and (with ``top_only``) parentheses,
    with their offsets."""
    words: list[tuple[str, int, int]] = []
    pos, depth, length = 0, 0, len(sql)
    while pos < length:
        ch = sql[pos]
        if ch == "'" or (ch in "qQnN" and _is_q_quote(sql, pos)):
            pos = _skip_quoted(sql, pos)
        elif ch == '"':
            end = sql.find('"', pos + 1)
            pos = length if end < 0 else end + 1
        elif sql.startswith("--", pos):
            end = sql.find("\n", pos)
            pos = length if end < 0 else end + 1
        elif sql.startswith("/*", pos):
            end = sql.find("*/", pos + 2)
            pos = length if end < 0 else end + 2
        elif ch == "(":
            depth += 1
            pos += 1
        elif ch == ")":
            depth -= 1
            pos += 1
        elif ch.isalpha() and (pos == 0 or not _word_char(sql[pos - 1])):
            end = pos
            while end < length and _word_char(sql[end]):
                end += 1
            if depth == 0 or not top_only:
                words.append((sql[pos:end].upper(), pos, end))
            pos = end
        else:
            pos += 1
    return words


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$#:"


def _is_q_quote(sql: str, pos: int) -> bool:
    """Whether a ``q'`` / ``nq'`` literal starts at ``pos``."""
    if pos > 0 and _word_char(sql[pos - 1]):
        return False
    rest = sql[pos : pos + 3].upper()
    return rest.startswith("Q'") or rest.startswith("NQ'")


def _skip_quoted(sql: str, pos: int) -> int:
    """Past the string literal starting at ``pos`` (a quote, or the q of a q-quote)."""
    if sql[pos] != "'":
        quote = sql.index("'", pos)
        if quote + 1 >= len(sql):
            return len(sql)
        opener = sql[quote + 1]
        closer = _Q_CLOSERS.get(opener, opener) + "'"
        end = sql.find(closer, quote + 2)
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
