"""Transports: named sets of Oracle tables exported together, one YAML file each.

::

    transports, errors = load_transports("dags/transports")
    for transport in transports:
        for table in transport.tables_normalized():
            ...  # table.table_text, table.partitions, table.incremental ...

Every problem with a file is a :class:`TransportError` (a ``ValueError``) whose message lines
read ``FILE: FIELD.PATH: REASON``.

Modules: ``model`` (the structs and limits), ``checks`` (the rules beyond types),
``predicate`` (the ``where`` text check), ``selectors`` (schema selectors: patterns and their
resolution against the dictionary), ``loading`` (YAML to a validated model), ``errors``.
"""

from airflow_oracle_etl.transports.errors import Problem, TransportError
from airflow_oracle_etl.transports.loading import (
    load_transport,
    load_transports,
    parse_transport,
    transport_from_data,
)
from airflow_oracle_etl.transports.model import (
    Destination,
    FetchOptions,
    IncrementalOptions,
    IncrementalSetting,
    PackingOptions,
    PartsOptions,
    SchemaSelector,
    TableConfig,
    TableOptions,
    Transport,
)

__all__ = [
    "Destination",
    "FetchOptions",
    "IncrementalOptions",
    "IncrementalSetting",
    "PackingOptions",
    "PartsOptions",
    "Problem",
    "SchemaSelector",
    "TableConfig",
    "TableOptions",
    "Transport",
    "TransportError",
    "load_transport",
    "load_transports",
    "parse_transport",
    "transport_from_data",
]
