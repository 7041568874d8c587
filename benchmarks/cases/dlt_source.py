"""(e) dlt: the ``sql_database`` source with its pyarrow backend into a ``filesystem``
destination on the GCS emulator, as gzipped JSONL (``loader_file_format="jsonl"``).

dlt reaches Oracle through SQLAlchemy's Oracle dialect (``oracle+oracledb``), which reflects
the table from the data dictionary (ALL_TABLES, ALL_TAB_COLS, ALL_CONSTRAINTS, ALL_INDEXES,
ALL_TAB_COMMENTS / ALL_MVIEW_COMMENTS...) before selecting. :func:`check_reflection` makes
the same reflection first, outside the timed work: if the emulator cannot answer it, the case
reports what is missing instead of a failure.

dlt stages rows on local disk (extract, normalize) before loading; that is its design and
shows in the local-disk column. Its defaults are kept (chunk size, the driver's arraysize).
Settings that only make it run here, none of which changes its work:

- ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false``: gcsfs 2026.x asks the bucket's storage layout
  over gRPC first, which fake-gcs-server does not serve; it then hangs creating directories;
- anonymous GCS credentials (google-auth ``AnonymousCredentials`` as dlt's default
  credentials) and gcsfs ``token="anon"`` with ``endpoint_url`` at the emulator;
- no Airflow secrets provider (dlt probes Airflow Variables when Airflow is importable) and
  no telemetry.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .harness import CaseSpec, Unsupported

PIPELINE = "bench_dlt"
DATASET = "bench"


def _environment(spec: CaseSpec) -> None:
    os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"
    os.environ["PROVIDERS__ENABLE_AIRFLOW_SECRETS"] = "false"
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    os.environ["NO_GCE_CHECK"] = "true"  # google-auth: no metadata-server probe
    os.environ["DLT_DATA_DIR"] = str(Path(spec.work_dir) / "dlt_data")
    os.environ["STORAGE_EMULATOR_HOST"] = spec.gcs_url


def sqlalchemy_url(spec: CaseSpec) -> str:
    return (
        f"oracle+oracledb://{spec.user}:{spec.password}@{spec.host}:{spec.port}/"
        f"?service_name={spec.service_name}"
    )


def check_reflection(spec: CaseSpec) -> None:
    """Reflect the table as dlt will; :class:`Unsupported` naming what the emulator lacks."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(spec))
    try:
        with engine.connect() as connection:
            sa.Table(spec.table.lower(), sa.MetaData(), autoload_with=connection)
    except sa.exc.DBAPIError as error:
        statement = " ".join(str(error.statement or "").split())[:300]
        reason = str(error.orig).splitlines()[0]
        raise Unsupported(
            f"the emulator cannot answer SQLAlchemy's Oracle dialect: {reason} (at: {statement})"
        ) from error
    finally:
        engine.dispose()


def _anonymous_gcp_credentials() -> Any:
    """dlt's GCP credentials resolved to google-auth's anonymous ones.

    dlt accepts google-auth credentials as "default credentials" (what ``google.auth.default``
    would give), but only through the base class's parser: the service-account subclass then
    insists on a service-account key.
    """
    from dlt.common.configuration.specs import GcpServiceAccountCredentials
    from dlt.common.configuration.specs.gcp_credentials import GcpDefaultCredentials
    from google.auth.credentials import AnonymousCredentials

    credentials = GcpServiceAccountCredentials()
    credentials.project_id = "bench"
    GcpDefaultCredentials.parse_native_representation(credentials, AnonymousCredentials())
    return credentials


def prepare(spec: CaseSpec) -> Callable[[], int]:
    """Imports, the reflection check and the destination; the work is the pipeline's run
    (reflection by the source, extract, normalize, load), as a scheduled dlt job does it."""
    _environment(spec)
    check_reflection(spec)
    import dlt
    from dlt.sources.sql_database import sql_database

    destination = dlt.destinations.filesystem(
        bucket_url=f"gs://{spec.bucket}/{spec.prefix}",
        credentials=_anonymous_gcp_credentials(),
        kwargs={"token": "anon", "endpoint_url": spec.gcs_url, "project": "bench"},
    )
    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE,
        destination=destination,
        dataset_name=DATASET,
        pipelines_dir=str(Path(spec.work_dir) / "pipelines"),
    )

    def work() -> int:
        source = sql_database(
            credentials=sqlalchemy_url(spec), table_names=[spec.table.lower()], backend="pyarrow"
        )
        pipeline.run(source, loader_file_format="jsonl")
        counts = pipeline.last_trace.last_normalize_info.row_counts
        return int(counts.get(spec.table.lower(), 0))

    return work
