"""Packing tables into extract tasks: big tables alone, partitions apart, the rest in groups of
roughly equal work."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.transports.packing import TABLE_COST_BYTES, PackedTable, pack_tables

MB = 1024 * 1024


def _loads(tables: list[PackedTable], tasks: list[list[int]]) -> list[int]:
    return [sum((tables[i].estimated_bytes or 0) + TABLE_COST_BYTES for i in t) for t in tasks]


def test_forty_equal_tables_share_the_groups_evenly() -> None:
    tables = [PackedTable(f"DEMO.T{i:02}", 200_000) for i in range(40)]
    tasks = pack_tables(tables, groups=4)
    assert sorted(len(task) for task in tasks) == [10, 10, 10, 10]
    assert sorted(i for task in tasks for i in task) == list(range(40))
    assert all(task == sorted(task) for task in tasks)


def test_a_big_table_keeps_a_task_of_its_own() -> None:
    tables = [PackedTable("DEMO.BIG", 10_000 * MB)] + [
        PackedTable(f"DEMO.S{i}", MB) for i in range(30)
    ]
    tasks = pack_tables(tables, groups=4)
    assert [0] in tasks
    small = [task for task in tasks if task != [0]]
    assert len(small) == 3
    assert sorted(i for task in small for i in task) == list(range(1, 31))


def test_a_partitioned_table_is_never_packed() -> None:
    tables = [PackedTable("DEMO.SPLIT", MB, reads=4), PackedTable("DEMO.A", MB)]
    tables += [PackedTable(f"DEMO.S{i}", MB) for i in range(5)]
    tasks = pack_tables(tables, groups=2)
    assert [0] in tasks
    assert all(0 not in task or task == [0] for task in tasks)


def test_groups_are_of_roughly_equal_work() -> None:
    sizes = [97, 3, 51, 44, 12, 8, 77, 23, 31, 5, 66, 19, 2, 40, 28, 14]
    tables = [PackedTable(f"DEMO.T{i}", size * MB) for i, size in enumerate(sizes)]
    tasks = pack_tables(tables, groups=3)
    loads = _loads(tables, tasks)
    assert max(loads) - min(loads) <= max(sizes) * MB


def test_tables_with_no_estimate_count_as_the_median_and_are_spread() -> None:
    tables = [PackedTable(f"DEMO.T{i}", None) for i in range(8)]
    tasks = pack_tables(tables, groups=4)
    assert sorted(len(task) for task in tasks) == [2, 2, 2, 2]


def test_fewer_tables_than_groups_gives_a_task_each() -> None:
    tables = [PackedTable("DEMO.A", MB), PackedTable("DEMO.B", 2 * MB)]
    assert pack_tables(tables, groups=4) == [[0], [1]]


def test_one_group_holds_every_small_table() -> None:
    tables = [PackedTable(f"DEMO.T{i}", MB) for i in range(5)]
    assert pack_tables(tables, groups=1) == [[0, 1, 2, 3, 4]]


def test_no_tables_no_tasks() -> None:
    assert pack_tables([], groups=4) == []


def test_groups_must_be_positive() -> None:
    with pytest.raises(ValueError, match="groups must be at least 1"):
        pack_tables([PackedTable("DEMO.A", 1)], groups=0)
