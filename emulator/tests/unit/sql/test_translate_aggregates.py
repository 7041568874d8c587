"""Which calls translate_aggregates moves into a lambda body, and which it leaves alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from sqlglot import exp

from oracle_emulator.sql import translate, translate_aggregates
from oracle_emulator.sql.functions import install_functions


def _translated(sql: str) -> exp.Expression:
    return translate.to_duckdb(translate.parse(sql).tree)


def _lambdas(tree: exp.Expression) -> list[str]:
    """The macros called in lambda bodies, outermost first."""
    return [str(node.this.this).lower() for node in tree.find_all(exp.Lambda)]


def test_typed_macros_are_those_chosen_by_type() -> None:
    typed = translate_aggregates.typed_macros()
    assert {"ora_add", "ora_sub", "ora_str", "ora_to_char", "ora_trunc"} <= typed
    assert "ora_substr" not in typed  # overloads told apart by their argument count


@pytest.mark.parametrize(
    ("sql", "wrapped"),
    [
        ("SELECT COUNT(*) + 1 FROM t", ["ora_add"]),
        ("SELECT TO_CHAR(SUM(n) OVER () - 1) FROM t", ["ora_str", "ora_sub"]),
        ("SELECT id + 1 FROM t", []),
        ("SELECT SUM(n + 1) FROM t", []),  # the aggregate is outside the call
        ("SELECT (SELECT MAX(id) FROM t) + 1 FROM dual", []),  # bound on its own
        ("SELECT id FROM t WHERE id = (SELECT MAX(id) - 1 FROM t)", ["ora_sub"]),
    ],
)
def test_calls_with_aggregate_operands_are_wrapped(sql: str, wrapped: list[str]) -> None:
    assert _lambdas(_translated(sql)) == wrapped


def test_wrapped_calls_run_with_the_operand_types() -> None:
    conn = duckdb.connect()
    install_functions(conn)
    conn.execute("CREATE TABLE t AS SELECT range AS id, TIMESTAMP '2024-01-01' AS d FROM range(3)")
    sql = _translated("SELECT COUNT(*) + 1, MAX(d) + 1, MAX(d) - MIN(d) + 0.5 FROM t")
    count, next_day, span = conn.execute(sql.sql(dialect="duckdb")).fetchone()
    assert (count, next_day, span) == (4, dt.datetime(2024, 1, 2), Decimal("0.5"))
