"""The one error this package raises.

:class:`EncodingError` is a :class:`~airflow_oracle_etl.errors.ConfigurationError` (a
``ValueError`` that no retry can fix): every case is a value the caller passed or the database
returned that the type contract cannot write exactly (a duplicate column name, an override
naming an unknown column or kind, a fractional value in a column overridden to integer).
Unknown Oracle types are *not* errors: they are logged and written as strings.
"""

from __future__ import annotations

from airflow_oracle_etl.errors import ConfigurationError


class EncodingError(ConfigurationError):
    """A column list, override or value that cannot be encoded exactly; the message names
    the column."""
