"""The option records a transport file, the operator and the writer share, under one set of
names: ``fetch.batch_rows`` in YAML is ``fetch={"batch_rows": ...}`` on the operator and
``FetchOptions.batch_rows`` in the code that reads; likewise ``parts`` and ``gcs``.

They are plain msgspec Structs so that a transport file, an operator argument (a mapping, as
Airflow serializes it for mapped tasks) and code all convert through :func:`convert_options`,
which names the argument and field at fault. Limits beyond the types are checked where the
values are used (:mod:`airflow_oracle_etl.hooks.settings`,
:class:`~airflow_oracle_etl.gcs.settings.WriterSettings`) and, for transport files, by
:mod:`airflow_oracle_etl.transports.checks` with every problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

import msgspec

from airflow_oracle_etl.errors import ConfigurationError

__all__ = [
    "BYTES_UNIT",
    "ByteSize",
    "FetchOptions",
    "GcsOptions",
    "PartsOptions",
    "as_mapping",
    "convert_options",
]

MIB = 1024 * 1024
DEFAULT_BATCH_ROWS = 10_000
DEFAULT_MAX_ROWS_PER_PART = 1_000_000
DEFAULT_MAX_BYTES_PER_PART = 256 * MIB
DEFAULT_CHUNK_SIZE = 16 * MIB
DEFAULT_COMPRESSION_LEVEL = 1
DEFAULT_RETRY_DEADLINE_S = 300.0
DEFAULT_REQUEST_TIMEOUT_S = 120.0

#: an int field that a file may also write as a size with a unit (``256MiB``); the transport
#: loader converts the text before msgspec sees it
BYTES_UNIT = "bytes"
ByteSize = Annotated[int, msgspec.Meta(extra={"unit": BYTES_UNIT})]


class _Options(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    pass


class FetchOptions(_Options, frozen=True, kw_only=True):
    """How rows come from Oracle; None means the Oracle connection's extra, else 10,000."""

    #: rows per round trip
    arraysize: int | None = None
    #: rows returned with the execute
    prefetchrows: int | None = None
    #: rows encoded per batch handed to the writer
    batch_rows: int = DEFAULT_BATCH_ROWS


class PartsOptions(_Options, frozen=True, kw_only=True):
    """How part files are cut, compressed and uploaded (sizes accept units: ``256MiB``)."""

    #: a new part after this many rows
    max_rows: int = DEFAULT_MAX_ROWS_PER_PART
    #: a new part after this many compressed bytes
    max_bytes: ByteSize = DEFAULT_MAX_BYTES_PER_PART
    #: bytes per resumable-upload request: a multiple of 256 KiB
    chunk_size: ByteSize = DEFAULT_CHUNK_SIZE
    #: gzip level (isal: 0-3)
    compression_level: int = DEFAULT_COMPRESSION_LEVEL


class GcsOptions(_Options, frozen=True, kw_only=True):
    """How long GCS requests may take and be retried."""

    #: seconds one request is retried (429, 5xx, resets, timeouts) before the task fails
    retry_deadline: float = DEFAULT_RETRY_DEADLINE_S
    #: seconds one request may take before it is retried
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT_S


_Record = TypeVar("_Record", bound=_Options)


def convert_options(value: object, record: type[_Record], *, argument: str) -> _Record:
    """``value`` (None, a record or a mapping of its fields) as ``record``.

    :raises ConfigurationError: an unknown field or a value of the wrong type, named as
        ``argument.field``.
    """
    if value is None:
        return record()
    if isinstance(value, record):
        return value
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"{argument} must be a mapping of {record.__name__} fields, got {value!r}"
        )
    try:
        return msgspec.convert(dict(value), record)
    except msgspec.ValidationError as error:
        raise ConfigurationError(f"{argument}: {_field_path(error, argument)}") from None


def _field_path(error: msgspec.ValidationError, argument: str) -> str:
    """msgspec's ``... - at `$.batch_rows``` as ``... (at argument.batch_rows)``."""
    text = str(error)
    return text.replace("`$", f"`{argument}")


def as_mapping(record: _Options) -> dict[str, Any]:
    """A record as the mapping an operator argument takes (for mapped tasks' partial kwargs,
    which Airflow serializes as JSON)."""
    return msgspec.to_builtins(record)
