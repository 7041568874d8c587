"""The writer's knobs, validated once, and the retry policies built from them.

Retries use the storage client's own predicate (``google.cloud.storage.retry.DEFAULT_RETRY``:
429, 408, 5xx, connection resets, timeouts) with exponential backoff (1 s doubling to 60 s)
until ``retry_deadline_s``. Which calls may retry:

- resumable uploads of parts: always. Each chunk PUT names its byte range within one upload
  session, so repeating it cannot duplicate data; repeating the session-opening POST at worst
  leaves an unused session that GCS reaps after a week and that never becomes an object.
- manifest writes: only with ``if_generation_match`` (always set by the commit), so a repeated
  write cannot overwrite a newer manifest; see :mod:`airflow_oracle_etl.gcs.commit`.
- deletes of stale parts: with ``if_generation_match`` of the generation that was listed.
- reads and listings: always.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.api_core.retry import Retry
from google.cloud.storage.retry import (
    DEFAULT_RETRY,
    ConditionalRetryPolicy,
    is_generation_specified,
)

from airflow_oracle_etl.gcs.compress import Compression

MIB = 1024 * 1024
#: resumable uploads take chunks in multiples of this
CHUNK_GRANULARITY = 256 * 1024
DEFAULT_CHUNK_SIZE = 16 * MIB
DEFAULT_MAX_ROWS_PER_PART = 1_000_000
DEFAULT_MAX_BYTES_PER_PART = 256 * MIB
DEFAULT_COMPRESS_QUEUE_BYTES = 8 * MIB
DEFAULT_UPLOAD_QUEUE_BYTES = 8 * MIB
DEFAULT_RETRY_DEADLINE_S = 300.0
DEFAULT_REQUEST_TIMEOUT_S = 120.0
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
    max_rows_per_part: int = DEFAULT_MAX_ROWS_PER_PART
    #: a part is closed after the payload whose compressed output reaches this; it may exceed
    #: it by what the compressor still holds (isal emits ~100 KB blocks) plus that payload's
    #: output, so keep it far below BigQuery's 4 GB limit for a gzip file
    max_bytes_per_part: int = DEFAULT_MAX_BYTES_PER_PART
    compression: Compression = field(default_factory=Compression)
    #: uncompressed bytes waiting for the compressor thread
    compress_queue_bytes: int = DEFAULT_COMPRESS_QUEUE_BYTES
    #: compressed bytes waiting for the upload thread
    upload_queue_bytes: int = DEFAULT_UPLOAD_QUEUE_BYTES
    retry_deadline_s: float = DEFAULT_RETRY_DEADLINE_S
    #: per HTTP request
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_S
    content_type: str = PART_CONTENT_TYPE

    def __post_init__(self) -> None:
        if self.chunk_size <= 0 or self.chunk_size % CHUNK_GRANULARITY:
            raise ValueError(
                f"chunk_size must be a positive multiple of {CHUNK_GRANULARITY} (256 KiB), "
                f"got {self.chunk_size}"
            )
        for name in (
            "max_rows_per_part",
            "max_bytes_per_part",
            "compress_queue_bytes",
            "upload_queue_bytes",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.retry_deadline_s <= 0 or self.request_timeout_s <= 0:
            raise ValueError("retry_deadline_s and request_timeout_s must be positive")

    @property
    def retry(self) -> Retry:
        """For calls that are safe to repeat as they are."""
        return retry_policy(self.retry_deadline_s)

    @property
    def conditional_retry(self) -> ConditionalRetryPolicy:
        """For writes and deletes: retried only when they carry a generation precondition."""
        return conditional_retry_policy(self.retry_deadline_s)


def retry_policy(deadline_s: float | None = None) -> Retry:
    """The client's default retry, giving up after ``deadline_s`` (default 300 s)."""
    return DEFAULT_RETRY.with_timeout(deadline_s or DEFAULT_RETRY_DEADLINE_S)


def conditional_retry_policy(deadline_s: float | None = None) -> ConditionalRetryPolicy:
    """:func:`retry_policy`, applied only to requests carrying a generation precondition."""
    return ConditionalRetryPolicy(
        retry_policy(deadline_s), is_generation_specified, ["query_params"]
    )
