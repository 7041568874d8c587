"""Scrollable cursors through the real driver: every scroll mode, fetching on from where a
scroll left the cursor, the edges of the result, and the errors of scrolling outside it."""

from __future__ import annotations

import oracledb
import pytest

ROWS = 30


@pytest.fixture
def numbers(connection: oracledb.Connection, table_name: str) -> str:
    """A table of ROWS rows: ID 1..ROWS and a label naming it."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(5), LABEL VARCHAR2(20))")
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2)",
            [(i, f"row {i}") for i in range(1, ROWS + 1)],
        )
        connection.commit()
    return table_name


def _scrollable(
    connection: oracledb.Connection, table: str, arraysize: int = 4, prefetchrows: int = 2
) -> oracledb.Cursor:
    cursor = connection.cursor(scrollable=True)
    cursor.arraysize = arraysize
    cursor.prefetchrows = prefetchrows
    cursor.execute(f"SELECT ID FROM {table} ORDER BY ID")
    return cursor


def _ids(rows: list[tuple[int]]) -> list[int]:
    return [row[0] for row in rows]


def _code(failure: pytest.ExceptionInfo[oracledb.Error]) -> str:
    return failure.value.args[0].full_code


@pytest.mark.parametrize(("arraysize", "prefetchrows"), [(1, 0), (4, 2), (7, 0), (100, 100)])
def test_fetching_forward_gives_every_row_once(
    connection: oracledb.Connection, numbers: str, arraysize: int, prefetchrows: int
) -> None:
    cursor = _scrollable(connection, numbers, arraysize, prefetchrows)
    assert _ids(cursor.fetchall()) == list(range(1, ROWS + 1))
    assert cursor.rowcount == ROWS
    assert cursor.fetchone() is None


def test_scroll_first_after_reading_to_the_end(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.fetchall()
    cursor.scroll(mode="first")
    assert cursor.fetchone() == (1,)
    assert cursor.rowcount == 1
    assert _ids(cursor.fetchmany(6)) == [2, 3, 4, 5, 6, 7]  # fetches go on from there


def test_scroll_last(connection: oracledb.Connection, numbers: str) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.scroll(mode="last")
    assert cursor.fetchone() == (ROWS,)
    assert cursor.rowcount == ROWS
    assert cursor.fetchone() is None


@pytest.mark.parametrize("target", [1, 2, 15, ROWS - 1, ROWS])
def test_scroll_absolute(connection: oracledb.Connection, numbers: str, target: int) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.fetchmany(9)
    cursor.scroll(target, mode="absolute")
    assert cursor.rowcount == target - 1
    assert _ids(cursor.fetchmany(3)) == list(range(target, min(target + 3, ROWS + 1)))


def test_scroll_relative_forward_and_back(connection: oracledb.Connection, numbers: str) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.fetchmany(3)  # rows 1-3 consumed, row 4 still in the driver's buffer
    cursor.scroll(10)  # the row 10 past the current one is the next fetched
    assert cursor.fetchone() == (13,)
    cursor.scroll(-11)
    assert cursor.fetchone() == (2,)
    cursor.scroll(5)
    assert cursor.rowcount == 6
    assert _ids(cursor.fetchmany(2)) == [7, 8]


def test_scroll_relative_to_the_last_row(connection: oracledb.Connection, numbers: str) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.scroll(ROWS)
    assert cursor.rowcount == ROWS - 1
    assert _ids(cursor.fetchall()) == [ROWS]


@pytest.mark.parametrize(
    ("value", "mode"), [(ROWS + 1, "absolute"), (0, "absolute"), (ROWS + 1, "relative")]
)
def test_scrolling_past_either_end_is_refused(
    connection: oracledb.Connection, numbers: str, value: int, mode: str
) -> None:
    cursor = _scrollable(connection, numbers)
    with pytest.raises(oracledb.DatabaseError) as failure:
        cursor.scroll(value, mode=mode)
    assert _code(failure) == "DPY-2063"  # scroll operation would go out of the result set
    cursor.scroll(mode="last")  # the cursor stays usable
    assert cursor.fetchone() == (ROWS,)


def test_scrolling_before_the_first_row_is_refused(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.fetchmany(2)
    with pytest.raises(oracledb.DatabaseError) as failure:
        cursor.scroll(-3)
    assert _code(failure) == "DPY-2063"


def test_empty_result(connection: oracledb.Connection, numbers: str) -> None:
    cursor = connection.cursor(scrollable=True)
    cursor.execute(f"SELECT ID FROM {numbers} WHERE ID > :1", [ROWS])
    cursor.scroll(mode="last")
    assert cursor.fetchall() == []
    cursor.scroll(mode="first")
    assert cursor.fetchall() == []
    with pytest.raises(oracledb.DatabaseError) as failure:
        cursor.scroll(1, mode="absolute")
    assert _code(failure) == "DPY-2063"


def test_scroll_with_binds_keeps_their_values(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = connection.cursor(scrollable=True)
    cursor.arraysize = 2
    cursor.execute(f"SELECT ID * :factor FROM {numbers} WHERE ID <= :top ORDER BY ID", [10, 6])
    cursor.scroll(mode="last")
    assert cursor.fetchone() == (60,)
    cursor.scroll(2, mode="absolute")
    assert _ids(cursor.fetchall()) == [20, 30, 40, 50, 60]


def test_execute_again_reads_the_data_as_it_is_now(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers, arraysize=5, prefetchrows=0)
    cursor.fetchmany(5)
    with connection.cursor() as other:
        other.execute(f"DELETE FROM {numbers} WHERE ID <= 3")
    cursor.execute(f"SELECT ID FROM {numbers} ORDER BY ID")  # same statement, same cursor
    assert cursor.fetchone() == (4,)
    cursor.scroll(mode="last")
    assert cursor.fetchone() == (ROWS,)
    assert cursor.rowcount == ROWS - 3


def test_scrolling_keeps_the_result_read_at_execute(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers)
    with connection.cursor() as other:
        other.execute(f"DELETE FROM {numbers} WHERE ID = 1")
        connection.commit()
    cursor.scroll(mode="last")
    cursor.scroll(mode="first")
    assert cursor.fetchone() == (1,)
    assert cursor.rowcount == 1


def test_lob_columns(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(3), C CLOB)")
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2)",
            [(i, f"text {i}" * i) for i in range(1, 8)],
        )
    cursor = connection.cursor(scrollable=True)
    cursor.arraysize = 3
    cursor.execute(f"SELECT ID, C FROM {table_name} ORDER BY ID")
    cursor.scroll(mode="last")
    ident, clob = cursor.fetchone()
    assert (ident, clob.read()) == (7, "text 7" * 7)
    cursor.scroll(2, mode="absolute")
    assert [(i, c.read()) for i, c in cursor.fetchmany(2)] == [(2, "text 2" * 2), (3, "text 3" * 3)]


def test_scroll_after_dml_on_the_cursor_is_fetch_out_of_sequence(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers)
    cursor.execute(f"UPDATE {numbers} SET LABEL = 'x' WHERE ID = 1")
    with pytest.raises(oracledb.DatabaseError) as failure:
        cursor.scroll(mode="first")
    assert _code(failure) == "ORA-01002"


def test_the_driver_refuses_unknown_modes_and_plain_cursors(
    connection: oracledb.Connection, numbers: str
) -> None:
    cursor = _scrollable(connection, numbers)
    with pytest.raises(oracledb.ProgrammingError) as failure:
        cursor.scroll(mode="middle")
    assert _code(failure) == "DPY-2009"
    plain = connection.cursor()
    plain.execute(f"SELECT ID FROM {numbers}")
    with pytest.raises(oracledb.ProgrammingError) as failure:
        plain.scroll(mode="first")
    assert _code(failure) == "DPY-2068"


def test_plain_cursors_still_stop_at_the_end(connection: oracledb.Connection, numbers: str) -> None:
    """A plain cursor's result is let go at its end: the driver never comes back for it."""
    cursor = connection.cursor()
    cursor.arraysize = 7
    cursor.execute(f"SELECT ID FROM {numbers} ORDER BY ID")
    assert len(cursor.fetchall()) == ROWS
    assert cursor.fetchall() == []


def test_scrolling_a_large_table_matches_a_plain_fetch(connection: oracledb.Connection) -> None:
    """The demo table's rows come pre-encoded from the engine's row cache: any window of
    them, reached by scrolling, is the same as the plain cursor's rows there."""
    sql = "SELECT * FROM BENCH_ROWS ORDER BY ID"
    with connection.cursor() as plain:
        plain.arraysize = 1000
        expected = plain.execute(sql).fetchall()
    cursor = connection.cursor(scrollable=True)
    cursor.arraysize = 50
    cursor.execute(sql)
    middle = len(expected) // 2
    cursor.scroll(middle, mode="absolute")
    assert cursor.fetchmany(120) == expected[middle - 1 : middle + 119]
    cursor.scroll(-100)
    assert cursor.fetchone() == expected[middle + 18]
    cursor.scroll(mode="last")
    assert cursor.fetchall() == expected[-1:]
    assert cursor.rowcount == len(expected)
