"""Driver errors told apart: which need a message of their own, and their codes and text.

Two failures of a running query get one, because the driver's text alone does not say what
to do: ORA-01555 (the snapshot's undo is gone: smaller reads, more undo, or a new run) and a
connection lost mid-query (DPY-4011, ORA-03113, ORA-03135: this attempt is lost, a retry reads
again). Both name the table read and the Airflow connection; neither is retried by the hook.
"""

from __future__ import annotations

import re

import oracledb

from airflow_oracle_etl.hooks.errors import (
    ConnectionLostError,
    OracleExtractError,
    SnapshotTooOldError,
)

__all__ = ["describe_source", "error_code", "error_text", "query_failure"]

ORA_SNAPSHOT_TOO_OLD = 1555
#: the driver's "the database or network closed the connection" (ORA-03113, ORA-03135,
#: ORA-00028 "session killed" and the like are reported under it in thin mode)
CONNECTION_CLOSED = "DPY-4011"
#: the same as Oracle numbers them (thick mode)
CONNECTION_LOST_ORA_CODES = frozenset({28, 1092, 3113, 3114, 3135, 12537, 12547, 12571})
_NAME = r'"[^"]+"|[A-Za-z][\w$#]*'
_FROM_TABLE = re.compile(rf"\bFROM\s+((?:{_NAME})(?:\s*\.\s*(?:{_NAME}))?)", re.I)


def error_code(error: oracledb.Error) -> tuple[str, int | None]:
    """(full code like ``DPY-6005`` or ``ORA-01017``, ORA number or None) of a driver error."""
    detail = error.args[0] if error.args else None
    full_code = getattr(detail, "full_code", "") or type(error).__name__
    code = getattr(detail, "code", 0) or None
    return full_code, code


def error_text(error: oracledb.Error) -> str:
    """The driver's message on one line, without its help link (DPY-6005 puts the socket
    error, the useful part, on a line of its own). It names codes, never a password."""
    lines = [line.strip() for line in str(error).splitlines()]
    kept = [line for line in lines if line and not line.startswith("Help:")]
    return " ".join(kept) or type(error).__name__


def describe_source(sql: str) -> str:
    """What a query reads, for messages when the caller did not say: ``DEMO.BENCH_ROWS``
    from ``... FROM "DEMO"."BENCH_ROWS" ...`` (the first table named after a FROM)."""
    match = _FROM_TABLE.search(sql)
    if match is None:
        return "the query"
    return ".".join(name.strip('"') for name in re.findall(_NAME, match.group(1)))


def query_failure(
    error: oracledb.Error, *, source: str, conn_id: str, rows: int, fetching: bool = True
) -> OracleExtractError | None:
    """The error to raise instead of ``error`` (from a running query), or None to let it
    through as the driver raised it.

    ORA-01555 is translated only while ``fetching``: at execute it means an ``AS OF SCN``
    older than the undo, which callers reading a remembered SCN explain in their own terms
    (incremental planning catches the driver's error for that).
    """
    full_code, code = error_code(error)
    if code == ORA_SNAPSHOT_TOO_OLD and fetching:
        return SnapshotTooOldError(source, conn_id, rows)
    detail = error.args[0] if error.args else None
    if (
        full_code == CONNECTION_CLOSED
        or code in CONNECTION_LOST_ORA_CODES
        or getattr(detail, "is_session_dead", False)
    ):
        return ConnectionLostError(source, conn_id, rows, error_text(error))
    return None
