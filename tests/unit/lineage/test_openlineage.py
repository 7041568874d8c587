"""The OpenLineage datasets built from records: names, facets, and what a bad record costs."""

from __future__ import annotations

import json
import logging
from typing import Any

import jsonschema
import pytest
from openlineage.client.serde import Serde

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.lineage.exports import ReadRecord, committed_record, planned_names
from airflow_oracle_etl.lineage.facets import (
    READ_FACET_KEY,
    READ_FACET_SCHEMA_URL,
    read_facet_schema,
)
from airflow_oracle_etl.lineage.openlineage import (
    SourceDatabase,
    build_complete,
    build_start,
    input_name,
    on_complete,
    query_tables,
)

from .records import BUCKET, layout, summary, table_plan

DATABASE = SourceDatabase(namespace="oracle://db.example:1521", database="ORCLPDB1")
TABLE = "ORCLPDB1.DEMO.SALES_ORDER"


def _json(dataset: Any) -> dict[str, Any]:
    return json.loads(Serde.to_json(dataset))


def test_names_are_the_service_owner_and_table_or_owner_and_table_without_a_service() -> None:
    assert input_name(DATABASE, "DEMO", "SALES_ORDER") == TABLE
    no_service = SourceDatabase(namespace="oracle://db.example:1521", database=None)
    assert input_name(no_service, "DEMO", "Mixed Case") == "DEMO.Mixed Case"


def test_a_committed_read_is_one_input_and_one_output_with_every_facet() -> None:
    record = committed_record(table_plan(), layout(), summary())

    lineage = build_complete(DATABASE, [record])

    (source,) = [_json(d) for d in lineage.inputs]
    (output,) = [_json(d) for d in lineage.outputs]
    assert (source["namespace"], source["name"]) == (DATABASE.namespace, TABLE)
    schema = source["facets"]["schema"]["fields"]
    assert [(f["name"], f["type"], f.get("description")) for f in schema] == [
        ("ORDER_ID", "NUMBER", None),
        ("AMOUNT", "NUMBER", "In EUR"),
        ("UPDATED_AT", "TIMESTAMP(6)", None),
        ("Mixed Case", "VARCHAR2", None),
    ]
    read = source["inputFacets"][READ_FACET_KEY]
    assert read["_schemaURL"] == READ_FACET_SCHEMA_URL
    assert {key: read[key] for key in ("scn", "window", "partition")} == {
        "scn": 4242,
        "window": {
            "column": "UPDATED_AT",
            "kind": "timestamp",
            "low": "2024-04-30 00:00:00.000000000",
            "high": "2024-05-01 00:00:00.000000000",
            "fullRefresh": False,
        },
        "partition": {"index": 1, "count": 4},
    }
    assert (output["namespace"], output["name"]) == (
        f"gs://{BUCKET}",
        layout().run_prefix.rstrip("/"),
    )
    assert [(f["name"], f["type"]) for f in output["facets"]["schema"]["fields"]] == [
        ("ORDER_ID", "INT64"),
        ("AMOUNT", "NUMERIC"),
        ("UPDATED_AT", "DATETIME"),
        ("Mixed Case", "STRING"),
    ]
    statistics = output["outputFacets"]["outputStatistics"]
    assert (statistics["rowCount"], statistics["size"], statistics["fileCount"]) == (
        1200,
        12_345,
        3,
    )
    assert output["facets"]["symlinks"]["identifiers"] == [
        {"namespace": f"gs://{BUCKET}", "name": "exports/daily/DEMO.SALES_ORDER", "type": "TABLE"}
    ]
    fields = output["facets"]["columnLineage"]["fields"]
    assert sorted(fields) == sorted(["ORDER_ID", "AMOUNT", "UPDATED_AT", "Mixed Case"])
    assert fields["Mixed Case"]["transformationType"] == "IDENTITY"
    assert fields["Mixed Case"]["inputFields"] == [
        {
            "namespace": DATABASE.namespace,
            "name": TABLE,
            "field": "Mixed Case",
            "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}],
        }
    ]
    assert lineage.job_facets == {}


def test_the_read_facet_matches_the_schema_shipped_with_the_package() -> None:
    schema = read_facet_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert READ_FACET_SCHEMA_URL.startswith(schema["$id"] + "#/$defs/")
    record = committed_record(table_plan(), layout(), summary())
    facet = _json(build_complete(DATABASE, [record]).inputs[0])["inputFacets"][READ_FACET_KEY]
    # the facet's own part (the base facet's is OpenLineage's, fetched from openlineage.io)
    own = schema["$defs"]["OracleEtlReadFacet"]["allOf"][1] | {"$defs": schema["$defs"]}
    own["additionalProperties"] = False
    own["properties"] = own["properties"] | {"_producer": {}, "_schemaURL": {}}
    jsonschema.validate(facet, own)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(facet | {"partition": {"index": -1, "count": 4}}, own)


def test_a_read_without_columns_has_no_schema_and_no_column_lineage() -> None:
    record = committed_record(table_plan(), layout(), summary())
    stored = ReadRecord(**(vars(record) | {"columns": None}))

    (source,) = [_json(d) for d in build_complete(DATABASE, [stored]).inputs]
    (output,) = [_json(d) for d in build_complete(DATABASE, [stored]).outputs]

    assert "schema" not in source["facets"]
    assert set(output["facets"]) == {"symlinks"}
    assert output["outputFacets"]["outputStatistics"]["rowCount"] == 1200


def test_a_query_has_the_sql_job_facet_and_the_tables_it_names_as_inputs() -> None:
    query = (
        'SELECT o.ORDER_ID FROM demo.sales_order o JOIN "Sales"."Mixed" m ON m.ID = o.ORDER_ID '
        "JOIN customer c ON c.ID = o.CUSTOMER_ID"
    )
    plan = table_plan(table=None, query=query, label="orders", partition=None, window=None)
    record = committed_record(plan, layout("orders"), summary())
    database = SourceDatabase(
        namespace=DATABASE.namespace, database="ORCLPDB1", default_owner="APP"
    )

    lineage = build_complete(database, [record])

    assert [d.name for d in lineage.inputs] == [
        "ORCLPDB1.APP.CUSTOMER",
        "ORCLPDB1.DEMO.SALES_ORDER",
        "ORCLPDB1.Sales.Mixed",
    ]
    assert lineage.job_facets["sql"].query == query
    assert "columnLineage" not in _json(lineage.outputs[0])["facets"]
    start = build_start(database, [record.names])
    assert [d.name for d in start.inputs] == [d.name for d in lineage.inputs]
    assert all(not d.facets for d in start.inputs + start.outputs)
    assert start.job_facets["sql"].query == query


def test_query_tables_fold_unquoted_names_and_leave_out_what_cannot_be_named() -> None:
    assert query_tables("SELECT * FROM orders o, sys.dual, dual", None) == []
    assert query_tables("SELECT * FROM orders", "APP") == [("APP", "ORDERS")]
    assert query_tables('SELECT * FROM "app"."Orders" JOIN x.y@remote ON 1 = 1', None) == [
        ("app", "Orders")
    ]


def test_a_query_the_parser_cannot_read_has_no_inputs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="airflow_oracle_etl.lineage.openlineage")
    query = "SELECT c.ID FROM DEMO.C c, DEMO.O o WHERE o.ID(+) = c.ID"

    assert query_tables(query, "DEMO") == []
    assert "could not be parsed" in caplog.text
    assert not [r for r in caplog.records if r.levelno > logging.DEBUG]


def test_a_read_whose_datasets_cannot_be_built_is_left_out_and_the_others_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = committed_record(table_plan(), layout(), summary())
    broken = ReadRecord(**(vars(good) | {"names": None}))

    lineage = build_complete(DATABASE, [broken, good])

    assert [d.name for d in lineage.inputs] == [TABLE]
    assert len(lineage.outputs) == 1
    assert "no datasets for the read" in caplog.text


def test_lineage_of_a_connection_that_cannot_be_read_is_none_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = OracleExtractHook(oracle_conn_id="lineage_no_such_connection")
    record = committed_record(table_plan(), layout(), summary())

    assert on_complete(hook, [record]) is None
    assert "could not be named" in caplog.text


def test_planned_reads_with_unknown_owners_give_no_input_but_their_output() -> None:
    names = planned_names(layout, bucket=BUCKET, table="demo.orders")
    assert names is not None
    anonymous = type(names)(**(vars(names) | {"owner": None}))

    start = build_start(DATABASE, [anonymous])

    assert start.inputs == []
    assert [d.name for d in start.outputs] == [names.run_path]
