"""The demo schema: what `make run`, the tests and the benchmarks extract.

Three related sales tables (CUSTOMER, SALES_ORDER, SALES_LINE_ITEM) for the demo transport,
ALL_TYPES with one column of every Oracle type the provider maps, and BENCH_ROWS in the
benchmark shape. Bulk data is generated inside DuckDB from ``range()`` with arithmetic
pseudo-random functions of the row number and the seed, so a million rows load in about a
second and the same seed gives the same rows on every machine (DuckDB's ``random()`` is not
reproducible across threads).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.resources import files

from oracle_emulator.sql.engine import EmulatorDatabase

log = logging.getLogger(__name__)

DEMO_SCHEMA = "DEMO"
#: who runs the demo schema script: a DBA, who may grant what DEMO needs
SCRIPT_USER = "SYSTEM"
BENCH_TABLE = "BENCH_ROWS"


@dataclass(frozen=True)
class DemoSizes:
    """Row counts of the generated tables; ``bench_rows`` is the one benchmarks turn up."""

    customers: int = 1_000
    orders: int = 10_000
    bench_rows: int = 100_000
    seed: int = 42


def _rand(expr: str, seed: int, salt: int, modulus: int) -> str:
    """SQL for a reproducible pseudo-random integer in [0, modulus) from ``expr``.

    A multiplicative hash on 64-bit integers: cheap, vectorised by DuckDB, and well enough
    spread for demo data (it is not a statistical generator).
    """
    mix = (seed * 1_000_003 + salt * 7_919) % 2_147_483_647
    return f"(((({expr}) + {mix}) * 2654435761 + {salt * 40_503}) % 4294967291 % {modulus})"


def schema_sql() -> str:
    """The grants, DDL and fixed rows of the demo schema (Oracle SQL, run as SYSTEM)."""
    return files(__package__).joinpath("demo_schema.sql").read_text(encoding="utf-8")


def load_demo(database: EmulatorDatabase, sizes: DemoSizes = DemoSizes()) -> None:
    """Create the DEMO user and fill its tables; safe to call on a fresh database only."""
    database.create_user(DEMO_SCHEMA, "demo")
    database.execute_script(schema_sql(), schema=SCRIPT_USER)
    seed = sizes.seed
    database.bulk_insert(DEMO_SCHEMA, "CUSTOMER", _customers_sql(sizes.customers, seed))
    database.bulk_insert(DEMO_SCHEMA, "SALES_ORDER", _orders_sql(sizes, seed))
    database.bulk_insert(DEMO_SCHEMA, "SALES_LINE_ITEM", _line_items_sql(sizes.orders, seed))
    database.bulk_insert(DEMO_SCHEMA, BENCH_TABLE, bench_rows_sql(sizes.bench_rows, seed))
    log.info(
        "demo schema loaded: %d customers, %d orders, %d bench rows (seed %d)",
        sizes.customers,
        sizes.orders,
        sizes.bench_rows,
        seed,
    )


_FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Ken", "Frances", "Linus", "Ole"]
_LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Thompson", "Allen"]
_COUNTRIES = ["DE", "US", "FR", "JP", "BR", "IN", "GB", "PL", "ZA", "AU"]
_CITIES = ["Zürich", "München", "São Paulo", "Kraków", "東京", "Paris", "Durban", "Perth"]
_WORDS = ["steel", "oak", "copper", "linen", "glass", "wool", "maple", "slate", "amber", "jade"]


def _pick(values: list[str], index_sql: str) -> str:
    """SQL picking from a fixed list by a computed 0-based index."""
    literal = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"([{literal}])[({index_sql}) + 1]"


def _customers_sql(count: int, seed: int) -> str:
    i = "i"
    first = _pick(_FIRST, _rand(i, seed, 1, len(_FIRST)))
    last = _pick(_LAST, _rand(i, seed, 2, len(_LAST)))
    return f"""
        SELECT i + 1 AS CUSTOMER_ID,
               {first} || ' ' || {last} AS NAME,
               lower({first}) || '.' || lower({last}) || (i + 1) || '@example.com' AS EMAIL,
               {_pick(_COUNTRIES, _rand(i, seed, 3, len(_COUNTRIES)))} AS COUNTRY,
               {_pick(_CITIES, _rand(i, seed, 4, len(_CITIES)))} AS CITY,
               TIMESTAMPTZ '2019-01-01 00:00:00+00'
                 + to_microseconds({_rand(i, seed, 5, 157_680_000)}::BIGINT * 1000000
                                   + {_rand(i, seed, 6, 1_000_000)}) AS CREATED_AT,
               ({_rand(i, seed, 7, 10_000_000)} / 100)::DECIMAL(12, 2) AS CREDIT_LIMIT,
               CASE WHEN {_rand(i, seed, 8, 4)} = 0 THEN NULL
                    ELSE 'Customer since ' || (2019 + {_rand(i, seed, 9, 6)})
                         || repeat('. Prefers ' || {_pick(_WORDS, _rand(i, seed, 10, 10))},
                                   1 + {_rand(i, seed, 11, 40)}) END AS NOTES
        FROM range({count}) t(i)
    """


def _orders_sql(sizes: DemoSizes, seed: int) -> str:
    i, s = "i", seed
    statuses = ["NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED", "RETURNED"]
    return f"""
        SELECT i + 1 AS ORDER_ID,
               {_rand(i, s, 21, sizes.customers)} + 1 AS CUSTOMER_ID,
               (DATE '2023-01-01' + INTERVAL ({_rand(i, s, 22, 1_000)}) DAY
                 + INTERVAL ({_rand(i, s, 23, 86_400)}) SECOND)::TIMESTAMP AS ORDER_DATE,
               {_pick(statuses, _rand(i, s, 24, len(statuses)))} AS STATUS,
               ({_rand(i, s, 25, 100_000_000)} / 100)::DECIMAL(14, 2) AS TOTAL_AMOUNT,
               {_pick(["EUR", "USD", "JPY"], _rand(i, s, 26, 3))} AS CURRENCY,
               (TIMESTAMP '2023-01-01 00:00:00'
                 + to_microseconds({_rand(i, s, 27, 94_608_000)}::BIGINT * 1000000
                                   + {_rand(i, s, 28, 1_000_000)})) AS UPDATED_AT
        FROM range({sizes.orders}) t(i)
    """


def _line_items_sql(orders: int, seed: int) -> str:
    """One to five lines per order: a cross product trimmed by a per-order line count."""
    o, s = "o", seed
    return f"""
        SELECT o + 1 AS ORDER_ID,
               n AS LINE_NO,
               'P-' || lpad(({_rand(f"{o} * 5 + n", s, 31, 5_000)})::VARCHAR, 5, '0')
                 AS PRODUCT_CODE,
               initcap({_pick(_WORDS, _rand(f"{o} * 5 + n", s, 32, 10))}) || ' ' ||
                 {_pick(_CITIES, _rand(f"{o} * 5 + n", s, 33, len(_CITIES)))} || ' édition'
                 AS DESCRIPTION,
               ({_rand(f"{o} * 5 + n", s, 34, 100_000)} / 1000)::DECIMAL(8, 3) AS QUANTITY,
               ({_rand(f"{o} * 5 + n", s, 35, 10_000_000)} / 10000)::DECIMAL(12, 4)
                 AS UNIT_PRICE,
               ({_rand(f"{o} * 5 + n", s, 36, 30)} / 100.0)::DOUBLE AS DISCOUNT
        FROM range({orders}) t(o), range(1, 6) l(n)
        WHERE n <= 1 + {_rand(o, s, 37, 5)}
    """


def bench_rows_sql(count: int, seed: int) -> str:
    """Rows of the benchmark shape: 12 columns, about 150 bytes of values per row."""
    i, s = "i", seed
    return f"""
        SELECT i + 1 AS ID,
               ({_rand(i, s, 41, 1_000_000_000)} / 100)::DECIMAL(12, 2) AS AMOUNT,
               {_rand(i, s, 42, 999_999)} + 1 AS QTY,
               ({_rand(i, s, 43, 10_000_000)} / 1000.0)::DOUBLE AS PRICE,
               'Item ' || {_pick(_WORDS, _rand(i, s, 44, 10))} || ' '
                 || lpad((i + 1)::VARCHAR, 9, '0') AS NAME,
               'A ' || {_pick(_WORDS, _rand(i, s, 45, 10))} || ' thing made of '
                 || {_pick(_WORDS, _rand(i, s, 46, 10))} || ' and '
                 || {_pick(_WORDS, _rand(i, s, 47, 10))} || ', batch '
                 || lpad(({_rand(i, s, 48, 100_000_000)})::VARCHAR, 8, '0')
                 || ', inspected and packed' AS DESCRIPTION,
               {_pick(["N", "P", "S", "C"], _rand(i, s, 49, 4))} AS STATUS,
               (DATE '2020-01-01' + INTERVAL ({_rand(i, s, 50, 2_000)}) DAY
                 + INTERVAL ({_rand(i, s, 51, 86_400)}) SECOND)::TIMESTAMP AS CREATED,
               (TIMESTAMP '2024-01-01 00:00:00'
                 + to_microseconds({_rand(i, s, 52, 63_072_000)}::BIGINT * 1000000
                                   + {_rand(i, s, 53, 1_000_000)})) AS UPDATED,
               CASE WHEN {_rand(i, s, 54, 2)} = 0 THEN NULL
                    ELSE 'note ' || {_pick(_WORDS, _rand(i, s, 55, 10))} || ' '
                         || {_rand(i, s, 56, 1_000_000)} END AS NOTE,
               'C' || lpad(({_rand(i, s, 57, 100_000)})::VARCHAR, 6, '0') AS CODE,
               {_rand(i, s, 58, 2)} AS FLAG
        FROM range({count}) t(i)
    """
