"""What a task or a job was asked to read, checked once.

A :class:`ReadRequest` is made from the extract operator's arguments (after rendering), from
the plan operator's, or from a transport table's options; the planner
(:mod:`~airflow_oracle_etl.planning.planner`) turns it into a
:class:`~airflow_oracle_etl.planning.plan.ReadPlan`. Every value is parsed and checked here, in
``__post_init__``, so the planner and the extraction never see a bad one, and the error names
the argument.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.incremental import IncrementalConfig, WatermarkWindow
from airflow_oracle_etl.partitioning import STRATEGY_COLUMN, STRATEGY_HASH, PartitionSpec
from airflow_oracle_etl.planning.scn import parse_scn
from airflow_oracle_etl.resume.keyset import KEY_BIND_PREFIX

__all__ = ["ReadRequest", "convert_record"]


@dataclass(frozen=True, kw_only=True)
class ReadRequest:
    """One table or query to read, as configured.

    :param table: ``TABLE``, ``OWNER.TABLE`` or a quoted ``"Mixed_Case"`` name.
    :param table_owner: the owner when ``table`` does not name it.
    :param sql: a query to read instead of a table; needs ``name``.
    :param name: the label of ``sql``'s output in object names and manifests.
    :param columns: the columns to read, in this order (default: all).
    :param where: a predicate on the table (DAG-author SQL; values in ``parameters``).
    :param parameters: bind values by name for ``sql`` and ``where``.
    :param snapshot_scn: read ``AS OF SCN`` this number (text from a template is parsed).
    :param consistent_snapshot: without ``snapshot_scn``, capture the current SCN.
    :param incremental: the watermark column and first lower bound, planned per run.
    :param watermark: the window as already planned for the job (instead of ``incremental``).
    :param full_refresh: with ``incremental``: ignore the stored watermark.
    :param partition: one partition as planned for the job.
    :param partitions: for the plan task: how many partitions to plan.
    :param partition_strategy: ``hash``, ``rowid`` or ``column``.
    :param partition_by: the column ``column`` ranges over, or ``hash`` hashes.
    :param checkpoint: read in key order and checkpoint finished parts (tables only).
    """

    table: str | None = None
    table_owner: str | None = None
    sql: str | None = None
    name: str | None = None
    columns: Sequence[str] | None = None
    where: str | None = None
    parameters: Mapping[str, Any] | None = None
    snapshot_scn: int | None = None
    consistent_snapshot: bool = True
    incremental: IncrementalConfig | None = None
    watermark: WatermarkWindow | None = None
    full_refresh: bool = False
    partition: PartitionSpec | None = None
    partitions: int = 1
    partition_strategy: str = field(default="")
    partition_by: str | None = None
    checkpoint: bool = True

    def __post_init__(self) -> None:
        if (self.table is None) == (self.sql is None):
            raise ConfigurationError("give exactly one of table= or sql=")
        if self.sql is not None and not self.name:
            raise ConfigurationError("sql= needs name= (the label in object names)")
        if self.sql is not None and (self.incremental or self.partition or self.watermark):
            raise ConfigurationError(
                "sql= reads a query: incremental, watermark and partition need table="
            )
        if self.parameters is not None and not isinstance(self.parameters, Mapping):
            raise ConfigurationError(
                f"parameters must be a mapping of bind names to values, got {self.parameters!r}"
            )
        object.__setattr__(self, "snapshot_scn", parse_scn(self.snapshot_scn))
        if isinstance(self.columns, str) or (
            self.columns is not None and not all(isinstance(c, str) for c in self.columns)
        ):
            raise ConfigurationError(f"columns must be a list of names, got {self.columns!r}")
        if self.columns is not None:
            object.__setattr__(self, "columns", tuple(self.columns))
        if not self.partition_strategy:
            strategy = STRATEGY_COLUMN if self.partition_by else STRATEGY_HASH
            object.__setattr__(self, "partition_strategy", strategy)
        if self.checkpoint and self.table is not None:
            reserved = sorted(k for k in self.parameters or {} if k.startswith(KEY_BIND_PREFIX))
            if reserved:
                raise ConfigurationError(
                    f"parameters {reserved} use the prefix {KEY_BIND_PREFIX!r}, which "
                    "restartable reads keep for their key binds; rename them or pass "
                    "checkpoint=False"
                )

    @property
    def label(self) -> str:
        """What is read, for messages before the table is resolved."""
        return str(self.name if self.sql is not None else self.table)

    @property
    def binds(self) -> dict[str, Any]:
        """The user's bind values (a copy: planners add their own)."""
        return dict(self.parameters or {})


def convert_record(value: object, record: type[Any], *, argument: str) -> Any:
    """A planned record (``partition``, ``watermark``, ``incremental``) from its mapping form
    (as it travels through XCom), or None; errors name the argument."""
    if value is None or isinstance(value, record):
        return value
    try:
        return msgspec.convert(dict(value) if isinstance(value, Mapping) else value, record)
    except msgspec.ValidationError as error:
        if isinstance(error.__cause__, ConfigurationError):
            raise error.__cause__ from None  # the record's own check: its message says it all
        raise ConfigurationError(f"{argument}: {error}") from None
