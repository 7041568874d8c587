"""Password changes through the real driver: ``connection.changepassword()`` on an open
session and ``newpassword`` at logon, with Oracle's errors for a wrong old password
(ORA-28008) and an invalid new one (ORA-00988)."""

from __future__ import annotations

from collections.abc import Callable

import oracledb
import pytest

Connect = Callable[..., oracledb.Connection]
ORA_INVALID_PASSWORD = 988
ORA_LOGON_DENIED = 1017
ORA_INVALID_OLD_PASSWORD = 28008


def _logon_code(connect: Connect, **kwargs: str) -> int:
    with pytest.raises(oracledb.DatabaseError) as caught:
        connect(**kwargs)
    return caught.value.args[0].code


def test_changepassword_on_an_open_session(
    oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    name = new_user("first")
    connection = oracle_connect(user=name, password="first")
    connection.changepassword("first", "second/@x")
    assert _logon_code(oracle_connect, user=name, password="first") == ORA_LOGON_DENIED
    with oracle_connect(user=name, password="second/@x").cursor() as cursor:
        assert cursor.execute("SELECT USER FROM DUAL").fetchone() == (name,)
    with connection.cursor() as cursor:  # the session that changed it goes on
        assert cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)


def test_newpassword_at_logon(oracle_connect: Connect, new_user: Callable[[str], str]) -> None:
    name = new_user("first")
    with oracle_connect(user=name, password="first", newpassword="second").cursor() as cursor:
        assert cursor.execute("SELECT USER FROM DUAL").fetchone() == (name,)
    assert _logon_code(oracle_connect, user=name, password="first") == ORA_LOGON_DENIED
    oracle_connect(user=name, password="second").close()


def test_wrong_old_password_or_invalid_new_one(
    oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    name = new_user("first")
    connection = oracle_connect(user=name, password="first")
    with pytest.raises(oracledb.DatabaseError) as caught:
        connection.changepassword("wrong", "second")
    assert caught.value.args[0].code == ORA_INVALID_OLD_PASSWORD
    with pytest.raises(oracledb.DatabaseError) as caught:
        connection.changepassword("first", "1" * 1025)  # Oracle's limit is 1024 bytes
    assert caught.value.args[0].code == ORA_INVALID_PASSWORD
    oracle_connect(user=name, password="first").close()  # unchanged


def test_refused_newpassword_at_logon_changes_nothing(
    oracle_connect: Connect, new_user: Callable[[str], str]
) -> None:
    name = new_user("first")
    code = _logon_code(oracle_connect, user=name, password="first", newpassword="1" * 1025)
    assert code == ORA_INVALID_PASSWORD
    oracle_connect(user=name, password="first").close()
