"""Oracle identifiers from configuration: validated, case-folded as Oracle folds them, quoted.

Table, owner and column names reach SQL text (a dictionary query can bind them, but a SELECT
cannot bind its FROM clause), so every name from a DAG, a YAML transport or a connection goes
through here before it is used, and leaves only in its double-quoted exact form. Quoting
everything we emit means a name never changes meaning in SQL: a reserved word, a mixed-case
or a spaced name is just a name, and nothing in a value can end the identifier early, because
a value containing ``"`` is rejected rather than escaped.

Two spellings exist, as in Oracle SQL itself:

- *configured text* (what a user writes): ``sales_order`` (unquoted: folded to
  ``SALES_ORDER``), ``"Mixed Case"`` (quoted: kept exactly), ``demo.sales_order``;
  :func:`parse_identifier` and :func:`parse_table_name` read it;
- *exact names* (what the data dictionary stores and shows): ``SALES_ORDER``, ``Mixed Case``;
  :func:`quote_identifier` writes them into SQL.
"""

from __future__ import annotations

import re

from airflow_oracle_etl.errors import ConfigurationError

__all__ = [
    "MAX_IDENTIFIER_BYTES",
    "RESERVED_WORDS",
    "InvalidIdentifierError",
    "parse_identifier",
    "parse_table_name",
    "qualified_name",
    "quote_identifier",
]

#: Oracle 12.2+ limit on an identifier, in bytes of the database character set (AL32UTF8)
MAX_IDENTIFIER_BYTES = 128
#: longest value quoted back in an error message; a hostile value may be megabytes long
_MAX_ECHO_CHARS = 80
_QUOTE = '"'
_NUL = "\x00"
_UNQUOTED = re.compile(r"[A-Za-z][A-Za-z0-9_$#]{0,127}")

#: Oracle's SQL reserved words (V$RESERVED_WORDS where RESERVED = 'Y', the list in the SQL
#: Language Reference): Oracle refuses them as unquoted names, so an object with such a name
#: was created quoted and must be configured quoted too.
RESERVED_WORDS = frozenset(
    """
    ACCESS ADD ALL ALTER AND ANY AS ASC AUDIT BETWEEN BY CHAR CHECK CLUSTER COLUMN COMMENT
    COMPRESS CONNECT CREATE CURRENT DATE DECIMAL DEFAULT DELETE DESC DISTINCT DROP ELSE
    EXCLUSIVE EXISTS FILE FLOAT FOR FROM GRANT GROUP HAVING IDENTIFIED IMMEDIATE IN INCREMENT
    INDEX INITIAL INSERT INTEGER INTERSECT INTO IS LEVEL LIKE LOCK LONG MAXEXTENTS MINUS
    MLSLABEL MODE MODIFY NOAUDIT NOCOMPRESS NOT NOWAIT NULL NUMBER OF OFFLINE ON ONLINE OPTION
    OR ORDER PCTFREE PRIOR PUBLIC RAW RENAME RESOURCE REVOKE ROW ROWID ROWNUM ROWS SELECT
    SESSION SET SHARE SIZE SMALLINT START SUCCESSFUL SYNONYM SYSDATE TABLE THEN TO TRIGGER UID
    UNION UNIQUE UPDATE USER VALIDATE VALUES VARCHAR VARCHAR2 VIEW WHENEVER WHERE WITH
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


class InvalidIdentifierError(ConfigurationError):
    """A configured name that is not an Oracle identifier; raised before any SQL is sent.

    ``what`` says where the value came from (``table``, ``owner``, ``column``...), so the
    message points at the setting to fix.
    """

    def __init__(self, value: object, what: str, reason: str) -> None:
        self.value = value
        self.what = what
        self.reason = reason
        super().__init__(f"{what} {_echo(value)} is not a valid Oracle identifier: {reason}")


def parse_identifier(text: str, *, what: str = "identifier") -> str:
    """Return the exact (dictionary) name a configured identifier denotes.

    ``sales_order`` -> ``SALES_ORDER`` (Oracle folds unquoted names to upper case);
    ``"Mixed Case"`` -> ``Mixed Case``. Surrounding whitespace is not trimmed: a name that
    arrives with a stray space or newline is rejected, not guessed at.
    """
    if not isinstance(text, str):
        raise InvalidIdentifierError(text, what, f"expected a string, got {type(text).__name__}")
    if text.startswith(_QUOTE):
        if len(text) < 2 or not text.endswith(_QUOTE):
            raise InvalidIdentifierError(text, what, "a quoted name must end with a double quote")
        return _check_exact(text[1:-1], text, what)
    if not text:
        raise InvalidIdentifierError(text, what, "the name is empty")
    if not _UNQUOTED.fullmatch(text):
        raise InvalidIdentifierError(
            text,
            what,
            "an unquoted name must start with a letter and contain only letters, digits, "
            "'_', '$' and '#' (at most 128 characters)",
        )
    if text.upper() in RESERVED_WORDS:
        raise InvalidIdentifierError(
            text, what, f"{text.upper()} is an Oracle reserved word; write it quoted, in exact case"
        )
    return text.upper()


def parse_table_name(text: str, *, what: str = "table") -> tuple[str | None, str]:
    """Split ``[OWNER.]TABLE`` into exact names: ``(owner or None, table)``.

    Dots inside a quoted part belong to the name (``"my.schema"."a.b"``); at most one dot may
    separate parts (no database links: ``@`` is not an identifier character anyway).
    """
    if not isinstance(text, str):
        raise InvalidIdentifierError(text, what, f"expected a string, got {type(text).__name__}")
    parts = _split_dotted(text, what)
    if len(parts) > 2:
        raise InvalidIdentifierError(text, what, "expected TABLE or OWNER.TABLE")
    names = [parse_identifier(part, what=what) for part in parts]
    if len(names) == 1:
        return None, names[0]
    return names[0], names[1]


def quote_identifier(name: str, *, what: str = "identifier") -> str:
    """Return an exact (dictionary) name as it must appear in SQL: ``"SALES_ORDER"``.

    The name is taken as it is, with no case folding: ``Mixed Case`` -> ``"Mixed Case"``. Names
    read from the dictionary pass through here as well, so a name no SQL could express (one
    with ``"`` or NUL in it) fails loudly instead of producing broken SQL.
    """
    if not isinstance(name, str):
        raise InvalidIdentifierError(name, what, f"expected a string, got {type(name).__name__}")
    return _QUOTE + _check_exact(name, name, what) + _QUOTE


def qualified_name(owner: str, name: str) -> str:
    """``"OWNER"."NAME"`` from two exact names."""
    return f"{quote_identifier(owner, what='owner')}.{quote_identifier(name, what='table')}"


def _check_exact(name: str, shown: str, what: str) -> str:
    """Validate the inside of a quoted identifier (the exact name) and return it."""
    if not name:
        raise InvalidIdentifierError(shown, what, "the name is empty")
    if _QUOTE in name:
        raise InvalidIdentifierError(shown, what, "a name cannot contain a double quote")
    if _NUL in name:
        raise InvalidIdentifierError(shown, what, "a name cannot contain a NUL character")
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if size > MAX_IDENTIFIER_BYTES:
        raise InvalidIdentifierError(
            shown, what, f"the name is {size} bytes long; Oracle allows {MAX_IDENTIFIER_BYTES}"
        )
    return name


def _split_dotted(text: str, what: str) -> list[str]:
    """Split on dots outside double quotes, keeping the quotes on each part."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == _QUOTE:
            quoted = not quoted
        if char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise InvalidIdentifierError(text, what, "a quoted name must end with a double quote")
    parts.append("".join(current))
    return parts


def _echo(value: object) -> str:
    """The value for an error message: repr (so newlines and NULs show), cut if very long."""
    if not isinstance(value, str):
        return repr(value)[:_MAX_ECHO_CHARS]
    if len(value) <= _MAX_ECHO_CHARS:
        return repr(value)
    return f"{value[:_MAX_ECHO_CHARS]!r}... ({len(value)} characters)"
