"""Errors of the extract hook, each saying what to change, and never carrying a secret.

Tree::

    OracleExtractError                 base of everything the hook raises on purpose
    ├── TableNotFoundError (LookupError)   no such table, or not visible to the user
    ├── SnapshotPrivilegeError              a grant for consistent snapshots is missing
    ├── ExtractCancelledError               cancel() interrupted the extraction
    ├── FetchSettingError (ValueError)      an arraysize/prefetchrows/connect_* value is not usable
    ├── OracleUnreachableError              no connection within the connect retries
    ├── LogonRefusedError                   ORA-01017/28000/...: never retried
    ├── ConnectionSetupError (Configuration) a TNS alias, tnsnames.ora or wallet file problem
    ├── ConnectionSecurityError (Access)    TLS refused: certificate, DN, wallet, protocol
    ├── SnapshotTooOldError                 ORA-01555 while reading a snapshot
    └── ConnectionLostError                 the connection died mid-query (DPY-4011, ORA-03113)

Which are retried where: the hook retries only the connect of an unreachable database
(:mod:`airflow_oracle_etl.hooks.connect_retry`). A refused logon fails the task without
Airflow's retries too (the hook raises a subclass that is also ``AirflowFailException``):
repeating a wrong password only locks the account. ORA-01555 and a lost connection fail the
attempt and are left to Airflow's task retries, which read the table again from the start.

Invalid names raise :class:`airflow_oracle_etl.identifiers.InvalidIdentifierError` (a
``ValueError``) before any SQL is sent. Other database errors pass through as python-oracledb
raised them (their text holds no password: the server never echoes one). Messages name the
Airflow connection id, never its password, wallet password or DSN.
"""

from __future__ import annotations

from airflow_oracle_etl.errors import (
    AccessError,
    ConfigurationError,
    OracleEtlError,
    TransientError,
)

__all__ = [
    "ConnectionLostError",
    "ConnectionSecurityError",
    "ConnectionSetupError",
    "ExtractCancelledError",
    "FetchSettingError",
    "LogonRefusedError",
    "OracleExtractError",
    "OracleUnreachableError",
    "SnapshotPrivilegeError",
    "SnapshotTooOldError",
    "TableNotFoundError",
]


class OracleExtractError(OracleEtlError):
    """Base of the errors the extract hook raises on purpose."""


class TableNotFoundError(OracleExtractError, AccessError, LookupError):
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


class SnapshotPrivilegeError(OracleExtractError, AccessError):
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


class ExtractCancelledError(OracleExtractError, TransientError):
    """The extraction was interrupted by :meth:`OracleExtractHook.cancel` (e.g. on_kill)."""


class FetchSettingError(OracleExtractError, ConfigurationError):
    """A fetch or connect tuning value (argument or connection extra) is not usable."""


class OracleUnreachableError(OracleExtractError, TransientError):
    """Every connect attempt failed with a transient error (listener down, refused...)."""

    def __init__(self, conn_id: str, attempts: int, last_error: str) -> None:
        self.conn_id = conn_id
        self.attempts = attempts
        # a TCPS listener closes a plain TCP client's connection without a word
        closed = "DPY-4011" in last_error
        hint = " If the port is a TCPS one, connect over TCPS." if closed else ""
        super().__init__(
            f"could not connect to Oracle through connection {conn_id!r} after {attempts} "
            f"attempt(s); the last failed with {last_error}. Check that the database and its "
            "listener are up and reachable from this worker, and the connection's host, port "
            f"and service name.{hint} For longer outages raise the connection's "
            "connect_retries or connect_retry_delay extras."
        )


#: what to do about a refused logon, by ORA number (``{user}``/``{conn_id}`` filled in)
_LOGON_ADVICE = {
    1017: "Fix the login or password of Airflow connection {conn_id!r} (or the secret it "
    "comes from), then clear the task.",
    28000: "The account is locked: a DBA must unlock it (ALTER USER {user} ACCOUNT UNLOCK) "
    "after the cause of the failed logons is fixed.",
    28001: "The password has expired: set a new one (ALTER USER {user} IDENTIFIED BY ...) "
    "and update connection {conn_id!r}.",
    1045: "The user may not log on: a DBA must GRANT CREATE SESSION TO {user}.",
}
_DEFAULT_LOGON_ADVICE = "Fix the credentials of Airflow connection {conn_id!r}."


class LogonRefusedError(OracleExtractError, AccessError):
    """The database refused the credentials: retrying cannot help and may lock the account."""

    def __init__(self, conn_id: str, user: str, cause: str, code: int | None) -> None:
        self.conn_id = conn_id
        self.user = user
        self.code = code
        advice = _LOGON_ADVICE.get(code or 0, _DEFAULT_LOGON_ADVICE)
        super().__init__(
            f"Oracle refused the logon of user {user!r} through connection {conn_id!r} "
            f"({cause}). Not retried: repeated failed logons lock the account. "
            + advice.format(user=user, conn_id=conn_id)
        )


class SnapshotTooOldError(OracleExtractError, TransientError):
    """ORA-01555: the undo needed to read as of the snapshot was overwritten mid-read."""

    def __init__(self, source: str, conn_id: str, rows: int) -> None:
        self.source = source
        self.conn_id = conn_id
        self.rows = rows
        super().__init__(
            f"ORA-01555 (snapshot too old) reading {source} through connection {conn_id!r} "
            f"after {rows} rows: the database overwrote the undo this read needed. Split the "
            "table into more partitions (each read then finishes sooner), have a DBA raise "
            "UNDO_RETENTION (and the undo tablespace) above the longest read, or run the job "
            "again: a task retry reads at the same SCN and may fail the same way, a new run "
            "reads at a new one."
        )


class ConnectionLostError(OracleExtractError, TransientError):
    """The connection died during a query (server process killed, network cut)."""

    def __init__(self, source: str, conn_id: str, rows: int, cause: str) -> None:
        self.source = source
        self.conn_id = conn_id
        self.rows = rows
        self.cause = cause
        super().__init__(
            f"the connection to Oracle through {conn_id!r} was lost while reading {source} "
            f"after {rows} rows ({cause}). This attempt fails and is safe to retry: a "
            "retry reads again from the start. If it recurs, look for idle or session "
            "timeouts in firewalls and the database's profile, and at the database's alert log."
        )


class ConnectionSetupError(OracleExtractError, ConfigurationError):
    """The connection's TNS alias, tnsnames.ora or wallet files cannot be used: found before
    any connection is tried."""

    def __init__(self, conn_id: str, problem: str) -> None:
        self.conn_id = conn_id
        super().__init__(f"Oracle connection {conn_id!r}: {problem}")


class ConnectionSecurityError(OracleExtractError, AccessError):
    """The TLS handshake failed: an untrusted, expired or mismatched server certificate, a
    client certificate the server wants and did not get, or TCP and TCPS mixed up. Not
    retried: the answer is the same until a certificate, wallet or connection changes."""

    def __init__(self, conn_id: str, problem: str, advice: str, cause: str) -> None:
        self.conn_id = conn_id
        super().__init__(
            f"the TLS connection to Oracle through connection {conn_id!r} failed: {problem}. "
            f"{advice} (driver: {cause})"
        )
