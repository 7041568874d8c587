"""The engine's surface: sessions, binds, result naming, ROWID, scripts, bulk loads and a
file-backed database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from oracle_emulator.api import OracleError, OracleType
from oracle_emulator.codecs import parse_rowid_text
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.script import split_statements
from oracle_emulator.sql.session import EmulatorSession


@pytest.fixture
def db() -> Iterator[EmulatorDatabase]:
    database = EmulatorDatabase()
    database.execute_script(
        "CREATE TABLE item (id NUMBER(8) PRIMARY KEY, label VARCHAR2(20), made DATE);\n"
        "INSERT INTO item VALUES (1, 'one', DATE '2024-01-01');\n"
        "INSERT INTO item VALUES (2, 'two', DATE '2024-01-02');\n"
        "INSERT INTO item VALUES (3, 'three', DATE '2024-01-03');\n",
        "DEMO",
    )
    yield database
    database.close()


@pytest.fixture
def session(db: EmulatorDatabase) -> EmulatorSession:
    return db.open_session("demo")


def query(
    session: EmulatorSession, sql: str, binds: list[object] | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    session.db.fast_path_enabled = False
    try:
        result = session.execute(sql, binds or []).query
    finally:
        session.db.fast_path_enabled = True
    assert result is not None and result.rows is not None
    return [c.name for c in result.columns], list(result.rows)


def test_authentication_and_users(db: EmulatorDatabase) -> None:
    assert db.authenticate("demo") == "demo"
    assert db.authenticate("SYSTEM") == "manager"
    assert db.authenticate("nobody") is None
    db.create_user("etl", "secret")
    assert db.authenticate("ETL") == "secret"
    with pytest.raises(OracleError):
        db.open_session("nobody")


def test_positional_binds_follow_occurrence_order(session: EmulatorSession) -> None:
    _, rows = query(session, "SELECT label FROM item WHERE id = :b OR id = :a ORDER BY id", [3, 1])
    assert rows == [("one",), ("three",)]
    _, rows = query(session, "SELECT :1 + :1, :x FROM dual", [2, 5, "v"])
    assert rows == [(7, "v")]


def test_bind_types_reach_duckdb_as_parameters(session: EmulatorSession) -> None:
    _, rows = query(
        session,
        "SELECT label FROM item WHERE made >= :1 AND label <> :2",
        [dt.datetime(2024, 1, 2), "x'; DROP TABLE item; --"],
    )
    assert rows == [("two",), ("three",)]
    session.execute("INSERT INTO item (id, label) VALUES (:1, :2)", [Decimal("4"), ""])
    assert query(session, "SELECT label FROM item WHERE id = 4")[1] == [(None,)]


def test_result_column_names_follow_oracle(session: EmulatorSession) -> None:
    names, rows = query(
        session, 'SELECT 1+1, 1 + 1 AS two, label "Lbl", count(*) over () FROM item WHERE id = 1'
    )
    assert names == ["1+1", "TWO", "Lbl", "COUNT(*)OVER()"]
    assert rows == [(2, 2, "one", 1)]


def test_expression_types_are_inferred(session: EmulatorSession) -> None:
    result = session.execute(
        "SELECT id * 2.5, label || '!', made, CAST(1.5 AS BINARY_DOUBLE) FROM item WHERE id = 1"
    ).query
    assert result is not None
    kinds = [c.type for c in result.columns]
    assert kinds[:2] == [OracleType.NUMBER, OracleType.VARCHAR2]
    assert result.columns[2].type is OracleType.DATE
    assert result.rows == [(Decimal("2.5"), "one!", dt.datetime(2024, 1, 1), 1.5)]


def test_rowid_identifies_rows_and_orders_physically(session: EmulatorSession) -> None:
    result = session.execute("SELECT ROWID, id FROM item ORDER BY ROWID").query
    assert result is not None and result.rows is not None
    assert result.columns[0].type is OracleType.ROWID
    rowids = [row[0] for row in result.rows]
    table = session.db.catalogue.tables[("DEMO", "ITEM")]
    assert [parse_rowid_text(r)[0] for r in rowids] == [table.object_id] * 3
    _, found = query(session, "SELECT label FROM item WHERE ROWID = :r", [rowids[1]])
    assert found == [("two",)]
    _, ranged = query(
        session,
        "SELECT id FROM item WHERE ROWID BETWEEN :a AND :b ORDER BY id",
        [rowids[1], rowids[2]],
    )
    assert ranged == [(2,), (3,)]
    session.execute("UPDATE item SET label = 'zwei' WHERE ROWID = :r", [rowids[1]])
    _, same = query(session, "SELECT ROWID FROM item WHERE id = 2")
    assert same == [(rowids[1],)]


def test_describe_does_not_run_the_query(session: EmulatorSession) -> None:
    columns = session.describe("SELECT id, label, made FROM item WHERE id = :1")
    assert [(c.name, c.type) for c in columns] == [
        ("ID", OracleType.NUMBER), ("LABEL", OracleType.VARCHAR2), ("MADE", OracleType.DATE)
    ]  # fmt: skip
    assert session.describe("INSERT INTO item (id) VALUES (9)") == []
    assert query(session, "SELECT count(*) FROM item")[1] == [(3,)]


def test_for_update_and_plsql_noops(session: EmulatorSession) -> None:
    assert query(session, "SELECT id FROM item WHERE id = 1 FOR UPDATE")[1] == [(1,)]
    session.execute("BEGIN DBMS_STATS.GATHER_TABLE_STATS('DEMO', 'ITEM'); END;")
    session.execute("BEGIN EXECUTE IMMEDIATE 'CREATE TABLE made_by_plsql (x NUMBER)'; END;")
    assert query(session, "SELECT count(*) FROM made_by_plsql")[1] == [(0,)]
    with pytest.raises(OracleError) as error:
        session.execute("BEGIN some_procedure(1); END;")
    assert error.value.code == 6550


def test_close_rolls_back(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("DELETE FROM item")
    session.close()
    other = db.open_session("DEMO")
    assert query(other, "SELECT count(*) FROM item")[1] == [(3,)]
    with pytest.raises(OracleError):
        session.execute("SELECT 1 FROM dual")


def test_split_statements_handles_quotes_comments_and_blocks() -> None:
    script = (
        "-- leading comment\n"
        "CREATE TABLE a (x VARCHAR2(10));\n"
        "INSERT INTO a VALUES ('semi;colon'); INSERT INTO a VALUES ('two');\n"
        "/* block ; comment */\n"
        "BEGIN\n  NULL;\n  NULL;\nEND;\n/\n"
        "SET ECHO ON\n"
        "SELECT 'x' FROM dual\n/\n"
    )
    statements = split_statements(script)
    assert statements == [
        "CREATE TABLE a (x VARCHAR2(10))",
        "INSERT INTO a VALUES ('semi;colon')",
        "INSERT INTO a VALUES ('two')",
        "BEGIN\n  NULL;\n  NULL;\nEND;",
        "SELECT 'x' FROM dual",
    ]


def test_bulk_insert_commits_at_a_new_scn(db: EmulatorDatabase, session: EmulatorSession) -> None:
    before = db.current_scn
    count = db.bulk_insert(
        "DEMO", "ITEM", "SELECT range + 100 AS ID, 'bulk ' || range AS LABEL FROM range(5000)"
    )
    assert count == 5000 and db.current_scn == before + 1
    assert query(session, "SELECT count(*), max(id) FROM item")[1] == [(5003, 5099)]
    assert query(session, "SELECT count(*) FROM item AS OF SCN :1", [before])[1] == [(3,)]
    assert query(session, "SELECT num_rows FROM user_tables WHERE table_name = 'ITEM'")[1] == [
        (5003,)
    ]


def test_file_backed_database_reopens(tmp_path: Path) -> None:
    path = str(tmp_path / "emulator.duckdb")
    first = EmulatorDatabase(path=path)
    first.execute_script(
        "CREATE TABLE keep (id NUMBER(3) PRIMARY KEY, v NUMBER); INSERT INTO keep VALUES (1, 0.5);",
        "DEMO",
    )
    lost = first.open_session("DEMO")
    lost.execute("INSERT INTO keep VALUES (2, 2)")
    scn = first.current_scn
    first.close()
    second = EmulatorDatabase(path=path)
    try:
        session = second.open_session("DEMO")
        assert query(session, "SELECT id, v FROM keep")[1] == [(1, Decimal("0.5"))]
        assert second.current_scn >= scn
        session.execute("INSERT INTO keep VALUES (2, 2)")
        session.commit()
        assert query(session, "SELECT count(*) FROM keep")[1] == [(2,)]
    finally:
        second.close()


def test_execute_many_inserts_all_rows_or_none(session: EmulatorSession) -> None:
    rows = [[100 + i, f"batch {i}"] for i in range(2500)]
    result = session.execute_many("INSERT INTO item (id, label) VALUES (:1, :2)", rows)
    assert result.rowcount == 2500 and result.kind == "INSERT"
    with pytest.raises(OracleError) as error:
        session.execute_many(
            "INSERT INTO item (id, label) VALUES (:1, :2)", [[5000, "new"], [1, "dup"]]
        )
    assert error.value.code == 1
    assert query(session, "SELECT count(*) FROM item")[1] == [(2503,)]
    updated = session.execute_many("UPDATE item SET label = :1 WHERE id = :2", [["x", 1], ["y", 2]])
    assert updated.rowcount == 2


def test_star_over_joins_and_subqueries_uses_oracle_names(session: EmulatorSession) -> None:
    session.execute("CREATE TABLE tag (id NUMBER(8), tag VARCHAR2(5))")
    session.execute("INSERT INTO tag VALUES (1, 'red')")
    names, rows = query(session, "SELECT * FROM item JOIN tag USING (id)")
    assert names == ["ID", "LABEL", "MADE", "TAG"]
    assert rows == [(1, "one", dt.datetime(2024, 1, 1), "red")]
    names, rows = query(
        session, "WITH c AS (SELECT count(*), max(id) top FROM item) SELECT * FROM c"
    )
    assert names == ["COUNT(*)", "TOP"] and rows == [(3, 3)]
    names, _ = query(session, "SELECT DBMS_FLASHBACK.GET_SYSTEM_CHANGE_NUMBER scn FROM dual")
    assert names == ["SCN"]
