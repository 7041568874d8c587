"""The watermark state is the last committed table manifest in the bucket, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs import TableLayout, TableManifest, Totals, WatermarkRange
from airflow_oracle_etl.gcs.manifest import write_manifest
from airflow_oracle_etl.incremental import CommittedWatermark, last_committed_watermark

T0 = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)
TABLE = "DEMO.ORDERS"


def layout(run_id: str, table: str = TABLE, prefix: str = "lake") -> TableLayout:
    return TableLayout(prefix, "sales", table, run_id)


def commit(
    bucket: storage.Bucket,
    run_id: str,
    high: str | None,
    *,
    finished: dt.datetime,
    column: str = "UPDATED",
    scn: int | None = 100,
    partition: int | None = None,
    where: TableLayout | None = None,
    watermark: bool = True,
) -> str:
    """Store a manifest as a committed run would have (the parts are beside the point)."""
    target = where or layout(run_id)
    manifest = TableManifest(
        transport=target.transport,
        table=target.table,
        run_id=run_id,
        attempt=1,
        partition=partition,
        bucket=bucket.name,
        scn=scn,
        watermark=WatermarkRange(column=column, low=None, high=high) if watermark else None,
        started_at=finished - HOUR / 2,
        finished_at=finished,
        totals=Totals(),
    )
    name = target.manifest_name(partition)
    write_manifest(bucket, name, manifest, if_generation_match=None)
    return name


def test_no_manifest_means_no_state(gcs_bucket: storage.Bucket) -> None:
    assert last_committed_watermark(gcs_bucket, layout("now"), "updated") is None


def test_the_latest_finished_run_wins_whatever_the_names_or_write_order(
    gcs_bucket: storage.Bucket,
) -> None:
    commit(gcs_bucket, "run-c", "2024-05-03 00:00:00", finished=T0 + 3 * HOUR, scn=300)
    newest = commit(gcs_bucket, "run-a", "2024-05-04 00:00:00", finished=T0 + 4 * HOUR, scn=400)
    commit(gcs_bucket, "run-b", "2024-05-02 00:00:00", finished=T0 + 2 * HOUR, scn=200)
    found = last_committed_watermark(gcs_bucket, layout("now"), "updated")
    assert isinstance(found, CommittedWatermark)
    assert (found.column, found.high, found.scn) == ("UPDATED", "2024-05-04 00:00:00", 400)
    assert found.manifest == newest
    assert found.finished_at == T0 + 4 * HOUR
    assert found.as_range() == WatermarkRange(column="UPDATED", high="2024-05-04 00:00:00")


def test_uncommitted_and_foreign_output_is_not_state(gcs_bucket: storage.Bucket) -> None:
    commit(gcs_bucket, "good", "10", finished=T0)
    later = T0 + HOUR
    # a failed partitioned run: partition manifests and parts, no table manifest
    commit(gcs_bucket, "failed", "99", finished=later, partition=0)
    failed_prefix = layout("failed").run_prefix
    gcs_bucket.blob(f"{failed_prefix}part-0000-00000-a1.jsonl.gz").upload_from_string(b"x")
    # runs of another column, without a watermark, of another table, under another prefix
    commit(gcs_bucket, "other-column", "98", finished=later, column="CHANGED")
    commit(gcs_bucket, "full-load", None, finished=later, watermark=False)
    commit(gcs_bucket, "x", "97", finished=later, where=layout("x", table="DEMO.ORDERS2"))
    commit(gcs_bucket, "y", "96", finished=later, where=layout("y", prefix="lake/old"))
    # a stray object named like a manifest, one level too deep
    gcs_bucket.blob(f"{failed_prefix}nested/_manifest.json").upload_from_string(b"{}")
    found = last_committed_watermark(gcs_bucket, layout("now"), "updated")
    assert found is not None and found.high == "10"
    changed = last_committed_watermark(gcs_bucket, layout("now"), "changed")
    assert changed is not None and changed.high == "98"


def test_a_rerun_plans_from_the_run_before_it(gcs_bucket: storage.Bucket) -> None:
    """Re-running a committed run (a cleared task) must not start from its own high, nor from
    runs after it: its new manifest replaces the old one, so it must read at least as much."""
    commit(gcs_bucket, "run-1", "1", finished=T0, scn=10)
    commit(gcs_bucket, "run-2", "2", finished=T0 + HOUR, scn=20)
    commit(gcs_bucket, "run-3", "3", finished=T0 + 2 * HOUR, scn=30)
    again = last_committed_watermark(gcs_bucket, layout("run-2"), "updated")
    assert again is not None and (again.high, again.scn) == ("1", 10)
    fresh = last_committed_watermark(gcs_bucket, layout("run-4"), "updated")
    assert fresh is not None and fresh.high == "3"


def test_quoted_column_names_match_exactly(gcs_bucket: storage.Bucket) -> None:
    commit(gcs_bucket, "run-1", "5", finished=T0, column="Updated At")
    assert last_committed_watermark(gcs_bucket, layout("now"), "updated_at") is None
    found = last_committed_watermark(gcs_bucket, layout("now"), '"Updated At"')
    assert found is not None and found.high == "5"


@pytest.mark.parametrize("prefix", ["lake/[x]*", "lake/{a,b}?"])
def test_glob_characters_in_the_prefix_are_harmless(
    gcs_bucket: storage.Bucket, prefix: str
) -> None:
    commit(gcs_bucket, "run-1", "7", finished=T0, where=layout("run-1", prefix=prefix))
    found = last_committed_watermark(gcs_bucket, layout("now", prefix=prefix), "updated")
    assert found is not None and found.high == "7"
