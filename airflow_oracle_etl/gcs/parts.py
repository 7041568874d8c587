"""Gzipped JSON-lines part files streamed into GCS resumable uploads, with no temp files.

``TableWriter.write(payload, rows)`` hands JSON lines to a pipeline of two threads::

    caller ──(≤ compress_queue_bytes)──> compress thread ──(≤ upload_queue_bytes)──> upload thread

The compress thread cuts parts (by rows exactly, splitting a payload at a line boundary if
needed; by compressed bytes after the payload that reaches the limit) and gzips each part as
one gzip member; the upload thread streams each
part through a ``BlobWriter`` (``blob.open("wb")``'s class): a resumable upload session sending
``chunk_size`` requests from memory; a part smaller than one chunk is sent in one request at
its end instead. Nothing touches the disk. A part becomes an object only when its last bytes
are sent, at the part's end; ``abort()`` (or an exception in a ``with`` block) cancels the
session instead, so no partial object ever appears.

Objects are ``application/gzip`` with no ``Content-Encoding``: with ``Content-Encoding: gzip``
GCS would decompress on download (decompressive transcoding), so readers would get bytes whose
size and crc32c differ from the metadata and the manifest, and range reads would break.
BigQuery loads gzip JSON lines by their content either way.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Generic

import google_crc32c
from google.api_core import exceptions as api_exceptions

# google-cloud-storage ships no py.typed marker nor stubs: its names are Any here. With
# ``unused-ignore`` since an incremental mypy run may not report the error (python/mypy#20105)
from google.cloud import storage
from google.cloud.storage.exceptions import InvalidResponse
from google.cloud.storage.fileio import BlobWriter

# a TypeVar with a default (PEP 696) needs typing_extensions before Python 3.13; Airflow
# itself requires typing-extensions
from typing_extensions import Self, TypeVar

from airflow_oracle_etl.gcs.compress import GzipMember
from airflow_oracle_etl.gcs.errors import (
    GcsWriterError,
    InvalidPayloadError,
    UploadVerificationError,
)
from airflow_oracle_etl.gcs.manifest import PartInfo
from airflow_oracle_etl.gcs.naming import TableLayout
from airflow_oracle_etl.gcs.pipeline import Stage
from airflow_oracle_etl.gcs.settings import WriterSettings

log = logging.getLogger(__name__)

NEWLINE = b"\n"
HTTP_ERROR = 400
#: checksum the client library sends with the last chunk, so GCS refuses a corrupt object
UPLOAD_CHECKSUM = "crc32c"

#: what a caller marks its payloads with (see :class:`TableWriter`); opaque to the writer
MarkT = TypeVar("MarkT", default=object)


def crc32c_base64(checksum: google_crc32c.Checksum) -> str:
    """A CRC32C in the form GCS metadata uses: base64 of the big-endian 4 bytes."""
    return base64.b64encode(checksum.digest()).decode("ascii")


class _ExplicitBlobWriter(BlobWriter):
    """A ``BlobWriter`` that finalises its upload only when ``close()`` is called.

    ``io.IOBase`` calls ``close()`` when an open file object is garbage-collected; for a
    ``BlobWriter`` that sends the last chunk, so a part abandoned half-way (an error path that
    skipped ``abort()``) would become a truncated object. Here collection does nothing: the
    unfinished session never becomes an object.
    """

    def __del__(self) -> None:
        pass


class PartWriter:
    """One part object: compressed bytes in, a verified :class:`PartInfo` out.

    Used from one thread at a time. Bytes are held until a full chunk has come: only then does
    a resumable upload session open (and send that chunk). A part that ends before that, as
    every part of a small table does, is stored by :meth:`close` in one single-request upload
    instead of three requests (open the session, send the bytes, read the object back): the
    same bytes held in memory either way, the object appearing whole or not at all either way.
    The object is finalised by :meth:`close` only.
    """

    def __init__(self, bucket: storage.Bucket, name: str, settings: WriterSettings) -> None:
        self.name = name
        self.size = 0
        self._settings = settings
        self._blob = bucket.blob(name, chunk_size=settings.chunk_size)
        #: the upload session, once a full chunk has come; before that, the bytes in _held
        self._stream: _ExplicitBlobWriter | None = None
        self._held = bytearray()
        self._crc = google_crc32c.Checksum()

    def write(self, data: bytes) -> None:
        self._crc.update(data)
        self.size += len(data)
        if self._stream is None:
            self._held += data
            if len(self._held) < self._settings.chunk_size:
                return
            data, self._held = bytes(self._held), bytearray()
            self._stream = self._open_session()
        with self._errors():
            self._stream.write(data)

    def close(self, rows: int, uncompressed_bytes: int) -> PartInfo:
        """Send the last bytes (the object appears), then check what GCS stored."""
        with self._errors():
            if self._stream is None:
                self._upload_whole()
            else:
                self._stream.close()
                self._blob.reload(
                    retry=self._settings.retry, timeout=self._settings.request_timeout
                )
        crc32c = crc32c_base64(self._crc)
        if self._blob.size != self.size or self._blob.crc32c != crc32c:
            raise UploadVerificationError(
                f"gs://{self._blob.bucket.name}/{self.name} holds {self._blob.size} bytes with "
                f"crc32c {self._blob.crc32c}; {self.size} bytes with crc32c {crc32c} were sent"
            )
        return PartInfo(
            name=self.name,
            rows=rows,
            uncompressed_bytes=uncompressed_bytes,
            compressed_bytes=self.size,
            crc32c=crc32c,
            generation=int(self._blob.generation),
        )

    def _open_session(self) -> _ExplicitBlobWriter:
        return _ExplicitBlobWriter(
            self._blob,
            chunk_size=self._settings.chunk_size,
            retry=self._settings.retry,
            content_type=self._settings.content_type,
            checksum=UPLOAD_CHECKSUM,
            timeout=self._settings.request_timeout,
        )

    def _upload_whole(self) -> None:
        """One multipart upload of the held bytes. The client sends their crc32c in the
        object's metadata, so GCS refuses them if they arrive altered, and the answer describes
        the stored object (no read back). Retried like a chunk: the name is this attempt's
        own, so a repeat can only store the same bytes again."""
        self._blob.upload_from_string(
            bytes(self._held),
            content_type=self._settings.content_type,
            checksum=UPLOAD_CHECKSUM,
            retry=self._settings.retry,
            timeout=self._settings.request_timeout,
        )
        self._held = bytearray()

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        return _api_errors(
            f"gs://{self._blob.bucket.name}/{self.name}", self._settings.retry_deadline
        )

    def abort(self) -> None:
        """Cancel the upload session; never raises, never finalises the object.

        ``BlobWriter.terminate()`` is not used: it sends its DELETE to the session-opening URL
        rather than the session's own, and if that request fails the writer stays open. So the
        session is cancelled here (DELETE on the session URL, as GCS documents) and the
        writer's buffer is closed directly.
        """
        self._held = bytearray()
        stream = self._stream
        if stream is None:
            return  # nothing was sent: no session to cancel
        session = getattr(stream, "_upload_and_transport", None)
        if session is not None:
            upload, transport = session
            with contextlib.suppress(Exception):  # best effort: an unfinished session is inert
                transport.delete(upload.resumable_url, timeout=self._settings.request_timeout)
        if not stream.closed:
            buffer = getattr(stream, "_buffer", None)
            if buffer is not None:
                buffer.close()
            else:  # the library's internals changed: fall back to its own cancel
                with contextlib.suppress(Exception):
                    stream.terminate()


@contextlib.contextmanager
def _api_errors(target: str, retry_deadline: float) -> Iterator[None]:
    """Raise upload failures as the API exceptions the rest of the client raises (NotFound,
    Forbidden, RetryError...) instead of the media layer's InvalidResponse, as
    ``Blob.upload_from_*`` does, so that callers handle one family of errors; and say which
    object (``target``, ``gs://BUCKET/NAME``) failed and why in words, because the client's
    own messages name an upload URL, or only a status code, and the task log is where an
    operator reads them."""
    try:
        yield
    except InvalidResponse as error:
        api_error = _as_api_error(error)
        if api_error is None:
            raise
        raise _explained(api_error, target) from error
    except api_exceptions.RetryError as error:
        cause = _as_api_error(error.cause) or error.cause
        raise api_exceptions.RetryError(
            f"writing {target}: gave up after retrying for {retry_deadline:g} s"
            " (gcs.retry_deadline); the last attempt failed",
            cause,
        ) from error
    except api_exceptions.GoogleAPICallError as error:
        raise _explained(error, target) from error


def _as_api_error(error: BaseException | None) -> api_exceptions.GoogleAPICallError | None:
    """The API exception for an HTTP error answer of the media layer, else None."""
    response = getattr(error, "response", None)
    if not isinstance(error, InvalidResponse) or response is None:
        return None
    if response.status_code < HTTP_ERROR:
        return None
    return api_exceptions.from_http_response(response)


def _explained(
    error: api_exceptions.GoogleAPICallError, target: str
) -> api_exceptions.GoogleAPICallError:
    """The same exception type, with a message naming the object and, for the answers that
    are not retried, what they mean."""
    bucket = target.removeprefix("gs://").partition("/")[0]
    if isinstance(error, api_exceptions.Forbidden):
        what = f"permission denied writing {target} (bucket {bucket!r})"
    elif isinstance(error, api_exceptions.NotFound):
        what = f"not found writing {target} (does bucket {bucket!r} exist?)"
    else:
        what = f"writing {target} failed"
    return type(error)(f"{what}: {error.message}", errors=error.errors, response=error.response)


@dataclass(frozen=True)
class _OpenPart:
    name: str


@dataclass(frozen=True)
class _SealPart(Generic[MarkT]):
    rows: int
    uncompressed_bytes: int
    #: the caller's mark of the payload the part ends with, if it ends at a payload's end
    mark: MarkT | None = None


@dataclass(frozen=True)
class WriterProgress:
    """A snapshot for progress reports (rows accepted; bytes and parts done)."""

    rows: int
    uncompressed_bytes: int
    compressed_bytes: int
    parts: int


class TableWriter(Generic[MarkT]):
    """The part files of one table (or one partition) for one attempt.

    ``write(payload, rows)`` takes ``rows`` whole JSON lines (each ending in ``\\n``), which
    must not be modified afterwards (they are compressed later, in another thread). ``close()``
    returns the parts in order; a table with no rows has none. Use it as a context manager:
    leaving the block by an exception aborts every upload in progress.

    ``first_part`` numbers the parts after those an earlier attempt finished (a resumed read).
    A ``mark`` given with a payload (the key of its last row) comes back in :attr:`finished`
    with the part that ends exactly where that payload ends, so the caller knows where a
    finished part stops in its own terms; a part cut inside a payload has no mark. The marks'
    type is the class's parameter (``TableWriter[tuple[str, ...]](...)``), ``object`` if
    not given.
    """

    def __init__(
        self,
        bucket: storage.Bucket,
        layout: TableLayout,
        *,
        partition: int = 0,
        attempt: int = 1,
        settings: WriterSettings | None = None,
        first_part: int = 0,
    ) -> None:
        self.layout = layout
        self.partition = partition
        self.attempt = attempt
        self.settings = settings or WriterSettings()
        self._max_bytes = self.settings.max_bytes
        layout.part_name(partition, 0, attempt)  # validates partition and attempt now
        self._bucket = bucket
        self._compress: Stage | None = None
        self._upload: Stage | None = None
        self._closed = False
        self._rows = 0
        # owned by the compress thread
        self._member: GzipMember | None = None
        self._next_part = first_part
        self._uncompressed = 0
        #: the mark of the payload the open part ends with, while it ends with a whole payload
        self._boundary_mark: MarkT | None = None
        # owned by the upload thread
        self._part: PartWriter | None = None
        self._cancel_lock = threading.Lock()
        self._uploaded = 0
        #: each finished part with its mark (see the class docstring), in order
        self._finished: list[tuple[PartInfo, MarkT | None]] = []

    def write(
        self, payload: bytes, rows: int, mark: MarkT | None = None, *, lines_known: bool = False
    ) -> None:
        """Queue ``rows`` JSON lines; blocks while the pipeline is full (back-pressure) and
        re-raises an error of either background thread. ``mark``: see the class docstring.

        The payload is checked to hold exactly ``rows`` lines (parts are cut by counting
        newlines), unless ``lines_known``: the caller's encoder guarantees it (msgspec writes
        no raw newline inside a value), and the count costs about 0.15 us a row."""
        if self._closed:
            raise GcsWriterError("write() on a closed TableWriter")
        if not isinstance(payload, bytes):
            payload = bytes(payload)  # a caller's reusable buffer must not change under us
        if not lines_known:
            _check_lines(payload, rows)
        if not rows:
            return
        if self._compress is None:
            self._start()
        assert self._compress is not None
        self._rows += rows
        self._compress.put((payload, rows, mark), len(payload))

    def close(self) -> list[PartInfo]:
        """Finish the last part, wait for every upload, verify; returns the parts written."""
        if self._closed:
            raise GcsWriterError("close() on a closed TableWriter")
        try:
            if self._compress is not None and self._upload is not None:
                self._compress.close()
                self._upload.close()
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return [part for part, _ in self._finished]

    def abort(self) -> None:
        """Stop both threads and cancel the upload in progress; never raises. Parts already
        finished stay (no manifest lists them; the next committed attempt deletes them)."""
        self._closed = True
        self._stop_uploads()
        if self._compress is not None:
            self._compress.abort()

    def _stop_uploads(self) -> None:
        """Stop the upload thread, then cancel its part (also run by a failing compressor)."""
        if self._upload is not None:
            self._upload.abort()
        self._cancel_part()

    def _cancel_part(self) -> None:
        """Cancel the part in progress; in the upload thread when it fails, else after it
        stopped, so never concurrently with it."""
        with self._cancel_lock:  # abort() and a failing compressor may both get here
            part, self._part = self._part, None
        if part is not None:
            part.abort()

    @property
    def progress(self) -> WriterProgress:
        return WriterProgress(
            rows=self._rows,
            uncompressed_bytes=self._uncompressed,
            compressed_bytes=self._uploaded,
            parts=len(self._finished),
        )

    @property
    def finished(self) -> list[tuple[PartInfo, MarkT | None]]:
        """The parts uploaded and verified so far, in order, each with its mark (or None).

        Read from the caller's thread while the upload thread appends: a list copy of an
        append-only list, so it is always a consistent prefix."""
        return list(self._finished)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._closed:
            self.close()

    def _start(self) -> None:
        label = f"{self.layout.table}:{self.partition}"
        settings = self.settings
        self._upload = Stage(
            f"gcs-upload {label}",
            self._on_upload,
            _nothing,
            settings.upload_queue_bytes,
            on_failure=self._cancel_part,
        )
        self._compress = Stage(
            f"gzip {label}",
            self._on_rows,
            self._seal_part,
            settings.compress_queue_bytes,
            on_failure=self._stop_uploads,
        )

    # -- compress thread -------------------------------------------------------------------

    def _on_rows(self, item: tuple[bytes, int, MarkT | None]) -> None:
        payload, rows, mark = item
        view = memoryview(payload)
        max_rows = self.settings.max_rows
        start = 0
        while rows:
            member = self._member or self._open_part()
            take = min(rows, max_rows - member.rows)
            end = len(payload) if take == rows else _end_of_line(payload, start, take)
            for piece in member.feed(view[start:end], take):
                self._send(piece)
            self._uncompressed += end - start
            start, rows = end, rows - take
            self._boundary_mark = mark if not rows else None
            if member.rows >= max_rows or member.compressed_bytes >= self._max_bytes:
                self._seal_part()

    def _open_part(self) -> GzipMember:
        name = self.layout.part_name(self.partition, self._next_part, self.attempt)
        self._next_part += 1
        assert self._upload is not None
        self._upload.put(_OpenPart(name), 0)
        self._member = GzipMember(self.settings.compression)
        return self._member

    def _seal_part(self) -> None:
        member, self._member = self._member, None
        mark, self._boundary_mark = self._boundary_mark, None
        if member is None:
            return
        self._send(member.finish())
        assert self._upload is not None
        self._upload.put(_SealPart(member.rows, member.uncompressed_bytes, mark), 0)

    def _send(self, piece: bytes) -> None:
        if piece:
            assert self._upload is not None
            self._upload.put(piece, len(piece))

    # -- upload thread ---------------------------------------------------------------------

    def _on_upload(self, item: bytes | _OpenPart | _SealPart[MarkT]) -> None:
        if isinstance(item, bytes):
            assert self._part is not None
            self._part.write(item)
            self._uploaded += len(item)
        elif isinstance(item, _OpenPart):
            self._part = PartWriter(self._bucket, item.name, self.settings)
        else:
            part, self._part = self._part, None
            assert part is not None
            info = part.close(item.rows, item.uncompressed_bytes)
            self._finished.append((info, item.mark))
            log.info(
                "wrote gs://%s/%s: %d rows, %d bytes gzipped to %d",
                self._bucket.name,
                info.name,
                info.rows,
                info.uncompressed_bytes,
                info.compressed_bytes,
            )


def _nothing() -> None:
    """The upload stage has nothing to flush: the compress stage seals the last part."""


def _check_lines(payload: bytes, rows: int) -> None:
    """``payload`` must be exactly ``rows`` lines, each ending in a newline. JSON text has no
    raw newline inside a value, so counting them counts rows (at memchr speed)."""
    if rows < 0:
        raise InvalidPayloadError(f"rows must be >= 0, got {rows}")
    if payload and not payload.endswith(NEWLINE):
        raise InvalidPayloadError("payload must end with a newline (whole JSON lines only)")
    lines = payload.count(NEWLINE)
    if lines != rows:
        raise InvalidPayloadError(f"payload holds {lines} lines, but rows={rows}")


def _end_of_line(payload: bytes, start: int, lines: int) -> int:
    """The offset just past the ``lines``-th newline at or after ``start`` (only used where a
    payload straddles a part boundary, so a Python loop is fine)."""
    position = start
    for _ in range(lines):
        position = payload.index(NEWLINE, position) + 1
    return position
