"""OracleExtractPlanOperator: one table of a job planned once, for mapped extract tasks.

It captures the SCN the whole job reads at (unless given one), the incremental window from
the table's last committed manifest, and the partitions; it returns one set of keyword
arguments per partition, for ``OracleToGCSJsonlOperator.partial(...).expand_kwargs(...)``.
Planning happens once so that every partition reads the same point in time and the same
window, and boundaries are computed from that snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec
from airflow.providers.google.cloud.hooks.gcs import GCSHook
from airflow.sdk import BaseOperator

from airflow_oracle_etl.gcs import TableLayout
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.incremental import (
    IncrementalConfig,
    last_committed_watermark,
    plan_window,
)
from airflow_oracle_etl.metadata import TableMetadata
from airflow_oracle_etl.partitioning import plan_partitions

if TYPE_CHECKING:
    from airflow.sdk import Context
    from google.cloud import storage


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
        self.partition_strategy = partition_strategy or ("column" if partition_by else "hash")
        self.partition_by = partition_by
        self.incremental = incremental
        self.full_refresh = full_refresh
        self.snapshot_scn = snapshot_scn
        self.consistent_snapshot = consistent_snapshot

    def execute(self, context: Context) -> list[dict[str, Any]]:
        hook = OracleExtractHook(oracle_conn_id=self.oracle_conn_id)
        with hook.session():
            _, kwargs = plan_table(
                hook,
                TablePlanRequest(
                    table=self.table,
                    table_owner=self.table_owner,
                    where=self.where,
                    parameters=self.parameters,
                    partitions=self.partitions,
                    partition_strategy=self.partition_strategy,
                    partition_by=self.partition_by,
                    incremental=self.incremental,
                    full_refresh=bool(self.full_refresh),
                ),
                scn=self._scn(hook),
                bucket=lambda: GCSHook(gcp_conn_id=self.gcp_conn_id).get_conn().bucket(self.bucket),
                prefix=self.prefix,
                transport=self.transport or self.dag_id,
                run_id=context["run_id"],
                log=self.log,
            )
        return kwargs

    def _scn(self, hook: OracleExtractHook) -> int | None:
        if self.snapshot_scn not in (None, ""):
            return int(self.snapshot_scn)
        return hook.current_scn() if self.consistent_snapshot else None


@dataclass(frozen=True)
class TablePlanRequest:
    """What to plan for one table: the plan operator's and the transport planner's input."""

    table: str
    table_owner: str | None = None
    where: str | None = None
    parameters: Mapping[str, Any] | None = None
    partitions: int = 1
    partition_strategy: str = "hash"
    partition_by: str | None = None
    incremental: Mapping[str, Any] | None = None
    full_refresh: bool = False


def plan_table(
    hook: OracleExtractHook,
    request: TablePlanRequest,
    *,
    scn: int | None,
    bucket: Callable[[], storage.Bucket],
    prefix: str,
    transport: str,
    run_id: str,
    log: Any = None,
) -> tuple[TableMetadata, list[dict[str, Any]]]:
    """One table planned at ``scn`` inside the hook's open session: its metadata, and one
    set of extract keyword arguments per partition (``snapshot_scn``, ``partition``,
    ``watermark``).

    ``bucket`` is called only for an incremental table (to read its last committed
    watermark), so a full table needs no GCS access to be planned.
    """
    metadata = hook.get_table_metadata(request.table, request.table_owner)
    window = None
    if request.incremental:
        config = msgspec.convert(dict(request.incremental), IncrementalConfig)
        layout = TableLayout(prefix, transport, f"{metadata.owner}.{metadata.name}", run_id)
        window = plan_window(
            hook,
            metadata,
            config,
            scn=scn,
            previous=last_committed_watermark(bucket(), layout, config.column),
            full_refresh=request.full_refresh,
            where=request.where,
            parameters=request.parameters,
        )
    specs = plan_partitions(
        hook,
        metadata,
        count=request.partitions,
        strategy=request.partition_strategy,
        column=request.partition_by,
        scn=scn,
        where=request.where,
        parameters=request.parameters,
    )
    for spec in specs:
        if log is not None:
            log.info(
                "%s.%s partition %d/%d: %s",
                metadata.owner,
                metadata.name,
                spec.index + 1,
                spec.count,
                spec.description,
            )
    return metadata, [
        {
            "snapshot_scn": scn,
            "partition": msgspec.to_builtins(spec),
            "watermark": msgspec.to_builtins(window),
        }
        for spec in specs
    ]
