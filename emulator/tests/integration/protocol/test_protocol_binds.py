"""Bind values of every Python type, positional and named binds, and executemany."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import oracledb
import pytest

from tests.integration.protocol.fake_database import FakeDatabase


def _last_binds(fake_db: FakeDatabase, sql: str) -> list[object]:
    return fake_db.last(sql)[-1].binds


def test_each_python_type_arrives_decoded(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    values = [
        None,
        7,
        -(10**20),
        Decimal("-123.4500"),
        2.5,
        "text ✓",
        b"\x00\xffraw",
        dt.datetime(2024, 5, 6, 7, 8, 9),
        dt.datetime(2024, 5, 6, 7, 8, 9, 123456),
        dt.date(2023, 1, 31),
        dt.timedelta(days=2, seconds=3, microseconds=4),
    ]
    sql = "insert into sink values (" + ", ".join(f":{i + 1}" for i in range(len(values))) + ")"
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
        assert cursor.rowcount == 1
    received = _last_binds(fake_db, sql)
    assert received == [
        None,
        7,
        -(10**20),
        Decimal("-123.45"),
        Decimal("2.5"),
        "text ✓",
        b"\x00\xffraw",
        dt.datetime(2024, 5, 6, 7, 8, 9),
        dt.datetime(2024, 5, 6, 7, 8, 9),  # the driver binds datetime as DATE by default
        dt.datetime(2023, 1, 31),
        dt.timedelta(days=2, seconds=3, microseconds=4),
    ]


def test_typed_binds(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    sql = "insert into sink values (:1, :2, :3, :4)"
    with conn.cursor() as cursor:
        cursor.setinputsizes(
            oracledb.DB_TYPE_NVARCHAR,
            oracledb.DB_TYPE_BINARY_DOUBLE,
            oracledb.DB_TYPE_TIMESTAMP,
            oracledb.DB_TYPE_BINARY_FLOAT,
        )
        cursor.execute(sql, ["national ñ ✓", 0.1, dt.datetime(2020, 2, 2, 2, 2, 2, 2), 0.5])
    assert _last_binds(fake_db, sql) == [
        "national ñ ✓",
        0.1,
        dt.datetime(2020, 2, 2, 2, 2, 2, 2),
        0.5,
    ]


def test_named_binds_arrive_in_order_of_occurrence(
    conn: oracledb.Connection, fake_db: FakeDatabase
) -> None:
    sql = "insert into sink values (:b, :a, :b)"
    with conn.cursor() as cursor:
        cursor.execute(sql, {"a": 1, "b": "two"})
        cursor.execute(sql, a=3, b="four")  # re-execute: binds only, same cursor
    assert [r.binds for r in fake_db.last(sql)[-2:]] == [["two", 1, "two"], ["four", 3, "four"]]


def test_long_string_and_bytes_binds(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    """Values above 32767 bytes travel as LONG, after the other binds of the row."""
    sql = "insert into sink values (:1, :2, :3, :4)"
    long_text = "é" * 40_000
    long_bytes = bytes(range(256)) * 400
    with conn.cursor() as cursor:
        cursor.execute(sql, [long_text, 1, long_bytes, "short"])
    assert _last_binds(fake_db, sql) == [long_text, 1, long_bytes, "short"]


def test_clob_bind_through_a_temporary_lob(
    conn: oracledb.Connection, fake_db: FakeDatabase
) -> None:
    sql = "insert into sink values (:1, :2)"
    text = "clob value ✓ " * 1000
    with conn.cursor() as cursor:
        cursor.setinputsizes(oracledb.DB_TYPE_CLOB, oracledb.DB_TYPE_BLOB)
        cursor.execute(sql, [text, b"\x01\x02" * 5000])
    assert _last_binds(fake_db, sql) == [text, b"\x01\x02" * 5000]


def test_executemany_adds_up_rowcounts(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    sql = "insert into sink values (:id, :label)"
    rows = [{"id": n, "label": f"label {n}" * 20} for n in range(2_000)]
    with conn.cursor() as cursor:
        cursor.executemany(sql, rows)  # about 400 kB of binds: many packets
        assert cursor.rowcount == 2_000
        cursor.executemany(sql, rows[:5])  # re-execute of the same statement
        assert cursor.rowcount == 5
    received = [r.binds for r in fake_db.last(sql)[-2_005:]]
    assert received[:2_000] == [[n, f"label {n}" * 20] for n in range(2_000)]
    assert received[2_000:] == [[n, f"label {n}" * 20] for n in range(5)]


def test_executemany_stops_at_the_failing_row(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        cursor.execute("delete from uniq")
        with pytest.raises(oracledb.IntegrityError) as failure:
            cursor.executemany("insert into uniq (id) values (:1)", [(1,), (2,), (3,), (2,), (5,)])
        assert failure.value.args[0].full_code == "ORA-00001"
        assert cursor.rowcount == 3


def test_executemany_batch_errors_and_row_counts(conn: oracledb.Connection) -> None:
    with conn.cursor() as cursor:
        cursor.execute("delete from uniq")
        cursor.executemany(
            "insert into uniq (id) values (:1)",
            [(1,), (2,), (1,), (3,), (2,)],
            batcherrors=True,
            arraydmlrowcounts=True,
        )
        errors = cursor.getbatcherrors()
        assert [(e.offset, e.full_code) for e in errors] == [(2, "ORA-00001"), (4, "ORA-00001")]
        assert cursor.getarraydmlrowcounts() == [1, 1, 0, 1, 0]
        assert cursor.rowcount == 3


def test_dml_rowcount_and_autocommit(conn: oracledb.Connection, fake_db: FakeDatabase) -> None:
    commits = fake_db.commits
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("update numbers set label = :1", ["x"])
        assert cursor.rowcount == 10
        cursor.execute("update numbers set label = :1", ["y"])  # re-execute with commit
    assert fake_db.commits == commits + 2


def test_executemany_without_binds_runs_each_time(
    conn: oracledb.Connection, fake_db: FakeDatabase
) -> None:
    sql = "insert into sink select 1 from dual"
    before = len(fake_db.last(sql))
    with conn.cursor() as cursor:
        cursor.executemany(sql, 4)
        assert cursor.rowcount == 4
    assert len(fake_db.last(sql)) == before + 4
