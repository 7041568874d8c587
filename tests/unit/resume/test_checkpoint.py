"""Checkpoint recording and reading, against an in-memory stand-in of the task state store
(the real one is exercised through Airflow in tests/integration/operators/test_resume.py)."""

from __future__ import annotations

import json
from typing import Any

from airflow_oracle_etl.gcs.manifest import PartInfo
from airflow_oracle_etl.resume import (
    CHECKPOINT_KEY,
    Checkpoint,
    CheckpointRecorder,
    CheckpointStore,
    read_fingerprint,
)


class JsonStore:
    """Keeps values as JSON text, as Airflow's store does; refuses what JSON cannot hold."""

    def __init__(self, refuse: bool = False) -> None:
        self.values: dict[str, str] = {}
        self.refuse = refuse

    def get(self, key: str, default: Any = None) -> Any:
        return json.loads(self.values[key]) if key in self.values else default

    def set(self, key: str, value: Any) -> None:
        if self.refuse:
            raise ConnectionError("the supervisor went away")
        self.values[key] = json.dumps(value)

    def delete(self, key: str) -> None:
        self.values.pop(key, None)


def _part(number: int, rows: int = 100) -> PartInfo:
    return PartInfo(
        name=f"t/part-0000-{number:05d}-a1.jsonl.gz",
        rows=rows,
        uncompressed_bytes=rows * 10,
        compressed_bytes=rows,
        crc32c="AAAAAA==",
        generation=1000 + number,
    )


def _recorder(store: JsonStore, resumed: Checkpoint | None = None) -> CheckpointRecorder:
    return CheckpointRecorder(
        CheckpointStore(store), fingerprint="f", scn=77, attempt=2, resumed=resumed
    )


def test_a_checkpoint_lists_the_parts_up_to_the_last_one_ending_on_a_key() -> None:
    store = JsonStore()
    recorder = _recorder(store)
    recorder.update([(_part(0), None)])
    assert CHECKPOINT_KEY not in store.values  # no part ends on a known key yet
    recorder.update([(_part(0), None), (_part(1), ("200",)), (_part(2), None)])
    saved = CheckpointStore(store).load()
    assert saved is not None
    assert [part.name for part in saved.parts] == [_part(0).name, _part(1).name]
    assert (saved.rows, saved.key, saved.scn, saved.attempt) == (200, ("200",), 77, 2)
    assert recorder.saved == 1


def test_a_resumed_recorder_keeps_the_earlier_parts_first() -> None:
    store = JsonStore()
    earlier = Checkpoint(
        fingerprint="f", scn=77, attempt=1, rows=100, parts=(_part(0),), key=("100",)
    )
    recorder = _recorder(store, resumed=earlier)
    recorder.update([(_part(1, rows=50), ("150",))])
    saved = CheckpointStore(store).load()
    assert saved is not None
    assert [part.generation for part in saved.parts] == [1000, 1001]
    assert saved.rows == 150 and saved.key == ("150",)


def test_a_store_refusing_a_checkpoint_does_not_stop_the_extraction() -> None:
    recorder = _recorder(JsonStore(refuse=True))
    recorder.update([(_part(0), ("100",))])  # logged, not raised
    assert recorder.saved == 0


def test_an_unreadable_or_older_checkpoint_is_ignored() -> None:
    store = JsonStore()
    store.values[CHECKPOINT_KEY] = json.dumps({"parts": "not a list"})
    assert CheckpointStore(store).load() is None
    store.values[CHECKPOINT_KEY] = json.dumps(
        {"version": 0, "fingerprint": "f", "scn": 1, "attempt": 1, "rows": 0, "parts": [],
         "key": []}
    )  # fmt: skip
    assert CheckpointStore(store).load() is None


def test_without_a_store_nothing_is_kept() -> None:
    store = CheckpointStore(None)
    assert not store.available and store.load() is None
    assert not store.save(Checkpoint(fingerprint="f", scn=1, attempt=1, rows=0, parts=(), key=()))


def test_the_fingerprint_changes_with_what_decides_the_rows_and_where_they_go() -> None:
    base = {"sql": "SELECT 1", "binds": {"as_of_scn": 5}, "columns": ["A"], "parts_prefix": "p/"}
    same = read_fingerprint(**base)
    assert read_fingerprint(**base) == same
    assert read_fingerprint(**{**base, "binds": {"as_of_scn": 5}}) == same
    for change in (
        {"sql": "SELECT 2"},
        {"binds": {"as_of_scn": 6}},
        {"columns": ["B"]},
        {"parts_prefix": "q/"},
    ):
        assert read_fingerprint(**{**base, **change}) != same, change


class CountingStore(JsonStore):
    """Counts the round trips a store would cost."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.calls.append(f"get {key}")
        return super().get(key, default)

    def delete(self, key: str) -> None:
        self.calls.append(f"delete {key}")
        super().delete(key)


def test_reads_of_one_task_keep_their_checkpoints_apart() -> None:
    store = JsonStore()
    first = CheckpointStore(store, key="checkpoint/0")
    CheckpointRecorder(first, fingerprint="f0", scn=1, attempt=1).update([(_part(1), ("9",))])
    second = CheckpointStore(store, key="checkpoint/1")
    assert second.load() is None
    loaded = first.load()
    assert loaded is not None and loaded.fingerprint == "f0"
    second.clear()
    assert first.load() is not None


def test_a_first_try_costs_no_round_trip_until_it_saves() -> None:
    store = CountingStore()
    checkpoints = CheckpointStore(store, key="checkpoint/4", known_empty=True)
    assert checkpoints.load() is None
    checkpoints.clear()
    assert store.calls == []
    CheckpointRecorder(checkpoints, fingerprint="f", scn=1, attempt=1).update([(_part(1), ("3",))])
    checkpoints.clear()  # saved once: now clearing must delete it
    assert store.calls == ["delete checkpoint/4"]
    assert "checkpoint/4" not in store.values
