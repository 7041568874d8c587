"""Manifest JSON: round trip, field names, version checks."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from airflow_oracle_etl.gcs.errors import ManifestError
from airflow_oracle_etl.gcs.manifest import (
    JobManifest,
    JobTable,
    PartInfo,
    TableManifest,
    Totals,
    WatermarkRange,
    decode_manifest,
    encode_manifest,
)
from airflow_oracle_etl.metadata import OracleColumn

STARTED = datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=timezone.utc)
FINISHED = datetime(2024, 5, 1, 10, 5, 0, tzinfo=timezone.utc)
PARTS = (
    PartInfo(name="p/part-0000-00000-a1.jsonl.gz", rows=10, uncompressed_bytes=1000,
             compressed_bytes=300, crc32c="AAAAAA==", generation=17),
    PartInfo(name="p/part-0000-00001-a1.jsonl.gz", rows=5, uncompressed_bytes=500,
             compressed_bytes=150, crc32c="AQIDBA==", generation=18),
)  # fmt: skip


def table_manifest() -> TableManifest:
    return TableManifest(
        transport="sales",
        table="DEMO.SALES_ORDER",
        run_id="manual__2024-05-01T10:00:00+00:00",
        attempt=2,
        partition=3,
        bucket="b",
        parts=PARTS,
        columns=(
            OracleColumn(name="ID", data_type="NUMBER", precision=12, scale=0, nullable=False),
            OracleColumn(name="UPDATED", data_type="TIMESTAMP(6) WITH TIME ZONE"),
        ),
        schema_object="p/_schema.bigquery.json",
        scn=123456789012,
        watermark=WatermarkRange(column="UPDATED", low="2024-04-30T00:00:00Z", high=None),
        started_at=STARTED,
        finished_at=FINISHED,
        totals=Totals.of(PARTS),
    )


def test_table_manifest_round_trip_and_json_shape() -> None:
    manifest = table_manifest()
    data = encode_manifest(manifest)
    assert decode_manifest(data, TableManifest) == manifest
    raw = json.loads(data)
    assert raw["version"] == 1
    assert raw["parts"][0] == {
        "name": "p/part-0000-00000-a1.jsonl.gz", "rows": 10, "bytes": 1000,
        "compressed_bytes": 300, "crc32c": "AAAAAA==", "generation": 17,
    }  # fmt: skip
    assert raw["totals"] == {"parts": 2, "rows": 15, "bytes": 1500, "compressed_bytes": 450}
    assert raw["columns"][0]["data_type"] == "NUMBER"
    assert raw["started_at"] == "2024-05-01T10:00:00.123456Z"
    assert raw["source_format"] == "NEWLINE_DELIMITED_JSON"


def test_job_manifest_round_trip() -> None:
    totals = Totals.of(PARTS)
    job = JobManifest(
        transport="sales",
        run_id="r",
        bucket="b",
        tables=(JobTable(table="T", manifest="x/_manifest.json", totals=totals),),
        started_at=STARTED,
        finished_at=FINISHED,
        totals=totals + Totals(),
    )
    assert decode_manifest(encode_manifest(job), JobManifest) == job


def test_unknown_fields_are_ignored_newer_versions_refused() -> None:
    raw = json.loads(encode_manifest(table_manifest()))
    raw["added_later"] = {"x": 1}
    assert decode_manifest(json.dumps(raw).encode(), TableManifest) == table_manifest()
    raw["version"] = 99
    with pytest.raises(ManifestError, match="version 99"):
        decode_manifest(json.dumps(raw).encode(), TableManifest, "m.json")


@pytest.mark.parametrize("data", [b"", b"not json", b'{"version": 1}', b"[]"])
def test_garbage_is_a_manifest_error(data: bytes) -> None:
    with pytest.raises(ManifestError):
        decode_manifest(data, TableManifest, "m.json")
