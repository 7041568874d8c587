"""An executed extract query: its description, then its rows in batches.

Rows are fetched ``batch_size`` at a time with ``fetchmany`` (faster per row than iterating
the cursor) and handed on as the driver's lists, so at most one batch (plus the driver's
prefetch buffer) is held at any time, whatever the size of the result.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import oracledb

from airflow_oracle_etl.hooks.describe import columns_from_description
from airflow_oracle_etl.hooks.errors import ExtractCancelledError, OracleExtractError
from airflow_oracle_etl.metadata import OracleColumn

__all__ = ["ExtractCursor"]

log = logging.getLogger(__name__)


class ExtractCursor:
    """Iterate it for lists of rows; ``description``/``columns`` tell what the rows hold.

    It does not own the cursor: :meth:`OracleExtractHook.open_cursor` closes it.

    ``failure(error, rows_fetched)`` may turn a driver error of a fetch into a clearer one
    (ORA-01555, a lost connection); returning None lets the driver's error through.
    """

    def __init__(
        self,
        cursor: oracledb.Cursor,
        *,
        batch_size: int,
        cancelled: threading.Event,
        failure: Callable[[oracledb.Error, int], OracleExtractError | None] | None = None,
    ) -> None:
        self._cursor = cursor
        self._batch_size = batch_size
        self._cancelled = cancelled
        self._failure = failure
        self.rows_fetched = 0
        self.batches_fetched = 0

    @property
    def description(self) -> list[oracledb.FetchInfo]:
        """The driver's describe information (names, types, sizes), in select-list order."""
        return self._cursor.description or []

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.description)

    @property
    def columns(self) -> tuple[OracleColumn, ...]:
        """The result's columns, spelled as the data dictionary would spell them."""
        return columns_from_description(self.description)

    def __iter__(self) -> Iterator[list]:
        while True:
            batch = self._fetch()
            if not batch:
                return
            self.rows_fetched += len(batch)
            self.batches_fetched += 1
            yield batch

    def _fetch(self) -> list:
        # checked before every batch: rows already buffered by the driver need no round
        # trip, so a cancel would otherwise go unnoticed until the buffer runs dry
        if self._cancelled.is_set():
            raise ExtractCancelledError(f"extraction cancelled after {self.rows_fetched} rows")
        try:
            return self._cursor.fetchmany(self._batch_size)
        except oracledb.Error as error:
            if self._cancelled.is_set():
                raise ExtractCancelledError(
                    f"extraction cancelled after {self.rows_fetched} rows"
                ) from error
            failure = None if self._failure is None else self._failure(error, self.rows_fetched)
            if failure is not None:
                raise failure from error
            raise
