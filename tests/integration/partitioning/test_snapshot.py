"""Partitions planned and read at one SCN ignore what changed after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import oracledb
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.partitioning import plan_partitions
from tests.integration.partitioning.support import ROWS, assert_exact_cover, read_partitions

#: rows committed after the SCN: a NULL key, keys below, inside and above every range (the
#: emulator's TIMESTAMP(n) ends in 2262, where int64 nanoseconds do; Oracle's in 9999)
LATE_ROWS = [
    (ROWS + 1, None, None, None, None),
    (ROWS + 2, -1e6, -5, dt.datetime(1900, 1, 1), dt.datetime(1900, 1, 1)),
    (ROWS + 3, 0.0625, 42, dt.datetime(2023, 1, 15), dt.datetime(2023, 1, 1, 1)),
    (ROWS + 4, 1e6, 10**9, dt.datetime(2999, 1, 1), dt.datetime(2200, 1, 1)),
]


@pytest.mark.parametrize(
    ("strategy", "column"),
    [("column", "K_NUM"), ("column", "K_TS"), ("hash", "K_SKEW"), ("hash", None), ("rowid", None)],
)
def test_rows_changed_after_the_scn_are_in_no_partition(
    strategy: str,
    column: str | None,
    hook: OracleExtractHook,
    new_keys_table: Callable[[int], str],
    module_connection: oracledb.Connection,
) -> None:
    table = new_keys_table(ROWS)
    scn = hook.current_scn()
    with module_connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{table}" (ID, K_NUM, K_SKEW, K_DATE, K_TS) VALUES (:1, :2, :3, :4, :5)',
            LATE_ROWS,
        )
        # moves keys across range boundaries and hash buckets, and deletes rows
        cursor.execute(
            f'UPDATE "{table}" SET K_NUM = -K_NUM - 100, K_SKEW = ID + 7, K_TS = NULL '
            "WHERE MOD(ID, 5) = 0"
        )
        cursor.execute(f'DELETE FROM "{table}" WHERE MOD(ID, 7) = 0')
    module_connection.commit()

    metadata = hook.get_table_metadata(table)
    specs = plan_partitions(hook, metadata, count=4, strategy=strategy, column=column, scn=scn)
    partitions = read_partitions(module_connection, table, specs, scn)
    assert_exact_cover(partitions, set(range(1, ROWS + 1)))

    now = hook.current_scn()
    current = plan_partitions(hook, metadata, count=4, strategy=strategy, column=column, scn=now)
    kept = {i for i in range(1, ROWS + 5) if i % 7 != 0}
    assert_exact_cover(read_partitions(module_connection, table, current, now), kept)
