"""What the emulator's grammar gate costs: its start, a first parse, a warm parse, a cache hit,
and a statement's round trip through the driver with the gate on and off.

The gate parses every statement a client sends with the grammars-v4 Oracle grammar in a Node
process (``oracle_emulator.sql.grammar_gate``). This script measures, in one run:

* ``node start``: from spawning the parser to the grammar loaded (median of ``--starts``);
* ``first parse``: the first statement a fresh parser sees (its DFA is cold);
* ``warm parse``: each of the provider's typical statements once the parser is warm, made
  distinct per repetition by a comment so that the cache does not answer (median, p90);
* ``cache hit``: the same statement again (the gate's look-up alone);
* the round trip of ``cursor.execute`` + ``fetchall`` against two emulators started side by
  side, one with the gate and one with ``--no-grammar-check`` (the baseline), for a repeated
  statement (cache hits) and for a new text each time (a parse each time).

    .venv/bin/python benchmarks/grammar_gate.py --rounds 200

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

import oracledb

# the statements the provider sends, as it sends them
from airflow_oracle_etl.hooks.introspection import COLUMNS_SQL, PRIMARY_KEY_SQL, TABLE_SQL
from airflow_oracle_etl.hooks.query import CURRENT_SCHEMA_SQL, CURRENT_SCN_SQL, wrap_query
from airflow_oracle_etl.planning.planner import NLS_COLLATION_SQL
from oracle_emulator.process import EmulatorProcess
from oracle_emulator.sql.grammar_gate import GrammarGate

MILLIS = 1000.0
PERCENTILE = 0.9

EXTRACTION_SQL = (
    'SELECT "ORDER_ID", "CUSTOMER_ID", "ORDER_DATE", "STATUS", "TOTAL_AMOUNT" '
    'FROM "DEMO"."SALES_ORDER" AS OF SCN :scn WHERE ORA_HASH(ROWID, 7) = :part '
    'AND ("ORDER_ID") > (:k0) ORDER BY "ORDER_ID"'
)
STATEMENTS = {
    "current SCN": CURRENT_SCN_SQL,
    "current schema": CURRENT_SCHEMA_SQL,
    "NLS collation": NLS_COLLATION_SQL,
    "columns": COLUMNS_SQL,
    "primary key": PRIMARY_KEY_SQL,
    "table": TABLE_SQL,
    "extraction": EXTRACTION_SQL,
    "wrapped query": wrap_query(
        "SELECT ORDER_ID, STATUS FROM SALES_ORDER WHERE STATUS = 'NEW'",
        'TO_CHAR("ORDER_ID"), "STATUS"',
    ),
}


def _ms(samples: Sequence[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * PERCENTILE))]
    return f"{statistics.median(ordered) * MILLIS:8.3f} / {p90 * MILLIS:8.3f}"


def _time(work: Callable[[], object]) -> float:
    begun = time.perf_counter()
    work()
    return time.perf_counter() - begun


def gate_figures(rounds: int, starts: int) -> None:
    print("gate, in process (median / p90 ms)")
    node_starts, first_parses = [], []
    for _ in range(starts):
        gate = GrammarGate()
        gate.wait_ready()
        node_starts.append(gate.stats.node_start_ms / MILLIS)
        first_parses.append(gate.stats.first_parse_ms / MILLIS)
        gate.close()
    print(f"  {'node start':<16}{_ms(node_starts)}")
    print(f"  {'first parse':<16}{_ms(first_parses)}")
    gate = GrammarGate()
    gate.wait_ready()
    try:
        for name, sql in STATEMENTS.items():
            gate.check(sql)  # this statement's paths once, as the first user would
            warm = [_time(lambda t=f"{sql}\n-- {n}": gate.check(t)) for n in range(rounds)]
            hits = [_time(lambda t=sql: gate.check(t)) for _ in range(rounds)]
            hit_us = statistics.median(hits) * MILLIS * MILLIS
            print(f"  {'warm ' + name:<28}{_ms(warm)}   cache hit {hit_us:6.1f} us")
    finally:
        gate.close()


def round_trips(rounds: int) -> None:
    print("execute + fetchall through the driver (median / p90 ms; baseline: gate off)")
    on = EmulatorProcess(args=["--demo", "--bench-rows", "1000"])
    off = EmulatorProcess(args=["--demo", "--bench-rows", "1000", "--no-grammar-check"])
    with on, off:
        connections = {
            "gate off": oracledb.connect(user="demo", password="demo", dsn=off.dsn),
            "gate on": oracledb.connect(user="demo", password="demo", dsn=on.dsn),
        }
        repeated = "SELECT ORDER_ID, STATUS FROM SALES_ORDER WHERE ORDER_ID = :1"
        samples: dict[tuple[str, str], list[float]] = {}
        for number in range(rounds):
            for label, connection in connections.items():  # alternate: same load for both
                cursor = connection.cursor()
                samples.setdefault((label, "same text"), []).append(
                    _time(lambda c=cursor, n=number: c.execute(repeated, [n + 1]).fetchall())
                )
                new_text = f"SELECT ORDER_ID, STATUS FROM SALES_ORDER WHERE ORDER_ID = {number + 1}"
                samples.setdefault((label, "new text"), []).append(
                    _time(lambda c=cursor, s=new_text: c.execute(s).fetchall())
                )
        for kind in ("same text", "new text"):
            base = statistics.median(samples[("gate off", kind)])
            for label in connections:
                extra = statistics.median(samples[(label, kind)]) - base
                print(
                    f"  {kind:<10} {label:<9}{_ms(samples[(label, kind)])}"
                    f"   {extra * MILLIS:+7.3f} ms vs baseline"
                )
        for connection in connections.values():
            connection.close()
        figures = on.faults.grammar_stats()
        print(
            f"  the 'gate on' emulator checked {figures['checked']} statements "
            f"({figures['distinct']} parsed, {figures['refused']} refused)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    gate_figures(args.rounds, args.starts)
    round_trips(args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
