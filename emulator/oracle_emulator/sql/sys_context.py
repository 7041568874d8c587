"""``SYS_CONTEXT(namespace, parameter [, length])``: the session's USERENV parameters and
its application contexts.

It is evaluated when the statement runs (a DuckDB function told the session's SID), not
when it is planned: its arguments may be binds, and the values change between executions
of a cached plan (module and action, the current schema, the edition). The parameters are
those of Oracle's SQL Language Reference, SYS_CONTEXT, "Predefined Parameters of Namespace
USERENV" that the emulator has a value for; a parameter Oracle does not have is ORA-02003,
as on Oracle, and one it has but the emulator cannot know (audit, enterprise users) NULL.
Any other namespace is an application context: NULL unless the session set the attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from oracle_emulator.api import OracleError
from oracle_emulator.sql.session_context import END_TO_END

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

SYS_CONTEXT_FUNCTION = "__emu_sys_context"
USERENV = "USERENV"
ORA_INVALID_USERENV_PARAMETER = 2003
#: Oracle's length limit of a value without the third argument (and its maximum with it)
DEFAULT_LENGTH = 256
MAX_LENGTH = 4000
SERVER_HOST = "emulator"
_CON_ID = "3"  # the first pluggable database of a container database

#: USERENV parameters Oracle documents that have no value here (NULL)
_NULL_PARAMETERS = (
    "CLOUD_SERVICE", "CURRENT_BIND", "CURRENT_SQL1", "CURRENT_SQL2", "CURRENT_SQL3",
    "CURRENT_SQL4", "CURRENT_SQL5", "CURRENT_SQL6", "CURRENT_SQL7", "CURRENT_SQL_LENGTH",
    "DB_SUPPLEMENTAL_LOG_LEVEL", "DRAIN_STATUS", "ENTRYID", "EXTERNAL_NAME", "GLOBAL_UID",
    "IS_DG_ROLLING_UPGRADE", "LDAP_SERVER_TYPE", "ORACLE_HOME", "STATEMENTID",
    "UNIFIED_AUDIT_SESSIONID",
)  # fmt: skip

Getter = Callable[["EmulatorSession"], "str | None"]


def _user_id(session: EmulatorSession, name: str | None) -> str | None:
    user = session.db.catalogue.users.get(name or "")
    return str(user.user_id) if user is not None else None


_USERENV: dict[str, Getter] = {
    "CURRENT_SCHEMA": lambda s: s.schema,
    "CURRENT_SCHEMAID": lambda s: _user_id(s, s.schema),
    "CURRENT_USER": lambda s: s.username,
    "CURRENT_USERID": lambda s: _user_id(s, s.username),
    "SESSION_USER": lambda s: s.username,
    "SESSION_USERID": lambda s: _user_id(s, s.username),
    "AUTHENTICATED_IDENTITY": lambda s: s.context.proxy_user or s.username,
    "AUTHENTICATION_METHOD": lambda _s: "PASSWORD",
    "IDENTIFICATION_TYPE": lambda _s: "LOCAL",
    "PROXY_USER": lambda s: s.context.proxy_user,
    "PROXY_USERID": lambda s: _user_id(s, s.context.proxy_user),
    "CURRENT_EDITION_NAME": lambda s: s.context.edition,
    "SESSION_EDITION_NAME": lambda s: s.context.edition,
    "DB_NAME": lambda s: s.db.db_name,
    "DB_UNIQUE_NAME": lambda s: s.db.db_name,
    "DB_DOMAIN": lambda _s: None,
    "CDB_NAME": lambda s: s.db.db_name,
    "CON_NAME": lambda s: s.db.service_name.split(".")[0].upper(),
    "CON_ID": lambda _s: _CON_ID,
    "SERVICE_NAME": lambda s: s.db.service_name,
    "INSTANCE": lambda _s: "1",
    "INSTANCE_NAME": lambda s: s.db.db_name,
    "DATABASE_ROLE": lambda _s: "PRIMARY",
    "SERVER_HOST": lambda _s: SERVER_HOST,
    "SID": lambda s: str(s.session_id),
    "SESSIONID": lambda s: str(s.session_id),
    "ISDBA": lambda _s: "FALSE",
    "LANG": lambda s: "D" if s.nls.language == "GERMAN" else "US",
    "LANGUAGE": lambda s: f"{s.nls.language}_{s.nls.territory}.AL32UTF8",
    "NLS_TERRITORY": lambda s: s.nls.territory,
    "NLS_CALENDAR": lambda _s: "GREGORIAN",
    "IP_ADDRESS": lambda s: s.context.client.get("IP_ADDRESS"),
    "NETWORK_PROTOCOL": lambda s: s.context.client.get("NETWORK_PROTOCOL"),
    "HOST": lambda s: s.context.client.get("HOST"),
    "TERMINAL": lambda s: s.context.client.get("TERMINAL"),
    "OS_USER": lambda s: s.context.client.get("OS_USER"),
    "CLIENT_PROGRAM_NAME": lambda s: s.context.client.get("CLIENT_PROGRAM_NAME"),
    "ENTERPRISE_IDENTITY": lambda _s: None,
    "POLICY_INVOKER": lambda _s: None,
    "GLOBAL_CONTEXT_MEMORY": lambda _s: "0",
    "BG_JOB_ID": lambda _s: None,
    "FG_JOB_ID": lambda _s: "0",
    "CURRENT_SQL": lambda _s: None,
    "NLS_CURRENCY": lambda s: s.nls.currency,
    "NLS_DATE_FORMAT": lambda s: s.nls.date_format,
    "NLS_DATE_LANGUAGE": lambda s: s.nls.date_language,
    "NLS_SORT": lambda s: s.nls.sort,
    "PLATFORM_SLASH": lambda _s: "/",
    "SCHEDULER_JOB": lambda _s: "N",
    "IS_APPLICATION_ROOT": lambda _s: "NO",
    "IS_APPLICATION_PDB": lambda _s: "NO",
    **{name: (lambda s, key=name: s.context.end_to_end.get(key)) for name in END_TO_END},
    # documented, but nothing the emulator has: an Autonomous Database's workload type,
    # directory, audit and SQL-text parameters
    **{name: (lambda _s: None) for name in _NULL_PARAMETERS},
}
# DBOP is an end-to-end attribute but no USERENV parameter (V$SQL_MONITOR shows it)
_USERENV.pop("DBOP")


def value(
    session: EmulatorSession | None, namespace: str | None, parameter: str | None, length: int
) -> str | None:
    """The value SYS_CONTEXT returns (NULL arguments give NULL, as in Oracle)."""
    if session is None or namespace is None or parameter is None:
        return None
    if namespace.upper() == USERENV:
        getter = _USERENV.get(parameter.upper())
        if getter is None:
            raise OracleError(ORA_INVALID_USERENV_PARAMETER, "invalid USERENV parameter")
        found = getter(session)
    else:
        found = session.context.app_context(namespace, parameter)
    if found is None:
        return None
    return found[: max(1, min(length, MAX_LENGTH))]
