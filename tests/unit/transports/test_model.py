"""Defaults, the normalized tables, the seed transport, and agreement with the modules the
model keeps its own copies of limits from (it does not import them: they pull in Airflow)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from airflow_oracle_etl.identifiers import parse_identifier, parse_table_name
from airflow_oracle_etl.options import FetchOptions, GcsOptions, PartsOptions
from airflow_oracle_etl.transports import (
    IncrementalSetting,
    TableConfig,
    TransportError,
    load_transport,
    load_transports,
    model,
)
from airflow_oracle_etl.transports.checks import prefix_problem
from airflow_oracle_etl.transports.loading import decode_transport
from tests.unit.transports.support import load, transport_yaml

SEED = Path(__file__).resolve().parents[3] / "dags" / "transports" / "daily_sales.yaml"


def test_defaults_of_a_minimal_transport() -> None:
    transport = load(transport_yaml())
    assert transport.id == "t"
    assert transport.name is None
    assert transport.display_name == "t"
    assert transport.description == ""
    assert transport.schedule is None
    assert transport.oracle_conn_id == "oracle_default"
    assert transport.destination == model.Destination(
        bucket="my-bucket", prefix="", gcp_conn_id="google_cloud_default"
    )
    assert transport.parallel_tables == 4
    assert transport.fetch == model.FetchOptions(
        arraysize=None, prefetchrows=None, batch_rows=10_000
    )
    assert transport.parts == model.PartsOptions(
        max_rows=1_000_000, max_bytes=256 * 1024**2, chunk_size=16 * 1024**2
    )
    assert transport.retries == 3
    assert transport.retry_delay_seconds == 1.0
    assert transport.tags == ()
    assert transport.owner == "airflow"
    assert transport.consistent_snapshot is True
    assert transport.start_date == dt.date(2024, 1, 1)
    assert transport.source == "dags/transports/t.yaml"


def test_a_transport_is_immutable() -> None:
    transport = load(transport_yaml())
    with pytest.raises(AttributeError):
        transport.id = "other"  # type: ignore[misc]


def test_tables_normalized_resolves_names_and_defaults_in_order() -> None:
    text = transport_yaml(
        tables=[
            "customer",
            "demo.SALES_ORDER",
            '"Mixed Case"',
            {
                "table": "sales_line_item",
                "columns": ["line_id", '"Note"'],
                "where": "QTY > 0",
                "partitions": 8,
                "partition_by": "order_id",
                "incremental": {"column": "updated_at", "initial": "2024-01-01"},
                "trim_char": True,
                "omit_nulls": True,
                "checkpoint": False,
            },
            {"table": "X", "partitions": 3, "partition_strategy": "rowid"},
            {"table": "Y", "partitions": 3, "partition_by": "ID", "partition_strategy": "hash"},
        ]
    )
    tables = load(text).tables_normalized()
    plain = {
        "columns": None,
        "where": None,
        "partitions": 1,
        "partition_strategy": "hash",
        "partition_by": None,
        "incremental": None,
        "trim_char": False,
        "omit_nulls": False,
        "checkpoint": True,
    }
    assert tables == [
        TableConfig(owner=None, name="CUSTOMER", **plain),
        TableConfig(owner="DEMO", name="SALES_ORDER", **plain),
        TableConfig(owner=None, name="Mixed Case", **plain),
        TableConfig(
            owner=None,
            name="SALES_LINE_ITEM",
            columns=("LINE_ID", "Note"),
            where="QTY > 0",
            partitions=8,
            partition_strategy="column",
            partition_by="ORDER_ID",
            incremental=IncrementalSetting(column="UPDATED_AT", initial="2024-01-01"),
            trim_char=True,
            omit_nulls=True,
            checkpoint=False,
        ),
        TableConfig(
            owner=None, name="X", **{**plain, "partitions": 3, "partition_strategy": "rowid"}
        ),
        TableConfig(
            owner=None,
            name="Y",
            **{**plain, "partitions": 3, "partition_strategy": "hash", "partition_by": "ID"},
        ),
    ]
    assert [t.label for t in tables] == [
        "CUSTOMER",
        "DEMO.SALES_ORDER",
        "Mixed Case",
        "SALES_LINE_ITEM",
        "X",
        "Y",
    ]


@pytest.mark.parametrize(
    ("owner", "name", "text"),
    [(None, "SALES_ORDER", '"SALES_ORDER"'), ("DEMO", "Mixed Case", '"DEMO"."Mixed Case"')],
)
def test_table_text_round_trips_through_the_operators_parser(
    owner: str | None, name: str, text: str
) -> None:
    config = TableConfig(
        owner=owner,
        name=name,
        columns=None,
        where=None,
        partitions=1,
        partition_strategy="hash",
        partition_by=None,
        incremental=None,
        trim_char=False,
        omit_nulls=False,
    )
    assert config.table_text == text
    assert parse_table_name(config.table_text) == (owner, name)


def test_incremental_argument_keeps_the_exact_column_and_is_accepted_downstream() -> None:
    from airflow_oracle_etl.incremental import IncrementalConfig

    setting = IncrementalSetting(column="updated At", initial="2024-01-01")
    argument = setting.as_argument()
    assert argument == {"column": '"updated At"', "initial": "2024-01-01"}
    assert IncrementalConfig(**argument).column_name == "updated At"  # type: ignore[arg-type]


def test_the_seed_transport_loads() -> None:
    transport = load_transport(SEED)
    assert transport.id == "daily_sales"
    assert transport.display_name == "Daily Sales Export"
    assert transport.schedule == "@daily"
    assert transport.oracle_conn_id == "oracle_demo"
    assert transport.destination == model.Destination(
        bucket="oracle-etl-demo", prefix="exports", gcp_conn_id="gcs_demo"
    )
    assert transport.parallel_tables == 4
    tables = transport.tables_normalized()
    assert [t.label for t in tables] == ["SALES_ORDER", "SALES_LINE_ITEM", "CUSTOMER"]
    assert tables[0].incremental == IncrementalSetting(column="UPDATED_AT")
    assert tables[1].partitions == 2
    assert tables[2].partitions == 1


def test_the_seed_directory_loads_without_errors() -> None:
    transports, errors = load_transports(SEED.parent)
    assert errors == {}
    assert "daily_sales" in [t.id for t in transports]


def test_a_transport_round_trips_through_json() -> None:
    """The factory may hand a transport to tasks through XCom or the REST layer as JSON."""
    seeded = load_transport(SEED)
    selecting = load(
        transport_yaml(tables=["A", {"schema": "hr", "exclude": ["*_TMP"]}, {"table": "B"}])
    )
    for transport in (seeded, selecting):
        assert decode_transport(msgspec.json.encode(transport)) == transport
    assert isinstance(selecting.tables[1], model.SchemaSelector)


def test_limits_agree_with_the_partitioning_and_gcs_modules() -> None:
    from airflow_oracle_etl.gcs import settings as gcs_settings
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
    from airflow_oracle_etl.hooks.settings import DEFAULT_FETCH_ROWS
    from airflow_oracle_etl.operators import oracle_to_gcs
    from airflow_oracle_etl.partitioning import spec

    assert model.MAX_PARTITIONS == spec.MAX_PARTITIONS
    assert set(model.STRATEGIES) == set(spec.STRATEGIES)
    assert (model.STRATEGY_COLUMN, model.STRATEGY_HASH, model.STRATEGY_ROWID) == (
        spec.STRATEGY_COLUMN,
        spec.STRATEGY_HASH,
        spec.STRATEGY_ROWID,
    )
    assert model.CHUNK_GRANULARITY == gcs_settings.CHUNK_GRANULARITY
    assert model.DEFAULT_CHUNK_SIZE == gcs_settings.DEFAULT_CHUNK_SIZE
    assert model.DEFAULT_MAX_ROWS_PER_PART == gcs_settings.DEFAULT_MAX_ROWS_PER_PART
    assert model.DEFAULT_MAX_BYTES_PER_PART == gcs_settings.DEFAULT_MAX_BYTES_PER_PART
    assert FetchOptions().batch_rows == model.DEFAULT_BATCH_ROWS
    assert (
        PartsOptions().chunk_size,
        PartsOptions().max_bytes,
    ) == (model.DEFAULT_CHUNK_SIZE, model.DEFAULT_MAX_BYTES_PER_PART)
    # the operator, the YAML and the writer take the same option records
    assert oracle_to_gcs.OracleToGCSJsonlOperator(
        task_id="t", bucket="b", table="T", fetch={"batch_rows": 7}
    ).settings.fetch == FetchOptions(batch_rows=7)
    assert DEFAULT_FETCH_ROWS <= model.MAX_FETCH_ROWS
    assert OracleExtractHook.default_conn_name == model.DEFAULT_ORACLE_CONN_ID


def test_parts_settings_are_accepted_by_the_writer() -> None:
    from airflow_oracle_etl.extraction import writer_settings
    from airflow_oracle_etl.gcs.settings import WriterSettings

    parts = load(transport_yaml(parts={"max_bytes": "64MiB", "chunk_size": "512KiB"})).parts
    settings = writer_settings(parts, GcsOptions())
    assert isinstance(settings, WriterSettings)
    assert settings.chunk_size == 512 * 1024
    assert settings.max_bytes == 64 * 1024 * 1024


@pytest.mark.parametrize("prefix", ["", "/", "exports", "/exports/2024/", "a/b.c/d-e"])
def test_prefix_rules_agree_with_the_writer_on_good_prefixes(prefix: str) -> None:
    from airflow_oracle_etl.gcs.naming import normalize_prefix

    assert prefix_problem(prefix) is None
    normalize_prefix(prefix)  # does not raise


@pytest.mark.parametrize("prefix", ["a//b", "./a", "a/..", "a\x00b", "a\tb"])
def test_prefix_rules_agree_with_the_writer_on_bad_prefixes(prefix: str) -> None:
    from airflow_oracle_etl.gcs.naming import normalize_prefix

    assert prefix_problem(prefix) is not None
    with pytest.raises(ValueError):
        normalize_prefix(prefix)


def test_names_of_the_seed_tables_are_identifiers() -> None:
    for table in load_transport(SEED).tables_normalized():
        assert parse_identifier(table.name) == table.name


def test_the_error_type_is_a_value_error_with_its_problems() -> None:
    with pytest.raises(ValueError) as caught:
        load(transport_yaml(retries=-1, parallel_tables=0))
    error = caught.value
    assert isinstance(error, TransportError)
    assert error.fields == ("parallel_tables", "retries")
    assert [p.reason for p in error.problems] == [
        "must be between 1 and 64, got 0",
        "must be between 0 and 100, got -1",
    ]
