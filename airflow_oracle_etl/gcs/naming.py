"""Deterministic object names for extracted tables.

Layout (``PREFIX/`` is left out when the prefix is empty)::

    PREFIX/TRANSPORT/TABLE/run_id=RUN/part-PPPP-NNNNN-aA.jsonl.gz
    PREFIX/TRANSPORT/TABLE/run_id=RUN/_manifest.json          (whole table)
    PREFIX/TRANSPORT/TABLE/run_id=RUN/_manifest.pPPPP.json    (one partition)
    PREFIX/TRANSPORT/TABLE/run_id=RUN/_schema.bigquery.json
    PREFIX/TRANSPORT/_jobs/RUN.json

``PPPP`` is the partition (0 for a table read whole), ``NNNNN`` the part within it (from 0),
``A`` the attempt. The same (transport, table, run, partition, part, attempt) always gives the
same name. The attempt is in the name so that a new attempt never writes over an object that
a committed manifest lists; see :mod:`airflow_oracle_etl.gcs.commit` for the whole protocol.

Names of transports, tables and runs become single path segments through
:func:`safe_segment`: Airflow run ids hold ``:`` and ``+`` (``manual__2024-05-01T10:00:00+00:00``)
and quoted Oracle names can hold spaces or ``/``. Characters outside ``[A-Za-z0-9._-]`` become
``-`` and, whenever anything had to change, a short hash of the original is appended, so two
different run ids never share a segment (``a:b`` and ``a-b`` differ) and the result is the same
on every retry. Segments starting with ``_`` are reserved for our own objects (``_jobs``,
``_manifest``...), so a table named ``_jobs`` is escaped the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: characters kept as they are: RFC 3986 unreserved, minus "~"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: hex digits of sha256 appended to an escaped segment
DIGEST_CHARS = 8
MAX_SEGMENT_CHARS = 120
#: GCS's limit on an object name, in UTF-8 bytes
MAX_OBJECT_NAME_BYTES = 1024
PARTITION_DIGITS = 4
PART_DIGITS = 5
MAX_PARTITION = 10**PARTITION_DIGITS - 1
MAX_PART = 10**PART_DIGITS - 1
RESERVED_PREFIX = "_"
RUN_KEY = "run_id="
PART_SUFFIX = ".jsonl.gz"
MANIFEST_NAME = "_manifest.json"
SCHEMA_NAME = "_schema.bigquery.json"
JOBS_DIR = "_jobs"
_PARTS_PREFIX = re.compile(rf"^part-(?P<partition>\d{{{PARTITION_DIGITS}}})-$")
_PART_NAME = re.compile(
    rf"^part-(?P<partition>\d{{{PARTITION_DIGITS}}})-(?P<part>\d{{{PART_DIGITS}}})"
    rf"-a(?P<attempt>[1-9]\d*){re.escape(PART_SUFFIX)}$"
)


def safe_segment(value: str) -> str:
    """``value`` as one object-name segment: unchanged when already safe, else escaped with a
    hash suffix (deterministic, and distinct values stay distinct)."""
    if not value:
        raise ValueError("an object-name segment cannot be empty")
    cleaned = _UNSAFE.sub("-", value)
    needs_escape = (
        cleaned != value
        or len(value) > MAX_SEGMENT_CHARS
        or value in {".", ".."}
        or value.startswith(RESERVED_PREFIX)
    )
    if not needs_escape:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]
    readable = cleaned.lstrip(RESERVED_PREFIX)[: MAX_SEGMENT_CHARS - DIGEST_CHARS - 1]
    return f"{readable}-{digest}" if readable else digest


def sanitize_run_id(run_id: str) -> str:
    """An Airflow run id as an object-name segment (see :func:`safe_segment`)."""
    return safe_segment(run_id)


def normalize_prefix(prefix: str) -> str:
    """The user's prefix without surrounding slashes; rejects what would make odd names.

    The prefix is configuration, so it is validated rather than rewritten: empty segments
    (``a//b``), ``.``/``..`` and control characters are refused.
    """
    stripped = prefix.strip("/")
    if not stripped:
        return ""
    for segment in stripped.split("/"):
        if segment in {"", ".", ".."}:
            raise ValueError(f"prefix {prefix!r} has an empty, '.' or '..' segment")
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in segment):
            raise ValueError(f"prefix {prefix!r} contains control characters")
    return stripped


def _check_range(what: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{what} must be between {low} and {high}, got {value}")


@dataclass(frozen=True)
class PartName:
    """What a part file's base name says about it."""

    partition: int
    part: int
    attempt: int


def parse_part_name(name: str) -> PartName | None:
    """The partition, part and attempt of a part object (full name or base name), or None
    for anything that is not a part file (manifests, schema, foreign objects)."""
    match = _PART_NAME.match(name.rpartition("/")[2])
    if match is None:
        return None
    return PartName(int(match["partition"]), int(match["part"]), int(match["attempt"]))


def partition_of_parts_prefix(prefix: str) -> int | None:
    """The partition a :meth:`TableLayout.parts_prefix` names, or None if it is not one."""
    match = _PARTS_PREFIX.match(prefix.rpartition("/")[2])
    return None if match is None else int(match["partition"])


def _join(*segments: str) -> str:
    return "/".join(segment for segment in segments if segment)


def _check_length(name: str) -> str:
    if len(name.encode("utf-8")) > MAX_OBJECT_NAME_BYTES:
        raise ValueError(f"object name longer than {MAX_OBJECT_NAME_BYTES} bytes: {name[:80]}...")
    return name


def job_manifest_name(prefix: str, transport: str, run_id: str) -> str:
    """``PREFIX/TRANSPORT/_jobs/RUN.json``: the summary of one run of a transport."""
    return _check_length(f"{job_manifests_folder(prefix, transport)}{sanitize_run_id(run_id)}.json")


def job_manifests_folder(prefix: str, transport: str) -> str:
    """``PREFIX/TRANSPORT/_jobs/``: where the job manifests of a transport are."""
    return _join(normalize_prefix(prefix), safe_segment(transport), JOBS_DIR) + "/"


@dataclass(frozen=True)
class TableLayout:
    """The object names of one table in one run. ``prefix``, ``transport``, ``table`` and
    ``run_id`` are given as configured; the properties return the sanitised forms."""

    prefix: str
    transport: str
    table: str
    run_id: str

    @property
    def table_prefix(self) -> str:
        """``PREFIX/TRANSPORT/TABLE/``: every run of the table (the next incremental run looks
        here for the last committed manifest)."""
        base = _join(normalize_prefix(self.prefix), safe_segment(self.transport))
        return f"{base}/{safe_segment(self.table)}/"

    @property
    def run_prefix(self) -> str:
        """``.../TABLE/run_id=RUN/``: everything this run writes for the table."""
        return f"{self.table_prefix}{RUN_KEY}{sanitize_run_id(self.run_id)}/"

    def parts_prefix(self, partition: int = 0) -> str:
        """The name prefix shared by every part of ``partition``, of every attempt."""
        _check_range("partition", partition, 0, MAX_PARTITION)
        return f"{self.run_prefix}part-{partition:0{PARTITION_DIGITS}d}-"

    def part_name(self, partition: int, part: int, attempt: int) -> str:
        _check_range("part", part, 0, MAX_PART)
        if attempt < 1:
            raise ValueError(f"attempt must be >= 1, got {attempt}")
        prefix = self.parts_prefix(partition)
        return _check_length(f"{prefix}{part:0{PART_DIGITS}d}-a{attempt}{PART_SUFFIX}")

    def manifest_name(self, partition: int | None = None) -> str:
        """``_manifest.json`` for a table read whole, ``_manifest.pPPPP.json`` per partition."""
        if partition is None:
            return _check_length(f"{self.run_prefix}{MANIFEST_NAME}")
        _check_range("partition", partition, 0, MAX_PARTITION)
        return _check_length(f"{self.run_prefix}_manifest.p{partition:0{PARTITION_DIGITS}d}.json")

    @property
    def schema_name(self) -> str:
        return _check_length(f"{self.run_prefix}{SCHEMA_NAME}")

    @property
    def job_manifest_name(self) -> str:
        return job_manifest_name(self.prefix, self.transport, self.run_id)
