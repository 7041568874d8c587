"""Transactions: isolation between sessions, statement-level rollback, savepoints, flashback,
row locks and concurrent sessions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from oracle_emulator.api import OracleError
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession


@pytest.fixture
def db() -> Iterator[EmulatorDatabase]:
    database = EmulatorDatabase(lock_timeout=5.0)
    setup = database.open_session("DEMO")
    setup.execute(
        "CREATE TABLE acct (id NUMBER(10) PRIMARY KEY, owner VARCHAR2(20), bal NUMBER(12,2))"
    )
    for row in [
        (1, "ada", Decimal("10.00")),
        (2, "bob", Decimal("20.00")),
        (3, "cy", Decimal("30.00")),
    ]:
        setup.execute("INSERT INTO acct VALUES (:1, :2, :3)", list(row))
    setup.commit()
    setup.close()
    yield database
    database.close()


def rows(
    session: EmulatorSession, sql: str, binds: list[object] | None = None
) -> list[tuple[object, ...]]:
    database = session.db
    database.fast_path_enabled = False
    try:
        result = session.execute(sql, binds or []).query
    finally:
        database.fast_path_enabled = True
    assert result is not None and result.rows is not None
    return list(result.rows)


def scn(session: EmulatorSession) -> int:
    value = rows(session, "SELECT current_scn FROM v$database")[0][0]
    assert isinstance(value, int)
    return value


def test_uncommitted_changes_are_private_until_commit(db: EmulatorDatabase) -> None:
    writer, reader = db.open_session("DEMO"), db.open_session("DEMO")
    writer.execute("INSERT INTO acct VALUES (4, 'dee', 40)")
    writer.execute("UPDATE acct SET bal = bal + 1 WHERE id = 1")
    writer.execute("DELETE FROM acct WHERE id = 2")
    assert rows(writer, "SELECT id, bal FROM acct ORDER BY id") == [
        (1, Decimal("11.00")), (3, Decimal("30.00")), (4, Decimal("40.00"))
    ]  # fmt: skip
    assert rows(reader, "SELECT id, bal FROM acct ORDER BY id") == [
        (1, Decimal("10.00")), (2, Decimal("20.00")), (3, Decimal("30.00"))
    ]  # fmt: skip
    writer.commit()
    assert rows(reader, "SELECT id, bal FROM acct ORDER BY id") == [
        (1, Decimal("11.00")), (3, Decimal("30.00")), (4, Decimal("40.00"))
    ]  # fmt: skip


def test_rollback_restores_everything(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("INSERT INTO acct VALUES (4, 'dee', 40)")
    session.execute("UPDATE acct SET owner = 'zed'")
    session.execute("DELETE FROM acct WHERE id = 3")
    session.rollback()
    assert rows(session, "SELECT id, owner FROM acct ORDER BY id") == [
        (1, "ada"),
        (2, "bob"),
        (3, "cy"),
    ]


def test_failing_statement_undoes_only_itself(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("INSERT INTO acct VALUES (4, 'dee', 40)")
    with pytest.raises(OracleError) as error:
        session.execute(
            "INSERT INTO acct SELECT id + 10, owner, bal FROM acct UNION ALL SELECT 1, 'dup', 0 "
            "FROM dual"
        )
    assert error.value.code == 1
    assert "DEMO.SYS_C" in error.value.message or "unique constraint" in error.value.message
    assert rows(session, "SELECT count(*) FROM acct") == [(4,)]
    session.commit()
    other = db.open_session("DEMO")
    assert rows(other, "SELECT id FROM acct ORDER BY id") == [(1,), (2,), (3,), (4,)]


def test_savepoint_rolls_back_later_statements(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    session.execute("UPDATE acct SET bal = 0 WHERE id = 1")
    session.execute("SAVEPOINT before_delete")
    session.execute("DELETE FROM acct")
    session.execute("ROLLBACK TO SAVEPOINT before_delete")
    assert rows(session, "SELECT id, bal FROM acct ORDER BY id") == [
        (1, Decimal("0.00")), (2, Decimal("20.00")), (3, Decimal("30.00"))
    ]  # fmt: skip
    session.commit()
    assert rows(db.open_session("DEMO"), "SELECT bal FROM acct WHERE id = 1") == [
        (Decimal("0.00"),)
    ]


def test_flashback_shows_the_old_state_exactly(db: EmulatorDatabase) -> None:
    reader, writer = db.open_session("DEMO"), db.open_session("DEMO")
    before = scn(reader)
    writer.execute("INSERT INTO acct VALUES (4, 'dee', 40)")
    writer.execute("UPDATE acct SET bal = bal * 2 WHERE id = 1")
    writer.execute("DELETE FROM acct WHERE id = 2")
    writer.commit()
    middle = scn(reader)
    writer.execute("UPDATE acct SET owner = 'later'")
    writer.commit()
    old = rows(reader, "SELECT id, owner, bal FROM acct AS OF SCN :s ORDER BY id", [before])
    assert old == [
        (1, "ada", Decimal("10.00")),
        (2, "bob", Decimal("20.00")),
        (3, "cy", Decimal("30.00")),
    ]
    mid = rows(reader, f"SELECT id, owner, bal FROM acct AS OF SCN {middle} ORDER BY id")
    assert mid == [
        (1, "ada", Decimal("20.00")),
        (3, "cy", Decimal("30.00")),
        (4, "dee", Decimal("40.00")),
    ]
    assert rows(reader, "SELECT DISTINCT owner FROM acct") == [("later",)]


def test_flashback_fast_path_matches_slow_path(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    before = scn(session)
    session.execute("UPDATE acct SET bal = 99")
    session.commit()
    fast = session.execute("SELECT * FROM acct AS OF SCN :1 ORDER BY id", [before]).query
    assert fast is not None and fast.encoded_rows is not None and len(fast.encoded_rows) == 3
    slow = rows(session, "SELECT * FROM acct AS OF SCN :1 ORDER BY id", [before])
    assert [r[2] for r in slow] == [Decimal("10.00"), Decimal("20.00"), Decimal("30.00")]


def test_purged_history_raises_snapshot_too_old(db: EmulatorDatabase) -> None:
    session = db.open_session("DEMO")
    before = scn(session)
    session.execute("DELETE FROM acct WHERE id = 1")
    session.commit()
    db.purge_history(scn(session))
    with pytest.raises(OracleError) as error:
        session.execute("SELECT * FROM acct AS OF SCN :1", [before])
    assert error.value.code == 1555
    with pytest.raises(OracleError) as future:
        session.execute("SELECT * FROM acct AS OF SCN :1", [scn(session) + 1000])
    assert future.value.code == 8181


def test_writer_waits_for_the_row_lock_holder(db: EmulatorDatabase) -> None:
    first, second = db.open_session("DEMO"), db.open_session("DEMO")
    first.execute("UPDATE acct SET bal = bal + 1 WHERE id = 1")
    done = threading.Event()
    errors: list[BaseException] = []

    def blocked() -> None:
        try:
            second.execute("UPDATE acct SET bal = bal + 100 WHERE id = 1")
            second.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        done.set()

    thread = threading.Thread(target=blocked)
    thread.start()
    assert not done.wait(0.3), "the second writer must wait for the first transaction"
    first.commit()
    thread.join(10)
    assert errors == []
    assert rows(first, "SELECT bal FROM acct WHERE id = 1") == [(Decimal("111.00"),)]


def test_duplicate_key_of_an_uncommitted_insert_waits_then_fails(db: EmulatorDatabase) -> None:
    first, second = db.open_session("DEMO"), db.open_session("DEMO")
    first.execute("INSERT INTO acct VALUES (9, 'nine', 9)")
    outcome: list[object] = []

    def insert_same_key() -> None:
        try:
            second.execute("INSERT INTO acct VALUES (9, 'again', 9)")
            outcome.append("inserted")
        except OracleError as exc:
            outcome.append(exc.code)

    thread = threading.Thread(target=insert_same_key)
    thread.start()
    thread.join(0.3)
    assert outcome == []
    first.commit()
    thread.join(10)
    assert outcome == [1]


def test_deadlock_is_detected(db: EmulatorDatabase) -> None:
    first, second = db.open_session("DEMO"), db.open_session("DEMO")
    first.execute("UPDATE acct SET bal = 1 WHERE id = 1")
    second.execute("UPDATE acct SET bal = 2 WHERE id = 2")
    results: list[object] = []

    def first_wants_row_two() -> None:
        try:
            first.execute("UPDATE acct SET bal = 1 WHERE id = 2")
            results.append("first ok")
        except OracleError as exc:
            results.append(exc.code)

    thread = threading.Thread(target=first_wants_row_two)
    thread.start()
    thread.join(0.3)
    with pytest.raises(OracleError) as error:
        second.execute("UPDATE acct SET bal = 2 WHERE id = 1")
    assert error.value.code == 60
    second.rollback()
    thread.join(10)
    assert results == ["first ok"]


def test_eight_threads_of_sessions_work_concurrently(db: EmulatorDatabase) -> None:
    failures: list[BaseException] = []

    def worker(number: int) -> None:
        session = db.open_session("DEMO")
        try:
            for step in range(15):
                key = 1000 + number * 100 + step
                session.execute("INSERT INTO acct VALUES (:1, :2, :3)", [key, f"w{number}", step])
                session.execute("UPDATE acct SET bal = bal + 1 WHERE id = :1", [key])
                if step % 3 == 0:
                    session.commit()
                rows(session, "SELECT count(*) FROM acct WHERE owner = :1", [f"w{number}"])
            session.execute("DELETE FROM acct WHERE id = :1", [1000 + number * 100])
            session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    checker = db.open_session("DEMO")
    assert rows(checker, "SELECT count(*) FROM acct WHERE owner LIKE 'w%'") == [(8 * 14,)]
    assert rows(checker, "SELECT sum(bal) FROM acct WHERE owner = 'w3'") == [
        (Decimal(sum(range(1, 15)) + 14),)
    ]
    tables = rows(checker, "SELECT num_rows FROM user_tables WHERE table_name = 'ACCT'")
    assert tables == [(3 + 8 * 14,)]


def test_read_committed_sees_commits_made_during_a_transaction(db: EmulatorDatabase) -> None:
    reader, writer = db.open_session("DEMO"), db.open_session("DEMO")
    reader.execute("UPDATE acct SET owner = 'mine' WHERE id = 3")
    writer.execute("UPDATE acct SET owner = 'theirs' WHERE id = 1")
    writer.commit()
    assert rows(reader, "SELECT owner FROM acct ORDER BY id") == [("theirs",), ("bob",), ("mine",)]
