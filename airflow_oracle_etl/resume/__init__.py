"""Restartable extraction: a read in primary-key order, checkpointed after each finished part,
so a retry goes on after the last finished part instead of reading its partition again."""

from airflow_oracle_etl.resume.checkpoint import (
    CHECKPOINT_KEY,
    Checkpoint,
    CheckpointRecorder,
    CheckpointStore,
    read_fingerprint,
    stale_parts,
)
from airflow_oracle_etl.resume.keyset import KeysetOrder, binary_collation, keyset_order

__all__ = [
    "CHECKPOINT_KEY",
    "Checkpoint",
    "CheckpointRecorder",
    "CheckpointStore",
    "KeysetOrder",
    "binary_collation",
    "keyset_order",
    "read_fingerprint",
    "stale_parts",
]
