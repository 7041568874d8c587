"""OracleExtractPlanOperator: one table of a job planned once, for mapped extract tasks.

It captures the SCN the whole job reads at (unless given one), the incremental window from
the table's last committed manifest, and the partitions; it returns one set of keyword
arguments per partition, for ``OracleToGCSJsonlOperator.partial(...).expand_kwargs(...)``.
Planning happens once so that every partition reads the same point in time and the same
window, and boundaries are computed from that snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_oracle_etl.extraction.bucket import bucket_handle
from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.incremental import IncrementalConfig
from airflow_oracle_etl.planning import (
    ReadRequest,
    convert_record,
    parse_scn,
    plan_table,
    snapshot_scn,
)

if TYPE_CHECKING:
    from airflow.sdk import Context


class OracleExtractPlanOperator(BaseOperator):
    """Plan the extraction of one table: snapshot SCN, watermark window, partitions.

    :param table: ``TABLE`` or ``OWNER.TABLE``. (templated)
    :param partitions: how many partitions to read the table in.
    :param partition_strategy: ``"hash"`` (ORA_HASH of ``partition_by`` or of the ROWID),
        ``"rowid"`` (ROWID ranges) or ``"column"`` (value ranges of ``partition_by``, a
        numeric or date column; the default strategy when ``partition_by`` is given).
    :param incremental: ``{"column": ..., "initial": ...}``. (templated)
    :param full_refresh: ignore the stored watermark and read everything. (templated)
    :param snapshot_scn: the SCN to read at (a job planning several tables passes one);
        otherwise the current SCN is captured, unless ``consistent_snapshot`` is False.
    """

    template_fields: Sequence[str] = (
        "table",
        "table_owner",
        "where",
        "parameters",
        "incremental",
        "full_refresh",
        "snapshot_scn",
        "bucket",
        "prefix",
    )

    def __init__(
        self,
        *,
        table: str,
        bucket: str,
        table_owner: str | None = None,
        where: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        prefix: str = "",
        transport: str | None = None,
        oracle_conn_id: str = OracleExtractHook.default_conn_name,
        gcp_conn_id: str = "google_cloud_default",
        partitions: int = 1,
        partition_strategy: str | None = None,
        partition_by: str | None = None,
        incremental: Mapping[str, Any] | None = None,
        full_refresh: bool = False,
        snapshot_scn: int | str | None = None,
        consistent_snapshot: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.table = table
        self.bucket = bucket
        self.table_owner = table_owner
        self.where = where
        self.parameters = parameters
        self.prefix = prefix
        self.transport = transport
        self.oracle_conn_id = oracle_conn_id
        self.gcp_conn_id = gcp_conn_id
        self.partitions = partitions
        self.partition_strategy = partition_strategy
        self.partition_by = partition_by
        self.incremental = incremental
        self.full_refresh = full_refresh
        self.snapshot_scn = snapshot_scn
        self.consistent_snapshot = consistent_snapshot

    def execute(self, context: Context) -> list[dict[str, Any]]:
        request = ReadRequest(
            table=self.table,
            table_owner=self.table_owner,
            where=self.where,
            parameters=self.parameters,
            snapshot_scn=parse_scn(self.snapshot_scn),
            consistent_snapshot=self.consistent_snapshot,
            incremental=convert_record(self.incremental, IncrementalConfig, argument="incremental"),
            full_refresh=bool(self.full_refresh),
            partitions=self.partitions,
            partition_strategy=self.partition_strategy or "",
            partition_by=self.partition_by,
        )
        transport, run_id = self.transport or self.dag_id, context["run_id"]
        hook = OracleExtractHook(oracle_conn_id=self.oracle_conn_id)
        with hook.session():
            _, planned = plan_table(
                hook,
                request,
                scn=snapshot_scn(hook, request),
                bucket=lambda: bucket_handle(self.bucket, gcp_conn_id=self.gcp_conn_id),
                layout_of=lambda label: TableLayout(self.prefix, transport, label, run_id),
            )
        return [read.as_kwargs() for read in planned]
