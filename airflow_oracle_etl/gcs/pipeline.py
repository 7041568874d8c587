"""A background stage: one thread consuming a queue bounded in bytes.

The table writer chains two of them (compress, then upload) behind the caller's thread. The
queues are bounded by the bytes they hold, not by item count, so memory stays bounded however
large the caller's payloads are; a full queue blocks the producer (back-pressure).

Failure rules, which keep every thread from outliving its writer and every error visible:

- an exception in the stage's thread is kept; the queue then refuses new items and drops what
  it holds, so a producer blocked on a full queue wakes up, and the next ``put()`` or
  ``close()`` in the producer re-raises that same exception (its type is preserved, so callers
  can still catch ``google.api_core.exceptions.Forbidden`` and the like);
- ``close()`` lets the thread drain the queue and run ``finish``, joins it, then re-raises;
- ``abort()`` drops what is queued, stops the thread after its current item and joins it;
  it never raises;
- ``on_failure`` runs in the stage's own thread after an error, so resources it holds are
  released even if the producer never calls ``abort()``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_CLOSE = object()


class StageStopped(Exception):
    """Raised to a producer whose stage was aborted (internal: it never leaves the writer)."""


class ByteQueue:
    """FIFO with a capacity in bytes. An item larger than the capacity is still accepted when
    the queue is empty, so nothing can deadlock on one big payload."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"queue capacity must be positive, got {capacity}")
        self.capacity = capacity
        self._items: deque[tuple[object, int]] = deque()
        self._bytes = 0
        self._stopped = False
        self._ready = threading.Condition()

    def put(self, item: object, size: int) -> None:
        with self._ready:
            while self._items and self._bytes + size > self.capacity and not self._stopped:
                self._ready.wait()
            if self._stopped:
                raise StageStopped
            self._items.append((item, size))
            self._bytes += size
            self._ready.notify_all()

    def put_control(self, item: object) -> None:
        """Enqueue a zero-size marker regardless of capacity (never blocks)."""
        with self._ready:
            if self._stopped:
                raise StageStopped
            self._items.append((item, 0))
            self._ready.notify_all()

    def get(self) -> object:
        with self._ready:
            while not self._items and not self._stopped:
                self._ready.wait()
            if self._stopped:
                raise StageStopped
            item, size = self._items.popleft()
            self._bytes -= size
            self._ready.notify_all()
            return item

    def stop(self) -> None:
        """Drop every item and wake everyone; later puts and gets raise StageStopped."""
        with self._ready:
            self._stopped = True
            self._items.clear()
            self._bytes = 0
            self._ready.notify_all()


class Stage:
    """A daemon thread applying ``handle`` to each queued item, then ``finish`` on close."""

    def __init__(
        self,
        name: str,
        handle: Callable[[Any], None],
        finish: Callable[[], None],
        capacity: int,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._handle = handle
        self._finish = finish
        self._on_failure = on_failure
        self._queue = ByteQueue(capacity)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, item: object, size: int) -> None:
        """Queue ``item`` (blocking while the queue is full); re-raises the thread's error."""
        self._raise_error()
        try:
            self._queue.put(item, size)
        except StageStopped:
            self._raise_error()
            raise

    def close(self) -> None:
        """Drain, run ``finish``, join; re-raises an error of the thread."""
        self._raise_error()
        try:
            self._queue.put_control(_CLOSE)
        except StageStopped:
            self._raise_error()
            raise
        self._join()
        self._raise_error()

    def abort(self) -> None:
        """Drop queued items, stop after the current one, join. Never raises."""
        self._queue.stop()
        self._join()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def _join(self) -> None:
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            while (item := self._queue.get()) is not _CLOSE:
                self._handle(item)
            self._finish()
        except StageStopped:
            pass  # aborted: whoever stopped us is cleaning up
        except BaseException as error:  # re-raised in the producer's thread
            if hasattr(error, "add_note"):
                error.add_note(f"(raised in the writer's {self.name!r} thread)")
            self._error = error
            self._queue.stop()
            if self._on_failure is not None:
                try:
                    self._on_failure()
                except Exception:  # the first error is the one that matters
                    log.exception("cleaning up after a failure in %s failed", self.name)
