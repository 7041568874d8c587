"""The fast path: cached encoded rows equal rows encoded one by one from the slow path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oracle_emulator.codecs import encode_value
from oracle_emulator.demo_data import bench_rows_sql
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession

BENCH_DDL = """
CREATE TABLE bench_rows (
    id NUMBER(12) NOT NULL, amount NUMBER(12,2), qty NUMBER(6), price BINARY_DOUBLE,
    name VARCHAR2(40), description VARCHAR2(200), status CHAR(1), created DATE,
    updated TIMESTAMP(6), note VARCHAR2(100), code VARCHAR2(10), flag NUMBER(1),
    CONSTRAINT bench_rows_pk PRIMARY KEY (id)
)
"""
ROWS = 3_000


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    session = db.open_session("DEMO")
    session.execute(BENCH_DDL)
    db.bulk_insert("DEMO", "BENCH_ROWS", bench_rows_sql(ROWS, 7))
    yield session
    db.close()


def slow_encoded(
    session: EmulatorSession, sql: str, binds: list[object] | None = None
) -> list[bytes]:
    session.db.fast_path_enabled = False
    try:
        result = session.execute(sql, binds or []).query
    finally:
        session.db.fast_path_enabled = True
    assert result is not None and result.rows is not None
    return [
        b"".join(encode_value(c, v) for c, v in zip(result.columns, row, strict=True))
        for row in result.rows
    ]


def fast_encoded(
    session: EmulatorSession, sql: str, binds: list[object] | None = None
) -> list[bytes]:
    result = session.execute(sql, binds or []).query
    assert result is not None and result.encoded_rows is not None, "expected the fast path"
    return list(result.encoded_rows)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM bench_rows ORDER BY id",
        "SELECT name, id, note FROM bench_rows WHERE qty > 500000 ORDER BY 2 DESC",
        "SELECT b.id AS ident, b.updated FROM bench_rows b WHERE b.note IS NULL ORDER BY ident "
        "FETCH FIRST 50 ROWS ONLY",
    ],
)
def test_fast_path_bytes_equal_one_by_one_encoding(session: EmulatorSession, sql: str) -> None:
    assert fast_encoded(session, sql) == slow_encoded(session, sql)


def test_warm_cache_serves_after_updates(session: EmulatorSession) -> None:
    assert session.db.warm("DEMO.BENCH_ROWS") == ROWS
    session.execute("UPDATE bench_rows SET name = 'changed' WHERE id <= 10")
    sql = "SELECT * FROM bench_rows WHERE id <= 20 ORDER BY id"
    fast = fast_encoded(session, sql)
    assert fast == slow_encoded(session, sql)
    assert b"changed" in fast[0]
    other = session.db.open_session("DEMO")
    assert b"changed" not in fast_encoded(other, sql)[0]


def test_fast_path_with_binds_and_flashback(session: EmulatorSession) -> None:
    before = session.db.current_scn
    session.execute("DELETE FROM bench_rows WHERE id > :1", [100])
    session.commit()
    now = fast_encoded(session, "SELECT id FROM bench_rows ORDER BY id")
    then = fast_encoded(session, "SELECT id FROM bench_rows AS OF SCN :1 ORDER BY id", [before])
    assert len(now) == 100 and len(then) == ROWS
    assert then == slow_encoded(
        session, "SELECT id FROM bench_rows AS OF SCN :1 ORDER BY id", [before]
    )


def test_lob_and_expression_queries_take_the_slow_path(session: EmulatorSession) -> None:
    result = session.execute("SELECT id, qty * 2 FROM bench_rows WHERE id = 1").query
    assert result is not None and result.rows is not None and result.encoded_rows is None
    session.execute("CREATE TABLE docs (id NUMBER(3), body CLOB)")
    session.execute("INSERT INTO docs VALUES (1, 'text')")
    docs = session.execute("SELECT * FROM docs").query
    assert docs is not None and docs.rows == [(1, "text")]


def test_drop_and_truncate_drop_the_cache(session: EmulatorSession) -> None:
    session.db.warm("DEMO.BENCH_ROWS")
    table = session.db.catalogue.tables[("DEMO", "BENCH_ROWS")]
    assert session.db.row_cache.size(table) == ROWS
    session.execute("TRUNCATE TABLE bench_rows")
    assert session.db.row_cache.size(table) == 0
    assert fast_encoded(session, "SELECT * FROM bench_rows") == []
