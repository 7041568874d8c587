"""Extraction: one read plan run end to end (resume, read, encode, write, commit), and the
destination bucket opened and checked before it. The extract operator is a thin Airflow face
over :class:`TableExtraction`."""

from airflow_oracle_etl.extraction.bucket import (
    BucketAccessError,
    BucketNotFoundError,
    open_bucket,
)
from airflow_oracle_etl.extraction.request import (
    CommittedRead,
    ReadTarget,
    run_request,
    table_summary,
)
from airflow_oracle_etl.extraction.table import (
    ExtractionSettings,
    RowCountMismatchError,
    TableExtraction,
    writer_settings,
)

__all__ = [
    "BucketAccessError",
    "BucketNotFoundError",
    "CommittedRead",
    "ExtractionSettings",
    "ReadTarget",
    "RowCountMismatchError",
    "TableExtraction",
    "open_bucket",
    "run_request",
    "table_summary",
    "writer_settings",
]
