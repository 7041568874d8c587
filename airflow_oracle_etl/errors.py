"""The provider's errors, described once: what went wrong, and whether a retry can fix it.

Every error the provider raises on purpose is an :class:`OracleEtlError`, and each is either
permanent or transient::

    OracleEtlError
    ├── PermanentError (AirflowFailException)   no retry can fix it: the task fails at once
    │   ├── ConfigurationError (ValueError)     an argument, a transport file, run conf
    │   │   ├── InvalidIdentifierError          a table, owner or column name (identifiers)
    │   │   ├── EncodingError                   a column list or type override (encoding)
    │   │   ├── PartitioningError               a partition setting (partitioning)
    │   │   ├── IncrementalError                a watermark setting or state (incremental)
    │   │   ├── FetchSettingError               arraysize, prefetchrows, connect_* (hooks)
    │   │   ├── TransportError                  a transport file, with every problem in it
    │   │   └── RunConfError                    a job's run conf
    │   └── AccessError                         the environment refuses: a grant, credentials
    │       ├── TableNotFoundError (LookupError)
    │       ├── SnapshotPrivilegeError          SELECT on V_$DATABASE or FLASHBACK missing
    │       ├── LogonRefusedError               ORA-01017, ORA-28000, ...
    │       ├── BucketNotFoundError
    │       └── BucketAccessError               403 on the bucket, or refused GCP credentials
    └── TransientError                          a retry may succeed: Airflow retries the task
        ├── OracleUnreachableError              no connection within the connect retries
        ├── ConnectionLostError                 DPY-4011, ORA-03113 mid-query
        ├── SnapshotTooOldError                 ORA-01555 (the next try reads a newer SCN)
        ├── ExtractCancelledError               on_kill interrupted the read
        └── UploadVerificationError             GCS stored other bytes than were sent

Families that group errors by where they arise (:class:`OracleExtractError` of the hook,
:class:`~airflow_oracle_etl.gcs.errors.GcsWriterError` of the writer) sit beside this tree:
each of their members is also permanent or transient.

Permanent errors derive from Airflow's ``AirflowFailException``, so a task that raises one
fails without using its retries: a wrong password retried only locks the account, and a
missing bucket does not appear between tries. Errors that are none of these (a database error
python-oracledb raised as it is, a GCS error after its own retries) fail the try, and
Airflow's retries take over.

Messages name the file, field, table, column, connection or bucket at fault, and never a
password, key or DSN.
"""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowFailException

__all__ = [
    "AccessError",
    "ConfigurationError",
    "OracleEtlError",
    "PermanentError",
    "TransientError",
]


class OracleEtlError(Exception):
    """Root of every error the provider raises on purpose."""


class PermanentError(OracleEtlError, AirflowFailException):
    """No retry can fix it: the task fails at once, without its retries."""


class TransientError(OracleEtlError):
    """A retry may succeed: Airflow's task retries take over."""


class ConfigurationError(PermanentError, ValueError):
    """Bad input: an operator argument, a transport file, run conf, a name; the message says
    which and what to change."""


class AccessError(PermanentError):
    """The environment refuses what the configuration asks for (a missing table, grant,
    bucket or credentials): someone must change the grants or the configuration."""
