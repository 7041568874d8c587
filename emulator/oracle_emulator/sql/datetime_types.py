"""The Oracle datatype of datetime expressions, worked out from the query as written.

The emulator stores DATE and TIMESTAMP(0-6) alike as DuckDB TIMESTAMP, so DuckDB's result
type cannot tell ``hire_date + 1`` (a DATE in Oracle) from a TIMESTAMP, nor ``ts - ts`` (an
INTERVAL DAY TO SECOND) from ``date - date`` (a NUMBER of days). Oracle's rules
("Datetime/Interval Arithmetic", SQL Language Reference) decide by the operands' declared
types, which the catalogue knows for columns and the syntax tells for literals, casts and
functions: DATE, TIMESTAMP or TIMESTAMP WITH TIME ZONE plus or minus a number is a DATE;
plus or minus an interval keeps the datetime's type (a DATE stays a DATE); DATE - DATE is a
NUMBER; any other difference of two datetimes is an INTERVAL DAY(9) TO SECOND(9).

What is not known here (a bind, a column of a derived table) gives None: the caller then
keeps DuckDB's own type.
"""

from __future__ import annotations

import re

from sqlglot import exp

from oracle_emulator.api import OracleType
from oracle_emulator.sql.catalogue import Column
from oracle_emulator.sql.rewrite import Source, resolve_column
from oracle_emulator.sql.translate_dialect import DATE_LITERAL, TIMESTAMP_LITERAL

#: the call a difference of two datetimes (not both DATE) becomes: an interval, in DuckDB
TIMESTAMP_DIFFERENCE = "ora_ts_diff"
DATETIMES = frozenset(
    {OracleType.DATE, OracleType.TIMESTAMP, OracleType.TIMESTAMP_TZ, OracleType.TIMESTAMP_LTZ}
)
_INTERVALS = frozenset({OracleType.INTERVAL_DS, OracleType.INTERVAL_YM})
#: functions whose result is a DATE whatever their arguments (TRUNC and ROUND only of a
#: datetime: see :func:`oracle_type`)
_DATE_FUNCTIONS = frozenset({"ADD_MONTHS", "LAST_DAY", "NEXT_DAY", "TO_DATE", "NEW_TIME"})
_ROUNDING_FUNCTIONS = frozenset({"TRUNC", "ROUND"})
_FUNCTION_TYPES = {
    "TO_TIMESTAMP": OracleType.TIMESTAMP,
    "TO_TIMESTAMP_TZ": OracleType.TIMESTAMP_TZ,
    "FROM_TZ": OracleType.TIMESTAMP_TZ,
    "SYS_EXTRACT_UTC": OracleType.TIMESTAMP,
    "NUMTODSINTERVAL": OracleType.INTERVAL_DS,
    "TO_DSINTERVAL": OracleType.INTERVAL_DS,
    "NUMTOYMINTERVAL": OracleType.INTERVAL_YM,
    "TO_YMINTERVAL": OracleType.INTERVAL_YM,
}
#: functions whose result has their first argument's type (Oracle converts the others to it)
_FIRST_ARGUMENT_FUNCTIONS = frozenset({"NVL", "GREATEST", "LEAST"})
_CAST_TYPES = {
    exp.DataType.Type.DATE: OracleType.DATE,
    exp.DataType.Type.TIMESTAMP: OracleType.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPTZ: OracleType.TIMESTAMP_TZ,
    exp.DataType.Type.TIMESTAMPLTZ: OracleType.TIMESTAMP_LTZ,
    exp.DataType.Type.DECIMAL: OracleType.NUMBER,
    exp.DataType.Type.INT: OracleType.NUMBER,
    exp.DataType.Type.BIGINT: OracleType.NUMBER,
    exp.DataType.Type.SMALLINT: OracleType.NUMBER,
}
_YEAR_MONTH_UNITS = frozenset({"YEAR", "MONTH"})
#: a TIMESTAMP literal's text without a time zone
_PLAIN_TIMESTAMP = re.compile(r"\s*-?\d+-\d+-\d+(\s+\d+:\d+(:\d+(\.\d*)?)?)?\s*")
_NUMERIC = (exp.Mul, exp.Mod)


def oracle_type(node: exp.Expression, sources: list[Source]) -> OracleType | None:
    """The Oracle datatype of ``node`` (an expression of the select whose FROM items are
    ``sources``, not yet translated) where the rules above decide it, else None."""
    if isinstance(node, (exp.Paren, exp.Alias, exp.Neg)):
        return oracle_type(node.this, sources)
    if isinstance(node, exp.Literal):
        return None if node.is_string else OracleType.NUMBER
    if isinstance(node, exp.Column):
        column = _column(node, sources)
        return None if column is None else column.type.kind
    if isinstance(node, exp.Add):
        return _sum(oracle_type(node.this, sources), oracle_type(node.expression, sources))
    if isinstance(node, exp.Sub):
        return _difference(oracle_type(node.this, sources), oracle_type(node.expression, sources))
    if isinstance(node, (*_NUMERIC, exp.Div)):
        kinds = {oracle_type(node.this, sources), oracle_type(node.expression, sources)}
        return OracleType.NUMBER if kinds == {OracleType.NUMBER} else None
    if isinstance(node, exp.Cast) and isinstance(node.to, exp.DataType):
        return _CAST_TYPES.get(node.to.this)
    if isinstance(node, exp.Interval):
        unit = node.unit.name.upper() if node.unit is not None else ""
        return OracleType.INTERVAL_YM if unit in _YEAR_MONTH_UNITS else OracleType.INTERVAL_DS
    if isinstance(node, exp.CurrentTimestamp):
        return OracleType.DATE if node.args.get("sysdate") else OracleType.TIMESTAMP_TZ
    if isinstance(node, exp.CurrentDate):
        return OracleType.DATE
    if isinstance(node, exp.Systimestamp):
        return OracleType.TIMESTAMP_TZ
    if isinstance(node, exp.Localtimestamp):
        return OracleType.TIMESTAMP
    if isinstance(node, exp.NextDay):
        return OracleType.DATE
    if isinstance(node, (exp.Max, exp.Min, exp.Coalesce)):
        return oracle_type(node.this, sources)
    if isinstance(node, exp.Case):
        branches = [branch.args.get("true") for branch in node.args.get("ifs") or []]
        first = next((b for b in branches if b is not None and not isinstance(b, exp.Null)), None)
        return None if first is None else oracle_type(first, sources)
    if isinstance(node, exp.Anonymous):
        return _function(node, sources)
    return None


def _function(node: exp.Anonymous, sources: list[Source]) -> OracleType | None:
    name = str(node.this).upper()
    args = node.expressions
    if name == DATE_LITERAL:
        return OracleType.DATE
    if name == TIMESTAMP_LITERAL:
        text = args[0].name if args else ""
        plain = _PLAIN_TIMESTAMP.fullmatch(text) is not None
        return OracleType.TIMESTAMP if plain else OracleType.TIMESTAMP_TZ
    if name in _DATE_FUNCTIONS:
        return OracleType.DATE
    if name in _ROUNDING_FUNCTIONS and args:
        return OracleType.DATE if oracle_type(args[0], sources) in DATETIMES else None
    if name in _FIRST_ARGUMENT_FUNCTIONS and args:
        return oracle_type(args[0], sources)
    return _FUNCTION_TYPES.get(name)


def _sum(left: OracleType | None, right: OracleType | None) -> OracleType | None:
    if right in DATETIMES:
        left, right = right, left
    if left in DATETIMES:
        if left is OracleType.DATE or right is OracleType.NUMBER:
            return OracleType.DATE
        return left if right in _INTERVALS else None
    if left is OracleType.NUMBER and right is OracleType.NUMBER:
        return OracleType.NUMBER
    return None


def _difference(left: OracleType | None, right: OracleType | None) -> OracleType | None:
    if left in DATETIMES:
        if right is OracleType.NUMBER:
            return OracleType.DATE
        if right in _INTERVALS:
            return left
        if right in DATETIMES:
            both_dates = left is OracleType.DATE and right is OracleType.DATE
            return OracleType.NUMBER if both_dates else OracleType.INTERVAL_DS
        return None
    if left is OracleType.NUMBER and right is OracleType.NUMBER:
        return OracleType.NUMBER
    return None


def mark_timestamp_differences(select: exp.Select, sources: list[Source]) -> None:
    """Replace each difference of two datetimes that are not both DATE, in ``select``'s own
    scope, by :data:`TIMESTAMP_DIFFERENCE` (an interval), as Oracle computes it; ``ora_sub``
    would give a number of days, right for DATE - DATE only. Call after the items are
    described (their headings are the text as written)."""
    for node in list(_own_nodes(select)):
        if not isinstance(node, exp.Sub):
            continue
        if (
            _difference(oracle_type(node.this, sources), oracle_type(node.expression, sources))
            is not OracleType.INTERVAL_DS
        ):
            continue
        # the operands move as they are (a nested query in one keeps its identity, which
        # the later steps' scopes refer to)
        operands = [node.this, node.expression]
        node.replace(exp.Anonymous(this=TIMESTAMP_DIFFERENCE, expressions=operands))


def _own_nodes(select: exp.Select) -> list[exp.Expression]:
    """``select``'s nodes outside its nested queries (those are scopes of their own)."""
    found: list[exp.Expression] = []
    stack = list(select.iter_expressions())
    while stack:
        node = stack.pop()
        if isinstance(node, (exp.Select, exp.Subquery, exp.SetOperation)):
            continue
        found.append(node)
        stack.extend(node.iter_expressions())
    return found


def _column(node: exp.Column, sources: list[Source]) -> Column | None:
    found = resolve_column(node, sources)
    return None if found is None else found[1]
