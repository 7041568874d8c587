"""What a session knows about itself beyond its user and schema: who opened it through a
proxy, its edition, what the client said about itself, its client application contexts,
and whether an administrator killed it.

The client sets most of it without a statement of its own: the logon carries the client's
machine, program and OS user, an edition and application context entries; later calls carry
end-to-end attributes (module, action, client info, client identifier, DBOP) and
application context changes as piggybacks. ``SYS_CONTEXT`` (:mod:`.sys_context`) reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from oracle_emulator.api import OracleError
from oracle_emulator.sql.catalogue import BASE_EDITION

#: the namespace a client may set itself (Oracle's CLIENTCONTEXT, "a client namespace"):
#: any other needs CREATE CONTEXT ... ACCESSED GLOBALLY or INITIALIZED EXTERNALLY, which
#: the emulator has not
CLIENT_NAMESPACE = "CLIENTCONTEXT"
ORA_INVALID_NAMESPACE = 28267
#: end-to-end attributes the driver sends, by the name SYS_CONTEXT('USERENV', ...) uses
END_TO_END = ("MODULE", "ACTION", "CLIENT_INFO", "CLIENT_IDENTIFIER", "DBOP")


def invalid_namespace() -> OracleError:
    return OracleError(ORA_INVALID_NAMESPACE, "Invalid NameSpace Value")


@dataclass
class SessionContext:
    """One session's attributes (the session's own thread writes them; ``killed`` is set
    from an administrator's)."""

    #: the user who authenticated and opened the session for SESSION_USER, or None
    proxy_user: str | None = None
    edition: str = BASE_EDITION
    #: from the logon: HOST, TERMINAL, OS_USER, CLIENT_PROGRAM_NAME
    client: dict[str, str] = field(default_factory=dict)
    #: end-to-end attributes: MODULE, ACTION, CLIENT_INFO, CLIENT_IDENTIFIER, DBOP
    end_to_end: dict[str, str] = field(default_factory=dict)
    #: application contexts: namespace -> attribute -> value (all upper case but values)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ALTER SYSTEM KILL SESSION marked it: its next call fails with ORA-00028
    killed: bool = False

    def set_end_to_end(self, name: str, value: str | None) -> None:
        """A changed attribute; None or an empty string clears it."""
        if value:
            self.end_to_end[name] = value
        else:
            self.end_to_end.pop(name, None)

    def set_app_context(self, namespace: str, entries: Iterable[tuple[str, str]]) -> None:
        """Set attributes of a client namespace (ORA-28267 for any other namespace)."""
        values = self._namespace(namespace)
        for attribute, value in entries:
            values[attribute.upper()] = value

    def clear_app_context(self, namespace: str) -> None:
        self._namespace(namespace).clear()

    def app_context(self, namespace: str, attribute: str) -> str | None:
        return self.namespaces.get(namespace.upper(), {}).get(attribute.upper())

    def _namespace(self, namespace: str) -> dict[str, str]:
        name = namespace.upper()
        if name != CLIENT_NAMESPACE:
            raise invalid_namespace()
        return self.namespaces.setdefault(name, {})
