"""DuckDB exceptions and engine failures as the ORA errors Oracle would raise.

The engine raises its own errors as :class:`OracleError` directly (the constructors below
keep Oracle's message texts in one place). Errors raised inside DuckDB by the write
conversions carry their ``ORA-NNNNN: text`` in the message and are passed through; the rest
are mapped by exception class and message. Anything unrecognised becomes ORA-00600 with
DuckDB's text, which marks an emulator gap rather than a user error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb

from oracle_emulator.api import (
    ORA_CANCELLED,
    ORA_CANNOT_INSERT_NULL,
    ORA_CANNOT_SERIALIZE,
    ORA_INTERNAL,
    ORA_INVALID_IDENTIFIER,
    ORA_INVALID_NUMBER,
    ORA_INVALID_SQL,
    ORA_NAME_IN_USE,
    ORA_NOT_PROPERLY_ENDED,
    ORA_SNAPSHOT_TOO_OLD,
    ORA_TABLE_NOT_FOUND,
    ORA_UNIQUE_CONSTRAINT,
    OracleError,
)

ORA_COLUMN_AMBIGUOUS = 918
ORA_INCONSISTENT_TYPES = 932
ORA_PRECISION_EXCEEDED = 1438
ORA_NUMERIC_OVERFLOW = 1426
ORA_CANNOT_UPDATE_TO_NULL = 1407
ORA_DATE_FORMAT = 1861
ORA_INVALID_SCN = 8181
ORA_TABLE_DEFINITION_CHANGED = 1466
ORA_SEQUENCE_NOT_YET_DEFINED = 8002
ORA_SEQUENCE_EXHAUSTED = 8004
ORA_USER_NOT_FOUND = 1918
ORA_USER_EXISTS = 1920
ORA_LOCK_TIMEOUT = 30006
ORA_INVALID_ROWID = 1410
ORA_SAVEPOINT_NOT_FOUND = 1086
ORA_NOT_A_GROUP_BY = 979
ORA_MISSING_EXPRESSION = 936
ORA_UNKNOWN_TIME_ZONE = 1882
ORA_INVALID_HEX = 1465

_EMBEDDED = re.compile(r"ORA-(\d{5}): ([^\n]*)")
_MISSING_COLUMN = re.compile(
    r'Column "([^"]+)" referenced that exists in the SELECT clause|'
    r'Referenced column "([^"]+)" not found|'
    r'column "([^"]+)" (?:not found|does not exist)|Column "([^"]+)" .*not found|'
    r'Referenced table "([^"]+)" not found|does not have a column named "([^"]+)"',
    re.IGNORECASE,
)
_NOT_NULL = re.compile(r'NOT NULL constraint failed: (?:[^.]+\.)?"?t(\d+)"?\."?([^"\s]+)"?')
_FUNCTION = re.compile(r"(?:Scalar|Table|Aggregate) Function with name (.+?) does not exist", re.I)
#: DuckDB's words for an expression whose argument types fit no function (or several)
_NO_MATCHING_TYPES = (
    "No function matches",
    "Cannot compare",
    "Cannot mix",
    "Could not choose a best candidate function",
    "has multiple overloads",
    "does not support the supplied arguments",
)
_MISPLACED_STAR = re.compile(r"STAR expression|star expression|\* expression without FROM")

#: (owner, table, column) of a storage column named by ``t<object id>`` and column name
NameResolver = Callable[[int, str], tuple[str, str, str] | None]


def table_not_found() -> OracleError:
    return OracleError(ORA_TABLE_NOT_FOUND, "table or view does not exist")


def invalid_identifier(name: str) -> OracleError:
    return OracleError(ORA_INVALID_IDENTIFIER, f'"{name}": invalid identifier')


def name_in_use() -> OracleError:
    return OracleError(ORA_NAME_IN_USE, "name is already used by an existing object")


def unique_violated(owner: str, constraint: str) -> OracleError:
    return OracleError(ORA_UNIQUE_CONSTRAINT, f"unique constraint ({owner}.{constraint}) violated")


def snapshot_too_old() -> OracleError:
    return OracleError(
        ORA_SNAPSHOT_TOO_OLD, 'snapshot too old: rollback segment number  with name "" too small'
    )


def invalid_scn() -> OracleError:
    return OracleError(ORA_INVALID_SCN, "specified number is not a valid system change number")


def definition_changed() -> OracleError:
    return OracleError(
        ORA_TABLE_DEFINITION_CHANGED, "unable to read data - table definition has changed"
    )


def cannot_serialize() -> OracleError:
    return OracleError(ORA_CANNOT_SERIALIZE, "can't serialize access for this transaction")


def lock_timeout() -> OracleError:
    return OracleError(ORA_LOCK_TIMEOUT, "resource busy; acquire with WAIT timeout expired")


def cancelled() -> OracleError:
    return OracleError(ORA_CANCELLED, "user requested cancel of current operation")


def internal(text: str) -> OracleError:
    return OracleError(ORA_INTERNAL, f"internal error code, arguments: [{text}]")


def map_duckdb_error(
    exc: Exception, resolve: NameResolver | None = None, updating: bool = False
) -> OracleError:
    """The OracleError a client should see for a DuckDB exception."""
    text = str(exc)
    embedded = _EMBEDDED.search(text)
    if embedded:
        return OracleError(int(embedded.group(1)), embedded.group(2).strip())
    if isinstance(exc, duckdb.InterruptException) or "INTERRUPT" in text.upper():
        return cancelled()
    if isinstance(exc, duckdb.CatalogException):
        return _catalog(text)
    if isinstance(exc, duckdb.BinderException):
        return _binder(text)
    if isinstance(exc, duckdb.ParserException):
        return _parser(text)
    if isinstance(exc, duckdb.ConversionException):
        return _conversion(text)
    if isinstance(exc, duckdb.ConstraintException):
        return _constraint(text, resolve, updating)
    if isinstance(exc, duckdb.TransactionException):
        return cannot_serialize()
    if isinstance(exc, duckdb.OutOfRangeException):
        return OracleError(ORA_NUMERIC_OVERFLOW, "numeric overflow")
    if "Unknown TimeZone" in text:
        return OracleError(ORA_UNKNOWN_TIME_ZONE, "timezone region not found")
    if "Invalid input for hex digit" in text:
        return OracleError(ORA_INVALID_HEX, "invalid hex number")
    return internal(_first_line(text))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _catalog(text: str) -> OracleError:
    function = _FUNCTION.search(text)
    if function:
        return invalid_identifier(function.group(1).upper())
    if "already exists" in text:
        return name_in_use()
    if "does not exist" in text and ("Table" in text or "View" in text or "Schema" in text):
        return table_not_found()
    return internal(_first_line(text))


def _binder(text: str) -> OracleError:
    missing = _MISSING_COLUMN.search(text)
    if missing:
        name = next(g for g in missing.groups() if g)
        return invalid_identifier(name.upper() if name.upper() == name.upper() else name)
    if "Ambiguous reference" in text:
        return OracleError(ORA_COLUMN_AMBIGUOUS, "column ambiguously defined")
    if "must appear in the GROUP BY" in text:
        return OracleError(ORA_NOT_A_GROUP_BY, "not a GROUP BY expression")
    if any(words in text for words in _NO_MATCHING_TYPES):
        return OracleError(ORA_INCONSISTENT_TYPES, f"inconsistent datatypes: {_first_line(text)}")
    if _MISPLACED_STAR.search(text):
        return OracleError(ORA_MISSING_EXPRESSION, "missing expression")
    if "Table" in text and "does not exist" in text:
        return table_not_found()
    _function = _FUNCTION.search(text)
    if _function:
        return invalid_identifier(_function.group(1).upper())
    return internal(_first_line(text))


def _parser(text: str) -> OracleError:
    if "syntax error at end of input" in text:
        return OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    if "syntax error at or near" in text:
        return OracleError(ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
    return OracleError(ORA_INVALID_SQL, "invalid SQL statement")


def _conversion(text: str) -> OracleError:
    lowered = text.lower()
    if "could not convert string" in lowered:
        numeric = any(t in text for t in ("INT", "DECIMAL", "DOUBLE", "FLOAT", "NUMERIC"))
        if numeric:
            return OracleError(ORA_INVALID_NUMBER, "invalid number")
        return OracleError(ORA_DATE_FORMAT, "literal does not match format string")
    if "could not cast value" in lowered or "out of range" in lowered:
        return OracleError(
            ORA_PRECISION_EXCEEDED, "value larger than specified precision allowed for this column"
        )
    return OracleError(ORA_INVALID_NUMBER, "invalid number")


def _constraint(text: str, resolve: NameResolver | None, updating: bool) -> OracleError:
    match = _NOT_NULL.search(text)
    if match:
        names = resolve(int(match.group(1)), match.group(2)) if resolve else None
        owner, table, column = names or ("?", "?", match.group(2))
        target = f'("{owner}"."{table}"."{column}")'
        if updating:
            return OracleError(ORA_CANNOT_UPDATE_TO_NULL, f"cannot update {target} to NULL")
        return OracleError(ORA_CANNOT_INSERT_NULL, f"cannot insert NULL into {target}")
    return OracleError(ORA_UNIQUE_CONSTRAINT, f"unique constraint violated: {_first_line(text)}")
