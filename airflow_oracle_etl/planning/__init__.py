"""Planning: what to read, decided once.

:class:`ReadRequest` (what was asked, checked) -> :func:`plan_read` / :func:`plan_table` ->
:class:`ReadPlan` (what one task reads) or :class:`PlannedRead` (what a job hands each task).
The extract operator, the plan operator and a transport's plan task all plan through these.
"""

from airflow_oracle_etl.planning.plan import ReadPlan
from airflow_oracle_etl.planning.planner import (
    Encode,
    PlannedRead,
    chosen_columns,
    plan_read,
    plan_table,
    plan_table_window,
    snapshot_scn,
    table_label,
)
from airflow_oracle_etl.planning.request import ReadRequest, convert_record
from airflow_oracle_etl.planning.scn import parse_scn

__all__ = [
    "Encode",
    "PlannedRead",
    "ReadPlan",
    "ReadRequest",
    "chosen_columns",
    "convert_record",
    "parse_scn",
    "plan_read",
    "plan_table",
    "plan_table_window",
    "snapshot_scn",
    "table_label",
]
