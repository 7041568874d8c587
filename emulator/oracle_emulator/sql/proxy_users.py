"""Proxy authentication: ``ALTER USER client GRANT CONNECT THROUGH proxy``.

A proxy user logs on with its own password and opens a session as the client user
(python-oracledb: ``user="proxy[client]"`` or ``proxy_user=``): USER and SESSION_USER are
the client, ``SYS_CONTEXT('USERENV', 'PROXY_USER')`` the proxy. Oracle allows it only if
the client was altered to ``GRANT CONNECT THROUGH`` the proxy, and refuses the logon with
ORA-28150 otherwise. ALTER USER needs the ALTER USER privilege (administrators here,
ORA-01031 for others); both users must exist (ORA-01918). The grants are kept in the
catalogue with the other privileges, as ``CONNECT THROUGH <proxy>`` held by the client.
Other ALTER USER clauses are accepted and ignored, as before.
"""

from __future__ import annotations

import logging

from oracle_emulator.api import OracleError
from oracle_emulator.sql import privileges
from oracle_emulator.sql.catalogue import Catalogue
from oracle_emulator.sql.ddltokens import TokenStream
from oracle_emulator.sql.errors import ORA_USER_NOT_FOUND

log = logging.getLogger(__name__)

ORA_PROXY_NOT_AUTHORIZED = 28150
_THROUGH = "CONNECT THROUGH "


def alter_user(catalogue: Catalogue, user: str, stream: TokenStream) -> None:
    """``ALTER USER name ...``, after ALTER USER."""
    client = stream.name()
    grant = stream.accept_word("GRANT")
    if not grant and not stream.accept_word("REVOKE"):
        log.info("ALTER USER accepted and ignored: %s", stream.text)
        return
    stream.expect_word("CONNECT")
    stream.expect_word("THROUGH")
    proxy = stream.name()
    stream.accept_words("AUTHENTICATION", "REQUIRED")
    if not privileges.is_administrator(catalogue, user):
        raise OracleError(privileges.ORA_INSUFFICIENT_PRIVILEGES, "insufficient privileges")
    for name in (client, proxy):
        if name not in catalogue.users:
            raise OracleError(ORA_USER_NOT_FOUND, f"user '{name}' does not exist")
    with catalogue.lock:
        held = catalogue.grants.setdefault(client, set())
        if grant:
            held.add(_THROUGH + proxy)
        else:
            held.discard(_THROUGH + proxy)


def authorize_proxy(catalogue: Catalogue, proxy: str, client: str) -> None:
    """Whether ``proxy`` may open a session as ``client``: ORA-28150 if not."""
    if _THROUGH + proxy not in catalogue.grants.get(client, set()):
        raise OracleError(ORA_PROXY_NOT_AUTHORIZED, "proxy not authorized to connect as client")


def forget_proxy(catalogue: Catalogue, proxy: str) -> None:
    """A dropped user connects through nobody any more (a new user of that name neither)."""
    with catalogue.lock:
        for held in catalogue.grants.values():
            held.discard(_THROUGH + proxy)
