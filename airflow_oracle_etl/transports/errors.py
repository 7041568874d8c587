"""The one error a transport file can raise, and the problems it lists.

Every way a transport file can be wrong (unreadable, bad YAML, an unknown field, a wrong type,
a value outside its rules) ends up as a :class:`TransportError`, so the DAG factory and the
REST layer handle one type. Each problem names the field by its path in the file
(``tables[2].partitions``) so a reader can go straight to it; the message puts the file first::

    dags/transports/daily_sales.yaml: tables[2].partitions: must be between 1 and 1024, got 0
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from typing import NamedTuple

from airflow_oracle_etl.errors import ConfigurationError

__all__ = ["Problem", "TransportError"]


class Problem(NamedTuple):
    """One thing wrong in a transport: where (a field path, or ``""`` for the whole file)."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class TransportError(ConfigurationError):
    """A transport file that cannot be used, with every problem found in it.

    :attr:`file` is the file as given (a path, or a label such as ``<string>``); each line of
    the message is ``FILE: FIELD: REASON``. Type errors stop the conversion at the first one,
    so a file with several is fixed in rounds; all other problems are reported together.
    """

    def __init__(self, file: str | PathLike[str], problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("a TransportError needs at least one problem")
        self.file = str(file)
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{self.file}: {problem}" for problem in self.problems))

    @property
    def fields(self) -> tuple[str, ...]:
        """The field paths with problems, in the order reported (for tests and UIs)."""
        return tuple(problem.field for problem in self.problems)
