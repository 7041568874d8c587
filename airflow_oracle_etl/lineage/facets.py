"""The provider's own OpenLineage facet: how a table was read (SCN, window, partition).

This module imports OpenLineage at the top, so only :mod:`.openlineage` imports it, and only
inside its functions: without the ``openlineage`` extra nothing imports it at all.

The facet goes in an input dataset's ``inputFacets`` under :data:`READ_FACET_KEY`: an SCN,
a watermark window and a partition describe one run's read of the table, not the table (as
``outputStatistics`` describes one run's write). Its JSON schema ships with the package
(``OracleEtlReadFacet.json`` next to this module); ``_schemaURL`` is that schema's ``$id``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import attr
from openlineage.client.generated.base import InputDatasetFacet
from openlineage.client.utils import RedactMixin

__all__ = [
    "READ_FACET_KEY",
    "READ_FACET_SCHEMA_FILE",
    "READ_FACET_SCHEMA_URL",
    "OracleEtlPartition",
    "OracleEtlReadFacet",
    "OracleEtlWindow",
    "read_facet_schema",
]

#: the facet's key in ``inputFacets``: prefixed with ``oracleEtl_`` so that it never meets a
#: facet of OpenLineage's or another producer's
READ_FACET_KEY = "oracleEtl_read"
READ_FACET_SCHEMA_FILE = "OracleEtlReadFacet.json"
READ_FACET_SCHEMA_URL = (
    "https://pypi.org/project/airflow-oracle-etl/spec/facets/1-0-0/OracleEtlReadFacet.json"
    "#/$defs/OracleEtlReadFacet"
)


@attr.define
class OracleEtlWindow(RedactMixin):
    """The watermark window read: rows of ``column`` between ``low`` (no lower bound when
    absent) and ``high``; ``fullRefresh``: everything was read and the watermark restarted."""

    column: str
    kind: str | None = attr.field(default=None)
    low: str | None = attr.field(default=None)
    high: str | None = attr.field(default=None)
    fullRefresh: bool | None = attr.field(default=None)  # OpenLineage's casing

    _skip_redact = ["column", "kind", "fullRefresh"]


@attr.define
class OracleEtlPartition(RedactMixin):
    """The partition read: ``index`` (from 0) of ``count``."""

    index: int
    count: int

    _skip_redact = ["index", "count"]


@attr.define
class OracleEtlReadFacet(InputDatasetFacet):
    """How the input was read: ``scn`` (``AS OF SCN``; absent for a live read or a query),
    ``window`` (incremental reads) and ``partition`` (a partition's task)."""

    scn: int | None = attr.field(default=None)
    window: OracleEtlWindow | None = attr.field(default=None)
    partition: OracleEtlPartition | None = attr.field(default=None)

    _additional_skip_redact = ["scn", "partition"]

    @staticmethod
    def _get_schema() -> str:
        return READ_FACET_SCHEMA_URL


def read_facet_schema() -> dict[str, Any]:
    """The facet's JSON schema, as shipped in the package."""
    text = resources.files(__package__).joinpath(READ_FACET_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
