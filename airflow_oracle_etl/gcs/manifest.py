"""Manifests: the records that commit an extracted table (or partition), and their I/O.

A table manifest lists every part with its rows, bytes, crc32c and generation, the columns as
Oracle declared them, the SCN read, the watermark range and timings. Readers trust only what a
manifest lists: parts of unfinished or failed attempts may sit beside it. A job manifest sums
up one run of a transport.

Manifests hold no connection details by construction (no field could carry one). They are
written as one small JSON object by a single-request upload, which GCS applies atomically: a
reader sees the previous manifest or the new one, never a mix. ``crc32c`` is base64 of the
big-endian CRC32C, the form GCS reports in object metadata, so ``blob.crc32c`` compares as is.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry

# google-cloud-storage ships no py.typed marker nor stubs: its names are Any here. With
# ``unused-ignore`` since an incremental mypy run may not report the error (python/mypy#20105)
from google.cloud import storage

from airflow_oracle_etl.gcs.errors import ManifestError
from airflow_oracle_etl.gcs.settings import conditional_retry_policy, retry_policy
from airflow_oracle_etl.metadata import OracleColumn

MANIFEST_VERSION = 1
MANIFEST_CONTENT_TYPE = "application/json"
#: BigQuery's name of the format, for loaders
SOURCE_FORMAT = "NEWLINE_DELIMITED_JSON"
COMPRESSION = "GZIP"
JSON_INDENT = 2


class PartInfo(msgspec.Struct, frozen=True, kw_only=True):
    """One part object as written and verified."""

    name: str
    rows: int
    #: JSON lines bytes before compression
    uncompressed_bytes: int = msgspec.field(name="bytes")
    #: the object's size
    compressed_bytes: int
    #: base64 big-endian CRC32C of the object, as GCS reports it
    crc32c: str
    generation: int


class Totals(msgspec.Struct, frozen=True, kw_only=True):
    parts: int = 0
    rows: int = 0
    uncompressed_bytes: int = msgspec.field(default=0, name="bytes")
    compressed_bytes: int = 0

    @classmethod
    def of(cls, parts: tuple[PartInfo, ...] | list[PartInfo]) -> Totals:
        return cls(
            parts=len(parts),
            rows=sum(part.rows for part in parts),
            uncompressed_bytes=sum(part.uncompressed_bytes for part in parts),
            compressed_bytes=sum(part.compressed_bytes for part in parts),
        )

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            parts=self.parts + other.parts,
            rows=self.rows + other.rows,
            uncompressed_bytes=self.uncompressed_bytes + other.uncompressed_bytes,
            compressed_bytes=self.compressed_bytes + other.compressed_bytes,
        )


Scalar = str | int | float | bool | None


class WatermarkRange(msgspec.Struct, frozen=True, kw_only=True):
    """The incremental window read: ``low < column <= high`` in the column's JSON form."""

    column: str
    low: Scalar = None
    high: Scalar = None


class TableManifest(msgspec.Struct, frozen=True, kw_only=True):
    """The commit record of one table (``partition`` None) or one partition of it."""

    version: int = MANIFEST_VERSION
    transport: str
    #: the source table as configured (``OWNER.TABLE``), or a label for a query
    table: str
    #: the Airflow run id as it is (object names hold its sanitised form)
    run_id: str
    attempt: int
    partition: int | None = None
    bucket: str
    source_format: str = SOURCE_FORMAT
    compression: str = COMPRESSION
    parts: tuple[PartInfo, ...] = ()
    columns: tuple[OracleColumn, ...] = ()
    #: name of the BigQuery schema object beside the parts, if one was written
    schema_object: str | None = None
    #: the SCN the rows were read AS OF (None when not read at a fixed SCN)
    scn: int | None = None
    watermark: WatermarkRange | None = None
    started_at: datetime
    finished_at: datetime
    totals: Totals

    @property
    def part_names(self) -> frozenset[str]:
        return frozenset(part.name for part in self.parts)


class JobTable(msgspec.Struct, frozen=True, kw_only=True):
    """One table (or partition) of a job: where its manifest is, and what it holds."""

    table: str
    manifest: str
    partition: int | None = None
    totals: Totals


class JobTableFailure(msgspec.Struct, frozen=True, kw_only=True):
    """A table of a job that was not committed, and why (its reads' errors)."""

    table: str
    errors: tuple[str, ...] = ()


class JobSelector(msgspec.Struct, frozen=True, kw_only=True):
    """A schema selector of the transport and the tables it resolved to for this job."""

    selector: str
    tables: tuple[str, ...] = ()


class JobManifest(msgspec.Struct, frozen=True, kw_only=True):
    """The summary of one run of a transport, written after its tables' manifests.

    ``tables`` lists the committed tables; ``failed`` the planned ones that were not (a rerun
    with run conf ``{"tables": [...]}`` exports only those); ``selectors`` what each schema
    selector resolved to.
    """

    version: int = MANIFEST_VERSION
    transport: str
    run_id: str
    bucket: str
    tables: tuple[JobTable, ...] = ()
    failed: tuple[JobTableFailure, ...] = ()
    selectors: tuple[JobSelector, ...] = ()
    started_at: datetime
    finished_at: datetime
    totals: Totals


Manifest = TableManifest | JobManifest


def encode_manifest(manifest: Manifest) -> bytes:
    return msgspec.json.format(msgspec.json.encode(manifest), indent=JSON_INDENT) + b"\n"


def decode_manifest(data: bytes, manifest_type: type[Manifest], name: str = "") -> Manifest:
    """Parse and check the version; unknown fields (from newer minor additions) are ignored."""
    try:
        version = msgspec.json.decode(data, type=_Versioned).version
        if version > MANIFEST_VERSION:
            raise ManifestError(
                f"manifest {name} has version {version}; this provider reads up to "
                f"{MANIFEST_VERSION}"
            )
        return msgspec.json.decode(data, type=manifest_type)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ManifestError(f"{name} is not a valid {manifest_type.__name__}: {error}") from error


class _Versioned(msgspec.Struct):
    version: int


def read_manifest_with_generation(
    bucket: storage.Bucket,
    name: str,
    manifest_type: type[Manifest] = TableManifest,
    retry: Retry | None = None,
) -> tuple[Manifest, int] | None:
    """The manifest stored under ``name`` and its generation, or None if there is none."""
    blob = bucket.blob(name)
    try:
        data = blob.download_as_bytes(retry=retry or retry_policy())
    except api_exceptions.NotFound:
        return None
    return decode_manifest(data, manifest_type, name), int(blob.generation)


def read_manifest(
    bucket: storage.Bucket,
    name: str,
    manifest_type: type[Manifest] = TableManifest,
    retry: Retry | None = None,
) -> Manifest | None:
    stored = read_manifest_with_generation(bucket, name, manifest_type, retry)
    return None if stored is None else stored[0]


def write_manifest(
    bucket: storage.Bucket,
    name: str,
    manifest: Manifest,
    *,
    if_generation_match: int | None,
    retry_deadline: float | None = None,
) -> int:
    """Store ``manifest`` in one request; returns the new generation.

    ``if_generation_match`` is required on purpose: 0 means "only if none exists", a
    generation means "only if it is still that one" (GCS answers 412 PreconditionFailed
    otherwise); None overwrites unconditionally and disables retries.
    """
    blob = bucket.blob(name)
    blob.upload_from_string(
        encode_manifest(manifest),
        content_type=MANIFEST_CONTENT_TYPE,
        if_generation_match=if_generation_match,
        retry=conditional_retry_policy(retry_deadline),
    )
    return int(blob.generation)


def write_json(
    bucket: storage.Bucket, name: str, data: bytes, *, retry_deadline: float | None = None
) -> int:
    """Store a small JSON document (the BigQuery schema) in one request; returns its
    generation. Written before the manifest and overwritten by a retry with what is, for an
    unchanged table, the same content, so the write is retried without a precondition."""
    blob = bucket.blob(name)
    blob.upload_from_string(
        data, content_type=MANIFEST_CONTENT_TYPE, retry=retry_policy(retry_deadline)
    )
    return int(blob.generation)
