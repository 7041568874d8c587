"""The provider end to end on a German database with a Berlin session time zone: the same
exact output, watermarks, partition bounds and resumes as under AMERICA/UTC, because the hook
sets the NLS values its SQL depends on (decimal point, binary sort and comparison)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs.naming import parse_part_name

from ..conftest import Code, DagResult, extract_dag, read_jsonl_parts
from ..test_resume import CRASHES_AFTER_CHECKPOINTS

OK = "success"
#: binary order: "A..." < "B..." < "a..." < "b..." < "Ä..."; German: a, A, ä, Ä, b, B
NAMES = ["a", "B", "Ä", "A", "b", "ä"]
TYPES_DDL = (
    "CREATE TABLE {name} (ID NUMBER(6) PRIMARY KEY, AMOUNT NUMBER(12,4), RATIO BINARY_DOUBLE,"
    " DAY DATE, TS TIMESTAMP(6), TSTZ TIMESTAMP(6) WITH TIME ZONE,"
    " LTZ TIMESTAMP(6) WITH LOCAL TIME ZONE, NAME VARCHAR2(20))"
)
ROWS = 60


def _row(i: int) -> tuple[object, ...]:
    moment = dt.datetime(2024, 3, 1, 12, 30, 15, 250000) + dt.timedelta(days=i, minutes=i)
    return (
        i,
        f"{i * 1.25 + 0.0005:.4f}",
        i / 8,
        moment.replace(microsecond=0),
        moment,
        f"2024-03-{1 + i % 28:02d} 10:00:00.5 +02:00",
        f"2024-03-{1 + i % 28:02d} 10:00:00.5 UTC",
        f"{NAMES[i % len(NAMES)]}{i:03d}",
    )


@pytest.fixture
def typed_table(oracle_connect: Callable[..., oracledb.Connection]) -> Iterator[str]:
    name = "NLS_TYPES"
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(TYPES_DDL.format(name=name))
        # a datetime binds as DATE unless told: TS keeps its fraction as a TIMESTAMP
        cursor.setinputsizes(None, None, None, None, oracledb.DB_TYPE_TIMESTAMP)
        cursor.executemany(
            f"INSERT INTO {name} VALUES (:1, TO_NUMBER(:2, '99999999D9999',"
            " 'NLS_NUMERIC_CHARACTERS=''.,'''), :3, :4, :5,"
            " TO_TIMESTAMP_TZ(:6, 'YYYY-MM-DD HH24:MI:SS.FF TZH:TZM'),"
            " TO_TIMESTAMP_TZ(:7, 'YYYY-MM-DD HH24:MI:SS.FF TZR'), :8)",
            [_row(i) for i in range(ROWS)],
        )
        connection.commit()
    yield name
    with oracle_connect() as connection:
        connection.cursor().execute(f"DROP TABLE {name} PURGE")


def _expected(i: int) -> dict[str, object]:
    moment = dt.datetime(2024, 3, 1, 12, 30, 15, 250000) + dt.timedelta(days=i, minutes=i)
    day = 1 + i % 28
    return {
        "ID": i,
        "AMOUNT": f"{i * 1.25 + 0.0005:.4f}",
        "RATIO": i / 8,
        "DAY": moment.replace(microsecond=0).isoformat(),
        "TS": moment.isoformat(),
        "TSTZ": f"2024-03-{day:02d}T08:00:00.500000Z",
        "LTZ": f"2024-03-{day:02d}T10:00:00.500000Z",
        "NAME": f"{NAMES[i % len(NAMES)]}{i:03d}",
    }


def _rows(
    bucket: storage.Bucket, result: DagResult, task: str = "extract", map_index: int = -1
) -> list[dict]:
    assert result.state == OK, result.tasks
    return read_jsonl_parts(bucket, result.xcom(task, map_index)["objects"])


def test_the_session_is_german_unless_the_hook_sets_it(
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    from airflow_oracle_etl.hooks.session_nls import SESSION_NLS_SQL

    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT SESSIONTIMEZONE, TO_CHAR(1.5) FROM dual")
        assert cursor.fetchone() == ("Europe/Berlin", "1,5")
        cursor.execute(SESSION_NLS_SQL)
        cursor.execute("SELECT TO_CHAR(1.5), TO_NUMBER('2.25') FROM dual")
        assert cursor.fetchone() == ("1.5", 2.25)


def test_exact_output_of_every_type(
    typed_table: str, run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    rows = _rows(gcs_bucket, run_dag(extract_dag(gcs_bucket.name, table=typed_table)))
    assert sorted(rows, key=lambda row: row["ID"]) == [_expected(i) for i in range(ROWS)]


@pytest.mark.parametrize("key", ["AMOUNT", "RATIO", "DAY", "TS"])
def test_partition_bounds_cover_the_table_once(
    key: str,
    typed_table: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
) -> None:
    result = run_dag(
        f"""
from airflow_oracle_etl.operators.plan import OracleExtractPlanOperator

COMMON = dict(oracle_conn_id=ORACLE_CONN_ID, gcp_conn_id=GCP_CONN_ID, bucket={gcs_bucket.name!r})
with DAG(DAG_ID, schedule=None, start_date=dt.datetime(2024, 1, 1)) as dag:
    plan = OracleExtractPlanOperator(task_id="plan", table={typed_table!r}, partitions=4,
                                     partition_by={key!r}, **COMMON)
    OracleToGCSJsonlOperator.partial(task_id="extract", table={typed_table!r}, **COMMON
                                     ).expand_kwargs(plan.output)
"""
    )
    assert result.state == OK, result.tasks
    extracts = [index for task, index in result.tasks if task == "extract"]
    assert len(extracts) > 1
    ids = []
    for index in extracts:
        ids += [row["ID"] for row in _rows(gcs_bucket, result, "extract", index)]
    assert sorted(ids) == list(range(ROWS))


@pytest.mark.parametrize("column", ["AMOUNT", "TS"])
def test_incremental_watermarks_read_exactly_the_new_rows(
    column: str,
    typed_table: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    dag = extract_dag(
        gcs_bucket.name,
        table=typed_table,
        transport=f"inc_{column}",
        incremental={"column": column},
    )
    first = _rows(gcs_bucket, run_dag(dag))
    assert sorted(row["ID"] for row in first) == list(range(ROWS))
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {typed_table} SET AMOUNT = AMOUNT + 1000.0625,"
            " TS = TS + INTERVAL '400' DAY WHERE ID IN (7, 41)"
        )
        connection.commit()
    second = _rows(gcs_bucket, run_dag(dag))
    assert sorted(row["ID"] for row in second) == [7, 41]
    assert {row["AMOUNT"] for row in second} == {
        f"{i * 1.25 + 0.0005 + 1000.0625:.4f}".rstrip("0") for i in (7, 41)
    }
    assert _rows(gcs_bucket, run_dag(dag)) == []


@pytest.fixture
def named_table(oracle_connect: Callable[..., oracledb.Connection]) -> Iterator[str]:
    """A text primary key whose binary and German orders differ, many rows of it."""
    name = "NLS_NAMED"
    with oracle_connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (NAME VARCHAR2(20) PRIMARY KEY, N NUMBER)")
        cursor.executemany(
            f"INSERT INTO {name} VALUES (:1, :2)",
            [(f"{NAMES[i % len(NAMES)]}{i:05d}", i) for i in range(6_000)],
        )
        connection.commit()
    yield name
    with oracle_connect() as connection:
        connection.cursor().execute(f"DROP TABLE {name} PURGE")


def test_a_retry_resumes_after_its_checkpoints_on_a_text_key(
    named_table: str, run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="CrashesAfterCheckpoints",
            preamble=CRASHES_AFTER_CHECKPOINTS,
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
            table=named_table,
            fetch={"batch_rows": 500},
            parts={"max_rows": 1_000},
        )
    )
    assert result.state == OK
    assert result.tasks[("extract", -1)] == ("success", 2)
    summary = result.xcom("extract")
    attempts = [parse_part_name(name).attempt for name in summary["objects"]]  # type: ignore[union-attr]
    assert attempts.count(1) >= 2  # the retry kept try 1's checkpointed parts
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    assert sorted(int(row["N"]) for row in rows) == list(range(6_000))
    names = [row["NAME"] for row in rows]
    assert names == sorted(names)  # binary order, as the restart key compares
