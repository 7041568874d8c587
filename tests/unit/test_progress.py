from __future__ import annotations

import logging
from typing import Any

from airflow_oracle_etl.progress import (
    FINISHED_KEY,
    PROGRESS_KEY,
    FinishedReads,
    ProgressReporter,
    read_snapshots,
)


class RecordingStore:
    """Stands in for the task state store's ``set`` (a plain record, no Airflow involved)."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def set(self, key: str, value: Any) -> None:
        assert key == PROGRESS_KEY
        self.values.append(value)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_publishes_on_phase_change_and_then_at_most_every_interval(caplog) -> None:
    store, clock = RecordingStore(), FakeClock()
    reporter = ProgressReporter(
        store=store,
        log=logging.getLogger("test.progress"),
        table="DEMO.SALES_ORDER",
        estimated_total_rows=30_000,
        interval_s=3.0,
        clock=clock,
    )
    with caplog.at_level(logging.INFO, logger="test.progress"):
        reporter.enter("extracting")
        clock.now += 1.0
        reporter.advance(rows=10_000, bytes_written=1_000)  # within the interval: not published
        clock.now += 2.5
        reporter.advance(rows=10_000, bytes_written=1_000, parts=1)  # 3.5 s: published
        reporter.enter("done")
    assert [v["phase"] for v in store.values] == ["extracting", "extracting", "done"]
    assert store.values[1]["rows"] == 20_000
    assert store.values[1]["parts"] == 1
    assert store.values[1]["rows_per_s"] == round(20_000 / 3.5, 1)
    assert store.values[1]["estimated_total_rows"] == 30_000
    assert store.values[1]["table"] == "DEMO.SALES_ORDER"
    assert "progress extracting: 20,000 rows/30,000" in caplog.text


def test_without_a_store_only_logs(caplog) -> None:
    reporter = ProgressReporter(store=None, log=logging.getLogger("test.p2"), table=None)
    with caplog.at_level(logging.INFO, logger="test.p2"):
        reporter.enter("done")
    assert "progress done: 0 rows" in caplog.text


def test_the_rate_follows_the_recent_window_not_the_whole_run() -> None:
    store, clock = RecordingStore(), FakeClock()
    reporter = ProgressReporter(
        store=store, log=logging.getLogger("test.p3"), table=None, interval_s=1.0, clock=clock
    )
    clock.now += 30.0  # a slow start: connecting, planning, the first fetch
    reporter.advance(rows=1_000)
    for _ in range(20):  # then 10,000 rows/s for 20 s
        clock.now += 1.0
        reporter.advance(rows=10_000)
    latest = store.values[-1]
    assert latest["rows_per_s"] == 10_000.0  # the run's average would be about 4,000
    assert latest["elapsed_s"] == 50.0


def test_identify_names_the_table_and_partition_once_planned() -> None:
    store = RecordingStore()
    reporter = ProgressReporter(store=store, log=logging.getLogger("test.p4"), table='"DEMO"."T"')
    reporter.identify("DEMO.T", 2)
    reporter.enter("extracting")
    assert (store.values[-1]["table"], store.values[-1]["partition"]) == ("DEMO.T", 2)


class KeyedStore:
    """Records (key, value) of each ``set``."""

    def __init__(self) -> None:
        self.values: list[tuple[str, Any]] = []

    def set(self, key: str, value: Any) -> None:
        self.values.append((key, value))


def test_a_read_of_a_packed_task_publishes_under_its_own_key_and_once_when_small() -> None:
    store, clock = KeyedStore(), FakeClock()
    reporter = ProgressReporter(
        store=store,
        log=logging.getLogger("test.progress"),
        table="DEMO.CUSTOMER",
        interval_s=3.0,
        clock=clock,
        key="progress/3",
        eager_phases=False,
    )
    reporter.enter("extracting")
    reporter.advance(rows=10, bytes_written=100)
    reporter.enter("committing")
    clock.now += 0.5
    reporter.enter("done")
    assert [(key, value["phase"]) for key, value in store.values] == [("progress/3", "done")]
    assert store.values[0][1]["rows"] == 10


def test_a_long_read_of_a_packed_task_still_publishes_every_interval() -> None:
    store, clock = KeyedStore(), FakeClock()
    reporter = ProgressReporter(
        store=store, log=logging.getLogger("test.progress"), table="DEMO.BIG",
        interval_s=3.0, clock=clock, key="progress/0", eager_phases=False,
    )  # fmt: skip
    reporter.enter("extracting")
    clock.now += 3.5
    reporter.advance(rows=1_000)
    clock.now += 1.0
    reporter.enter("committing")  # within the interval: waits
    clock.now += 3.0
    reporter.advance(rows=0)
    assert [value["phase"] for _, value in store.values] == ["extracting", "committing"]


def test_a_failed_read_publishes_its_error() -> None:
    store, clock = KeyedStore(), FakeClock()
    reporter = ProgressReporter(
        store=store, log=logging.getLogger("test.progress"), table="DEMO.X", clock=clock,
        key="progress/1", eager_phases=False,
    )  # fmt: skip
    reporter.fail(RuntimeError("ORA-01722: invalid number"))
    ((key, value),) = store.values
    assert key == "progress/1"
    assert value["phase"] == "failed"
    assert value["error"] == "RuntimeError: ORA-01722: invalid number"


class DictStore:
    """Keys and their last values, with ``get`` (a retry reads what earlier tries saved)."""

    def __init__(self, **values: Any) -> None:
        self.values: dict[str, Any] = dict(values)
        self.writes: list[str] = []

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.writes.append(key)

    def get(self, key: str) -> Any:
        return self.values.get(key)


def _small_read(store: DictStore, record: FinishedReads, index: int, clock: FakeClock) -> None:
    reporter = ProgressReporter(
        store=store, log=logging.getLogger("test.progress"), table=f"DEMO.T{index}",
        interval_s=3.0, clock=clock, key=f"progress/{index}", eager_phases=False,
        finished=(record, index),
    )  # fmt: skip
    reporter.enter("extracting")
    reporter.advance(rows=10, bytes_written=100)
    clock.now += 0.1
    if index == 2:
        reporter.fail(RuntimeError("ORA-01722: invalid number"))
    else:
        reporter.enter("done")


def test_the_last_snapshots_of_many_small_reads_are_saved_together() -> None:
    store, clock = DictStore(), FakeClock()
    record = FinishedReads(store, interval_s=3.0, clock=clock)
    for index in range(40):  # 4 s of reads of 0.1 s: one save when the interval has passed
        _small_read(store, record, index, clock)
    assert store.writes == [FINISHED_KEY]
    record.flush()  # the task's end
    assert store.writes == [FINISHED_KEY, FINISHED_KEY]
    saved = store.values[FINISHED_KEY]
    assert sorted(saved, key=int) == [str(i) for i in range(40)]
    assert (saved["0"]["phase"], saved["0"]["rows"]) == ("done", 10)
    assert saved["2"]["error"] == "RuntimeError: ORA-01722: invalid number"
    record.flush()  # nothing new: no write
    assert len(store.writes) == 2


def test_a_retry_keeps_what_earlier_tries_finished_and_forgets_what_it_reads_again() -> None:
    earlier = {"0": {"phase": "done", "rows": 10}, "1": {"phase": "failed", "rows": 3}}
    store, clock = DictStore(**{FINISHED_KEY: earlier}), FakeClock()
    record = FinishedReads(store, interval_s=3.0, first_try=False, clock=clock)
    record.forget(1)
    record.flush()
    assert store.values[FINISHED_KEY] == {"0": {"phase": "done", "rows": 10}}
    FinishedReads(store, first_try=True).flush()  # a first try reads nothing: nothing to save
    assert store.writes == [FINISHED_KEY]


def test_a_refused_save_does_not_fail_the_read(caplog) -> None:
    class Refusing(DictStore):
        def set(self, key: str, value: Any) -> None:
            raise ConnectionError("API server gone")

    clock = FakeClock()
    record = FinishedReads(Refusing(), interval_s=0.0, clock=clock)
    with caplog.at_level(logging.WARNING):
        _small_read(Refusing(), record, 0, clock)
    assert "could not record the finished reads' progress" in caplog.text


def test_read_snapshots_merges_running_and_finished_reads() -> None:
    values = {
        "progress/0": {"phase": "extracting", "rows": 5},  # since finished: the record counts
        "progress/2": {"phase": "extracting", "rows": 7},
        FINISHED_KEY: {"0": {"phase": "done", "rows": 10}, "1": {"phase": "failed", "rows": 0}},
        "committed": {"0": {"rows": 10}},
        "checkpoint/2": {"rows": 4},
    }
    assert read_snapshots(values) == {
        0: {"phase": "done", "rows": 10},
        1: {"phase": "failed", "rows": 0},
        2: {"phase": "extracting", "rows": 7},
    }
