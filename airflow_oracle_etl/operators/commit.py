"""OracleTableCommitOperator: the table's manifest over its committed partitions.

Runs after every mapped extract task of a table succeeded; reads their partition manifests
and writes ``_manifest.json`` listing all parts. Until it has run, the table has no
table-level manifest, so readers and the next incremental run do not see a half-read table.
It is also the task that announces the table: its asset event (see
:mod:`airflow_oracle_etl.lineage.assets`) goes through each ``AssetAlias`` in its ``outlets``,
or onto the table's ``Asset`` there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_oracle_etl.extraction.bucket import bucket_handle
from airflow_oracle_etl.gcs import TableLayout, commit_partitioned_table
from airflow_oracle_etl.lineage.assets import TableCommit, announce_commits

if TYPE_CHECKING:
    from airflow.sdk import Context


class OracleTableCommitOperator(BaseOperator):
    """Commit a partitioned table from its extract tasks' return values, and announce it.

    Declare ``outlets=[table_asset(...)]`` (or an ``AssetAlias``) to give downstream DAGs an
    event once the table is committed (:func:`~airflow_oracle_etl.lineage.assets.table_asset`).

    :param summaries: the return values of the mapped extract tasks of one table (e.g.
        ``extract.output``): each names the table, its partition and the partition count.
        (templated)
    """

    template_fields: Sequence[str] = ("summaries", "bucket", "prefix")

    def __init__(
        self,
        *,
        summaries: Any,
        bucket: str,
        prefix: str = "",
        transport: str | None = None,
        gcp_conn_id: str = "google_cloud_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.summaries = summaries
        self.bucket = bucket
        self.prefix = prefix
        self.transport = transport
        self.gcp_conn_id = gcp_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        summaries = list(self.summaries)
        if not summaries:
            raise ValueError(f"{self.task_id}: no extract results to commit")
        tables = {summary["table"] for summary in summaries}
        if len(tables) != 1:
            raise ValueError(f"{self.task_id}: results of several tables given: {sorted(tables)}")
        layout = TableLayout(
            self.prefix, self.transport or self.dag_id, tables.pop(), context["run_id"]
        )
        bucket = bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id)
        manifest = commit_partitioned_table(
            bucket, layout, summaries[0]["partitions"], try_number=context["ti"].try_number
        )
        commit = TableCommit.from_manifest(
            manifest, name=layout.manifest_name(), prefix=self.prefix
        )
        announce_commits(context, self.outlets, [commit])
        return {
            "bucket": manifest.bucket,
            "table": manifest.table,
            "manifest": layout.manifest_name(),
            "objects": [part.name for part in manifest.parts],
            "rows": manifest.totals.rows,
            "bytes": manifest.totals.uncompressed_bytes,
            "parts": manifest.totals.parts,
            "scn": manifest.scn,
        }
