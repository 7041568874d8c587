"""The job event stream without Airflow: frames, change detection, ids, resume, heartbeats."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from typing import Any

import pytest

from airflow_oracle_etl.plugin.events import (
    KEEP_ALIVE,
    RESUME_MARGIN_US,
    EventStream,
    end_event_id,
    format_event,
    job_events,
)
from airflow_oracle_etl.plugin.job_status import JobView, TableView

BASE_US = 1_767_225_600_000_000


def table(name: str, state: str = "running", rows: int = 0, changed: int = 0) -> TableView:
    data = {"table": name, "state": state, "rows": rows, "bytes": rows * 10,
            "rows_per_second": 0.0, "eta_seconds": None, "estimated_rows": None,
            "partitions": 1, "partitions_done": int(state == "success"), "phase": None}  # fmt: skip
    return TableView(name, data, BASE_US + changed)


def job(state: str = "running", tables: Iterable[TableView] = (), changed: int = 0) -> JobView:
    tables = tuple(tables)
    header = {"job_id": "manual__1", "transport": "daily", "state": state, "run_type": "manual",
              "queued_at": None, "start_date": "2026-01-01T00:00:00+00:00",
              "end_date": "2026-01-01T00:01:00+00:00" if state in ("success", "failed") else None,
              "conf": {}, "totals": {"rows": sum(t.data["rows"] for t in tables), "bytes": 0,
                                     "rows_per_second": 0.0}}  # fmt: skip
    last = max([BASE_US + changed, *(t.changed_us for t in tables)])
    return JobView(header, tables, changed_us=BASE_US + changed, last_change_us=last)


def parse(frame: str) -> dict[str, Any]:
    """One frame as {field: value}, data decoded; a comment as {"comment": text}."""
    assert frame.endswith("\n\n"), frame
    fields: dict[str, Any] = {}
    for line in frame[:-2].split("\n"):
        name, _, value = line.partition(": ") if not line.startswith(":") else ("comment", "", line)
        fields[name] = value
    if "data" in fields:
        fields["data"] = json.loads(fields["data"])
    if "id" in fields:
        fields["id"] = int(fields["id"])
    return fields


def events(frames: Iterable[str]) -> list[dict[str, Any]]:
    return [parse(f) for f in frames]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Script:
    """The job as successive reads return it; sleeping advances the fake clock."""

    def __init__(self, *looks: JobView | Exception | None, clock: FakeClock | None = None) -> None:
        self.looks = list(looks)
        self.reads = 0
        self.clock = clock or FakeClock()
        self.sleeps: list[float] = []

    async def read(self) -> JobView | None:
        self.reads += 1
        look = self.looks.pop(0)
        if isinstance(look, Exception):
            raise look
        return look

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.now += seconds


def collect(stream: AsyncIterator[str]) -> list[str]:
    async def drain() -> list[str]:
        return [frame async for frame in stream]

    return asyncio.run(drain())


def run_script(script: Script, **kwargs: Any) -> list[str]:
    kwargs.setdefault("interval_s", 1.0)
    return collect(job_events(script.read, sleep=script.sleep, clock=script.clock, **kwargs))


def test_a_frame_has_event_id_and_one_line_of_json_data() -> None:
    frame = format_event("table", {"table": "DEMO.T", "note": "two\nlines"}, 42)
    assert frame == 'event: table\nid: 42\ndata: {"table":"DEMO.T","note":"two\\nlines"}\n\n'


def test_a_finished_job_streams_retry_job_tables_and_end_then_closes() -> None:
    final = job("success", [table("DEMO.A", "success", 10, changed=5),
                            table("DEMO.B", "success", 20, changed=3)], changed=9)  # fmt: skip
    script = Script(final)
    frames = run_script(script)
    assert frames[0] == "retry: 2000\n\n"
    got = events(frames[1:])
    assert [e["event"] for e in got] == ["job", "table", "table", "end"]
    assert got[0]["data"] == final.header
    assert [e["data"]["table"] for e in got[1:3]] == ["DEMO.B", "DEMO.A"]  # by change time
    assert got[1]["data"]["job_id"] == "manual__1" and got[1]["data"]["transport"] == "daily"
    assert got[3]["data"] == final.header  # the tables came before it
    assert got[3]["id"] == end_event_id(final)
    assert script.reads == 1 and script.sleeps == []


def test_event_ids_strictly_increase_even_when_change_times_do_not() -> None:
    stream = EventStream()
    first = events(stream.frames(job(tables=[table("A", changed=7), table("B", changed=7)])))
    second = events(stream.frames(job(tables=[table("A", rows=5, changed=2)], changed=1)))
    ids = [e["id"] for e in first + second]
    assert ids == sorted(set(ids))
    assert first[1]["id"] == BASE_US + 7  # the change time itself when it is new


def test_only_tables_that_changed_are_sent_again() -> None:
    stream = EventStream()
    stream.frames(job(tables=[table("A", "success", 5), table("B", "running", 1)]))
    assert (
        events(stream.frames(job(tables=[table("A", "success", 5), table("B", "running", 1)])))
        == []
    )
    changed = events(stream.frames(job(tables=[table("A", "success", 6), table("B", "pending")])))
    assert sorted(e["data"]["table"] for e in changed if e["event"] == "table") == ["A", "B"]
    running = events(stream.frames(job(tables=[table("A", "success", 6), table("B", rows=9)])))
    assert [(e["event"], e["data"].get("table")) for e in running] == [
        ("job", None),
        ("table", "B"),
    ]


def test_of_two_thousand_tables_a_look_sends_the_few_that_changed() -> None:
    names = [f"T{i:04d}" for i in range(2_000)]
    stream = EventStream()
    first = events(stream.frames(job(tables=[table(n, "pending") for n in names])))
    assert len(first) == 1 + 2_000  # a stream that does not resume sends every table once
    moved = {"T0007": 50, "T1999": 3}
    look = job(tables=[table(n, "running", moved[n]) if n in moved else table(n, "pending")
                       for n in names])  # fmt: skip
    again = events(stream.frames(look))
    assert [e["event"] for e in again] == ["job", "table", "table"]  # totals, then the two
    assert {e["data"]["table"] for e in again[1:]} == set(moved)
    assert events(stream.frames(look)) == []


def test_the_job_event_comes_first_and_again_only_when_the_run_changes_state() -> None:
    stream = EventStream()
    assert [e["event"] for e in events(stream.frames(job("queued")))] == ["job"]
    assert events(stream.frames(job("queued"))) == []
    running = events(stream.frames(job("running")))
    assert [(e["event"], e["data"]["state"]) for e in running] == [("job", "running")]
    # the totals changed (a table's rows): the job again, with them
    moved = events(stream.frames(job("running", [table("A", rows=3)])))
    assert [(e["event"], e["data"].get("totals", {}).get("rows")) for e in moved] == [
        ("job", 3), ("table", None)
    ]  # fmt: skip


def test_a_stream_follows_the_job_until_it_ends() -> None:
    looks = [
        job("running", [table("A", rows=0, changed=1)]),
        job("running", [table("A", rows=500, changed=2)]),
        job("success", [table("A", "success", 1_000, changed=3)], changed=4),
    ]
    script = Script(*looks[1:])
    got = events(run_script(script, first=looks[0], interval_s=0.5)[1:])
    assert [(e["event"], e["data"].get("rows")) for e in got] == [
        ("job", None), ("table", 0),  # the job, its table
        ("job", None), ("table", 500),  # the totals moved with the table
        ("job", None), ("table", 1_000), ("end", None),
    ]  # fmt: skip
    assert [e["data"]["totals"]["rows"] for e in got if e["event"] == "job"] == [0, 500, 1_000]
    assert got[-1]["data"]["state"] == "success"
    assert script.sleeps == [0.5, 0.5]


def test_resume_sends_only_tables_changed_after_the_last_id_less_the_margin() -> None:
    last = BASE_US + 100_000_000  # 100 s
    look = job(
        "running",
        [
            table("OLD", "success", 5, changed=100_000_000 - RESUME_MARGIN_US - 1),
            table("RECENT", "success", 7, changed=100_000_000 - RESUME_MARGIN_US // 2),
            table("NEW", "success", 9, changed=100_000_000 + 1_000_000),
        ],
    )
    stream = EventStream(last_event_id=last)
    got = events(stream.frames(look))
    assert [e["event"] for e in got] == ["job", "table", "table"]
    assert [e["data"]["table"] for e in got[1:]] == ["RECENT", "NEW"]
    assert all(e["id"] > last for e in got)
    assert [e["id"] for e in got] == sorted({e["id"] for e in got})
    # later looks report changes of the table skipped on resume
    old_changed = table("OLD", "failed", 5, changed=101_000_000)
    later = events(stream.frames(replace(look, tables=(old_changed, *look.tables[1:]))))
    assert [e["data"]["table"] for e in later] == ["OLD"]


def test_the_end_id_is_the_same_on_every_stream_and_follows_every_table_id() -> None:
    final = job("failed", [table("A", "failed", 3, changed=50), table("B", "success", 4)])
    fresh = events(EventStream().frames(final))
    resumed = events(EventStream(last_event_id=BASE_US + 10).frames(final))
    assert fresh[-1]["event"] == resumed[-1]["event"] == "end"
    assert fresh[-1]["id"] == resumed[-1]["id"] == end_event_id(final)
    assert max(e["id"] for e in fresh[:-1]) < end_event_id(final)


@pytest.mark.parametrize(("quiet_s", "keep_alives"), [(14, 0), (15, 1), (31, 2)])
def test_keep_alive_every_fifteen_seconds_without_events(quiet_s: int, keep_alives: int) -> None:
    queued = job("queued")
    script = Script(*[queued] * quiet_s, job("failed"))
    frames = run_script(script, first=queued, interval_s=1.0)
    assert frames.count(KEEP_ALIVE) == keep_alives
    assert [parse(f).get("event") for f in frames[1:] if f != KEEP_ALIVE] == ["job", "job", "end"]


def test_a_failed_read_is_retried_and_a_vanished_run_ends_the_stream() -> None:
    script = Script(RuntimeError("database is locked"), job("running"), None)
    frames = run_script(script, first=job("queued"))
    assert [parse(f)["data"]["state"] for f in frames[1:]] == ["queued", "running"]
    assert script.reads == 3


def test_the_stream_stops_when_the_client_disconnects() -> None:
    script = Script(*[job("running", [table("A")])] * 5)
    gone = iter([False, True])

    async def disconnected() -> bool:
        return next(gone)

    frames = run_script(script, first=job("running", [table("A")]), is_disconnected=disconnected)
    assert [parse(f)["event"] for f in frames[1:]] == ["job", "table"]  # then nothing changed
    assert script.reads == 1
