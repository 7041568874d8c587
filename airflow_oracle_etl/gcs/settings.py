"""The writer's knobs, validated once, and the retry policies built from them.

Retries use the storage client's own predicate (``google.cloud.storage.retry.DEFAULT_RETRY``:
429, 408, 5xx, connection resets, timeouts) with exponential backoff (``retry_initial``,
1 s, doubling up to ``retry_max``, 60 s) until ``retry_deadline``, which bounds the retries
of each request (every chunk of an upload has the whole budget). Anything else (400, 401, 403,
404, 412) is not retried: it fails at the first answer.

Each wait is its step times a random factor in [0.75, 1] (:func:`backoff_waits`), not the
client's default full jitter (a factor in [0, 1]): full jitter may retry a 429 or 503 almost at
once, many times in a row, which is not backing off; a quarter of jitter still spreads the
retries of many workers apart, and each wait is longer than the one before (until the cap), so
a struggling server sees the load fall.

Which calls may retry:

- resumable uploads of parts: always. Each chunk PUT names its byte range within one upload
  session, so repeating it cannot duplicate data; repeating the session-opening POST at worst
  leaves an unused session that GCS reaps after a week and that never becomes an object.
  A part smaller than a chunk goes in one request, retried too: only its own attempt writes
  under its name, so a repeat stores the same bytes again.
- manifest writes: only with ``if_generation_match`` (always set by the commit), so a repeated
  write cannot overwrite a newer manifest; see :mod:`airflow_oracle_etl.gcs.commit`.
- deletes of stale parts: with ``if_generation_match`` of the generation that was listed.
- reads and listings: always.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from google.api_core.retry import Retry, retry_target

# google-cloud-storage ships no py.typed marker nor stubs: its names are Any here. With
# ``unused-ignore`` since an incremental mypy run may not report the error (python/mypy#20105)
from google.cloud.storage.retry import (
    DEFAULT_RETRY,
    ConditionalRetryPolicy,
    is_generation_specified,
)

from airflow_oracle_etl.gcs.compress import Compression

# the defaults users see are the option records' (one place for the YAML, operator, writer)
from airflow_oracle_etl.options import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_BYTES_PER_PART,
    DEFAULT_MAX_ROWS_PER_PART,
    DEFAULT_REQUEST_TIMEOUT_S,
    DEFAULT_RETRY_DEADLINE_S,
    MIB,
)

#: resumable uploads take chunks in multiples of this
CHUNK_GRANULARITY = 256 * 1024
DEFAULT_COMPRESS_QUEUE_BYTES = 8 * MIB
DEFAULT_UPLOAD_QUEUE_BYTES = 8 * MIB
DEFAULT_RETRY_INITIAL_S = 1.0
DEFAULT_RETRY_MAX_S = 60.0
RETRY_MULTIPLIER = 2.0
#: a wait is its exponential step times a factor drawn from [1 - RETRY_JITTER, 1]
RETRY_JITTER = 0.25
#: what the part objects are: gzip bytes, stored and served as they are (see parts.py)
PART_CONTENT_TYPE = "application/gzip"


@dataclass(frozen=True, kw_only=True)
class WriterSettings:
    """How parts are cut, compressed and uploaded.

    Memory of one table writer stays below about ``2 * chunk_size`` (the upload buffer and the
    chunk in flight) plus both queues, whatever the table's size.
    """

    #: bytes sent per resumable-upload request; a multiple of 256 KiB
    chunk_size: int = DEFAULT_CHUNK_SIZE
    #: a part never holds more rows than this (a payload straddling the limit is split)
    max_rows: int = DEFAULT_MAX_ROWS_PER_PART
    #: a part is closed after the payload whose compressed output reaches this; it may exceed
    #: it by what the compressor still holds (isal emits ~100 KB blocks) plus that payload's
    #: output, so keep it far below BigQuery's 4 GB limit for a gzip file
    max_bytes: int = DEFAULT_MAX_BYTES_PER_PART
    compression: Compression = field(default_factory=Compression)
    #: uncompressed bytes waiting for the compressor thread
    compress_queue_bytes: int = DEFAULT_COMPRESS_QUEUE_BYTES
    #: compressed bytes waiting for the upload thread
    upload_queue_bytes: int = DEFAULT_UPLOAD_QUEUE_BYTES
    #: seconds one request of a part's upload is retried (each chunk has the whole budget)
    retry_deadline: float = DEFAULT_RETRY_DEADLINE_S
    #: seconds of the first wait's step; each next step doubles, up to ``retry_max``
    retry_initial: float = DEFAULT_RETRY_INITIAL_S
    retry_max: float = DEFAULT_RETRY_MAX_S
    #: seconds per HTTP request
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT_S
    content_type: str = PART_CONTENT_TYPE

    def __post_init__(self) -> None:
        if self.chunk_size <= 0 or self.chunk_size % CHUNK_GRANULARITY:
            raise ValueError(
                f"chunk_size must be a positive multiple of {CHUNK_GRANULARITY} (256 KiB), "
                f"got {self.chunk_size}"
            )
        for name in (
            "max_rows",
            "max_bytes",
            "compress_queue_bytes",
            "upload_queue_bytes",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("retry_deadline", "request_timeout", "retry_initial"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.retry_max < self.retry_initial:
            raise ValueError(
                f"retry_max ({self.retry_max}) must be at least retry_initial "
                f"({self.retry_initial})"
            )

    @property
    def retry(self) -> Retry:
        """For calls that are safe to repeat as they are."""
        return retry_policy(self.retry_deadline, self.retry_initial, self.retry_max)

    @property
    def conditional_retry(self) -> ConditionalRetryPolicy:
        """For writes and deletes: retried only when they carry a generation precondition."""
        return ConditionalRetryPolicy(self.retry, is_generation_specified, ["query_params"])


def backoff_waits(
    initial: float, maximum: float, multiplier: float = RETRY_MULTIPLIER
) -> Iterator[float]:
    """The waits between attempts: ``initial``, then doubling up to ``maximum``, each scaled
    by a random factor in [1 - RETRY_JITTER, 1]. With the doubling, a wait is never shorter
    than the one before until the cap is reached (0.75 x 2 > 1)."""
    step = min(initial, maximum)
    while True:
        yield step * random.uniform(1.0 - RETRY_JITTER, 1.0)
        step = min(step * multiplier, maximum)


class BackoffRetry(Retry):
    """``Retry`` (the client's predicate, deadline and ``on_error``) waiting by
    :func:`backoff_waits` instead of api-core's full jitter.

    Only ``__call__`` differs: the library uses a retry object by calling it on the request
    function (``_http.Connection.api_request``, the media uploads' ``wait_and_retry``), and
    ``with_timeout`` and the like rebuild this class, so the waits survive them.
    """

    def __call__(
        self, func: Callable[..., Any], on_error: Callable[[Exception], Any] | None = None
    ) -> Callable[..., Any]:
        if self._on_error is not None:
            on_error = self._on_error

        @functools.wraps(func)
        def retry_wrapped_func(*args: Any, **kwargs: Any) -> Any:
            return retry_target(
                functools.partial(func, *args, **kwargs),
                self._predicate,
                backoff_waits(self._initial, self._maximum, self._multiplier),
                timeout=self._timeout,
                on_error=on_error,
            )

        return retry_wrapped_func


def retry_policy(
    retry_deadline: float | None = None,
    initial_s: float | None = None,
    maximum_s: float | None = None,
) -> Retry:
    """The client's retry predicate with :class:`BackoffRetry`'s waits, giving up after
    ``retry_deadline`` (default 300 s)."""
    return BackoffRetry(
        predicate=DEFAULT_RETRY._predicate,  # the client's own (no public accessor)
        initial=initial_s or DEFAULT_RETRY_INITIAL_S,
        maximum=maximum_s or DEFAULT_RETRY_MAX_S,
        multiplier=RETRY_MULTIPLIER,
        timeout=retry_deadline or DEFAULT_RETRY_DEADLINE_S,
    )


def conditional_retry_policy(retry_deadline: float | None = None) -> ConditionalRetryPolicy:
    """:func:`retry_policy`, applied only to requests carrying a generation precondition."""
    return ConditionalRetryPolicy(
        retry_policy(retry_deadline), is_generation_specified, ["query_params"]
    )
