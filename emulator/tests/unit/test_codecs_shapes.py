"""Column lists and row data shared by the codec tests (the benchmark row shape), and
checks that the samples cover what they claim to."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from oracle_emulator.api import ColumnInfo, IntervalYM, NanoDateTime
from oracle_emulator.api import OracleType as T
from oracle_emulator.codecs import rowid_text

BENCHMARK_COLUMNS = [
    ColumnInfo("ID", T.NUMBER, precision=12, scale=0),
    ColumnInfo("AMOUNT", T.NUMBER, precision=12, scale=2),
    ColumnInfo("QTY", T.NUMBER, precision=6, scale=0),
    ColumnInfo("PRICE", T.BINARY_DOUBLE),
    ColumnInfo("NAME", T.VARCHAR2, size=40),
    ColumnInfo("DESCRIPTION", T.VARCHAR2, size=200),
    ColumnInfo("STATUS", T.CHAR, size=1),
    ColumnInfo("CREATED", T.DATE),
    ColumnInfo("UPDATED", T.TIMESTAMP, scale=6),
    ColumnInfo("NOTE", T.VARCHAR2, size=100),
    ColumnInfo("CODE", T.VARCHAR2, size=10),
    ColumnInfo("FLAG", T.NUMBER, precision=1, scale=0),
]

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
]


def benchmark_rows(count: int, seed: int = 1) -> list[tuple[Any, ...]]:
    """Rows of the benchmark shape: unique ids and timestamps, repeating codes and flags,
    NOTE NULL every other row."""
    rng = random.Random(seed)
    base = dt.datetime(2020, 1, 1)
    codes = [f"C{i:03d}" for i in range(100)]
    rows = []
    for i in range(1, count + 1):
        rows.append(
            (
                i,
                Decimal(f"{rng.randrange(-(10**9), 10**10)}E-2"),
                rng.randrange(1, 1000),
                rng.random() * 1000,
                f"Customer {i:011d}",
                " ".join(rng.choice(_WORDS) for _ in range(14))[:80],
                rng.choice("ACPX"),
                base + dt.timedelta(seconds=rng.randrange(5 * 365 * 86400)),
                base + dt.timedelta(microseconds=rng.randrange(5 * 365 * 86400 * 10**6)),
                None if i % 2 else f"note {rng.randrange(10**6)} for row {i}",
                rng.choice(codes),
                rng.randrange(2),
            )
        )
    return rows


#: every non-LOB type, with sample values (None included) for each
ALL_TYPE_SAMPLES: list[tuple[ColumnInfo, list[Any]]] = [
    (
        ColumnInfo("N", T.NUMBER),
        [None, 0, 1, -1, 10**37, Decimal("1234.5"), Decimal("-0.001"), 2.5, True],
    ),
    (ColumnInfo("V", T.VARCHAR2, size=4000), [None, "", "a", "Zürich", "x" * 300, "é" * 1000]),
    (ColumnInfo("NV", T.NVARCHAR2, size=2000), [None, "a", "東京", "😀" * 100]),
    (ColumnInfo("C", T.CHAR, size=3), [None, "Y  ", "ab "]),
    (ColumnInfo("NC", T.NCHAR, size=3), [None, "Y  ", "ü  "]),
    (ColumnInfo("L", T.LONG), [None, "long text", "z" * 70_000]),
    (
        ColumnInfo("R", T.RAW, size=2000),
        [None, b"\x00\x01", bytes(range(256)) * 3, bytearray(b"x")],
    ),
    (ColumnInfo("LR", T.LONG_RAW), [None, b"\xff" * 40_000]),
    (
        ColumnInfo("D", T.DATE),
        [None, dt.datetime(2021, 3, 4, 5, 6, 7), dt.date(1999, 12, 31), dt.datetime(1, 1, 1)],
    ),
    (
        ColumnInfo("TS", T.TIMESTAMP, scale=9),
        [
            None,
            dt.datetime(2021, 3, 4, 5, 6, 7, 123456),
            dt.datetime(2021, 3, 4),
            NanoDateTime(dt.datetime(2021, 3, 4, 0, 0, 0, 1), 1001),
        ],
    ),
    (ColumnInfo("TZ", T.TIMESTAMP_TZ, scale=6), [None, dt.datetime(2021, 3, 4, 5, 6, 7, 8)]),
    (ColumnInfo("LTZ", T.TIMESTAMP_LTZ, scale=6), [None, dt.datetime(2021, 3, 4, 5, 6, 7, 8)]),
    (ColumnInfo("BD", T.BINARY_DOUBLE), [None, 0.0, -0.0, 1.5, -2.25, float("inf"), float("nan")]),
    (ColumnInfo("BF", T.BINARY_FLOAT), [None, 0.0, 1.5, -2.25, float("-inf"), 1e39 / 1e10]),
    (
        ColumnInfo("IDS", T.INTERVAL_DS, precision=2, scale=6),
        [None, dt.timedelta(days=-3, seconds=5), (1, 2, 3)],
    ),
    (ColumnInfo("IYM", T.INTERVAL_YM, precision=2), [None, IntervalYM(2, 3), IntervalYM(-1, -1)]),
    (ColumnInfo("RID", T.ROWID), [None, rowid_text(73196, 4, 151, 0)]),
    (ColumnInfo("URID", T.UROWID), [None, rowid_text(1, 2, 3, 4)]),
]


def test_benchmark_rows_fit_their_columns() -> None:
    rows = benchmark_rows(200)
    assert len({row[0] for row in rows}) == 200
    for row in rows:
        assert len(row) == len(BENCHMARK_COLUMNS)
        for column, value in zip(BENCHMARK_COLUMNS, row, strict=True):
            if isinstance(value, str):
                assert len(value) <= column.size, column.name
    assert sum(row[9] is None for row in rows) == 100


def test_samples_cover_every_non_lob_type() -> None:
    covered = {column.type for column, _ in ALL_TYPE_SAMPLES}
    assert covered == {kind for kind in T if not kind.is_locator}
    assert all(None in values for _, values in ALL_TYPE_SAMPLES)
