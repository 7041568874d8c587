"""One read request run inside an open Oracle session: planned, extracted, committed.

Both extract operators call :func:`run_request`: the stand-alone operator for its one table
or query, a transport's extract task for each table it carries. A table read alone and a
table read in a packed task are therefore planned, written, checkpointed and committed the
same way, and return the same summary; the plan comes back with it (:class:`CommittedRead`)
for what only the task reports, its lineage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from airflow_oracle_etl.extraction.table import ExtractionSettings, TableExtraction
from airflow_oracle_etl.gcs import TableLayout, TableManifest
from airflow_oracle_etl.planning import Encode, ReadPlan, ReadRequest, plan_read

if TYPE_CHECKING:
    from google.cloud import storage

    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
    from airflow_oracle_etl.progress import ProgressReporter
    from airflow_oracle_etl.resume import CheckpointStore

__all__ = ["CommittedRead", "ReadTarget", "run_request", "table_summary"]


@dataclass(frozen=True, kw_only=True)
class ReadTarget:
    """What every read of one task instance shares: the Oracle session, the bucket and where
    objects go, the run and try they belong to."""

    hook: OracleExtractHook
    bucket: storage.Bucket
    settings: ExtractionSettings
    transport: str
    prefix: str
    run_id: str
    try_number: int
    #: what runs a plan (an operator's ``extraction_class``: tests inject faults there)
    extraction_class: type[TableExtraction] = TableExtraction

    def layout_of(self, label: str) -> TableLayout:
        return TableLayout(self.prefix, self.transport, label, self.run_id)


@dataclass(frozen=True, kw_only=True)
class CommittedRead:
    """A committed read: its summary (the XCom value) and what only the task itself sees
    (the plan it ran, where its objects are), for lineage."""

    summary: dict[str, Any]
    plan: ReadPlan
    layout: TableLayout


def run_request(
    target: ReadTarget,
    request: ReadRequest,
    *,
    encode: Encode,
    checkpoints: CheckpointStore,
    reporter: ProgressReporter,
) -> CommittedRead:
    """Plan and run ``request`` inside ``target.hook``'s open session; the committed read.

    A checkpoint of an earlier try in ``checkpoints`` is gone on with when it is of the same
    read; the summary adds the rows fetched from Oracle (``rows_read``) to
    :func:`table_summary`, for the job's check against the rows the manifest lists.
    """
    earlier = checkpoints.load()
    extraction = target.extraction_class(
        hook=target.hook,
        bucket=target.bucket,
        settings=target.settings,
        checkpoints=checkpoints,
        reporter=reporter,
        transport=target.transport,
    )
    plan = plan_read(
        target.hook,
        request,
        encode=encode,
        bucket=lambda: target.bucket,
        layout_of=target.layout_of,
        earlier=earlier,
        can_checkpoint=checkpoints.available,
    )
    layout = target.layout_of(plan.label)
    manifest, manifest_name, rows_read = extraction.run(
        plan,
        layout=layout,
        run_id=target.run_id,
        try_number=target.try_number,
        earlier=earlier,
    )
    summary = table_summary(manifest, manifest_name, plan.partition_count)
    summary["rows_read"] = rows_read
    return CommittedRead(summary=summary, plan=plan, layout=layout)


def table_summary(manifest: TableManifest, manifest_name: str, partitions: int) -> dict[str, Any]:
    """A committed read as the XCom value says it: where the data is and how much; no
    secrets by construction."""
    return {
        "bucket": manifest.bucket,
        "table": manifest.table,
        "manifest": manifest_name,
        "objects": [part.name for part in manifest.parts],
        "rows": manifest.totals.rows,
        "bytes": manifest.totals.uncompressed_bytes,
        "compressed_bytes": manifest.totals.compressed_bytes,
        "parts": manifest.totals.parts,
        "scn": manifest.scn,
        "attempt": manifest.attempt,
        "partition": manifest.partition,
        "partitions": partitions,
        "watermark": msgspec.to_builtins(manifest.watermark),
        "started_at": manifest.started_at.isoformat(),
        "finished_at": manifest.finished_at.isoformat(),
    }
