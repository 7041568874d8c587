"""Streaming gzip: one gzip member per part file, fed in slices that keep each C call short.

isal (Intel ISA-L) level 1 is the default. On JSON lines of the benchmark shape, one core
(``benchmarks/gcs_writer.py --compress-only``): isal level 1 about 410 MB/s for a ratio of
3.81, level 2 about 380 MB/s for 3.83, zlib level 6 about 35 MB/s for 4.67. Level 2 buys half
a percent of size for 7 % more CPU; zlib 6 buys 18 % of size for 12 times the CPU, which would
make compression, not the database, the limit of a writer. zlib stays available
(``library="zlib"``) as the baseline and for callers who value size over speed.

Both libraries release the GIL while compressing, so the compressor thread overlaps with the
encoding thread; feeding at most :data:`SLICE_BYTES` a call keeps the hand-offs fine-grained.
The gzip header carries mtime 0, so the same input always gives the same bytes and crc32c.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol

from isal import isal_zlib

#: largest slice handed to one compress() call
SLICE_BYTES = 1024 * 1024
#: wbits selecting a gzip container with a 32 KiB window
GZIP_WBITS = 31
ISAL_LEVELS = range(0, 4)
ZLIB_LEVELS = range(0, 10)
DEFAULT_LEVEL = 1

Library = Literal["isal", "zlib"]


class _Deflater(Protocol):
    def compress(self, data: bytes | memoryview, /) -> bytes: ...

    def flush(self, mode: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Compression:
    """Which gzip implementation and level; isal level 1 unless measured otherwise."""

    library: Library = "isal"
    level: int = DEFAULT_LEVEL

    def __post_init__(self) -> None:
        levels = {"isal": ISAL_LEVELS, "zlib": ZLIB_LEVELS}.get(self.library)
        if levels is None:
            raise ValueError(f"unknown gzip library {self.library!r} (known: isal, zlib)")
        if self.level not in levels:
            raise ValueError(
                f"{self.library} gzip level must be {levels.start}..{levels.stop - 1}, "
                f"got {self.level}"
            )

    def deflater(self) -> _Deflater:
        """A fresh streaming compressor producing one gzip member."""
        if self.library == "isal":
            return isal_zlib.compressobj(self.level, isal_zlib.DEFLATED, GZIP_WBITS)
        return zlib.compressobj(self.level, zlib.DEFLATED, GZIP_WBITS)


class GzipMember:
    """One gzip stream (one part file's content) with the counts the manifest needs."""

    def __init__(self, compression: Compression) -> None:
        self._deflater = compression.deflater()
        self.rows = 0
        self.uncompressed_bytes = 0
        self.compressed_bytes = 0

    def feed(self, data: bytes | memoryview, rows: int) -> Iterator[bytes]:
        """Compress ``data`` (``rows`` whole lines); yields compressed pieces as they appear.

        The row count is added first so a caller that stops iterating early still sees the
        rows it handed over accounted for.
        """
        self.rows += rows
        view = memoryview(data)
        for start in range(0, len(view), SLICE_BYTES):
            piece = view[start : start + SLICE_BYTES]
            self.uncompressed_bytes += len(piece)
            out = self._deflater.compress(piece)
            if out:
                self.compressed_bytes += len(out)
                yield out

    def finish(self) -> bytes:
        """The rest of the stream, gzip trailer included; the member is complete after this."""
        tail = self._deflater.flush()
        self.compressed_bytes += len(tail)
        return tail
