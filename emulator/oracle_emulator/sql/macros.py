"""Making DuckDB macros on a cursor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["create_macros"]


def create_macros(cursor: Any, definitions: Iterable[str]) -> None:
    """``CREATE OR REPLACE TEMP MACRO`` of each definition (``name(args) AS body``), in one
    call: a new session makes a few hundred, and a call each was most of a logon's time."""
    statements = [f"CREATE OR REPLACE TEMP MACRO {definition}" for definition in definitions]
    if statements:
        cursor.execute(";\n".join(statements))
