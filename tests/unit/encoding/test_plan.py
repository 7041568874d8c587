"""Plans: the SELECT list, validation of the column list and overrides, warnings."""

from __future__ import annotations

import inspect
import logging

import pytest

from airflow_oracle_etl.encoding import EncodingError, EncodingPlan, plan_columns
from airflow_oracle_etl.encoding.fetch import OutputTypeHandler
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import OracleColumn

COLUMNS = [
    OracleColumn(name="ID", data_type="NUMBER", precision=12, scale=0, nullable=False),
    OracleColumn(name="Mixed Case", data_type="CHAR", char_length=3),
    OracleColumn(name="TS9", data_type="TIMESTAMP(9)", scale=9),
    OracleColumn(name="AT", data_type="TIMESTAMP(3) WITH LOCAL TIME ZONE", scale=3),
    OracleColumn(name="LEN", data_type="INTERVAL DAY(2) TO SECOND(9)", precision=2, scale=9),
]


def test_select_list_quotes_and_aliases() -> None:
    plan = plan_columns(COLUMNS, trim_char=True)
    assert plan.select_list(quote_identifier) == (
        '"ID", '
        'RTRIM("Mixed Case") AS "Mixed Case", '
        'TO_CHAR("TS9", \'SYYYY-MM-DD"T"HH24:MI:SS.FF9\') AS "TS9", '
        'TO_CHAR(SYS_EXTRACT_UTC("AT"), \'SYYYY-MM-DD"T"HH24:MI:SS.FF3"Z"\') AS "AT", '
        'TO_CHAR("LEN") AS "LEN"'
    )


def test_select_list_uses_the_quoting_function_given() -> None:
    plan = plan_columns(COLUMNS[:1])
    assert plan.select_list(lambda name: f"<{name}>") == "<ID>"


def test_plan_exposes_what_the_cursor_needs() -> None:
    plan = plan_columns(COLUMNS)
    assert isinstance(plan, EncodingPlan)
    assert plan.names == ["ID", "Mixed Case", "TS9", "AT", "LEN"]
    assert isinstance(plan.output_type_handler, OutputTypeHandler)
    row = plan.rowfactory(1, "abc", "x", "y", "P0D")
    assert plan.encoder().encode([row]).startswith(b'{"ID":1,"Mixed Case":"abc",')


def test_inline_lobs_are_named_so_the_caller_can_lower_its_arraysize() -> None:
    columns = [
        *COLUMNS,
        OracleColumn(name="DOC", data_type="CLOB"),
        OracleColumn(name="N", data_type="NCLOB"),
        OracleColumn(name="BIN", data_type="BLOB"),
        OracleColumn(name="R", data_type="RAW"),
    ]
    assert plan_columns(columns).inline_lobs == ("DOC", "N", "BIN")
    assert plan_columns(COLUMNS).inline_lobs == ()


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(EncodingError, match="'ID' appears twice"):
        plan_columns([COLUMNS[0], COLUMNS[0]])


def test_no_columns_is_refused() -> None:
    with pytest.raises(EncodingError, match="no columns"):
        plan_columns([])


def test_override_of_an_unknown_column_is_refused() -> None:
    with pytest.raises(EncodingError, match=r"unknown columns \['NOPE'\]"):
        plan_columns(COLUMNS, type_overrides={"NOPE": "string"})


def test_overrides_apply_by_column_name() -> None:
    plan = plan_columns(COLUMNS, type_overrides={"ID": "string"})
    assert plan.encodings[0].bigquery_type == "STRING"
    assert plan.bigquery_schema()[0]["type"] == "STRING"


def test_unknown_type_is_logged_once_and_planned_as_text(caplog) -> None:
    columns = [OracleColumn(name="GEOM", data_type="MDSYS.SDO_GEOMETRY")]
    with caplog.at_level(logging.WARNING, logger="airflow_oracle_etl.encoding"):
        plan = plan_columns(columns)
    warnings = [r for r in caplog.records if "GEOM" in r.getMessage()]
    assert len(warnings) == 1
    assert "MDSYS.SDO_GEOMETRY" in warnings[0].getMessage()
    assert plan.encodings[0].bigquery_type == "STRING"


def test_handler_has_the_two_parameter_signature_the_driver_looks_for() -> None:
    # python-oracledb passes FetchInfo only to handlers with exactly two parameters
    handler = plan_columns(COLUMNS).output_type_handler
    assert list(inspect.signature(handler).parameters) == ["cursor", "metadata"]


def test_names_msgspec_cannot_rename_fall_back_to_tuples() -> None:
    columns = [
        OracleColumn(name="ID", data_type="NUMBER", precision=3, scale=0),
        OracleColumn(name="back\\slash", data_type="VARCHAR2"),
    ]
    plan = plan_columns(columns, omit_nulls=True)
    assert plan.rowfactory is None
    assert plan.encoder().encode([(1, "x"), (2, None)]) == (
        b'{"ID":1,"back\\\\slash":"x"}\n{"ID":2}\n'
    )
