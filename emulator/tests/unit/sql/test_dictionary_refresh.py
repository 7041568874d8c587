"""The dictionary brought up to date unit by unit equals the dictionary built from scratch.

After every DDL statement the refresh rewrites only the units whose catalogue objects
changed; these tests run a series of statements touching every kind of unit and compare
every ALL_ view with a full rebuild, and check the columns computed live (NUM_ROWS, BLOCKS,
LAST_NUMBER), which no commit or NEXTVAL refreshes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oracle_emulator.sql.dictionary_columns import VIEW_COLUMNS
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession

#: times of the refresh itself (LAST_ANALYZED, LAST_CHANGE): a rebuild gives later ones
_REFRESH_TIMES = {"LAST_ANALYZED", "LAST_CHANGE"}

STEPS = [
    "CREATE TABLE parent (id NUMBER(10) PRIMARY KEY, code VARCHAR2(10 CHAR) UNIQUE)",
    "CREATE TABLE child (id NUMBER(10) GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
    "parent_id NUMBER(10) NOT NULL REFERENCES parent (id), amount NUMBER(12,2) DEFAULT 0 "
    "CHECK (amount >= 0), note NVARCHAR2(30))",
    "COMMENT ON TABLE child IS 'Children'",
    "COMMENT ON COLUMN child.amount IS 'In EUR'",
    "CREATE INDEX child_parent_ix ON child (parent_id)",
    "CREATE SEQUENCE child_seq START WITH 10 INCREMENT BY 5",
    "CREATE VIEW child_view AS SELECT id, amount FROM child",
    "ALTER TABLE parent ADD (born DATE)",
    "ALTER TABLE child ADD CONSTRAINT child_note_uk UNIQUE (note)",
    "CREATE TABLE gone (id NUMBER)",
    "CREATE INDEX gone_ix ON gone (id)",
    "DROP TABLE gone PURGE",
    "CREATE USER other IDENTIFIED BY secret",
    "CREATE TABLE other.kept (id NUMBER PRIMARY KEY)",
    "DROP INDEX child_parent_ix",
    "DROP VIEW child_view",
    "DROP USER other CASCADE",
    "COMMENT ON TABLE child IS 'Children of parents'",
]


@pytest.fixture
def db() -> Iterator[EmulatorDatabase]:
    database = EmulatorDatabase()
    yield database
    database.close()


def _contents(session: EmulatorSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every ALL_ view's rows, sorted, without the refresh times."""
    contents = {}
    for view, columns in VIEW_COLUMNS.items():
        names = [name for name, _ in columns if name not in _REFRESH_TIMES]
        result = session.execute(f"SELECT {', '.join(names)} FROM {view}").query
        assert result is not None and result.rows is not None
        contents[view] = sorted(result.rows, key=repr)
    return contents


def test_each_ddl_leaves_what_a_full_rebuild_gives(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    for step in STEPS:
        session.execute(step)
        incremental = _contents(session)
        db.dictionary.rebuild()
        assert _contents(session) == incremental, step


def test_views_show_exactly_oracles_columns(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("CREATE TABLE t (id NUMBER)")
    for view, columns in VIEW_COLUMNS.items():
        result = session.execute(f"SELECT * FROM {view}").query
        assert result is not None
        assert [c.name for c in result.columns] == [name for name, _ in columns], view


def test_live_columns_follow_commits_and_nextval(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("CREATE TABLE t (id NUMBER PRIMARY KEY)")
    session.execute("CREATE SEQUENCE s START WITH 3")
    num_rows = (
        "SELECT t.num_rows, t.blocks, s.num_rows, i.num_rows FROM user_tables t "
        "JOIN user_tab_statistics s ON s.table_name = t.table_name "
        "JOIN user_indexes i ON i.table_name = t.table_name WHERE t.table_name = 'T'"
    )
    last_number = "SELECT last_number FROM user_sequences WHERE sequence_name = 'S'"
    assert session.execute(num_rows).query.rows == [(0, 1, 0, 0)]
    assert session.execute(last_number).query.rows == [(3,)]
    version = db.catalogue.version
    db.bulk_insert("DEMO", "T", "SELECT range AS id FROM range(200)")
    session.execute("SELECT s.nextval FROM dual")
    assert db.catalogue.version == version  # no DDL: no stored row was rewritten
    assert session.execute(num_rows).query.rows == [(200, 2, 200, 200)]
    assert session.execute(last_number).query.rows == [(4,)]


def test_a_commit_writes_no_dictionary_row(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("CREATE TABLE t (id NUMBER)")
    session.execute("SELECT COUNT(*) FROM all_tables")
    writes: list[int] = []
    sync = db.dictionary.store.sync
    db.dictionary.store.sync = lambda cursor, current: writes.append(sync(cursor, current)) or 0
    session.execute("INSERT INTO t VALUES (1)")
    session.commit()
    assert session.execute("SELECT num_rows FROM user_tables").query.rows == [(1,)]
    assert writes == []
    session.execute("COMMENT ON TABLE t IS 'x'")
    session.execute("SELECT COUNT(*) FROM all_tables")
    assert writes and writes[0] > 0
