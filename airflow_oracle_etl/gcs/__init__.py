"""Streaming gzipped JSON-lines part files into GCS, and the manifests that commit them.

What the operator uses::

    layout = TableLayout(prefix, transport, table, run_id)
    attempt = begin_attempt(bucket, layout.manifest_name(), try_number)
    with TableWriter(bucket, layout, attempt=attempt.number, settings=WriterSettings()) as writer:
        for payload, rows in batches:
            writer.write(payload, rows)
        parts = writer.close()
    commit_manifest(bucket, layout.manifest_name(), TableManifest(..., parts=tuple(parts)),
                    parts_prefix=layout.parts_prefix(),
                    generation=attempt.manifest_generation)

Modules: ``naming`` (object names), ``compress`` (gzip), ``pipeline`` (background threads),
``parts`` (part files), ``manifest`` (records and their I/O), ``commit`` (the retry-safe
commit protocol), ``settings``, ``errors``.
"""

from airflow_oracle_etl.gcs.commit import (
    AttemptStart,
    begin_attempt,
    commit_manifest,
    commit_partitioned_table,
    delete_stale_parts,
    list_parts,
)
from airflow_oracle_etl.gcs.compress import Compression
from airflow_oracle_etl.gcs.errors import (
    GcsWriterError,
    InvalidPayloadError,
    ManifestConflictError,
    ManifestError,
    MissingPartitionsError,
    UploadVerificationError,
)
from airflow_oracle_etl.gcs.manifest import (
    JobManifest,
    JobSelector,
    JobTable,
    JobTableFailure,
    PartInfo,
    TableManifest,
    Totals,
    WatermarkRange,
    read_manifest,
    read_manifest_with_generation,
    write_json,
    write_manifest,
)
from airflow_oracle_etl.gcs.naming import (
    TableLayout,
    job_manifest_name,
    parse_part_name,
    safe_segment,
    sanitize_run_id,
)
from airflow_oracle_etl.gcs.parts import PartWriter, TableWriter, WriterProgress
from airflow_oracle_etl.gcs.settings import WriterSettings

__all__ = [
    "AttemptStart",
    "Compression",
    "GcsWriterError",
    "InvalidPayloadError",
    "JobManifest",
    "JobSelector",
    "JobTable",
    "JobTableFailure",
    "ManifestConflictError",
    "ManifestError",
    "MissingPartitionsError",
    "PartInfo",
    "PartWriter",
    "TableLayout",
    "TableManifest",
    "TableWriter",
    "Totals",
    "UploadVerificationError",
    "WatermarkRange",
    "WriterProgress",
    "WriterSettings",
    "begin_attempt",
    "commit_manifest",
    "commit_partitioned_table",
    "delete_stale_parts",
    "job_manifest_name",
    "list_parts",
    "parse_part_name",
    "read_manifest",
    "read_manifest_with_generation",
    "safe_segment",
    "sanitize_run_id",
    "write_json",
    "write_manifest",
]
