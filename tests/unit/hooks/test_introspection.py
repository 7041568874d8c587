from __future__ import annotations

from airflow_oracle_etl.hooks.introspection import column_from_row, table_metadata
from airflow_oracle_etl.metadata import OracleColumn


def test_column_row_becomes_a_record() -> None:
    column = column_from_row(("AMOUNT", "NUMBER", 12, 2, 0, "Y", "in EUR"))
    assert column == OracleColumn(
        name="AMOUNT",
        data_type="NUMBER",
        precision=12,
        scale=2,
        char_length=0,
        nullable=True,
        comment="in EUR",
    )


def test_nulls_in_the_dictionary_stay_none() -> None:
    column = column_from_row(("C", "NUMBER", None, None, None, "N", None))
    assert (column.precision, column.scale, column.char_length) == (None, None, 0)
    assert column.nullable is False


def test_table_record_keeps_column_and_key_order() -> None:
    metadata = table_metadata(
        "DEMO",
        "LINES",
        [
            ("ORDER_ID", "NUMBER", 12, 0, 0, "N", None),
            ("LINE_NO", "NUMBER", 4, 0, 0, "N", None),
        ],
        [("ORDER_ID",), ("LINE_NO",)],
        (30003, "line items"),
    )
    assert [c.name for c in metadata.columns] == ["ORDER_ID", "LINE_NO"]
    assert metadata.primary_key == ("ORDER_ID", "LINE_NO")
    assert (metadata.num_rows, metadata.comment) == (30003, "line items")


def test_missing_table_row_means_unknown_size() -> None:
    metadata = table_metadata("DEMO", "V", [("A", "DATE", None, None, 0, "Y", None)], [], None)
    assert (metadata.num_rows, metadata.comment, metadata.primary_key) == (None, None, ())
