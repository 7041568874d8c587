"""Data dictionary and V$ views built from the catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession

SCHEMA = """
CREATE TABLE parent (
    id NUMBER(10) NOT NULL,
    code VARCHAR2(10 CHAR),
    CONSTRAINT parent_pk PRIMARY KEY (id),
    CONSTRAINT parent_code_uk UNIQUE (code)
);
CREATE TABLE child (
    id NUMBER(10) PRIMARY KEY,
    parent_id NUMBER(10) NOT NULL,
    amount NUMBER(12,2) DEFAULT 0,
    happened TIMESTAMP(6) WITH TIME ZONE,
    span INTERVAL DAY(2) TO SECOND(6),
    note NVARCHAR2(30),
    CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id),
    CONSTRAINT child_amount_ck CHECK (amount >= 0)
);
COMMENT ON TABLE child IS 'Children of parents';
COMMENT ON COLUMN child.amount IS 'In EUR';
CREATE INDEX child_parent_ix ON child (parent_id);
CREATE SEQUENCE child_seq START WITH 10 INCREMENT BY 5;
INSERT INTO parent VALUES (1, 'a');
INSERT INTO parent VALUES (2, 'b');
INSERT INTO child (id, parent_id) VALUES (1, 1);
COMMIT;
"""


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    db.execute_script(SCHEMA, "DEMO")
    session = db.open_session("DEMO")
    yield session
    db.close()


def rows(session: EmulatorSession, sql: str) -> list[tuple[object, ...]]:
    result = session.execute(sql).query
    assert result is not None and result.rows is not None
    return list(result.rows)


def test_all_tables_counts_committed_rows(session: EmulatorSession) -> None:
    got = rows(
        session,
        "SELECT table_name, num_rows, partitioned, temporary, iot_type FROM all_tables WHERE "
        "owner = 'DEMO' ORDER BY table_name",
    )
    assert got == [("CHILD", 1, "NO", "N", None), ("PARENT", 2, "NO", "N", None)]
    session.execute("INSERT INTO parent VALUES (3, 'c')")
    assert rows(session, "SELECT num_rows FROM user_tables WHERE table_name = 'PARENT'") == [(2,)]
    session.commit()
    assert rows(session, "SELECT num_rows FROM user_tables WHERE table_name = 'PARENT'") == [(3,)]


def test_tab_columns_in_order_with_oracle_types(session: EmulatorSession) -> None:
    got = rows(
        session,
        "SELECT column_name, data_type, data_length, data_precision, data_scale, nullable, "
        "column_id, char_length, char_used, data_default FROM all_tab_columns "
        "WHERE owner = 'DEMO' AND table_name = 'CHILD' ORDER BY column_id",
    )
    assert got == [
        ("ID", "NUMBER", 22, 10, 0, "N", 1, 0, None, None),
        ("PARENT_ID", "NUMBER", 22, 10, 0, "N", 2, 0, None, None),
        ("AMOUNT", "NUMBER", 22, 12, 2, "Y", 3, 0, None, "0"),
        ("HAPPENED", "TIMESTAMP(6) WITH TIME ZONE", 13, None, 6, "Y", 4, 0, None, None),
        ("SPAN", "INTERVAL DAY(2) TO SECOND(6)", 11, 2, 6, "Y", 5, 0, None, None),
        ("NOTE", "NVARCHAR2", 60, None, None, "Y", 6, 30, "C", None),
    ]
    code = rows(
        session,
        "SELECT data_length, char_length, char_used FROM user_tab_cols WHERE table_name = "
        "'PARENT' AND column_name = 'CODE'",
    )
    assert code == [(40, 10, "C")]


def test_constraints_and_their_columns(session: EmulatorSession) -> None:
    got = rows(
        session,
        "SELECT constraint_name, constraint_type, r_owner, r_constraint_name, status "
        "FROM all_constraints WHERE owner = 'DEMO' AND table_name = 'CHILD' "
        "AND generated = 'USER NAME' ORDER BY constraint_name",
    )
    assert got == [
        ("CHILD_AMOUNT_CK", "C", None, None, "ENABLED"),
        ("CHILD_PARENT_FK", "R", "DEMO", "PARENT_PK", "ENABLED"),
    ]
    primary = rows(
        session,
        "SELECT c.constraint_type, cc.column_name, cc.position FROM user_constraints c JOIN "
        "user_cons_columns cc ON cc.constraint_name = c.constraint_name WHERE c.table_name = "
        "'PARENT' AND c.constraint_type IN ('P', 'U') ORDER BY 1",
    )
    assert primary == [("P", "ID", 1), ("U", "CODE", 1)]
    not_null = rows(
        session,
        "SELECT search_condition FROM user_constraints WHERE table_name = 'CHILD' AND "
        "constraint_type = 'C' AND generated = 'GENERATED NAME' ORDER BY 1",
    )
    assert not_null == [('"ID" IS NOT NULL',), ('"PARENT_ID" IS NOT NULL',)]


def test_comments_objects_indexes_sequences(session: EmulatorSession) -> None:
    assert rows(session, "SELECT comments FROM all_tab_comments WHERE table_name = 'CHILD'") == [
        ("Children of parents",)
    ]
    assert rows(
        session,
        "SELECT comments FROM user_col_comments WHERE table_name = 'CHILD' AND column_name = "
        "'AMOUNT'",
    ) == [("In EUR",)]
    objects = rows(
        session,
        "SELECT object_name, object_type, status FROM user_objects WHERE object_type IN "
        "('TABLE', 'SEQUENCE') ORDER BY 1",
    )
    assert objects == [
        ("CHILD", "TABLE", "VALID"),
        ("CHILD_SEQ", "SEQUENCE", "VALID"),
        ("PARENT", "TABLE", "VALID"),
    ]
    ids = rows(
        session,
        "SELECT object_id, created FROM all_objects WHERE owner = 'DEMO' AND object_name = 'CHILD'",
    )
    assert len(ids) == 1 and ids[0][0] > 0 and ids[0][1] is not None
    index = rows(
        session,
        "SELECT i.uniqueness, c.column_name FROM user_indexes i JOIN user_ind_columns c ON "
        "c.index_name = i.index_name WHERE i.index_name = 'CHILD_PARENT_IX'",
    )
    assert index == [("NONUNIQUE", "PARENT_ID")]
    sequence = rows(
        session,
        "SELECT increment_by, last_number FROM user_sequences WHERE sequence_name = 'CHILD_SEQ'",
    )
    assert sequence == [(5, 10)]


def test_users_and_instance_views(session: EmulatorSession) -> None:
    users = {r[0] for r in rows(session, "SELECT username FROM all_users")}
    assert {"DEMO", "SYSTEM", "SYS"} <= users
    version = rows(session, "SELECT banner FROM v$version")
    assert version[0] == ("Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production",)
    assert "emulator" in str(version[1][0])
    assert rows(session, "SELECT version FROM v$instance") == [("19.0.0.0.0",)]
    assert rows(session, "SELECT value FROM v$parameter WHERE name = 'compatible'") == [("19.0.0",)]
    charset = rows(
        session, "SELECT value FROM nls_database_parameters WHERE parameter = 'NLS_CHARACTERSET'"
    )
    assert charset == [("AL32UTF8",)]
    name = rows(session, "SELECT name FROM v$database")
    assert name == [("FREEPDB1",)]


def test_current_scn_moves_with_commits(session: EmulatorSession) -> None:
    first = rows(session, "SELECT current_scn FROM v$database")[0][0]
    session.execute("INSERT INTO parent VALUES (7, 'g')")
    session.commit()
    second = rows(session, "SELECT current_scn FROM v$database")[0][0]
    assert isinstance(first, int) and isinstance(second, int) and second > first
    assert second == session.db.current_scn


def test_sys_context_and_user(session: EmulatorSession) -> None:
    got = rows(
        session,
        "SELECT sys_context('USERENV', 'CURRENT_SCHEMA'), "
        "sys_context('USERENV','SESSION_USER'), sys_context('userenv', 'DB_NAME'), "
        "sys_context('USERENV', 'SERVICE_NAME'), USER FROM dual",
    )
    assert got == [("DEMO", "DEMO", "FREEPDB1", "FREEPDB1", "DEMO")]
    session.execute("ALTER SESSION SET CURRENT_SCHEMA = SYSTEM")
    assert rows(session, "SELECT sys_context('USERENV', 'CURRENT_SCHEMA') FROM dual") == [
        ("SYSTEM",)
    ]
    assert rows(session, "SELECT count(*) FROM demo.parent") == [(2,)]
