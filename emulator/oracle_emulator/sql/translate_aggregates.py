"""Typed macros applied to aggregate and analytic results, bound through a lambda parameter.

Several macros take their Oracle meaning from their arguments' types: ``ora_add`` of a DATE
and a number adds days, ``ora_sub`` of two DATEs gives days, ``ora_str`` / ``ora_to_char``
format a DATE with the session's NLS and a number as Oracle writes it. DuckDB picks the
overload when it binds the call, from the bound types of the arguments. An argument holding
an aggregate or window function is not bound yet at that point (those are bound in a later
phase), so it counts as untyped, every overload matches and the statement fails ("Macro
ora_add() has multiple overloads that match the supplied arguments"), whatever CAST wraps
the aggregate: ``COUNT(*) + 1``, ``MAX(d) + 1``, ``TO_CHAR(SUM(n))``, ``SUM(n) OVER () - 1``.

A lambda parameter, though, is typed when its body is bound. So such a call moves into the
body of a one-element ``apply``, its aggregate operands passed in a struct::

    ora_add(count(*), 1)
    -> apply([{'a0': count(*)}],
             LAMBDA ora_bound1 : ora_add(struct_extract(ora_bound1, 'a0'), 1))[1]

The overload is then DuckDB's own choice from the operand's real type (exact for every
type, every aggregate and every nesting, inner calls first), with no round trip to learn a
type and no restructuring of the query: GROUP BY, HAVING, ORDER BY, windows and subqueries
stay as written, and other arguments (columns, binds, correlated columns) stay in place.
The price is a one-element list per result row of an aggregate. A scalar subquery argument
is bound on its own and needs nothing.
"""

from __future__ import annotations

import functools
import itertools
import re

import duckdb
from sqlglot import exp

from oracle_emulator.sql import functions, nls, nls_functions, packages

#: a macro's parameter lists: ``name(a TIMESTAMP, b DOUBLE) AS`` and ``, (a, b) AS``
_PARAMETERS = re.compile(r"(?:^\w+|,\s*)\(([^()]*)\)\s+AS\s", re.IGNORECASE)
_LAMBDA_PARAMETER = "ora_bound"


@functools.cache
def typed_macros() -> frozenset[str]:
    """The macros (lower case) with a parameter of a declared type: DuckDB chooses among
    their overloads by argument type (overloads that differ in arity only are chosen by
    the count, which an aggregate argument does not disturb)."""
    texts = [*functions.MACRO_DEFINITIONS, *packages.MACROS]
    texts += nls_functions.macros(nls.NlsSettings())
    names = set()
    for text in texts:
        lists = _PARAMETERS.findall(text.strip())
        typed = any(" " in p.strip() for params in lists for p in params.split(","))
        if typed:
            names.add(text.strip().split("(", 1)[0].strip().lower())
    return frozenset(names)


@functools.cache
def _duckdb_aggregates() -> frozenset[str]:
    """DuckDB's aggregate functions (lower case): an aggregate the parser does not know by
    name (``BIT_AND_AGG``) is a plain function call in the tree."""
    with duckdb.connect() as conn:
        rows = conn.execute(
            "SELECT DISTINCT lower(function_name) FROM duckdb_functions()"
            " WHERE function_type = 'aggregate'"
        ).fetchall()
    return frozenset(name for (name,) in rows)


def _holds_aggregate(node: exp.Expression) -> bool:
    """Whether ``node`` has an aggregate or window function of its own query level."""
    if isinstance(node, (exp.AggFunc, exp.Window)):
        return True
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in _duckdb_aggregates():
        return True
    if isinstance(node, (exp.Subquery, exp.Query)):
        return False
    return any(_holds_aggregate(child) for child in node.iter_expressions())


def bind_aggregate_operands(tree: exp.Expression) -> exp.Expression:
    """``tree`` (translated, DuckDB terms) with every typed macro call that has an aggregate
    or window operand moved into a lambda body (module docstring); children first."""
    counter = itertools.count(1)
    targets = typed_macros()

    def wrap(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Anonymous) and str(node.this).lower() in targets):
            return node
        args = list(node.expressions)
        moved = [i for i, arg in enumerate(args) if _holds_aggregate(arg)]
        if not moved:
            return node
        parameter = f"{_LAMBDA_PARAMETER}{next(counter)}"
        fields = []
        for i in moved:
            field = f"a{i}"
            fields.append(exp.PropertyEQ(this=exp.to_identifier(field), expression=args[i]))
            # struct_extract, not ``parameter.field``: a HAVING clause binds the dotted
            # form as a column of the query
            args[i] = exp.Anonymous(
                this="struct_extract",
                expressions=[exp.to_identifier(parameter), exp.Literal.string(field)],
            )
        body = exp.Anonymous(this=node.this, expressions=args)
        operands = exp.Array(expressions=[exp.Struct(expressions=fields)])
        function = exp.Lambda(this=body, expressions=[exp.to_identifier(parameter)])
        applied = exp.Anonymous(this="apply", expressions=[operands, function])
        return exp.Bracket(this=applied, expressions=[exp.Literal.number(1)], offset=1)

    def walk(node: exp.Expression) -> exp.Expression:
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                node.set(key, walk(value))
            elif isinstance(value, list):
                node.set(key, [walk(v) if isinstance(v, exp.Expression) else v for v in value])
        return wrap(node)

    return walk(tree)
