"""Linguistic ordering and comparison: NLS_SORT and NLS_COMP applied to a query tree.

Under a linguistic NLS_SORT, Oracle orders character values by the sort's rules in every
ORDER BY (and in window ORDER BY); under NLS_COMP=LINGUISTIC comparisons follow the sort too.
Both are done by wrapping the expressions in ``ora_sortkey()``, the session's macro
(:mod:`.nls_functions`), which collates character values and leaves others as they are. An
ordinal or an alias in ORDER BY is replaced by the select item it names first, since a
wrapped ``1`` would be a constant. Under BINARY nothing is changed, so plans stay as fast.
Not done: the ORDER BY of a set operation (UNION ...), GROUP BY and DISTINCT under a ``_CI``
sort, and IN/BETWEEN/LIKE under NLS_COMP=LINGUISTIC.
"""

from __future__ import annotations

from sqlglot import exp

from oracle_emulator.sql.nls import NlsSettings

SORT_KEY = "ora_sortkey"
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def apply_collation(tree: exp.Expression, nls: NlsSettings) -> None:
    """Wrap ORDER BY keys (linguistic NLS_SORT) and comparison operands (NLS_COMP=LINGUISTIC
    with a linguistic sort) of ``tree`` in place."""
    if nls.sort == "BINARY":
        return
    for ordered in list(tree.find_all(exp.Ordered)):
        if isinstance(ordered.parent, exp.Order) and isinstance(
            ordered.parent.parent, exp.SetOperation
        ):
            continue  # keys of a UNION's ORDER BY name its output columns: left binary
        key = _resolved(ordered)
        if key is not None:
            ordered.set("this", _wrap(key))
    if nls.comp != "LINGUISTIC":
        return
    for node in list(tree.find_all(*_COMPARISONS)):
        node.set("this", _wrap(node.this))
        node.set("expression", _wrap(node.expression))


def _wrap(node: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=SORT_KEY, expressions=[node])


def _resolved(ordered: exp.Ordered) -> exp.Expression | None:
    """The ORDER BY key, with an ordinal or a select alias replaced by the item's expression;
    None for one that cannot be (a ``*``, a window or an aggregate, which a copy would
    compute again differently): it stays binary."""
    key = ordered.this
    select = ordered.parent.parent if isinstance(ordered.parent, exp.Order) else None
    if not isinstance(select, exp.Select):
        return key
    items = select.expressions
    item: exp.Expression | None = None
    if isinstance(key, exp.Literal) and key.is_int:
        if not 1 <= int(key.this) <= len(items):
            return None
        item = items[int(key.this) - 1]
    elif isinstance(key, exp.Column) and not key.table:
        item = next(
            (i for i in items if isinstance(i, exp.Alias) and i.alias.upper() == key.name.upper()),
            None,
        )
    if item is None:
        return key
    if item.find(exp.Star, exp.Window, exp.AggFunc):
        return None
    return item.unalias().copy()
