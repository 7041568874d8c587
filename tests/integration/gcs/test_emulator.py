"""The fake-gcs-server fixture itself: many requests, clean stop, the Airflow hook path."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs import TableLayout, TableWriter
from oracle_etl_stack.gcs import EMULATOR_ENV, GcsEmulator
from tests.integration.gcs.jsonl import numbered_lines, slices

#: the pip wrapper's stderr pipe filled after about 490 requests; go well past that
MANY_REQUESTS = 700


@pytest.mark.timeout(120)
def test_many_requests_never_stall(gcs_bucket: storage.Bucket) -> None:
    for n in range(MANY_REQUESTS // 2):
        blob = gcs_bucket.blob(f"small/{n:04d}")
        blob.upload_from_string(b"x" * n)
        assert blob.download_as_bytes() == b"x" * n
    assert len(list(gcs_bucket.list_blobs(prefix="small/"))) == MANY_REQUESTS // 2


def test_start_and_sigterm_stop() -> None:
    emulator = GcsEmulator().start()
    try:
        assert emulator.port > 0
        assert emulator.url == f"http://127.0.0.1:{emulator.port}"
        pid = emulator.pid
    finally:
        code = emulator.stop()
    assert code is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert emulator.stop() is None  # stopping twice is harmless


def test_client_refuses_a_missing_emulator_host(
    gcs_emulator: GcsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EMULATOR_ENV, raising=False)
    with pytest.raises(RuntimeError, match=EMULATOR_ENV):
        gcs_emulator.client()


def test_writer_through_airflow_gcs_hook(
    gcs_bucket: storage.Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client the operator gets from providers-google's GCSHook reaches the emulator."""
    from airflow.providers.google.cloud.hooks.gcs import GCSHook

    monkeypatch.setenv(
        "AIRFLOW_CONN_GCS_TEST",
        json.dumps(
            {
                "conn_type": "google_cloud_platform",
                "extra": {"is_anonymous": True, "project": "test-project"},
            }
        ),
    )
    client = GCSHook(gcp_conn_id="gcs_test").get_conn()
    assert isinstance(client, storage.Client)
    bucket = client.bucket(gcs_bucket.name)
    lines = numbered_lines(0, 1_000)
    layout = TableLayout("", "hook", "T", "r1")
    with TableWriter(bucket, layout) as writer:
        for payload, rows in slices(lines, 250):
            writer.write(payload, rows)
        parts = writer.close()
    data = gcs_bucket.blob(parts[0].name).download_as_bytes(raw_download=True)
    assert gzip.decompress(data) == b"".join(lines)
