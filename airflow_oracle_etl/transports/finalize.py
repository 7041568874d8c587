"""The ``finalize`` task of a transport's DAG: commit every complete table, then the job.

It runs once every mapped extract task is done, if at least one succeeded: a table that
failed must not hold back the others. Each table the plan gave the extract tasks is complete
when all its partitions committed (the extract tasks' XCom ``tables``). A table read whole
was committed by its extract task (its table manifest, after the rows written were checked
against the rows read). For a partitioned table it first checks that the rows its partitions
wrote (their manifests' totals) equal the rows they read from Oracle, so a table whose files
lost or duplicated rows is never committed (and its watermark never moves on); then it
writes the table manifest over its partitions. Last,
the job manifest ``PREFIX/TRANSPORT/_jobs/RUN_ID.json``: rows, bytes, parts and duration per
committed table, the failed tables with their errors, and what the schema selectors resolved
to.

Every committed table gets an asset event through the task's outlet, the transport's
``AssetAlias`` ``oracle_etl:<transport id>`` (:mod:`airflow_oracle_etl.lineage.assets`).
Airflow records outlet events only when the task succeeds, so a table that failed must not
fail this task: it returns the failed tables (``failed``) and the ``report`` task after it
(:mod:`~.report`) fails the job naming them, with the run conf that reruns only them. This
task fails itself only when no table could be committed, or on its own errors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator, BaseXCom, SkipMixin, TriggerRule

from airflow_oracle_etl.errors import OracleEtlError, PermanentError
from airflow_oracle_etl.extraction.bucket import bucket_handle
from airflow_oracle_etl.gcs import (
    JobManifest,
    JobSelector,
    JobTable,
    JobTableFailure,
    TableLayout,
    TableManifest,
    Totals,
    commit_partitioned_table,
    job_manifest_name,
    write_json,
)
from airflow_oracle_etl.gcs.manifest import encode_manifest
from airflow_oracle_etl.lineage.assets import TableCommit, announce_commits, transport_alias
from airflow_oracle_etl.transports.extract import FAILED_XCOM, TABLES_XCOM
from airflow_oracle_etl.transports.planning import RESOLUTION_XCOM
from airflow_oracle_etl.transports.run_conf import CONF_TABLES

if TYPE_CHECKING:
    from airflow.sdk import Context
    from google.cloud import storage

__all__ = [
    "FAILED_RESULT",
    "JobTableRun",
    "TransportFinalizeOperator",
    "TransportTablesFailedError",
    "failure_message",
]

#: table manifests committed at once (each is a few small GCS requests)
COMMIT_THREADS = 8
#: the key of the returned value that maps each table not committed to its errors
FAILED_RESULT = "failed"


class JobTableRun(JobTable, frozen=True, kw_only=True):
    """A table of a job with its timing and the rows read from Oracle (beside ``totals``)."""

    rows_read: int
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_s: float


class TransportTablesFailedError(PermanentError):
    """Tables of the job were not committed; the others were, and the job manifest names
    both. Rerunning the job with the run conf the message gives exports only the failed ones."""


@dataclass(frozen=True)
class _CommittedTable:
    """A table this task found committed: its line in the job manifest, and its event."""

    run: JobTableRun
    event: TableCommit


class TransportFinalizeOperator(BaseOperator, SkipMixin):
    """Commit the complete tables of one job, write its job manifest, announce each committed
    table, and return the tables that are not complete (``failed``) for the ``report`` task.

    It runs once every extract task is done and at least one task succeeded (trigger rule
    ``all_done_min_one_success``), so the tables of the tasks that succeeded are committed
    even when others failed. Its outlet is the transport's ``AssetAlias`` unless ``outlets``
    is given; each committed table adds its asset's event through every alias there.

    When every table was committed there is nothing for ``report`` to say: this task skips it
    (Airflow marks it skipped without starting it), which saves the job a task's start-up.

    :param planned: the plan task's output (``plan.output``): the reads of every extract task,
        which say what the job expected. (templated)
    :param transport: the transport id (object names and the job manifest).
    :param report_task_id: the task after this one that fails the job for the tables not
        committed; skipped when there are none.
    """

    template_fields: Sequence[str] = ("planned", "bucket", "prefix")
    ui_color = "#d7f0e4"

    def __init__(
        self,
        *,
        planned: Any,
        transport: str,
        bucket: str,
        prefix: str = "",
        gcp_conn_id: str = "google_cloud_default",
        extract_task_id: str = "extract",
        plan_task_id: str = "plan",
        report_task_id: str | None = "report",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("trigger_rule", TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
        kwargs.setdefault("outlets", [transport_alias(transport)])
        super().__init__(**kwargs)
        self.planned = planned
        self.transport = transport
        self.bucket = bucket
        self.prefix = prefix
        self.gcp_conn_id = gcp_conn_id
        self.extract_task_id = extract_task_id
        self.plan_task_id = plan_task_id
        self.report_task_id = report_task_id

    def execute(self, context: Context) -> dict[str, Any]:
        ti = context["ti"]
        expected = expected_tables(self.planned or [])
        if not expected:
            raise RuntimeError(f"{self.task_id}: the plan gave no table to commit")
        summaries = _flatten(ti.xcom_pull(task_ids=[self.extract_task_id], key=TABLES_XCOM))
        failures = _flatten(ti.xcom_pull(task_ids=[self.extract_task_id], key=FAILED_XCOM))
        outcome = sort_outcomes(expected, group_by_table(summaries), failures)
        run_id = context["run_id"]
        bucket = bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id)
        done, refused = self._commit_tables(bucket, outcome.complete, run_id, ti.try_number)
        committed = [entry.run for entry in done]
        failed = {**outcome.failed, **refused}
        job = JobManifest(
            transport=self.transport,
            run_id=run_id,
            bucket=bucket.name,
            tables=tuple(committed),
            failed=tuple(
                JobTableFailure(table=table, errors=tuple(errors))
                for table, errors in failed.items()
            ),
            selectors=_selectors(ti.xcom_pull(task_ids=self.plan_task_id, key=RESOLUTION_XCOM)),
            started_at=_started_at(context, committed),
            finished_at=dt.datetime.now(dt.timezone.utc),
            totals=sum((t.totals for t in committed), Totals()),
        )
        name = job_manifest_name(self.prefix, self.transport, run_id)
        write_json(bucket, name, encode_manifest(job))
        self.log.info(
            "job manifest %s: %d table(s) committed, %d failed, %d rows",
            name,
            len(committed),
            len(failed),
            job.totals.rows,
        )
        if not committed:
            raise TransportTablesFailedError(failure_message(failed, len(expected)))
        announced = announce_commits(context, self.outlets, [entry.event for entry in done])
        self.log.info("%d asset event(s) for the committed tables", announced)
        result = {
            "job_manifest": name,
            "bucket": bucket.name,
            "rows": job.totals.rows,
            "bytes": job.totals.uncompressed_bytes,
            "parts": job.totals.parts,
            "tables": {
                t.table: {"rows": t.totals.rows, "manifest": t.manifest, "duration_s": t.duration_s}
                for t in committed
            },
            "planned": len(expected),
            FAILED_RESULT: failed,
        }
        if failed:
            self.log.warning(
                "%s\n(the job fails after this task, naming them)",
                failure_message(failed, len(expected)),
            )
        else:
            self._skip_report(ti, result)
        return result

    def _skip_report(self, ti: Any, result: dict[str, Any]) -> None:
        """Skip the ``report`` task: every table was committed. Skipping ends this task (as a
        success: Airflow records its asset events) before it returns, so its return value is
        pushed here."""
        report = [task for task in self.downstream_list if task.task_id == self.report_task_id]
        if not report:
            return
        ti.xcom_push(key=BaseXCom.XCOM_RETURN_KEY, value=result)
        self.skip(ti, report)

    def _commit_tables(
        self,
        bucket: storage.Bucket,
        complete: Mapping[str, list[Mapping[str, Any]]],
        run_id: str,
        try_number: int,
    ) -> tuple[list[_CommittedTable], dict[str, list[str]]]:
        """Commit each complete table (a few at a time: each is a few small GCS requests);
        the committed ones in the job's order, and the refused ones with the reason."""
        checked = check_row_counts(
            {table: (_sum(items, "rows"), _sum(items, "rows_read")) for table, items in
             complete.items()}
        )  # fmt: skip
        refused: dict[str, list[str]] = {table: [why] for table, why in checked.items()}
        todo = [(table, items) for table, items in complete.items() if table not in refused]

        def commit(entry: tuple[str, list[Mapping[str, Any]]]) -> _CommittedTable | str:
            table, items = entry
            if len(items) == 1 and items[0].get("partition") is None:
                event = TableCommit.from_summary(
                    items[0], transport=self.transport, prefix=self.prefix, run_id=run_id
                )
                return _CommittedTable(committed_by_its_task(items[0]), event)
            try:
                return self._commit_table(bucket, table, items, run_id, try_number)
            except OracleEtlError as error:
                return f"{type(error).__name__}: {error}"

        with ThreadPoolExecutor(max_workers=COMMIT_THREADS) as pool:
            results = list(pool.map(commit, todo))
        committed: list[_CommittedTable] = []
        for (table, _), result in zip(todo, results, strict=True):
            if isinstance(result, str):
                refused[table] = [result]
            else:
                committed.append(result)
        return committed, refused

    def _commit_table(
        self,
        bucket: storage.Bucket,
        table: str,
        summaries: list[Mapping[str, Any]],
        run_id: str,
        try_number: int,
    ) -> _CommittedTable:
        layout = TableLayout(self.prefix, self.transport, table, run_id)
        partitions = int(summaries[0]["partitions"])
        manifest = commit_partitioned_table(bucket, layout, partitions, try_number=try_number)
        name = layout.manifest_name()
        return _CommittedTable(
            _job_table(manifest, name, _sum(summaries, "rows_read")),
            TableCommit.from_manifest(manifest, name=name, prefix=self.prefix),
        )


@dataclass(frozen=True)
class Outcomes:
    """The job's tables sorted: ``complete`` (every partition committed: their summaries) and
    ``failed`` (with the errors of their failed reads, or why nothing is known)."""

    complete: dict[str, list[Mapping[str, Any]]]
    failed: dict[str, list[str]]


def expected_tables(planned: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Each table the plan gave the extract tasks, with its number of partitions, in order."""
    tables: dict[str, int] = {}
    for task in planned:
        for read in task.get("reads", ()):
            partition = read.get("partition") or {}
            tables[str(read.get("label"))] = int(partition.get("count") or 1)
    return tables


def sort_outcomes(
    expected: Mapping[str, int],
    committed: Mapping[str, list[Mapping[str, Any]]],
    failures: Sequence[Mapping[str, Any]],
) -> Outcomes:
    """Which expected tables have all their partitions committed, and why the others not."""
    errors: dict[str, list[str]] = {}
    for failure in failures:
        errors.setdefault(str(failure.get("table")), []).append(str(failure.get("error")))
    complete: dict[str, list[Mapping[str, Any]]] = {}
    failed: dict[str, list[str]] = {}
    for table, partitions in expected.items():
        done = committed.get(table, [])
        if len({s.get("partition") for s in done}) >= partitions:
            complete[table] = done
        else:
            failed[table] = errors.get(table) or [
                f"{partitions - len(done)} of {partitions} read(s) not committed: "
                "their extract task did not finish"
            ]
    return Outcomes(complete, failed)


def failure_message(failed: Mapping[str, Sequence[str]], planned: int) -> str:
    """What failed, and the run conf that reruns only those tables."""
    lines = [f"{table}: {'; '.join(errors)}" for table, errors in failed.items()]
    rerun = json.dumps({CONF_TABLES: list(failed)})
    return (
        f"{len(failed)} of {planned} table(s) were not committed (the others were):\n  "
        + "\n  ".join(lines)
        + f"\nRerun only these with the run conf {rerun}"
    )


def group_by_table(summaries: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Extract summaries by their table label, in the order tables first appear."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for summary in summaries:
        grouped.setdefault(summary["table"], []).append(summary)
    return grouped


def check_row_counts(counts: Mapping[str, tuple[int, int]]) -> dict[str, str]:
    """Each table whose rows written (first) differ from its rows read, with the reason: such
    a table is not committed (its watermark does not move on)."""
    return {
        table: f"{written} rows written to GCS, {read} rows read from Oracle"
        for table, (written, read) in counts.items()
        if written != read
    }


def _flatten(pulled: Any) -> list[Mapping[str, Any]]:
    """The lists the extract tasks pushed (one per task instance that pushed) as one list."""
    return [entry for values in pulled or () for entry in values or () if isinstance(entry,
            Mapping)]  # fmt: skip


def _selectors(resolution: Any) -> tuple[JobSelector, ...]:
    if not isinstance(resolution, Sequence):
        return ()
    return tuple(
        JobSelector(selector=str(entry["selector"]), tables=tuple(entry.get("tables", ())))
        for entry in resolution
        if isinstance(entry, Mapping) and "selector" in entry
    )


def _sum(summaries: Sequence[Mapping[str, Any]], key: str) -> int:
    missing = [s.get("partition") for s in summaries if key not in s]
    if missing:
        raise RuntimeError(f"extract results of partitions {missing} have no {key!r} count")
    return sum(int(s[key]) for s in summaries)


def committed_by_its_task(summary: Mapping[str, Any]) -> JobTableRun:
    """A table read whole: its extract task committed its table manifest (after checking its
    rows, as finalize does for partitions), and its summary says what the manifest holds."""
    started = dt.datetime.fromisoformat(summary["started_at"])
    finished = dt.datetime.fromisoformat(summary["finished_at"])
    return JobTableRun(
        table=summary["table"],
        manifest=summary["manifest"],
        totals=Totals(
            parts=int(summary["parts"]),
            rows=int(summary["rows"]),
            uncompressed_bytes=int(summary["bytes"]),
            compressed_bytes=int(summary["compressed_bytes"]),
        ),
        rows_read=int(summary["rows_read"]),
        started_at=started,
        finished_at=finished,
        duration_s=round((finished - started).total_seconds(), 3),
    )


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
    return min((t.started_at for t in tables), default=dt.datetime.now(dt.timezone.utc))
