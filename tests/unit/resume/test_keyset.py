"""The primary-key order of a restartable read and its restart predicate, without a
database: which keys qualify, how a key travels as text and comes back as binds."""

from __future__ import annotations

import datetime as dt
import decimal

import msgspec
import pytest

from airflow_oracle_etl.encoding import plan_columns
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata
from airflow_oracle_etl.resume import KeysetOrder, binary_collation, keyset_order


def _table(*columns: OracleColumn, key: tuple[str, ...]) -> TableMetadata:
    return TableMetadata(owner="DEMO", name="T", columns=columns, primary_key=key)


ID = OracleColumn(name="ID", data_type="NUMBER", precision=10, scale=0, nullable=False)
CODE = OracleColumn(name="CODE", data_type="VARCHAR2", char_length=10, nullable=False)
DAY = OracleColumn(name="DAY", data_type="DATE", nullable=False)
TS = OracleColumn(name="TS", data_type="TIMESTAMP(6)", scale=6, nullable=False)
RAW = OracleColumn(name="R", data_type="RAW", nullable=False)
VALUE = OracleColumn(name="Value", data_type="NUMBER", precision=12, scale=2)


def _order(metadata: TableMetadata, **options) -> KeysetOrder | str:
    plan = plan_columns(metadata.columns, **options)
    fields = getattr(plan.rowfactory, "__struct_fields__", None)
    return keyset_order(metadata, plan.encodings, fields)


def test_a_composite_key_orders_by_its_columns_in_key_order() -> None:
    order = _order(_table(VALUE, DAY, CODE, ID, key=("CODE", "ID")))
    assert isinstance(order, KeysetOrder)
    assert order.order_by == '"CODE", "ID"'
    assert [column.position for column in order.columns] == [2, 3]
    assert order.has_text


def test_the_restart_predicate_compares_every_column_after_equal_leaders() -> None:
    order = _order(_table(CODE, DAY, TS, RAW, ID, key=("CODE", "DAY", "TS", "R", "ID")))
    assert isinstance(order, KeysetOrder)
    key = ["K1", "2024-01-02 12:00:00", "2024-02-01 00:00:00.000001", "00ff10", "42"]
    sql, binds = order.after(key)
    assert sql == (
        '("CODE" > :ck_0)'
        ' OR ("CODE" = :ck_0 AND "DAY" > TO_DATE(:ck_1, \'YYYY-MM-DD HH24:MI:SS\'))'
        ' OR ("CODE" = :ck_0 AND "DAY" = TO_DATE(:ck_1, \'YYYY-MM-DD HH24:MI:SS\')'
        " AND \"TS\" > TO_TIMESTAMP(:ck_2, 'YYYY-MM-DD HH24:MI:SS.FF6'))"
        ' OR ("CODE" = :ck_0 AND "DAY" = TO_DATE(:ck_1, \'YYYY-MM-DD HH24:MI:SS\')'
        " AND \"TS\" = TO_TIMESTAMP(:ck_2, 'YYYY-MM-DD HH24:MI:SS.FF6')"
        ' AND "R" > HEXTORAW(:ck_3))'
        ' OR ("CODE" = :ck_0 AND "DAY" = TO_DATE(:ck_1, \'YYYY-MM-DD HH24:MI:SS\')'
        " AND \"TS\" = TO_TIMESTAMP(:ck_2, 'YYYY-MM-DD HH24:MI:SS.FF6')"
        ' AND "R" = HEXTORAW(:ck_3) AND "ID" > :ck_4)'
    )
    assert binds == {
        "ck_0": "K1",
        "ck_1": "2024-01-02 12:00:00",
        "ck_2": "2024-02-01 00:00:00.000001",
        "ck_3": "00ff10",
        "ck_4": 42,
    }


def test_a_key_of_the_wrong_length_is_refused_naming_the_table() -> None:
    order = _order(_table(CODE, ID, key=("CODE", "ID")))
    assert isinstance(order, KeysetOrder)
    with pytest.raises(ValueError, match=r"DEMO\.T: a checkpoint key has 1 values for 2"):
        order.after(["K1"])


def test_key_values_travel_as_text_and_come_back_as_exact_binds() -> None:
    decimal_key = OracleColumn(name="D", data_type="NUMBER", precision=20, scale=4)
    order = _order(_table(decimal_key, DAY, TS, RAW, key=("D", "DAY", "TS", "R")))
    assert isinstance(order, KeysetOrder)
    values = (
        "12345678901234.5678",  # NUMBER(20,4) comes as the driver's exact text
        dt.datetime(812, 3, 4, 5, 6, 7),  # years below 1000 keep four digits
        dt.datetime(2024, 2, 29, 23, 59, 59, 5),
        b"\x00\xff",
    )
    key = order.key_text(values)
    assert key == [
        "12345678901234.5678",
        "0812-03-04 05:06:07",
        "2024-02-29 23:59:59.000005",
        "00ff",
    ]
    # the checkpoint goes through JSON; the binds must come back exactly
    _, binds = order.after(msgspec.json.decode(msgspec.json.encode(key)))
    assert binds["ck_0"] == decimal.Decimal("12345678901234.5678")
    assert isinstance(binds["ck_0"], decimal.Decimal)


def test_the_key_getter_reads_struct_rows_and_tuple_rows() -> None:
    metadata = _table(VALUE, CODE, ID, key=("ID", "CODE"))
    plan = plan_columns(metadata.columns)
    assert plan.rowfactory is not None
    order = _order(metadata)
    assert isinstance(order, KeysetOrder)
    row = plan.rowfactory("1.50", "K", 7)
    assert order.key_getter()(row) == (7, "K")
    tuple_order = keyset_order(metadata, plan.encodings, None)
    assert isinstance(tuple_order, KeysetOrder)
    assert tuple_order.key_getter()(("1.50", "K", 7)) == (7, "K")
    single_table = _table(ID, CODE, key=("ID",))
    single = _order(single_table)
    assert isinstance(single, KeysetOrder)
    single_row = plan_columns(single_table.columns).rowfactory
    assert single_row is not None
    assert single.key_getter()(single_row(9, "K")) == (9,)


@pytest.mark.parametrize(
    ("columns", "key", "options", "reason"),
    [
        ((CODE,), (), {}, "DEMO.T has no primary key"),
        ((CODE, ID), ("ID",), {"columns": ("CODE",)}, "'ID' of DEMO.T is not among the columns"),
        (
            (OracleColumn(name="C", data_type="CHAR", char_length=3),),
            ("C",),
            {},
            "'C' of DEMO.T is CHAR",
        ),
        (
            (OracleColumn(name="F", data_type="BINARY_DOUBLE"),),
            ("F",),
            {},
            "'F' of DEMO.T is BINARY_DOUBLE",
        ),
        (
            (OracleColumn(name="T9", data_type="TIMESTAMP(9)", scale=9),),
            ("T9",),
            {},
            "read through an expression",
        ),
        (
            (OracleColumn(name="Z", data_type="TIMESTAMP(6) WITH TIME ZONE", scale=6),),
            ("Z",),
            {},
            "read through an expression",
        ),
        ((ID,), ("ID",), {"type_overrides": {"ID": "float"}}, "floating-point"),
        ((CODE,), ("CODE",), {"trim_char": True, "type_overrides": {"CODE": "string"}}, None),
    ],
)
def test_keys_that_cannot_restart_a_read_say_why(
    columns: tuple[OracleColumn, ...], key: tuple[str, ...], options: dict, reason: str | None
) -> None:
    metadata = _table(*columns, key=key)
    chosen = options.pop("columns", None)
    if chosen:
        metadata_columns = tuple(metadata.column(name) for name in chosen)
        plan = plan_columns(metadata_columns, **options)
        order = keyset_order(metadata, plan.encodings, None)
    else:
        order = _order(metadata, **options)
    if reason is None:
        assert isinstance(order, KeysetOrder)  # a VARCHAR2 read as text is still a key
    else:
        assert isinstance(order, str)
        assert reason in order


def test_text_keys_need_binary_sort_and_comparison() -> None:
    assert binary_collation({"NLS_SORT": "BINARY", "NLS_COMP": "BINARY"})
    assert binary_collation({})
    assert not binary_collation({"NLS_SORT": "GERMAN", "NLS_COMP": "BINARY"})
    assert not binary_collation({"NLS_SORT": "BINARY", "NLS_COMP": "LINGUISTIC"})
