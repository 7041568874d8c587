"""A simulated incremental job against the emulator and the GCS stand-in.

One :meth:`Job.run` does what the operator does for one table, minus the part files: read the
SCN, find the last committed watermark in the bucket, plan the window, read the window AS OF
the SCN, and (unless the run "fails") commit a manifest recording the range.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import oracledb
import pytest
from google.cloud import storage

from airflow_oracle_etl.gcs import TableLayout, TableManifest, Totals, commit_manifest
from airflow_oracle_etl.hooks import query
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.incremental import (
    IncrementalConfig,
    WatermarkWindow,
    last_committed_watermark,
    plan_window,
)
from oracle_emulator.process import EmulatorProcess

CONN_ID = "oracle_incremental"
PREFIX = "lake"
TRANSPORT = "incremental"


@pytest.fixture
def hook(oracle_emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> OracleExtractHook:
    connection = {
        "conn_type": "oracle",
        "host": oracle_emulator.host,
        "port": oracle_emulator.port,
        "login": "demo",
        "password": "demo",
        "extra": {"service_name": oracle_emulator.service_name},
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    return OracleExtractHook(oracle_conn_id=CONN_ID)


@pytest.fixture
def writer(oracle_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    """The connection tests change the source tables through (explicit commits)."""
    return oracle_connect()


@dataclass
class RunResult:
    ids: set[int]
    window: WatermarkWindow
    scn: int


@dataclass
class Job:
    """Runs of one incremental table, numbered; each run has its own run id."""

    hook: OracleExtractHook
    bucket: storage.Bucket
    reader: oracledb.Connection
    table: str
    config: IncrementalConfig
    runs: int = 0
    committed: list[str] = field(default_factory=list)

    def layout(self, run_id: str) -> TableLayout:
        return TableLayout(PREFIX, TRANSPORT, self.table, run_id)

    def run(
        self,
        *,
        commit: bool = True,
        full_refresh: bool = False,
        run_id: str | None = None,
        snapshot: bool = True,
        where: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> RunResult:
        self.runs += 1
        run_id = run_id or f"scheduled__run{self.runs:03d}"
        started = dt.datetime.now(dt.timezone.utc)
        layout = self.layout(run_id)
        with self.hook.session():
            metadata = self.hook.get_table_metadata(self.table)
            scn = self.hook.current_scn()
            previous = last_committed_watermark(self.bucket, layout, self.config.column)
            window = plan_window(
                self.hook,
                metadata,
                self.config,
                scn=scn if snapshot else None,
                previous=previous,
                full_refresh=full_refresh,
                where=where,
                parameters=parameters,
            )
        ids = self.read(metadata, window, scn, where, parameters)
        if commit:
            self.commit(layout, window, scn if snapshot else None, started)
        return RunResult(ids, window, scn)

    def read(
        self,
        metadata: Any,
        window: WatermarkWindow,
        scn: int,
        where: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> set[int]:
        """The window's rows AS OF the job's SCN, as the operator reads them."""
        predicate = window.predicate if where is None else f"({where}) AND ({window.predicate})"
        sql = query.build_select(metadata, '"ID"', where=predicate, as_of_scn=True)
        binds = (parameters or {}) | window.binds | {query.AS_OF_SCN_BIND: scn}
        with self.reader.cursor() as cursor:
            ids = [row[0] for row in cursor.execute(sql, binds)]
        assert len(ids) == len(set(ids)), f"a row was read twice in one window: {ids}"
        return set(ids)

    def commit(
        self, layout: TableLayout, window: WatermarkWindow, scn: int | None, started: dt.datetime
    ) -> None:
        manifest = TableManifest(
            transport=TRANSPORT,
            table=self.table,
            run_id=layout.run_id,
            attempt=1,
            bucket=self.bucket.name,
            scn=scn,
            watermark=window.range(),
            started_at=started,
            finished_at=dt.datetime.now(dt.timezone.utc),
            totals=Totals(),
        )
        commit_manifest(
            self.bucket, layout.manifest_name(), manifest, parts_prefix=layout.parts_prefix()
        )
        self.committed.append(layout.run_id)


@pytest.fixture
def make_job(
    hook: OracleExtractHook,
    gcs_bucket: storage.Bucket,
    oracle_connect: Callable[..., oracledb.Connection],
) -> Callable[..., Job]:
    def make(table: str, column: str = "W", initial: str | int | None = None) -> Job:
        config = IncrementalConfig(column=column, initial=initial)
        return Job(hook, gcs_bucket, oracle_connect(), table, config)

    return make
