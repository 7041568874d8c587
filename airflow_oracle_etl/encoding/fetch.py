"""The python-oracledb output type handler of a plan: the driver does the exact conversions.

The handler runs once per column when a query is described, never per row. It asks the driver
for the fetch type each :class:`ColumnEncoding` chose and attaches its converter; columns the
driver already delivers in their JSON form get no variable at all (the driver's default path).

LOBs are fetched inline as LONG / LONG RAW (python-oracledb's documented way to fetch CLOB as
str and BLOB as bytes): one round trip, no locator per value, but a whole value is in memory at
once and the driver's limit for such a fetch is 1 GB per value. Values are not streamed in
pieces; a table of LOBs near that size needs its own path.

The handler identifies columns by their name in the result (each planned expression is aliased
back to its column's name). A result column the plan does not know means the SQL was not built
from the plan's SELECT list, and what only that SQL keeps (nanoseconds, zones) would be lost
without a trace: the handler refuses it, which fails the execute before any row is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import oracledb

from airflow_oracle_etl.encoding.columns import ColumnEncoding, FetchMode
from airflow_oracle_etl.encoding.errors import EncodingError

_FETCH_TYPES: dict[FetchMode, Any] = {
    FetchMode.TEXT: str,
    FetchMode.INTEGER: int,
    FetchMode.FLOAT: float,
    FetchMode.LONG: oracledb.DB_TYPE_LONG,  # the driver keeps NCLOB's national form
    FetchMode.LONG_RAW: oracledb.DB_TYPE_LONG_RAW,
}


def needs_variable(encoding: ColumnEncoding) -> bool:
    """Whether the driver's default fetch of the column must be changed."""
    return encoding.fetch is not FetchMode.DEFAULT or encoding.converter is not None


def fetch_variable(
    cursor: oracledb.Cursor, metadata: oracledb.FetchInfo, encoding: ColumnEncoding
) -> oracledb.Var | None:
    """The fetch variable for one column, or None for the driver's default."""
    if not needs_variable(encoding):
        return None
    fetch_type = _FETCH_TYPES.get(encoding.fetch, metadata.type)
    return cursor.var(
        fetch_type,
        arraysize=cursor.arraysize,
        # oracledb annotates ``outconverter: Callable = None``: None is its default, the
        # annotation forgets Optional
        outconverter=encoding.converter,  # type: ignore[arg-type]
    )


class OutputTypeHandler:
    """``cursor.outputtypehandler`` (signature ``(cursor, metadata)``) for a column list."""

    __slots__ = ("_by_name", "_extra")

    def __init__(self, encodings: Iterable[ColumnEncoding], extra: Iterable[str] = ()) -> None:
        self._by_name = {encoding.name: encoding for encoding in encodings}
        #: the plan's select items that are no column (text, fetched as the driver does)
        self._extra = frozenset(extra)

    def __call__(self, cursor: oracledb.Cursor, metadata: oracledb.FetchInfo) -> Any:
        encoding = self._by_name.get(metadata.name)
        if encoding is None and metadata.name in self._extra:
            return None
        if encoding is None:
            planned = ", ".join(self._by_name)
            raise EncodingError(
                f"result column {metadata.name!r} is not in the encoding plan (planned: "
                f"{planned}); select the plan's select_list()"
            )
        return fetch_variable(cursor, metadata, encoding)
