"""DDL: CREATE TABLE AS SELECT, views, sequences, identity columns, quoted identifiers,
DROP/TRUNCATE and ALTER TABLE ADD."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from oracle_emulator.api import OracleError, OracleType
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    session = db.open_session("DEMO")
    session.execute(
        "CREATE TABLE src (id NUMBER(6) PRIMARY KEY, name VARCHAR2(20) NOT NULL, price NUMBER(8,2))"
    )
    session.execute("INSERT INTO src VALUES (1, 'one', 1.5)")
    session.execute("INSERT INTO src VALUES (2, 'two', 2.25)")
    session.commit()
    yield session
    db.close()


def rows(
    session: EmulatorSession, sql: str, binds: list[object] | None = None
) -> list[tuple[object, ...]]:
    session.db.fast_path_enabled = False
    try:
        result = session.execute(sql, binds or []).query
    finally:
        session.db.fast_path_enabled = True
    assert result is not None and result.rows is not None
    return list(result.rows)


def test_create_table_as_select_keeps_declared_types(session: EmulatorSession) -> None:
    session.execute("CREATE TABLE copy AS SELECT id, name, price FROM src WHERE id > 1")
    described = session.describe("SELECT * FROM copy")
    assert [(c.name, c.type, c.precision, c.scale, c.size) for c in described] == [
        ("ID", OracleType.NUMBER, 6, 0, 0),
        ("NAME", OracleType.VARCHAR2, 0, 0, 20),
        ("PRICE", OracleType.NUMBER, 8, 2, 0),
    ]
    assert rows(session, "SELECT * FROM copy") == [(2, "two", Decimal("2.25"))]


def test_views_read_with_the_callers_snapshot(session: EmulatorSession) -> None:
    session.execute("CREATE VIEW cheap (item, cost) AS SELECT name, price FROM src WHERE price < 2")
    session.execute("INSERT INTO src VALUES (3, 'three', 0.5)")
    assert rows(session, "SELECT item, cost FROM cheap ORDER BY cost") == [
        ("three", Decimal("0.50")),
        ("one", Decimal("1.50")),
    ]
    other = session.db.open_session("DEMO")
    assert rows(other, "SELECT item FROM cheap") == [("one",)]
    session.execute("CREATE OR REPLACE VIEW cheap AS SELECT name FROM src")
    assert len(rows(session, "SELECT * FROM cheap")) == 3
    session.execute("DROP VIEW cheap")
    with pytest.raises(OracleError) as error:
        session.execute("SELECT * FROM cheap")
    assert error.value.code == 942


def test_sequences_nextval_and_currval(session: EmulatorSession) -> None:
    session.execute("CREATE SEQUENCE s START WITH 100 INCREMENT BY 10")
    with pytest.raises(OracleError) as error:
        session.execute("SELECT s.CURRVAL FROM dual")
    assert error.value.code == 8002
    assert rows(session, "SELECT s.NEXTVAL FROM dual") == [(100,)]
    session.execute("INSERT INTO src (id, name) SELECT s.NEXTVAL, name FROM src")
    assert rows(session, "SELECT id FROM src WHERE id >= 100 ORDER BY id") == [(110,), (120,)]
    assert rows(session, "SELECT s.CURRVAL FROM dual") == [(120,)]


def test_identity_column_fills_itself(session: EmulatorSession) -> None:
    session.execute("CREATE TABLE ident (id NUMBER GENERATED ALWAYS AS IDENTITY, v VARCHAR2(5))")
    session.execute("INSERT INTO ident (v) VALUES ('a')")
    session.execute("INSERT INTO ident (v) VALUES ('b')")
    assert rows(session, "SELECT id, v FROM ident ORDER BY id") == [
        (Decimal(1), "a"),
        (Decimal(2), "b"),
    ]
    identity = rows(
        session, "SELECT column_name FROM user_tab_identity_cols WHERE table_name = 'IDENT'"
    )
    assert identity == [("ID",)]


def test_quoted_mixed_case_identifiers(session: EmulatorSession) -> None:
    session.execute(
        'CREATE TABLE "MixedCase" ("Key" NUMBER(5) PRIMARY KEY, "lower" VARCHAR2(5), plain NUMBER)'
    )
    session.execute('INSERT INTO "MixedCase" ("Key", "lower", plain) VALUES (1, \'x\', 2)')
    result = session.execute('SELECT "Key", "lower", plain FROM "MixedCase"').query
    assert result is not None
    assert [c.name for c in result.columns] == ["Key", "lower", "PLAIN"]
    names = rows(session, "SELECT table_name FROM user_tables WHERE table_name = 'MixedCase'")
    assert names == [("MixedCase",)]
    with pytest.raises(OracleError) as error:
        session.execute("SELECT * FROM mixedcase")
    assert error.value.code == 942


def test_truncate_and_drop(session: EmulatorSession) -> None:
    before = session.db.current_scn
    session.execute("TRUNCATE TABLE src")
    assert rows(session, "SELECT count(*) FROM src") == [(0,)]
    with pytest.raises(OracleError) as old:
        session.execute("SELECT * FROM src AS OF SCN :1", [before])
    assert old.value.code == 1466
    session.execute("DROP TABLE src PURGE")
    with pytest.raises(OracleError) as gone:
        session.execute("SELECT * FROM src")
    assert gone.value.code == 942
    session.execute("CREATE TABLE src (x NUMBER(1))")
    assert rows(session, "SELECT count(*) FROM src") == [(0,)]


def test_alter_table_add_column_with_default(session: EmulatorSession) -> None:
    session.execute("ALTER TABLE src ADD (flag CHAR(1) DEFAULT 'N' NOT NULL, note VARCHAR2(10))")
    assert rows(session, "SELECT id, flag, note FROM src ORDER BY id") == [
        (1, "N", None),
        (2, "N", None),
    ]
    session.execute("INSERT INTO src (id, name) VALUES (3, 'three')")
    assert rows(session, "SELECT flag FROM src WHERE id = 3") == [("N",)]


def test_create_user_grant_and_name_clash(session: EmulatorSession) -> None:
    session.execute("CREATE USER scott IDENTIFIED BY tiger")
    session.execute("GRANT CONNECT, RESOURCE TO scott")
    assert session.db.authenticate("scott") == "tiger"
    with pytest.raises(OracleError) as clash:
        session.execute("CREATE TABLE src (x NUMBER)")
    assert clash.value.code == 955
    other = session.db.open_session("SCOTT")
    other.execute("CREATE TABLE src (x NUMBER)")
    assert rows(other, "SELECT count(*) FROM src") == [(0,)]
    assert rows(other, "SELECT count(*) FROM demo.src") == [(2,)]


def test_negative_scale_and_oversized_precision(session: EmulatorSession) -> None:
    session.execute("CREATE TABLE nums (hundreds NUMBER(4,-2), small NUMBER(2,1))")
    session.execute("INSERT INTO nums (hundreds) VALUES (123456)")
    assert rows(session, "SELECT hundreds FROM nums") == [(123500,)]
    with pytest.raises(OracleError) as error:
        session.execute("INSERT INTO nums (small) VALUES (123)")
    assert error.value.code == 1438


def test_unique_index_is_enforced(session: EmulatorSession) -> None:
    session.execute("CREATE UNIQUE INDEX src_name_ux ON src (name)")
    with pytest.raises(OracleError) as error:
        session.execute("INSERT INTO src (id, name) VALUES (9, 'one')")
    assert error.value.code == 1 and "DEMO.SRC_NAME_UX" in error.value.message
