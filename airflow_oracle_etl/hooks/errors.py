"""Errors of the extract hook, each saying what to change, and never carrying a secret.

Tree::

    OracleExtractError                 base of everything the hook raises on purpose
    ├── TableNotFoundError (LookupError)   no such table, or not visible to the user
    ├── SnapshotPrivilegeError              a grant for consistent snapshots is missing
    ├── ExtractCancelledError               cancel() interrupted the extraction
    └── FetchSettingError (ValueError)      an arraysize/prefetchrows value is not usable

Invalid names raise :class:`airflow_oracle_etl.identifiers.InvalidIdentifierError` (a
``ValueError``) before any SQL is sent. Other database errors pass through as python-oracledb
raised them (their text holds no password: the server never echoes one). Messages name the
Airflow connection id, never its password, wallet password or DSN.
"""

from __future__ import annotations

__all__ = [
    "ExtractCancelledError",
    "FetchSettingError",
    "OracleExtractError",
    "SnapshotPrivilegeError",
    "TableNotFoundError",
]


class OracleExtractError(Exception):
    """Base of the errors the extract hook raises on purpose."""


class TableNotFoundError(OracleExtractError, LookupError):
    """The data dictionary shows no columns for ``owner.table`` to this connection's user."""

    def __init__(self, owner: str, table: str, conn_id: str) -> None:
        self.owner = owner
        self.table = table
        self.conn_id = conn_id
        super().__init__(
            f"table {owner}.{table} not found through connection {conn_id!r}: ALL_TAB_COLUMNS "
            "shows no columns for it. Check the owner and the name (unquoted names are "
            'upper-cased; write "Mixed_Case" names quoted) and that the connection\'s user has '
            "SELECT on the table."
        )


class SnapshotPrivilegeError(OracleExtractError):
    """Reading the current SCN or reading AS OF an SCN was refused for lack of a grant."""

    def __init__(self, conn_id: str, ora_code: str, missing: str) -> None:
        self.conn_id = conn_id
        self.ora_code = ora_code
        super().__init__(
            f"a consistent snapshot through connection {conn_id!r} failed with {ora_code}: "
            f"{missing} Either have a DBA grant it, or switch consistent snapshots off in the "
            "operator (each query then reads as of its own start)."
        )

    @classmethod
    def for_current_scn(cls, conn_id: str, ora_code: str, user: str) -> SnapshotPrivilegeError:
        return cls(
            conn_id,
            ora_code,
            "reading V$DATABASE.CURRENT_SCN needs SELECT on V_$DATABASE "
            f"(GRANT SELECT ON SYS.V_$DATABASE TO {user}), and reading tables AS OF that SCN "
            f"needs FLASHBACK privileges (GRANT FLASHBACK ON <owner>.<table> TO {user}, or "
            f"GRANT FLASHBACK ANY TABLE TO {user}).",
        )

    @classmethod
    def for_flashback(cls, conn_id: str, ora_code: str, user: str) -> SnapshotPrivilegeError:
        return cls(
            conn_id,
            ora_code,
            "reading a table AS OF SCN needs FLASHBACK privileges on it "
            f"(GRANT FLASHBACK ON <owner>.<table> TO {user}, or GRANT FLASHBACK ANY TABLE "
            f"TO {user}).",
        )


class ExtractCancelledError(OracleExtractError):
    """The extraction was interrupted by :meth:`OracleExtractHook.cancel` (e.g. on_kill)."""


class FetchSettingError(OracleExtractError, ValueError):
    """A fetch tuning value (argument or connection extra) is not a positive integer."""
