"""Unknown fields: every one reported, with a suggestion when close, and never a secret."""

from __future__ import annotations

import pytest

from tests.unit.transports.support import (
    SOURCE,
    error_lines,
    only_error,
    transport_yaml,
    with_table,
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (transport_yaml(tabels=["A"]), "tabels: unknown field; did you mean 'tables'?"),
        (transport_yaml(Schedule="@daily"), "Schedule: unknown field; did you mean 'schedule'?"),
        (
            transport_yaml(parallel=2),
            "parallel: unknown field; did you mean 'parallel_tables'?",
        ),
        (
            transport_yaml(destination={"bucket": "my-bucket", "prefx": "x"}),
            "destination.prefx: unknown field; did you mean 'prefix'?",
        ),
        (
            transport_yaml(destination={"bucket": "my-bucket", "conn_id": "x"}),
            "destination.conn_id: unknown field; did you mean 'gcp_conn_id'?",
        ),
        (with_table(partitons=2), "tables[0].partitons: unknown field; did you mean 'partitions'?"),
        (
            transport_yaml(fetch={"array_size": 5}),
            "fetch.array_size: unknown field; did you mean 'arraysize'?",
        ),
        (
            transport_yaml(parts={"max_row": 5}),
            "parts.max_row: unknown field; did you mean 'max_rows'?",
        ),
        (
            with_table(zzz=1),
            "tables[0].zzz: unknown field (known: checkpoint, columns, incremental, omit_nulls, "
            "partition_by, partition_strategy, partitions, table, trim_char, where)",
        ),
        # the loader's own bookkeeping field cannot be set from a file
        (
            transport_yaml(source="elsewhere.yaml"),
            "source: unknown field (known: consistent_snapshot, description, destination, fetch, "
            "id, name, oracle_conn_id, owner, packing, parallel_tables, parts, "
            "progress_interval_seconds, retries, retry_delay_seconds, schedule, start_date, "
            "tables, tags)",
        ),
    ],
)
def test_unknown_field_is_named_with_a_suggestion(text: str, message: str) -> None:
    assert only_error(text) == message


SECRET_REASON = (
    "unknown field; a transport holds no secrets: keep credentials in an Airflow connection "
    "and name it with oracle_conn_id or destination.gcp_conn_id"
)


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"password": "tiger"}, "password"),
        ({"oracle_password": "tiger"}, "oracle_password"),
        ({"secret": "s3cr3t"}, "secret"),
        ({"key": "AKIA-very-secret"}, "key"),
        ({"api_key": "AKIA-very-secret"}, "api_key"),
        (
            {"destination": {"bucket": "my-bucket", "keyfile_json": "{...}"}},
            "destination.keyfile_json",
        ),
        ({"destination": {"bucket": "my-bucket", "token": "ya29.x"}}, "destination.token"),
        ({"tables": [{"table": "A", "passwd": "x"}]}, "tables[0].passwd"),
    ],
)
def test_secret_like_fields_are_refused_without_echoing_the_value(
    fields: dict[str, object], path: str
) -> None:
    message = only_error(transport_yaml(**fields))
    assert message == f"{path}: {SECRET_REASON}"
    for secret in ("tiger", "s3cr3t", "AKIA", "ya29", "{...}"):
        assert secret not in message


@pytest.mark.parametrize(
    "conn_id",
    ["oracle://scott:tiger@db:1521/ORCL", "scott/tiger@db:1521/ORCL", "gs://x:tiger@y"],
)
def test_a_connect_string_instead_of_a_connection_id_is_refused_without_echo(conn_id: str) -> None:
    message = only_error(transport_yaml(oracle_conn_id=conn_id))
    assert message == (
        "oracle_conn_id: must be an Airflow connection id, not a URI or connect string: keep "
        "the credentials in an Airflow connection and name it here"
    )
    assert "tiger" not in message


def test_every_unknown_field_is_reported_in_file_order_and_then_the_other_rules_run() -> None:
    text = transport_yaml(
        colour="blue", tables=[{"table": "A", "partitons": 2, "partitions": 0}], retries=-1
    )
    assert error_lines(text) == [
        f"{SOURCE}: tables[0].partitons: unknown field; did you mean 'partitions'?",
        f"{SOURCE}: colour: unknown field (known: consistent_snapshot, description, destination, "
        "fetch, id, name, oracle_conn_id, owner, packing, parallel_tables, parts, "
        "progress_interval_seconds, retries, retry_delay_seconds, schedule, start_date, tables, "
        "tags)",
        f"{SOURCE}: tables[0].partitions: must be between 1 and 1024, got 0",
        f"{SOURCE}: retries: must be between 0 and 100, got -1",
    ]


def test_a_non_text_key_is_reported() -> None:
    text = "id: t\ndestination: {bucket: my-bucket}\ntables: [A]\n1: x\n"
    assert only_error(text) == "1: field names are text, got an integer (1)"


def test_a_misspelt_required_field_is_reported_twice_over() -> None:
    assert error_lines(with_table(incremental={"colum": "U"})) == [
        f"{SOURCE}: tables[0].incremental.colum: unknown field; did you mean 'column'?",
        f"{SOURCE}: tables[0].incremental.column: is required",
    ]
