"""How much work each table of a job is expected to be, for packing tables into tasks.

The best estimate is what the table wrote in the transport's last job (its job manifest's
uncompressed bytes: exact, and for an incremental table the size of one increment); else the
dictionary's statistics (``NUM_ROWS * AVG_ROW_LEN``, as of the last statistics gathering);
else nothing is known. The last job's figures cost one listing of the transport's ``_jobs/``
folder and one read, whatever the number of tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from airflow_oracle_etl.gcs import JobManifest, read_manifest
from airflow_oracle_etl.gcs.errors import ManifestError
from airflow_oracle_etl.gcs.naming import job_manifests_folder

if TYPE_CHECKING:
    from google.cloud import storage

__all__ = ["estimated_bytes", "last_job_bytes"]

log = logging.getLogger(__name__)


def last_job_bytes(bucket: storage.Bucket, prefix: str, transport: str) -> dict[str, int]:
    """Uncompressed bytes per table (``OWNER.NAME``) written by the newest job manifest of
    ``transport``; empty when there is none or it cannot be read (estimates then come from
    the dictionary, which is only less exact)."""
    newest = None
    for blob in bucket.list_blobs(prefix=job_manifests_folder(prefix, transport)):
        if blob.name.endswith(".json") and (newest is None or blob.updated > newest.updated):
            newest = blob
    if newest is None:
        return {}
    try:
        manifest = read_manifest(bucket, newest.name, JobManifest)
    except ManifestError as error:
        log.warning("the last job manifest is not used for estimates: %s", error)
        return {}
    if not isinstance(manifest, JobManifest):
        return {}
    log.info("estimates from the last job manifest gs://%s/%s", bucket.name, newest.name)
    return {table.table: table.totals.uncompressed_bytes for table in manifest.tables}


def estimated_bytes(
    label: str,
    *,
    last_job: Mapping[str, int],
    num_rows: int | None,
    avg_row_len: int | None,
) -> int | None:
    """The table's expected bytes: the last job's, else the statistics', else None."""
    if label in last_job:
        return last_job[label]
    if num_rows is not None and avg_row_len is not None:
        return num_rows * avg_row_len
    return None
