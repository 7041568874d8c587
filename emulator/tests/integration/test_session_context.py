"""SYS_CONTEXT and the session attributes a client sets without statements of its own: the
end-to-end attributes (module, action, client info, client identifier), application
contexts, and the current schema the driver learns back; through the real driver."""

from __future__ import annotations

from collections.abc import Callable

import oracledb
import pytest

Connect = Callable[..., oracledb.Connection]
ORA_INVALID_USERENV_PARAMETER = 2003
ORA_INVALID_NAMESPACE = 28267
USERENV_SQL = "SELECT SYS_CONTEXT('USERENV', :name) FROM DUAL"


def _userenv(connection: oracledb.Connection, name: str) -> str | None:
    with connection.cursor() as cursor:
        return cursor.execute(USERENV_SQL, name=name).fetchone()[0]


def _code(caught: pytest.ExceptionInfo[oracledb.DatabaseError]) -> int:
    return caught.value.args[0].code


def test_userenv_parameters_describe_the_session(connection: oracledb.Connection) -> None:
    assert _userenv(connection, "SESSION_USER") == "DEMO"
    assert _userenv(connection, "current_user") == "DEMO"
    assert _userenv(connection, "CURRENT_SCHEMA") == "DEMO"
    assert _userenv(connection, "PROXY_USER") is None
    assert _userenv(connection, "SID") == str(connection.session_id)
    assert _userenv(connection, "DB_UNIQUE_NAME") == connection.db_unique_name
    assert _userenv(connection, "DB_NAME") == connection.db_name
    assert _userenv(connection, "SERVICE_NAME") == connection.service_name
    assert _userenv(connection, "INSTANCE_NAME") == connection.instance_name
    assert _userenv(connection, "CURRENT_EDITION_NAME") == "ORA$BASE"
    assert _userenv(connection, "CLOUD_SERVICE") is None  # not an Autonomous Database


def test_the_client_is_what_the_driver_said_at_logon(connection: oracledb.Connection) -> None:
    host = _userenv(connection, "HOST")
    os_user = _userenv(connection, "OS_USER")
    assert host and os_user
    assert host == oracledb.defaults.machine
    assert os_user == oracledb.defaults.osuser


def test_unknown_userenv_parameter_is_ora_02003(connection: oracledb.Connection) -> None:
    with pytest.raises(oracledb.DatabaseError) as caught:
        _userenv(connection, "NO_SUCH_PARAMETER")
    assert _code(caught) == ORA_INVALID_USERENV_PARAMETER


def test_length_argument_truncates(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        sql = "SELECT SYS_CONTEXT('USERENV', 'SESSION_USER', 2) FROM DUAL"
        assert cursor.execute(sql).fetchone() == ("DE",)


def test_end_to_end_attributes_follow_each_change(connection: oracledb.Connection) -> None:
    sql = (
        "SELECT SYS_CONTEXT('USERENV', 'MODULE'), SYS_CONTEXT('USERENV', 'ACTION'), "
        "SYS_CONTEXT('USERENV', 'CLIENT_INFO'), SYS_CONTEXT('USERENV', 'CLIENT_IDENTIFIER') "
        "FROM DUAL"
    )
    connection.module = "billing"
    connection.action = "invoice"
    connection.clientinfo = "batch 7"
    connection.client_identifier = "alice"
    with connection.cursor() as cursor:
        assert cursor.execute(sql).fetchone() == ("billing", "invoice", "batch 7", "alice")
        connection.action = "refund"  # the same statement again: the new value
        assert cursor.execute(sql).fetchone() == ("billing", "refund", "batch 7", "alice")
        connection.module = "audit"  # setting the module clears the action, as on Oracle
        connection.client_identifier = None
        assert cursor.execute(sql).fetchone() == ("audit", None, "batch 7", None)


def test_application_context_at_logon_and_set_and_cleared(oracle_connect: Connect) -> None:
    connection = oracle_connect(appcontext=[("CLIENTCONTEXT", "COLOUR", "blue")])
    sql = "SELECT SYS_CONTEXT(:ns, 'COLOUR'), SYS_CONTEXT(:ns, 'SIZE') FROM DUAL"
    with connection.cursor() as cursor:
        assert cursor.execute(sql, ns="CLIENTCONTEXT").fetchone() == ("blue", None)
        connection.set_app_context("CLIENTCONTEXT", SIZE="large")
        assert cursor.execute(sql, ns="clientcontext").fetchone() == ("blue", "large")
        connection.clear_app_context("CLIENTCONTEXT")
        assert cursor.execute(sql, ns="CLIENTCONTEXT").fetchone() == (None, None)


def test_application_context_of_another_namespace_is_ora_28267(
    connection: oracledb.Connection, oracle_connect: Connect
) -> None:
    connection.set_app_context("NOT_A_CLIENT_NAMESPACE", attr="value")
    with pytest.raises(oracledb.DatabaseError) as caught:
        connection.ping()
    assert _code(caught) == ORA_INVALID_NAMESPACE
    connection.ping()  # the session goes on
    with pytest.raises(oracledb.DatabaseError) as caught:
        oracle_connect(appcontext=[("NOT_A_CLIENT_NAMESPACE", "A", "B")])
    assert _code(caught) == ORA_INVALID_NAMESPACE


def test_current_schema_is_returned_to_the_driver(connection: oracledb.Connection) -> None:
    assert connection.current_schema is None  # nothing changed yet: nothing sent
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET CURRENT_SCHEMA = SCOTT")
        assert connection.current_schema == "SCOTT"
        connection.current_schema = "DEMO"
        assert _userenv(connection, "CURRENT_SCHEMA") == "DEMO"
        assert cursor.execute("SELECT USER FROM DUAL").fetchone() == ("DEMO",)
