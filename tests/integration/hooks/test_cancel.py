"""cancel() from another thread ends a stream with ExtractCancelledError and frees the session."""

from __future__ import annotations

import threading
from collections.abc import Callable

import oracledb
import pytest

from airflow_oracle_etl.hooks.errors import ExtractCancelledError
from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

from .test_streaming import _is_closed, _RecordingHook

#: a statement that runs until it is interrupted (a three-way self-join of 100,000 rows)
ENDLESS = "SELECT COUNT(*) FROM BENCH_ROWS a, BENCH_ROWS b, BENCH_ROWS c WHERE a.ID + b.ID = c.ID"
CANCEL_DELAY_S = 0.5


def test_cancel_between_batches(set_connection: Callable[..., str]) -> None:
    hook = _RecordingHook(oracle_conn_id=set_connection(), arraysize=1_000)
    fetched = 0
    with pytest.raises(ExtractCancelledError, match="cancelled after 1000 rows"):
        for batch in hook.stream_batches("SELECT ID FROM BENCH_ROWS"):
            fetched += len(batch)
            canceller = threading.Thread(target=hook.cancel)
            canceller.start()
            canceller.join()
    assert fetched == 1_000
    (connection,) = hook.opened
    assert _is_closed(connection)


def test_cancel_interrupts_a_running_statement(set_connection: Callable[..., str]) -> None:
    hook = _RecordingHook(oracle_conn_id=set_connection())
    timer = threading.Timer(CANCEL_DELAY_S, hook.cancel)
    timer.start()
    try:
        with pytest.raises(ExtractCancelledError) as caught:
            list(hook.stream_batches(ENDLESS))
    finally:
        timer.join()
    cause = caught.value.__cause__
    if cause is not None:  # interrupted on the server rather than between calls
        assert isinstance(cause, oracledb.Error)
        assert cause.args[0].code == 1013
    (connection,) = hook.opened
    assert _is_closed(connection)


def test_a_cancelled_hook_refuses_new_work(set_connection: Callable[..., str]) -> None:
    hook = _RecordingHook(oracle_conn_id=set_connection())
    hook.cancel()
    with pytest.raises(ExtractCancelledError, match="'oracle_test' was cancelled"):
        hook.current_scn()
    assert getattr(hook, "opened", []) == []


def test_cancel_without_open_connections_is_harmless(hook: OracleExtractHook) -> None:
    hook.cancel()
    hook.cancel()
    with pytest.raises(ExtractCancelledError):
        list(hook.stream_batches("SELECT 1 FROM DUAL"))
