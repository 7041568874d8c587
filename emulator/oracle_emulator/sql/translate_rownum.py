"""ROWNUM: Oracle numbers rows as the WHERE clause accepts them, before ORDER BY, GROUP BY
and DISTINCT of the same query block. So ``WHERE ROWNUM <= n`` keeps the first n rows that
pass the other conditions, and only those are sorted or aggregated.

Per query block:
- no ORDER BY, aggregation or DISTINCT: the ROWNUM conditions become ``LIMIT``;
- ORDER BY: the block without its ORDER BY, limited, becomes a derived table that the ORDER BY
  sorts (sort keys that are not output columns travel as hidden ``__ora_ord_<i>`` columns,
  dropped again with ``* EXCLUDE``);
- GROUP BY, aggregates, DISTINCT or window functions: the FROM source filtered by the WHERE
  clause and limited becomes the source (only for one source without joins).
``ROWNUM`` anywhere else in the block (the select list, typically) becomes
``row_number() OVER ()``. Supported conditions, AND-ed with the rest of the WHERE clause:
``ROWNUM <= n``, ``< n``, ``= n``, ``> n``, ``>= n`` (either side); ROWNUM inside OR or
other expressions of the WHERE clause is ORA-00900 with a message saying so.
"""

from __future__ import annotations

from sqlglot import exp

from oracle_emulator.api import ORA_INVALID_SQL, OracleError
from oracle_emulator.sql.translate_exprs import TRANSLATED

_DERIVED_ALIAS = "__ora_rownum"
_HIDDEN_PREFIX = "__ora_ord_"
_FLIPPED = {exp.LT: exp.GT, exp.LTE: exp.GTE, exp.GT: exp.LT, exp.GTE: exp.LTE, exp.EQ: exp.EQ}


def is_rownum(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Column)
        and not node.table
        and isinstance(node.this, exp.Identifier)
        and not node.this.quoted
        and node.name.upper() == "ROWNUM"
    )


def _own_nodes(node: exp.Expression) -> list[exp.Expression]:
    """Nodes of ``node`` that belong to its own query block (subqueries excluded)."""
    return list(node.dfs(prune=lambda n: n is not node and isinstance(n, exp.Query)))


def _has_rownum(node: exp.Expression) -> bool:
    return any(is_rownum(n) for n in _own_nodes(node))


def rewrite_rownum(tree: exp.Expression) -> exp.Expression:
    """Rewrite every query block of ``tree`` that uses ROWNUM; returns the (new) root."""
    for select in list(tree.find_all(exp.Select)):
        replacement = _rewrite_block(select)
        if replacement is not select:
            if select is tree:
                tree = replacement
            else:
                select.replace(replacement)
    return tree


def _limit_from_where(select: exp.Select) -> exp.Expression | None:
    """Take the ROWNUM conditions out of the WHERE clause; the row limit they make."""
    where = select.args.get("where")
    if where is None or not _has_rownum(where.this):
        return None
    conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
    limits, rest = [], []
    for conjunct in conjuncts:
        if not _has_rownum(conjunct):
            rest.append(conjunct)
            continue
        limits.append(_condition_limit(conjunct))
    select.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
    limit = limits[0]
    for other in limits[1:]:
        limit = exp.Anonymous(this="least", expressions=[limit, other])
    return limit


def _condition_limit(condition: exp.Expression) -> exp.Expression:
    kind = type(condition)
    if kind not in _FLIPPED:
        raise OracleError(
            ORA_INVALID_SQL,
            "ROWNUM is supported only in AND-ed conditions ROWNUM <=, <, =, >, >= expression",
        )
    left, right = condition.this, condition.expression
    if is_rownum(right) and not _has_rownum(left):
        kind, left, right = _FLIPPED[kind], right, left
    if not is_rownum(left) or _has_rownum(right):
        raise OracleError(ORA_INVALID_SQL, "ROWNUM must be compared with an expression")
    return _limit_for(kind, right)


def _limit_for(kind: type, bound: exp.Expression) -> exp.Expression:
    """Rows kept by ``ROWNUM <kind> bound`` (ROWNUM = 2 or > 1 keep none: row 1 never passes)."""
    b = bound.copy()
    if kind is exp.LTE:
        sql = "greatest(CAST(floor(b) AS BIGINT), 0)"
    elif kind is exp.LT:
        sql = "greatest(CAST(ceil(b) AS BIGINT) - 1, 0)"
    elif kind is exp.EQ:
        sql = "CASE WHEN b = 1 THEN 1 ELSE 0 END"
    elif kind is exp.GT:
        sql = "CASE WHEN b < 1 THEN NULL ELSE 0 END"
    else:
        sql = "CASE WHEN b <= 1 THEN NULL ELSE 0 END"
    if isinstance(b, exp.Literal) and b.is_int and kind in (exp.LTE, exp.LT, exp.EQ):
        value = int(b.name)
        count = {exp.LTE: value, exp.LT: value - 1, exp.EQ: int(value == 1)}[kind]
        return exp.Literal.number(max(count, 0))
    template = exp.maybe_parse(sql, dialect="duckdb")
    for node in template.walk():
        node.meta[TRANSLATED] = True  # DuckDB casts, not Oracle ones: not to be rewritten
    return template.transform(
        lambda n: b.copy() if isinstance(n, exp.Column) and n.name == "b" else n
    )


def _is_aggregating(select: exp.Select) -> bool:
    if any(select.args.get(key) for key in ("group", "having", "distinct", "limit", "offset")):
        return True
    nodes = [n for e in select.expressions for n in _own_nodes(e)]
    return any(isinstance(n, (exp.AggFunc, exp.Window)) for n in nodes)


def _number_rows(select: exp.Select) -> None:
    """ROWNUM left in the block (select list, ORDER BY) is the row's number."""
    for node in _own_nodes(select):
        if is_rownum(node):
            node.replace(
                exp.Window(this=exp.Anonymous(this="row_number", expressions=[]), over="OVER")
            )


def _rewrite_block(select: exp.Select) -> exp.Expression:
    if not _has_rownum(select):
        return select
    aggregating = _is_aggregating(select)
    limit = _limit_from_where(select)
    _number_rows(select)
    if limit is None:
        return select
    if aggregating:
        return _limit_source(select, limit)
    if select.args.get("order"):
        return _limit_then_sort(select, limit)
    select.set("limit", exp.Limit(expression=limit))
    return select


def _limit_then_sort(select: exp.Select, limit: exp.Expression) -> exp.Select:
    order: exp.Order = select.args["order"]
    select.set("order", None)
    hidden, keys = [], []
    for index, ordered in enumerate(order.expressions):
        key, new = ordered.this, ordered.copy()
        if not (isinstance(key, exp.Literal) and key.is_int):
            name = f"{_HIDDEN_PREFIX}{index}"
            select.select(exp.alias_(key.copy(), name), copy=False)
            hidden.append(exp.column(name))
            new.set("this", exp.column(name))
        keys.append(new)
    select.set("limit", exp.Limit(expression=limit))
    star = exp.Star(except_=hidden) if hidden else exp.Star()
    outer = exp.select(star).from_(select.subquery(_DERIVED_ALIAS))
    outer.set("order", exp.Order(expressions=keys))
    return outer


def _limit_source(select: exp.Select, limit: exp.Expression) -> exp.Select:
    if select.args.get("joins"):
        raise OracleError(
            ORA_INVALID_SQL, "ROWNUM with joins and GROUP BY/DISTINCT/aggregates is not supported"
        )
    source = select.args["from_"].this
    alias = source.alias_or_name or _DERIVED_ALIAS
    inner = exp.select("*").from_(source.copy())
    where = select.args.get("where")
    if where is not None:
        inner.set("where", where.copy())
        select.set("where", None)
    inner.set("limit", exp.Limit(expression=limit))
    select.set("from_", exp.From(this=inner.subquery(alias)))
    return select
