"""Oracle values -> exact JSON Lines, and the BigQuery schema of what is written.

The type contract (DESIGN.md) decided once per column list, never per value:

- :func:`plan_columns` -> :class:`EncodingPlan`: the SELECT list (SQL where the driver would
  lose information), the cursor's output type handler and row factory, the JSON Lines
  encoder, the BigQuery schema.
- :func:`bigquery_schema`: the schema alone.

Errors: :class:`EncodingError` (a :class:`ValueError`) for a column list or override that
cannot be encoded exactly, and for a value that breaks an override. Unknown Oracle types are
written as text with a warning, never an error.
"""

from __future__ import annotations

from airflow_oracle_etl.encoding.columns import ColumnEncoding, FetchMode, JsonKind
from airflow_oracle_etl.encoding.errors import EncodingError
from airflow_oracle_etl.encoding.mapping import encode_column
from airflow_oracle_etl.encoding.plan import EncodingPlan, bigquery_schema, plan_columns
from airflow_oracle_etl.encoding.rows import RowEncoder

__all__ = [
    "ColumnEncoding",
    "EncodingError",
    "EncodingPlan",
    "FetchMode",
    "JsonKind",
    "RowEncoder",
    "bigquery_schema",
    "encode_column",
    "plan_columns",
]
