"""The errors the GCS writer raises, described once.

``GcsWriterError`` is the root of everything this package raises on its own account:

- ``InvalidPayloadError`` (also a ``ValueError``): ``write()`` got bytes that are not the
  promised number of whole JSON lines; the manifest's row counts would be wrong, so we stop.
- ``UploadVerificationError``: the object GCS stored differs (size or crc32c) from the bytes
  we sent. No manifest will list it; the next committed attempt deletes it.
- ``ManifestError``: a manifest object exists but is not a manifest we can read (bad JSON,
  or written by a newer, incompatible version).
- ``MissingPartitionsError``: a table read in partitions cannot be committed because some
  partitions have no committed manifest (yet).
- ``ManifestConflictError``: another writer committed a manifest for the same table (and
  partition) while we were writing, or a later attempt already committed: our commit would
  overwrite newer data, so it is refused.

Errors from the GCS client itself (``google.api_core.exceptions.*``, ``DataCorruption``) and
from a failed background thread are re-raised as they are, so callers can catch them by type.
"""

from __future__ import annotations

from airflow_oracle_etl.errors import OracleEtlError, PermanentError, TransientError


class GcsWriterError(OracleEtlError):
    """Base class of this package's own errors."""


class InvalidPayloadError(GcsWriterError, PermanentError, ValueError):
    """A payload is not ``rows`` complete JSON lines."""


class UploadVerificationError(GcsWriterError, TransientError):
    """The stored object's size or crc32c differs from what was uploaded."""


class ManifestError(GcsWriterError, PermanentError):
    """A manifest object could not be read as a manifest."""


class ManifestConflictError(GcsWriterError, PermanentError):
    """Committing would overwrite a manifest written by another (or a later) attempt."""


class MissingPartitionsError(GcsWriterError, PermanentError):
    """Some partitions of a table have no committed manifest, so the table cannot commit."""
