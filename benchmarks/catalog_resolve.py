"""What resolving schema selectors costs with many tables in the schema.

The plan reads the tables and views of the selectors' schemas in one statement
(``airflow_oracle_etl/hooks/catalog.py``, through ``OracleExtractHook.list_catalog``) and
matches the patterns in Python (``airflow_oracle_etl/transports/selectors.py``). This script
starts an emulator (a child process, as the provider's tests do) whose schema holds
``--tables`` tables made by one start-up script, and times, alternating within the run:

* ``catalog``: ``list_catalog`` of the schema (one statement, every table with its
  NUM_ROWS and AVG_ROW_LEN);
* ``resolve``: ``resolve_tables`` of three selectors and one explicit entry over that catalog;
* ``per table``: the baseline, what reading the same statistics table by table would take:
  the provider's per-table statistics query (``TABLE_SQL``) once for every table.

Each figure is the median (and 90th percentile) of ``--rounds`` executions, in milliseconds,
after a first catalog query that is reported on its own (the emulator builds its dictionary
views then).

    .venv/bin/python benchmarks/catalog_resolve.py --tables 2000 --rounds 5

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from airflow_oracle_etl.hooks.introspection import TABLE_SQL
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.transports.loading import transport_from_data
from airflow_oracle_etl.transports.model import Transport
from airflow_oracle_etl.transports.selectors import catalog_owners, resolve_tables
from oracle_emulator.process import EmulatorProcess

USER = "DEMO"
PASSWORD = "demo"
CONN_ID = "catalog_bench"
PERCENTILE = 0.9
MILLIS = 1000.0
FIGURES = ("catalog", "resolve", "per table")


def schema_script(tables: int) -> str:
    """``tables`` tables named in three families, so the selectors match different parts."""
    families = ("ORDERS", "CUSTOMER", "STAGE")
    return "".join(
        f"CREATE TABLE {families[index % 3]}_{index:05d} (ID NUMBER(10) PRIMARY KEY, "
        "NAME VARCHAR2(50), AMOUNT NUMBER(12,2));\n"
        for index in range(tables)
    )


def selecting_transport() -> Transport:
    return transport_from_data(
        {
            "id": "bench",
            "destination": {"bucket": "bench-bucket"},
            "tables": [
                {"schema": USER, "include": ["ORDERS_*"]},
                f"{USER}.STAGE_00002",
                {"schema": USER, "include": ["CUSTOMER_*"], "exclude": ["*9"]},
                {"schema": USER, "include": ["STAGE_*", "CUSTOMER_*"]},
            ],
        }
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(tables: int, rounds: int, emit: Callable[[str], None] = print) -> None:
    transport = selecting_transport()
    explicit, selectors = transport.tables_normalized(), transport.selectors()
    owners, current = catalog_owners(explicit, selectors)
    samples: dict[str, list[float]] = {figure: [] for figure in FIGURES}
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as folder:
        script = Path(folder) / "schema.sql"
        script.write_text(schema_script(tables), encoding="utf-8")
        started = time.perf_counter()
        args = ["--user", f"{USER}/{PASSWORD}", "--sql", f"{script}:{USER}"]
        with EmulatorProcess(args=args, control=False) as emulator:
            emit(f"emulator with {tables} tables up in {time.perf_counter() - started:.1f} s")
            os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = json.dumps(
                {
                    "conn_type": "oracle",
                    "host": emulator.host,
                    "port": emulator.port,
                    "login": USER,
                    "password": PASSWORD,
                    "extra": {"service_name": emulator.service_name},
                }
            )
            hook = OracleExtractHook(oracle_conn_id=CONN_ID)
            with hook.session() as connection, connection.cursor() as cursor:
                started = time.perf_counter()
                entries, _ = hook.list_catalog(owners, current_schema=current)
                emit(
                    f"first catalog query (the emulator builds its dictionary views): "
                    f"{(time.perf_counter() - started) * MILLIS:.0f} ms"
                )
                for _ in range(rounds):
                    started = time.perf_counter()
                    entries, schema = hook.list_catalog(owners, current_schema=current)
                    samples["catalog"].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    resolution = resolve_tables(explicit, selectors, entries, schema)
                    samples["resolve"].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    for entry in entries:
                        cursor.execute(TABLE_SQL, owner=entry.owner, name=entry.name).fetchall()
                    samples["per table"].append(time.perf_counter() - started)
    listed = sum(entry.owner == USER for entry in entries)
    emit(
        f"{listed} objects of {USER} listed, {len(resolution.tables)} tables resolved "
        f"({', '.join(f'{len(r.tables)}' for r in resolution.selectors)} per selector)"
    )
    emit(f"schema of {tables} tables (ms, median / p90 of {rounds})")
    for figure in FIGURES:
        values = samples[figure]
        median = statistics.median(values) * MILLIS
        emit(f"{figure:<10}{median:10.1f} / {_percentile(values, PERCENTILE) * MILLIS:8.1f}")
    catalog, per_table = (statistics.median(samples[f]) for f in ("catalog", "per table"))
    emit(f"per-table statistics queries take {per_table / catalog:.1f}x the one catalog query")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    run(args.tables, args.rounds)


if __name__ == "__main__":
    main()
