"""The commit protocol: manifests written last and atomically, retries that leave one copy."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import datetime, timezone

import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import storage

from airflow_oracle_etl.gcs import (
    AttemptStart,
    JobManifest,
    JobTable,
    ManifestConflictError,
    ManifestError,
    PartInfo,
    TableLayout,
    TableManifest,
    TableWriter,
    Totals,
    WatermarkRange,
    WriterSettings,
    begin_attempt,
    commit_manifest,
    delete_stale_parts,
    list_parts,
    read_manifest,
    read_manifest_with_generation,
    write_json,
    write_manifest,
)
from airflow_oracle_etl.gcs.settings import CHUNK_GRANULARITY
from airflow_oracle_etl.metadata import OracleColumn
from tests.integration.gcs.jsonl import numbered_lines, slices

LAYOUT = TableLayout("lake", "sales", "DEMO.SALES_ORDER", "scheduled__2024-05-01T00:00:00+00:00")
SETTINGS = WriterSettings(chunk_size=CHUNK_GRANULARITY, max_rows=1_000)
COLUMNS = (
    OracleColumn(name="SEQ", data_type="NUMBER", precision=12, scale=0, nullable=False),
    OracleColumn(name="AMOUNT", data_type="NUMBER", precision=12, scale=2),
    OracleColumn(name="UPDATED", data_type="TIMESTAMP(6)", comment="last change"),
)
T0 = datetime(2024, 5, 1, 0, 0, tzinfo=timezone.utc)


def write_attempt(
    bucket: storage.Bucket, attempt: int, lines: list[bytes], partition: int = 0
) -> list[PartInfo]:
    with TableWriter(
        bucket, LAYOUT, partition=partition, attempt=attempt, settings=SETTINGS
    ) as writer:
        for payload, rows in slices(lines, 400):
            writer.write(payload, rows)
        return writer.close()


def manifest_for(
    bucket: storage.Bucket, attempt: int, parts: list[PartInfo], partition: int | None = None
) -> TableManifest:
    return TableManifest(
        transport=LAYOUT.transport,
        table=LAYOUT.table,
        run_id=LAYOUT.run_id,
        attempt=attempt,
        partition=partition,
        bucket=bucket.name,
        parts=tuple(parts),
        columns=COLUMNS,
        schema_object=LAYOUT.schema_name,
        scn=987654321,
        watermark=WatermarkRange(column="UPDATED", low="2024-04-30T00:00:00", high=None),
        started_at=T0,
        finished_at=datetime.now(timezone.utc),
        totals=Totals.of(parts),
    )


def commit(
    bucket: storage.Bucket,
    attempt: int,
    parts: list[PartInfo],
    generation: int | None = None,
    *,
    fresh: bool = False,
) -> list[str]:
    """Commit ``parts`` as ``attempt``'s manifest of the whole table."""
    return commit_manifest(
        bucket,
        LAYOUT.manifest_name(),
        manifest_for(bucket, attempt, parts),
        parts_prefix=LAYOUT.parts_prefix(),
        generation=generation,
        fresh=fresh,
    )


def begin_listing(bucket: storage.Bucket, try_number: int) -> AttemptStart:
    """An attempt at the whole table, begun by listing its run prefix."""
    return begin_attempt(
        bucket, LAYOUT.manifest_name(), try_number=try_number, run_prefix=LAYOUT.run_prefix
    )


def commit_started(
    bucket: storage.Bucket, start: AttemptStart, parts: list[PartInfo], attempt: int | None = None
) -> list[str]:
    """Commit ``parts`` as the attempt ``start`` began (its number unless ``attempt``)."""
    number = start.number if attempt is None else attempt
    return commit(bucket, number, parts, start.manifest_generation, fresh=start.fresh)


def wait_for_parts(writer: TableWriter, count: int) -> None:
    for _ in range(200):
        if writer.progress.parts >= count:
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"{count} part(s) never finished")


def names(bucket: storage.Bucket) -> set[str]:
    return {blob.name for blob in bucket.list_blobs()}


def rows_through_manifest(bucket: storage.Bucket, manifest_name: str) -> list[bytes]:
    """What a reader that trusts only the manifest gets."""
    manifest = read_manifest(bucket, manifest_name)
    assert isinstance(manifest, TableManifest)
    lines: list[bytes] = []
    for part in manifest.parts:
        blob = bucket.blob(part.name)
        data = blob.download_as_bytes(raw_download=True, if_generation_match=part.generation)
        lines += gzip.decompress(data).splitlines(keepends=True)
    return lines


def test_listing_before_the_manifest_shows_parts_but_no_manifest(
    gcs_bucket: storage.Bucket,
) -> None:
    lines = numbered_lines(0, 2_500)
    parts = write_attempt(gcs_bucket, 1, lines)
    listing = names(gcs_bucket)
    assert listing == {p.name for p in parts}
    assert LAYOUT.manifest_name() not in listing
    assert read_manifest(gcs_bucket, LAYOUT.manifest_name()) is None
    assert [b.name for b in list_parts(gcs_bucket, LAYOUT.run_prefix)] == [p.name for p in parts]

    deleted = commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 1, parts),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    assert deleted == []
    assert names(gcs_bucket) == {p.name for p in parts} | {LAYOUT.manifest_name()}
    assert rows_through_manifest(gcs_bucket, LAYOUT.manifest_name()) == lines


def test_retry_replaces_parts_only_after_its_manifest(gcs_bucket: storage.Bucket) -> None:
    manifest_name = LAYOUT.manifest_name()
    first_lines = numbered_lines(0, 2_200)
    first = write_attempt(gcs_bucket, 1, first_lines)
    commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 1, first),
        parts_prefix=LAYOUT.parts_prefix(),
    )

    # attempt 2 fails half-way: one finished part is left behind, listed by no manifest
    failed = TableWriter(gcs_bucket, LAYOUT, attempt=2, settings=SETTINGS)
    for payload, rows in slices(numbered_lines(0, 1_500), 500):
        failed.write(payload, rows)
    wait_for_parts(failed, 1)
    failed.abort()

    # attempt 3 (the source changed meanwhile: fewer rows) writes its parts...
    attempt = begin_attempt(gcs_bucket, manifest_name, try_number=3).number
    assert attempt == 3
    new_lines = numbered_lines(100, 1_800)
    new = write_attempt(gcs_bucket, attempt, new_lines)
    # ...and until it commits, readers still get attempt 1, whose parts all survive
    assert {p.name for p in first} <= names(gcs_bucket)
    assert rows_through_manifest(gcs_bucket, manifest_name) == first_lines

    deleted = commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 3, new),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    assert set(deleted) >= {p.name for p in first}
    assert any("-a2." in name for name in deleted)  # the failed attempt's orphan
    assert names(gcs_bucket) == {p.name for p in new} | {manifest_name}
    # exactly one copy of each row
    assert rows_through_manifest(gcs_bucket, manifest_name) == new_lines


def test_same_try_number_rerun_gets_a_fresh_attempt(gcs_bucket: storage.Bucket) -> None:
    manifest_name = LAYOUT.manifest_name()
    assert begin_attempt(gcs_bucket, manifest_name, try_number=1).number == 1
    parts = write_attempt(gcs_bucket, 1, numbered_lines(0, 10))
    commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 1, parts),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    assert begin_attempt(gcs_bucket, manifest_name, try_number=1).number == 2
    assert begin_attempt(gcs_bucket, manifest_name, try_number=5).number == 5


def test_an_older_attempt_cannot_replace_a_newer_manifest(gcs_bucket: storage.Bucket) -> None:
    manifest_name = LAYOUT.manifest_name()
    newer = write_attempt(gcs_bucket, 4, numbered_lines(0, 1_200))
    commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 4, newer),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    older = write_attempt(gcs_bucket, 3, numbered_lines(0, 1_200))  # a zombie of attempt 3
    with pytest.raises(ManifestConflictError, match="attempt 4"):
        commit_manifest(
            gcs_bucket,
            LAYOUT.manifest_name(),
            manifest_for(gcs_bucket, 3, older),
            parts_prefix=LAYOUT.parts_prefix(),
        )
    stored = read_manifest(gcs_bucket, manifest_name)
    assert isinstance(stored, TableManifest) and stored.attempt == 4
    assert {p.name for p in newer} <= names(gcs_bucket)


def test_the_generation_read_when_the_attempt_began_saves_a_read(
    gcs_bucket: storage.Bucket,
) -> None:
    name = LAYOUT.manifest_name()
    first = begin_attempt(gcs_bucket, name, try_number=1)
    assert (first.number, first.manifest_generation) == (1, 0)
    parts = write_attempt(gcs_bucket, first.number, numbered_lines(0, 10))
    commit(gcs_bucket, 1, parts, generation=first.manifest_generation)
    second = begin_attempt(gcs_bucket, name, try_number=2)
    stored = read_manifest_with_generation(gcs_bucket, name)
    assert stored is not None and (second.number, second.manifest_generation) == (2, stored[1])
    again = write_attempt(gcs_bucket, 2, numbered_lines(0, 20))
    commit(gcs_bucket, 2, again, generation=second.manifest_generation)
    assert len(rows_through_manifest(gcs_bucket, name)) == 20
    assert not {p.name for p in parts} & names(gcs_bucket)  # the replaced parts are gone


def test_a_manifest_written_since_the_attempt_began_is_judged_as_it_is_now(
    gcs_bucket: storage.Bucket,
) -> None:
    """The stale generation does not decide: a later attempt's manifest still wins, an
    earlier one's is replaced, as when the manifest is read just before the write."""
    name = LAYOUT.manifest_name()
    mine = begin_attempt(gcs_bucket, name, try_number=3)
    earlier = write_attempt(gcs_bucket, 2, numbered_lines(0, 5))  # a slow try 2 commits now
    commit(gcs_bucket, 2, earlier)
    parts = write_attempt(gcs_bucket, mine.number, numbered_lines(0, 7))
    commit(gcs_bucket, 3, parts, generation=mine.manifest_generation)
    stored = read_manifest(gcs_bucket, name)
    assert isinstance(stored, TableManifest) and stored.attempt == 3

    late = begin_attempt(gcs_bucket, name, try_number=1)  # attempt 4, then attempt 5 commits
    newer = write_attempt(gcs_bucket, 5, numbered_lines(0, 9))
    commit(gcs_bucket, 5, newer)
    with pytest.raises(ManifestConflictError, match="attempt 5"):
        commit(gcs_bucket, late.number, [], generation=late.manifest_generation)
    assert len(rows_through_manifest(gcs_bucket, name)) == 9


def test_an_empty_run_prefix_makes_a_fresh_attempt_that_lists_nothing_at_commit(
    gcs_bucket: storage.Bucket,
) -> None:
    start = begin_listing(gcs_bucket, try_number=2)
    assert (start.number, start.manifest_generation, start.fresh) == (2, 0, True)
    lines = numbered_lines(0, 1_200)

    deleted = commit_started(gcs_bucket, start, write_attempt(gcs_bucket, start.number, lines))

    assert deleted == []
    assert rows_through_manifest(gcs_bucket, LAYOUT.manifest_name()) == lines


def test_an_orphan_under_the_run_prefix_makes_the_attempt_not_fresh(
    gcs_bucket: storage.Bucket,
) -> None:
    """A try that died before its commit left parts: the next one is not fresh, and its
    commit deletes them."""
    orphans = write_attempt(gcs_bucket, 1, numbered_lines(0, 1_200))
    start = begin_listing(gcs_bucket, try_number=2)
    assert (start.number, start.manifest_generation, start.fresh) == (2, 0, False)
    parts = write_attempt(gcs_bucket, 2, numbered_lines(0, 10))

    deleted = commit_started(gcs_bucket, start, parts)

    assert sorted(deleted) == sorted(part.name for part in orphans)
    assert names(gcs_bucket) == {p.name for p in parts} | {LAYOUT.manifest_name()}


def test_a_committed_manifest_under_the_run_prefix_is_read_as_before(
    gcs_bucket: storage.Bucket,
) -> None:
    first = write_attempt(gcs_bucket, 1, numbered_lines(0, 10))
    commit(gcs_bucket, 1, first)
    stored = read_manifest_with_generation(gcs_bucket, LAYOUT.manifest_name())
    assert stored is not None
    generation = stored[1]

    start = begin_listing(gcs_bucket, try_number=1)

    assert (start.number, start.manifest_generation, start.fresh) == (2, generation, False)


def test_a_fresh_attempt_overtaken_before_its_commit_goes_the_general_way(
    gcs_bucket: storage.Bucket,
) -> None:
    """Fresh when it began, but an earlier attempt still running committed meanwhile: the
    fresh commit's write is refused, the manifest is judged as it is (an earlier attempt's:
    replaced) and its parts are cleaned up; a later attempt's manifest is never replaced."""
    start = begin_listing(gcs_bucket, try_number=3)
    assert start.fresh
    late = write_attempt(gcs_bucket, 1, numbered_lines(0, 1_200))
    commit(gcs_bucket, 1, late)
    lines = numbered_lines(5, 15)

    deleted = commit_started(gcs_bucket, start, write_attempt(gcs_bucket, 3, lines))

    assert sorted(deleted) == sorted(part.name for part in late)
    assert rows_through_manifest(gcs_bucket, LAYOUT.manifest_name()) == lines

    overtaken = begin_listing(gcs_bucket, try_number=1)
    assert not overtaken.fresh and overtaken.number == 4
    # an attempt 2 that began fresh before all this: its commit finds attempt 3's manifest
    stale_start = AttemptStart(number=2, manifest_generation=0, fresh=True)
    with pytest.raises(ManifestConflictError):
        commit_started(gcs_bucket, stale_start, write_attempt(gcs_bucket, 2, numbered_lines(0, 3)))
    assert rows_through_manifest(gcs_bucket, LAYOUT.manifest_name()) == lines


def test_a_run_prefix_must_hold_the_manifest(gcs_bucket: storage.Bucket) -> None:
    other = TableLayout("lake", "sales", "DEMO.OTHER", LAYOUT.run_id)
    with pytest.raises(ValueError, match="not under the run prefix"):
        begin_attempt(gcs_bucket, LAYOUT.manifest_name(), run_prefix=other.run_prefix)


def test_parts_of_a_later_running_attempt_are_spared(gcs_bucket: storage.Bucket) -> None:
    running = write_attempt(gcs_bucket, 6, numbered_lines(0, 500))  # not committed yet
    mine = write_attempt(gcs_bucket, 5, numbered_lines(0, 500))
    deleted = commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 5, mine),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    assert deleted == []
    assert {p.name for p in running} | {p.name for p in mine} <= names(gcs_bucket)


def test_partitions_clean_up_only_their_own_parts(gcs_bucket: storage.Bucket) -> None:
    p0 = write_attempt(gcs_bucket, 1, numbered_lines(0, 300), partition=0)
    p1_old = write_attempt(gcs_bucket, 1, numbered_lines(300, 300), partition=1)
    p1_new = write_attempt(gcs_bucket, 2, numbered_lines(300, 300), partition=1)
    deleted = commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(1),
        manifest_for(gcs_bucket, 2, p1_new, partition=1),
        parts_prefix=LAYOUT.parts_prefix(1),
    )
    assert deleted == [p.name for p in p1_old]
    assert {p.name for p in p0} <= names(gcs_bucket)
    assert LAYOUT.manifest_name(1) in names(gcs_bucket)


def test_delete_stale_parts_keeps_what_it_is_told(gcs_bucket: storage.Bucket) -> None:
    parts = write_attempt(gcs_bucket, 1, numbered_lines(0, 3_000))
    assert write_json(gcs_bucket, LAYOUT.schema_name, b"[]") > 0
    keep = {parts[1].name}
    deleted = delete_stale_parts(gcs_bucket, LAYOUT.parts_prefix(), keep)
    assert sorted(deleted) == sorted(p.name for p in parts if p.name not in keep)
    assert names(gcs_bucket) == keep | {LAYOUT.schema_name}  # non-part objects untouched


def test_manifest_round_trip_and_conditional_writes(gcs_bucket: storage.Bucket) -> None:
    parts = write_attempt(gcs_bucket, 1, numbered_lines(0, 1_500))
    manifest = manifest_for(gcs_bucket, 1, parts)
    name = LAYOUT.manifest_name()
    generation = write_manifest(gcs_bucket, name, manifest, if_generation_match=0)
    stored = read_manifest_with_generation(gcs_bucket, name)
    assert stored == (manifest, generation)
    blob = gcs_bucket.get_blob(name)
    assert blob is not None and blob.content_type == "application/json"
    raw = json.loads(blob.download_as_bytes())
    assert raw["totals"] == {
        "parts": 2,
        "rows": 1_500,
        "bytes": sum(p.uncompressed_bytes for p in parts),
        "compressed_bytes": sum(p.compressed_bytes for p in parts),
    }
    assert [c["name"] for c in raw["columns"]] == ["SEQ", "AMOUNT", "UPDATED"]
    assert raw["scn"] == 987654321
    with pytest.raises(api_exceptions.PreconditionFailed):
        write_manifest(gcs_bucket, name, manifest, if_generation_match=0)
    with pytest.raises(api_exceptions.PreconditionFailed):
        write_manifest(gcs_bucket, name, manifest, if_generation_match=generation + 1)
    assert read_manifest(gcs_bucket, name) == manifest

    job_name = LAYOUT.job_manifest_name
    job = JobManifest(
        transport="sales",
        run_id=LAYOUT.run_id,
        bucket=gcs_bucket.name,
        tables=(JobTable(table=LAYOUT.table, manifest=name, totals=manifest.totals),),
        started_at=T0,
        finished_at=T0,
        totals=manifest.totals,
    )
    write_manifest(gcs_bucket, job_name, job, if_generation_match=0)
    assert read_manifest(gcs_bucket, job_name, JobManifest) == job


def test_committing_the_same_manifest_twice_is_harmless(gcs_bucket: storage.Bucket) -> None:
    parts = write_attempt(gcs_bucket, 1, numbered_lines(0, 1_100))
    manifest = manifest_for(gcs_bucket, 1, parts)
    for _ in range(2):
        commit_manifest(
            gcs_bucket, LAYOUT.manifest_name(), manifest, parts_prefix=LAYOUT.parts_prefix()
        )
    assert read_manifest(gcs_bucket, LAYOUT.manifest_name()) == manifest
    assert {p.name for p in parts} <= names(gcs_bucket)


def test_unreadable_manifest_is_reported(gcs_bucket: storage.Bucket) -> None:
    gcs_bucket.blob(LAYOUT.manifest_name()).upload_from_string(b"{oops")
    with pytest.raises(ManifestError, match=r"_manifest\.json"):
        read_manifest(gcs_bucket, LAYOUT.manifest_name())


def test_manifest_holds_no_secret(
    gcs_bucket: storage.Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Manifests carry no connection details by construction; check the bytes anyway."""
    password = "s3cr3t-Pa55w0rd-do-not-leak"
    monkeypatch.setenv(
        "AIRFLOW_CONN_ORACLE_TEST",
        json.dumps({"conn_type": "oracle", "host": "127.0.0.1", "port": 1521, "login": "demo",
                    "password": password, "extra": {"service_name": "FREEPDB1"}}),
    )  # fmt: skip
    from airflow.models.connection import Connection

    connection = Connection.get_connection_from_secrets("oracle_test")
    assert connection.password == password
    parts = write_attempt(gcs_bucket, 1, numbered_lines(0, 100))
    commit_manifest(
        gcs_bucket,
        LAYOUT.manifest_name(),
        manifest_for(gcs_bucket, 1, parts),
        parts_prefix=LAYOUT.parts_prefix(),
    )
    for blob in gcs_bucket.list_blobs():
        if blob.name.endswith(".json"):
            assert password.encode() not in blob.download_as_bytes()


def test_a_mismatched_parts_prefix_is_refused(gcs_bucket: storage.Bucket) -> None:
    """Committing partition 1 with partition 0's prefix would delete partition 0's parts."""
    p0 = write_attempt(gcs_bucket, 1, numbered_lines(0, 300), partition=0)
    p1 = write_attempt(gcs_bucket, 1, numbered_lines(300, 300), partition=1)
    for manifest in (
        manifest_for(gcs_bucket, 1, p1, partition=1),
        manifest_for(gcs_bucket, 1, [], partition=1),
    ):
        with pytest.raises(ValueError, match="parts_prefix"):
            commit_manifest(
                gcs_bucket,
                LAYOUT.manifest_name(1),
                manifest,
                parts_prefix=LAYOUT.parts_prefix(0),
            )
    assert {p.name for p in p0 + p1} == names(gcs_bucket)
