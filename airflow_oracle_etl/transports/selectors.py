"""Schema selectors: which tables of a schema a transport exports, decided at plan time.

A ``tables:`` entry may name a whole schema instead of one table::

    tables:
      - schema: SALES
        include: ["ORDER*", "CUST?"]    # default ["*"]
        exclude: ["*_TMP"]              # exclude wins over include
      - table: SALES.ORDER_LINE         # an explicit entry wins whole over any selector
        partitions: 4

Patterns are written like identifiers (unquoted text is upper-cased, ``'"Mixed*"'`` keeps
its case) and match the exact dictionary name case-sensitively, as
:func:`fnmatch.fnmatchcase`: ``*`` any run, ``?`` one character, ``[...]`` a character class
(``[!...]`` its complement). Outside that syntax an unquoted pattern holds only what an
unquoted identifier may (letters, digits, ``_ $ #``), so a typo such as ``ORDER-*`` fails
when the file is loaded rather than matching nothing at run time.

:func:`resolve_tables` turns the explicit entries and the selectors into the job's tables
against one catalog read (:mod:`airflow_oracle_etl.hooks.catalog`):

- an explicit entry for a table wins whole over every selector matching it (its options, not
  merged); of two selectors matching a table, the first in the file wins; a table is
  exported once;
- order is the file's: a selector's tables, sorted by name, stand at the selector's place;
- views only where ``include_views`` is true;
- a selector that matches nothing is an error naming it; all such are named at once.

Nothing here touches a database, Airflow or the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

import msgspec

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.hooks.catalog import KIND_TABLE, KIND_VIEW, CatalogEntry
from airflow_oracle_etl.identifiers import parse_identifier
from airflow_oracle_etl.transports.model import (
    STRATEGY_HASH,
    SchemaSelector,
    TableConfig,
)

__all__ = [
    "PatternError",
    "Resolution",
    "ResolvedTable",
    "SelectorConfig",
    "SelectorError",
    "SelectorResult",
    "catalog_owners",
    "duplicate_tables",
    "normalize_selector",
    "parse_pattern",
    "resolve_tables",
]

_QUOTE = '"'
#: what an unquoted pattern may hold outside the glob syntax: an unquoted identifier's letters
_UNQUOTED_CHARS = re.compile(r"[A-Za-z0-9_$#]")
_GLOB_CHARS = "*?"


class PatternError(ConfigurationError):
    """A pattern no table name could be written to match, with the reason."""


class SelectorError(ConfigurationError):
    """Selectors that match no table at plan time; :attr:`selectors` lists each with why."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.selectors = tuple(problems)
        super().__init__(
            f"{len(problems)} schema selector(s) match no table:\n  " + "\n  ".join(problems)
        )


class SelectorConfig(msgspec.Struct, frozen=True, kw_only=True):
    """A schema selector with exact names: the owner and the patterns as dictionary names
    compare (plain data, so it crosses to the plan task as the tables do).

    :param index: the entry's position in ``tables:``, for messages.
    """

    schema: str
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    include_views: bool
    trim_char: bool
    omit_nulls: bool
    checkpoint: bool
    index: int

    def matches_name(self, name: str) -> bool:
        """Whether an object named ``name`` is one this selector asks for (by name alone)."""
        return any(fnmatchcase(name, p) for p in self.include) and not any(
            fnmatchcase(name, p) for p in self.exclude
        )

    def matches(self, entry: CatalogEntry) -> bool:
        """Whether the selector takes this table (or view, with ``include_views``)."""
        if entry.owner != self.schema or not self.matches_name(entry.name):
            return False
        return entry.kind == KIND_TABLE or (entry.kind == KIND_VIEW and self.include_views)

    def describe(self) -> str:
        """``tables[2] (schema SALES, include ORDER*, exclude *_TMP)``: the entry for people."""
        parts = [f"schema {self.schema}", f"include {' '.join(self.include)}"]
        if self.exclude:
            parts.append(f"exclude {' '.join(self.exclude)}")
        if self.include_views:
            parts.append("include_views")
        return f"tables[{self.index}] ({', '.join(parts)})"

    def table_config(self, name: str) -> TableConfig:
        """A matched table with this selector's options (and every other option's default)."""
        return TableConfig(
            owner=self.schema,
            name=name,
            columns=None,
            where=None,
            partitions=1,
            partition_strategy=STRATEGY_HASH,
            partition_by=None,
            incremental=None,
            trim_char=self.trim_char,
            omit_nulls=self.omit_nulls,
            checkpoint=self.checkpoint,
        )


class ResolvedTable(msgspec.Struct, frozen=True, kw_only=True):
    """One table of the job.

    :param config: its options, the owner filled in.
    :param entry: its catalog row; None for an explicit table the catalog does not list (the
        plan plans it the old way, which raises the precise error: missing, or not visible).
    :param selector: the ``tables:`` index of the selector it came from; None if explicit.
    """

    config: TableConfig
    entry: CatalogEntry | None
    selector: int | None = None

    @property
    def label(self) -> str:
        """``OWNER.NAME``."""
        return self.config.label


class SelectorResult(msgspec.Struct, frozen=True, kw_only=True):
    """What one selector resolved to, for the log and the job manifest.

    :param matched: every object its patterns match, sorted (``OWNER.NAME``).
    :param tables: those it exports: ``matched`` less those an explicit entry or an earlier
        selector took.
    """

    index: int
    selector: str
    matched: tuple[str, ...]
    tables: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    """The job's tables in file order, and what each selector resolved to."""

    tables: list[ResolvedTable]
    selectors: list[SelectorResult]


def parse_pattern(text: str, *, what: str = "pattern") -> str:
    """The glob an include/exclude pattern denotes, in exact (dictionary) case.

    ``order*`` -> ``ORDER*``; ``'"Mixed*"'`` -> ``Mixed*``; ``cust[a-c]`` -> ``CUST[A-C]``.

    :raises PatternError: an empty pattern, an unclosed or empty ``[...]``, a character no
        identifier can hold (unquoted), or a double quote or NUL inside a quoted one.
    """
    if not isinstance(text, str):
        raise PatternError(f"{what} {text!r} is not text")
    if text.startswith(_QUOTE):
        if len(text) < 2 or not text.endswith(_QUOTE):
            raise PatternError(f"{what} {text!r}: a quoted pattern must end with a double quote")
        inner = text[1:-1]
        for bad, name in ((_QUOTE, "a double quote"), ("\x00", "a NUL character")):
            if bad in inner:
                raise PatternError(f"{what} {text!r}: a name cannot contain {name}")
        _check_glob(inner, text, what, unquoted=False)
        return inner
    _check_glob(text, text, what, unquoted=True)
    return text.upper()


def normalize_selector(selector: SchemaSelector, index: int) -> SelectorConfig:
    """A selector as written, with its schema and patterns made exact.

    :raises InvalidIdentifierError: the schema is no identifier.
    :raises PatternError: a pattern is no pattern (see :func:`parse_pattern`).
    """
    return SelectorConfig(
        schema=parse_identifier(selector.schema, what="schema"),
        include=tuple(parse_pattern(p, what="include pattern") for p in selector.include),
        exclude=tuple(parse_pattern(p, what="exclude pattern") for p in selector.exclude),
        include_views=selector.include_views,
        trim_char=selector.trim_char,
        omit_nulls=selector.omit_nulls,
        checkpoint=selector.checkpoint,
        index=index,
    )


def catalog_owners(
    explicit: Sequence[TableConfig], selectors: Sequence[SelectorConfig]
) -> tuple[list[str], bool]:
    """What to ask the catalog for (``OracleExtractHook.list_catalog(owners,
    current_schema=...)``): the selectors' schemas and the explicit entries' owners, in file
    order and each once, and whether an explicit entry has no owner (so the current schema's
    objects are needed too)."""
    owners = [selector.schema for selector in selectors]
    owners += [table.owner for table in explicit if table.owner is not None]
    return list(dict.fromkeys(owners)), any(table.owner is None for table in explicit)


def resolve_tables(
    explicit: Sequence[TableConfig],
    selectors: Sequence[SelectorConfig],
    catalog: Sequence[CatalogEntry],
    current_schema: str,
) -> Resolution:
    """The job's tables: the explicit ones and what the selectors match in ``catalog``.

    :param explicit: every explicit entry, in file order (``Transport.tables_normalized()``):
        they fill, in order, the ``tables:`` positions the selectors do not hold.
    :param current_schema: the owner of explicit tables configured without one.
    :raises SelectorError: naming every selector that matches nothing.
    :raises ConfigurationError: two explicit entries that name the same table (``ORDERS``
        and ``SALES.ORDERS`` when the current schema is ``SALES``).
    """
    by_key = {(entry.owner, entry.name): entry for entry in catalog}
    explicit_tables = [_explicit(config, current_schema, by_key) for config in explicit]
    _refuse_duplicates(explicit_tables)
    taken = {(t.config.owner, t.config.name) for t in explicit_tables}
    from_selector: dict[int, list[ResolvedTable]] = {}
    results: list[SelectorResult] = []
    empty: list[str] = []
    for selector in selectors:
        matched = sorted(
            (entry for entry in catalog if selector.matches(entry)), key=lambda e: e.name
        )
        if not matched:
            empty.append(f"{selector.describe()}: matches no table{_why_empty(selector, catalog)}")
        mine = [e for e in matched if (e.owner, e.name) not in taken]
        taken.update((e.owner, e.name) for e in mine)
        from_selector[selector.index] = [
            ResolvedTable(config=selector.table_config(e.name), entry=e, selector=selector.index)
            for e in mine
        ]
        results.append(
            SelectorResult(
                index=selector.index,
                selector=selector.describe(),
                matched=tuple(e.label for e in matched),
                tables=tuple(e.label for e in mine),
            )
        )
    if empty:
        raise SelectorError(empty)
    return Resolution(tables=_in_file_order(explicit_tables, from_selector), selectors=results)


def duplicate_tables(labels: Iterable[str]) -> list[str]:
    """Labels given more than once, in first-seen order (for messages)."""
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for label in labels:
        if label in seen:
            repeated[label] = None
        seen.add(label)
    return list(repeated)


# -- helpers -----------------------------------------------------------------------------------


def _check_glob(glob: str, shown: str, what: str, *, unquoted: bool) -> None:
    """Refuse what cannot be a glob over names: see :func:`parse_pattern`."""
    if not glob:
        raise PatternError(f"{what} {shown!r}: the pattern is empty")
    position = 0
    while position < len(glob):
        char = glob[position]
        if char == "[":
            end = _class_end(glob, position)
            if end is None:
                raise PatternError(
                    f"{what} {shown!r}: the character class at position {position + 1} is "
                    "not closed with ']'"
                )
            body = glob[position + 1 : end].removeprefix("!")
            if not body:
                raise PatternError(
                    f"{what} {shown!r}: the character class at position {position + 1} is empty"
                )
            if unquoted:
                for member in body.replace("-", ""):
                    _check_unquoted_char(member, shown, what)
            position = end + 1
            continue
        if unquoted and char not in _GLOB_CHARS:
            _check_unquoted_char(char, shown, what)
        position += 1


def _class_end(glob: str, start: int) -> int | None:
    """The index of the ``]`` closing the class opened at ``start`` (as fnmatch reads it: a
    ``]`` right after ``[`` or ``[!`` is a member), or None."""
    position = start + 1
    if position < len(glob) and glob[position] == "!":
        position += 1
    if position < len(glob) and glob[position] == "]":
        position += 1
    end = glob.find("]", position)
    return None if end < 0 else end


def _check_unquoted_char(char: str, shown: str, what: str) -> None:
    if not _UNQUOTED_CHARS.fullmatch(char):
        raise PatternError(
            f"{what} {shown!r}: {char!r} cannot be part of an unquoted name (letters, digits, "
            "'_', '$' and '#', with the glob characters * ? [...]); quote the pattern to "
            "match exact names: '\"Mixed*\"'"
        )


def _explicit(
    config: TableConfig, current_schema: str, by_key: dict[tuple[str, str], CatalogEntry]
) -> ResolvedTable:
    owner = config.owner or current_schema
    filled = config if config.owner else msgspec.structs.replace(config, owner=owner)
    return ResolvedTable(config=filled, entry=by_key.get((owner, config.name)))


def _refuse_duplicates(tables: Sequence[ResolvedTable]) -> None:
    repeated = duplicate_tables(table.label for table in tables)
    if repeated:
        raise ConfigurationError(
            f"explicit entries name the same table more than once (an owner-less name is "
            f"the current schema's): {', '.join(repeated)}"
        )


def _in_file_order(
    explicit: Sequence[ResolvedTable], from_selector: dict[int, list[ResolvedTable]]
) -> list[ResolvedTable]:
    positions = range(len(explicit) + len(from_selector))
    if not set(from_selector) <= set(positions):
        raise ValueError(
            f"selector positions {sorted(from_selector)} do not fit {len(explicit)} explicit "
            "entries: pass every explicit entry of the transport"
        )
    ordered: list[ResolvedTable] = []
    remaining = iter(explicit)
    for position in positions:
        if position in from_selector:
            ordered.extend(from_selector[position])
        else:
            ordered.append(next(remaining))
    return ordered


def _why_empty(selector: SelectorConfig, catalog: Sequence[CatalogEntry]) -> str:
    """A hint for a selector that matches nothing: the schema is empty or invisible, or
    only views would match."""
    in_schema = [entry for entry in catalog if entry.owner == selector.schema]
    if not in_schema:
        return (
            f" (the connection sees no table or view of schema {selector.schema}: is the "
            "name right, and does its user have SELECT on them?)"
        )
    views = [e for e in in_schema if e.kind == KIND_VIEW and selector.matches_name(e.name)]
    if views and not selector.include_views:
        return f" ({len(views)} view(s) match; include_views: true exports views too)"
    return ""
