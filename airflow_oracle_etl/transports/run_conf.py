"""A job's run conf, checked in one place.

Run conf (``airflow dags trigger --conf``, the REST API's ``conf``, the plugin's ``execute``
body) can narrow a job::

    {"tables": ["SALES_ORDER", "DEMO.CUSTOMER"], "full_refresh": true}

The plugin checks it before it starts a run (a bad one answers 422 with every problem), and the
plan task checks it again for runs started any other way; both call :func:`parse_run_conf`, so
they cannot disagree.

A name in ``tables`` may name a table a schema selector takes: it is accepted when a selector
could match it by name (its owner is the selector's schema, or is left out, and the name
matches the patterns); what the selectors resolve to is known only at plan time, where
:meth:`RunConf.narrow` keeps the requested tables and fails naming any that resolved to none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.identifiers import InvalidIdentifierError, parse_table_name
from airflow_oracle_etl.transports.errors import Problem
from airflow_oracle_etl.transports.model import TableConfig
from airflow_oracle_etl.transports.selectors import ResolvedTable, SelectorConfig

__all__ = [
    "CONF_FULL_REFRESH",
    "CONF_KEYS",
    "CONF_TABLES",
    "RunConf",
    "RunConfError",
    "TableName",
    "parse_run_conf",
]

#: run conf keys a job understands
CONF_TABLES = "tables"
CONF_FULL_REFRESH = "full_refresh"
CONF_KEYS = (CONF_TABLES, CONF_FULL_REFRESH)


class RunConfError(ConfigurationError):
    """Run conf a job cannot start with; :attr:`problems` names each field at fault."""

    def __init__(self, transport: str, problems: Sequence[Problem]) -> None:
        self.transport = transport
        self.problems = tuple(problems)
        super().__init__(
            f"transport {transport!r}: run conf: " + "; ".join(str(p) for p in self.problems)
        )


#: a requested table: (exact owner or None, exact name)
TableName = tuple[str | None, str]


@dataclass(frozen=True)
class RunConf:
    """What a job's run conf asks for: the explicit tables to read (in the transport's
    order), the names requested (None: every table), and whether to ignore the incremental
    watermarks."""

    tables: tuple[TableConfig, ...]
    full_refresh: bool = False
    #: the ``tables`` names as given, exact; None when the run conf names none
    requested: tuple[TableName, ...] | None = None
    #: the transport id, for errors raised later (:meth:`narrow`)
    transport: str = field(default="", compare=False)

    def narrow(self, resolved: Sequence[ResolvedTable]) -> list[ResolvedTable]:
        """The resolved tables the run conf asks for, in their order (all when it names
        none).

        A name matches a table by its name, and by its owner too when it gives one.

        :raises RunConfError: a requested name that matches no resolved table (a selector's
            pattern matched it by name, but the schema has no such table, or it is a view
            and the selector leaves views out).
        """
        if self.requested is None:
            return list(resolved)
        chosen = [t for t in resolved if any(_names(t.config, *n) for n in self.requested)]
        missing = [
            _text(owner, name)
            for owner, name in self.requested
            if not any(_names(t.config, owner, name) for t in resolved)
        ]
        if missing:
            raise RunConfError(
                self.transport,
                [Problem(CONF_TABLES, f"names table(s) this job does not export: "
                                      f"{', '.join(missing)}")],
            )  # fmt: skip
        return chosen


def parse_run_conf(
    conf: object,
    tables: Sequence[TableConfig],
    *,
    transport: str,
    selectors: Sequence[SelectorConfig] = (),
) -> RunConf:
    """``conf`` checked against the transport's explicit ``tables`` and ``selectors``: every
    problem at once.

    A name matches a table by its name, and by its owner too when both give one
    (``SALES_ORDER`` and ``DEMO.SALES_ORDER`` both select ``SALES_ORDER``); it matches a
    selector when its owner is the selector's schema or left out and the selector's patterns
    take its name.

    :raises RunConfError: conf that is not a mapping, an unknown key, ``tables`` that is not a
        non-empty list of names of this transport's tables, ``full_refresh`` not a boolean.
    """
    if conf is None:
        conf = {}
    if not isinstance(conf, Mapping):
        raise RunConfError(
            transport, [Problem("", f"must be a mapping, got {type(conf).__name__}")]
        )
    problems = [
        Problem(str(key), f"unknown field; a job takes {', '.join(CONF_KEYS)}")
        for key in conf
        if key not in CONF_KEYS
    ]
    chosen = tuple(tables)
    requested: tuple[TableName, ...] | None = None
    if CONF_TABLES in conf:
        selected = _select(tables, selectors, conf[CONF_TABLES])
        if isinstance(selected, Problem):
            problems.append(selected)
        else:
            chosen, requested = selected
    full_refresh = conf.get(CONF_FULL_REFRESH, False)
    if not isinstance(full_refresh, bool):
        problems.append(Problem(CONF_FULL_REFRESH, f"expected true or false, got {full_refresh!r}"))
    if problems:
        raise RunConfError(transport, problems)
    return RunConf(
        tables=chosen, full_refresh=full_refresh, requested=requested, transport=transport
    )


def _select(
    tables: Sequence[TableConfig], selectors: Sequence[SelectorConfig], requested: object
) -> tuple[tuple[TableConfig, ...], tuple[TableName, ...]] | Problem:
    """The explicit tables ``requested`` names (in the transport's order) and the names
    parsed, or the problem with them."""
    if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
        return Problem(CONF_TABLES, f"expected a list of table names, got {requested!r}")
    if not requested:
        return Problem(CONF_TABLES, "name at least one table (or omit it)")
    chosen: set[int] = set()
    names: list[TableName] = []
    unknown: list[str] = []
    for text in requested:
        try:
            owner, name = parse_table_name(text, what="table")
        except InvalidIdentifierError as error:
            return Problem(CONF_TABLES, str(error))
        names.append((owner, name))
        matches = [i for i, table in enumerate(tables) if _matches(table, owner, name)]
        if not matches and not any(_selects(s, owner, name) for s in selectors):
            unknown.append(text)
        chosen.update(matches)
    if unknown:
        known = ", ".join(table.label for table in tables) or "none named"
        if selectors:
            known += "; its schema selectors: " + ", ".join(s.describe() for s in selectors)
        return Problem(
            CONF_TABLES,
            f"names table(s) not in this transport: {', '.join(unknown)} (its tables: {known})",
        )
    return tuple(table for index, table in enumerate(tables) if index in chosen), tuple(names)


def _matches(table: TableConfig, owner: str | None, name: str) -> bool:
    return table.name == name and (owner is None or table.owner in (None, owner))


def _selects(selector: SelectorConfig, owner: str | None, name: str) -> bool:
    return owner in (None, selector.schema) and selector.matches_name(name)


def _names(table: TableConfig, owner: str | None, name: str) -> bool:
    """Whether a resolved table (owner filled in) is the one ``owner``/``name`` asks for."""
    return table.name == name and owner in (None, table.owner)


def _text(owner: str | None, name: str) -> str:
    return name if owner is None else f"{owner}.{name}"
