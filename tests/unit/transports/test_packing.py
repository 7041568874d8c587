"""Packing tables into extract tasks: big tables alone, partitions apart, the rest in groups of
roughly equal work."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.transports.packing import (
    TABLE_COST_BYTES,
    TASK_COST_BYTES,
    PackedTable,
    checked_reads_at_once,
    pack_tables,
    worthwhile_groups,
)

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


def test_small_work_is_worth_fewer_tasks_than_the_most_allowed() -> None:
    # 40 tables of 300 kB: 172 MB of work with the per-table cost; a second task saves 86 MB,
    # a third only 29 MB more, less than a task's start (64 MiB)
    forty = [PackedTable(f"DEMO.T{i:02}", 300_000) for i in range(40)]
    assert worthwhile_groups(forty, most=4) == 2
    assert worthwhile_groups(forty[:1], most=4) == 1
    # 400 such tables: every task allowed is worth it
    assert worthwhile_groups(forty * 10, most=4) == 4
    assert worthwhile_groups(forty * 10, most=16) == 5


@pytest.mark.parametrize("groups", [1, 2, 3, 5])
def test_each_group_counted_shortens_the_work_by_a_task_start(groups: int) -> None:
    """At the boundary: just enough work for ``groups``, a byte less gives one fewer."""
    needed = TASK_COST_BYTES * groups * (groups - 1)  # the step to `groups` from groups - 1
    enough = [PackedTable("DEMO.T", needed - TABLE_COST_BYTES)]
    assert worthwhile_groups(enough, most=8) == max(groups, 1)
    if groups > 1:
        short = [PackedTable("DEMO.T", needed - TABLE_COST_BYTES - 1)]
        assert worthwhile_groups(short, most=8) == groups - 1


def test_partitioned_tables_do_not_count_toward_the_groups() -> None:
    tables = [PackedTable("DEMO.SPLIT", 100_000 * MB, reads=8), PackedTable("DEMO.A", MB)]
    assert worthwhile_groups(tables, most=4) == 1


def test_most_must_be_positive() -> None:
    with pytest.raises(ValueError, match="most must be at least 1"):
        worthwhile_groups([PackedTable("DEMO.A", 1)], most=0)


@pytest.mark.parametrize("value", [0, 17, -1])
def test_reads_at_once_out_of_range_is_refused(value: int) -> None:
    with pytest.raises(ValueError, match=f"reads_at_once must be from 1 to 16, got {value}"):
        checked_reads_at_once(value)


@pytest.mark.parametrize("value", [2.0, "4", True, None])
def test_reads_at_once_must_be_an_integer(value: object) -> None:
    with pytest.raises(TypeError, match="reads_at_once must be an integer"):
        checked_reads_at_once(value)
