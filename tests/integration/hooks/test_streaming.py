"""Streaming batches: exact counts, binds, per-cursor fetch settings, snapshots, clean-up."""

from __future__ import annotations

import decimal
from collections.abc import Callable

import oracledb
import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.hooks.query import AS_OF_SCN_BIND
from airflow_oracle_etl.identifiers import quote_identifier
from airflow_oracle_etl.metadata import TableMetadata


class _RecordingHook(OracleExtractHook):
    """Keeps the connections it opened, so a test can check they were closed."""

    def get_conn(self) -> oracledb.Connection:
        connection = super().get_conn()
        self.opened = [*getattr(self, "opened", []), connection]
        return connection


def _select_all(hook: OracleExtractHook, metadata: TableMetadata, **kwargs) -> str:
    select_list = ", ".join(quote_identifier(c.name) for c in metadata.columns)
    return hook.build_select(metadata, select_list, **kwargs)


def _is_closed(connection: oracledb.Connection) -> bool:
    try:
        connection.ping()
    except oracledb.InterfaceError as error:
        return error.args[0].full_code == "DPY-1001"  # not connected
    return False


@pytest.mark.parametrize("rows", [0, 1, 9_999, 10_000, 10_001])
def test_row_counts_are_exact(
    rows: int, hook: OracleExtractHook, bench_table: Callable[[int], str]
) -> None:
    metadata = hook.get_table_metadata(bench_table(rows))
    sizes, id_sum = [], 0
    for batch in hook.stream_batches(_select_all(hook, metadata), batch_size=10_000):
        sizes.append(len(batch))
        id_sum += sum(row[0] for row in batch)
    assert sum(sizes) == rows
    assert all(size == 10_000 for size in sizes[:-1])
    assert id_sum == rows * (rows + 1) // 2  # every ID 1..n exactly once


def test_batches_default_to_the_arraysize(set_connection: Callable[..., str]) -> None:
    hook = OracleExtractHook(oracle_conn_id=set_connection(), arraysize=3_000)
    sizes = [len(b) for b in hook.stream_batches("SELECT ID FROM BENCH_ROWS WHERE ID <= 7000")]
    assert sizes == [3_000, 3_000, 1_000]


def test_parameters_are_bound_not_pasted(hook: OracleExtractHook) -> None:
    sql = "SELECT ID FROM BENCH_ROWS WHERE ID <= :last AND NAME <> :name ORDER BY ID"
    hostile = "x' OR '1'='1"
    assert list(hook.stream_batches(sql, {"last": 3, "name": hostile})) == [[(1,), (2,), (3,)]]
    positional = "SELECT ID FROM BENCH_ROWS WHERE ID BETWEEN :1 AND :2 ORDER BY ID"
    assert list(hook.stream_batches(positional, [4, 5])) == [[(4,), (5,)]]
    with pytest.raises(TypeError, match="mapping or a sequence"):
        list(hook.stream_batches(sql, "3"))


def test_handler_and_rowfactory_apply_and_global_defaults_do_not(
    hook: OracleExtractHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what OracleHook does when a connection sets the fetch_decimals extra
    monkeypatch.setattr(oracledb.defaults, "fetch_decimals", True)

    def amounts_as_text(cursor: oracledb.Cursor, info: oracledb.FetchInfo) -> object:
        if info.name == "AMOUNT":
            return cursor.var(str, arraysize=cursor.arraysize)
        return None

    def as_dict(*values: object) -> dict[str, object]:
        return dict(zip(("ID", "AMOUNT"), values, strict=True))

    sql = "SELECT ID, AMOUNT FROM BENCH_ROWS WHERE ID <= 2 ORDER BY ID"
    with hook.open_cursor(sql, output_type_handler=amounts_as_text, rowfactory=as_dict) as cursor:
        assert cursor.column_names == ("ID", "AMOUNT")
        assert [c.data_type for c in cursor.columns] == ["NUMBER", "NUMBER"]
        rows = [row for batch in cursor for row in batch]
    assert len(rows) == 2
    assert isinstance(rows[0], dict)
    assert type(rows[0]["ID"]) is int  # not Decimal, whatever the process-wide default
    assert isinstance(rows[0]["AMOUNT"], str)
    assert decimal.Decimal(rows[0]["AMOUNT"]) == decimal.Decimal("185293.4")


def test_as_of_scn_hides_rows_committed_later(
    hook: OracleExtractHook, bench_table: Callable[[int], str], connection
) -> None:
    name = bench_table(10)
    metadata = hook.get_table_metadata(name)
    scn = hook.current_scn()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {name} SELECT * FROM BENCH_ROWS WHERE ID BETWEEN 11 AND 15")
    connection.commit()

    as_of = _select_all(hook, metadata, as_of_scn=True)
    snapshot = [r[0] for b in hook.stream_batches(as_of, {AS_OF_SCN_BIND: scn}) for r in b]
    now = [r[0] for b in hook.stream_batches(_select_all(hook, metadata)) for r in b]
    assert sorted(snapshot) == list(range(1, 11))
    assert sorted(now) == list(range(1, 16))


def test_as_of_scn_with_a_where_clause_and_its_own_binds(
    hook: OracleExtractHook, bench_table: Callable[[int], str]
) -> None:
    metadata = hook.get_table_metadata(bench_table(50))
    sql = _select_all(hook, metadata, where="ID > :low AND STATUS IS NOT NULL", as_of_scn=True)
    binds = {AS_OF_SCN_BIND: hook.current_scn(), "low": 40}
    ids = sorted(row[0] for batch in hook.stream_batches(sql, binds) for row in batch)
    assert ids and set(ids) <= set(range(41, 51))


def test_closing_the_generator_closes_cursor_and_connection(
    set_connection: Callable[..., str],
) -> None:
    hook = _RecordingHook(oracle_conn_id=set_connection(), arraysize=1_000)
    batches = hook.stream_batches("SELECT ID FROM BENCH_ROWS")
    assert len(next(batches)) == 1_000
    (connection,) = hook.opened
    assert not _is_closed(connection)
    batches.close()
    assert _is_closed(connection)


def test_a_failing_query_closes_its_connection(set_connection: Callable[..., str]) -> None:
    hook = _RecordingHook(oracle_conn_id=set_connection())
    with pytest.raises(oracledb.DatabaseError, match="ORA-00942"):
        list(hook.stream_batches("SELECT * FROM NO_SUCH_TABLE"))
    (connection,) = hook.opened
    assert _is_closed(connection)


def test_a_session_shares_one_connection(
    set_connection: Callable[..., str], bench_table: Callable[[int], str]
) -> None:
    name = bench_table(5)
    hook = _RecordingHook(oracle_conn_id=set_connection())
    with hook.session():
        metadata = hook.get_table_metadata(name)
        scn = hook.current_scn()
        sql = _select_all(hook, metadata, as_of_scn=True)
        rows = sum(len(b) for b in hook.stream_batches(sql, {AS_OF_SCN_BIND: scn}))
        (connection,) = hook.opened
        assert not _is_closed(connection)
    assert rows == 5
    assert _is_closed(connection)
