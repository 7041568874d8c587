"""Fetch blocks of the row cache: byte-identical to the rows one by one, whatever the order
of the versions, across segments, and after the table changed."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest

from oracle_emulator.api import QueryResult
from oracle_emulator.codecs import encode_value
from oracle_emulator.demo_data import bench_rows_sql
from oracle_emulator.sql import rowcache
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.rowcache import (
    MAX_JOINED_RUNS,
    SEGMENT_GAP,
    EncodedRows,
    Segment,
)
from oracle_emulator.sql.session import EmulatorSession
from tests.unit.sql.test_rowcache import BENCH_DDL

ROWS = 2_000
MARK = QueryResult.ROW_MARK
FULL_SCAN = "SELECT * FROM bench_rows"


# --- EncodedRows over hand-made segments -----------------------------------------------------


def make_segments(sizes: list[int], seed: int = 3) -> tuple[list[Segment], list[bytes]]:
    """Segments of random rows (1 to 40 bytes each); returns them and all rows by number."""
    rng = random.Random(seed)
    segments: list[Segment] = []
    by_number: list[bytes] = []
    for size in sizes:
        first = len(by_number)
        rows = [rng.randbytes(rng.randint(1, 40)) for _ in range(size)]
        segments.append(Segment.build(first, rows))
        by_number += rows + [b""] * SEGMENT_GAP  # the unused numbers between segments
    return segments, by_number


def expected_block(by_number: list[bytes], numbers: np.ndarray) -> bytes:
    return b"".join(MARK + by_number[n] for n in numbers.tolist())


@pytest.mark.parametrize(
    "pattern",
    ["one run", "few runs", "reversed", "random", "across segments", "random across segments"],
)
def test_blocks_equal_rows_joined(pattern: str) -> None:
    segments, by_number = make_segments([300, 1, 250, 120])
    valid = np.asarray([n for s in segments for n in range(s.first, s.stop)], dtype=np.int64)
    first = segments[0]
    numbers = {
        "one run": np.arange(first.first + 10, first.stop - 5),
        "few runs": np.concatenate([np.arange(0, 40), np.arange(60, 90), np.arange(5, 8)]),
        "reversed": np.arange(first.first, first.stop)[::-1].copy(),
        "random": np.random.default_rng(1).permutation(np.arange(first.first, first.stop)),
        "across segments": valid.copy(),
        "random across segments": np.random.default_rng(2).permutation(valid),
    }[pattern].astype(np.int64)
    rows = EncodedRows(segments, numbers)
    for size in (1, 7, 64, len(numbers)):
        blocks = [bytes(rows.block(start, start + size)) for start in range(0, len(rows), size)]
        assert b"".join(blocks) == expected_block(by_number, numbers)
    assert list(rows) == [by_number[n] for n in numbers.tolist()]
    assert rows[3:5] == [by_number[n] for n in numbers[3:5].tolist()]


def test_many_runs_searched_as_an_array(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rowcache, "RUN_STARTS_AS_LIST", 0)
    segments, by_number = make_segments([400, 400])
    pairs = np.arange(0, 400, 2, dtype=np.int64)
    numbers = np.concatenate([pairs, pairs + 1])  # runs of 1 row, then runs across blocks
    numbers = np.concatenate([np.sort(numbers)[::-1], np.arange(401, 801)])
    rows = EncodedRows(segments, numbers)
    for size in (3, 50, 1000):
        blocks = [bytes(rows.block(start, start + size)) for start in range(0, len(rows), size)]
        assert b"".join(blocks) == expected_block(by_number, numbers)


def test_a_run_of_adjacent_rows_is_served_without_a_copy() -> None:
    segments, by_number = make_segments([500])
    rows = EncodedRows(segments, np.arange(0, 500, dtype=np.int64))
    block = rows.block(100, 200)
    assert block.obj is segments[0].data.obj  # a view of the segment itself
    assert bytes(block) == expected_block(by_number, np.arange(100, 200))


def test_scattered_rows_take_the_gather_path_and_stay_exact() -> None:
    segments, by_number = make_segments([200, 200])
    numbers = np.arange(0, 400, 2, dtype=np.int64)  # every other row: one run per row
    numbers = numbers[numbers != segments[0].stop]  # that number is the gap
    assert len(numbers) > MAX_JOINED_RUNS
    rows = EncodedRows(segments, numbers)
    assert bytes(rows.block(0, len(rows))) == expected_block(by_number, numbers)


# --- through the engine ----------------------------------------------------------------------


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    session = db.open_session("DEMO")
    session.execute(BENCH_DDL)
    db.bulk_insert("DEMO", "BENCH_ROWS", bench_rows_sql(ROWS, 11))
    yield session
    db.close()


def block_bytes(
    session: EmulatorSession, sql: str, binds: list[object] | None = None, size: int = 333
) -> bytes:
    """The rows of a fast-path query as fetch blocks of ``size`` rows, joined."""
    result = session.execute(sql, binds or []).query
    assert result is not None and result.row_block is not None, "expected the block path"
    parts = []
    while True:
        count, block = result.fetch_block(size)
        if not count:
            return b"".join(parts)
        parts.append(bytes(block))


def slow_bytes(session: EmulatorSession, sql: str, binds: list[object] | None = None) -> bytes:
    """The same rows from the slow path (DuckDB values), encoded one by one."""
    session.db.fast_path_enabled = False
    try:
        result = session.execute(sql, binds or []).query
    finally:
        session.db.fast_path_enabled = True
    assert result is not None and result.rows is not None
    return b"".join(
        MARK + b"".join(encode_value(c, v) for c, v in zip(result.columns, row, strict=True))
        for row in result.rows
    )


@pytest.mark.parametrize(
    "sql",
    [
        FULL_SCAN,
        "SELECT * FROM bench_rows ORDER BY id DESC",
        "SELECT name, id, note FROM bench_rows WHERE MOD(id, 3) = 1",
        "SELECT id, updated FROM bench_rows WHERE note IS NULL ORDER BY name",
    ],
)
def test_block_path_equals_row_path_after_warm(session: EmulatorSession, sql: str) -> None:
    session.db.warm("DEMO.BENCH_ROWS")
    result = session.execute(sql).query
    assert result is not None and result.encoded_rows is not None
    one_by_one = b"".join(MARK + row for row in result.encoded_rows)
    assert block_bytes(session, sql) == one_by_one == slow_bytes(session, sql)


def test_full_scan_after_update_delete_insert_and_commit(session: EmulatorSession) -> None:
    session.db.warm("DEMO.BENCH_ROWS")
    session.execute("UPDATE bench_rows SET name = 'changed' WHERE MOD(id, 100) = 0")
    session.execute("DELETE FROM bench_rows WHERE id BETWEEN 501 AND 520")
    session.execute(
        "INSERT INTO bench_rows (id, name, flag) VALUES (:1, :2, :3)", [ROWS + 1, "new", 1]
    )
    session.commit()
    other = session.db.open_session("DEMO")
    fetched = block_bytes(other, FULL_SCAN)
    assert fetched == slow_bytes(other, FULL_SCAN)
    assert fetched.count(b"changed") == ROWS // 100
    result = other.execute("SELECT COUNT(*) FROM bench_rows").query
    assert result is not None and result.rows == [(ROWS - 20 + 1,)]


def test_uncommitted_versions_never_reach_another_session(session: EmulatorSession) -> None:
    session.db.warm("DEMO.BENCH_ROWS")
    other = session.db.open_session("DEMO")
    before = block_bytes(other, FULL_SCAN)
    session.execute("UPDATE bench_rows SET note = 'secret' WHERE id > :1", [ROWS // 2])
    session.execute("INSERT INTO bench_rows (id, note) VALUES (:1, 'secret')", [ROWS + 5])
    assert b"secret" in block_bytes(session, FULL_SCAN)  # its own changes, cached now
    assert block_bytes(other, FULL_SCAN) == before == slow_bytes(other, FULL_SCAN)
    session.rollback()
    assert block_bytes(session, FULL_SCAN) == before


def test_as_of_scn_through_blocks(session: EmulatorSession) -> None:
    session.db.warm("DEMO.BENCH_ROWS")
    before = session.db.current_scn
    session.execute("UPDATE bench_rows SET qty = 0 WHERE id <= 100")
    session.execute("DELETE FROM bench_rows WHERE id > 1900")
    session.commit()
    sql = "SELECT * FROM bench_rows AS OF SCN :1"
    old = block_bytes(session, sql, [before])
    assert old == slow_bytes(session, sql, [before])
    assert old == block_bytes(session.db.open_session("DEMO"), sql, [before])
    assert len(block_bytes(session, FULL_SCAN)) < len(old)


def test_full_reads_replace_segments_instead_of_adding_copies(session: EmulatorSession) -> None:
    table = session.db.catalogue.tables[("DEMO", "BENCH_ROWS")]
    assert session.db.warm("DEMO.BENCH_ROWS") == ROWS
    assert session.db.warm("DEMO.BENCH_ROWS") == ROWS
    caches = list(session.db.row_cache._caches.values())
    assert len(caches) == 1
    assert sum(len(s.offsets) - 1 for s in caches[0].segments) == ROWS
    assert session.db.row_cache.size(table) == ROWS
