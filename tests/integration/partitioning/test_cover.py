"""Every strategy splits a table into partitions that hold each row exactly once."""

from __future__ import annotations

import re
from collections.abc import Callable

import oracledb
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.partitioning import PartitionSpec, plan_partitions
from tests.integration.partitioning.support import (
    ROWS,
    SKEWED_VALUE,
    assert_exact_cover,
    key_row,
    read_partitions,
)

COUNTS = (1, 2, 4, 7)
#: (strategy, column): NULL keys, 90% skew, negative and fractional numbers, float specials
#: (NaN, +-Inf, -0.0), DATE and TIMESTAMP(6), an all-NULL column, text keys for hashing
KEYS = [
    ("column", "ID"),
    ("column", "K_NUM"),
    ("column", "K_SKEW"),
    ("column", "K_DATE"),
    ("column", "k_ts"),  # configured unquoted: folds to K_TS
    ("column", "K_BD"),
    ("column", "K_NULL"),
    ("hash", None),
    ("hash", "K_SKEW"),
    ("hash", "K_TEXT"),
    ("hash", "K_DATE"),
    ("rowid", None),
]
ALL_IDS = set(range(1, ROWS + 1))


def _plan(hook: OracleExtractHook, table: str, count: int, **options) -> tuple[list, int]:
    scn = hook.current_scn()
    specs = plan_partitions(hook, hook.get_table_metadata(table), count=count, scn=scn, **options)
    return specs, scn


def _check_shape(specs: list[PartitionSpec], count: int, strategy: str) -> None:
    assert [spec.index for spec in specs] == list(range(count))
    assert {(spec.count, spec.strategy) for spec in specs} == {(count, strategy)}
    for spec in specs:
        assert all(name.startswith("p_") for name in spec.binds)
        outside_literals = re.sub(r"'[^']*'", "''", spec.predicate)
        assert set(re.findall(r":(\w+)", outside_literals)) == set(spec.binds)
        assert spec.description


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(("strategy", "column"), KEYS)
def test_partitions_hold_every_row_once(
    strategy: str,
    column: str | None,
    count: int,
    hook: OracleExtractHook,
    keys_table: str,
    module_connection: oracledb.Connection,
) -> None:
    specs, scn = _plan(hook, keys_table, count, strategy=strategy, column=column)
    _check_shape(specs, count, strategy)
    assert_exact_cover(read_partitions(module_connection, keys_table, specs, scn), ALL_IDS)


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize(
    ("strategy", "column"), [("column", "K_DATE"), ("hash", "K_NUM"), ("rowid", None)]
)
def test_an_empty_table_still_gives_count_partitions(
    strategy: str,
    column: str | None,
    count: int,
    hook: OracleExtractHook,
    new_keys_table: Callable[[int], str],
    module_connection: oracledb.Connection,
) -> None:
    table = new_keys_table(0)
    specs, scn = _plan(hook, table, count, strategy=strategy, column=column)
    _check_shape(specs, count, strategy)
    assert read_partitions(module_connection, table, specs, scn) == [[]] * count


@pytest.mark.parametrize(("strategy", "column"), [("column", "ID"), ("rowid", None)])
def test_ranges_split_unique_keys_evenly(
    strategy: str,
    column: str | None,
    hook: OracleExtractHook,
    keys_table: str,
    module_connection: oracledb.Connection,
) -> None:
    specs, scn = _plan(hook, keys_table, 7, strategy=strategy, column=column)
    sizes = [len(ids) for ids in read_partitions(module_connection, keys_table, specs, scn)]
    assert sizes == [ROWS // 7] * 7


def test_a_skewed_key_leaves_partitions_empty_but_loses_nothing(
    hook: OracleExtractHook, keys_table: str, module_connection: oracledb.Connection
) -> None:
    specs, scn = _plan(hook, keys_table, 7, strategy="column", column="K_SKEW")
    partitions = read_partitions(module_connection, keys_table, specs, scn)
    assert_exact_cover(partitions, ALL_IDS)
    empty = [spec for spec in specs if spec.predicate == "1 = 0"]
    assert empty, "90% of one value spans several quantiles: some ranges must collapse"
    assert all("K_SKEW = 42 fills more than a partition" in s.description for s in empty)
    skewed = sum(1 for row_id in ALL_IDS if key_row(row_id)[2] == SKEWED_VALUE)
    assert max(len(ids) for ids in partitions) >= skewed


def test_all_null_keys_go_to_partition_zero(
    hook: OracleExtractHook, keys_table: str, module_connection: oracledb.Connection
) -> None:
    specs, scn = _plan(hook, keys_table, 4, strategy="column", column="K_NULL")
    partitions = read_partitions(module_connection, keys_table, specs, scn)
    assert [len(ids) for ids in partitions] == [ROWS, 0, 0, 0]
    assert specs[0].predicate == "1 = 1"


@pytest.mark.parametrize(("strategy", "column"), [("column", "ID"), ("rowid", None)])
def test_boundaries_follow_the_user_where(
    strategy: str,
    column: str | None,
    hook: OracleExtractHook,
    keys_table: str,
    module_connection: oracledb.Connection,
) -> None:
    where, parameters = "ID > :first_id -- rows the user reads", {"first_id": ROWS - 100}
    specs, scn = _plan(
        hook, keys_table, 4, strategy=strategy, column=column, where=where, parameters=parameters
    )
    partitions = read_partitions(
        module_connection, keys_table, specs, scn, where=where, parameters=parameters
    )
    assert_exact_cover(partitions, set(range(ROWS - 99, ROWS + 1)))
    assert [len(ids) for ids in partitions] == [25, 25, 25, 25]


def test_descriptions_read_as_ranges(hook: OracleExtractHook, keys_table: str) -> None:
    specs, _ = _plan(hook, keys_table, 4, strategy="column", column="K_DATE")
    day = r"\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?"
    assert re.fullmatch(rf"K_DATE < {day}, or K_DATE is NULL", specs[0].description)
    assert re.fullmatch(rf"K_DATE in \[{day}, {day}\)", specs[1].description)
    assert re.fullmatch(rf"K_DATE >= {day}", specs[3].description)
    assert specs[1].binds["p_lo"] == specs[0].binds["p_hi"]
    stamps, _ = _plan(hook, keys_table, 2, strategy="column", column="K_TS")
    assert re.fullmatch(
        r"K_TS >= \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?", stamps[1].description
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9}", stamps[1].binds["p_lo"])
    hashed, _ = _plan(hook, keys_table, 4, strategy="hash")
    assert [s.description for s in hashed] == [f"ORA_HASH(ROWID, 3) = {b}" for b in range(4)]
