"""TableWriter against fake-gcs-server with the real google-cloud-storage client."""

from __future__ import annotations

import gc
import gzip
import hashlib
import os
import tempfile
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import storage

from airflow_oracle_etl.gcs import (
    Compression,
    InvalidPayloadError,
    PartInfo,
    PartWriter,
    TableLayout,
    TableWriter,
    WriterSettings,
    parse_part_name,
)
from airflow_oracle_etl.gcs.compress import SLICE_BYTES
from airflow_oracle_etl.gcs.parts import crc32c_base64
from airflow_oracle_etl.gcs.settings import CHUNK_GRANULARITY, DEFAULT_CHUNK_SIZE, MIB
from tests.integration.gcs.jsonl import numbered_lines, random_lines, slices

import google_crc32c  # isort: skip

LAYOUT = TableLayout("it", "gcs", "ORDERS", "manual__2024-05-01T10:00:00+00:00")
SMALL_CHUNK = CHUNK_GRANULARITY


def object_names(bucket: storage.Bucket) -> list[str]:
    return sorted(blob.name for blob in bucket.list_blobs())


def download(bucket: storage.Bucket, part: PartInfo) -> bytes:
    return bucket.blob(part.name).download_as_bytes(raw_download=True)


def our_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(("gzip ", "gcs-upload "))]


def check_parts(bucket: storage.Bucket, parts: list[PartInfo], lines: list[bytes]) -> None:
    """Every part is one valid gzip member; together they are exactly ``lines``, in order; the
    stored objects match the recorded sizes and crc32c."""
    content = b""
    for part in parts:
        stored = download(bucket, part)
        assert len(stored) == part.compressed_bytes
        assert crc32c_base64(google_crc32c.Checksum(stored)) == part.crc32c
        blob = bucket.get_blob(part.name)
        assert blob is not None and blob.crc32c == part.crc32c
        assert blob.generation == part.generation
        assert blob.content_type == "application/gzip" and blob.content_encoding is None
        text = gzip.decompress(stored)
        assert len(text) == part.uncompressed_bytes
        assert text.count(b"\n") == part.rows
        content += text
    assert content == b"".join(lines)


def test_rotation_by_rows_is_exact(gcs_bucket: storage.Bucket) -> None:
    lines = numbered_lines(0, 10_000)
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_rows=2_400)
    with TableWriter(gcs_bucket, LAYOUT, attempt=1, settings=settings) as writer:
        for payload, rows in slices(lines, 700):  # slices straddle the part boundaries
            writer.write(payload, rows)
        parts = writer.close()
    assert [part.rows for part in parts] == [2_400, 2_400, 2_400, 2_400, 400]
    assert [parse_part_name(p.name).part for p in parts] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]
    assert all(p.name == LAYOUT.part_name(0, n, 1) for n, p in enumerate(parts))
    check_parts(gcs_bucket, parts, lines)
    assert object_names(gcs_bucket) == sorted(p.name for p in parts)
    assert not our_threads()


def test_rotation_by_compressed_bytes(gcs_bucket: storage.Bucket) -> None:
    lines = random_lines(12_000, 150)  # ~2.6 MB of barely compressible text
    limit = 300_000  # isal hands out compressed output in blocks of about 100 KB
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_bytes=limit)
    with TableWriter(gcs_bucket, LAYOUT, partition=5, attempt=2, settings=settings) as writer:
        for payload, rows in slices(lines, 50):
            writer.write(payload, rows)
        parts = writer.close()
    assert len(parts) >= 4
    for part in parts[:-1]:
        assert limit <= part.compressed_bytes < limit + SLICE_BYTES
    assert all(p.name.startswith(LAYOUT.parts_prefix(5)) and "-a2." in p.name for p in parts)
    assert sum(p.rows for p in parts) == 12_000
    check_parts(gcs_bucket, parts, lines)


def test_progress_counts(gcs_bucket: storage.Bucket) -> None:
    lines = numbered_lines(0, 3_000)
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_rows=1_000)
    writer = TableWriter(gcs_bucket, LAYOUT, settings=settings)
    for payload, rows in slices(lines, 500):
        writer.write(payload, rows)
    assert writer.progress.rows == 3_000
    parts = writer.close()
    progress = writer.progress
    assert progress.parts == 3
    assert progress.uncompressed_bytes == sum(len(line) for line in lines)
    assert progress.compressed_bytes == sum(p.compressed_bytes for p in parts)


def test_empty_table_writes_no_part(gcs_bucket: storage.Bucket) -> None:
    with TableWriter(gcs_bucket, LAYOUT) as writer:
        writer.write(b"", 0)
        assert writer.close() == []
    assert object_names(gcs_bucket) == []
    assert not our_threads()


def test_large_part_crosses_several_chunks(gcs_bucket: storage.Bucket) -> None:
    """A > 40 MB object uploaded in default 16 MiB chunks comes back byte-exact."""
    lines = random_lines(36_000, 1_150)  # ~55 MB of JSON lines, ~42 MB gzipped
    with TableWriter(gcs_bucket, LAYOUT) as writer:
        for payload, rows in slices(lines, 1_000):
            writer.write(payload, rows)
        parts = writer.close()
    assert len(parts) == 1
    part = parts[0]
    assert part.compressed_bytes > 40_000_000
    assert part.compressed_bytes > 2 * DEFAULT_CHUNK_SIZE  # at least three upload requests
    stored = download(gcs_bucket, part)
    assert crc32c_base64(google_crc32c.Checksum(stored)) == part.crc32c
    expected = hashlib.sha256(b"".join(lines)).digest()
    assert hashlib.sha256(zlib.decompress(stored, wbits=31)).digest() == expected


def test_abort_leaves_no_object(gcs_bucket: storage.Bucket) -> None:
    lines = random_lines(8_000, 150)  # > 1 MB gzipped: several 256 KiB chunks already sent
    writer = TableWriter(gcs_bucket, LAYOUT, settings=WriterSettings(chunk_size=SMALL_CHUNK))
    for payload, rows in slices(lines, 500):
        writer.write(payload, rows)
    writer.abort()
    assert not our_threads()
    del writer
    gc.collect()  # an unclosed BlobWriter would finalise its upload when collected
    assert object_names(gcs_bucket) == []


def test_exception_in_with_block_aborts(gcs_bucket: storage.Bucket) -> None:
    lines = random_lines(8_000, 150)
    settings = WriterSettings(chunk_size=SMALL_CHUNK)
    with (
        pytest.raises(KeyError, match="stop"),
        TableWriter(gcs_bucket, LAYOUT, settings=settings) as writer,
    ):
        for payload, rows in slices(lines, 500):
            writer.write(payload, rows)
        raise KeyError("stop")
    gc.collect()
    assert object_names(gcs_bucket) == []
    assert not our_threads()


def test_finished_parts_stay_after_abort(gcs_bucket: storage.Bucket) -> None:
    """Only the part in progress is cancelled; finished ones are left for the commit's cleanup
    (no manifest lists them)."""
    lines = numbered_lines(0, 2_500)
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_rows=1_000)
    writer = TableWriter(gcs_bucket, LAYOUT, settings=settings)
    for payload, rows in slices(lines, 500):
        writer.write(payload, rows)
    wait_until(lambda: writer.progress.parts == 2)  # the third part stays open
    writer.abort()
    assert writer.progress.parts == 2
    assert object_names(gcs_bucket) == [LAYOUT.part_name(0, 0, 1), LAYOUT.part_name(0, 1, 1)]


def wait_until(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        threading.Event().wait(0.05)
    raise AssertionError("condition never met")


def test_abandoned_part_never_becomes_an_object(gcs_bucket: storage.Bucket) -> None:
    """A PartWriter dropped without close() or abort() (a bug on some error path) must not
    finalise its upload when garbage-collected, as a plain BlobWriter would."""
    part = PartWriter(gcs_bucket, LAYOUT.part_name(0, 0, 1), WriterSettings(chunk_size=SMALL_CHUNK))
    part.write(os.urandom(3 * SMALL_CHUNK))  # the session is open, chunks are stored
    del part
    gc.collect()
    assert object_names(gcs_bucket) == []


class FailingCompression(Compression):
    """A real Compression whose deflater breaks after a few calls."""

    def deflater(self):  # type: ignore[no-untyped-def]
        inner = super().deflater()
        calls = iter(range(3))

        class Deflater:
            def compress(self, data: bytes) -> bytes:
                if next(calls, None) is None:
                    raise zlib.error("simulated deflate failure")
                return inner.compress(data)

            def flush(self, *mode: int) -> bytes:
                return inner.flush(*mode)

        return Deflater()


def test_compressor_error_surfaces_in_caller(gcs_bucket: storage.Bucket) -> None:
    settings = WriterSettings(chunk_size=SMALL_CHUNK, compression=FailingCompression())
    writer = TableWriter(gcs_bucket, LAYOUT, settings=settings)
    with pytest.raises(zlib.error, match="simulated deflate failure") as caught:
        for payload, rows in slices(numbered_lines(0, 200_000), 1_000):
            writer.write(payload, rows)
        writer.close()
    assert any("gzip ORDERS:0" in note for note in caught.value.__notes__)
    # the failing thread tears the pipeline down by itself, even before abort() is called
    wait_until(lambda: not our_threads())
    assert object_names(gcs_bucket) == []
    writer.abort()


def test_upload_error_surfaces_in_caller(gcs_client: storage.Client) -> None:
    missing = gcs_client.bucket("no-such-bucket-for-this-test")
    writer = TableWriter(missing, LAYOUT, settings=WriterSettings(chunk_size=SMALL_CHUNK))
    with pytest.raises(api_exceptions.NotFound), writer:
        for payload, rows in slices(numbered_lines(0, 50_000), 1_000):
            writer.write(payload, rows)
    assert not our_threads()


@pytest.mark.parametrize(
    ("payload", "rows"), [(b'{"a":1}\n{"a":2}\n', 1), (b'{"a":1}', 1), (b"", 1), (b"\n", -1)]
)
def test_payload_must_be_whole_lines(gcs_bucket: storage.Bucket, payload: bytes, rows: int) -> None:
    with pytest.raises(InvalidPayloadError), TableWriter(gcs_bucket, LAYOUT) as writer:
        writer.write(payload, rows)


def regular_files_open() -> set[str]:
    """Regular files this process has open (a temp file would show up here even if deleted)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/") and not target.startswith(("/dev/", "/proc/")):
            found.add(target)
    return found


@pytest.fixture
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """tempfile.gettempdir() pointing at a fresh empty directory for the test."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp


def test_no_temp_files(gcs_bucket: storage.Bucket, private_tempdir: Path) -> None:
    assert tempfile.gettempdir() == str(private_tempdir)
    before = sorted(private_tempdir.rglob("*"))
    open_before = regular_files_open()
    lines = random_lines(20_000, 300)  # ~8 MB gzipped: many 256 KiB chunks
    new_files: set[str] = set()
    with TableWriter(gcs_bucket, LAYOUT, settings=WriterSettings(chunk_size=SMALL_CHUNK)) as writer:
        for payload, rows in slices(lines, 1_000):
            writer.write(payload, rows)
            new_files |= regular_files_open() - open_before
        parts = writer.close()
    assert sum(p.rows for p in parts) == 20_000
    assert sorted(private_tempdir.rglob("*")) == before == []
    assert new_files == set()


def test_memory_stays_bounded(gcs_bucket: storage.Bucket) -> None:
    """200 MB of JSON lines through default settings: traced peak below 4 chunks."""
    pool = [payload for payload, _ in slices(numbered_lines(0, 32_000), 1_000)]
    target = 200 * 1_000_000
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        written = rows = 0
        with TableWriter(gcs_bucket, LAYOUT) as writer:
            while written < target:
                payload = pool[rows // 1_000 % len(pool)]
                writer.write(payload, 1_000)
                written += len(payload)
                rows += 1_000
            parts = writer.close()
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert sum(p.uncompressed_bytes for p in parts) == written
    assert sum(p.rows for p in parts) == rows
    assert sum(p.compressed_bytes for p in parts) > 2 * DEFAULT_CHUNK_SIZE  # several requests
    assert peak < 4 * DEFAULT_CHUNK_SIZE, f"peak {peak / MIB:.1f} MiB"


def test_marks_come_back_with_parts_that_end_where_a_payload_ends(
    gcs_bucket: storage.Bucket,
) -> None:
    # parts of 2,100 rows from payloads of 600 rows: parts end at 2,100, 4,200, 6,300, 8,400
    # and 10,000; only 4,200, 8,400 and the last end where a payload ends
    lines = numbered_lines(0, 10_000)
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_rows=2_100)
    with TableWriter(gcs_bucket, LAYOUT, attempt=1, settings=settings) as writer:
        written = 0
        for payload, rows in slices(lines, 600):
            written += rows
            writer.write(payload, rows, mark=("rows so far", written))
        parts = writer.close()
    finished = writer.finished
    assert [part for part, _ in finished] == parts
    assert [part.rows for part in parts] == [2_100] * 4 + [1_600]
    assert [mark for _, mark in finished] == [
        None,
        ("rows so far", 4_200),
        None,
        ("rows so far", 8_400),
        ("rows so far", 10_000),
    ]


def test_a_resumed_writer_numbers_its_parts_after_the_kept_ones(
    gcs_bucket: storage.Bucket,
) -> None:
    lines = numbered_lines(0, 5_000)
    settings = WriterSettings(chunk_size=SMALL_CHUNK, max_rows=2_000)
    with TableWriter(gcs_bucket, LAYOUT, attempt=3, settings=settings, first_part=7) as writer:
        for payload, rows in slices(lines, 1_000):
            writer.write(payload, rows, mark=rows)
        parts = writer.close()
    assert [p.name for p in parts] == [LAYOUT.part_name(0, n, 3) for n in (7, 8, 9)]
    assert [mark for _, mark in writer.finished] == [1_000, 1_000, 1_000]
    check_parts(gcs_bucket, parts, lines)
