"""SQLAlchemy's Oracle dialect against the emulator: connect, list and reflect tables, select.

Tools built on SQLAlchemy (dlt's ``sql_database`` source, which the side-by-side benchmark
runs) reflect a table from the data dictionary before reading it. The dialect's reflection
queries name dictionary columns and views beyond what the provider itself reads:
ALL_TABLES.COMPRESS_FOR, ALL_INDEXES.PREFIX_LENGTH and ALL_MVIEW_COMMENTS (empty: the
emulator has no materialized views). These tests go through the real dialect and driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from oracle_emulator.process import EmulatorProcess

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


@pytest.fixture
def engine(oracle_emulator: EmulatorProcess) -> Iterator[sa.Engine]:
    url = (
        f"oracle+oracledb://demo:demo@{oracle_emulator.host}:{oracle_emulator.port}/"
        f"?service_name={oracle_emulator.service_name}"
    )
    created = sa.create_engine(url)
    yield created
    created.dispose()


def test_reflects_a_table_with_its_key_index_and_comment(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert {"bench_rows", "customer", "sales_order"} <= set(inspector.get_table_names())
        table = sa.Table("sales_order", sa.MetaData(), autoload_with=connection)
        indexes = inspector.get_indexes("sales_order")
    assert table.columns.keys()[:3] == ["order_id", "customer_id", "order_date"]
    assert [c.name for c in table.primary_key.columns] == ["order_id"]
    assert table.comment == "One row per order; UPDATED_AT is the incremental watermark"
    assert {fk.column.table.name for fk in table.foreign_keys} == {"customer"}
    assert isinstance(table.c.total_amount.type, sa.Numeric)
    assert all(index["name"] != "sales_order_pk" for index in indexes)  # the key's own index


def test_selects_through_the_reflected_table(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        table = sa.Table("bench_rows", sa.MetaData(), autoload_with=connection)
        rows = connection.execute(
            sa.select(table.c.id, table.c.amount).where(table.c.id <= 2).order_by(table.c.id)
        ).fetchall()
    assert [row.id for row in rows] == [1, 2]
    assert all(isinstance(row.amount, Decimal) for row in rows)


def test_dictionary_columns_the_dialect_reads(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        compress_for = connection.execute(
            sa.text("SELECT COMPRESS_FOR FROM ALL_TABLES WHERE TABLE_NAME = 'SALES_ORDER'")
        ).scalar_one()
        prefix = connection.execute(
            sa.text("SELECT PREFIX_LENGTH FROM ALL_INDEXES WHERE TABLE_NAME = 'SALES_ORDER'")
        ).fetchall()
        views = connection.execute(sa.text("SELECT COUNT(*) FROM ALL_MVIEW_COMMENTS")).scalar()
    assert compress_for is None  # no table compression, as on a default Oracle table
    assert prefix and all(row[0] is None for row in prefix)
    assert views == 0
