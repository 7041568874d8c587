"""CONNECT BY as a row generator: ``SELECT ... FROM DUAL CONNECT BY LEVEL <= n``.

The one hierarchical query that needs no hierarchy: DUAL has one row, and a condition that
only bounds LEVEL (or ROWNUM, which counts the same rows here) makes Oracle return the rows
of levels 1..n. Oracle always returns the root row, so a bound below 1 still gives one row,
and a fractional bound keeps the levels that satisfy it (``LEVEL <= 2.5`` is 2 rows).

Accepted: the query block's only source is DUAL, no START WITH, no NOCYCLE, no PRIOR, and the
condition is ``LEVEL <= e``, ``LEVEL < e`` (or the same with ROWNUM, or with the operands
swapped), where ``e`` uses neither LEVEL nor ROWNUM. The block becomes a join of DUAL with a
generated series whose column replaces LEVEL. Any other CONNECT BY is still refused with
ORA-00900 by :func:`translate_exprs.reject_unsupported`.
"""

from __future__ import annotations

from sqlglot import exp

from oracle_emulator.sql.translate_exprs import TRANSLATED

LEVEL_COLUMN = "__ORA_LEVEL"
SERIES_ALIAS = "__ORA_CONNECT"
_PSEUDO = ("LEVEL", "ROWNUM")


def _is_pseudo(node: exp.Expression, names: tuple[str, ...] = _PSEUDO) -> bool:
    return (
        isinstance(node, exp.Column)
        and not node.table
        and isinstance(node.this, exp.Identifier)
        and not node.this.quoted
        and node.name.upper() in names
    )


def _level_bound(condition: exp.Expression) -> exp.Expression | None:
    """The highest level the condition admits (an expression), or None if it is not a plain
    bound on LEVEL/ROWNUM."""
    if isinstance(condition, exp.Paren):
        return _level_bound(condition.this)
    if isinstance(condition, (exp.LTE, exp.LT)) and _is_pseudo(condition.this):
        bound, strict = condition.expression, isinstance(condition, exp.LT)
    elif isinstance(condition, (exp.GTE, exp.GT)) and _is_pseudo(condition.expression):
        bound, strict = condition.this, isinstance(condition, exp.GT)
    else:
        return None
    if any(_is_pseudo(n) or isinstance(n, exp.Prior) for n in bound.walk()):
        return None
    if strict:  # LEVEL < e: the largest integer below e
        return exp.Sub(
            this=exp.Ceil(this=exp.Paren(this=bound.copy())), expression=exp.Literal.number(1)
        )
    return exp.Floor(this=exp.Paren(this=bound.copy()))


def _series(highest: exp.Expression) -> exp.Subquery:
    count = exp.Cast(
        this=exp.Greatest(this=highest, expressions=[exp.Literal.number(1)]),
        to=exp.DataType.build("BIGINT"),
    )
    count.meta[TRANSLATED] = True  # DuckDB's own cast: the series wants a BIGINT
    generator = exp.Table(
        this=exp.Anonymous(this="generate_series", expressions=[exp.Literal.number(1), count])
    )
    select = exp.select(exp.alias_(exp.column("generate_series"), LEVEL_COLUMN, quoted=True)).from_(
        generator
    )
    return exp.Subquery(
        this=select, alias=exp.TableAlias(this=exp.to_identifier(SERIES_ALIAS, quoted=True))
    )


def rewrite_row_generator(select: exp.Select, only_dual: bool) -> bool:
    """Turn ``select`` into DUAL joined with levels 1..n when its CONNECT BY is a plain row
    generator and ``only_dual`` says its single source is DUAL; True if rewritten."""
    connect = select.args.get("connect")
    if not isinstance(connect, exp.Connect) or not only_dual or select.args.get("joins"):
        return False
    if connect.args.get("start") is not None or connect.args.get("nocycle"):
        return False
    highest = _level_bound(connect.args["connect"])
    if highest is None:
        return False
    select.set("connect", None)
    select.append("joins", exp.Join(this=_series(highest), kind="CROSS"))
    level = exp.column(LEVEL_COLUMN, table=SERIES_ALIAS, quoted=True)
    for node in list(select.walk(prune=lambda n: n is not select and isinstance(n, exp.Query))):
        if _is_pseudo(node, ("LEVEL",)):
            node.replace(level.copy())
    return True
