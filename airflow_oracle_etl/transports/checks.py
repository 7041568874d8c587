"""The rules a typed transport must follow beyond its types, each problem with its field path.

msgspec has already checked the types (and stopped at the first wrong one); everything here is
collected, so a file with five wrong values is reported once with all five. Each check is a
small generator of :class:`~.errors.Problem`; :func:`transport_problems` chains them.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from airflow_oracle_etl.bucket_names import bucket_problem
from airflow_oracle_etl.identifiers import (
    InvalidIdentifierError,
    parse_identifier,
    parse_table_name,
)
from airflow_oracle_etl.transports import model
from airflow_oracle_etl.transports.errors import Problem
from airflow_oracle_etl.transports.packing import MAX_READS_AT_ONCE
from airflow_oracle_etl.transports.predicate import predicate_problem
from airflow_oracle_etl.transports.selectors import PatternError, parse_pattern

__all__ = [
    "SCHEDULE_PRESETS",
    "bucket_problem",
    "conn_id_problem",
    "did_you_mean",
    "prefix_problem",
    "schedule_problem",
    "transport_problems",
]

#: what Airflow takes besides a cron expression (``airflow.utils.dates.cron_presets``, plus
#: the two special timetables)
SCHEDULE_PRESETS = (
    "@once",
    "@continuous",
    "@hourly",
    "@daily",
    "@weekly",
    "@monthly",
    "@quarterly",
    "@yearly",
)
CRON_FIELDS = 5
_TRANSPORT_ID = re.compile(r"[a-z0-9_]+")
#: Airflow's own rule for a connection id (``airflow.models.connection``)
_CONN_ID = re.compile(r"[\w#!()\-.:/\\]{1,250}")
#: https://cloud.google.com/storage/docs/buckets#naming
MAX_PREFIX_BYTES = 512
_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2}(\.\d{1,9})?)?Z?")


def transport_problems(transport: model.Transport) -> list[Problem]:
    """Everything wrong with ``transport`` beyond types, in the model's field order."""
    return list(
        itertools.chain(
            _identity_problems(transport),
            _tables_problems(transport.tables),
            _text("schedule", transport.schedule, schedule_problem),
            _destination_problems(transport.destination),
            _text("oracle_conn_id", transport.oracle_conn_id, conn_id_problem),
            _between("parallel_tables", transport.parallel_tables, 1, model.MAX_PARALLEL_TABLES),
            _between("packing.groups", transport.packing.groups, 1, model.MAX_PACKING_GROUPS),
            _between(
                "packing.reads_at_once", transport.packing.reads_at_once, 1, MAX_READS_AT_ONCE
            ),
            _fetch_problems(transport.fetch),
            _parts_problems(transport.parts),
            _between("retries", transport.retries, 0, model.MAX_RETRIES),
            _retry_delay_problems(transport.retry_delay_seconds),
            _tag_problems(transport.tags),
            _text("owner", transport.owner, _not_blank),
            _between(
                "progress_interval_seconds",
                transport.progress_interval_seconds,
                model.MIN_PROGRESS_INTERVAL_S,
                model.MAX_PROGRESS_INTERVAL_S,
            ),
        )
    )


# -- small rules ---------------------------------------------------------------------------


def _between(field: str, value: float | None, low: float, high: float) -> Iterator[Problem]:
    if value is not None and not low <= value <= high:
        yield Problem(field, f"must be between {low} and {high}, got {value}")


def _text(field: str, value: str | None, rule: Callable[[str], str | None]) -> Iterator[Problem]:
    if value is not None and (reason := rule(value)) is not None:
        yield Problem(field, reason)


def _not_blank(value: str) -> str | None:
    return "must not be empty" if not value.strip() else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""`` if none is close."""
    close = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _identity_problems(transport: model.Transport) -> Iterator[Problem]:
    ident = transport.id
    if not _TRANSPORT_ID.fullmatch(ident) or len(ident) > model.MAX_TRANSPORT_ID_CHARS:
        yield Problem(
            "id",
            f"must be 1 to {model.MAX_TRANSPORT_ID_CHARS} characters of lowercase letters, "
            f"digits and '_' (it becomes part of the DAG id), got {_echo(ident)}",
        )
    yield from _text("name", transport.name, _not_blank)


def schedule_problem(value: str) -> str | None:
    """Why ``value`` is no schedule Airflow takes, or None."""
    presets = ", ".join(SCHEDULE_PRESETS)
    if value.startswith("@"):
        if value in SCHEDULE_PRESETS:
            return None
        return f"unknown preset {value!r} (known: {presets}){did_you_mean(value, SCHEDULE_PRESETS)}"
    if len(value.split()) != CRON_FIELDS:
        return (
            f"must be a cron expression of {CRON_FIELDS} fields (minute hour day-of-month month "
            f"day-of-week), a preset ({presets}) or null, got {value!r}"
        )
    from croniter import croniter  # only here: the rest of the model needs no cron library

    try:
        croniter(value)
    except ValueError as error:  # CroniterBadCronError and its kin are ValueErrors
        return f"is not a valid cron expression: {error}"
    return None


def conn_id_problem(value: str) -> str | None:
    """Why ``value`` is no Airflow connection id; never echoes a value that may hold secrets."""
    if "://" in value or "@" in value:
        return (
            "must be an Airflow connection id, not a URI or connect string: keep the "
            "credentials in an Airflow connection and name it here"
        )
    if not _CONN_ID.fullmatch(value):
        return (
            "must be an Airflow connection id (1 to 250 letters, digits and _-.:/\\#!()), "
            f"got {_echo(value)}"
        )
    return None


def prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` cannot start object names (the same rules as the GCS writer), or None."""
    if len(prefix.encode("utf-8", "surrogatepass")) > MAX_PREFIX_BYTES:
        return f"must be at most {MAX_PREFIX_BYTES} bytes long"
    stripped = prefix.strip("/")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in stripped):
        return f"must not contain control characters, got {_echo(prefix)}"
    if stripped and any(seg in {"", ".", ".."} for seg in stripped.split("/")):
        return f"must not have an empty, '.' or '..' segment, got {_echo(prefix)}"
    return None


def _destination_problems(destination: model.Destination) -> Iterator[Problem]:
    yield from _text("destination.bucket", destination.bucket, bucket_problem)
    yield from _text("destination.prefix", destination.prefix, prefix_problem)
    yield from _text("destination.gcp_conn_id", destination.gcp_conn_id, conn_id_problem)


def _fetch_problems(fetch: model.FetchOptions) -> Iterator[Problem]:
    for name in ("arraysize", "prefetchrows", "batch_rows"):
        yield from _between(f"fetch.{name}", getattr(fetch, name), 1, model.MAX_FETCH_ROWS)


def _parts_problems(parts: model.PartsOptions) -> Iterator[Problem]:
    yield from _between("parts.max_rows", parts.max_rows, 1, model.MAX_ROWS_PER_PART)
    yield from _between("parts.max_bytes", parts.max_bytes, 1, model.MAX_BYTES_PER_PART)
    yield from _between(
        "parts.compression_level", parts.compression_level, 0, model.MAX_COMPRESSION_LEVEL
    )
    chunk = parts.chunk_size
    granule = model.CHUNK_GRANULARITY
    if not granule <= chunk <= model.MAX_CHUNK_SIZE or chunk % granule:
        yield Problem(
            "parts.chunk_size",
            f"must be a multiple of 256 KiB ({granule}) between {granule} and "
            f"{model.MAX_CHUNK_SIZE}, got {chunk}",
        )


def _retry_delay_problems(delay: float) -> Iterator[Problem]:
    if not 0 < delay <= model.MAX_RETRY_DELAY_S:
        yield Problem(
            "retry_delay_seconds",
            f"must be more than 0 and at most {model.MAX_RETRY_DELAY_S:g}, got {delay:g}",
        )


def _tag_problems(tags: Sequence[str]) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, tag in enumerate(tags):
        field = f"tags[{index}]"
        if not tag.strip() or len(tag) > model.MAX_TAG_CHARS:
            yield Problem(field, f"must be 1 to {model.MAX_TAG_CHARS} characters, got {_echo(tag)}")
        elif tag in seen:
            yield Problem(field, f"repeats tag {tag!r} (tags[{seen[tag]}])")
        seen.setdefault(tag, index)


# -- tables --------------------------------------------------------------------------------


def _tables_problems(
    entries: Sequence[str | model.TableOptions | model.SchemaSelector],
) -> Iterator[Problem]:
    if not entries:
        yield Problem("tables", "must list at least one table or schema selector")
    first_seen: dict[tuple[str | None, str], int] = {}
    for index, entry in enumerate(entries):
        base = f"tables[{index}]"
        if isinstance(entry, model.SchemaSelector):
            yield from _selector_problems(base, entry)
            continue
        # a bare name is the entry itself; a mapping names its table under `table:`
        field = base if isinstance(entry, str) else f"{base}.table"
        options = model.TableOptions(table=entry) if isinstance(entry, str) else entry
        try:
            key = parse_table_name(options.table, what="table")
        except InvalidIdentifierError as error:
            yield Problem(field, str(error))
        else:
            if key in first_seen:
                yield Problem(
                    field,
                    f"table {options.table!r} is listed twice (first as tables[{first_seen[key]}])",
                )
            first_seen.setdefault(key, index)
        yield from _table_options_problems(base, options)


def _selector_problems(base: str, selector: model.SchemaSelector) -> Iterator[Problem]:
    """A selector's schema and patterns; an explicit entry for a table it also matches is
    no problem (the explicit entry wins, see :mod:`~.selectors`)."""
    yield from _identifier(f"{base}.schema", selector.schema, "schema")
    if not selector.include:
        yield Problem(
            f"{base}.include",
            "must list at least one pattern (leave it out to take every table: ['*'])",
        )
    for field in ("include", "exclude"):
        for number, text in enumerate(getattr(selector, field)):
            try:
                parse_pattern(text, what=f"{field} pattern")
            except PatternError as error:
                yield Problem(f"{base}.{field}[{number}]", str(error))


def _table_options_problems(base: str, options: model.TableOptions) -> Iterator[Problem]:
    yield from _columns_problems(f"{base}.columns", options.columns)
    yield from _text(f"{base}.where", options.where, predicate_problem)
    yield from _between(f"{base}.partitions", options.partitions, 1, model.MAX_PARTITIONS)
    yield from _partitioning_problems(base, options)
    incremental = options.incremental
    if incremental is not None:
        yield from _identifier(f"{base}.incremental.column", incremental.column, "column")
        yield from _initial_problems(f"{base}.incremental.initial", incremental.initial)


def _identifier(field: str, text: str, what: str) -> Iterator[Problem]:
    try:
        parse_identifier(text, what=what)
    except InvalidIdentifierError as error:
        yield Problem(field, str(error))


def _columns_problems(field: str, columns: Sequence[str] | None) -> Iterator[Problem]:
    if columns is None:
        return
    if not columns:
        yield Problem(field, "must list at least one column (leave it out to extract all)")
    first_seen: dict[str, int] = {}
    for index, text in enumerate(columns):
        try:
            name = parse_identifier(text, what="column")
        except InvalidIdentifierError as error:
            yield Problem(f"{field}[{index}]", str(error))
            continue
        if name in first_seen:
            yield Problem(
                f"{field}[{index}]",
                f"column {text!r} is listed twice (first as columns[{first_seen[name]}])",
            )
        first_seen.setdefault(name, index)


def _partitioning_problems(base: str, options: model.TableOptions) -> Iterator[Problem]:
    strategy = options.partition_strategy
    if strategy is not None and strategy not in model.STRATEGIES:
        known = ", ".join(model.STRATEGIES)
        yield Problem(
            f"{base}.partition_strategy",
            f"must be one of {known}, got {strategy!r}{did_you_mean(strategy, model.STRATEGIES)}",
        )
    by = options.partition_by
    if by is not None:
        yield from _identifier(f"{base}.partition_by", by, "partition_by column")
    if strategy == model.STRATEGY_COLUMN and by is None:
        yield Problem(
            f"{base}.partition_by",
            "is required by partition_strategy 'column' (the column whose value ranges "
            "split the table)",
        )
    if strategy == model.STRATEGY_ROWID and by is not None:
        yield Problem(
            f"{base}.partition_by",
            "must be left out with partition_strategy 'rowid' (it splits by ROWID ranges)",
        )


def _initial_problems(field: str, initial: str | int | None) -> Iterator[Problem]:
    if not isinstance(initial, str):
        return  # None or an int: msgspec has checked the type
    if _NUMBER_TEXT.fullmatch(initial.strip()) or _DATETIME_TEXT.fullmatch(initial.strip()):
        return
    yield Problem(
        field,
        "must be a number, or a date or timestamp written YYYY-MM-DD[ HH:MM:SS[.fraction]][Z], "
        f"got {_echo(initial)}",
    )


def _echo(value: str) -> str:
    """A configured value in a message: repr, cut when long (a value may be huge)."""
    limit = 80
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}... ({len(value)} chars)"
