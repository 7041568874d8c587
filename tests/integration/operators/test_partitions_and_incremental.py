"""Big tables and repeat runs, end to end in Airflow: partitions planned once and mapped,
one SCN for the whole job, and incremental watermarks kept in the committed manifests."""

from __future__ import annotations

import json
from collections.abc import Callable

import oracledb
import pytest
from google.cloud import storage

from .conftest import DagResult, extract_dag, read_jsonl_parts

OK = "success"

PARTITIONED = """
from airflow.sdk import task
from airflow_oracle_etl.operators.commit import OracleTableCommitOperator
from airflow_oracle_etl.operators.plan import OracleExtractPlanOperator

COMMON = dict(oracle_conn_id=ORACLE_CONN_ID, gcp_conn_id=GCP_CONN_ID, bucket={bucket!r},
              transport="big")

with DAG(DAG_ID, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
    plan = OracleExtractPlanOperator(task_id="plan", table={table!r}, partitions={count},
                                     {strategy_args}, **COMMON)

    @task
    def insert_after_snapshot():
        # committed after the plan captured the SCN: no partition may contain it
        import json, os, oracledb
        conn = json.loads(os.environ["AIRFLOW_CONN_ORACLE_TEST"])
        dsn = f"{{conn['host']}}:{{conn['port']}}/{{conn['extra']['service_name']}}"
        with oracledb.connect(user="demo", password="demo", dsn=dsn) as connection:
            connection.cursor().execute(
                "INSERT INTO {table} (K, V) VALUES (-999999, 'late')")
            connection.commit()

    late = insert_after_snapshot()
    extract = OracleToGCSJsonlOperator.partial(
        task_id="extract", table={table!r}, parts={{"max_rows": 700}}, **COMMON
    ).expand_kwargs(plan.output)
    plan >> late >> extract
    OracleTableCommitOperator(task_id="commit", summaries=extract.output, bucket={bucket!r},
                              gcp_conn_id=GCP_CONN_ID, transport="big")
"""


@pytest.fixture
def skewed_table(oracle_connect: Callable[..., oracledb.Connection]) -> str:
    """3,000 rows: a numeric key with NULLs and 90% of rows on one value."""
    name = "SKEWED_KEYS"
    rows = [(None if i % 50 == 0 else (7 if i % 10 else i / 4), f"v{i}") for i in range(3_000)]
    with oracle_connect().cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (K NUMBER, V VARCHAR2(20))")
        cursor.executemany(f"INSERT INTO {name} (K, V) VALUES (:1, :2)", rows)
        cursor.connection.commit()
    yield name
    with oracle_connect().cursor() as cursor:
        cursor.execute(f"DROP TABLE {name} PURGE")


@pytest.mark.parametrize(
    ("count", "strategy_args"),
    [
        (4, "partition_strategy='hash'"),
        (3, "partition_strategy='hash', partition_by='K'"),
        (4, "partition_by='K'"),
        (4, "partition_strategy='rowid'"),
    ],
)
def test_partitions_cover_the_table_once_at_one_scn(
    count: int,
    strategy_args: str,
    skewed_table: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(
        PARTITIONED.format(
            bucket=gcs_bucket.name, table=skewed_table, count=count, strategy_args=strategy_args
        )
    )
    assert result.state == OK, result.tasks
    assert sum(1 for (task_id, _) in result.tasks if task_id == "extract") == count
    table = result.xcom("commit")
    manifest = json.loads(gcs_bucket.blob(table["manifest"]).download_as_bytes())
    rows = read_jsonl_parts(gcs_bucket, [part["name"] for part in manifest["parts"]])
    assert sorted(row["V"] for row in rows) == sorted(f"v{i}" for i in range(3_000))
    assert manifest["totals"]["rows"] == 3_000
    assert "late" not in {row["V"] for row in rows}
    partition_scns = {result.xcom("extract", index)["scn"] for index in range(count)}
    assert partition_scns == {manifest["scn"]}


@pytest.fixture
def inc_table(oracle_connect: Callable[..., oracledb.Connection]) -> str:
    with oracle_connect().cursor() as cursor:
        cursor.execute(
            "CREATE TABLE INC_ORDERS (ID NUMBER(6) PRIMARY KEY, V VARCHAR2(10),"
            " UPDATED_AT TIMESTAMP(6) NOT NULL)"
        )
    yield "INC_ORDERS"
    with oracle_connect().cursor() as cursor:
        cursor.execute("DROP TABLE INC_ORDERS PURGE")


def _write(connect: Callable[..., oracledb.Connection], sql: str, rows: list[tuple]) -> None:
    with connect() as connection:
        connection.cursor().executemany(sql, rows)
        connection.commit()


def test_three_incremental_runs_read_exactly_the_changed_rows(
    inc_table: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    insert = "INSERT INTO INC_ORDERS VALUES (:1, :2, TIMESTAMP '2024-01-01 00:00:00' + :3)"
    update = (
        "UPDATE INC_ORDERS SET V = :1, UPDATED_AT = TIMESTAMP '2024-01-01 00:00:00' + :2"
        " WHERE ID = :3"
    )
    dag = extract_dag(
        gcs_bucket.name, table=inc_table, transport="inc", incremental={"column": "UPDATED_AT"}
    )
    failing = extract_dag(
        gcs_bucket.name,
        operator="AlwaysCrashes",
        preamble=ALWAYS_CRASHES,
        table=inc_table,
        transport="inc",
        incremental={"column": "UPDATED_AT"},
    )

    def ids_of(result: DagResult) -> list[int]:
        assert result.state == OK
        return sorted(
            row["ID"] for row in read_jsonl_parts(gcs_bucket, result.xcom("extract")["objects"])
        )

    _write(oracle_connect, insert, [(i, "a", i) for i in range(1, 101)])
    assert ids_of(run_dag(dag)) == list(range(1, 101))

    _write(oracle_connect, insert, [(i, "b", 200) for i in range(101, 111)])
    _write(oracle_connect, update, [("u", 201, i) for i in (5, 50)])
    assert run_dag(failing).state == "failed"  # moves no watermark
    assert ids_of(run_dag(dag)) == [5, 50, *range(101, 111)]

    # ties: another row with the previous high value, committed after that run's snapshot
    _write(oracle_connect, insert, [(500, "tie", 201)])
    _write(oracle_connect, update, [("w", 300, 7)])
    assert ids_of(run_dag(dag)) == [7, 500]
    assert ids_of(run_dag(dag)) == []  # nothing changed


ALWAYS_CRASHES = """
    from airflow_oracle_etl.extraction import TableExtraction

    class CrashingExtraction(TableExtraction):
        # a run that fails after writing parts: its watermark must never count
        def _batches(self, plan, resumed):
            yield from super()._batches(plan, resumed)
            raise RuntimeError("simulated failure before the commit")

    class AlwaysCrashes(OracleToGCSJsonlOperator):
        extraction_class = CrashingExtraction
"""
