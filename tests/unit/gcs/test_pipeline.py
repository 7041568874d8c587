"""Background stages: back-pressure, errors re-raised in the producer, clean stops."""

from __future__ import annotations

import threading

import pytest

from airflow_oracle_etl.gcs.pipeline import ByteQueue, Stage, StageStopped

WAIT_S = 5.0


class Boom(RuntimeError):
    pass


def test_items_are_handled_in_order_and_finish_runs_last() -> None:
    seen: list[object] = []
    stage = Stage("t", seen.append, lambda: seen.append("finished"), capacity=10)
    for n in range(100):
        stage.put(n, 3)
    stage.close()
    assert seen == [*range(100), "finished"]


def test_error_in_thread_is_reraised_in_producer_with_its_type() -> None:
    def handle(item: object) -> None:
        if item == 3:
            raise Boom("bad item 3")

    stage = Stage("t", handle, lambda: None, capacity=1_000)
    with pytest.raises(Boom, match="bad item 3") as caught:
        for n in range(1_000_000):
            stage.put(n, 1)
    assert any("'t' thread" in note for note in getattr(caught.value, "__notes__", ["'t' thread"]))
    assert stage.failed
    with pytest.raises(Boom):
        stage.close()


def test_full_queue_blocks_the_producer_until_the_consumer_moves() -> None:
    release = threading.Event()
    handled: list[object] = []

    def handle(item: object) -> None:
        release.wait(WAIT_S)
        handled.append(item)

    stage = Stage("t", handle, lambda: None, capacity=100)
    stage.put("first", 60)  # taken by the thread, which then waits
    producer_done = threading.Event()

    def produce() -> None:
        for n in range(5):
            stage.put(n, 60)  # capacity 100: the second of these must wait
        producer_done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    assert not producer_done.wait(0.3)  # blocked by back-pressure, not finished
    release.set()
    producer.join(WAIT_S)
    assert producer_done.is_set()
    stage.close()
    assert handled == ["first", 0, 1, 2, 3, 4]


def test_blocked_producer_wakes_with_the_consumer_error() -> None:
    release = threading.Event()

    def handle(item: object) -> None:
        release.wait(WAIT_S)
        raise Boom("consumer died")

    stage = Stage("t", handle, lambda: None, capacity=10)
    stage.put("x", 10)
    errors: list[BaseException] = []

    def produce() -> None:
        try:
            for _ in range(10):
                stage.put("y", 10)
        except BaseException as error:
            errors.append(error)

    producer = threading.Thread(target=produce)
    producer.start()
    release.set()
    producer.join(WAIT_S)
    assert not producer.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], Boom)


def test_abort_drops_queued_items_and_joins() -> None:
    release = threading.Event()
    handled: list[object] = []

    def handle(item: object) -> None:
        release.wait(WAIT_S)
        handled.append(item)

    stage = Stage("t", handle, lambda: handled.append("finished"), capacity=1_000)
    for n in range(10):
        stage.put(n, 1)
    release.set()
    stage.abort()
    assert "finished" not in handled
    assert not any(thread.name == "t" for thread in threading.enumerate())
    with pytest.raises(StageStopped):
        stage.put("late", 1)


def test_oversized_item_passes_an_empty_queue() -> None:
    queue = ByteQueue(10)
    queue.put("big", 1_000)
    assert queue.get() == "big"
    with pytest.raises(ValueError):
        ByteQueue(0)
