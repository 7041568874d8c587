"""How an attempt commits a table (or a partition) so that retries are safe.

The protocol, for one (table, run, partition):

1. Pick the attempt number with :func:`begin_attempt`: the task's try number, raised above
   the attempt of any manifest already committed (whose generation it keeps). Part names carry
   the attempt, so a new attempt never writes an object that a committed manifest lists.
   For a table read whole, whose run prefix holds its objects alone, it lists that prefix
   instead (one request either way): empty, the attempt is *fresh* (the common case, a new
   run), and nothing there can become stale.
2. Write the parts (``TableWriter``). While it runs, a listing shows finished parts of this
   attempt beside the committed ones of earlier attempts, but the manifest still lists only
   the earlier ones. Unfinished uploads are not objects at all.
3. :func:`commit_manifest` writes the manifest last, in one request, conditional on the
   generation read when the attempt began (0 if there was none; a manifest written since is
   read again and judged on what it is): a reader sees the old manifest or the new one,
   never a mix, and two attempts racing cannot both commit. A manifest of a later attempt is
   never replaced.
4. Then it deletes every part of this partition that the new manifest does not list and that
   belongs to this attempt or an earlier one (orphans of failed attempts, the parts of the
   replaced manifest). Parts of a later attempt still running are left to that attempt. A
   fresh attempt whose manifest went in as the first object of its name skips the listing
   this takes: every part there is its own, and its manifest lists them all.

Readers trust only manifests. A reader holding a replaced manifest may find its parts gone
(step 4) and must re-read the manifest; GCS offers no way to delete later without a sweeper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry

# google-cloud-storage ships no py.typed marker nor stubs: its names are Any here. With
# ``unused-ignore`` since an incremental mypy run may not report the error (python/mypy#20105)
from google.cloud import storage

from airflow_oracle_etl.gcs.errors import ManifestConflictError, MissingPartitionsError
from airflow_oracle_etl.gcs.manifest import (
    TableManifest,
    Totals,
    read_manifest,
    read_manifest_with_generation,
    write_manifest,
)
from airflow_oracle_etl.gcs.naming import TableLayout, parse_part_name, partition_of_parts_prefix
from airflow_oracle_etl.gcs.settings import conditional_retry_policy, retry_policy

log = logging.getLogger(__name__)

#: generation precondition meaning "the object must not exist yet"
NO_OBJECT = 0


def list_parts(
    bucket: storage.Bucket, prefix: str, retry: Retry | None = None
) -> list[storage.Blob]:
    """Part objects under ``prefix`` (a run prefix or a ``parts_prefix``), by name; manifests,
    schemas and foreign objects are left out."""
    blobs = bucket.list_blobs(prefix=prefix, retry=retry or retry_policy())
    return sorted(
        (blob for blob in blobs if parse_part_name(blob.name) is not None),
        key=lambda blob: blob.name,
    )


def delete_stale_parts(
    bucket: storage.Bucket,
    parts_prefix: str,
    keep: set[str] | frozenset[str],
    *,
    up_to_attempt: int | None = None,
    retry_deadline: float | None = None,
) -> list[str]:
    """Delete the part objects under ``parts_prefix`` not named in ``keep``; returns their names.

    With ``up_to_attempt``, parts of later attempts are spared (they belong to an attempt that
    may still be running). Each delete is conditional on the generation listed, so an object
    re-created meanwhile survives; one already gone counts as deleted.
    """
    deleted: list[str] = []
    for blob in list_parts(bucket, parts_prefix, retry_policy(retry_deadline)):
        parsed = parse_part_name(blob.name)
        assert parsed is not None  # list_parts returns part objects only
        if blob.name in keep or (up_to_attempt is not None and parsed.attempt > up_to_attempt):
            continue
        try:
            blob.delete(
                if_generation_match=blob.generation,
                retry=conditional_retry_policy(retry_deadline),
            )
        except api_exceptions.NotFound:
            pass  # a retried delete that had succeeded, or someone else's cleanup
        except api_exceptions.PreconditionFailed:
            log.warning("%s was re-written while being cleaned up; left in place", blob.name)
            continue
        deleted.append(blob.name)
    if deleted:
        log.info("deleted %d stale part(s) under %s", len(deleted), parts_prefix)
    return deleted


@dataclass(frozen=True)
class AttemptStart:
    """An attempt's number, and the generation of the manifest it will replace (NO_OBJECT:
    none yet), read once when the attempt begins. ``fresh``: its run prefix was empty then."""

    number: int
    manifest_generation: int
    fresh: bool = False


def begin_attempt(
    bucket: storage.Bucket,
    manifest_name: str,
    try_number: int = 1,
    *,
    run_prefix: str | None = None,
    retry_deadline: float | None = None,
) -> AttemptStart:
    """The attempt to write under: ``try_number``, or one more than the attempt of the
    manifest already committed if that is not lower (a re-run with the same try number, as
    ``airflow tasks test`` does, must not reuse names a manifest lists); with the generation
    read, which :func:`commit_manifest` writes over unless the manifest changed since.

    :param run_prefix: the read's run prefix, when nothing but the read's own objects can be
        there (a table read whole: ``layout.run_prefix``; never for a partition, whose
        siblings share it). It is listed first: empty, the attempt is fresh and the manifest
        is not read; else the manifest is read as without it.
    """
    if run_prefix is not None:
        if not run_prefix.endswith("/") or not manifest_name.startswith(run_prefix):
            raise ValueError(f"{manifest_name} is not under the run prefix {run_prefix!r}")
        listed = bucket.list_blobs(
            prefix=run_prefix, max_results=1, retry=retry_policy(retry_deadline)
        )
        if next(iter(listed), None) is None:
            return AttemptStart(max(try_number, 1), NO_OBJECT, fresh=True)
    stored = read_manifest_with_generation(bucket, manifest_name)
    if stored is None:
        return AttemptStart(max(try_number, 1), NO_OBJECT)
    manifest, generation = stored
    assert isinstance(manifest, TableManifest)
    return AttemptStart(max(try_number, manifest.attempt + 1, 1), generation)


def commit_manifest(
    bucket: storage.Bucket,
    name: str,
    manifest: TableManifest,
    *,
    parts_prefix: str,
    retry_deadline: float | None = None,
    generation: int | None = None,
    fresh: bool = False,
) -> list[str]:
    """Write ``manifest`` under ``name`` as the commit of its attempt, then delete the stale
    parts under ``parts_prefix`` (``layout.parts_prefix(partition)``); returns the names
    deleted. Raises ManifestConflictError when a later or concurrent attempt won, ValueError
    when ``parts_prefix`` is not the manifest's own partition (it would delete another
    partition's parts).

    :param generation: the manifest's generation when the attempt began
        (:attr:`AttemptStart.manifest_generation`): the write is conditional on it, which
        saves reading the manifest again; if it changed since, what is there now decides.
        None: read it now.
    :param fresh: :attr:`AttemptStart.fresh`, and every part this attempt wrote is in
        ``manifest`` (a read started over may have left more): if the manifest is then
        created by this write, nothing is listed or deleted. Any other outcome of the write
        goes the general way.
    """
    _check_prefix(name, manifest, parts_prefix)
    known = NO_OBJECT if fresh else generation
    if _write_conditionally(bucket, name, manifest, retry_deadline, known) and fresh:
        return []  # created it: every part under the prefix is this attempt's, and listed
    return delete_stale_parts(
        bucket,
        parts_prefix,
        manifest.part_names,
        up_to_attempt=manifest.attempt,
        retry_deadline=retry_deadline,
    )


def _check_prefix(name: str, manifest: TableManifest, parts_prefix: str) -> None:
    if (
        partition_of_parts_prefix(parts_prefix) != (manifest.partition or 0)
        or name.rpartition("/")[0] != parts_prefix.rpartition("/")[0]
        or any(not part.name.startswith(parts_prefix) for part in manifest.parts)
    ):
        raise ValueError(
            f"parts_prefix {parts_prefix!r} is not where the parts of {name} (partition "
            f"{manifest.partition}) live; pass layout.parts_prefix(partition)"
        )


def _write_conditionally(
    bucket: storage.Bucket,
    name: str,
    manifest: TableManifest,
    retry_deadline: float | None,
    known_generation: int | None = None,
) -> bool:
    """Write ``manifest`` unless a later attempt's is there; True when it went in over
    ``known_generation`` at the first write, False when what was there had to be read and
    judged first."""
    if known_generation is not None:
        try:
            write_manifest(
                bucket,
                name,
                manifest,
                if_generation_match=known_generation,
                retry_deadline=retry_deadline,
            )
            return True
        except api_exceptions.PreconditionFailed:
            pass  # written since the attempt began, or by this write's own retry: see below
    stored = read_manifest_with_generation(bucket, name)
    generation = NO_OBJECT
    if stored is not None:
        current, generation = stored
        assert isinstance(current, TableManifest)
        if current == manifest:
            return False  # this write went through before its retry was refused
        if current.attempt > manifest.attempt:
            raise ManifestConflictError(
                f"{name} was committed by attempt {current.attempt}; attempt "
                f"{manifest.attempt} must not replace it"
            )
    try:
        write_manifest(
            bucket, name, manifest, if_generation_match=generation, retry_deadline=retry_deadline
        )
        return False
    except api_exceptions.PreconditionFailed:
        # A retried write whose first try went through also lands here: check what is there.
        now = read_manifest_with_generation(bucket, name)
        if now is not None and now[0] == manifest:
            return False
        raise ManifestConflictError(
            f"{name} changed while attempt {manifest.attempt} was committing (another attempt "
            f"of the same run is writing it)"
        ) from None


def _scn_order(scn: int | None) -> int:
    """Sorts SCNs in numeric order, None (not read at a fixed SCN) first."""
    return -1 if scn is None else scn


def commit_partitioned_table(
    bucket: storage.Bucket,
    layout: TableLayout,
    partitions: int,
    *,
    try_number: int = 1,
    retry_deadline: float | None = None,
) -> TableManifest:
    """Write the table's ``_manifest.json`` over its committed partition manifests.

    Each partition committed on its own (``_manifest.pPPPP.json``, parts already cleaned);
    this lists all their parts in partition order, with the totals, the SCN they share and
    the watermark range, so readers and the next incremental run need only the table
    manifest. Raises MissingPartitionsError naming the partitions not committed (nothing is
    written then), ManifestConflictError as :func:`commit_manifest` does.
    """
    found = [read_manifest(bucket, layout.manifest_name(index)) for index in range(partitions)]
    missing = [index for index, manifest in enumerate(found) if manifest is None]
    if missing:
        raise MissingPartitionsError(
            f"{layout.run_prefix}: partitions {missing} of {partitions} have no committed"
            " manifest; the table manifest is not written"
        )
    manifests = [m for m in found if isinstance(m, TableManifest)]
    scns = {m.scn for m in manifests}
    if len(scns) > 1:
        raise ManifestConflictError(
            f"{layout.run_prefix}: partitions were read at different SCNs "
            f"{sorted(scns, key=_scn_order)}"
        )
    name = layout.manifest_name()
    attempt = begin_attempt(bucket, name, try_number)
    first = manifests[0]
    table = TableManifest(
        transport=first.transport,
        table=first.table,
        run_id=first.run_id,
        attempt=attempt.number,
        partition=None,
        bucket=first.bucket,
        parts=tuple(part for m in manifests for part in m.parts),
        columns=first.columns,
        schema_object=first.schema_object,
        scn=first.scn,
        watermark=first.watermark,
        started_at=min(m.started_at for m in manifests),
        finished_at=max(m.finished_at for m in manifests),
        totals=sum((m.totals for m in manifests), Totals()),
    )
    _write_conditionally(bucket, name, table, retry_deadline, attempt.manifest_generation)
    log.info(
        "committed %s: %d partitions, %d parts, %d rows",
        name,
        partitions,
        table.totals.parts,
        table.totals.rows,
    )
    return table
