"""GCS faults between the real google-cloud-storage client and fake-gcs-server.

Every request crosses :class:`~oracle_etl_stack.gcs_faults.GcsFaultProxy`, which
answers 429/500/503 or 403, resets connections, or holds responses back, as a test programs
it, and logs what it saw. The rule under test, for every fault: what was written is intact, no
partial object is finalised, no manifest lists anything unverified; transient faults are
retried with growing waits within ``retry_deadline``; 403 and 404 fail at the first answer
with a message naming the bucket (and the object).

Backoff is checked on the proxy's log: the same request repeated, each gap longer than the one
before. The writer's waits are its step (doubling) times a factor in [0.75, 1], so with a first
step of 0.4 s consecutive gaps differ by at least 0.2 s, far above the proxy's own latency.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
from collections.abc import Callable
from datetime import datetime, timezone

import google_crc32c
import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import storage

from airflow_oracle_etl.gcs import (
    PartInfo,
    TableLayout,
    TableManifest,
    TableWriter,
    Totals,
    WriterSettings,
    commit_manifest,
    read_manifest,
)
from airflow_oracle_etl.gcs.parts import crc32c_base64
from airflow_oracle_etl.gcs.settings import CHUNK_GRANULARITY
from oracle_etl_stack.gcs import EMULATOR_ENV
from oracle_etl_stack.gcs_faults import Exchange, GcsFaultProxy, gaps
from tests.integration.gcs.jsonl import random_lines, slices
from tests.integration.operators.conftest import DagResult, extract_dag, read_jsonl_parts

LAYOUT = TableLayout("faults", "gcs", "DEMO.ORDERS", "manual__2024-05-01T10:00:00+00:00")
ROWS_PER_PART = 600
#: two parts of ~370 KB gzipped each: a full 256 KiB chunk, then the final one
LINES = random_lines(2 * ROWS_PER_PART, 600)
#: a budget long enough for three quick retries, short enough that giving up takes seconds
SETTINGS = WriterSettings(
    chunk_size=CHUNK_GRANULARITY,
    max_rows=ROWS_PER_PART,
    retry_initial=0.4,
    retry_max=5.0,
    retry_deadline=30.0,
    request_timeout=20.0,
)
#: waits of [0.3, 0.4], [0.6, 0.8], then >= 1.2 s: the third retry would end past 2 s
SHORT_BUDGET = WriterSettings(
    chunk_size=CHUNK_GRANULARITY,
    max_rows=ROWS_PER_PART,
    retry_initial=0.4,
    retry_max=5.0,
    retry_deadline=2.0,
    request_timeout=20.0,
)
CHUNK_PUT = "upload_id="
SESSION_OPEN = "uploadType=resumable"
#: a single-request upload: a part smaller than one chunk, a schema object, a manifest
WHOLE_UPLOAD = "uploadType=multipart"
#: manifest writes are the only uploads carrying a generation precondition
MANIFEST_WRITE = "ifGenerationMatch="
T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)


def write_table(
    bucket: storage.Bucket, settings: WriterSettings = SETTINGS, lines: list[bytes] = LINES
) -> list[PartInfo]:
    with TableWriter(bucket, LAYOUT, attempt=1, settings=settings) as writer:
        for payload, rows in slices(lines, 100):
            writer.write(payload, rows)
        return writer.close()


def check_exact(bucket: storage.Bucket, parts: list[PartInfo], lines: list[bytes]) -> None:
    """Stored bytes match the recorded size and crc32c (ours and GCS's); together the parts
    are exactly ``lines``, in order."""
    content = b""
    for part in parts:
        blob = bucket.get_blob(part.name)
        assert blob is not None and blob.crc32c == part.crc32c
        stored = blob.download_as_bytes(raw_download=True, if_generation_match=part.generation)
        assert len(stored) == part.compressed_bytes
        assert crc32c_base64(google_crc32c.Checksum(stored)) == part.crc32c
        content += gzip.decompress(stored)
    assert content == b"".join(lines)


def names(bucket: storage.Bucket) -> list[str]:
    return sorted(blob.name for blob in bucket.list_blobs())


def assert_backed_off(attempts: list[Exchange]) -> None:
    """Each gap between attempts is longer than the one before (exponential backoff)."""
    between = gaps(attempts)
    assert between, "no retry happened"
    assert all(later > earlier for earlier, later in itertools.pairwise(between)), between


def manifest_for(bucket: storage.Bucket, parts: list[PartInfo]) -> TableManifest:
    return TableManifest(
        transport=LAYOUT.transport,
        table=LAYOUT.table,
        run_id=LAYOUT.run_id,
        attempt=1,
        bucket=bucket.name,
        parts=tuple(parts),
        started_at=T0,
        finished_at=T0,
        totals=Totals.of(parts),
    )


# -- transient errors: retried with growing waits, output exact ------------------------------


def test_a_part_smaller_than_a_chunk_is_stored_in_one_request(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    """No session to open, no object to read back: the answer describes what GCS stored,
    and GCS checked the crc32c sent with the bytes."""
    lines = random_lines(2 * 50, 100)  # two parts of ~3 KB gzipped, far under a chunk
    settings = dataclasses.replace(SETTINGS, max_rows=50)

    parts = write_table(faulty_bucket, settings, lines)

    check_exact(faulty_bucket, parts, lines)
    uploads = faulty_gcs.log(path_contains=WHOLE_UPLOAD)
    assert [(e.method, e.status) for e in uploads] == [("POST", 200), ("POST", 200)]
    writes = [e for e in faulty_gcs.log() if e.at <= uploads[-1].at]
    assert writes == uploads  # nothing else was asked to store them


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_on_a_chunk_are_retried(
    status: int, faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    faulty_gcs.fail(status, times=3, method="PUT", path_contains=CHUNK_PUT)  # the first chunk

    parts = write_table(faulty_bucket)

    check_exact(faulty_bucket, parts, LINES)
    puts = faulty_gcs.log(method="PUT")
    first = (puts[0].path, puts[0].content_range)  # a session and a byte range
    attempts = [put for put in puts if (put.path, put.content_range) == first]
    assert [a.status for a in attempts] == [status, status, status, 308]
    assert_backed_off(attempts)
    # the session went on after the retried chunk: every later range once, all accepted
    later = [(put.path, put.content_range, put.status) for put in puts[len(attempts) :]]
    assert len({(path, sent) for path, sent, _ in later}) == len(later) == 3
    assert {status for _, _, status in later} == {200, 308}


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_on_the_session_opening_post_are_retried(
    status: int, faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    faulty_gcs.fail(status, times=3, method="POST", path_contains=SESSION_OPEN)

    parts = write_table(faulty_bucket)

    check_exact(faulty_bucket, parts, LINES)
    opens = faulty_gcs.log(method="POST", path_contains=SESSION_OPEN)
    assert [post.status for post in opens] == [status, status, status, 200, 200]  # 2 parts
    assert_backed_off(opens[:4])


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_on_the_manifest_write_are_retried(
    status: int, faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    parts = write_table(faulty_bucket)
    manifest = manifest_for(faulty_bucket, parts)
    faulty_gcs.fail(status, times=2, method="POST", path_contains=MANIFEST_WRITE)

    commit_manifest(
        faulty_bucket, LAYOUT.manifest_name(), manifest, parts_prefix=LAYOUT.parts_prefix()
    )

    assert read_manifest(faulty_bucket, LAYOUT.manifest_name()) == manifest
    check_exact(faulty_bucket, parts, LINES)
    writes = faulty_gcs.log(method="POST", path_contains=MANIFEST_WRITE)
    assert [post.status for post in writes] == [status, status, 200]
    assert_backed_off(writes)


# -- connection resets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "skip"),
    [("request", 0), ("response", 0), ("response", 1)],
    ids=["mid-request", "after-a-chunk-was-stored", "after-the-object-was-finalised"],
)
def test_connection_reset_mid_upload_is_retried(
    when: str, skip: int, faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    """Reset half-way through sending a chunk (GCS never got it), or after GCS stored it and
    before the client heard (the retry sends the range again; GCS keeps one copy), including
    the part's last chunk (the object exists when the client retries)."""
    faulty_gcs.reset(times=1, skip=skip, method="PUT", path_contains=CHUNK_PUT, when=when)

    parts = write_table(faulty_bucket)

    check_exact(faulty_bucket, parts, LINES)  # crc32c as sent, as GCS computed, as recorded
    puts = faulty_gcs.log(method="PUT")
    reset = next(i for i, put in enumerate(puts) if put.outcome == "reset")
    retry = puts[reset + 1]
    assert retry.content_range == puts[reset].content_range
    assert retry.status == (200 if skip else 308)
    assert retry.outcome == ("forwarded" if when == "request" else "replayed")
    assert names(faulty_bucket) == sorted(part.name for part in parts)


def test_connection_reset_after_the_manifest_was_stored(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    """The manifest write reached GCS but its answer was lost: the retry's precondition fails
    (412) and the commit recognises its own manifest instead of reporting a conflict."""
    parts = write_table(faulty_bucket)
    manifest = manifest_for(faulty_bucket, parts)
    faulty_gcs.reset(times=1, method="POST", path_contains=MANIFEST_WRITE, when="response")

    commit_manifest(
        faulty_bucket, LAYOUT.manifest_name(), manifest, parts_prefix=LAYOUT.parts_prefix()
    )

    assert read_manifest(faulty_bucket, LAYOUT.manifest_name()) == manifest
    writes = faulty_gcs.log(method="POST", path_contains=MANIFEST_WRITE)
    assert [(post.outcome, post.status) for post in writes] == [("reset", None), ("forwarded", 412)]
    check_exact(faulty_bucket, parts, LINES)


# -- slow responses ----------------------------------------------------------------------------


def test_slow_responses_under_the_timeout_are_waited_for(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    faulty_gcs.delay(0.5, times=None, method="PUT")

    parts = write_table(faulty_bucket)

    check_exact(faulty_bucket, parts, LINES)
    puts = faulty_gcs.log(method="PUT")
    assert len(puts) == len({(put.path, put.content_range) for put in puts}) == 4  # none twice
    assert {put.outcome for put in puts} == {"delay"}


def test_a_response_slower_than_the_timeout_is_retried(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    """The chunk was stored, the answer came too late: the client gives up waiting, sends the
    range again, and the upload goes on with one copy of those bytes."""
    settings = WriterSettings(
        chunk_size=CHUNK_GRANULARITY,
        max_rows=ROWS_PER_PART,
        retry_initial=0.4,
        retry_deadline=30.0,
        request_timeout=1.0,
    )
    faulty_gcs.delay(10.0, times=1, method="PUT", path_contains=CHUNK_PUT)

    parts = write_table(faulty_bucket, settings)

    check_exact(faulty_bucket, parts, LINES)
    puts = faulty_gcs.log(method="PUT")
    assert puts[0].outcome == "delay"
    assert puts[1].content_range == puts[0].content_range
    assert puts[1].outcome == "replayed" and puts[1].status == 308


def test_responses_always_slower_than_the_timeout_fail_within_the_budget(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    settings = WriterSettings(
        chunk_size=CHUNK_GRANULARITY,
        max_rows=ROWS_PER_PART,
        retry_initial=0.4,
        retry_deadline=2.0,
        request_timeout=0.5,
    )
    faulty_gcs.delay(10.0, times=None, method="PUT", path_contains=CHUNK_PUT)

    with pytest.raises(api_exceptions.RetryError) as raised:
        write_table(faulty_bucket, settings)

    part = LAYOUT.part_name(0, 0, 1)
    assert f"writing gs://{faulty_bucket.name}/{part}: gave up after retrying for 2 s" in str(
        raised.value
    )
    attempts = faulty_gcs.log(method="PUT")
    # 0.5 s per attempt plus waits of at least 0.3 and 0.6 s: a fourth would end past 2 s
    assert 2 <= len(attempts) <= 3
    assert len({a.content_range for a in attempts}) == 1
    assert names(faulty_bucket) == []
    assert_session_cancelled(faulty_gcs, part)


# -- the budget exhausted ----------------------------------------------------------------------


def assert_session_cancelled(proxy: GcsFaultProxy, part: str) -> None:
    """The failed part's upload session got GCS's cancel request (DELETE on its session URL,
    answered 499 as GCS answers it)."""
    session = next(put.path for put in proxy.log(method="PUT") if part.split("/")[-1] in put.path)
    deletes = proxy.log(method="DELETE")
    assert [(d.path, d.status) for d in deletes] == [(session, 499)]


def test_permanent_503_exhausts_the_budget_and_finalises_nothing(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    """The first part is stored; every chunk of the second gets 503. The writer gives up after
    ``retry_deadline`` naming the object, cancels the session, and the first part is left as
    it was (no manifest lists it; the next attempt's commit deletes it)."""
    first, second = LAYOUT.part_name(0, 0, 1), LAYOUT.part_name(0, 1, 1)
    faulty_gcs.fail(503, times=None, method="PUT", path_contains="part-0000-00001")

    with pytest.raises(api_exceptions.RetryError) as raised:
        write_table(faulty_bucket, SHORT_BUDGET)

    message = str(raised.value)
    assert f"writing gs://{faulty_bucket.name}/{second}: gave up after retrying for 2 s" in message
    assert "503" in message and "retry_deadline" in message
    assert isinstance(raised.value.cause, api_exceptions.ServiceUnavailable)
    attempts = faulty_gcs.log(method="PUT", path_contains="part-0000-00001")
    assert 2 <= len(attempts) <= 3  # waits of at least 0.3, 0.6 then 1.2 s: a fourth is past 2 s
    assert {a.status for a in attempts} == {503}
    assert_backed_off(attempts)
    assert names(faulty_bucket) == [first]  # no partial object, no manifest
    stored = faulty_bucket.blob(first).download_as_bytes(raw_download=True)
    assert gzip.decompress(stored) == b"".join(LINES[:ROWS_PER_PART])
    assert_session_cancelled(faulty_gcs, second)


def test_permanent_503_on_the_manifest_write_leaves_no_manifest(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    parts = write_table(faulty_bucket)
    faulty_gcs.fail(503, times=None, method="POST", path_contains=MANIFEST_WRITE)

    with pytest.raises(api_exceptions.RetryError):
        commit_manifest(
            faulty_bucket,
            LAYOUT.manifest_name(),
            manifest_for(faulty_bucket, parts),
            parts_prefix=LAYOUT.parts_prefix(),
            retry_deadline=2.0,
        )

    assert read_manifest(faulty_bucket, LAYOUT.manifest_name()) is None
    assert names(faulty_bucket) == sorted(part.name for part in parts)  # nothing deleted
    check_exact(faulty_bucket, parts, LINES)
    assert len(faulty_gcs.log(method="POST", path_contains=MANIFEST_WRITE)) >= 2


# -- fail fast: 403 and a missing bucket -------------------------------------------------------


def test_forbidden_fails_at_the_first_answer_naming_the_bucket(
    faulty_gcs: GcsFaultProxy, faulty_bucket: storage.Bucket
) -> None:
    faulty_gcs.forbid(path_contains=f"/b/{faulty_bucket.name}/")

    with pytest.raises(api_exceptions.Forbidden) as raised:
        write_table(faulty_bucket)

    message = str(raised.value)
    part = LAYOUT.part_name(0, 0, 1)
    assert f"permission denied writing gs://{faulty_bucket.name}/{part}" in message
    assert "storage.objects.create" in message  # GCS's own words are kept
    assert [(e.method, e.status) for e in faulty_gcs.log()] == [("POST", 403)]  # no retry
    faulty_gcs.clear()
    assert names(faulty_bucket) == []


def test_missing_bucket_fails_at_the_first_answer_naming_it(
    faulty_gcs: GcsFaultProxy, faulty_client: storage.Client
) -> None:
    missing = faulty_client.bucket("no-such-bucket-for-faults")

    with pytest.raises(api_exceptions.NotFound) as raised:
        write_table(missing)

    assert "does bucket 'no-such-bucket-for-faults' exist?" in str(raised.value)
    assert [(e.method, e.status) for e in faulty_gcs.log()] == [("POST", 404)]


# -- the operator: its bucket check, and a run riding out transient faults ---------------------

MUST_NOT_READ_ORACLE = """
    class MustNotReadOracle(OracleToGCSJsonlOperator):
        # the bucket is checked before anything is read from Oracle
        @property
        def hook(self):
            raise AssertionError("Oracle was read before the bucket was checked")
"""


@pytest.fixture
def run_dag_through_proxy(
    run_dag: Callable[[str], DagResult],
    faulty_gcs: GcsFaultProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[str], DagResult]:
    """``run_dag`` with the task's GCSHook going through the proxy (the harness points the
    environment at the emulator itself)."""
    monkeypatch.setenv(EMULATOR_ENV, faulty_gcs.url)
    return run_dag


@pytest.mark.parametrize("fault", ["missing", "forbidden"])
def test_operator_checks_the_bucket_before_reading_oracle(
    fault: str,
    run_dag_through_proxy: Callable[[str], DagResult],
    faulty_gcs: GcsFaultProxy,
    faulty_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bucket = "no-such-bucket-for-faults" if fault == "missing" else faulty_bucket.name
    if fault == "forbidden":
        faulty_gcs.forbid(path_contains=f"/b/{bucket}")

    result = run_dag_through_proxy(
        extract_dag(
            bucket, operator="MustNotReadOracle", preamble=MUST_NOT_READ_ORACLE, table="CUSTOMER"
        )
    )

    assert result.state == "failed"
    output = capfd.readouterr()
    log = output.out + output.err
    assert ("BucketNotFoundError" if fault == "missing" else "BucketAccessError") in log
    if fault == "missing":
        assert f"GCS bucket {bucket!r} does not exist (connection 'gcs_test')" in log
    else:
        assert f"no access to GCS bucket {bucket!r} with connection 'gcs_test'" in log
        assert "Permission 'storage.buckets.get' denied" in log
    assert "Oracle was read" not in log
    status = 404 if fault == "missing" else 403
    assert [(e.method, e.status) for e in faulty_gcs.log()] == [("GET", status)]  # no retry


def test_operator_rides_out_transient_faults(
    run_dag_through_proxy: Callable[[str], DagResult],
    faulty_gcs: GcsFaultProxy,
    faulty_bucket: storage.Bucket,
) -> None:
    """A 503 on a part's upload, a reset after a part was stored, a 429 on the manifest
    write: the run succeeds with every row once. The parts (3,000 rows) are smaller than a
    chunk, so each goes in one request (the chunked path is tested on the writer above)."""
    faulty_gcs.fail(503, times=1, method="POST", path_contains=WHOLE_UPLOAD)
    faulty_gcs.reset(times=1, skip=1, method="POST", path_contains=WHOLE_UPLOAD, when="response")
    faulty_gcs.fail(429, times=1, method="POST", path_contains=MANIFEST_WRITE)

    result = run_dag_through_proxy(
        extract_dag(
            faulty_bucket.name,
            table="SALES_ORDER",
            parts={"max_rows": 3_000, "chunk_size": CHUNK_GRANULARITY},
        )
    )

    assert result.state == "success"
    summary = result.xcom("extract")
    manifest = json.loads(faulty_bucket.blob(summary["manifest"]).download_as_bytes())
    rows = read_jsonl_parts(faulty_bucket, [part["name"] for part in manifest["parts"]])
    assert sorted(row["ORDER_ID"] for row in rows) == list(range(1, 10_001))
    for part in manifest["parts"]:
        blob = faulty_bucket.get_blob(part["name"])
        assert blob is not None and blob.crc32c == part["crc32c"]
    outcomes = [(e.method, e.status, e.outcome) for e in faulty_gcs.log()]
    assert ("POST", 503, "fail") in outcomes
    assert ("POST", None, "reset") in outcomes
    assert ("POST", 429, "fail") in outcomes
    assert not faulty_gcs.log(path_contains=SESSION_OPEN)  # no part needed a session


def test_a_small_table_costs_four_requests_on_a_fresh_run(
    run_dag_through_proxy: Callable[[str], DagResult],
    faulty_gcs: GcsFaultProxy,
    faulty_bucket: storage.Bucket,
) -> None:
    """The requests of one small table, in order, after the task's check of the bucket: its
    run prefix listed (empty on a fresh run, so there is no manifest to read and, later, no
    stale part to look for), then the part, the schema and the manifest, each in one upload.
    The storage client's own check that the bucket still exists after a 404 (its telemetry
    cache's, with telemetry off) is not among them."""
    result = run_dag_through_proxy(extract_dag(faulty_bucket.name, table="CUSTOMER"))

    assert result.state == "success"
    bucket_path = f"/b/{faulty_bucket.name}"

    def kind(exchange: Exchange) -> str:
        path = exchange.path.partition("?")[0]
        if path.endswith(bucket_path):
            return "bucket"
        if path.endswith(f"{bucket_path}/o"):
            return "listing" if exchange.method == "GET" else "upload"
        return f"{exchange.method} object"

    kinds = [(kind(e), e.status) for e in faulty_gcs.log()]
    assert kinds == [
        ("bucket", 200),
        ("listing", 200),
        ("upload", 200),
        ("upload", 200),
        ("upload", 200),
    ], kinds
    manifest = json.loads(
        faulty_bucket.blob(result.xcom("extract")["manifest"]).download_as_bytes()
    )
    assert [blob.name for blob in faulty_bucket.list_blobs() if ".jsonl.gz" in blob.name] == [
        part["name"] for part in manifest["parts"]
    ]


def test_operator_gives_up_within_its_gcs_retry_budget(
    run_dag_through_proxy: Callable[[str], DagResult],
    faulty_gcs: GcsFaultProxy,
    faulty_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A permanent 503 on every upload chunk: the task fails after the budget it was given
    (a few attempts of the same request, not a 300 s default), and commits nothing."""
    faulty_gcs.fail(503, times=None, method="PUT", path_contains=CHUNK_PUT)

    result = run_dag_through_proxy(
        extract_dag(
            faulty_bucket.name,
            table="SALES_ORDER",
            parts={"chunk_size": CHUNK_GRANULARITY},
            gcs={"retry_deadline": 2.0, "request_timeout": 10.0},
        )
    )

    assert result.state == "failed"
    output = capfd.readouterr()
    assert "retry_deadline" in output.out + output.err
    attempts = [e for e in faulty_gcs.log(method="PUT") if e.outcome == "fail"]
    assert 2 <= len(attempts) <= 3, attempts  # 1 s, then 2 s: a 2 s budget allows 3 at most
    names = [blob.name for blob in faulty_bucket.list_blobs()]
    assert not [name for name in names if name.endswith("_manifest.json")], names
    assert not [name for name in names if name.endswith(".jsonl.gz")], names
