"""A job's run conf, checked in one place.

Run conf (``airflow dags trigger --conf``, the REST API's ``conf``, the plugin's ``execute``
body) can narrow a job::

    {"tables": ["SALES_ORDER", "DEMO.CUSTOMER"], "full_refresh": true}

The plugin checks it before it starts a run (a bad one answers 422 with every problem), and the
plan task checks it again for runs started any other way; both call :func:`parse_run_conf`, so
they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.identifiers import InvalidIdentifierError, parse_table_name
from airflow_oracle_etl.transports.errors import Problem
from airflow_oracle_etl.transports.model import TableConfig

__all__ = [
    "CONF_FULL_REFRESH",
    "CONF_KEYS",
    "CONF_TABLES",
    "RunConf",
    "RunConfError",
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


@dataclass(frozen=True)
class RunConf:
    """What a job's run conf asks for: the tables to read (in the transport's order) and
    whether to ignore the incremental watermarks."""

    tables: tuple[TableConfig, ...]
    full_refresh: bool = False


def parse_run_conf(conf: object, tables: Sequence[TableConfig], *, transport: str) -> RunConf:
    """``conf`` checked against the transport's ``tables``: every problem at once.

    A name matches a table by its name, and by its owner too when both give one
    (``SALES_ORDER`` and ``DEMO.SALES_ORDER`` both select ``SALES_ORDER``).

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
    if CONF_TABLES in conf:
        selected = _select(tables, conf[CONF_TABLES])
        if isinstance(selected, Problem):
            problems.append(selected)
        else:
            chosen = selected
    full_refresh = conf.get(CONF_FULL_REFRESH, False)
    if not isinstance(full_refresh, bool):
        problems.append(Problem(CONF_FULL_REFRESH, f"expected true or false, got {full_refresh!r}"))
    if problems:
        raise RunConfError(transport, problems)
    return RunConf(tables=chosen, full_refresh=full_refresh)


def _select(tables: Sequence[TableConfig], requested: object) -> tuple[TableConfig, ...] | Problem:
    """The tables ``requested`` names, in the transport's order, or the problem with it."""
    if not isinstance(requested, list) or not all(isinstance(n, str) for n in requested):
        return Problem(CONF_TABLES, f"expected a list of table names, got {requested!r}")
    if not requested:
        return Problem(CONF_TABLES, "name at least one table (or omit it)")
    chosen: set[int] = set()
    unknown: list[str] = []
    for text in requested:
        try:
            owner, name = parse_table_name(text, what="table")
        except InvalidIdentifierError as error:
            return Problem(CONF_TABLES, str(error))
        matches = [i for i, table in enumerate(tables) if _matches(table, owner, name)]
        if not matches:
            unknown.append(text)
        chosen.update(matches)
    if unknown:
        known = ", ".join(table.label for table in tables)
        return Problem(
            CONF_TABLES,
            f"names table(s) not in this transport: {', '.join(unknown)} (its tables: {known})",
        )
    return tuple(table for index, table in enumerate(tables) if index in chosen)


def _matches(table: TableConfig, owner: str | None, name: str) -> bool:
    return table.name == name and (owner is None or table.owner in (None, owner))
