"""OpenLineage datasets of the reads a task did, for Airflow's OpenLineage listener.

The operators' ``get_openlineage_facets_on_start/complete/failure`` call :func:`on_start`
and :func:`on_complete` with plain records (:mod:`.exports`). OpenLineage is imported only
inside these functions: without the ``openlineage`` extra they return None and nothing else
changes. They never raise either: lineage is a report about the task, not part of it, so a
failure while building it is logged and the datasets built so far are returned.

Names (the OpenLineage naming spec, and exactly what Airflow's OracleHook reports):

- input: namespace ``oracle://HOST:PORT`` (``SQLParser.create_namespace`` of
  ``OracleHook.get_openlineage_database_info``), name ``DATABASE.OWNER.TABLE`` (``DATABASE`` is
  the service name or SID; ``OWNER.TABLE`` without one), owner and table as the dictionary
  spells them. The connection's login and password appear nowhere.
- output: namespace ``gs://BUCKET``, name ``PREFIX/TRANSPORT/TABLE/run_id=RUN`` (every object
  of the table's run), with a ``symlinks`` identifier ``PREFIX/TRANSPORT/TABLE`` (type
  ``TABLE``) that groups the runs of one table.

Facets of a committed read: input ``schema`` (Oracle DATA_TYPE, column comment) and
``inputFacets.oracleEtl_read`` (:mod:`.facets`); output ``schema`` (JSON field, BigQuery
type), ``columnLineage`` (each field from its column, IDENTITY) and
``outputFacets.outputStatistics`` (rows, compressed bytes, parts). A ``sql=`` read adds the
job facet ``sql``; its inputs are the tables its query names, parsed (never asked of the
database), and a query that does not parse has none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_oracle_etl.hooks.settings import connection_owner
from airflow_oracle_etl.lineage.exports import ReadNames, ReadRecord

if TYPE_CHECKING:
    from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook

__all__ = [
    "GCS_SCHEME",
    "SourceDatabase",
    "build_complete",
    "build_start",
    "dsn_address",
    "input_name",
    "on_complete",
    "on_start",
    "openlineage_available",
    "query_tables",
    "source_database",
]

log = logging.getLogger(__name__)

GCS_SCHEME = "gs"
SQL_DIALECT = "oracle"
#: the symlink type of a table's stable path (runs of one table grouped under it)
TABLE_SYMLINK_TYPE = "TABLE"
#: OracleHook's default port, when a descriptor gives none
ORACLE_PORT = 1521
_DESCRIPTOR_HOST = re.compile(r"\(\s*HOST\s*=\s*([^)\s]+)\s*\)", re.IGNORECASE)
_DESCRIPTOR_PORT = re.compile(r"\(\s*PORT\s*=\s*(\d+)\s*\)", re.IGNORECASE)
_DESCRIPTOR_SERVICE = re.compile(r"\(\s*(?:SERVICE_NAME|SID)\s*=\s*([^)\s]+)\s*\)", re.IGNORECASE)
_EASY_CONNECT = re.compile(
    r"(?:tcps?://)?(?P<host>[A-Za-z0-9_.\-]+)(?::(?P<port>\d+))?(?:/(?P<service>[^?/:\s]+))?"
    r"(?:[:/][^?]*)?(?:\?.*)?",
    re.IGNORECASE,
)
#: tables a query may name that are not data (``SELECT ... FROM DUAL``)
_NOT_DATA = {("SYS", "DUAL"), (None, "DUAL")}


@dataclass(frozen=True, kw_only=True)
class SourceDatabase:
    """The Oracle database of a task, as lineage names it (no credentials).

    :ivar namespace: ``oracle://HOST:PORT``
    :ivar database: the service name or SID; None when the connection gives neither
    :ivar default_owner: the connection's default owner (its ``schema``), which qualifies
        unqualified tables of a query; None when only the session knows it
    """

    namespace: str
    database: str | None
    default_owner: str | None = None


def openlineage_available() -> bool:
    """Whether Airflow's OpenLineage provider (the ``openlineage`` extra) can be imported."""
    try:
        import airflow.providers.common.compat.openlineage.facet  # noqa: F401
        from airflow.providers.openlineage.extractors import OperatorLineage  # noqa: F401
        from airflow.providers.openlineage.sqlparser import SQLParser  # noqa: F401
    except ImportError:
        return False
    return True


def source_database(hook: OracleExtractHook) -> SourceDatabase:
    """The task's database as Airflow's OracleHook names it for OpenLineage; reads the
    Airflow connection (TNS aliases resolved), asks the database nothing.

    A connection without a host (a TNS alias, resolved into its descriptor, or a descriptor
    or Easy Connect string in the ``dsn`` extra) gives OracleHook no host to name: the host,
    port and service of the descriptor's first address are taken instead, so the same
    database has the same namespace whichever way its connection names it.
    """
    from airflow.providers.openlineage.sqlparser import SQLParser

    connection = hook.get_connection(hook.oracle_conn_id)
    info = hook.get_openlineage_database_info(connection)
    database = info.database or None
    dsn = connection.extra_dejson.get("dsn")
    if not connection.host and isinstance(dsn, str) and (address := dsn_address(dsn)):
        host, port, service = address
        info.authority = f"{host}:{port or ORACLE_PORT}"
        database = database or service
    return SourceDatabase(
        namespace=SQLParser.create_namespace(info),
        database=database,
        default_owner=connection_owner(connection),
    )


def dsn_address(dsn: str) -> tuple[str, int | None, str | None] | None:
    """``(host, port, service)`` of a connect descriptor's first address, or of an Easy
    Connect string (``[tcps://]host[:port][/service][?...]``); None for anything else."""
    if "(" in dsn:
        host = _DESCRIPTOR_HOST.search(dsn)
        if host is None:
            return None
        port = _DESCRIPTOR_PORT.search(dsn)
        service = _DESCRIPTOR_SERVICE.search(dsn)
        return (
            host.group(1),
            None if port is None else int(port.group(1)),
            None if service is None else service.group(1),
        )
    match = _EASY_CONNECT.fullmatch(dsn.strip())
    if match is None:
        return None
    port_text = match["port"]
    return match["host"], None if port_text is None else int(port_text), match["service"]


def input_name(database: SourceDatabase, owner: str, table: str) -> str:
    """``DATABASE.OWNER.TABLE``, or ``OWNER.TABLE`` without a database."""
    parts = [database.database, owner, table] if database.database else [owner, table]
    return ".".join(parts)


def on_start(hook: OracleExtractHook, planned: Callable[[str | None], Sequence[ReadNames]]) -> Any:
    """The datasets a task is about to read and write, by name only.

    :param planned: the task's reads given the connection's default owner (a read whose
        names depend on the session is left out)
    :returns: an ``OperatorLineage``; None without the extra or when nothing could be built
    """
    if not openlineage_available():
        return None
    try:
        database = source_database(hook)
        return build_start(database, planned(database.default_owner))
    except Exception:
        log.warning("OpenLineage: the task's datasets could not be named", exc_info=True)
        return None


def on_complete(hook: OracleExtractHook, records: Sequence[ReadRecord]) -> Any:
    """The datasets of the task's committed reads, with every facet (an empty lineage for a
    task that committed nothing).

    :returns: an ``OperatorLineage``; None without the extra or without the database's names
    """
    if not openlineage_available():
        return None
    try:
        return build_complete(source_database(hook), records)
    except Exception:
        log.warning("OpenLineage: the task's database could not be named", exc_info=True)
        return None


def build_start(database: SourceDatabase, reads: Sequence[ReadNames]) -> Any:
    """The ``OperatorLineage`` of reads about to run: datasets by name, no facets but the
    job's ``sql``. Needs the extra."""
    return _lineage(database, reads, _named_datasets)


def build_complete(database: SourceDatabase, records: Sequence[ReadRecord]) -> Any:
    """The ``OperatorLineage`` of committed reads, every facet. Needs the extra."""
    return _lineage(database, records, _committed_datasets)


def _lineage(database: SourceDatabase, reads: Sequence[Any], datasets: Callable[..., Any]) -> Any:
    """Each read's datasets into one ``OperatorLineage``; a read whose datasets fail is
    logged and left out, the others stay."""
    from airflow.providers.openlineage.extractors import OperatorLineage

    lineage: OperatorLineage = OperatorLineage()
    for read in reads:
        try:
            inputs, outputs, job_facets = datasets(database, read)
        except Exception:
            log.warning(
                "OpenLineage: no datasets for the read into %s",
                getattr(getattr(read, "names", read), "run_path", "?"),
                exc_info=True,
            )
            continue
        lineage.inputs.extend(input for input in inputs if input not in lineage.inputs)
        lineage.outputs.extend(outputs)
        lineage.job_facets.update(job_facets)
    return lineage


def _named_datasets(database: SourceDatabase, names: ReadNames) -> tuple[list, list, dict]:
    from airflow.providers.common.compat.openlineage.facet import InputDataset, OutputDataset

    inputs = [
        InputDataset(namespace=database.namespace, name=name) for name in _sources(database, names)
    ]
    outputs = [OutputDataset(namespace=_bucket_namespace(names.bucket), name=names.run_path)]
    return inputs, outputs, _job_facets(names)


def _committed_datasets(database: SourceDatabase, record: ReadRecord) -> tuple[list, list, dict]:
    from airflow.providers.common.compat.openlineage.facet import (
        ColumnLineageDatasetFacet,
        Fields,
        Identifier,
        InputDataset,
        InputField,
        OutputDataset,
        OutputStatisticsOutputDatasetFacet,
        SchemaDatasetFacet,
        SchemaDatasetFacetFields,
        SymlinksDatasetFacet,
    )
    from openlineage.client.generated.column_lineage_dataset import Transformation

    from airflow_oracle_etl.lineage.facets import (
        READ_FACET_KEY,
        OracleEtlPartition,
        OracleEtlReadFacet,
        OracleEtlWindow,
    )

    names = record.names
    sources = _sources(database, names)
    window = record.window
    read_facet = OracleEtlReadFacet(
        scn=record.scn,
        window=None
        if window is None
        else OracleEtlWindow(
            column=window.column,
            kind=window.kind,
            low=window.low,
            high=window.high,
            fullRefresh=window.full_refresh,
        ),
        partition=None
        if record.partition is None
        else OracleEtlPartition(index=record.partition.index, count=record.partition.count),
    )
    input_facets: dict[str, Any] = {}
    output_facets: dict[str, Any] = {
        "symlinks": SymlinksDatasetFacet(
            identifiers=[
                Identifier(
                    namespace=_bucket_namespace(names.bucket),
                    name=names.table_path,
                    type=TABLE_SYMLINK_TYPE,
                )
            ]
        )
    }
    columns = record.columns
    if columns is not None:
        input_facets["schema"] = SchemaDatasetFacet(
            fields=[
                SchemaDatasetFacetFields(
                    name=column.name,
                    type=column.data_type,
                    description=column.comment or None,
                    ordinal_position=position,
                )
                for position, column in enumerate(columns, start=1)
            ]
        )
        output_facets["schema"] = SchemaDatasetFacet(
            fields=[
                SchemaDatasetFacetFields(
                    name=column.field, type=column.bigquery_type, ordinal_position=position
                )
                for position, column in enumerate(columns, start=1)
            ]
        )
        if names.table is not None and len(sources) == 1:
            output_facets["columnLineage"] = ColumnLineageDatasetFacet(
                fields={
                    column.field: Fields(
                        inputFields=[
                            InputField(
                                namespace=database.namespace,
                                name=sources[0],
                                field=column.name,
                                transformations=[Transformation(type="DIRECT", subtype="IDENTITY")],
                            )
                        ],
                        transformationType="IDENTITY",
                        transformationDescription="identical",
                    )
                    for column in columns
                }
            )
    inputs = [
        InputDataset(
            namespace=database.namespace,
            name=name,
            facets=dict(input_facets),
            inputFacets={READ_FACET_KEY: read_facet},
        )
        for name in sources
    ]
    outputs = [
        OutputDataset(
            namespace=_bucket_namespace(names.bucket),
            name=names.run_path,
            facets=output_facets,
            outputFacets={
                "outputStatistics": OutputStatisticsOutputDatasetFacet(
                    rowCount=record.rows, size=record.stored_bytes, fileCount=record.parts
                )
            },
        )
    ]
    return inputs, outputs, _job_facets(names)


def _job_facets(names: ReadNames) -> dict[str, Any]:
    if names.query is None:
        return {}
    from airflow.providers.common.compat.openlineage.facet import SQLJobFacet

    return {"sql": SQLJobFacet(query=names.query, dialect=SQL_DIALECT)}


def _sources(database: SourceDatabase, names: ReadNames) -> list[str]:
    """The input names of a read: its table, or the tables its query names."""
    if names.table is not None:
        if names.owner is None:
            return []
        return [input_name(database, names.owner, names.table)]
    if names.query is None:
        return []
    return [
        input_name(database, owner, table)
        for owner, table in query_tables(names.query, database.default_owner)
    ]


def query_tables(query: str, default_owner: str | None) -> list[tuple[str, str]]:
    """``(OWNER, TABLE)`` of each table ``query`` reads, sorted, as the dictionary spells
    them (unquoted names upper-cased); unqualified tables take ``default_owner`` and are
    left out without one, as are ``DUAL`` and tables read through a database link. A query
    the parser cannot read gives none (logged at debug)."""
    from airflow.providers.openlineage.sqlparser import SQLParser

    try:
        parsed = SQLParser(dialect=SQL_DIALECT).parse(query)
    except Exception:
        log.debug("OpenLineage: the query could not be parsed", exc_info=True)
        return []
    if parsed is None or not parsed.in_tables:
        if parsed is not None and parsed.errors:
            log.debug("OpenLineage: the query could not be parsed: %s", parsed.errors)
        return []
    found: set[tuple[str, str]] = set()
    for table in parsed.in_tables:
        quotes = table.quote_style
        name = _dictionary_name(table.name, quoted=bool(quotes and quotes.name))
        owner = None
        if table.schema:
            owner = _dictionary_name(table.schema, quoted=bool(quotes and quotes.schema))
        if (owner, name) in _NOT_DATA:
            continue
        if "@" in name:  # through a database link: another database, named by its link
            log.debug("OpenLineage: %s of the query is remote; left out", name)
            continue
        owner = owner or default_owner
        if owner is None:
            log.debug("OpenLineage: %s of the query has no known owner; left out", name)
            continue
        found.add((owner, name))
    return sorted(found)


def _dictionary_name(name: str, *, quoted: bool) -> str:
    """Oracle folds unquoted identifiers to upper case; quoted ones are exact."""
    return name if quoted else name.upper()


def _bucket_namespace(bucket: str) -> str:
    return f"{GCS_SCHEME}://{bucket}"
