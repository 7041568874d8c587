"""``make_row_encoder``: the same bytes as column-wise ``encode_value``, memo tables or not."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from oracle_emulator.api import ColumnInfo
from oracle_emulator.api import OracleType as T
from oracle_emulator.codecs import column_encoder, encode_value, make_row_encoder
from oracle_emulator.codecs import rows as rows_module
from tests.unit.test_codecs_shapes import (
    ALL_TYPE_SAMPLES,
    BENCHMARK_COLUMNS,
    benchmark_rows,
)


def _column_wise(columns: list[ColumnInfo], row: tuple[object, ...]) -> bytes:
    return b"".join(encode_value(c, v) for c, v in zip(columns, row, strict=True))


def test_benchmark_shape_matches_encode_value() -> None:
    encode_row = make_row_encoder(BENCHMARK_COLUMNS)
    rows = benchmark_rows(3000)
    for row in rows + rows[:500]:  # the second pass is served from the memo tables
        assert encode_row(row) == _column_wise(BENCHMARK_COLUMNS, row)


def test_every_type_matches_encode_value() -> None:
    columns = [column for column, _ in ALL_TYPE_SAMPLES]
    encode_row = make_row_encoder(columns)
    rng = random.Random(4)
    for _ in range(300):
        row = tuple(rng.choice(values) for _, values in ALL_TYPE_SAMPLES)
        assert encode_row(row) == _column_wise(columns, row)


def test_column_encoders_match_encode_value() -> None:
    for column, values in ALL_TYPE_SAMPLES:
        encode = column_encoder(column)
        for value in values * 2:
            assert encode(value) == encode_value(column, value), (column.name, value)


def test_numerically_equal_values_share_encodings_but_floats_are_not_memoised() -> None:
    column = ColumnInfo("N", T.NUMBER)  # no precision: memoised
    encode_row = make_row_encoder([column])
    assert encode_row((1,)) == encode_row((Decimal("1.00"),)) == encode_row((True,))
    assert encode_row((1.0,)) == encode_value(column, 1)
    exact = Decimal.from_float(0.1)  # 0.1000000000000000055511151231257827..., equal to 0.1
    assert encode_row((0.1,)) == encode_value(column, 0.1)
    # the float, encoded as "0.1", was not remembered: the exact value gets its own bytes
    assert encode_row((exact,)) == encode_value(column, exact)
    assert encode_value(column, exact) != encode_value(column, 0.1)


def test_memo_limit_only_bounds_what_is_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "MEMO_LIMIT", 5)
    columns = [ColumnInfo("C", T.VARCHAR2, size=5), ColumnInfo("D", T.DATE)]
    encode_row = make_row_encoder(columns)
    start = dt.datetime(2024, 1, 1)
    for i in range(50):
        row = (f"c{i % 20}", start + dt.timedelta(days=i % 17))
        assert encode_row(row) == _column_wise(columns, row)


def test_null_by_describe_and_nulls() -> None:
    columns = [ColumnInfo("NULL", T.VARCHAR2, size=0), ColumnInfo("L", T.LONG)]
    encode_row = make_row_encoder(columns)
    assert encode_row((None, None)) == b"\x00\x00\x00"
    with pytest.raises(ValueError):
        encode_row(("x", None))


def test_wrong_width_rows_are_refused() -> None:
    encode_row = make_row_encoder(BENCHMARK_COLUMNS[:3])
    with pytest.raises(ValueError):
        encode_row((1, 2))
    with pytest.raises(ValueError):
        encode_row((1, 2, 3, 4))
    single = make_row_encoder([ColumnInfo("N", T.NUMBER)])
    assert single((7,)) == b"\x02\xc1\x08"
    with pytest.raises(ValueError):
        single(())


def test_no_columns() -> None:
    encode_row = make_row_encoder([])
    assert encode_row(()) == b""
    with pytest.raises(ValueError):
        encode_row((1,))


def test_lob_columns_are_refused_up_front() -> None:
    with pytest.raises(ValueError, match="LOB"):
        make_row_encoder([ColumnInfo("N", T.NUMBER), ColumnInfo("C", T.CLOB)])


def test_encoders_are_independent() -> None:
    column = ColumnInfo("S", T.CHAR, size=1)
    first, second = make_row_encoder([column]), make_row_encoder([column])
    assert first(("A",)) == second(("A",)) == b"\x01A"
    assert first((None,)) == b"\x00"
