"""How long the provider's dictionary queries for one table take with many tables in the schema.

The provider introspects a table with three queries (``airflow_oracle_etl/hooks/introspection.py``):
its columns (ALL_TAB_COLUMNS with ALL_COL_COMMENTS), its primary key (ALL_CONSTRAINTS with
ALL_CONS_COLUMNS) and its statistics (ALL_TAB_COMMENTS with ALL_TABLES), each binding the
owner and the table name. This script starts an emulator (a child process, as the provider's
tests do) whose schema holds ``--tables`` tables made by one start-up script, then times each
query through the thin driver in three situations, which alternate within the run:

* ``unchanged``: nothing happened since the previous dictionary query;
* ``after commit``: a row was inserted into another table and committed first (NUM_ROWS moved);
* ``after DDL``: a new table was created first, and the queries introspect it.

Each figure is the median (and 90th percentile) of ``--rounds`` executions, in milliseconds.

    .venv/bin/python benchmarks/emulator_dictionary.py --tables 500 --rounds 20

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import oracledb

# the queries the provider sends, as it sends them
from airflow_oracle_etl.hooks.introspection import COLUMNS_SQL, PRIMARY_KEY_SQL, TABLE_SQL
from oracle_emulator.process import EmulatorProcess

USER = "DEMO"
PASSWORD = "demo"
PERCENTILE = 0.9
MILLIS = 1000.0

QUERIES = {"columns": COLUMNS_SQL, "primary key": PRIMARY_KEY_SQL, "table": TABLE_SQL}
SITUATIONS = ("unchanged", "after commit", "after DDL")


def table_ddl(name: str) -> str:
    """A table shaped like the provider's usual ones: a key, a few types, comments."""
    return (
        f"CREATE TABLE {name} (ID NUMBER(10) PRIMARY KEY, NAME VARCHAR2(50) NOT NULL, "
        f"AMOUNT NUMBER(12,2), CREATED DATE, NOTE VARCHAR2(200));\n"
        f"COMMENT ON TABLE {name} IS 'table {name}';\n"
        f"COMMENT ON COLUMN {name}.AMOUNT IS 'an amount';\n"
    )


def schema_script(tables: int) -> str:
    return "".join(table_ddl(f"T{index:04d}") for index in range(tables))


class Bench:
    """One connection, one cursor; timings per (situation, query) in seconds."""

    def __init__(self, connection: oracledb.Connection, tables: int) -> None:
        self.connection = connection
        self.cursor = connection.cursor()
        self.tables = tables
        self.samples: dict[tuple[str, str], list[float]] = {}
        self._new_tables = 0
        self._rows = 0

    def round(self, number: int) -> None:
        table = f"T{(number * 37) % self.tables:04d}"
        self._time("unchanged", table)
        self._rows += 1
        self.cursor.execute(
            f"INSERT INTO T{(number * 11) % self.tables:04d} (ID, NAME) VALUES (:1, 'x')",
            [self._rows],
        )
        self.connection.commit()
        self._time("after commit", table)
        self._new_tables += 1
        created = f"N{self._new_tables:04d}"
        self.cursor.execute(table_ddl(created).split(";")[0])
        self._time("after DDL", created)

    def _time(self, situation: str, table: str) -> None:
        for label, sql in QUERIES.items():
            started = time.perf_counter()
            rows = self.cursor.execute(sql, owner=USER, name=table).fetchall()
            elapsed = time.perf_counter() - started
            if not rows:
                raise AssertionError(f"{label} of {table}: no rows")
            self.samples.setdefault((situation, label), []).append(elapsed)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(samples: dict[tuple[str, str], list[float]], tables: int) -> None:
    print(f"dictionary queries of one table, {tables} tables in the schema (ms, median / p90)")
    print(f"{'situation':<14}" + "".join(f"{label:>18}" for label in QUERIES))
    for situation in SITUATIONS:
        cells = []
        for label in QUERIES:
            values = samples[(situation, label)]
            median = statistics.median(values) * MILLIS
            cells.append(f"{median:8.1f} / {_percentile(values, PERCENTILE) * MILLIS:6.1f}")
        print(f"{situation:<14}" + "".join(f"{cell:>18}" for cell in cells))


def run(tables: int, rounds: int, warmup: int, emit: Callable[[str], None] = print) -> None:
    with tempfile.TemporaryDirectory(prefix="dictionary-bench-") as folder:
        script = Path(folder) / "schema.sql"
        script.write_text(schema_script(tables), encoding="utf-8")
        started = time.perf_counter()
        args = ["--user", f"{USER}/{PASSWORD}", "--sql", f"{script}:{USER}"]
        with EmulatorProcess(args=args, control=False) as emulator:
            emit(f"emulator with {tables} tables up in {time.perf_counter() - started:.1f} s")
            with oracledb.connect(user=USER, password=PASSWORD, dsn=emulator.dsn) as connection:
                bench = Bench(connection, tables)
                for number in range(warmup):
                    bench.round(number)
                bench.samples.clear()
                for number in range(warmup, warmup + rounds):
                    bench.round(number)
                report(bench.samples, tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    run(args.tables, args.rounds, args.warmup)


if __name__ == "__main__":
    main()
