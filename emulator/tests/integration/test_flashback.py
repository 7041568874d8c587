"""AS OF SCN reads exactly what was committed at that SCN; transactions per session."""

from __future__ import annotations

from collections.abc import Callable

import oracledb


def _scn(cursor: oracledb.Cursor) -> int:
    return cursor.execute("SELECT CURRENT_SCN FROM V$DATABASE").fetchone()[0]


def test_as_of_scn_hides_later_commits(
    oracle_connect: Callable[..., oracledb.Connection], table_name: str
) -> None:
    reader, writer = oracle_connect(), oracle_connect()
    with writer.cursor() as w:
        w.execute(f"CREATE TABLE {table_name} (ID NUMBER(5) PRIMARY KEY, V VARCHAR2(10))")
        w.executemany(f"INSERT INTO {table_name} VALUES (:1, :2)", [(1, "a"), (2, "b"), (3, "c")])
        writer.commit()
    with reader.cursor() as r:
        scn = _scn(r)
        with writer.cursor() as w:
            w.execute(f"INSERT INTO {table_name} VALUES (4, 'd')")
            w.execute(f"UPDATE {table_name} SET V = 'B' WHERE ID = 2")
            w.execute(f"DELETE FROM {table_name} WHERE ID = 3")
            writer.commit()
        assert _scn(r) > scn
        before = r.execute(
            f"SELECT ID, V FROM {table_name} AS OF SCN :scn ORDER BY ID", scn=scn
        ).fetchall()
        now = r.execute(f"SELECT ID, V FROM {table_name} ORDER BY ID").fetchall()
    assert before == [(1, "a"), (2, "b"), (3, "c")]
    assert now == [(1, "a"), (2, "B"), (4, "d")]


def test_uncommitted_rows_are_private_until_commit(
    oracle_connect: Callable[..., oracledb.Connection], table_name: str
) -> None:
    first, second = oracle_connect(), oracle_connect()
    with first.cursor() as a, second.cursor() as b:
        a.execute(f"CREATE TABLE {table_name} (ID NUMBER(5))")
        a.execute(f"INSERT INTO {table_name} VALUES (1)")
        assert a.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (1,)
        assert b.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (0,)
        first.commit()
        assert b.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (1,)
        a.execute(f"DELETE FROM {table_name}")
        first.rollback()
        assert b.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (1,)
        assert a.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (1,)


def test_close_without_commit_rolls_back(
    oracle_connect: Callable[..., oracledb.Connection], table_name: str
) -> None:
    keeper = oracle_connect()
    with keeper.cursor() as k:
        k.execute(f"CREATE TABLE {table_name} (ID NUMBER(5))")
    transient = oracle_connect()
    transient.cursor().execute(f"INSERT INTO {table_name} VALUES (1)")
    transient.close()
    with keeper.cursor() as k:
        assert k.execute(f"SELECT COUNT(*) FROM {table_name}").fetchone() == (0,)
