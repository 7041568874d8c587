"""The job view computed from plain records: tables from partitions, states, rows, rates, ETA.

These runs were planned before packing (one read per task, its snapshot under ``progress``,
named by the task's label or the plan's flat arguments): such runs still display.
Packed tasks: ``test_job_packed.py``."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_oracle_etl.plugin.job_status import (
    TABLE_STATES,
    JobRecords,
    ProgressRecord,
    TaskRecord,
    job_view,
    planned_label,
    table_of_label,
)

from .records import T0_US, at, run


def extract(
    map_index: int, state: str | None, label: str | None, start: float | None = 2, **kwargs: Any
) -> TaskRecord:
    return TaskRecord(
        task_id="extract",
        map_index=map_index,
        state=state,
        rendered_map_index=label,
        start_date=None if start is None else at(start),
        **kwargs,
    )


def snapshot(map_index: int, updated: float, **value: Any) -> ProgressRecord:
    defaults = {"phase": "extracting", "rows": 0, "bytes": 0, "parts": 0, "rows_per_s": 0.0,
                "elapsed_s": 1.0, "estimated_total_rows": None, "table": None}  # fmt: skip
    return ProgressRecord("extract", map_index, {**defaults, **value}, at(updated))


def tables_by_name(records: JobRecords) -> dict[str, dict[str, Any]]:
    return {table["table"]: table for table in job_view(records).body()["tables"]}


def test_before_the_plan_has_mapped_extract_tasks_there_are_no_tables() -> None:
    plan = TaskRecord("plan", -1, "running", None, at(1), None, at(1))
    job = job_view(JobRecords(run(), [plan]))
    body = job.body()
    assert body["tables"] == []
    assert body["totals"] == {
        "rows": 0,
        "bytes": 0,
        "rows_per_second": 0.0,
        "tables": 0,
        "tables_by_state": dict.fromkeys(TABLE_STATES, 0),
        "progress": None,
    }
    assert (body["job_id"], body["transport"], body["state"]) == ("manual__1", "daily", "running")
    assert body["queued_at"] == at(0).isoformat() and body["end_date"] is None
    assert not job.final


def test_partitions_of_a_table_add_up_and_the_running_one_sets_rate_and_eta() -> None:
    tasks = [
        extract(0, "success", "DEMO.SALES_ORDER", end_date=at(5), updated_at=at(5)),
        extract(1, "success", "DEMO.LINE p1/2", end_date=at(6), updated_at=at(6)),
        extract(2, "running", "DEMO.LINE p2/2", updated_at=at(7)),
    ]
    progress = [
        snapshot(0, 5, phase="done", rows=100, bytes=1_000, rows_per_s=25.0),
        snapshot(1, 6, phase="done", rows=600, bytes=6_000, estimated_total_rows=2_000),
        snapshot(2, 8, rows=400, bytes=4_000, rows_per_s=100.0, estimated_total_rows=2_000),
    ]
    records = JobRecords(run(), tasks, progress)
    line = tables_by_name(records)["DEMO.LINE"]
    assert line == {
        "table": "DEMO.LINE",
        "state": "running",
        "rows": 1_000,
        "bytes": 10_000,
        "rows_per_second": 100.0,  # only the partition still reading counts
        "eta_seconds": 10.0,  # (2,000 estimated - 1,000 rows) / 100 rows/s
        "estimated_rows": 2_000,  # each partition reports the whole table's estimate
        "estimated_bytes": None,  # plans before packing gave none
        "partitions": 2,
        "partitions_done": 1,
        "phase": "extracting",
        "error": None,
    }
    job = job_view(records)
    assert [t.name for t in job.tables] == ["DEMO.SALES_ORDER", "DEMO.LINE"]  # plan order
    totals = job.header["totals"]
    assert (totals["rows"], totals["bytes"], totals["rows_per_second"]) == (1_100, 11_000, 100.0)
    assert totals["tables"] == 2
    assert totals["tables_by_state"] == {**dict.fromkeys(TABLE_STATES, 0), "success": 1,
                                         "running": 1}  # fmt: skip
    # without planned bytes each table weighs one: one done, one at half its estimate
    assert totals["progress"] == 0.75
    assert job.tables[1].changed_us == T0_US + 8_000_000  # the newest snapshot
    assert job.last_change_us == job.tables[1].changed_us


def test_a_finished_table_has_eta_zero_and_rows_over_its_wall_time() -> None:
    tasks = [
        extract(0, "success", "DEMO.T p1/2", start=2, end_date=at(6)),
        extract(1, "success", "DEMO.T p2/2", start=3, end_date=at(12)),
    ]
    progress = [
        snapshot(0, 6, phase="done", rows=300, bytes=30, rows_per_s=75.0),
        snapshot(1, 12, phase="done", rows=700, bytes=70, rows_per_s=77.8),
    ]
    table = tables_by_name(JobRecords(run("success", end_date=at(13)), tasks, progress))["DEMO.T"]
    assert table["state"] == "success"
    assert table["phase"] == "done"
    assert table["eta_seconds"] == 0.0
    assert table["rows_per_second"] == 100.0  # 1,000 rows from 2 s to 12 s
    assert table["partitions_done"] == 2


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (["success", "failed"], "failed"),
        (["running", "upstream_failed"], "failed"),
        (["success", "running"], "running"),
        (["up_for_retry", None], "running"),
        (["success", "queued"], "running"),  # under way: one partition done, one waiting
        (["success", "success"], "success"),
        (["success", "skipped"], "success"),
        (["queued", "scheduled"], "pending"),
        ([None, None], "pending"),
    ],
)
def test_table_state_aggregates_partition_states(states: list, expected: str) -> None:
    tasks = [extract(i, s, f"DEMO.T p{i + 1}/2") for i, s in enumerate(states)]
    assert tables_by_name(JobRecords(run(), tasks))["DEMO.T"]["state"] == expected


def test_a_failed_table_has_no_eta() -> None:
    tasks = [extract(0, "failed", "DEMO.T", end_date=at(4))]
    progress = [snapshot(0, 3, rows=50, rows_per_s=10.0, estimated_total_rows=100)]
    table = tables_by_name(JobRecords(run(), tasks, progress))["DEMO.T"]
    assert (table["state"], table["rows"], table["eta_seconds"]) == ("failed", 50, None)


@pytest.mark.parametrize(
    ("rows", "rate", "estimate", "eta"),
    [
        (250, 50.0, 1_000, 15.0),
        (250, 50.0, None, None),  # no statistics
        (250, 0.0, 1_000, None),  # no rate yet
        (1_200, 50.0, 1_000, None),  # past the estimate: unknown, not negative
    ],
)
def test_eta_of_a_running_table(rows: int, rate: float, estimate: int | None, eta: Any) -> None:
    tasks = [extract(0, "running", "DEMO.T")]
    progress = [snapshot(0, 3, rows=rows, rows_per_s=rate, estimated_total_rows=estimate)]
    table = tables_by_name(JobRecords(run(), tasks, progress))["DEMO.T"]
    assert table["eta_seconds"] == eta
    assert table["estimated_rows"] == estimate


def test_partitions_not_started_are_named_from_the_plan_and_count_no_rows() -> None:
    planned = [
        {"table": '"DEMO"."A"', "partition": None},
        {"table": '"DEMO"."B"', "partition": {"index": 0, "count": 2}},
        {"table": '"DEMO"."B"', "partition": {"index": 1, "count": 2}},
    ]
    tasks = [
        extract(0, "running", "DEMO.A"),
        extract(1, "scheduled", None, start=None),
        extract(2, None, None, start=None),
    ]
    # a snapshot of a cleared run's earlier try: the waiting partition counts nothing
    progress = [snapshot(1, 0, phase="done", rows=999)]
    tables = tables_by_name(JobRecords(run(), tasks, progress, planned))
    assert list(tables) == ["DEMO.A", "DEMO.B"]
    assert tables["DEMO.B"]["partitions"] == 2
    assert (tables["DEMO.B"]["state"], tables["DEMO.B"]["rows"]) == ("pending", 0)
    assert tables["DEMO.B"]["phase"] is None


def test_without_label_or_plan_a_partition_is_named_by_its_snapshot_or_its_index() -> None:
    tasks = [extract(0, "running", None), extract(1, "queued", None, start=None)]
    progress = [snapshot(0, 3, table='"DEMO"."A"', rows=5)]
    assert list(tables_by_name(JobRecords(run(), tasks, progress))) == ["DEMO.A", "#1"]


def test_a_snapshot_older_than_the_running_try_is_ignored() -> None:
    """Retries share the task state store: the last try's final snapshot stays until the new
    try publishes."""
    tasks = [extract(0, "running", "DEMO.T", start=10)]
    progress = [snapshot(0, 9, phase="extracting", rows=500, rows_per_s=50.0)]
    table = tables_by_name(JobRecords(run(), tasks, progress))["DEMO.T"]
    assert (table["rows"], table["rows_per_second"], table["phase"]) == (0, 0.0, None)
    assert isinstance(table["rows_per_second"], float)  # JSON says 0.0, as for any rate


def test_only_mapped_extract_tasks_are_tables_and_run_times_make_the_change_time() -> None:
    tasks = [
        TaskRecord("plan", -1, "success", None, at(1), at(2), at(2)),
        TaskRecord("finalize", -1, "success", None, at(20), at(21), at(21)),
        extract(0, "success", "DEMO.T", end_date=at(9), updated_at=at(9)),
    ]
    job = job_view(JobRecords(run("success", end_date=at(22)), tasks))
    assert [t.name for t in job.tables] == ["DEMO.T"]
    assert job.final
    assert job.changed_us == T0_US + 22_000_000  # the run's end
    assert job.last_change_us == job.changed_us


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("DEMO.SALES_LINE_ITEM p1/2", ("DEMO.SALES_LINE_ITEM", 1, 2)),
        ("DEMO.SALES_ORDER", ("DEMO.SALES_ORDER", None, None)),
        ("DEMO.My Table p10/12", ("DEMO.My Table", 10, 12)),
    ],
)
def test_table_of_label(label: str, expected: tuple) -> None:
    assert table_of_label(label) == expected


def test_planned_label_matches_the_factory_template() -> None:
    assert planned_label({"table": '"DEMO"."X"', "partition": {"index": 1, "count": 3}}) == (
        "DEMO.X p2/3"
    )
    assert planned_label({"table": '"DEMO"."X"', "partition": {"index": 0, "count": 1}}) == (
        "DEMO.X"
    )
    assert planned_label({"columns": None}) is None
