"""The extract hook and what it returns or raises.

``OracleExtractHook`` (module ``oracle_extract``) is imported lazily so that importing the
errors or the pure SQL helpers does not import Airflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_oracle_etl.hooks.errors import (
    ExtractCancelledError,
    FetchSettingError,
    OracleExtractError,
    SnapshotPrivilegeError,
    TableNotFoundError,
)

if TYPE_CHECKING:
    from airflow_oracle_etl.hooks.cursor import ExtractCursor
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

__all__ = [
    "ExtractCancelledError",
    "ExtractCursor",
    "FetchSettingError",
    "OracleExtractError",
    "OracleExtractHook",
    "SnapshotPrivilegeError",
    "TableNotFoundError",
]


def __getattr__(name: str) -> Any:
    if name == "OracleExtractHook":
        from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

        return OracleExtractHook
    if name == "ExtractCursor":
        from airflow_oracle_etl.hooks.cursor import ExtractCursor

        return ExtractCursor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
