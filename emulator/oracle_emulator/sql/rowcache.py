"""Encoded rows kept per table version, so fetching a table costs no per-row work.

A fast-path query runs on DuckDB as ``SELECT __ver ... WHERE ... ORDER BY ...`` and its rows
are looked up here by version. Encoded rows live in *segments*: one contiguous buffer each,
its rows back to back and every row behind the ROW_DATA byte (``QueryResult.ROW_MARK``), so
that a run of them is already the body of a fetch reply. Rows are numbered across segments
with one number left out after each segment: rows with consecutive numbers are therefore
always adjacent bytes of one segment. Each version slot holds its row's number (``MISSING``
until encoded), one int64 per version id (dense per table).

A query's result is the row numbers of its versions (one NumPy gather, see
:class:`EncodedRows`). Fetching rows with consecutive numbers (a full scan, the common
case: segments are filled in storage order, which is also DuckDB's scan order) is a slice of
a segment, with no copy and no work per row. Anything else (sorted, filtered, a mix of old
and new versions) is gathered by pyarrow's ``take`` in C++, about 35 ns a row.

Versions never change content (an UPDATE writes a new version), so entries never go stale:
a version a session may not see is simply never asked for, and a row is served only for a
version in the query's list. A table's entries are dropped on DROP, TRUNCATE and ALTER.
Missing entries are filled in bulk: one DuckDB query for their values, then the codec's row
encoder; reading the whole table (when most versions are missing anyway) replaces all
segments with fresh ones in storage order.

Memory: the encoded row plus its ROW_DATA byte, an 8-byte offset per row and an 8-byte slot
per version id. The 12-column benchmark shape encodes to about 164 bytes a row, so a
million rows cost about 180 MB per distinct column list (per-row ``bytes`` objects, before,
cost about 205 MB). Encoding them (``EmulatorDatabase.warm``) takes about 8 s here.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np
import pyarrow as pa

from oracle_emulator.api import QueryResult
from oracle_emulator.codecs import make_row_encoder
from oracle_emulator.sql.catalogue import Column, Table
from oracle_emulator.sql.conversions import read_kind, read_sql
from oracle_emulator.sql.errors import snapshot_too_old
from oracle_emulator.sql.oratypes import quote_ident
from oracle_emulator.sql.outputs import FastPlan, OutputColumn
from oracle_emulator.sql.results import describe
from oracle_emulator.sql.storage import VER

log = logging.getLogger(__name__)

#: when more than this share of a table's versions is missing, read the whole table
FULL_READ_SHARE = 0.25
GROWTH = 1.5
#: rows per DuckDB fetch while filling (bounds the Python objects alive at once); also the
#: most rows one segment holds
FILL_BATCH = 100_000
MISSING_RELATION = "__emu_missing_versions"
#: up to this many missing versions are read with a literal IN list
LITERAL_LIST_MAX = 4096
#: the row number of a version not encoded yet
MISSING = -1
#: row numbers left unused after each segment, so no two segments' rows look adjacent
SEGMENT_GAP = 1
#: a fetch made of fewer runs of adjacent rows than this joins their slices; a more
#: scattered one is gathered by pyarrow
MAX_JOINED_RUNS = 16
#: a result's run starts are kept as a list (quick to search) up to this many
RUN_STARTS_AS_LIST = 4096
ROW_MARK = QueryResult.ROW_MARK
_OFFSETS, _DATA = 1, 2  # buffer numbers of a pyarrow binary array (0 is the validity map)


@dataclass(frozen=True)
class Segment:
    """Rows encoded together: local row ``i`` is ``data[offsets[i]:offsets[i + 1]]``, its
    ROW_DATA byte included; ``array`` is the same memory as a pyarrow array, for gathers."""

    first: int
    data: memoryview
    offsets: np.ndarray
    array: pa.LargeBinaryArray

    @classmethod
    def build(cls, first: int, encoded: Sequence[bytes]) -> Segment:
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths + len(ROW_MARK), out=offsets[1:])
        blob = ROW_MARK.join([b"", *encoded])  # the leading empty item puts a mark first
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(blob)]
        array = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(encoded), buffers)
        return cls(first, memoryview(blob), offsets, array)

    @property
    def stop(self) -> int:
        """The number after its last row's."""
        return self.first + len(self.offsets) - 1

    def span(self, start: int, stop: int) -> memoryview:
        """Rows numbered ``start`` to ``stop - 1`` (all in this segment), without a copy."""
        offsets = self.offsets
        return self.data[offsets.item(start - self.first) : offsets.item(stop - self.first)]


class EncodedRows(Sequence[bytes]):
    """A result's rows: their numbers, over the segments that existed when it was made
    (later fills add segments and rebuild none, so a result never changes under a fetch)."""

    def __init__(self, segments: Sequence[Segment], rows: np.ndarray) -> None:
        self._segments = tuple(segments)
        self._firsts = [segment.first for segment in self._segments]
        self._rows = rows
        self._breaks: Sequence[int] | None = None

    def _run_starts(self) -> Sequence[int]:
        """Positions in the result where a run of adjacent rows begins (0 left out): found
        once, so that a fetch only looks up the runs it covers (in a list when there are
        few, the usual case, which is quicker to search than an array)."""
        if self._breaks is None:
            breaks = np.flatnonzero(np.diff(self._rows) != 1) + 1
            self._breaks = breaks.tolist() if len(breaks) <= RUN_STARTS_AS_LIST else breaks
        return self._breaks

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        """One row's (or a slice's) value encodings, without the ROW_DATA byte."""
        if isinstance(index, slice):
            return [self._one(int(row)) for row in self._rows[index]]
        return self._one(int(self._rows[index]))

    def __iter__(self) -> Iterator[bytes]:
        return (self._one(int(row)) for row in self._rows)

    def _segment(self, row: int) -> Segment:
        return self._segments[bisect.bisect_right(self._firsts, row) - 1]

    def _one(self, row: int) -> bytes:
        return bytes(self._segment(row).span(row, row + 1)[len(ROW_MARK) :])

    def block(self, start: int, stop: int) -> memoryview:
        """Rows ``start`` to ``stop - 1`` of the result, each behind its ROW_DATA byte."""
        stop = min(stop, len(self._rows))
        if stop <= start:
            return memoryview(b"")
        breaks = self._run_starts()
        # the runs beginning inside the block: breaks in start + 1 .. stop - 1
        low, high = bisect.bisect_right(breaks, start), bisect.bisect_left(breaks, stop)
        if high - low >= MAX_JOINED_RUNS:
            return self._gather(self._rows[start:stop])
        rows = self._rows
        if low == high:  # one run: a view of one segment
            first = rows.item(start)
            return self._segment(first).span(first, rows.item(stop - 1) + 1)
        bounds = [start, *[int(b) for b in breaks[low:high]], stop]
        spans = []
        for begin, end in itertools.pairwise(bounds):
            first = rows.item(begin)
            spans.append(self._segment(first).span(first, rows.item(end - 1) + 1))
        return memoryview(b"".join(spans))

    def _gather(self, rows: np.ndarray) -> memoryview:
        firsts = np.asarray(self._firsts, dtype=np.int64)
        which = np.searchsorted(firsts, rows, side="right") - 1
        if which[0] == which[-1] and not np.any(which != which[0]):
            segment = self._segments[int(which[0])]
            taken = segment.array.take(rows - segment.first)
        else:  # positions in the segments' arrays laid end to end (without the gaps)
            counts = np.asarray([len(s.offsets) - 1 for s in self._segments], dtype=np.int64)
            bases = np.concatenate(([0], np.cumsum(counts)[:-1]))
            chunked = pa.chunked_array([s.array for s in self._segments], pa.large_binary())
            taken = chunked.take(rows - firsts[which] + bases[which]).combine_chunks()
        return _values(taken)


def _values(array: pa.LargeBinaryArray) -> memoryview:
    """The bytes of all values of a binary array, back to back."""
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[_OFFSETS], dtype=np.int64)
    start, stop = int(offsets[array.offset]), int(offsets[array.offset + len(array)])
    return memoryview(buffers[_DATA])[start:stop]


@dataclass
class ColumnsCache:
    """Encoded rows of one column list of one table, by ``__ver``."""

    table: Table
    columns: list[Column]
    encoder: Callable[[Sequence[Any]], bytes]
    #: the row number of each version id, MISSING until encoded
    row_of: np.ndarray = field(default_factory=lambda: np.full(0, MISSING, dtype=np.int64))
    segments: list[Segment] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure_size(self, size: int) -> None:
        if size > len(self.row_of):
            grown = np.full(max(size, int(len(self.row_of) * GROWTH)), MISSING, dtype=np.int64)
            grown[: len(self.row_of)] = self.row_of
            self.row_of = grown

    def add(self, versions: np.ndarray, encoded: Sequence[bytes]) -> None:
        """A new segment with the rows ``encoded`` of ``versions`` (in that order)."""
        if not len(encoded):
            return
        first = self.segments[-1].stop + SEGMENT_GAP if self.segments else 0
        segment = Segment.build(first, encoded)
        self.segments.append(segment)
        self.ensure_size(int(versions.max()) + 1)
        self.row_of[versions] = np.arange(segment.first, segment.stop, dtype=np.int64)

    def clear(self) -> None:
        """Forget every row (before a full read encodes them all again)."""
        self.row_of = np.full(len(self.row_of), MISSING, dtype=np.int64)
        self.segments = []

    def filled(self) -> int:
        return int(np.count_nonzero(self.row_of != MISSING))


class RowCache:
    """All tables' caches; thread-safe (fills of one column list are serialised)."""

    def __init__(self, version_count: Callable[[int], int] | None = None) -> None:
        self._caches: dict[tuple[int, tuple[str, ...]], ColumnsCache] = {}
        self._lock = threading.Lock()
        #: versions a table has (its next ``__ver``): decides between a keyed and a full read
        self._version_count = version_count or (lambda object_id: 0)

    def invalidate(self, object_id: int) -> None:
        with self._lock:
            for key in [k for k in self._caches if k[0] == object_id]:
                del self._caches[key]

    def cache_for(self, table: Table, columns: list[Column]) -> ColumnsCache:
        key = (table.object_id, tuple(c.name for c in columns))
        with self._lock:
            cache = self._caches.get(key)
            if cache is None or cache.table is not table:
                infos = [c.info() for c in columns]
                cache = ColumnsCache(table, list(columns), make_row_encoder(infos))
                self._caches[key] = cache
            return cache

    def rows_for(self, cursor: Any, plan: FastPlan, versions: np.ndarray) -> EncodedRows:
        """The encoded rows of ``versions`` (in that order), filling what is missing."""
        cache = self.cache_for(plan.table, plan.columns)
        versions = np.asarray(versions, dtype=np.int64)
        with cache.lock:
            if not len(versions):
                return EncodedRows(cache.segments, np.zeros(0, dtype=np.int64))
            cache.ensure_size(int(versions.max()) + 1)
            rows = cache.row_of[versions]
            missing = rows == MISSING
            if missing.any():
                total = self._version_count(plan.table.object_id)
                fill(cursor, cache, np.unique(versions[missing]), total)
                rows = cache.row_of[versions]
                if np.any(rows == MISSING):  # purged since the query listed it
                    raise snapshot_too_old()
            return EncodedRows(cache.segments, rows)

    def warm(self, cursor: Any, table: Table, columns: list[Column]) -> int:
        """Encode every stored version of ``columns``; returns the rows encoded."""
        cache = self.cache_for(table, columns)
        with cache.lock:
            return fill(cursor, cache, None)

    def size(self, table: Table) -> int:
        with self._lock:
            caches = [c for k, c in self._caches.items() if k[0] == table.object_id]
        return sum(c.filled() for c in caches)


def _select_sql(cache: ColumnsCache) -> tuple[str, list[OutputColumn]]:
    items = [VER]
    outputs = []
    for column in cache.columns:
        kind = read_kind(column.type)
        items.append(read_sql(kind, quote_ident(column.name)) if kind else quote_ident(column.name))
        outputs.append(OutputColumn(column.name, column.info(), kind))
    return f"SELECT {', '.join(items)} FROM {cache.table.storage}", outputs


def fill(cursor: Any, cache: ColumnsCache, missing: np.ndarray | None, total: int = 0) -> int:
    """Encode the rows of ``missing`` versions (all versions when None) into the cache;
    reads the whole table when most of its ``total`` versions are missing anyway, and then
    replaces what the cache held (so that no version's row is kept twice)."""
    sql, outputs = _select_sql(cache)
    registered = False
    if missing is not None and len(missing) <= LITERAL_LIST_MAX:
        # integers only, so pasting them is safe; lets DuckDB prune row groups by min/max
        sql += f" WHERE {VER} IN ({', '.join(str(int(v)) for v in missing)})"
    elif missing is not None and len(missing) < FULL_READ_SHARE * max(total, len(cache.row_of), 1):
        cursor.register(MISSING_RELATION, pa.table({"v": missing}))
        registered = True
        sql += f" WHERE {VER} IN (SELECT v FROM {MISSING_RELATION})"
    else:
        cache.clear()
    try:
        result = cursor.execute(sql)
        _, converters = describe([OutputColumn(VER, None), *outputs], result.description or [])
        return _encode_batches(result, cache, converters)
    finally:
        if registered:
            cursor.unregister(MISSING_RELATION)


def _encode_batches(result: Any, cache: ColumnsCache, converters: list[Any]) -> int:
    """One segment per DuckDB batch, its rows in the order DuckDB returned them."""
    encoder = cache.encoder
    active = [(i, c) for i, c in enumerate(converters) if c is not None and i > 0]
    count = 0
    while True:
        rows = result.fetchmany(FILL_BATCH)
        if not rows:
            return count
        versions = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        encoded = []
        for row in rows:
            values = list(row)
            for index, convert in active:
                values[index] = convert(values[index])
            encoded.append(encoder(values[1:]))
        cache.add(versions, encoded)
        count += len(rows)
