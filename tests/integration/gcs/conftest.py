"""GCS fixtures: one fake-gcs-server per session, a fresh bucket per test."""

from airflow_oracle_etl.testing.gcs import gcs_bucket, gcs_client, gcs_emulator

__all__ = ["gcs_bucket", "gcs_client", "gcs_emulator"]
