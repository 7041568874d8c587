"""The open connections of one hook: opened per call or held for a session, cancellable.

Cancelling must work from another thread and from a signal handler (Airflow's ``on_kill``):
it sets a flag and sends the server a break on every open connection, and takes no lock that
I/O holds. The thread that was fetching sees ORA-01013 or the flag, raises
:class:`ExtractCancelledError`, and closes its own cursor and connection.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

import oracledb

from airflow_oracle_etl.hooks.errors import ExtractCancelledError

__all__ = ["ConnectionKeeper"]

log = logging.getLogger(__name__)


class ConnectionKeeper:
    """Lends connections made by ``connect`` and remembers them until they are closed."""

    def __init__(self, connect: Callable[[], oracledb.Connection], conn_id: str) -> None:
        self._connect = connect
        self._conn_id = conn_id
        self.cancelled = threading.Event()
        # re-entrant: cancel() may run in a signal handler on the thread holding the lock
        self._lock = threading.RLock()
        self._open: list[oracledb.Connection] = []
        self._held: oracledb.Connection | None = None

    @property
    def open_count(self) -> int:
        with self._lock:
            return len(self._open)

    @contextlib.contextmanager
    def session(self) -> Iterator[oracledb.Connection]:
        """Hold one connection for the block; :meth:`use` inside the block lends it."""
        if self._held is not None:
            yield self._held
            return
        with self._opened() as connection:
            self._held = connection
            try:
                yield connection
            finally:
                self._held = None

    @contextlib.contextmanager
    def use(self) -> Iterator[oracledb.Connection]:
        """The held session connection, else a connection opened for this block only."""
        if self._held is not None:
            yield self._held
        else:
            with self._opened() as connection:
                yield connection

    def cancel(self) -> None:
        """Interrupt every call in progress and refuse further work; never raises."""
        self.cancelled.set()
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.cancel()
            except Exception as error:  # being closed concurrently; on_kill must not fail
                log.warning("Could not interrupt a call on %r: %s", self._conn_id, error)
        log.info(
            "Cancelled extraction on %r (%d open connections)", self._conn_id, len(connections)
        )

    def raise_if_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise ExtractCancelledError(f"extraction on {self._conn_id!r} was cancelled")

    @contextlib.contextmanager
    def _opened(self) -> Iterator[oracledb.Connection]:
        self.raise_if_cancelled()
        connection = self._connect()
        with self._lock:
            self._open.append(connection)
        try:
            self.raise_if_cancelled()  # cancel() may have run before the connection was listed
            yield connection
        except oracledb.Error as error:
            if self.cancelled.is_set():  # e.g. ORA-01013 in a dictionary query
                raise ExtractCancelledError(
                    f"extraction on {self._conn_id!r} was cancelled"
                ) from error
            raise
        finally:
            with self._lock:
                self._open.remove(connection)
            try:
                connection.close()
            except oracledb.Error as error:  # broken by a cancel: the socket is gone anyway
                log.debug("Closing a connection of %r failed: %s", self._conn_id, error)
