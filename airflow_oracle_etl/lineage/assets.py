"""Airflow asset events for committed tables, so downstream DAGs (a BigQuery load, a dbt run)
can be scheduled on a table's export instead of on this DAG's timetable.

A table's asset is its folder of runs, ``gs://BUCKET/PREFIX/TRANSPORT/TABLE`` (the
:attr:`~airflow_oracle_etl.gcs.TableLayout.table_prefix` without its trailing slash), named by
that URI; every run of the table is an event of that one asset, and the event's extra says
which run and where its ``_manifest.json`` is. An event is added only for a table whose
manifest is committed, and Airflow records a task's events only when the task succeeds, so a
failed or partial export never announces itself.

Two ways to declare the outlet:

- an :class:`~airflow.sdk.AssetAlias` (a transport's ``finalize`` task has
  ``oracle_etl:<transport id>``): every committed table adds its own asset's event through it,
  which suits a job whose tables are known only when it is planned;
- the table's :class:`~airflow.sdk.Asset` itself, made by :func:`table_asset`: its event
  gets the extra.

Nothing in an event is secret: object names, counts, the SCN and the watermark reached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, AssetAlias

from airflow_oracle_etl.gcs.manifest import TableManifest
from airflow_oracle_etl.gcs.naming import TableLayout

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = [
    "ALIAS_PREFIX",
    "TableCommit",
    "announce_commits",
    "announce_summary",
    "table_asset",
    "table_asset_uri",
    "transport_alias",
]

log = logging.getLogger(__name__)

#: the name of a transport's alias is this and the transport id
ALIAS_PREFIX = "oracle_etl:"


def transport_alias(transport: str) -> AssetAlias:
    """The alias through which a transport's job announces each table it committed."""
    return AssetAlias(name=f"{ALIAS_PREFIX}{transport}")


def table_asset_uri(*, bucket: str, table: str, transport: str, prefix: str = "") -> str:
    """``gs://BUCKET/PREFIX/TRANSPORT/TABLE``: the same sanitised segments as the objects, so
    the URI names where the table's runs really are."""
    if not bucket:
        raise ValueError(f"the asset of table {table!r} needs a bucket")
    folder = TableLayout(prefix, transport, table, run_id="").table_prefix.rstrip("/")
    return f"gs://{bucket}/{folder}"


def table_asset(*, bucket: str, table: str, transport: str, prefix: str = "") -> Asset:
    """The asset a DAG author declares in ``outlets`` (and a downstream DAG schedules on) for
    ``table`` exported by ``transport`` (a stand-alone operator's transport is its DAG id
    unless given) into ``bucket`` under ``prefix``; named by its URI."""
    uri = table_asset_uri(bucket=bucket, table=table, transport=transport, prefix=prefix)
    return Asset(name=uri, uri=uri)


@dataclass(frozen=True)
class TableCommit:
    """One committed table of one run, as its asset event tells it."""

    transport: str
    table: str
    run_id: str
    bucket: str
    prefix: str
    #: object name of the table's ``_manifest.json``
    manifest: str
    rows: int
    parts: int
    scn: int | None
    #: the watermark reached (None when the table is not read incrementally)
    watermark_high: str | int | float | bool | None

    @property
    def uri(self) -> str:
        return table_asset_uri(
            bucket=self.bucket, table=self.table, transport=self.transport, prefix=self.prefix
        )

    @property
    def asset(self) -> Asset:
        return table_asset(
            bucket=self.bucket, table=self.table, transport=self.transport, prefix=self.prefix
        )

    def extra(self) -> dict[str, Any]:
        """The event's extra: enough for a consumer to load exactly this run."""
        return {
            "transport": self.transport,
            "table": self.table,
            "run_id": self.run_id,
            "bucket": self.bucket,
            "manifest": self.manifest,
            "manifest_uri": f"gs://{self.bucket}/{self.manifest}",
            "rows": self.rows,
            "scn": self.scn,
            "watermark_high": self.watermark_high,
            "parts": self.parts,
        }

    @classmethod
    def from_summary(
        cls, summary: Mapping[str, Any], *, transport: str, prefix: str, run_id: str
    ) -> TableCommit:
        """From what an extract or commit task returns for a committed table (its XCom)."""
        watermark = summary.get("watermark")
        return cls(
            transport=transport,
            table=str(summary["table"]),
            run_id=run_id,
            bucket=str(summary["bucket"]),
            prefix=prefix,
            manifest=str(summary["manifest"]),
            rows=int(summary["rows"]),
            parts=int(summary["parts"]),
            scn=None if summary.get("scn") is None else int(summary["scn"]),
            watermark_high=watermark.get("high") if isinstance(watermark, Mapping) else None,
        )

    @classmethod
    def from_manifest(cls, manifest: TableManifest, *, name: str, prefix: str) -> TableCommit:
        """From the table manifest just committed (``name`` is its object name)."""
        return cls(
            transport=manifest.transport,
            table=manifest.table,
            run_id=manifest.run_id,
            bucket=manifest.bucket,
            prefix=prefix,
            manifest=name,
            rows=manifest.totals.rows,
            parts=manifest.totals.parts,
            scn=manifest.scn,
            watermark_high=None if manifest.watermark is None else manifest.watermark.high,
        )


def announce_commits(
    context: Context, outlets: Iterable[object], commits: Sequence[TableCommit]
) -> int:
    """Add the events of ``commits`` to the task's outlet events; how many were added.

    Through each :class:`~airflow.sdk.AssetAlias` in ``outlets``, one event per table; an
    :class:`~airflow.sdk.Asset` in ``outlets`` whose URI is a committed table's gets that
    table's extra (Airflow emits an event for a declared asset whenever the task succeeds,
    so only its extra is ours to give). Airflow records them only if the task succeeds.
    """
    by_uri = {commit.uri: commit for commit in commits}
    events = context["outlet_events"]
    added = 0
    for outlet in outlets:
        if isinstance(outlet, AssetAlias):
            for commit in commits:
                events[outlet].add(commit.asset, extra=commit.extra())
                added += 1
        elif isinstance(outlet, Asset):
            if outlet.uri in by_uri:
                events[outlet].extra.update(by_uri[outlet.uri].extra())
                added += 1
            else:
                log.warning(
                    "outlet %s is no table this task committed (%s): its event has no extra",
                    outlet.uri,
                    ", ".join(by_uri) or "none",
                )
    return added


def announce_summary(
    context: Context,
    outlets: Iterable[object],
    summary: Mapping[str, Any],
    *,
    transport: str,
    prefix: str,
) -> int:
    """:func:`announce_commits` for what a stand-alone extract task returned: a table read
    whole is committed by that task; one partition of a table is not (its commit task
    announces the table), so it adds nothing."""
    if summary.get("partition") is not None:
        for outlet in outlets:
            if isinstance(outlet, Asset):
                log.warning(
                    "outlet %s is declared on a task that reads one partition: Airflow emits "
                    "its event when this task succeeds, before the table is committed; declare "
                    "it on the table's commit task",
                    outlet.uri,
                )
        return 0
    commit = TableCommit.from_summary(
        summary, transport=transport, prefix=prefix, run_id=str(context["run_id"])
    )
    return announce_commits(context, outlets, [commit])
