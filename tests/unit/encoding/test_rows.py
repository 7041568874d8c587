"""JSON Lines as written: values as the driver delivers them once the plan set it up."""

from __future__ import annotations

import datetime as dt
import json

import msgspec
import pytest

from airflow_oracle_etl.encoding import EncodingError, plan_columns
from airflow_oracle_etl.encoding.converters import float_or_name, interval_ym_to_iso
from airflow_oracle_etl.encoding.rows import RowEncoder, row_type
from airflow_oracle_etl.metadata import OracleColumn


def encode(names: list[str], rows: list[tuple], *, omit_nulls: bool = False) -> bytes:
    struct = row_type(names, omit_nulls=omit_nulls)
    return RowEncoder(names, struct, omit_nulls=omit_nulls).encode(rows)


def test_one_object_per_row_newline_terminated_in_column_order() -> None:
    data = encode(["B", "A", "C"], [(1, "x", None), (2, "y", 3)])
    assert data == b'{"B":1,"A":"x","C":null}\n{"B":2,"A":"y","C":3}\n'


def test_no_rows_no_bytes() -> None:
    assert encode(["A"], []) == b""


def test_decimal_text_is_written_as_given() -> None:
    # the driver's text of NUMBER: never reformatted, never through float
    values = ["-50000.0001", "12345678901234567890123456789012345678", "0.5", "-0.5", "-1e126"]
    data = encode(["N"], [(v,) for v in values])
    assert data.decode().splitlines() == [f'{{"N":"{v}"}}' for v in values]


def test_big_integers_stay_integers() -> None:
    assert encode(["I"], [(999999999999999999,)]) == b'{"I":999999999999999999}\n'


def test_floats_and_their_names() -> None:
    values = [float_or_name(v) for v in (3.141592653589793, float("nan"), float("inf"), -1e300)]
    lines = encode(["F"], [(v,) for v in values]).decode().splitlines()
    assert lines == [
        '{"F":3.141592653589793}',
        '{"F":"NaN"}',
        '{"F":"Infinity"}',
        '{"F":-1e300}',
    ]


def test_bytes_are_base64() -> None:
    data = encode(["R", "E"], [(b"\x00\xff\x10", b"")])
    assert data == b'{"R":"AP8Q","E":""}\n'


def test_datetimes_without_zone() -> None:
    rows = [
        (dt.datetime(2024, 2, 29, 23, 59, 59, 123456),),
        (dt.datetime(1, 1, 1),),
        (dt.datetime(2024, 2, 29, 22, 59, 59, 500000),),
    ]
    assert encode(["D"], rows).decode().splitlines() == [
        '{"D":"2024-02-29T23:59:59.123456"}',
        '{"D":"0001-01-01T00:00:00"}',
        '{"D":"2024-02-29T22:59:59.500000"}',
    ]


def test_multi_byte_text_is_utf8_unescaped() -> None:
    text = "Grüße, 東京 𝄞 ✓"
    data = encode(["T"], [(text,)])
    assert data == f'{{"T":"{text}"}}\n'.encode()
    assert json.loads(data)["T"] == text


def test_control_characters_and_quotes_are_escaped_one_line_per_row() -> None:
    text = 'line1\nline2\t"quoted" \\ \x00 \u2028'
    data = encode(["T"], [(text,), ("next",)])
    lines = data.split(b"\n")
    assert len(lines) == 3 and lines[2] == b""
    assert json.loads(lines[0])["T"] == text


@pytest.mark.parametrize("name", ["Mixed Case", "ünïcödé 東京", "a'b", "lower", "$#_", "x.y"])
def test_keys_are_the_oracle_names_exactly(name: str) -> None:
    assert row_type([name, "Z"]) is not None
    data = encode([name, "Z"], [(1, 2)])
    assert list(json.loads(data)) == [name, "Z"]


@pytest.mark.parametrize("name", ['with "quotes"', "back\\slash", "tab\there", "nl\nx"])
@pytest.mark.parametrize("omit_nulls", [False, True])
def test_keys_json_must_escape_go_through_dicts(name: str, omit_nulls: bool) -> None:
    assert row_type([name, "Z"]) is None
    data = encode(["A", name, "Z"], [(1, None, "v")], omit_nulls=omit_nulls)
    expected = {"A": 1, "Z": "v"} if omit_nulls else {"A": 1, name: None, "Z": "v"}
    assert json.loads(data) == expected
    assert list(json.loads(data)) == list(expected)
    assert data.endswith(b"\n") and data.count(b"\n") == 1


def test_omit_nulls_leaves_null_columns_out() -> None:
    data = encode(
        ["A", "B", "C"], [(1, None, 3), (None, None, None), (0, "", False)], omit_nulls=True
    )
    assert data.decode().splitlines() == ['{"A":1,"C":3}', "{}", '{"A":0,"B":"","C":false}']


def test_structs_and_tuples_encode_alike() -> None:
    row = row_type(["A", "B"])
    encoder = RowEncoder(["A", "B"], row)
    assert encoder.encode([row(1, "x")]) == encoder.encode([(1, "x")]) == b'{"A":1,"B":"x"}\n'


def test_row_type_is_not_tracked_by_the_garbage_collector() -> None:
    import gc

    row = row_type(["A"])(1)
    assert not gc.is_tracked(row)


def test_a_value_the_plan_should_have_converted_is_a_clear_error() -> None:
    with pytest.raises(EncodingError, match="outputtypehandler"):
        encode(["L"], [(object(),)])


def test_plan_encoder_writes_every_kind() -> None:
    columns = [
        OracleColumn(name="ID", data_type="NUMBER", precision=6, scale=0, nullable=False),
        OracleColumn(name="AMOUNT", data_type="NUMBER", precision=12, scale=2),
        OracleColumn(name="PRICE", data_type="BINARY_DOUBLE"),
        OracleColumn(name="NAME", data_type="NVARCHAR2"),
        OracleColumn(name="AT", data_type="TIMESTAMP(6) WITH TIME ZONE", scale=6),
        OracleColumn(name="AGE", data_type="INTERVAL YEAR(2) TO MONTH", precision=2),
        OracleColumn(name="DOC", data_type="BLOB"),
    ]
    plan = plan_columns(columns)
    from oracledb import IntervalYM

    # what the driver hands over once the plan's SQL, fetch types and converters applied
    row = plan.rowfactory(
        7,
        "-50000",
        float_or_name(float("-inf")),
        "ñ",
        "2024-02-29T22:59:59.500000Z",
        interval_ym_to_iso(IntervalYM(0, -11)),
        b"\xde\xad\xbe\xef",
    )
    assert json.loads(plan.encoder().encode([row])) == {
        "ID": 7,
        "AMOUNT": "-50000",
        "PRICE": "-Infinity",
        "NAME": "ñ",
        "AT": "2024-02-29T22:59:59.500000Z",
        "AGE": "-P0Y11M",
        "DOC": "3q2+7w==",
    }
    assert isinstance(row, msgspec.Struct)
