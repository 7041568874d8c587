"""Opening a session as a logon asks: through a proxy, in an edition, with application
contexts and what the client said about itself.

The checks are Oracle's, in the order a refused logon shows: a proxy must have been granted
``CONNECT THROUGH`` by the client user (ORA-28150, see :mod:`.proxy_users`), the edition
must exist and be usable (ORA-38802, :mod:`.editions`), and application context entries
may only set a client namespace (ORA-28267, :mod:`.session_context`). A refused logon opens
no session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oracle_emulator.api import ORA_LOGON_DENIED, LogonRequest, OracleError
from oracle_emulator.sql import editions, proxy_users

if TYPE_CHECKING:
    from oracle_emulator.sql.engine import EmulatorDatabase
    from oracle_emulator.sql.session import EmulatorSession


def start_session(db: EmulatorDatabase, request: LogonRequest) -> EmulatorSession:
    catalogue = db.catalogue
    user = request.user
    proxy = None
    if request.client_user is not None:
        if request.client_user not in catalogue.users:
            raise OracleError(ORA_LOGON_DENIED, "invalid username/password; logon denied")
        proxy_users.authorize_proxy(catalogue, user, request.client_user)
        proxy, user = user, request.client_user
    edition = None
    if request.edition is not None:
        edition = editions.usable_edition(catalogue, user, request.edition)
    session = db.open_session(user)
    try:
        context = session.context
        context.proxy_user = proxy
        context.client = dict(request.client)
        if edition is not None:
            context.edition = edition
        for namespace, attribute, value in request.app_context:
            context.set_app_context(namespace, [(attribute, value)])
    except BaseException:
        session.close()
        raise
    return session
