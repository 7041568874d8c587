"""Editions: CREATE EDITION, DROP EDITION, GRANT USE ON EDITION, and the session's edition.

The emulator keeps no editioned objects (every object is the same in every edition), but a
session names its edition at logon (python-oracledb's ``edition``) or with ``ALTER SESSION
SET EDITION``, reads it back with ``SYS_CONTEXT('USERENV', 'CURRENT_EDITION_NAME')``, and
the driver's ``connection.edition`` follows it. As on Oracle, an edition must exist and the
user must be allowed to use it: ORA$BASE (the database default edition) is everyone's;
another needs ``GRANT USE ON EDITION`` to the user or PUBLIC (administrators use all);
anything else is ORA-38802 "edition does not exist". Creating and dropping editions needs
CREATE/DROP ANY EDITION, which administrators hold (ORA-01031 otherwise).
"""

from __future__ import annotations

from oracle_emulator.api import OracleError
from oracle_emulator.sql import privileges
from oracle_emulator.sql.catalogue import BASE_EDITION, PUBLIC, Catalogue
from oracle_emulator.sql.ddltokens import TokenStream
from oracle_emulator.sql.errors import name_in_use

ORA_EDITION_IN_USE = 38805
use_privilege = privileges.edition_privilege


def not_found() -> OracleError:
    return OracleError(privileges.ORA_EDITION_NOT_FOUND, "edition does not exist")


def usable_edition(catalogue: Catalogue, user: str, name: str) -> str:
    """``name`` (as Oracle stores names), if ``user`` may use that edition; ORA-38802 if
    not."""
    if name not in catalogue.editions:
        raise not_found()
    if name == BASE_EDITION or privileges.is_administrator(catalogue, user):
        return name
    held = catalogue.grants.get(user, set()) | catalogue.grants.get(PUBLIC, set())
    if use_privilege(name) not in held:
        raise not_found()
    return name


def create_edition(catalogue: Catalogue, user: str, stream: TokenStream) -> None:
    """``CREATE EDITION name [AS CHILD OF parent]``, after CREATE EDITION."""
    _require_administrator(catalogue, user)
    name = stream.name()
    if stream.accept_word("AS"):
        stream.expect_word("CHILD")
        stream.expect_word("OF")
        if stream.name() not in catalogue.editions:
            raise not_found()
    with catalogue.lock:
        if name in catalogue.editions:
            raise name_in_use()
        catalogue.editions.add(name)


def drop_edition(catalogue: Catalogue, user: str, stream: TokenStream) -> None:
    """``DROP EDITION name [CASCADE]``, after DROP EDITION."""
    _require_administrator(catalogue, user)
    name = stream.name()
    stream.accept_word("CASCADE")
    with catalogue.lock:
        if name not in catalogue.editions:
            raise not_found()
        if name == BASE_EDITION:  # the database default edition
            raise OracleError(ORA_EDITION_IN_USE, "edition is in use")
        catalogue.editions.discard(name)
        for held in catalogue.grants.values():
            held.discard(use_privilege(name))


def _require_administrator(catalogue: Catalogue, user: str) -> None:
    if not privileges.is_administrator(catalogue, user):
        raise OracleError(privileges.ORA_INSUFFICIENT_PRIVILEGES, "insufficient privileges")
