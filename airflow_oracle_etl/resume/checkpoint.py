"""Checkpoints of an extraction in the task state store, so that a retry skips finished parts.

After each part object is uploaded and verified, the operator records in the task instance's
``task_state_store`` (key :data:`CHECKPOINT_KEY`; Airflow keeps it across the tries of one
task instance) what a retry needs to go on instead of starting over:

- the parts finished so far (as the manifest will list them: name, rows, bytes, crc32c,
  generation);
- the primary key of the last row they hold (see :mod:`.keyset`);
- the SCN the rows were read at, and a fingerprint of the read (the SQL text, its binds, the
  columns, where the parts go), so a checkpoint is only ever applied to the same read.

A retry trusts a checkpoint only if its fingerprint matches and every part it lists is still in
the bucket with the generation and crc32c recorded; otherwise it says why in the log and starts
over (which is always correct, only slower). The checkpoint is deleted once the manifest is
committed. It holds object names, sizes, checksums and key values: no connection details.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import msgspec

# google-cloud-storage ships no py.typed marker nor stubs: its names are Any here. With
# ``unused-ignore`` since an incremental mypy run may not report the error (python/mypy#20105)
from google.cloud import storage

from airflow_oracle_etl.gcs.manifest import PartInfo
from airflow_oracle_etl.gcs.settings import retry_policy

__all__ = [
    "CHECKPOINT_KEY",
    "Checkpoint",
    "CheckpointRecorder",
    "CheckpointStore",
    "read_fingerprint",
    "stale_parts",
]

log = logging.getLogger(__name__)

CHECKPOINT_KEY = "checkpoint"
#: bumped when the stored shape changes: an older checkpoint is then ignored, not misread
FORMAT_VERSION = 1


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """What a retry needs to go on after the last finished part."""

    version: int = FORMAT_VERSION
    fingerprint: str
    scn: int
    #: the attempt that finished the last part
    attempt: int
    #: rows in ``parts``
    rows: int
    parts: tuple[PartInfo, ...]
    #: the primary key of the last row of the last part, as :class:`~.keyset.KeysetOrder` text
    key: tuple[str, ...]


class _StateStore(Protocol):
    """The part of Airflow's ``TaskStateStoreAccessor`` used here."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...

    def delete(self, key: str) -> None: ...


class CheckpointStore:
    """The checkpoint of one task instance; inert without a state store (a bare
    ``operator.execute()`` outside a task gets no ``task_state_store``)."""

    def __init__(
        self, store: _StateStore | None, *, key: str = CHECKPOINT_KEY, known_empty: bool = False
    ) -> None:
        self._store = store
        #: a task running several reads keeps one checkpoint per read (``checkpoint/J``)
        self._key = key
        #: nothing can be stored yet (a task's first try): loading and clearing cost no round
        #: trip, which counts when one task reads hundreds of small tables
        self._maybe_stored = not known_empty

    @property
    def available(self) -> bool:
        return self._store is not None

    def load(self) -> Checkpoint | None:
        """The stored checkpoint; one that cannot be read as this version's is ignored."""
        if self._store is None or not self._maybe_stored:
            return None
        stored = self._store.get(self._key)
        if stored is None:
            return None
        try:
            checkpoint = msgspec.convert(stored, Checkpoint)
        except msgspec.ValidationError as error:
            log.warning("ignoring the stored checkpoint, which cannot be read: %s", error)
            return None
        if checkpoint.version != FORMAT_VERSION:
            log.warning("ignoring a checkpoint of format %d", checkpoint.version)
            return None
        return checkpoint

    def save(self, checkpoint: Checkpoint) -> bool:
        """Store ``checkpoint``; False if the store refused it. A checkpoint is an
        optimisation of retries: failing to record one must not fail the extraction, so the
        error is logged and the previous checkpoint (still valid, only older) stays."""
        if self._store is None:
            return False
        self._maybe_stored = True
        try:
            # through JSON, so tuples become the lists the store's JSON validation wants
            self._store.set(self._key, msgspec.json.decode(msgspec.json.encode(checkpoint)))
        except Exception as error:
            log.warning(
                "could not record the checkpoint after %d parts (%s: %s); a retry would go on "
                "from an earlier one",
                len(checkpoint.parts),
                type(error).__name__,
                error,
            )
            return False
        return True

    def clear(self) -> None:
        if self._store is not None and self._maybe_stored:
            self._store.delete(self._key)
            self._maybe_stored = False


class CheckpointRecorder:
    """Saves a checkpoint each time the writer reports a finished part that ends on a known
    key. Called from the extracting thread (the state store's channel is not thread-safe)."""

    def __init__(
        self,
        store: CheckpointStore,
        *,
        fingerprint: str,
        scn: int,
        attempt: int,
        resumed: Checkpoint | None = None,
    ) -> None:
        self._store = store
        self._fingerprint = fingerprint
        self._scn = scn
        self._attempt = attempt
        self._parts: list[PartInfo] = list(resumed.parts) if resumed else []
        self._seen = 0
        self.saved = 0

    def update(self, finished: Sequence[tuple[PartInfo, tuple[str, ...] | None]]) -> None:
        """Take the writer's finished parts (in order, each with the key its last row had,
        or None where a part was cut inside a batch); save if a new one ends on a key."""
        last: tuple[int, tuple[str, ...]] | None = None
        for part, mark in finished[self._seen :]:
            self._parts.append(part)
            if mark is not None:
                last = (len(self._parts), mark)
        self._seen = len(finished)
        if last is None:
            return
        count, key = last
        parts = tuple(self._parts[:count])
        saved = self._store.save(
            Checkpoint(
                fingerprint=self._fingerprint,
                scn=self._scn,
                attempt=self._attempt,
                rows=sum(part.rows for part in parts),
                parts=parts,
                key=tuple(key),
            )
        )
        self.saved += saved


def read_fingerprint(
    *, sql: str, binds: Mapping[str, Any] | None, columns: Sequence[str], parts_prefix: str
) -> str:
    """A digest of everything that decides which rows a read returns, in which order and
    where they go; two attempts share it exactly when one may go on with the other's parts."""
    material = msgspec.json.encode(
        {"sql": sql, "binds": dict(binds or {}), "columns": list(columns), "to": parts_prefix},
        order="sorted",
        enc_hook=str,
    )
    return hashlib.sha256(material).hexdigest()


def stale_parts(
    bucket: storage.Bucket, parts: Sequence[PartInfo], retry_deadline: float | None = None
) -> str | None:
    """Why the listed parts cannot be reused (one is gone or was rewritten), or None."""
    retry = retry_policy(retry_deadline)
    for part in parts:
        blob = bucket.get_blob(part.name, retry=retry)
        if blob is None:
            return f"gs://{bucket.name}/{part.name} is gone"
        if int(blob.generation) != part.generation or blob.crc32c != part.crc32c:
            return f"gs://{bucket.name}/{part.name} was rewritten since it was checkpointed"
    return None
