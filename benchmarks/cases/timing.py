"""Timing one piece of work many times over: the median and 90th percentile, in milliseconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

MILLIS = 1000.0
PERCENTILE = 0.9


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work()`` took."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def summary(samples: list[float]) -> tuple[float, float]:
    """The median and 90th percentile of ``samples`` (seconds), in milliseconds."""
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * PERCENTILE))]
    return statistics.median(ordered) * MILLIS, p90 * MILLIS
