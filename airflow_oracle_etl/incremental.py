"""Incremental extraction by a watermark column, with the state kept beside the data.

A run reads the window ``low < column <= high`` of one watermark column:

- ``high`` is ``MAX(column)`` read in this run AS OF the job's SCN (with the user's ``where``),
  so the window ends exactly at the snapshot every partition reads.
- ``low`` is the ``high`` recorded in the table's last *committed* manifest in the bucket
  (:func:`last_committed_watermark`): state lives beside the data, not in an Airflow Variable,
  and a failed run, which commits no manifest, moves nothing. The next run starts where the
  last committed one ended.

Values travel as exact text (in manifests, XCom and binds): NUMBER and FLOAT as their plain
decimal text (``"1234.5"``, ``"0.001"``: the driver's exact text, never a float, the form the
JSON encoder writes), DATE as ``YYYY-MM-DD HH24:MI:SS``, TIMESTAMP as
``YYYY-MM-DD HH24:MI:SS.FF9``, and zoned timestamps (WITH [LOCAL] TIME ZONE) as that text in
UTC. A year before 1 is Oracle's signed year (``SYYYY``: ``-4712-01-01 00:00:00`` is 4712 BC),
the form the text is bound back with. Dates are read with ``TO_CHAR`` and bound back with
``TO_DATE``/``TO_TIMESTAMP`` (``FROM_TZ(..., 'UTC')`` when zoned), numbers bound with
``TO_NUMBER``, which reads ``.`` as the decimal character because the hook sets
NLS_NUMERIC_CHARACTERS in every session it opens (:mod:`.hooks.session_nls`).

Rules, in the order a planner applies them:

1. *First run* (no committed manifest for this column): everything ``<= high``, or
   ``initial <= column <= high`` when ``initial`` is given.
2. *Ties at the boundary.* Rows whose value equals the previous ``high`` but which were
   committed after the previous snapshot (several rows stamped with the same UPDATED time by
   different transactions) must be read now, and the rows read then must not be read again.
   The previous manifest records its SCN, so the window asks Oracle which rows with
   ``column = low`` were not there at that SCN::

       column > :wm_low OR (column = :wm_low AND <key> NOT IN
           (SELECT <key> FROM t AS OF SCN :wm_prev_scn WHERE column = :wm_low))

   ``<key>`` is the primary key when the table has one (it names a row wherever the row is
   stored), else ``ROWID`` (stable across updates; changed by moves: ALTER TABLE MOVE, SHRINK
   SPACE, partition-key updates with ROW MOVEMENT). Planning first counts those boundary rows
   AS OF the previous SCN; when there were none the bound is simply ``column >= low``.
   This needs the undo (or a Flashback Data Archive) to reach back to the previous run's SCN:
   when it does not, planning fails with :class:`IncrementalError` (ORA-01555/08180/08181/
   01466) instead of guessing. Without SCNs (consistent snapshots off, in this or the previous
   run) the bound is the plain ``column > low``, and ties committed later can be lost.
3. *The window never moves backwards.* If ``MAX`` is NULL (no rows) or below the previous
   ``high`` (rows deleted), ``high`` stays the previous ``high``.
4. *NULL watermarks* are read by a first run without ``initial`` and by full refreshes, never by
   incremental runs (a NULL never compares greater than a watermark).
5. *Full refresh* reads everything up to ``high`` plus the NULLs, with no lower bound; its range
   records ``low`` None and the ``high`` it restarts from: MAX of this snapshot, even when
   lower than before (or None for a table without values, so the next run reads all values).

The caveat every watermark scheme shares: the column must be set at or before commit and never
move backwards. A row committed after a run's snapshot with a value *below* that run's ``high``
(a clock-skewed writer, a long transaction stamping its rows at start) is never seen.

A re-run of a run whose manifest is already committed (a cleared task) plans from the last
run that finished before that manifest's run started, so it reads a superset of what it read
before (its commit replaces the old manifest and deletes the old parts).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec
import oracledb
from google.api_core import exceptions as api_exceptions
from google.cloud import storage

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.gcs.manifest import TableManifest, WatermarkRange, read_manifest
from airflow_oracle_etl.gcs.naming import MANIFEST_NAME, RUN_KEY, TableLayout
from airflow_oracle_etl.hooks import query
from airflow_oracle_etl.identifiers import (
    InvalidIdentifierError,
    parse_identifier,
    qualified_name,
    quote_identifier,
)
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata

if TYPE_CHECKING:
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

__all__ = [
    "CommittedWatermark",
    "IncrementalConfig",
    "IncrementalError",
    "LowerBound",
    "WatermarkWindow",
    "build_predicate",
    "canonical_value",
    "last_committed_watermark",
    "plan_window",
    "watermark_column",
]

log = logging.getLogger(__name__)

BIND_PREFIX = "wm_"
LOW_BIND = "wm_low"
HIGH_BIND = "wm_high"
PREVIOUS_SCN_BIND = "wm_prev_scn"
NUMBER, DATE, TIMESTAMP = "number", "date", "timestamp"
#: ``S``: a BC year keeps its sign (Oracle writes a blank for AD, which is stripped)
DATE_MODEL = "SYYYY-MM-DD HH24:MI:SS"
TIMESTAMP_MODEL = "SYYYY-MM-DD HH24:MI:SS.FF9"
#: Oracle's years: 4712 BC (-4712) to 9999, no year 0
_FIRST_YEAR, _LAST_YEAR = -4712, 9999
#: whole Gregorian cycles (which repeat the calendar exactly) to move a BC year into Python's
_CYCLE_YEARS = 400
FRACTION_DIGITS = 9
#: a predicate no row satisfies
NOTHING = "1 = 0"
#: alias of the MAX column in the planning query
HIGH_ALIAS = "WM_HIGH"
#: narrows the listing to table manifests (names are checked again: a stand-in may ignore it)
MANIFEST_GLOB = f"**/{RUN_KEY}*/{MANIFEST_NAME}"
#: how far a worker's clock may run ahead of GCS's when finding the latest manifest
CLOCK_SKEW = dt.timedelta(minutes=10)
#: ORA errors meaning "the previous SCN can no longer be read", with what to do about it
_HISTORY_ERRORS = {
    1466: "the table was redefined (DDL) since that run",
    1555: "the undo no longer reaches back to that SCN (snapshot too old)",
    8180: "the undo no longer reaches back to that SCN",
    8181: "that SCN is not valid in this database",
}
ORA_INSUFFICIENT_PRIVILEGES = 1031


class IncrementalError(ConfigurationError):
    """An incremental setting or state that cannot give a correct window; says what to fix."""


@dataclass(frozen=True)
class _ColumnSql:
    """How one family of Oracle types is read as text and bound back from it."""

    kind: str
    #: the text form of ``{expr}``; NUMBER is fetched as the driver's exact text instead
    read: str
    #: ``{bind}`` converted to the column's type
    bind: str
    zoned: bool = False


_NUMBER_SQL = _ColumnSql(NUMBER, "{expr}", "TO_NUMBER({bind})")
_DATE_SQL = _ColumnSql(
    DATE, f"TO_CHAR({{expr}}, '{DATE_MODEL}')", f"TO_DATE({{bind}}, '{DATE_MODEL}')"
)
_TIMESTAMP_SQL = _ColumnSql(
    TIMESTAMP,
    f"TO_CHAR({{expr}}, '{TIMESTAMP_MODEL}')",
    f"TO_TIMESTAMP({{bind}}, '{TIMESTAMP_MODEL}')",
)
_ZONED_SQL = _ColumnSql(
    TIMESTAMP,
    f"TO_CHAR(SYS_EXTRACT_UTC({{expr}}), '{TIMESTAMP_MODEL}')",
    f"FROM_TZ(TO_TIMESTAMP({{bind}}, '{TIMESTAMP_MODEL}'), 'UTC')",
    zoned=True,
)
#: by OracleColumn.base_type; BINARY_FLOAT/DOUBLE are left out on purpose (inexact text)
_SQL_BY_TYPE = {
    "NUMBER": _NUMBER_SQL,
    "FLOAT": _NUMBER_SQL,
    "DATE": _DATE_SQL,
    "TIMESTAMP": _TIMESTAMP_SQL,
    "TIMESTAMP WITH TIME ZONE": _ZONED_SQL,
    "TIMESTAMP WITH LOCAL TIME ZONE": _ZONED_SQL,
}


class IncrementalConfig(msgspec.Struct, frozen=True, kw_only=True):
    """``incremental={"column": ..., "initial": ...}`` as configured.

    :param column: the watermark column as configured (unquoted names are upper-cased).
    :param initial: the lower bound of the first run (inclusive), in the column's text form
        (``"2024-01-01"`` and ``"2024-01-01 08:00:00"`` are accepted for dates, an int or
        decimal text for numbers; zoned timestamps are UTC, optionally with a ``Z``).
    """

    column: str
    initial: str | int | None = None

    def __post_init__(self) -> None:
        try:
            parse_identifier(self.column, what="incremental column")
        except InvalidIdentifierError as error:
            raise IncrementalError(str(error)) from error
        initial = self.initial
        if initial is not None and (
            isinstance(initial, bool) or not isinstance(initial, str | int)
        ):
            raise IncrementalError(
                f"incremental initial must be text or an integer, got {self.initial!r}"
            )

    @property
    def column_name(self) -> str:
        """The column's exact (dictionary) name."""
        return parse_identifier(self.column, what="incremental column")


class WatermarkWindow(msgspec.Struct, frozen=True, kw_only=True):
    """One run's window: a predicate for the extract query and the range its manifest records.

    ``predicate`` uses only named binds starting with ``wm_``, whose values (``binds``) are
    text and int, so the window travels through XCom as it is.
    """

    column: str
    kind: str
    low: str | None
    high: str | None
    predicate: str
    binds: dict[str, str | int]
    full_refresh: bool

    def range(self) -> WatermarkRange:
        """What the manifest records: ``low`` None means no lower bound."""
        return WatermarkRange(column=self.column, low=self.low, high=self.high)


class CommittedWatermark(WatermarkRange, frozen=True, kw_only=True):
    """A committed range with what the next run needs besides it: the SCN it was read at."""

    scn: int | None = None
    manifest: str = ""
    finished_at: dt.datetime | None = None

    def as_range(self) -> WatermarkRange:
        return WatermarkRange(column=self.column, low=self.low, high=self.high)


class LowerBound(NamedTuple):
    """A lower bound: ``value`` inclusive, or exclusive with (optionally) boundary ties."""

    value: str
    inclusive: bool
    ties_scn: int | None = None


# -- configuration -----------------------------------------------------------------------------


def watermark_column(metadata: TableMetadata, config: IncrementalConfig) -> OracleColumn:
    """The configured column of the table, if it can be a watermark; else IncrementalError."""
    name = config.column_name
    try:
        column = metadata.column(name)
    except KeyError:
        known = ", ".join(c.name for c in metadata.columns)
        raise IncrementalError(
            f"incremental column {name!r} is not a column of {metadata.qualified_name} "
            f"(columns: {known})"
        ) from None
    if column.base_type not in _SQL_BY_TYPE:
        raise IncrementalError(
            f"incremental column {name!r} of {metadata.qualified_name} is {column.data_type}; "
            "a watermark must be NUMBER, FLOAT, DATE or TIMESTAMP (with or without time zone)"
        )
    return column


def _column_sql(column: OracleColumn) -> _ColumnSql:
    return _SQL_BY_TYPE[column.base_type]


_DATETIME_TEXT = re.compile(
    r"(?P<date>-?\d{4}-\d{2}-\d{2})"
    r"(?:[ T](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?)?(?P<zone>Z?)"
)


def _check_datetime(value: object, kind: str, text: str) -> None:
    """IncrementalError unless ``text`` (``SYYYY-MM-DD HH:MM:SS``) is a date Oracle holds."""
    year = int(text[: text.index("-", 1)])
    if year == 0 or not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise IncrementalError(
            f"{value!r} is not a valid {kind}: the year must be from -4712 to 9999, not 0"
        )
    # the astronomical year (1 BC is 0), moved by whole cycles into datetime's range
    astronomical = year + 1 if year < 0 else year
    if astronomical < 1:
        astronomical += _CYCLE_YEARS * ((_CYCLE_YEARS - astronomical) // _CYCLE_YEARS)
    rest = text[text.index("-", 1) :]
    try:
        dt.datetime.strptime(f"{astronomical:04d}{rest}", "%Y-%m-%d %H:%M:%S")
    except ValueError as error:
        raise IncrementalError(f"{value!r} is not a valid {kind}: {error}") from None


def canonical_value(kind: str, value: str | int, *, zoned: bool = False) -> str:
    """``value`` in the exact text form of ``kind``; IncrementalError if it is not one.

    Numbers: plain decimal text (``1E+3`` -> ``1000``). Dates: ``YYYY-MM-DD HH24:MI:SS``
    (a bare date means midnight). Timestamps: nine fractional digits. A ``Z`` is accepted for
    zoned timestamps only, whose text is UTC.
    """
    if kind == NUMBER:
        return _canonical_number(value)
    if not isinstance(value, str):
        raise IncrementalError(f"a {kind} watermark is text, got {value!r}")
    match = _DATETIME_TEXT.fullmatch(value.strip())
    if match is None or (match["zone"] and not zoned):
        zone = "[Z]" if zoned else ""
        raise IncrementalError(
            f"{value!r} is not a {kind} watermark: expected YYYY-MM-DD[ HH:MM:SS"
            f"{'[.fraction]' if kind == TIMESTAMP else ''}]{zone}"
        )
    if kind == DATE and match["fraction"] is not None:
        raise IncrementalError(f"{value!r}: a DATE watermark has no fractional seconds")
    text = f"{match['date']} {match['time'] or '00:00:00'}"
    _check_datetime(value, kind, text)
    if kind == DATE:
        return text
    return f"{text}.{(match['fraction'] or '').ljust(FRACTION_DIGITS, '0')}"


def _canonical_number(value: str | int) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise IncrementalError(f"{value!r} is not a number watermark (decimal text or an integer)")
    return format(number, "f")


def _later(kind: str, first: str | None, second: str | None) -> str | None:
    """The greater of two canonical texts (None counts as below everything)."""
    if first is None or second is None:
        return second if first is None else first
    if kind == NUMBER:
        return first if Decimal(first) >= Decimal(second) else second
    return max(first, second)  # fixed-width text orders as the values do


# -- state in the bucket -----------------------------------------------------------------------


def last_committed_watermark(
    bucket: storage.Bucket, layout: TableLayout, column: str
) -> CommittedWatermark | None:
    """The range of the table's latest committed run (by ``finished_at``) on ``column``.

    Only table-level manifests (``run_id=*/_manifest.json``) count: parts and partition
    manifests of a run that never committed are not state. Manifests without a watermark, or
    with another column, are passed over. The run of ``layout`` itself is left out; if it has
    committed already (a re-run), only runs that finished before it started count.

    :param column: the watermark column as configured (like :attr:`IncrementalConfig.column`).
    """
    exact = parse_identifier(column, what="incremental column")
    own_name = layout.manifest_name()
    listed = _table_manifests(bucket, layout)
    blobs = [blob for blob in listed if blob.name != own_name]
    own = read_manifest(bucket, own_name) if len(blobs) < len(listed) else None
    cutoff = None if not isinstance(own, TableManifest) else _utc(own.started_at)
    best: TableManifest | None = None
    best_name = ""
    for blob in sorted(blobs, key=_created, reverse=True):
        created = blob.time_created
        if best is not None and created is not None and created < best.finished_at - CLOCK_SKEW:
            break  # written before the best one finished: it cannot have finished later
        manifest = read_manifest(bucket, blob.name)
        if not _counts(manifest, exact, cutoff):
            continue
        assert isinstance(manifest, TableManifest)
        manifest = _with_utc(manifest)
        if best is None or manifest.finished_at > best.finished_at:
            best, best_name = manifest, blob.name
    if best is None:
        log.info("No committed %s watermark under %s", exact, layout.table_prefix)
        return None
    assert best.watermark is not None
    log.info("Last committed %s watermark: %s (%s)", exact, best.watermark, best_name)
    return CommittedWatermark(
        column=best.watermark.column,
        low=best.watermark.low,
        high=best.watermark.high,
        scn=best.scn,
        manifest=best_name,
        finished_at=best.finished_at,
    )


def _table_manifests(bucket: storage.Bucket, layout: TableLayout) -> list[storage.Blob]:
    """``<table prefix>run_id=<run>/_manifest.json`` objects (the glob only narrows the
    listing; names are checked here, so glob characters in a user prefix cannot matter)."""
    prefix = layout.table_prefix
    try:
        blobs = list(bucket.list_blobs(prefix=prefix, match_glob=MANIFEST_GLOB))
    except api_exceptions.BadRequest as error:  # a store without matchGlob: list everything
        log.warning("Listing %s with matchGlob failed (%s); listing all objects", prefix, error)
        blobs = list(bucket.list_blobs(prefix=prefix))
    found = []
    for blob in blobs:
        run, slash, rest = blob.name[len(prefix) :].partition("/")
        if run.startswith(RUN_KEY) and slash and rest == MANIFEST_NAME:
            found.append(blob)
    return found


def _counts(manifest: object, column: str, cutoff: dt.datetime | None) -> bool:
    if not isinstance(manifest, TableManifest) or manifest.partition is not None:
        return False
    if manifest.watermark is None or manifest.watermark.column != column:
        return False
    return cutoff is None or _utc(manifest.finished_at) < cutoff


def _created(blob: storage.Blob) -> dt.datetime:
    return blob.time_created or dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _utc(moment: dt.datetime) -> dt.datetime:
    """Naive datetimes in manifests are UTC (aware and naive ones cannot be compared)."""
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _with_utc(manifest: TableManifest) -> TableManifest:
    return msgspec.structs.replace(manifest, finished_at=_utc(manifest.finished_at))


# -- planning ----------------------------------------------------------------------------------


def plan_window(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    config: IncrementalConfig,
    *,
    scn: int | None,
    previous: WatermarkRange | None,
    full_refresh: bool = False,
    where: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> WatermarkWindow:
    """The window of this run (see the module docstring for the rules).

    :param hook: the extract hook (its session is held for the planning queries).
    :param scn: the job's snapshot SCN, or None when consistent snapshots are off.
    :param previous: :func:`last_committed_watermark`'s answer; a plain WatermarkRange (no
        SCN known) gives an exclusive lower bound without the boundary-tie check.
    :param where: the user's predicate (``MAX`` is read with it), with its ``parameters``.
    """
    column = watermark_column(metadata, config)
    sql = _column_sql(column)
    binds = _user_binds(parameters)
    initial = _initial_value(sql, config)
    if previous is not None and previous.column != column.name:
        previous = None  # state of another column: this is a first run for this one
    previous_high = _previous_high(sql, previous)
    with hook.session():
        maximum = _read_high(hook, metadata, column, scn=scn, where=where, binds=binds)
        if full_refresh:
            high, lower, nulls = maximum, None, True
        else:
            high = _later(sql.kind, previous_high, maximum)
            lower = _lower_bound(hook, metadata, column, initial, previous, previous_high, scn)
            nulls = previous is None and lower is None
    predicate, window_binds = build_predicate(metadata, column, lower, high, nulls=nulls)
    window = WatermarkWindow(
        column=column.name,
        kind=sql.kind,
        low=None if lower is None else lower.value,
        high=high,
        predicate=predicate,
        binds=window_binds,
        full_refresh=full_refresh,
    )
    log.info(
        "Watermark window on %s.%s: low %s, high %s (MAX %s)%s",
        metadata.qualified_name,
        column.name,
        window.low,
        high,
        maximum,
        " (full refresh)" if full_refresh else "",
    )
    return window


def _user_binds(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    binds = dict(parameters or {})
    clashing = sorted(name for name in binds if name.lower().startswith(BIND_PREFIX))
    if clashing:
        raise IncrementalError(
            f"bind names starting with {BIND_PREFIX!r} are the watermark's: rename {clashing}"
        )
    return binds


def _initial_value(sql: _ColumnSql, config: IncrementalConfig) -> str | None:
    if config.initial is None:
        return None
    try:
        return canonical_value(sql.kind, config.initial, zoned=sql.zoned)
    except IncrementalError as error:
        raise IncrementalError(f"incremental initial: {error}") from None


def _previous_high(sql: _ColumnSql, previous: WatermarkRange | None) -> str | None:
    if previous is None or previous.high is None:
        return None
    if isinstance(previous.high, (bool, float)):
        raise IncrementalError(f"the committed watermark high {previous.high!r} is not exact")
    try:
        return canonical_value(sql.kind, previous.high, zoned=sql.zoned)
    except IncrementalError as error:
        raise IncrementalError(
            f"the committed watermark of {previous.column} no longer fits the column "
            f"({error}); run once with full_refresh"
        ) from None


def _read_high(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    column: OracleColumn,
    *,
    scn: int | None,
    where: str | None,
    binds: dict[str, Any],
) -> str | None:
    """``MAX(column)`` AS OF the snapshot, as exact text (None when there is no value)."""
    sql = _column_sql(column)
    expression = sql.read.format(expr=f"MAX({quote_identifier(column.name)})")
    select = f"{expression} AS {quote_identifier(HIGH_ALIAS)}"
    statement = query.build_select(metadata, select, where=where, as_of_scn=scn is not None)
    if scn is not None:
        binds = binds | {query.AS_OF_SCN_BIND: scn}
    value = _single_value(hook, statement, binds or None)
    if isinstance(value, float):
        raise IncrementalError(
            f"MAX({column.name}) of {metadata.qualified_name} came back as a binary floating "
            f"point number (the database typed it BINARY_DOUBLE), so its exact text is unknown"
        )
    return None if value is None else canonical_value(sql.kind, value, zoned=sql.zoned)


def _lower_bound(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    column: OracleColumn,
    initial: str | None,
    previous: WatermarkRange | None,
    previous_high: str | None,
    scn: int | None,
) -> LowerBound | None:
    """``initial`` until a run has recorded a high, then that high, exclusive (with ties)."""
    if previous_high is None:
        return None if initial is None else LowerBound(initial, inclusive=True)
    previous_scn = previous.scn if isinstance(previous, CommittedWatermark) else None
    if previous_scn is None or scn is None:
        log.warning(
            "No SCN for the previous run or this one: rows committed later with %s = %s "
            "(the previous high) cannot be told apart and are not read",
            column.name,
            previous_high,
        )
        return LowerBound(previous_high, inclusive=False)
    boundary_rows = _count_boundary_rows(hook, metadata, column, previous_high, previous_scn)
    if boundary_rows == 0:
        return LowerBound(previous_high, inclusive=True)
    return LowerBound(previous_high, inclusive=False, ties_scn=previous_scn)


def _count_boundary_rows(
    hook: OracleExtractHook,
    metadata: TableMetadata,
    column: OracleColumn,
    value: str,
    previous_scn: int,
) -> int:
    """Rows with ``column = value`` at the previous SCN (read then); checks the undo reaches."""
    name = quote_identifier(column.name)
    bound = _column_sql(column).bind.format(bind=f":{LOW_BIND}")
    statement = (
        f"SELECT COUNT(*) FROM {qualified_name(metadata.owner, metadata.name)} "
        f"AS OF SCN :{PREVIOUS_SCN_BIND} WHERE {name} = {bound}"
    )
    try:
        count = _single_value(hook, statement, {LOW_BIND: value, PREVIOUS_SCN_BIND: previous_scn})
    except oracledb.DatabaseError as error:
        raise _history_error(error, metadata, previous_scn) from error
    log.info("%s rows had %s = %s at SCN %s", count, column.name, value, previous_scn)
    return int(count)


def _history_error(
    error: oracledb.DatabaseError, metadata: TableMetadata, previous_scn: int
) -> Exception:
    detail = error.args[0] if error.args else None
    code = getattr(detail, "code", None)
    if code == ORA_INSUFFICIENT_PRIVILEGES:
        return IncrementalError(
            f"reading {metadata.qualified_name} AS OF SCN {previous_scn} (the previous run's "
            f"snapshot, to read rows tied at the watermark exactly once) was refused: grant "
            "FLASHBACK on the table (or FLASHBACK ANY TABLE) to the connection's user"
        )
    reason = _HISTORY_ERRORS.get(code or 0)
    if reason is None:
        return error
    return IncrementalError(
        f"cannot read {metadata.qualified_name} AS OF SCN {previous_scn}, the previous run's "
        f"snapshot: {reason} (ORA-{code:05d}). Rows tied at the watermark could not be told "
        "apart. Keep undo for longer than the time between runs (UNDO_RETENTION, RETENTION "
        "GUARANTEE, or a Flashback Data Archive on the table), or run once with full_refresh."
    )


def _single_value(hook: OracleExtractHook, statement: str, binds: dict[str, Any] | None) -> Any:
    with hook.open_cursor(statement, binds, output_type_handler=_number_as_text) as cursor:
        rows = [row for batch in cursor for row in batch]
    return rows[0][0] if rows else None


def _number_as_text(cursor: oracledb.Cursor, metadata: oracledb.FetchInfo) -> Any:
    """NUMBER as the driver's exact decimal text (TO_CHAR would give ``.5`` for 0.5)."""
    if metadata.type_code is oracledb.DB_TYPE_NUMBER:
        return cursor.var(str, arraysize=cursor.arraysize)
    return None


# -- the predicate -----------------------------------------------------------------------------


def build_predicate(
    metadata: TableMetadata,
    column: OracleColumn,
    lower: LowerBound | None,
    high: str | None,
    *,
    nulls: bool,
) -> tuple[str, dict[str, str | int]]:
    """The window as SQL with ``wm_`` binds, and the bind values (only those it uses).

    ``high`` None means no value existed at the snapshot: no non-NULL row is in the window.
    """
    sql = _column_sql(column)
    name = quote_identifier(column.name)
    low_sql = sql.bind.format(bind=f":{LOW_BIND}")
    binds: dict[str, str | int] = {}
    parts = []
    if high is not None:
        binds[HIGH_BIND] = high
        upper = f"{name} <= {sql.bind.format(bind=f':{HIGH_BIND}')}"
        if lower is None:
            parts.append(upper)
        else:
            binds[LOW_BIND] = lower.value
            parts.append(f"{_lower_sql(metadata, name, low_sql, lower, binds)} AND {upper}")
    if nulls:
        parts.append(f"{name} IS NULL")
    if not parts:
        return NOTHING, {}
    if len(parts) == 1:
        return f"({parts[0]})", binds
    return "(" + " OR ".join(f"({part})" for part in parts) + ")", binds


def _lower_sql(
    metadata: TableMetadata, name: str, low_sql: str, lower: LowerBound, binds: dict[str, str | int]
) -> str:
    if lower.inclusive:
        return f"{name} >= {low_sql}"
    if lower.ties_scn is None:
        return f"{name} > {low_sql}"
    binds[PREVIOUS_SCN_BIND] = lower.ties_scn
    key, select_list = _row_key(metadata)
    read_before = (
        f"SELECT {select_list} FROM {qualified_name(metadata.owner, metadata.name)} "
        f"AS OF SCN :{PREVIOUS_SCN_BIND} WHERE {name} = {low_sql}"
    )
    return f"({name} > {low_sql} OR ({name} = {low_sql} AND {key} NOT IN ({read_before})))"


def _row_key(metadata: TableMetadata) -> tuple[str, str]:
    """The row key as the left side of ``NOT IN`` and as the subquery's select list: the
    primary key (``"ID"``; ``("A", "B")`` and ``"A", "B"``), else ``ROWID``.

    Oracle takes a parenthesised expression list on the left of ``IN`` but not as a
    select-list item: ``SELECT ("A", "B") FROM ...`` is ORA-00907, so the subquery lists the
    columns bare."""
    if not metadata.primary_key:
        return "ROWID", "ROWID"
    names = ", ".join(quote_identifier(name) for name in metadata.primary_key)
    return (names if len(metadata.primary_key) == 1 else f"({names})"), names
