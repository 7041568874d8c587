"""Successive incremental windows on the emulator read exactly the rows that changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import oracledb
import pytest

from airflow_oracle_etl.incremental import (
    DATE_MODEL,
    LOW_BIND,
    PREVIOUS_SCN_BIND,
    TIMESTAMP_MODEL,
    IncrementalError,
)
from tests.integration.incremental.conftest import Job


@dataclass(frozen=True)
class Kind:
    ddl: str
    #: SQL turning the text bind :w into the column's type
    convert: str
    value: Callable[[int], str]


NUMBER = Kind("NUMBER(12,2)", "TO_NUMBER(:w)", lambda i: f"{100 + i}.25")
DATE = Kind("DATE", f"TO_DATE(:w, '{DATE_MODEL}')", lambda i: f"2024-01-{i:02d} 10:00:00")
#: microseconds apart: a window that lost precision would miss or repeat rows
TIMESTAMP = Kind(
    "TIMESTAMP(6)",
    f"TO_TIMESTAMP(:w, '{TIMESTAMP_MODEL}')",
    lambda i: f"2024-01-01 10:00:00.{i:06d}000",
)
KINDS = {"number": NUMBER, "date": DATE, "timestamp": TIMESTAMP}


def insert(connection: oracledb.Connection, table: str, kind: Kind, rows: dict[int, str | None]):
    with connection.cursor() as cursor:
        cursor.executemany(
            f'INSERT INTO "{table}" ("ID", "V", "W") VALUES (:id, \'new\', {kind.convert})',
            [{"id": key, "w": value} for key, value in rows.items()],
        )


def update(connection: oracledb.Connection, table: str, kind: Kind, rows: dict[int, str]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            f'UPDATE "{table}" SET "W" = {kind.convert}, "V" = \'changed\' WHERE "ID" = :id',
            [{"id": key, "w": value} for key, value in rows.items()],
        )


def table_ddl(kind: Kind, key: str = 'PRIMARY KEY ("ID")') -> str:
    columns = '"ID" NUMBER(10) NOT NULL, "K" NUMBER(3) DEFAULT 7 NOT NULL, "V" VARCHAR2(20), '
    columns += f'"W" {kind.ddl}'
    return f'CREATE TABLE "{{name}}" ({columns}{", " + key if key else ""})'


@pytest.mark.parametrize("kind_name", KINDS)
def test_three_windows_give_exactly_the_changed_rows(
    kind_name: str,
    new_table: Callable[[str], str],
    make_job: Callable[..., Job],
    writer: oracledb.Connection,
) -> None:
    kind = KINDS[kind_name]
    v = kind.value
    table = new_table(table_ddl(kind))
    insert(writer, table, kind, {i: v(i) for i in range(1, 6)})
    writer.commit()
    job = make_job(table)

    first = job.run()
    assert first.ids == {1, 2, 3, 4, 5}
    assert (first.window.kind, first.window.low, first.window.high) == (kind_name, None, v(5))

    insert(writer, table, kind, {6: v(6), 7: v(7)})
    update(writer, table, kind, {2: v(8)})
    writer.commit()
    second = job.run()
    assert second.ids == {2, 6, 7}
    assert (second.window.low, second.window.high) == (v(5), v(8))

    update(writer, table, kind, {1: v(9)})
    insert(writer, table, kind, {8: v(9)})
    with writer.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE "ID" = 3')
    writer.commit()
    third = job.run()
    assert third.ids == {1, 8}
    assert (third.window.low, third.window.high) == (v(8), v(9))

    quiet = job.run()
    assert quiet.ids == set()
    assert (quiet.window.low, quiet.window.high) == (v(9), v(9))


@pytest.mark.parametrize(
    "key",
    [
        pytest.param('PRIMARY KEY ("ID")', id="primary-key"),
        pytest.param('PRIMARY KEY ("ID", "K")', id="composite-key"),
        pytest.param(
            "",
            id="rowid",
        ),
    ],
)
def test_ties_committed_after_the_snapshot_are_read_exactly_once(
    key: str,
    new_table: Callable[[str], str],
    make_job: Callable[..., Job],
    writer: oracledb.Connection,
    oracle_connect: Callable[..., oracledb.Connection],
) -> None:
    """Rows stamped with the same time by transactions committing on both sides of a run's
    snapshot: the late one is read by the next run, the early ones never again."""
    v = TIMESTAMP.value
    table = new_table(table_ddl(TIMESTAMP, key))
    insert(writer, table, TIMESTAMP, {1: v(1), 2: v(1)})
    writer.commit()
    late = oracle_connect()
    insert(late, table, TIMESTAMP, {3: v(1)})  # same stamp, committed after the snapshot
    job = make_job(table)

    first = job.run()
    late.commit()
    assert first.ids == {1, 2}
    assert first.window.high == v(1)

    second = job.run()
    assert second.ids == {3}
    assert (second.window.low, second.window.high) == (v(1), v(1))
    assert PREVIOUS_SCN_BIND in second.window.binds
    assert second.window.binds[PREVIOUS_SCN_BIND] == first.scn

    update(writer, table, TIMESTAMP, {1: v(1)})  # a change that keeps the stamp
    insert(writer, table, TIMESTAMP, {4: v(1), 5: v(2)})
    writer.commit()
    third = job.run()
    assert third.ids == {4, 5}

    insert(late, table, TIMESTAMP, {6: v(2)})
    fourth = job.run()
    late.commit()
    assert fourth.ids == set()
    fifth = job.run()
    assert fifth.ids == {6}
    assert job.run().ids == set()


def test_without_rows_at_the_previous_high_the_bound_is_inclusive(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    """When every row at the old high is gone, the high stays, and rows arriving at it later
    are all new: the next window needs no flashback subquery."""
    v = NUMBER.value
    table = new_table(table_ddl(NUMBER))
    insert(writer, table, NUMBER, {1: v(1), 2: v(2)})
    writer.commit()
    job = make_job(table)
    assert job.run().ids == {1, 2}
    with writer.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE "ID" = 2')
    writer.commit()
    emptied = job.run()
    assert emptied.ids == set()
    assert emptied.window.high == v(2)  # never backwards
    assert PREVIOUS_SCN_BIND in emptied.window.binds  # row 2 was at the high then
    insert(writer, table, NUMBER, {3: v(2), 4: v(1)})  # 4: below the high, the known caveat
    writer.commit()
    after = job.run()
    assert after.ids == {3}
    assert PREVIOUS_SCN_BIND not in after.window.binds
    assert f">= TO_NUMBER(:{LOW_BIND})" in after.window.predicate


def test_null_watermarks_are_read_by_first_runs_and_full_refreshes_only(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    v = NUMBER.value
    table = new_table(table_ddl(NUMBER))
    insert(writer, table, NUMBER, {1: v(1), 2: None})
    writer.commit()
    job = make_job(table)
    assert job.run().ids == {1, 2}

    insert(writer, table, NUMBER, {3: None, 4: v(2)})
    writer.commit()
    assert job.run().ids == {4}

    refresh = job.run(full_refresh=True)
    assert refresh.ids == {1, 2, 3, 4}
    assert refresh.window.full_refresh
    assert refresh.window.range().low is None
    assert refresh.window.range().high == v(2)

    insert(writer, table, NUMBER, {5: v(3), 6: None})
    writer.commit()
    assert job.run().ids == {5}


def test_initial_bounds_the_first_run_inclusively_and_leaves_nulls_out(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    v = DATE.value
    table = new_table(table_ddl(DATE))
    insert(writer, table, DATE, {1: v(1), 2: v(2), 3: v(3), 4: None})
    writer.commit()
    job = make_job(table, column="w", initial="2024-01-02")
    first = job.run()
    assert first.ids == {2, 3}
    assert (first.window.low, first.window.high) == ("2024-01-02 00:00:00", v(3))
    insert(writer, table, DATE, {5: v(4)})
    writer.commit()
    assert job.run().ids == {5}


def test_a_failed_run_leaves_the_watermark_where_it_was(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    v = TIMESTAMP.value
    table = new_table(table_ddl(TIMESTAMP))
    insert(writer, table, TIMESTAMP, {1: v(1), 2: v(2)})
    writer.commit()
    job = make_job(table)
    first = job.run()
    insert(writer, table, TIMESTAMP, {3: v(3)})
    writer.commit()

    failed = job.run(commit=False)
    assert failed.ids == {3}
    # partial output of the failed run: a part and a partition manifest, no table manifest
    run_prefix = job.layout("scheduled__run002").run_prefix
    job.bucket.blob(f"{run_prefix}part-0000-00000-a1.jsonl.gz").upload_from_string(b"x")
    job.bucket.blob(f"{run_prefix}_manifest.p0000.json").upload_from_string(b"{}")

    insert(writer, table, TIMESTAMP, {4: v(4)})
    writer.commit()
    retried = job.run()
    assert retried.window.low == first.window.high
    assert retried.ids == {3, 4}
    assert job.run().ids == set()


def test_without_snapshots_the_boundary_is_exclusive(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    v = NUMBER.value
    table = new_table(table_ddl(NUMBER))
    insert(writer, table, NUMBER, {1: v(1)})
    writer.commit()
    job = make_job(table)
    assert job.run(snapshot=False).ids == {1}
    insert(writer, table, NUMBER, {2: v(1), 3: v(2)})
    writer.commit()
    second = job.run()
    assert second.ids == {3}  # the tie committed later is lost: documented
    assert second.window.predicate.startswith('("W" > TO_NUMBER(:wm_low) AND')


def test_the_high_is_read_with_the_users_where_and_its_binds(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    v = NUMBER.value
    table = new_table(table_ddl(NUMBER))
    insert(writer, table, NUMBER, {1: v(1), 2: v(5)})
    with writer.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "K" = 1 WHERE "ID" = 2')
    writer.commit()
    job = make_job(table)
    only_k7 = {"where": '"K" = :k', "parameters": {"k": 7}}
    first = job.run(**only_k7)
    assert (first.ids, first.window.high) == ({1}, v(1))
    insert(writer, table, NUMBER, {3: v(3)})
    writer.commit()
    second = job.run(**only_k7)
    assert (second.ids, second.window.high) == ({3}, v(3))


def test_zoned_timestamps_are_compared_as_instants_in_utc_text(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    zoned = Kind(
        "TIMESTAMP(6) WITH TIME ZONE",
        "TO_TIMESTAMP_TZ(:w, 'YYYY-MM-DD HH24:MI:SS.FF TZH:TZM')",
        lambda i: f"2024-01-01 12:00:0{i}.5 +05:00",
    )
    table = new_table(table_ddl(zoned))
    insert(writer, table, zoned, {1: zoned.value(1), 2: "2024-01-01 08:00:01.5 +00:00"})
    writer.commit()
    job = make_job(table)
    first = job.run()
    assert first.ids == {1, 2}
    assert first.window.high == "2024-01-01 08:00:01.500000000"  # 12:00 +05:00 is 07:00 UTC
    insert(writer, table, zoned, {3: zoned.value(2), 4: "2024-01-01 04:00:02.5 -04:00"})
    writer.commit()
    second = job.run()
    assert second.ids == {4}
    assert second.window.high == "2024-01-01 08:00:02.500000000"


def test_a_maximum_read_back_inexactly_is_refused_not_rounded(
    new_table: Callable[[str], str], make_job: Callable[..., Job], writer: oracledb.Connection
) -> None:
    """Oracle's MAX over an unconstrained NUMBER is an exact NUMBER; a database (here the
    emulator, which computes it in double precision) that types it BINARY_DOUBLE must make the
    run fail clearly instead of recording a rounded watermark."""
    exact = Kind("NUMBER", "TO_NUMBER(:w)", lambda i: f"0.{i}0000000000000000001")
    table = new_table(table_ddl(exact))
    insert(writer, table, exact, {1: exact.value(1), 2: exact.value(3)})
    writer.commit()
    with pytest.raises(IncrementalError, match="exact text is unknown"):
        make_job(table).run()


def test_a_column_that_cannot_be_a_watermark_is_refused(
    new_table: Callable[[str], str], make_job: Callable[..., Job]
) -> None:
    table = new_table('CREATE TABLE "{name}" ("ID" NUMBER(10), "W" BINARY_DOUBLE, "S" VARCHAR2(9))')
    for column, shown in (("W", "BINARY_DOUBLE"), ("S", "VARCHAR2"), ("MISSING", "columns: ID")):
        with pytest.raises(IncrementalError, match=f"DEMO.{table}") as caught:
            make_job(table, column=column).run()
        assert column in str(caught.value) and shown in str(caught.value)
