"""Which tables of a job share an extract task: groups of roughly equal estimated work.

A task costs more than its rows: a process, imports, a connection, Airflow's round trips
(about 1.6 s on a LocalExecutor, far more with a pod per task). A schema of many small tables
read one task per table spends most of its time on that overhead, so the plan packs tables:

- a table read in several partitions keeps one task per partition (it asked to be parallel);
- a table whose estimate is at least the fair share of one group (all the work over
  ``groups``) keeps a task of its own: packing it would only make a longer task;
- the other tables are dealt into ``groups`` minus the big ones (at least one) by the
  longest-first rule: each, largest first, goes to the group with the least work so far.

A table's work is its estimated bytes plus :data:`TABLE_COST_BYTES`, the data a task reads in
the time one table's fixed work takes (its query's round trips, its objects and manifest), so
groups of many tiny tables are not loaded as if they were free. A table with no estimate
counts as the median of the known ones.

How many groups: ``packing.groups`` when the transport sets it; else as many as
``parallel_tables``, but no more than :func:`worthwhile_groups` of the packable work: another
task is started only if sharing the work with it shortens the job by at least what starting a
task costs (:data:`TASK_COST_BYTES`). Forty tables of a few thousand rows then run in two
tasks, not four that would spend most of their time starting at once; a schema of hundreds of
tables still gets every task it may run.

The groups are counted as if each task read its tables one after another; a packed task reads
``reads_at_once`` of them at a time (:mod:`~.extract`), which only shortens each task. Counting
fewer tasks for it would give back, where workers are free, what the readers gained. Pure: the
plan task gives the estimates and uses the groups.
"""

from __future__ import annotations

import heapq
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_READS_AT_ONCE",
    "MAX_READS_AT_ONCE",
    "TABLE_COST_BYTES",
    "TASK_COST_BYTES",
    "PackedTable",
    "checked_reads_at_once",
    "pack_tables",
    "worthwhile_groups",
]

#: a table's fixed work in bytes' worth of reading (~0.1 s at ~40 MB/s)
TABLE_COST_BYTES = 4 * 1024 * 1024
#: a task's start in bytes' worth of reading (~1.6 s at ~40 MB/s on a LocalExecutor: a
#: process, the DAG file's imports, a connection, Airflow's round trips; a pod costs more)
TASK_COST_BYTES = 64 * 1024 * 1024
#: reads a packed task runs at a time unless the transport says (``packing.reads_at_once``)
DEFAULT_READS_AT_ONCE = 4
#: the most a transport may ask for: each is one more Oracle session of the task
MAX_READS_AT_ONCE = 16


def checked_reads_at_once(value: object) -> int:
    """``value`` if it is a whole number of reads a task may run at a time."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"reads_at_once must be an integer, got {value!r}")
    if not 1 <= value <= MAX_READS_AT_ONCE:
        raise ValueError(f"reads_at_once must be from 1 to {MAX_READS_AT_ONCE}, got {value}")
    return value


@dataclass(frozen=True)
class PackedTable:
    """One table to place: ``reads`` is how many reads (partitions) it has, ``estimated_bytes``
    its estimate (None: unknown)."""

    label: str
    estimated_bytes: int | None
    reads: int = 1


def pack_tables(tables: Sequence[PackedTable], groups: int) -> list[list[int]]:
    """The tasks of a job: each a list of ``(table index)`` in ``tables``, in the tables'
    order inside a task. A table of several reads appears as several one-table tasks (its
    partitions); the caller expands them.

    :param groups: how many groups the packable tables share (at least 1).
    """
    if groups < 1:
        raise ValueError(f"groups must be at least 1, got {groups}")
    work = _work(tables)
    packable = [i for i, table in enumerate(tables) if table.reads == 1]
    fair_share = sum(work[i] for i in packable) / groups if packable else 0.0
    alone = {i for i in packable if work[i] >= fair_share and len(packable) > 1}
    rest = [i for i in packable if i not in alone]
    tasks: list[list[int]] = [[i] for i, table in enumerate(tables) if table.reads > 1]
    tasks += [[i] for i in sorted(alone)]
    bins = max(1, groups - len(alone)) if rest else 0
    tasks += _longest_first(rest, work, bins)
    return sorted(tasks, key=lambda task: task[0])


def worthwhile_groups(tables: Sequence[PackedTable], most: int) -> int:
    """How many groups the packable tables (those of one read) are worth, at most ``most``:
    the largest ``k`` for which each step from ``j`` to ``j + 1`` groups (``j < k``) shortens
    the packed work, ``W / j - W / (j + 1)``, by at least :data:`TASK_COST_BYTES`."""
    if most < 1:
        raise ValueError(f"most must be at least 1, got {most}")
    work = _work(tables)
    total = sum(work[i] for i, table in enumerate(tables) if table.reads == 1)
    groups = 1
    while groups < most and total / (groups * (groups + 1)) >= TASK_COST_BYTES:
        groups += 1
    return groups


def _work(tables: Sequence[PackedTable]) -> list[float]:
    known = [t.estimated_bytes for t in tables if t.estimated_bytes is not None]
    default = statistics.median(known) if known else 0
    return [
        float(default if t.estimated_bytes is None else max(t.estimated_bytes, 0))
        + TABLE_COST_BYTES
        for t in tables
    ]


def _longest_first(indexes: Sequence[int], work: Sequence[float], bins: int) -> list[list[int]]:
    """``indexes`` dealt into at most ``bins`` groups, largest first onto the lightest group;
    each group in the tables' order, empty groups dropped."""
    if not indexes:
        return []
    heap: list[tuple[float, int]] = [(0.0, b) for b in range(min(bins, len(indexes)))]
    groups: list[list[int]] = [[] for _ in heap]
    for index in sorted(indexes, key=lambda i: (-work[i], i)):
        load, b = heapq.heappop(heap)
        groups[b].append(index)
        heapq.heappush(heap, (load + work[index], b))
    return [sorted(group) for group in groups if group]
