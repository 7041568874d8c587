"""The privileges the emulator enforces: reading V$DATABASE, as Oracle guards it, ALTER
SYSTEM (:mod:`.alter_system`) and USE on editions (:mod:`.editions`).

Every user reads every schema here (see the README's known limits). V$DATABASE is the
exception because the provider's consistent snapshots read its CURRENT_SCN, and turn the
refusal into an error naming the grant (``SnapshotPrivilegeError``), which must be testable
here. Oracle answers ORA-00942, as if the view did not exist, to a user holding none of:

- SELECT on ``SYS.V_$DATABASE`` (the view behind the public synonym V$DATABASE);
- the system privilege SELECT ANY DICTIONARY;
- a role that includes either (SELECT_CATALOG_ROLE, DBA).

SYS and SYSTEM hold them all. GRANT and REVOKE of these, of ALTER SYSTEM and of USE ON
EDITION are recorded in the catalogue (given by SYS, SYSTEM or a DBA; anyone else gets
ORA-01031); other GRANT and REVOKE statements are
accepted and ignored, as before. ``SYS.V_$DATABASE`` itself is readable under that name too,
and without the ``SYS.`` only by SYS (no public synonym has that name).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from oracle_emulator.api import OracleError
from oracle_emulator.sql.catalogue import PUBLIC, SYS, Catalogue
from oracle_emulator.sql.ddltokens import TokenStream
from oracle_emulator.sql.errors import table_not_found

log = logging.getLogger(__name__)

DATABASE_VIEW = "V_$DATABASE"
#: public names guarded -> the SYS view whose SELECT privilege guards them
GUARDED = {"V$DATABASE": DATABASE_VIEW, DATABASE_VIEW: DATABASE_VIEW}
#: names that exist only in SYS's schema (no public synonym)
SYS_ONLY = frozenset({DATABASE_VIEW})
SELECT_ANY_DICTIONARY = "SELECT ANY DICTIONARY"
DBA_ROLE = "DBA"
CATALOG_ROLE = "SELECT_CATALOG_ROLE"
#: what reading any guarded view is allowed by, besides the view's own object privilege
DICTIONARY_READERS = frozenset({SELECT_ANY_DICTIONARY, DBA_ROLE, CATALOG_ROLE})
ROLES = frozenset({DBA_ROLE, CATALOG_ROLE})
#: system privileges recorded besides the dictionary's (ALTER SYSTEM KILL SESSION needs it)
ALTER_SYSTEM = "ALTER SYSTEM"
RECORDED = DICTIONARY_READERS | {ALTER_SYSTEM}
#: object privileges that let a user query a view (READ since Oracle 12c)
_READING = frozenset({"SELECT", "READ", "ALL", "ALL PRIVILEGES"})
ADMINISTRATORS = frozenset({SYS, "SYSTEM"})

EDITION_PRIVILEGE = "USE ON EDITION "
ORA_INSUFFICIENT_PRIVILEGES = 1031
ORA_EDITION_NOT_FOUND = 38802
ORA_NO_SUCH_GRANTEE = 1917
ORA_NOT_GRANTED_BY_YOU = 1927
ORA_ROLE_NOT_GRANTED = 1951
ORA_SYSTEM_PRIVILEGE_NOT_GRANTED = 1952
ORA_ONLY_FIXED_VIEWS = 2030


def edition_privilege(edition: str) -> str:
    """The catalogue's name for USE on an edition (see :mod:`.editions`)."""
    return f"{EDITION_PRIVILEGE}{edition}"


def object_privilege(view: str) -> str:
    """The catalogue's name for SELECT on a SYS view."""
    return f"SELECT ON {SYS}.{view}"


SCN_PRIVILEGE = object_privilege(DATABASE_VIEW)


def may_read(catalogue: Catalogue, user: str, name: str, owner: str | None) -> bool:
    """Whether ``user`` sees the dictionary relation ``name`` (written ``owner.name`` when
    ``owner`` is given); False means ORA-00942."""
    if name in SYS_ONLY and owner != SYS and user != SYS:
        return False
    view = GUARDED.get(name)
    if view is None or user in ADMINISTRATORS:
        return True
    held = catalogue.grants.get(user, set()) | catalogue.grants.get(PUBLIC, set())
    return object_privilege(view) in held or not held.isdisjoint(DICTIONARY_READERS)


@dataclass(frozen=True)
class GrantStatement:
    """A parsed GRANT or REVOKE: only the privileges the emulator records."""

    revoke: bool
    privileges: tuple[str, ...]
    grantees: tuple[str, ...]


def parse_grant(stream: TokenStream, revoke: bool, grantor: str) -> GrantStatement:
    """``GRANT priv[, priv] [ON [owner.]object] TO grantee[, ...] [WITH ... OPTION]`` (and
    REVOKE ... FROM ...), after the verb; privileges the emulator does not record are
    dropped from the result."""
    words: list[list[str]] = [[]]
    while not stream.done and not stream.at_word("ON", "TO", "FROM"):
        if stream.accept_punct(","):
            words.append([])
        else:
            words[-1].append(stream.next().value)
    named = [" ".join(parts) for parts in words if parts]
    target = edition = None
    if stream.accept_words("ON", "EDITION"):
        edition = stream.name()
    elif stream.accept_word("ON"):
        target = _target(stream, grantor)
    stream.expect_word("FROM" if revoke else "TO")
    grantees = [stream.name()]
    while stream.accept_punct(","):
        grantees.append(stream.name())
    if edition is not None:
        recorded = [edition_privilege(edition)] if "USE" in named else []
    elif target is not None:
        reads = not _READING.isdisjoint(named)
        recorded = [object_privilege(target)] if reads else []
    else:
        recorded = [p for p in named if p in RECORDED]
    return GrantStatement(revoke, tuple(recorded), tuple(grantees))


def _target(stream: TokenStream, grantor: str) -> str | None:
    """The guarded SYS view a GRANT ... ON names, None for any other object."""
    owner, name = stream.qualified_name()
    if name in GUARDED and name not in SYS_ONLY:
        raise OracleError(ORA_ONLY_FIXED_VIEWS, "can only select from fixed tables/views")
    if name not in SYS_ONLY:
        return None
    if (owner or grantor) != SYS:  # looked up in another schema, where it does not exist
        raise table_not_found()
    return name


def apply_grant(catalogue: Catalogue, grantor: str, statement: GrantStatement) -> None:
    """Record (or remove) the statement's privileges; raises what Oracle would."""
    if not statement.privileges:
        log.info("GRANT/REVOKE of privileges the emulator does not enforce: ignored")
        return
    if not is_administrator(catalogue, grantor):
        raise OracleError(ORA_INSUFFICIENT_PRIVILEGES, "insufficient privileges")
    with catalogue.lock:
        for grantee in statement.grantees:
            if grantee != PUBLIC and grantee not in catalogue.users:
                raise OracleError(ORA_NO_SUCH_GRANTEE, f"user or role '{grantee}' does not exist")
        for privilege in statement.privileges:
            edition = privilege.removeprefix(EDITION_PRIVILEGE)
            if edition != privilege and edition not in catalogue.editions:
                raise OracleError(ORA_EDITION_NOT_FOUND, "edition does not exist")
        for grantee in statement.grantees:
            held = catalogue.grants.setdefault(grantee, set())
            for privilege in statement.privileges:
                if not statement.revoke:
                    held.add(privilege)
                elif privilege in held:
                    held.remove(privilege)
                else:
                    raise _not_granted(privilege, grantee)


def grant(catalogue: Catalogue, grantee: str, privilege: str) -> None:
    """Give a user a privilege, as a DBA's GRANT would (users provisioned at start)."""
    with catalogue.lock:
        catalogue.grants.setdefault(grantee, set()).add(privilege)


def is_administrator(catalogue: Catalogue, user: str) -> bool:
    return user in ADMINISTRATORS or DBA_ROLE in catalogue.grants.get(user, set())


def _not_granted(privilege: str, grantee: str) -> OracleError:
    if privilege in ROLES:
        return OracleError(ORA_ROLE_NOT_GRANTED, f"ROLE '{privilege}' not granted to '{grantee}'")
    if privilege in (SELECT_ANY_DICTIONARY, ALTER_SYSTEM):
        return OracleError(
            ORA_SYSTEM_PRIVILEGE_NOT_GRANTED, f"system privileges not granted to '{grantee}'"
        )
    return OracleError(ORA_NOT_GRANTED_BY_YOU, "cannot REVOKE privileges you did not grant")
