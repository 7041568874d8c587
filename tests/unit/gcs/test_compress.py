"""gzip members: valid gzip, exact content, counts, deterministic bytes, level validation."""

from __future__ import annotations

import gzip
import os
import zlib

import pytest

from airflow_oracle_etl.gcs.compress import SLICE_BYTES, Compression, GzipMember

LINES = b"".join(b'{"id":%d,"v":"%s"}\n' % (i, os.urandom(8).hex().encode()) for i in range(50_000))


@pytest.mark.parametrize(
    "compression", [Compression(), Compression("isal", 2), Compression("zlib", 6)], ids=str
)
def test_member_is_gzip_of_exactly_the_input(compression: Compression) -> None:
    member = GzipMember(compression)
    half = len(LINES) // 2
    out = b"".join(member.feed(LINES[:half], 0)) + b"".join(member.feed(LINES[half:], 50_000))
    out += member.finish()
    assert gzip.decompress(out) == LINES
    assert member.rows == 50_000
    assert member.uncompressed_bytes == len(LINES)
    assert member.compressed_bytes == len(out)
    assert len(out) < len(LINES)


def test_big_input_is_fed_in_slices_and_stays_exact() -> None:
    data = LINES * (3 * SLICE_BYTES // len(LINES) + 1)
    member = GzipMember(Compression())
    out = b"".join(member.feed(memoryview(data), 1)) + member.finish()
    assert zlib.decompress(out, wbits=31) == data


def test_same_input_same_bytes() -> None:
    first = GzipMember(Compression())
    second = GzipMember(Compression())
    a = b"".join(first.feed(LINES, 1)) + first.finish()
    b = b"".join(second.feed(LINES, 1)) + second.finish()
    assert a == b
    assert a[4:8] == b"\0\0\0\0"  # mtime 0 in the gzip header


def test_empty_member_is_valid_gzip() -> None:
    member = GzipMember(Compression())
    assert gzip.decompress(member.finish()) == b""


@pytest.mark.parametrize(
    ("library", "level"), [("isal", 4), ("isal", -1), ("zlib", 10), ("lz4", 1)]
)
def test_bad_settings_are_refused(library: str, level: int) -> None:
    with pytest.raises(ValueError):
        Compression(library, level)  # type: ignore[arg-type]
