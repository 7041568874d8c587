"""OracleToGCSJsonlOperator end to end: the Oracle emulator, fake-gcs-server and Airflow's
own task runner (``dag.test()``), with the real oracledb and google-cloud-storage clients."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import oracledb
import pytest
from google.cloud import storage

from .conftest import ORACLE_PASSWORD, Code, DagResult, extract_dag, read_jsonl_parts

OK = "success"

CRASHES_ONCE = """
    from airflow_oracle_etl.extraction import TableExtraction

    class CrashingExtraction(TableExtraction):
        # fails the first try after several parts were uploaded, as a dying worker would
        def run(self, plan, **kwargs):
            self.try_number = kwargs["try_number"]
            return super().run(plan, **kwargs)

        def _batches(self, plan, resumed):
            for number, batch in enumerate(super()._batches(plan, resumed)):
                if self.try_number == 1 and number == 5:
                    raise RuntimeError("simulated crash in the middle of the table")
                yield batch

    class CrashesOnce(OracleToGCSJsonlOperator):
        extraction_class = CrashingExtraction
"""

NO_TEMP_FILES = """
    import tempfile
    from pathlib import Path

    class NoTempFiles(OracleToGCSJsonlOperator):
        # fails if the extraction leaves anything new in the temp directory
        def execute(self, context):
            before = set(Path(tempfile.gettempdir()).iterdir())
            summary = super().execute(context)
            created = set(Path(tempfile.gettempdir()).iterdir()) - before
            if created:
                raise AssertionError(f"created under the temp directory: {created}")
            return summary
"""

LISTS_BEFORE_COMMIT = """
    from airflow_oracle_etl.extraction import TableExtraction

    class ListingExtraction(TableExtraction):
        # records what a reader listing the bucket sees once every part is uploaded
        seen = []

        def _write(self, plan, *args):
            written = super()._write(plan, *args)
            ListingExtraction.seen = sorted(blob.name for blob in self.bucket.list_blobs())
            return written

    class ListsBeforeCommit(OracleToGCSJsonlOperator):
        extraction_class = ListingExtraction

        def execute(self, context):
            summary = super().execute(context)
            return {**summary, "seen_before_commit": ListingExtraction.seen}
"""


def _manifest(bucket: storage.Bucket, name: str) -> dict:
    return json.loads(bucket.blob(name).download_as_bytes())


def test_table_lands_as_gzipped_jsonl_with_manifest_and_schema(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            table="SALES_ORDER",
            prefix="exports",
            transport="daily_sales",
            parts={"max_rows": 3_000},
        )
    )
    assert result.state == OK
    summary = result.xcom("extract")
    manifest = _manifest(gcs_bucket, summary["manifest"])
    rows = read_jsonl_parts(gcs_bucket, [part["name"] for part in manifest["parts"]])
    assert summary["rows"] == manifest["totals"]["rows"] == len(rows) == 10_000
    assert summary["parts"] == len(manifest["parts"]) == 4  # rotated every 3,000 rows
    assert [part["rows"] for part in manifest["parts"]] == [3_000, 3_000, 3_000, 1_000]
    assert sorted(row["ORDER_ID"] for row in rows) == list(range(1, 10_001))
    assert summary["manifest"].startswith("exports/daily_sales/DEMO.SALES_ORDER/run_id=")
    assert manifest["scn"] == summary["scn"] and manifest["scn"] > 0
    assert [c["name"] for c in manifest["columns"]][:2] == ["ORDER_ID", "CUSTOMER_ID"]
    schema = json.loads(gcs_bucket.blob(manifest["schema_object"]).download_as_bytes())
    assert {"name": "ORDER_ID", "type": "INT64", "mode": "REQUIRED"}.items() <= schema[0].items()
    listed = {blob.name for blob in gcs_bucket.list_blobs()}
    assert {part["name"] for part in manifest["parts"]} <= listed
    assert ORACLE_PASSWORD not in json.dumps(manifest) + json.dumps(summary)


def test_every_type_exactly(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(extract_dag(gcs_bucket.name, table="demo.all_types"))
    assert result.state == OK
    summary = result.xcom("extract")
    rows = {row["ID"]: row for row in read_jsonl_parts(gcs_bucket, summary["objects"])}
    first = rows[1]
    assert first["C_NUMBER"] == "1234.5"
    assert first["C_NUMBER_38"] == "12345678901234567890123456789012345678"
    assert first["C_NUMBER_P_S"] == "-50000.0001"
    assert first["C_BIN_DOUBLE"] == 3.141592653589793
    assert first["C_CHAR"] == "abc       "
    assert first["C_NVARCHAR2"] == "Grüße, 東京"
    assert first["C_DATE"] == "2024-02-29T00:00:00"
    assert first["C_TS6"] == "2024-02-29T23:59:59.123456"
    assert first["C_TS9"] == "2024-02-29T23:59:59.123456789"
    assert first["C_TSTZ"] == "2024-02-29T22:59:59.500000Z"
    assert first["C_IDS"] == "P3DT4H5M6.789S"
    assert first["C_IYM"] == "P2Y3M"
    assert first["C_RAW"] == "AP8Q"
    assert first["C_CLOB"] == "short clob"
    assert first["C_BLOB"] == "3q2+7w=="
    assert rows[2]["C_TS9"] == "1999-12-31T23:59:59.000000001"
    assert rows[3]["C_NUMBER"] is None and rows[3]["C_CLOB"] is None


@pytest.mark.parametrize("count", [0, 1, 9_999, 10_000, 10_001])
def test_row_counts_at_batch_edges(
    count: int,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    table = f"EDGE_{count}"
    with oracle_connect().cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} AS SELECT * FROM BENCH_ROWS WHERE ID <= {count}")
    try:
        result = run_dag(extract_dag(gcs_bucket.name, table=table))
        assert result.state == OK
        summary = result.xcom("extract")
        rows = read_jsonl_parts(gcs_bucket, summary["objects"])
        assert len(rows) == summary["rows"] == count
        assert sorted(r["ID"] for r in rows) == list(range(1, count + 1))
        manifest = _manifest(gcs_bucket, summary["manifest"])
        assert manifest["totals"]["rows"] == count  # an empty table still commits a manifest
    finally:
        with oracle_connect().cursor() as cursor:
            cursor.execute(f"DROP TABLE {table} PURGE")


def test_retry_without_checkpoints_rereads_and_leaves_one_copy_of_each_row(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    # checkpointed retries are in test_resume.py; here the read is unordered and starts over
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="CrashesOnce",
            preamble=CRASHES_ONCE,
            table="BENCH_ROWS",
            fetch={"batch_rows": 5_000},
            parts={"max_rows": 10_000},
            checkpoint=False,
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
        )
    )
    assert result.state == OK
    assert result.tasks[("extract", -1)] == ("success", 2)
    summary = result.xcom("extract")
    assert summary["attempt"] == 2
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    ids = [row["ID"] for row in rows]
    assert len(ids) == len(set(ids)) == 100_000
    # the first attempt's parts are gone: every part left is listed by the manifest
    part_names = {b.name for b in gcs_bucket.list_blobs() if "/part-" in b.name}
    assert part_names == set(summary["objects"])
    assert all(name.endswith("-a2.jsonl.gz") for name in part_names)


def test_query_mode_templated_and_bound_parameters_progress_and_no_temp_files(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="NoTempFiles",
            preamble=NO_TEMP_FILES,
            dag_arguments=", params={'status': 'PAID'}",
            name="paid_orders",
            sql="SELECT ORDER_ID, STATUS, TOTAL_AMOUNT FROM SALES_ORDER WHERE STATUS = :status",
            parameters={"status": "{{ params.status }}"},
            prefix="{{ dag.dag_id }}",
            progress_interval=0.0,
        )
    )
    assert result.state == OK
    summary = result.xcom("extract")
    rows = read_jsonl_parts(gcs_bucket, summary["objects"])
    assert rows and {row["STATUS"] for row in rows} == {"PAID"}
    assert all(isinstance(row["TOTAL_AMOUNT"], str) for row in rows if row["TOTAL_AMOUNT"])
    assert summary["manifest"].startswith(f"{result.dag_id}/{result.dag_id}/paid_orders/")
    progress = result.task_state("extract", "progress")
    assert progress["phase"] == "done"
    assert progress["rows"] == len(rows)
    assert progress["parts"] == summary["parts"] == 1


def test_quoted_mixed_case_identifiers(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    with oracle_connect().cursor() as cursor:
        cursor.execute('CREATE TABLE "Mixed_Case" ("Id" NUMBER(5), "Some Col" VARCHAR2(10))')
        cursor.execute("INSERT INTO \"Mixed_Case\" VALUES (1, 'a')")
        cursor.connection.commit()
    try:
        result = run_dag(extract_dag(gcs_bucket.name, table='"Mixed_Case"', table_owner="demo"))
        assert result.state == OK
        rows = read_jsonl_parts(gcs_bucket, result.xcom("extract")["objects"])
        assert rows == [{"Id": 1, "Some Col": "a"}]
    finally:
        with oracle_connect().cursor() as cursor:
            cursor.execute('DROP TABLE "Mixed_Case" PURGE')


@pytest.mark.parametrize(
    "table", ["SALES_ORDER; DROP TABLE CUSTOMER", 'SALES_ORDER" --', "SALES_ORDER WHERE 1=1"]
)
def test_injection_in_table_name_fails_clearly_and_writes_nothing(
    table: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = run_dag(extract_dag(gcs_bucket.name, table=table))
    assert result.state == "failed"
    out, err = capfd.readouterr()
    assert "is not a valid Oracle identifier" in out + err
    assert list(gcs_bucket.list_blobs()) == []


def test_listing_before_commit_shows_parts_but_no_manifest(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="ListsBeforeCommit",
            preamble=LISTS_BEFORE_COMMIT,
            table="CUSTOMER",
            parts={"max_rows": 400},
        )
    )
    assert result.state == OK
    summary = result.xcom("extract")
    seen = summary["seen_before_commit"]
    assert seen == sorted(summary["objects"]) and len(seen) == 3
    assert not any("_manifest" in name for name in seen)
    assert gcs_bucket.blob(summary["manifest"]).exists()


@pytest.mark.slow
def test_a_million_rows(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    with oracle_connect().cursor() as cursor:
        cursor.execute(
            "CREATE TABLE MILLION AS SELECT b.ID + 100000 * (c.ID - 1) AS ID, b.NAME, b.AMOUNT,"
            " b.UPDATED FROM BENCH_ROWS b, BENCH_ROWS c WHERE c.ID <= 10"
        )
    try:
        result = run_dag(extract_dag(gcs_bucket.name, table="MILLION", parts={"max_rows": 400_000}))
        assert result.state == OK
        summary = result.xcom("extract")
        assert summary["rows"] == 1_000_000 and summary["parts"] == 3
        # an expression column is NUMBER without precision: exact decimal text
        ids = [int(row["ID"]) for row in read_jsonl_parts(gcs_bucket, summary["objects"])]
        assert len(ids) == len(set(ids)) == 1_000_000
        assert min(ids) == 1 and max(ids) == 1_000_000
    finally:
        with oracle_connect().cursor() as cursor:
            cursor.execute("DROP TABLE MILLION PURGE")


def test_large_lobs_are_read_whole(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    text = "Grüße aus Zürich, 東京 " * 220_000  # about 5 MB of UTF-8
    blob = bytes(range(256)) * 20_000
    with oracle_connect().cursor() as cursor:
        cursor.execute("CREATE TABLE BIG_LOBS (ID NUMBER(3), DOC CLOB, IMG BLOB)")
        cursor.setinputsizes(None, oracledb.DB_TYPE_CLOB, oracledb.DB_TYPE_BLOB)
        cursor.execute("INSERT INTO BIG_LOBS VALUES (:1, :2, :3)", [1, text, blob])
        cursor.connection.commit()
    try:
        result = run_dag(extract_dag(gcs_bucket.name, table="BIG_LOBS"))
        assert result.state == OK
        (row,) = read_jsonl_parts(gcs_bucket, result.xcom("extract")["objects"])
        assert row["DOC"] == text
        assert base64.b64decode(row["IMG"]) == blob
    finally:
        with oracle_connect().cursor() as cursor:
            cursor.execute("DROP TABLE BIG_LOBS PURGE")


def test_chosen_columns_in_the_order_given(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(gcs_bucket.name, table="CUSTOMER", columns=["country", '"CUSTOMER_ID"'])
    )
    assert result.state == OK
    rows = read_jsonl_parts(gcs_bucket, result.xcom("extract")["objects"])
    assert len(rows) == 1_000
    assert all(list(row) == ["COUNTRY", "CUSTOMER_ID"] for row in rows)
    manifest = _manifest(gcs_bucket, result.xcom("extract")["manifest"])
    assert [c["name"] for c in manifest["columns"]] == ["COUNTRY", "CUSTOMER_ID"]


def test_an_unknown_column_fails_naming_it(
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = run_dag(extract_dag(gcs_bucket.name, table="CUSTOMER", columns=["NOPE"]))
    assert result.state == "failed"
    out, err = capfd.readouterr()
    assert "DEMO.CUSTOMER has no column 'NOPE'" in out + err
    assert list(gcs_bucket.list_blobs()) == []


LOSES_A_ROW = """
    from airflow_oracle_etl.extraction import TableExtraction

    class MiscountingExtraction(TableExtraction):
        # a writer defect: one row more was read than the parts hold
        def _write(self, plan, *args):
            parts, rows_read = super()._write(plan, *args)
            return parts, rows_read + 1

    class LosesARow(OracleToGCSJsonlOperator):
        extraction_class = MiscountingExtraction
"""


def test_parts_that_do_not_hold_the_rows_read_are_never_committed(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name, operator="LosesARow", preamble=LOSES_A_ROW, table="CUSTOMER",
            retries=2,
        )
    )  # fmt: skip

    assert result.state == "failed"
    assert result.tasks[("extract", -1)] == ("failed", 1)  # permanent: no retry
    names = [blob.name for blob in gcs_bucket.list_blobs()]
    assert names and not [name for name in names if "_manifest" in name]
