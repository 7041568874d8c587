"""Plain records of a job's run for the plugin's unit tests: times relative to one instant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow_oracle_etl.plugin.job_status import RunRecord

T0 = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
T0_US = 1_767_268_800_000_000


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def run(state: str = "running", **kwargs: Any) -> RunRecord:
    """A manual run of the transport ``daily``, queued at T0 and started a second later."""
    fields = {"queued_at": at(0), "start_date": at(1), "run_type": "manual", "conf": {}}
    return RunRecord(dag_id="daily", run_id="manual__1", state=state, **{**fields, **kwargs})
