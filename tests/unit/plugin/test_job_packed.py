"""Jobs whose extract tasks carry several reads: one row per table whatever the packing, the
state rules of a read, and pages of a job of thousands of tables."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_oracle_etl.plugin.job_reads import read_position
from airflow_oracle_etl.plugin.job_status import (
    TABLE_STATES,
    JobRecords,
    JobView,
    ProgressRecord,
    TaskRecord,
    job_view,
    page,
)

from .records import T0_US, at, run


def read(
    label: str, estimated_bytes: int | None = None, partition: tuple[int, int] | None = None
) -> dict[str, Any]:
    """One planned read, as the plan task gives it."""
    owner, name = label.split(".")
    index, count = partition or (0, 1)
    return {"table": f'"{owner}"."{name}"', "columns": None, "where": None, "trim_char": False,
            "omit_nulls": False, "checkpoint": True, "snapshot_scn": 1234,
            "partition": {"index": index, "count": count}, "watermark": None,
            "label": label, "estimated_bytes": estimated_bytes}  # fmt: skip


def extract(
    map_index: int, state: str | None, start: float | None = 2, **kwargs: Any
) -> TaskRecord:
    label = kwargs.pop("label", None)
    return TaskRecord("extract", map_index, state, label, None if start is None else at(start),
                      **kwargs)  # fmt: skip


def snapshot(map_index: int, position: int, updated: float, **value: Any) -> ProgressRecord:
    defaults = {"phase": "extracting", "rows": 0, "bytes": 0, "parts": 0, "rows_per_s": 0.0,
                "elapsed_s": 1.0, "estimated_total_rows": None, "table": None,
                "partition": None, "error": None}  # fmt: skip
    return ProgressRecord(
        "extract", map_index, {**defaults, **value}, at(updated), f"progress/{position}"
    )


def tables_of(records: JobRecords) -> dict[str, dict[str, Any]]:
    return {table["table"]: table for table in job_view(records).body()["tables"]}


#: task 0: a big table alone; tasks 1 and 2: the halves of a partitioned one; task 3: a pack
PLAN = [
    {"reads": [read("DEMO.BIG", 8_000)]},
    {"reads": [read("DEMO.LINE", 6_000, (0, 2))]},  # each read: the table's estimate
    {"reads": [read("DEMO.LINE", 6_000, (1, 2))]},
    {"reads": [read("DEMO.A", 1_000), read("DEMO.B", 500), read("DEMO.C", 500)]},
]


def test_every_table_of_the_plan_is_a_row_in_plan_order_before_any_task_exists() -> None:
    plan = TaskRecord("plan", -1, "success", None, at(1), at(2), at(2))
    job = job_view(JobRecords(run(), [plan], [], PLAN))
    assert [t.name for t in job.tables] == ["DEMO.BIG", "DEMO.LINE", "DEMO.A", "DEMO.B", "DEMO.C"]
    assert {t.data["state"] for t in job.tables} == {"pending"}
    assert [t.data["partitions"] for t in job.tables] == [1, 2, 1, 1, 1]
    assert job.tables[1].data["estimated_bytes"] == 6_000  # once, not once a partition
    assert job.header["totals"]["tables_by_state"]["pending"] == 5
    assert job.header["totals"]["progress"] == 0.0


def test_the_reads_of_a_packed_task_are_each_their_own_table() -> None:
    tasks = [
        extract(0, "running", label="DEMO.BIG", updated_at=at(9)),
        extract(1, "success", label="DEMO.LINE p1/2", end_date=at(6)),
        extract(2, "queued", start=None),
        extract(3, "running", label="DEMO.A +2", updated_at=at(8)),
    ]
    progress = [
        snapshot(0, 0, 9, rows=400, bytes=4_000, rows_per_s=100.0, estimated_total_rows=800),
        snapshot(1, 0, 6, phase="done", rows=300, bytes=3_000, estimated_total_rows=600),
        snapshot(3, 0, 5, phase="done", rows=50, bytes=500, elapsed_s=2.0),
        snapshot(3, 1, 8, rows=20, bytes=200, rows_per_s=10.0, estimated_total_rows=40),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    assert {name: t["state"] for name, t in tables.items()} == {
        "DEMO.BIG": "running",
        "DEMO.LINE": "running",  # one half done, the other queued: under way
        "DEMO.A": "success",
        "DEMO.B": "running",
        "DEMO.C": "pending",  # its task runs, it has not started
    }
    assert (tables["DEMO.A"]["rows"], tables["DEMO.A"]["partitions_done"]) == (50, 1)
    assert tables["DEMO.A"]["rows_per_second"] == 25.0  # 50 rows in its own 2 s, not the task's
    assert tables["DEMO.A"]["eta_seconds"] == 0.0
    assert (tables["DEMO.B"]["rows_per_second"], tables["DEMO.B"]["eta_seconds"]) == (10.0, 2.0)
    assert (tables["DEMO.C"]["rows"], tables["DEMO.C"]["phase"]) == (0, None)
    assert tables["DEMO.LINE"]["partitions_done"] == 1
    totals = job_view(JobRecords(run(), tasks, progress, PLAN)).header["totals"]
    assert totals["rows"] == 770 and totals["rows_per_second"] == 110.0
    assert totals["tables_by_state"] == {"pending": 1, "running": 3, "success": 1, "failed": 0,
                                         "skipped": 0}  # fmt: skip
    # by planned bytes (16,000): BIG 8,000 x 0.5, LINE 6,000 x 0.5, A 1,000, B 500 x 0.5, C 0
    assert totals["progress"] == round((4_000 + 3_000 + 1_000 + 250) / 16_000, 4)


def finished(map_index: int, updated: float, **values: dict[str, Any]) -> ProgressRecord:
    """A packed task's record of its finished reads: ``{"J": snapshot}``."""
    entries = {position.removeprefix("read"): snapshot(map_index, 0, updated, **value).value
               for position, value in values.items()}  # fmt: skip
    return ProgressRecord("extract", map_index, entries, at(updated), "progress/finished")


def test_finished_reads_saved_together_are_each_their_own_table() -> None:
    tasks = [extract(3, "running", label="DEMO.A +2", updated_at=at(9))]
    progress = [
        snapshot(3, 0, 4, rows=20),  # running at 4 s; its last snapshot came with the record
        finished(3, 7, read0={"phase": "done", "rows": 50},
                 read1={"phase": "failed", "error": "DatabaseError: ORA-00942"}),
        snapshot(3, 2, 8, rows=5),
    ]  # fmt: skip
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    assert [tables[n]["state"] for n in ("DEMO.A", "DEMO.B", "DEMO.C")] == [
        "success", "failed", "running"
    ]  # fmt: skip
    assert tables["DEMO.A"]["rows"] == 50
    assert tables["DEMO.B"]["error"] == "DatabaseError: ORA-00942"


def test_a_read_running_again_counts_over_an_earlier_try_s_last_snapshot() -> None:
    """The retry (from 10 s) reads DEMO.B again: its running snapshot is newer than the
    record that still holds the first try's failure."""
    tasks = [extract(3, "running", start=10, label="DEMO.A +2")]
    progress = [
        finished(3, 5, read0={"phase": "done", "rows": 50}, read1={"phase": "failed"}),
        snapshot(3, 1, 11, rows=7),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    assert (tables["DEMO.A"]["state"], tables["DEMO.B"]["state"]) == ("success", "running")
    assert tables["DEMO.B"]["rows"] == 7


@pytest.mark.parametrize(
    ("task_state", "phase", "expected"),
    [
        ("running", "done", "success"),
        ("running", "extracting", "running"),
        ("running", "committing", "running"),
        ("running", None, "pending"),  # not reached yet in this try
        ("running", "failed", "failed"),  # the task goes on with its other reads
        ("deferred", "extracting", "running"),
        ("queued", None, "pending"),
        ("scheduled", None, "pending"),
        (None, None, "pending"),
        ("queued", "done", "success"),  # committed by an earlier try: the retry skips it
        ("queued", "extracting", "pending"),  # an earlier try's: counts for nothing yet
        ("failed", None, "failed"),
        ("failed", "extracting", "failed"),
        ("failed", "done", "success"),
        ("upstream_failed", None, "failed"),
        ("up_for_retry", "failed", "running"),  # as a partition waiting for its retry
        ("up_for_retry", None, "running"),
        ("success", "done", "success"),
        ("success", None, "success"),
        ("skipped", None, "skipped"),
    ],
)
def test_state_of_a_read(task_state: str | None, phase: str | None, expected: str) -> None:
    tasks = [extract(3, task_state, start=1)]
    progress = [] if phase is None else [snapshot(3, 1, 5, phase=phase, rows=10)]
    assert tables_of(JobRecords(run(), tasks, progress, PLAN))["DEMO.B"]["state"] == expected


def test_a_read_of_a_task_not_yet_created_is_pending() -> None:
    assert tables_of(JobRecords(run(), [], [], PLAN))["DEMO.B"]["state"] == "pending"


def test_a_failed_read_shows_its_error_and_the_others_of_its_task_go_on() -> None:
    tasks = [extract(3, "running", label="DEMO.A +2")]
    progress = [
        snapshot(3, 0, 4, phase="failed", rows=5, error="ValueError: column X: not a date"),
        snapshot(3, 1, 6, rows=10, rows_per_s=5.0),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    a = tables["DEMO.A"]
    assert (a["state"], a["error"], a["phase"], a["eta_seconds"]) == (
        "failed", "ValueError: column X: not a date", "failed", None
    )  # fmt: skip
    assert (tables["DEMO.B"]["state"], tables["DEMO.B"]["error"]) == ("running", None)
    assert tables["DEMO.A"]["rows_per_second"] == 5.0  # 5 rows in its 1 s


def test_a_read_its_failed_task_did_not_reach_says_so() -> None:
    tasks = [extract(3, "failed", end_date=at(9))]
    progress = [
        snapshot(3, 0, 5, phase="done", rows=50),
        snapshot(3, 1, 8, phase="failed", error="ConnectionLostError: ORA-03113"),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    assert [(tables[n]["state"], tables[n]["error"]) for n in ("DEMO.A", "DEMO.B", "DEMO.C")] == [
        ("success", None),
        ("failed", "ConnectionLostError: ORA-03113"),
        ("failed", "not tried: its task ended before this table"),
    ]


def test_a_table_of_partitions_names_every_distinct_error_once() -> None:
    tasks = [extract(1, "failed", end_date=at(9)), extract(2, "failed", end_date=at(9))]
    boom = "DatabaseError: ORA-01555: snapshot too old"
    progress = [snapshot(1, 0, 8, phase="failed", error=boom),
                snapshot(2, 0, 8, phase="failed", error=boom)]  # fmt: skip
    line = tables_of(JobRecords(run(), tasks, progress, PLAN))["DEMO.LINE"]
    assert (line["state"], line["error"]) == ("failed", boom)


def test_a_retry_ignores_its_previous_try_until_it_reaches_the_read() -> None:
    """The retry started at 10 s: read 0 was committed at 5 s, read 1 failed at 8 s in the
    first try and waits, read 2 runs in the retry."""
    tasks = [extract(3, "running", start=10, label="DEMO.A +2")]
    progress = [
        snapshot(3, 0, 5, phase="done", rows=50),
        snapshot(3, 1, 8, phase="failed", rows=7, error="OSError: reset"),
        snapshot(3, 2, 11, rows=3, rows_per_s=3.0),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, PLAN))
    assert [tables[n]["state"] for n in ("DEMO.A", "DEMO.B", "DEMO.C")] == [
        "success", "pending", "running"
    ]  # fmt: skip
    assert (tables["DEMO.B"]["rows"], tables["DEMO.B"]["error"]) == (0, None)


def test_a_table_changes_when_its_own_reads_do_not_with_its_tasks_heartbeats() -> None:
    """A running task's row is updated by each heartbeat (at 50 s here): its reads change
    with their snapshots, a read not reached yet with the task's start; once the task has
    ended, its end counts for every read (a failure changes them all)."""
    tasks = [extract(3, "running", start=2, label="DEMO.A +2", updated_at=at(50))]
    progress = [snapshot(3, 0, 5, phase="done", rows=50), snapshot(3, 1, 7, rows=1)]
    job = job_view(JobRecords(run(), tasks, progress, PLAN))
    base = T0_US
    changed = {t.name: t.changed_us for t in job.tables}
    assert changed == {"DEMO.BIG": 0, "DEMO.LINE": 0,  # nothing known: no task, no snapshot
                       "DEMO.A": base + 5_000_000, "DEMO.B": base + 7_000_000,
                       "DEMO.C": base + 2_000_000}  # fmt: skip
    assert job.last_change_us == base + 7_000_000
    ended = [extract(3, "failed", start=2, label="DEMO.A +2", updated_at=at(60))]
    failed = job_view(JobRecords(run(), ended, progress, PLAN))
    assert {t.name: t.changed_us - base for t in failed.tables}["DEMO.C"] == 60_000_000


def test_without_a_readable_plan_a_packed_task_shows_its_reads_as_they_publish() -> None:
    """An XCom backend that stores references: no list of tables, so each task shows the
    reads that have published (named by their snapshots), else its first table."""
    tasks = [
        extract(0, "running", label="DEMO.A +1"),
        extract(1, "running", label="DEMO.LINE p2/2"),
        extract(2, "queued", start=None, label=None),
        extract(3, "running", label="DEMO.X +4"),
    ]
    progress = [
        snapshot(0, 0, 4, phase="done", rows=5, table="DEMO.A"),
        snapshot(0, 1, 5, rows=2, table="DEMO.B"),
        snapshot(1, 0, 5, rows=9, table="DEMO.LINE p2/2", partition=1),
    ]
    tables = tables_of(JobRecords(run(), tasks, progress, None))
    assert list(tables) == ["DEMO.A", "DEMO.B", "DEMO.LINE", "#2", "DEMO.X"]
    assert (tables["DEMO.A"]["state"], tables["DEMO.B"]["state"]) == ("success", "running")
    assert tables["DEMO.LINE"]["rows"] == 9


@pytest.mark.parametrize(
    ("key", "position"),
    [
        ("progress/0", 0),
        ("progress/17", 17),
        ("progress", None),
        ("progress/x", None),
        ("committed", None),
        ("checkpoint/3", None),
    ],
)
def test_read_position(key: str, position: int | None) -> None:
    assert read_position(key) == position


# -- pages -------------------------------------------------------------------------------------


def _big_job(tables: int, per_task: int) -> JobView:
    """``tables`` tables packed ``per_task`` to a task; every third done, every seventh
    failed, the rest of the running tasks pending or running."""
    names = [f"SALES.T{i:04d}" for i in range(tables)]
    plan = [
        {"reads": [read(name, 1_000) for name in names[start : start + per_task]]}
        for start in range(0, tables, per_task)
    ]
    tasks = [extract(i, "running", label=f"{names[i * per_task]} +{per_task - 1}")
             for i in range(len(plan))]  # fmt: skip
    progress = []
    for i in range(tables):
        task, position = divmod(i, per_task)
        if i % 7 == 0:
            progress.append(snapshot(task, position, 3, phase="failed", error="E: e"))
        elif i % 3 == 0:
            progress.append(snapshot(task, position, 3, phase="done", rows=10))
        elif i % 5 == 0:
            progress.append(snapshot(task, position, 4, rows=4, rows_per_s=1.0))
    return job_view(JobRecords(run(), tasks, progress, plan))


def test_pages_of_two_thousand_tables_cover_each_once_with_totals_over_all() -> None:
    job = _big_job(2_000, per_task=250)
    assert len(job.tables) == 2_000
    by_state = job.header["totals"]["tables_by_state"]
    assert sum(by_state.values()) == job.header["totals"]["tables"] == 2_000
    expected = {state: sum(t.data["state"] == state for t in job.tables) for state in by_state}
    assert by_state == expected and by_state["failed"] == 286  # multiples of 7 below 2,000
    seen = []
    for offset in range(0, 2_000, 300):
        answer = page(job, offset=offset, limit=300)
        assert answer["totals"] == job.header["totals"]
        assert answer["page"] == {"offset": offset, "limit": 300, "matching": 2_000}
        seen += [t["table"] for t in answer["tables"]]
    assert seen == [t.name for t in job.tables]  # plan order, each once
    assert len(page(job, offset=1_900, limit=300)["tables"]) == 100
    assert page(job, offset=2_000, limit=10)["tables"] == []


def test_a_page_filtered_by_state_counts_what_the_filter_keeps() -> None:
    job = _big_job(200, per_task=20)
    failed = page(job, offset=0, limit=10, states={"failed"})
    all_failed = [t.name for t in job.tables if t.data["state"] == "failed"]
    assert failed["page"]["matching"] == len(all_failed) == 29
    assert [t["table"] for t in failed["tables"]] == all_failed[:10]
    second = page(job, offset=10, limit=10, states={"failed"})
    assert [t["table"] for t in second["tables"]] == all_failed[10:20]
    both = page(job, offset=0, limit=500, states={"failed", "running"})
    assert {t["state"] for t in both["tables"]} == {"failed", "running"}
    assert both["page"]["matching"] == sum(
        job.header["totals"]["tables_by_state"][s] for s in ("failed", "running")
    )
    assert page(job, offset=0, limit=10, states={"skipped"})["page"]["matching"] == 0
    assert failed["event_id"] == job.last_change_us


def test_table_states_are_the_schema_states() -> None:
    assert TABLE_STATES == ("pending", "running", "success", "failed", "skipped")
