"""The destination bucket, opened and checked before anything is read from Oracle.

A bucket that does not exist, refuses this connection or whose credentials are refused will not
change between retries: each is an :class:`~airflow_oracle_etl.errors.AccessError`, so the task
fails at once, and the message names the bucket and the connection (never a key).
"""

from __future__ import annotations

import os

from google.api_core import exceptions as gcs_errors
from google.auth import exceptions as google_auth_errors
from google.cloud import storage

from airflow_oracle_etl.bucket_names import bucket_problem
from airflow_oracle_etl.errors import AccessError, ConfigurationError
from airflow_oracle_etl.gcs.settings import retry_policy
from airflow_oracle_etl.options import GcsOptions

__all__ = [
    "BucketAccessError",
    "BucketNotFoundError",
    "bucket_handle",
    "gcs_client",
    "open_bucket",
    "without_telemetry_cache",
]


#: google-cloud-storage's own switches for its OpenTelemetry traces and metrics (both off
#: unless set), the only readers of its bucket-metadata cache
GCS_TELEMETRY_SWITCHES = (
    "ENABLE_GCS_PYTHON_CLIENT_OTEL_TRACES",
    "GCP_STORAGE_PYTHON_ENABLE_OTEL_METRICS",
)
_TRUTHY = frozenset({"1", "true", "yes", "on"})


class BucketNotFoundError(AccessError):
    """The bucket does not exist (or the project hides it from this connection)."""


class BucketAccessError(AccessError):
    """GCS refused the bucket to this connection (403), or refused its credentials."""


def gcs_client(gcp_conn_id: str) -> storage.Client:
    """The storage client of connection ``gcp_conn_id``.

    The Google provider's hook is imported here, when a task runs, not with this module: it
    brings the provider's async stack (gcloud-aio, aiohttp), about a second of imports that
    every parse of a DAG file building these operators would otherwise pay, the DAG
    processor's included."""
    from airflow.providers.google.cloud.hooks.gcs import GCSHook

    return without_telemetry_cache(GCSHook(gcp_conn_id=gcp_conn_id).get_conn())


def without_telemetry_cache(client: storage.Client) -> storage.Client:
    """``client`` without google-cloud-storage's bucket-metadata cache, unless the library's
    telemetry is switched on.

    That cache (google-cloud-storage 3.x) exists to label trace spans with the bucket's
    project and location, and after every 404 it checks in a background request that the
    bucket still exists. A fresh run's first look at each table's manifest is a 404, so with
    the cache every table costs one more request, whose answer nothing reads when telemetry
    is off. The library treats a client without the cache as one with it switched off.
    """
    telemetry_on = any(
        os.environ.get(name, "").strip().lower() in _TRUTHY for name in GCS_TELEMETRY_SWITCHES
    )
    if not telemetry_on and getattr(client, "_bucket_metadata_cache", None) is not None:
        client._bucket_metadata_cache = None
    return client


def bucket_handle(name: str, *, gcp_conn_id: str) -> storage.Bucket:
    """The bucket ``name`` through connection ``gcp_conn_id``, unchecked (no request)."""
    return gcs_client(gcp_conn_id).bucket(name)


def open_bucket(name: str, *, gcp_conn_id: str, gcs: GcsOptions) -> storage.Bucket:
    """The bucket ``name`` through connection ``gcp_conn_id``, its existence checked.

    :raises ConfigurationError: a name GCS would refuse.
    :raises BucketNotFoundError: no such bucket.
    :raises BucketAccessError: no access, or the connection's credentials refused.
    """
    if problem := bucket_problem(name):
        raise ConfigurationError(f"bucket {name!r}: {problem}")
    client = gcs_client(gcp_conn_id)
    try:
        return client.get_bucket(
            name, retry=retry_policy(gcs.retry_deadline), timeout=gcs.request_timeout
        )
    except gcs_errors.NotFound as error:
        raise BucketNotFoundError(
            f"GCS bucket {name!r} does not exist (connection {gcp_conn_id!r})"
        ) from error
    except gcs_errors.Forbidden as error:
        raise BucketAccessError(
            f"no access to GCS bucket {name!r} with connection {gcp_conn_id!r}: {error.message}"
        ) from error
    except google_auth_errors.GoogleAuthError as error:
        # the credentials of the connection were refused; the error names no key material
        raise BucketAccessError(
            f"the credentials of GCP connection {gcp_conn_id!r} were refused while opening "
            f"bucket {name!r}: {type(error).__name__}: {error}"
        ) from error
