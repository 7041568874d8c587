"""An :class:`EncodingPlan`: everything decided once for a column list, handed to the hook
(SELECT list, output type handler, row factory) and to the writer (encoder, BigQuery schema).

Use on a cursor, in this order (python-oracledb resets ``rowfactory`` on every execute)::

    plan = plan_columns(table.columns)
    cursor.outputtypehandler = plan.output_type_handler
    cursor.execute(f"SELECT {plan.select_list(quote_identifier)} FROM ...")
    cursor.rowfactory = plan.rowfactory
    encoder = plan.encoder()
    while rows := cursor.fetchmany():
        data = encoder.encode(rows)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from airflow_oracle_etl.encoding.bigquery import schema_fields
from airflow_oracle_etl.encoding.columns import ColumnEncoding, FetchMode, JsonKind
from airflow_oracle_etl.encoding.early import EARLY_ALIAS_PREFIX, EarlyFixer
from airflow_oracle_etl.encoding.errors import EncodingError
from airflow_oracle_etl.encoding.fetch import OutputTypeHandler
from airflow_oracle_etl.encoding.mapping import encode_column
from airflow_oracle_etl.encoding.rows import RowEncoder, row_type
from airflow_oracle_etl.metadata import OracleColumn

log = logging.getLogger(__name__)


class EncodingPlan:
    """The encodings of a column list and the objects built from them.

    :ivar encodings: one :class:`ColumnEncoding` per column, in column order
    :ivar output_type_handler: set as ``cursor.outputtypehandler`` before executing
    :ivar rowfactory: set as ``cursor.rowfactory`` *after* executing: a Struct class whose
        rows :meth:`encoder` writes as they are, or None (tuples) for the rare column list
        msgspec cannot name (a backslash or control character in a column name)
    """

    def __init__(
        self,
        encodings: Sequence[ColumnEncoding],
        *,
        omit_nulls: bool = False,
        early_dates: bool = False,
    ) -> None:
        self.encodings: tuple[ColumnEncoding, ...] = tuple(encodings)
        self.omit_nulls = omit_nulls
        self.early_dates = early_dates
        #: (column position, alias) of the extra items giving text before the year 1
        self.early_items = _early_items(self.encodings) if early_dates else []
        self.output_type_handler = OutputTypeHandler(
            self.encodings, extra=[alias for _, alias in self.early_items]
        )
        self.rowfactory: type[msgspec.Struct] | None = row_type(
            self.names, omit_nulls=omit_nulls, extra=len(self.early_items)
        )

    @property
    def names(self) -> list[str]:
        """The column names, which are also the JSON keys, in order."""
        return [encoding.name for encoding in self.encodings]

    @property
    def inline_lobs(self) -> tuple[str, ...]:
        """Columns whose LOBs are fetched whole, inline (CLOB, NCLOB, BLOB).

        A fetched batch holds ``arraysize`` of their values at once, so a caller fetching
        10,000 rows a round trip should lower its arraysize when this is not empty: memory
        is about arraysize x the largest LOB.
        """
        return tuple(
            encoding.name
            for encoding in self.encodings
            if encoding.fetch in (FetchMode.LONG, FetchMode.LONG_RAW)
        )

    def select_list(self, quote: Callable[[str], str]) -> str:
        """The SELECT list: one entry per column, expressions aliased back to the column's
        quoted name so that result names equal column names.

        :param quote: turns a column name into a quoted Oracle identifier (``'"NAME"'``)
        """
        items = [
            encoding.select_expression(quote(encoding.name), early=self.early_dates)
            for encoding in self.encodings
        ]
        for position, alias in self.early_items:
            encoding = self.encodings[position]
            items.append(encoding.early_expression(quote(encoding.name), quote(alias)))
        return ", ".join(items)

    def with_early_dates(self) -> EncodingPlan:
        """This plan reading DATE and TIMESTAMP(0-6) values before the year 1 as text (see
        :mod:`.early`): the driver fails on a fetch of one read as a datetime."""
        return EncodingPlan(self.encodings, omit_nulls=self.omit_nulls, early_dates=True)

    @property
    def reads_early_dates(self) -> bool:
        """Whether a value before the year 1 can fail this plan's fetch (a datetime column
        read without :meth:`with_early_dates`)."""
        return not self.early_dates and any(e.early_model for e in self.encodings)

    def encoder(self) -> RowEncoder:
        """A JSON Lines encoder for the rows a cursor set up by this plan returns (row
        Structs from :attr:`rowfactory`, or tuples in column order)."""
        early = None
        if self.early_items:
            width = len(self.encodings)
            slots = [(position, width + k) for k, (position, _) in enumerate(self.early_items)]
            fields = getattr(self.rowfactory, "__struct_fields__", None)
            early = EarlyFixer(slots, fields)
        return RowEncoder(self.names, self.rowfactory, omit_nulls=self.omit_nulls, early=early)

    def bigquery_schema(self) -> list[dict[str, Any]]:
        """BigQuery's JSON schema of the rows this plan writes."""
        return schema_fields(self.encodings)


def _early_items(encodings: Sequence[ColumnEncoding]) -> list[tuple[int, str]]:
    """(position, alias) of each column read with an early-text item, the aliases unlike any
    column name."""
    names = {encoding.name for encoding in encodings}
    prefix = EARLY_ALIAS_PREFIX
    while any(name.startswith(prefix) for name in names):
        prefix += "_"
    return [
        (position, f"{prefix}{position}")
        for position, encoding in enumerate(encodings)
        if encoding.early_model is not None
    ]


def _encodings(
    columns: Sequence[OracleColumn],
    trim_char: bool,
    type_overrides: Mapping[str, JsonKind | str] | None,
) -> list[ColumnEncoding]:
    overrides = dict(type_overrides or {})
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise EncodingError(
                f"column {column.name!r} appears twice; JSON keys must be unique (alias it)"
            )
        seen.add(column.name)
    unknown = sorted(set(overrides) - seen)
    if unknown:
        raise EncodingError(
            f"type overrides name unknown columns {unknown}; columns: {_columns_text(columns)}"
        )
    return [
        encode_column(column, trim_char=trim_char, override=overrides.get(column.name))
        for column in columns
    ]


def _columns_text(columns: Sequence[OracleColumn]) -> str:
    return ", ".join(column.name for column in columns)


def plan_columns(
    columns: Sequence[OracleColumn],
    *,
    trim_char: bool = False,
    omit_nulls: bool = False,
    type_overrides: Mapping[str, JsonKind | str] | None = None,
    early_dates: bool = False,
) -> EncodingPlan:
    """Decide how every column is selected, fetched, written and typed in BigQuery.

    :param columns: the columns to extract, in output order
    :param trim_char: RTRIM CHAR/NCHAR values (Oracle returns NULL for all-blank ones)
    :param omit_nulls: leave NULL columns out of a row's JSON object instead of writing null
    :param type_overrides: column name -> JSON kind (``string``, ``integer``, ``decimal`` or
        ``float``) to use instead of the type's default
    :param early_dates: read DATE and TIMESTAMP(0-6) values before the year 1 as text from
        the start (:meth:`EncodingPlan.with_early_dates`)
    :raises EncodingError: duplicate column names, or an override of an unknown column, an
        unknown kind, or a kind the column's type cannot take. Unknown Oracle types are not
        errors: they are logged and written as text.
    """
    if not columns:
        raise EncodingError("no columns to encode")
    encodings = _encodings(columns, trim_char, type_overrides)
    for encoding in encodings:
        if encoding.unknown:
            log.warning(
                "column %r has the type %s, which has no JSON mapping; it is written as text "
                "(BigQuery STRING)",
                encoding.name,
                encoding.oracle_type,
            )
    return EncodingPlan(encodings, omit_nulls=omit_nulls, early_dates=early_dates)


def bigquery_schema(
    columns: Sequence[OracleColumn],
    *,
    trim_char: bool = False,
    type_overrides: Mapping[str, JsonKind | str] | None = None,
) -> list[dict[str, Any]]:
    """BigQuery's JSON schema for ``columns`` (name, type, mode, description), as the rows
    a plan with the same options writes them."""
    return schema_fields(_encodings(columns, trim_char, type_overrides))
