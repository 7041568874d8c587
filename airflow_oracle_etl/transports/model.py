"""The transport: a named set of Oracle tables exported together to GCS, as one YAML file.

::

    id: daily_sales                      # [a-z0-9_]{1,200}: part of the DAG id
    name: Daily Sales Export
    schedule: "@daily"                   # a cron expression, a preset, or null (manual runs)
    oracle_conn_id: oracle_demo          # connection ids only: a transport holds no secrets
    destination: {gcp_conn_id: gcs_demo, bucket: oracle-etl-demo, prefix: exports}
    tables:
      - SALES_ORDER                      # TABLE, OWNER.TABLE or "Quoted Name"
      - table: SALES_LINE_ITEM           # or a mapping with per-table options
        partitions: 2
      - schema: HR                       # or a whole schema: every table whose name matches
        include: ["EMP*"]                #   an include pattern and no exclude pattern
        exclude: ["*_TMP"]

The structs below mirror the file exactly (``forbid_unknown_fields``); they are built and
validated by :mod:`airflow_oracle_etl.transports.loading`, which is the only supported way to
make one (a struct made by hand skips the checks in :mod:`~.checks`). Per-table options as
the operators want them, names resolved to exact Oracle names, come from
:meth:`Transport.tables_normalized` (the tables named one by one) and
:meth:`Transport.selectors` (the schema selectors, resolved against the dictionary at plan
time by :mod:`~.selectors`).

Limits are named here once; :mod:`~.checks` enforces them and tests compare them with the
partitioning and GCS modules, which this module does not import (they pull in Airflow and
the Google client, and a transport is validated before any of that is needed).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import msgspec

from airflow_oracle_etl.identifiers import parse_identifier, parse_table_name, quote_identifier
from airflow_oracle_etl.options import BYTES_UNIT, ByteSize, FetchOptions, PartsOptions
from airflow_oracle_etl.transports.packing import DEFAULT_READS_AT_ONCE

if TYPE_CHECKING:
    from airflow_oracle_etl.transports.selectors import SelectorConfig

__all__ = [
    "BYTES_UNIT",
    "DEFAULT_GCP_CONN_ID",
    "DEFAULT_ORACLE_CONN_ID",
    "ByteSize",
    "Destination",
    "FetchOptions",
    "IncrementalOptions",
    "IncrementalSetting",
    "PackingOptions",
    "PartsOptions",
    "SchemaSelector",
    "TableConfig",
    "TableOptions",
    "Transport",
    "parse_byte_size",
]

DEFAULT_ORACLE_CONN_ID = "oracle_default"
DEFAULT_GCP_CONN_ID = "google_cloud_default"
DEFAULT_OWNER = "airflow"
DEFAULT_START_DATE = dt.date(2024, 1, 1)
DEFAULT_PARALLEL_TABLES = 4
DEFAULT_RETRIES = 3
#: the first retry waits this long; each later one twice as long as the one before
DEFAULT_RETRY_DELAY_S = 1.0
#: Airflow 3's ``retry_exponential_backoff`` is this multiplier (0 would mean a fixed delay)
RETRY_BACKOFF_MULTIPLIER = 2.0
DEFAULT_BATCH_ROWS = 10_000
DEFAULT_MAX_ROWS_PER_PART = 1_000_000

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
DEFAULT_MAX_BYTES_PER_PART = 256 * MIB
DEFAULT_CHUNK_SIZE = 16 * MIB
#: resumable uploads take chunks in multiples of this
CHUNK_GRANULARITY = 256 * KIB

# -- limits (inclusive); checks.py turns them into "must be between A and B, got X" -----------
MAX_TRANSPORT_ID_CHARS = 200
MAX_PARTITIONS = 1024
MAX_PARALLEL_TABLES = 64
MAX_RETRIES = 100
#: a day: a longer first delay is a misplaced schedule, not a retry policy
MAX_RETRY_DELAY_S = 86_400.0
DEFAULT_PROGRESS_INTERVAL_S = 3.0
MIN_PROGRESS_INTERVAL_S = 0.5
MAX_PROGRESS_INTERVAL_S = 300.0
MAX_FETCH_ROWS = 1_000_000
MAX_ROWS_PER_PART = 10**12
#: BigQuery loads gzip files up to 4 GB, and a part can overshoot max_bytes a little
MAX_BYTES_PER_PART = 3 * GIB
MAX_CHUNK_SIZE = 1 * GIB
#: isal's highest gzip level
MAX_COMPRESSION_LEVEL = 3
#: Airflow's limit on a DAG tag
MAX_TAG_CHARS = 100
#: packing.groups: more groups than this is no longer packing (and the plan's XCom grows)
MAX_PACKING_GROUPS = MAX_PARALLEL_TABLES * 16

STRATEGY_COLUMN = "column"
STRATEGY_HASH = "hash"
STRATEGY_ROWID = "rowid"
STRATEGIES = (STRATEGY_HASH, STRATEGY_ROWID, STRATEGY_COLUMN)

_SIZE_TEXT = re.compile(r"\s*(?P<number>\d+)\s*(?P<unit>[A-Za-z]*)\s*")
#: units of a size written as text, lower-cased
SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": KIB,
    "mib": MIB,
    "gib": GIB,
}


def parse_byte_size(value: object) -> object:
    """Text with a unit of :data:`SIZE_UNITS` (``256MiB``, ``16 MB``) as an int of bytes.

    Anything that is not text is returned as it is, for msgspec to check as an int.

    :raises ValueError: text that is no size.
    """
    if not isinstance(value, str):
        return value
    match = _SIZE_TEXT.fullmatch(value)
    unit = match["unit"].lower() if match else None
    if match is None or unit not in SIZE_UNITS:
        raise ValueError(
            "expected a size in bytes: an integer, or an integer with a unit "
            f"(B, KB, MB, GB, KiB, MiB, GiB) such as '256MiB', got {value!r}"
        )
    return int(match["number"]) * SIZE_UNITS[unit]


class _Config(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of everything read from a transport file: immutable, and strict about names."""


class IncrementalOptions(_Config, frozen=True, kw_only=True):
    """``incremental:`` of a table, as written.

    :param column: the watermark column (configured text: ``UPDATED_AT``, ``"Mixed"``).
    :param initial: the first run's lower bound (inclusive): a number, or a date or timestamp
        as ``YYYY-MM-DD[ HH:MM:SS[.fraction]][Z]``; without it the first run reads everything.
    """

    column: str
    initial: str | int | None = None


class TableOptions(_Config, frozen=True, kw_only=True):
    """A ``tables:`` entry written as a mapping.

    :param table: ``TABLE``, ``OWNER.TABLE`` or a quoted ``"Mixed Case"`` name.
    :param columns: the columns to extract (default: all, in table order).
    :param where: an SQL predicate limiting the rows (trusted DAG-author SQL, Jinja-templated).
    :param partitions: read the table in this many parallel slices.
    :param partition_strategy: ``hash``, ``rowid`` or ``column`` (default: ``column`` with
        ``partition_by``, else ``hash``).
    :param partition_by: the column ``column`` ranges over, or ``hash`` hashes.
    :param incremental: read only rows past the last committed watermark.
    :param trim_char: strip the blank padding of CHAR columns.
    :param omit_nulls: leave NULL values out of the JSON objects.
    :param checkpoint: read in primary-key order and checkpoint each finished part, so a
        retried extract goes on after them (false: unordered read, a retry starts over).
    """

    table: str
    columns: tuple[str, ...] | None = None
    where: str | None = None
    partitions: int = 1
    partition_strategy: str | None = None
    partition_by: str | None = None
    incremental: IncrementalOptions | None = None
    trim_char: bool = False
    omit_nulls: bool = False
    checkpoint: bool = True


class SchemaSelector(_Config, frozen=True, kw_only=True):
    """A ``tables:`` entry naming a whole schema: its tables whose names match, resolved from
    the dictionary when each job is planned, so a table created since the last run is
    exported by the next.

    :param schema: the owner (configured text: ``sales`` is ``SALES``).
    :param include: glob patterns (``*``, ``?``, ``[...]``) on table names, written like
        identifiers (unquoted text is upper-cased; ``'"Mixed*"'`` keeps its case).
    :param exclude: patterns of names to leave out; exclude wins over include.
    :param include_views: also match views (an explicit entry may always name a view).
    :param trim_char: as a table's, for every table the selector resolves to.
    :param omit_nulls: as a table's, for every table the selector resolves to.
    :param checkpoint: as a table's, for every table the selector resolves to.
    """

    schema: str
    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()
    include_views: bool = False
    trim_char: bool = False
    omit_nulls: bool = False
    checkpoint: bool = True


class PackingOptions(_Config, frozen=True, kw_only=True):
    """``packing:``: how the plan assigns tables to extract tasks.

    :param enabled: pack small tables into shared extract tasks (false: a task per table).
    :param groups: how many groups of roughly equal work the small tables form (None: as
        many as ``parallel_tables``, fewer when their work is too small to be worth the
        tasks' start; see :mod:`~airflow_oracle_etl.transports.packing`).
    :param reads_at_once: how many tables a task of several runs at the same time, each on
        an Oracle session of its own (1: one after another). A job holds at most
        ``parallel_tables`` times this many sessions.
    """

    enabled: bool = True
    groups: int | None = None
    reads_at_once: int = DEFAULT_READS_AT_ONCE


class Destination(_Config, frozen=True, kw_only=True):
    """Where the files go: ``gs://BUCKET/PREFIX/TRANSPORT_ID/TABLE/...``."""

    bucket: str
    prefix: str = ""
    gcp_conn_id: str = DEFAULT_GCP_CONN_ID


class IncrementalSetting(msgspec.Struct, frozen=True, kw_only=True):
    """A table's watermark with the column resolved to its exact name."""

    column: str
    initial: str | int | None = None

    def as_argument(self) -> dict[str, str | int | None]:
        """The operators' ``incremental=`` value (the column quoted, so its case survives)."""
        return {"column": quote_identifier(self.column), "initial": self.initial}


class TableConfig(msgspec.Struct, frozen=True, kw_only=True):
    """One table of a transport with every default resolved and every name exact.

    Names are exact (dictionary) names: pass them to operators through
    :func:`~airflow_oracle_etl.identifiers.quote_identifier` (or :attr:`table_text`), since
    operators read configured text and would fold an unquoted ``Mixed`` to ``MIXED``.
    """

    #: None: the connection's default owner (schema)
    owner: str | None
    name: str
    columns: tuple[str, ...] | None
    where: str | None
    partitions: int
    partition_strategy: str
    partition_by: str | None
    incremental: IncrementalSetting | None
    trim_char: bool
    omit_nulls: bool
    checkpoint: bool = True

    @property
    def label(self) -> str:
        """``OWNER.NAME`` or ``NAME``, for people (task labels, logs); not SQL."""
        return self.name if self.owner is None else f"{self.owner}.{self.name}"

    @property
    def table_text(self) -> str:
        """The table as the operators' ``table=`` takes it: ``"OWNER"."NAME"`` or ``"NAME"``."""
        quoted = quote_identifier(self.name, what="table")
        return quoted if self.owner is None else f"{quote_identifier(self.owner)}.{quoted}"


class Transport(_Config, frozen=True, kw_only=True):
    """One transport file. Build it with :func:`~.loading.load_transport` (validated)."""

    id: str
    name: str | None = None
    description: str = ""
    tables: tuple[str | TableOptions | SchemaSelector, ...]
    schedule: str | None = None
    destination: Destination
    oracle_conn_id: str = DEFAULT_ORACLE_CONN_ID
    parallel_tables: int = DEFAULT_PARALLEL_TABLES
    packing: PackingOptions = msgspec.field(default_factory=PackingOptions)
    fetch: FetchOptions = msgspec.field(default_factory=FetchOptions)
    parts: PartsOptions = msgspec.field(default_factory=PartsOptions)
    retries: int = DEFAULT_RETRIES
    #: the first retry's delay; later ones double it (exponential backoff)
    retry_delay_seconds: float = DEFAULT_RETRY_DELAY_S
    tags: tuple[str, ...] = ()
    owner: str = DEFAULT_OWNER
    consistent_snapshot: bool = True
    start_date: dt.date = DEFAULT_START_DATE
    #: how often each extract task publishes rows, bytes and rate (the plugin's live view)
    progress_interval_seconds: float = DEFAULT_PROGRESS_INTERVAL_S
    #: the file this transport was read from (set by the loader; not a field of the file)
    source: str = ""

    @property
    def display_name(self) -> str:
        """``name``, or the id when the file gives none."""
        return self.name or self.id

    def table_options(self) -> list[TableOptions]:
        """Every explicit ``tables:`` entry as a mapping (a bare name becomes
        ``{table: NAME}``); schema selectors are left out."""
        return [
            TableOptions(table=e) if isinstance(e, str) else e
            for e in self.tables
            if not isinstance(e, SchemaSelector)
        ]

    def tables_normalized(self) -> list[TableConfig]:
        """The explicit tables in file order, defaults resolved and names exact (see
        :class:`TableConfig`); the tables of schema selectors are known only at plan time.

        :raises ~airflow_oracle_etl.identifiers.InvalidIdentifierError: only for a transport
            that did not come through the loader's validation.
        """
        return [normalize_table(options) for options in self.table_options()]

    def selectors(self) -> list[SelectorConfig]:
        """The schema selectors in file order, names and patterns exact, each with its
        position in ``tables:`` (see :class:`~.selectors.SelectorConfig`).

        :raises ~airflow_oracle_etl.transports.selectors.PatternError: only for a transport
            that did not come through the loader's validation.
        """
        from airflow_oracle_etl.transports.selectors import normalize_selector  # a cycle

        return [
            normalize_selector(entry, index)
            for index, entry in enumerate(self.tables)
            if isinstance(entry, SchemaSelector)
        ]


def normalize_table(options: TableOptions) -> TableConfig:
    """A table entry with exact names and the partition strategy the planner will use."""
    owner, name = parse_table_name(options.table, what="table")
    columns = options.columns
    partition_by = options.partition_by
    incremental = options.incremental
    return TableConfig(
        owner=owner,
        name=name,
        columns=None
        if columns is None
        else tuple(parse_identifier(c, what="column") for c in columns),
        where=options.where,
        partitions=options.partitions,
        partition_strategy=options.partition_strategy or default_strategy(partition_by),
        partition_by=None
        if partition_by is None
        else parse_identifier(partition_by, what="partition_by column"),
        incremental=None
        if incremental is None
        else IncrementalSetting(
            column=parse_identifier(incremental.column, what="incremental column"),
            initial=incremental.initial,
        ),
        trim_char=options.trim_char,
        omit_nulls=options.omit_nulls,
        checkpoint=options.checkpoint,
    )


def default_strategy(partition_by: str | None) -> str:
    """The plan operator's rule: value ranges of ``partition_by`` when given, else hashing."""
    return STRATEGY_COLUMN if partition_by else STRATEGY_HASH
