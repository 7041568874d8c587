"""The ``finalize`` task of a transport's DAG: commit every table, then the job.

It runs after every mapped extract task succeeded. For each table it first checks that the
rows its partitions wrote (their manifests' totals) equal the rows they read from Oracle, so
a table whose files lost or duplicated rows is never committed (and its watermark never moves
on); then it writes the table manifest over its partitions; last, the job manifest
``PREFIX/TRANSPORT/_jobs/RUN_ID.json`` with rows, bytes, parts and duration per table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.sdk import BaseOperator

from airflow_oracle_etl.errors import PermanentError
from airflow_oracle_etl.gcs import (
    JobManifest,
    JobTable,
    TableLayout,
    TableManifest,
    Totals,
    commit_partitioned_table,
    job_manifest_name,
    write_json,
)
from airflow_oracle_etl.gcs.manifest import encode_manifest

if TYPE_CHECKING:
    from airflow.sdk import Context
    from google.cloud import storage

__all__ = ["JobTableRun", "RowCountMismatchError", "TransportFinalizeOperator"]


class RowCountMismatchError(PermanentError):
    """Rows written to GCS differ from the rows read from Oracle for at least one table."""


class JobTableRun(JobTable, frozen=True, kw_only=True):
    """A table of a job with its timing and the rows read from Oracle (beside ``totals``)."""

    rows_read: int
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_s: float


class TransportFinalizeOperator(BaseOperator):
    """Commit the tables of one job and write its job manifest.

    :param summaries: the mapped extract tasks' return values (``extract.output``). (templated)
    :param transport: the transport id (object names and the job manifest).
    """

    template_fields: Sequence[str] = ("summaries", "bucket", "prefix")
    ui_color = "#d7f0e4"

    def __init__(
        self,
        *,
        summaries: Any,
        transport: str,
        bucket: str,
        prefix: str = "",
        gcp_conn_id: str = "google_cloud_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.summaries = summaries
        self.transport = transport
        self.bucket = bucket
        self.prefix = prefix
        self.gcp_conn_id = gcp_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        by_table = group_by_table(list(self.summaries or []))
        if not by_table:
            raise RuntimeError(f"{self.task_id}: no extract results to commit")
        check_row_counts(
            {
                table: (_sum(items, "rows"), _sum(items, "rows_read"))
                for table, items in by_table.items()
            }
        )
        run_id = context["run_id"]
        bucket = GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn().bucket(self.bucket)
        tables = [
            self._commit_table(bucket, table, items, run_id, context["ti"].try_number)
            for table, items in by_table.items()
        ]
        check_row_counts({t.table: (t.totals.rows, t.rows_read) for t in tables})
        job = JobManifest(
            transport=self.transport,
            run_id=run_id,
            bucket=bucket.name,
            tables=tuple(tables),
            started_at=_started_at(context, tables),
            finished_at=dt.datetime.now(dt.timezone.utc),
            totals=sum((t.totals for t in tables), Totals()),
        )
        name = job_manifest_name(self.prefix, self.transport, run_id)
        write_json(bucket, name, encode_manifest(job))
        self.log.info("job manifest %s: %d tables, %d rows", name, len(tables), job.totals.rows)
        return {
            "job_manifest": name,
            "bucket": bucket.name,
            "rows": job.totals.rows,
            "bytes": job.totals.uncompressed_bytes,
            "parts": job.totals.parts,
            "tables": {
                t.table: {"rows": t.totals.rows, "manifest": t.manifest, "duration_s": t.duration_s}
                for t in tables
            },
        }

    def _commit_table(
        self,
        bucket: storage.Bucket,
        table: str,
        summaries: list[Mapping[str, Any]],
        run_id: str,
        try_number: int,
    ) -> JobTableRun:
        layout = TableLayout(self.prefix, self.transport, table, run_id)
        partitions = int(summaries[0]["partitions"])
        manifest = commit_partitioned_table(bucket, layout, partitions, try_number=try_number)
        return _job_table(manifest, layout.manifest_name(), _sum(summaries, "rows_read"))


def group_by_table(summaries: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Extract summaries by their table label, in the order tables first appear."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for summary in summaries:
        grouped.setdefault(summary["table"], []).append(summary)
    return grouped


def check_row_counts(counts: Mapping[str, tuple[int, int]]) -> None:
    """Fail naming every table whose rows written (first) differ from its rows read.

    :raises RowCountMismatchError: with one line per such table.
    """
    wrong = [
        f"{table}: {written} rows written to GCS, {read} rows read from Oracle"
        for table, (written, read) in counts.items()
        if written != read
    ]
    if wrong:
        raise RowCountMismatchError("rows written differ from rows read:\n  " + "\n  ".join(wrong))


def _sum(summaries: Sequence[Mapping[str, Any]], key: str) -> int:
    missing = [s.get("partition") for s in summaries if key not in s]
    if missing:
        raise RuntimeError(f"extract results of partitions {missing} have no {key!r} count")
    return sum(int(s[key]) for s in summaries)


def _job_table(manifest: TableManifest, manifest_name: str, rows_read: int) -> JobTableRun:
    return JobTableRun(
        table=manifest.table,
        manifest=manifest_name,
        totals=manifest.totals,
        rows_read=rows_read,
        started_at=manifest.started_at,
        finished_at=manifest.finished_at,
        duration_s=round((manifest.finished_at - manifest.started_at).total_seconds(), 3),
    )


def _started_at(context: Context, tables: Sequence[JobTableRun]) -> dt.datetime:
    """When the run started (the plan task ran first), else the first table's start."""
    dag_run = context.get("dag_run")
    started = getattr(dag_run, "start_date", None)
    if isinstance(started, dt.datetime):
        return started
    return min(t.started_at for t in tables)
