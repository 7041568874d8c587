"""One column value in ROW_DATA (``encode_value``), read back the way the driver reads it."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from oracle_emulator.api import ColumnInfo, IntervalYM, NanoDateTime
from oracle_emulator.api import OracleType as T
from oracle_emulator.codecs import (
    NULL_VALUE,
    decode_binary_double,
    decode_binary_float,
    decode_datetime,
    decode_interval_ds,
    decode_interval_ym,
    decode_number,
    encode_value,
    is_null_by_describe,
    with_length,
)
from oracle_emulator.codecs.framing import read_length_prefixed
from oracle_emulator.codecs.rowid import parse_rowid_text
from tests.unit.test_codecs_shapes import (
    ALL_TYPE_SAMPLES,
    BENCHMARK_COLUMNS,
    benchmark_rows,
)

_SIMPLE_DECODERS = {
    T.NUMBER: decode_number,
    T.VARCHAR2: lambda data: data.decode(),
    T.CHAR: lambda data: data.decode(),
    T.NVARCHAR2: lambda data: data.decode("utf-16-be"),
    T.NCHAR: lambda data: data.decode("utf-16-be"),
    T.RAW: bytes,
    T.DATE: decode_datetime,
    T.TIMESTAMP: decode_datetime,
    T.TIMESTAMP_LTZ: decode_datetime,
    T.TIMESTAMP_TZ: decode_datetime,
    T.BINARY_DOUBLE: decode_binary_double,
    T.BINARY_FLOAT: decode_binary_float,
    T.INTERVAL_DS: decode_interval_ds,
    T.INTERVAL_YM: decode_interval_ym,
}


def read_column(column: ColumnInfo, data: bytes, pos: int) -> tuple[Any, int]:
    """Read one column value at ``pos`` the way ``_process_column_data`` does in a fetch."""
    kind = column.type
    if is_null_by_describe(column):
        return None, pos
    if kind is T.ROWID:
        if data[pos] == 0:
            return None, pos + 1
        end = pos + 1 + data[pos]
        return data[pos:end], end  # checked in detail by test_codecs_rowid
    if kind is T.UROWID:
        first, pos = read_length_prefixed(data, pos)
        if first is None:
            return None, pos
        return read_length_prefixed(data, pos)
    raw, pos = read_length_prefixed(data, pos)
    if kind in (T.LONG, T.LONG_RAW):
        assert data[pos : pos + 2] == b"\x00\x00"  # null indicator, return code
        pos += 2
        if raw is None:
            return None, pos
        return (raw.decode() if kind is T.LONG else raw), pos
    if raw is None:
        return None, pos
    return _SIMPLE_DECODERS[kind](raw), pos


def _same(decoded: Any, value: Any, column: ColumnInfo) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return math.isnan(decoded)
    if column.type is T.BINARY_FLOAT and isinstance(value, float):
        return decoded == value or math.isclose(decoded, value, rel_tol=1e-7)
    if column.type is T.DATE and isinstance(value, dt.datetime):
        return decoded == value.replace(microsecond=0)
    if column.type is T.DATE and isinstance(value, dt.date):
        return decoded == dt.datetime(value.year, value.month, value.day)
    whole_micro = isinstance(value, NanoDateTime) and value.nanosecond % 1000 == 0
    if column.type in (T.TIMESTAMP, T.TIMESTAMP_TZ, T.TIMESTAMP_LTZ) and whole_micro:
        return decoded == value.value
    if column.type is T.INTERVAL_DS and isinstance(value, tuple):
        days, seconds, nanos = value
        return decoded == dt.timedelta(days, seconds, nanos // 1000) or decoded == value
    if isinstance(value, bytearray):
        return decoded == bytes(value)
    if value == "":
        return decoded is None  # Oracle: the empty string is NULL
    return decoded == value


@pytest.mark.parametrize(
    ("column", "values"), ALL_TYPE_SAMPLES, ids=lambda x: getattr(x, "name", "")
)
def test_every_type_reads_back(column: ColumnInfo, values: list[Any]) -> None:
    for value in values:
        encoded = encode_value(column, value)
        decoded, end = read_column(column, encoded, 0)
        assert end == len(encoded), (column.name, value)
        if column.type in (T.ROWID, T.UROWID):
            assert (decoded is None) == (value is None)
        elif value is None:
            assert decoded is None
        else:
            assert _same(decoded, value, column), (column.name, value, decoded)


def test_plain_values_are_length_prefixed() -> None:
    assert encode_value(ColumnInfo("N", T.NUMBER), 1) == b"\x02\xc1\x02"
    assert encode_value(ColumnInfo("V", T.VARCHAR2, size=10), "abc") == b"\x03abc"
    assert encode_value(ColumnInfo("V", T.NVARCHAR2, size=10), "ab") == b"\x04\x00a\x00b"
    assert encode_value(ColumnInfo("V", T.VARCHAR2, size=10), "") == NULL_VALUE
    assert encode_value(ColumnInfo("V", T.VARCHAR2, size=10), None) == NULL_VALUE
    long_text = "é" * 16_384  # 32,768 bytes: two chunks
    framed = encode_value(ColumnInfo("V", T.VARCHAR2, size=32767), long_text)
    assert framed == with_length(long_text.encode())
    assert framed[:4] == b"\xfe\x02\x7f\xff"


def test_long_values_carry_indicator_and_return_code() -> None:
    column = ColumnInfo("L", T.LONG)
    assert encode_value(column, None) == b"\x00\x00\x00"
    assert encode_value(column, "ab") == b"\x02ab\x00\x00"
    assert encode_value(ColumnInfo("LR", T.LONG_RAW), b"\x01") == b"\x01\x01\x00\x00"


def test_timestamps_drop_zero_fractions_and_time_zones_keep_theirs() -> None:
    moment = dt.datetime(2021, 3, 4, 5, 6, 7)
    assert len(encode_value(ColumnInfo("T", T.TIMESTAMP), moment)) == 8
    assert len(encode_value(ColumnInfo("T", T.TIMESTAMP_LTZ), moment)) == 8
    assert len(encode_value(ColumnInfo("T", T.TIMESTAMP), moment.replace(microsecond=1))) == 12
    assert encode_value(ColumnInfo("T", T.TIMESTAMP_TZ), moment)[-2:] == b"\x14\x3c"


def test_binary_float_rounds_to_single_precision() -> None:
    encoded = encode_value(ColumnInfo("F", T.BINARY_FLOAT), 0.1)
    assert len(encoded) == 5
    assert decode_binary_float(encoded[1:]) == pytest.approx(0.1, rel=1e-7)
    with pytest.raises(OverflowError):
        encode_value(ColumnInfo("F", T.BINARY_FLOAT), 1e39)


@pytest.mark.parametrize("kind", [T.CLOB, T.NCLOB, T.BLOB])
def test_lobs_are_refused(kind: T) -> None:
    with pytest.raises(ValueError, match="LOB"):
        encode_value(ColumnInfo("X", kind), None)


def test_null_by_describe_columns_send_nothing() -> None:
    null_literal = ColumnInfo("NULL", T.VARCHAR2, size=0)
    assert is_null_by_describe(null_literal)
    assert encode_value(null_literal, None) == b""
    with pytest.raises(ValueError, match="size 0"):
        encode_value(null_literal, "x")
    assert not is_null_by_describe(ColumnInfo("L", T.LONG))
    assert not is_null_by_describe(ColumnInfo("N", T.NUMBER))


def test_wrong_python_types_raise_type_error() -> None:
    with pytest.raises(TypeError):
        encode_value(ColumnInfo("V", T.VARCHAR2, size=10), 5)
    with pytest.raises(TypeError):
        encode_value(ColumnInfo("R", T.RAW, size=10), 5)  # bytes(5) would be 5 zero bytes
    with pytest.raises(TypeError):
        encode_value(ColumnInfo("N", T.NUMBER), object())


def test_benchmark_row_reads_back_column_by_column() -> None:
    for row in benchmark_rows(300):
        data = b"".join(encode_value(c, v) for c, v in zip(BENCHMARK_COLUMNS, row, strict=True))
        pos = 0
        for column, value in zip(BENCHMARK_COLUMNS, row, strict=True):
            decoded, pos = read_column(column, data, pos)
            assert decoded == value or _same(decoded, value, column), (column.name, value)
        assert pos == len(data)


def test_rowid_value_is_checked() -> None:
    with pytest.raises(ValueError):
        encode_value(ColumnInfo("RID", T.ROWID), "not a rowid")
    assert parse_rowid_text("AAAAAAAAAAAAAAAAAB") == (0, 0, 0, 1)


def test_interval_year_to_month_accepts_any_years_months_object() -> None:
    class Lookalike:
        years = 1
        months = 2

    column = ColumnInfo("I", T.INTERVAL_YM)
    assert encode_value(column, Lookalike()) == encode_value(column, IntervalYM(1, 2))
