"""Bad input, end to end: every kind is refused with an error naming the culprit, and nothing
reaches the bucket.

The rules themselves are unit-tested one by one (``tests/unit/transports/``: YAML, unknown
fields, identifiers, predicates, bucket names, prefixes; ``tests/integration/operators/``: a
hostile table name and an unknown column given to the operator). This module is the
consolidated proof that each kind of bad input stops *before anything is written*, through the
real paths: transport files through the loader the DAG file uses (a broken file builds no DAG,
so no job can run it, while a valid file beside it still loads), operator arguments and
transports through Airflow's own task runner (``dag.test()``) against the Oracle emulator and
fake-gcs-server, with the bucket listed after the failed run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.cloud import storage

from airflow_oracle_etl.transports.factory import load_transport_dags_by_file
from tests.integration.operators.conftest import ORACLE_CONN_ID, DagResult, extract_dag
from tests.integration.transports.conftest import (  # noqa: F401 (fixture, by name)
    run_transport,
    transport_yaml,
)

FAILED = "failed"
IDENTIFIER = "is not a valid Oracle identifier"
#: a credential pasted into a transport file by mistake: refused, and never repeated
PASTED_SECRET = "Pasted-S3cret-0f-a-careless-author"

# -- transport files -------------------------------------------------------------------------


def _file(**changes: Any) -> str:
    """A valid transport file (``bad``: CUSTOMER into ``exports``) with ``changes`` applied."""
    data: dict[str, Any] = {
        "id": "bad",
        "oracle_conn_id": "oracle_demo",
        "destination": {"gcp_conn_id": "gcs_demo", "bucket": "exports", "prefix": "etl"},
        "tables": ["CUSTOMER"],
    }
    for key, value in changes.items():
        if key == "destination":
            data["destination"] = {**data["destination"], **value}
        else:
            data[key] = value
    return yaml.safe_dump(data, sort_keys=False)


BAD_FILES = [
    pytest.param("id: bad\ntables: [CUSTOMER\n", "", "invalid YAML", id="malformed-yaml"),
    pytest.param(
        "id: bad\ntables: [CUSTOMER]\ntables: [SALES_ORDER]\n",
        "",
        "duplicate key 'tables'",
        id="duplicate-key",
    ),
    pytest.param(
        _file(parallel_table=2), "parallel_table", "did you mean 'parallel_tables'?", id="unknown"
    ),
    pytest.param(
        _file(password=PASTED_SECRET), "password", "a transport holds no secrets", id="secret"
    ),
    pytest.param(
        _file(oracle_conn_id=f"etl/{PASTED_SECRET}@db:1521/ORCL"),
        "oracle_conn_id",
        "not a URI or connect string",
        id="connect-string-as-conn-id",
    ),
    pytest.param(_file(id="sales; rm -rf /"), "id", "lowercase letters", id="id-injection"),
    pytest.param(
        _file(tables=["CUSTOMER; DROP TABLE SALES_ORDER"]), "tables[0]", IDENTIFIER, id="table"
    ),
    pytest.param(
        _file(tables=[{"table": "CUSTOMER", "columns": ["NAME, (SELECT 1 FROM DUAL) X"]}]),
        "tables[0].columns[0]",
        IDENTIFIER,
        id="column-injection",
    ),
    pytest.param(
        _file(tables=[{"table": "CUSTOMER", "where": "1=1) UNION SELECT * FROM SYS.USER$ --"}]),
        "tables[0].where",
        "has a ')' without a matching '('",
        id="where-breaking-out",
    ),
    pytest.param(
        _file(tables=[{"table": "CUSTOMER", "where": "1=1; DELETE FROM CUSTOMER"}]),
        "tables[0].where",
        "it must be one predicate, not statements",
        id="where-second-statement",
    ),
    pytest.param(
        _file(tables=[{"table": "SALES_ORDER", "incremental": {"column": "UPDATED_AT) OR (1=1"}}]),
        "tables[0].incremental.column",
        IDENTIFIER,
        id="incremental-column-injection",
    ),
    pytest.param(
        _file(
            tables=[
                {
                    "table": "CUSTOMER",
                    "partitions": 2,
                    "partition_strategy": "column",
                    "partition_by": "CUSTOMER_ID; DROP TABLE CUSTOMER",
                }
            ]
        ),
        "tables[0].partition_by",
        IDENTIFIER,
        id="partition-by-injection",
    ),
    pytest.param(
        _file(destination={"prefix": "etl/../../other"}),
        "destination.prefix",
        "'..' segment",
        id="prefix-traversal",
    ),
    pytest.param(
        _file(destination={"bucket": "Exports_2024"}),
        "destination.bucket",
        "uppercase letters are not allowed",
        id="bucket-uppercase",
    ),
    pytest.param(
        _file(destination={"bucket": "gs://exports"}),
        "destination.bucket",
        "may contain only lowercase letters",
        id="bucket-url",
    ),
    pytest.param(
        _file(destination={"bucket": "goog-exports"}),
        "destination.bucket",
        "cannot begin with 'goog'",
        id="bucket-reserved",
    ),
]


@pytest.mark.parametrize(("text", "field", "reason"), BAD_FILES)
def test_a_bad_transport_file_builds_no_dag_and_names_file_field_and_reason(
    tmp_path: Path, text: str, field: str, reason: str
) -> None:
    folder = tmp_path / "transports"
    folder.mkdir()
    (folder / "good.yaml").write_text(_file(id="good"))
    bad = folder / "bad.yaml"
    bad.write_text(text)

    dags, errors = load_transport_dags_by_file(folder)

    # the broken file builds nothing (so no job can write anything); its neighbour still loads
    assert [dag.dag_id for dag in dags.values()] == ["good"]
    assert list(errors) == [bad]
    message = str(errors[bad])
    culprit = f"{bad}: {field}: " if field else f"{bad}: "
    assert any(line.startswith(culprit) and reason in line for line in message.splitlines()), (
        message
    )
    assert PASTED_SECRET not in message


# -- operator arguments, at run time -----------------------------------------------------------

BAD_ARGUMENTS = [
    pytest.param(
        {"table": "NO_SUCH_TABLE"},
        f"table DEMO.NO_SUCH_TABLE not found through connection {ORACLE_CONN_ID!r}",
        id="unknown-table",
    ),
    pytest.param(
        {"table": "CUSTOMER", "table_owner": "DEMO; DROP USER DEMO"}, IDENTIFIER, id="owner"
    ),
    pytest.param(
        {"table": "CUSTOMER", "columns": ["CUSTOMER_ID", "NAME FROM CUSTOMER UNION SELECT 1"]},
        IDENTIFIER,
        id="column-injection",
    ),
    pytest.param(
        {"table": "SALES_ORDER", "incremental": {"column": "UPDATED_AT) OR (1=1"}},
        IDENTIFIER,
        id="incremental-column-injection",
    ),
    pytest.param(
        {"table": "SALES_ORDER", "incremental": {"column": "STATUS"}},
        "incremental column 'STATUS' of DEMO.SALES_ORDER is VARCHAR2; a watermark must be "
        "NUMBER, FLOAT, DATE or TIMESTAMP",
        id="incremental-column-of-wrong-type",
    ),
    pytest.param(
        {"table": "SALES_ORDER", "incremental": {"column": "SHIPPED_AT"}},
        "incremental column 'SHIPPED_AT' is not a column of DEMO.SALES_ORDER",
        id="incremental-column-unknown",
    ),
    pytest.param(
        {"table": "CUSTOMER", "prefix": "etl/../../other"},
        "prefix 'etl/../../other' has an empty, '.' or '..' segment",
        id="prefix-traversal",
    ),
]


@pytest.mark.parametrize(("arguments", "reason"), BAD_ARGUMENTS)
def test_bad_operator_arguments_fail_the_task_naming_the_culprit_and_write_nothing(
    arguments: dict[str, Any],
    reason: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = run_dag(extract_dag(gcs_bucket.name, **arguments))

    assert result.state == FAILED
    assert result.tasks[("extract", -1)][0] == FAILED
    output = capfd.readouterr()
    assert reason in output.out + output.err
    assert list(gcs_bucket.list_blobs()) == []


@pytest.mark.parametrize("bucket", ["-exports", "Exports_2024"])
def test_an_invalid_bucket_name_fails_naming_the_bucket_and_the_rule(
    bucket: str,
    run_dag: Callable[[str], DagResult],
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = run_dag(extract_dag(bucket, table="CUSTOMER"))

    assert result.state == FAILED
    output = capfd.readouterr()
    assert f"{bucket!r}" in output.out + output.err
    assert "a bucket name " in output.out + output.err


# -- transports whose tables are wrong for the database, at run time ---------------------------


class SomethingWritten(AssertionError):
    """Objects in the bucket after a job refused for bad input (not even uncommitted parts
    may be left: the input was wrong before any data was read)."""


def _assert_nothing_committed(bucket: storage.Bucket) -> list[str]:
    """No table manifest and no job manifest (what readers trust); the names found."""
    names = sorted(blob.name for blob in bucket.list_blobs())
    committed = [n for n in names if n.endswith("/_manifest.json") or "/_jobs/" in n]
    assert committed == [], committed
    return names


#: each beside a good table (CUSTOMER), which must not be written either
BAD_TABLES = [
    pytest.param(
        "  - NO_SUCH_TABLE\n",
        "NO_SUCH_TABLE: TableNotFoundError: table DEMO.NO_SUCH_TABLE not found",
        id="unknown-table",
    ),
    pytest.param(
        "  - {table: SALES_ORDER, incremental: {column: STATUS}}\n",
        "SALES_ORDER: IncrementalError: incremental column 'STATUS' of DEMO.SALES_ORDER is "
        "VARCHAR2; a watermark must be",
        id="incremental-column-of-wrong-type",
    ),
    pytest.param(
        "  - {table: SALES_ORDER, columns: [ORDER_ID, NO_SUCH_COLUMN]}\n",
        "DEMO.SALES_ORDER has no column 'NO_SUCH_COLUMN'",
        id="unknown-column",
    ),
    pytest.param(
        '  - {table: SALES_ORDER, where: "NO_SUCH_COLUMN > 0"}\n',
        '"NO_SUCH_COLUMN": invalid identifier',
        id="where-naming-an-unknown-column",
    ),
]


@pytest.mark.parametrize(("bad_table", "reason"), BAD_TABLES)
def test_a_transport_with_a_bad_table_fails_naming_it_and_writes_nothing(
    bad_table: str,
    reason: str,
    tmp_path: Path,
    gcs_bucket: storage.Bucket,
    run_transport: Callable[..., DagResult],  # noqa: F811 (the imported fixture)
    capfd: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / f"bad_{os.getpid()}.yaml"
    tables = "tables:\n  - CUSTOMER\n" + bad_table
    path.write_text(transport_yaml(path.stem, gcs_bucket.name, tables))

    result = run_transport(path)

    assert result.state == FAILED
    output = capfd.readouterr()
    assert reason in output.out + output.err
    written = _assert_nothing_committed(gcs_bucket)
    if written:
        raise SomethingWritten(f"written after the job was refused: {written}")
