"""OracleExtractHook: OracleHook's connection, plus introspection and streaming fetches.

Connection handling is OracleHook's (thin mode by default, ``thick_mode``, wallets,
``service_name``/``sid``/``dsn`` extras...), with one fix: a ``schema`` that OracleHook uses as
the service name is not also made the session's current schema (see
:mod:`airflow_oracle_etl.hooks.settings`, which also documents how to fill the connection).

Every connection the hook opens first runs ``session_nls_sql``: ``ALTER SESSION SET
NLS_NUMERIC_CHARACTERS = '.,' NLS_SORT = 'BINARY' NLS_COMP = 'BINARY'``, the values the
provider's SQL depends on whatever the database's territory and language (numbers crossing as
text with a decimal point; restart keys and partition ranges compared byte for byte). Date
formats and the time zone are left alone: no SQL of the provider converts them implicitly
(see :mod:`airflow_oracle_etl.hooks.session_nls`).

Fetch options are set per cursor and per execute (``arraysize``, ``prefetchrows``,
``fetch_decimals=False``, ``fetch_lobs=True``, the output type handler and row factory), never
through OracleHook's ``fetch_decimals``/``fetch_lobs``, which change python-oracledb's
process-wide defaults; connection extras that set those cannot change what this hook fetches.

Faults: every connection is opened through :func:`~.connect_retry.connect_with_retries`
(a database or listener that is down is waited for, within the ``connect_retries`` budget; a
refused logon fails at once, and the task with it, without Airflow's retries). A query that
hits ORA-01555 or loses its connection raises :class:`SnapshotTooOldError` or
:class:`ConnectionLostError`, naming what was read and the connection.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

import oracledb
from airflow.providers.oracle.hooks.oracle import OracleHook
from airflow.sdk.exceptions import AirflowFailException

from airflow_oracle_etl.hooks import catalog, query
from airflow_oracle_etl.hooks.addresses import resolve_address
from airflow_oracle_etl.hooks.connect_retry import connect_with_retries
from airflow_oracle_etl.hooks.connections import ConnectionKeeper
from airflow_oracle_etl.hooks.cursor import ExtractCursor
from airflow_oracle_etl.hooks.describe import columns_from_description
from airflow_oracle_etl.hooks.errors import (
    ExtractCancelledError,
    LogonRefusedError,
    SnapshotPrivilegeError,
    TableNotFoundError,
)
from airflow_oracle_etl.hooks.failures import describe_source, query_failure
from airflow_oracle_etl.hooks.introspection import (
    COLUMNS_SQL,
    MAX_NAMES_PER_QUERY,
    PRIMARY_KEY_SQL,
    TABLE_SQL,
    bulk_binds,
    bulk_sql,
    table_metadata,
)
from airflow_oracle_etl.hooks.session_nls import SESSION_NLS_SQL
from airflow_oracle_etl.hooks.settings import (
    ConnectRetrySettings,
    FetchSettings,
    connect_retry_settings,
    connection_owner,
    fetch_settings,
    positive_int,
    schema_is_service_name,
    with_schema_as_service_name,
)
from airflow_oracle_etl.identifiers import parse_identifier, parse_table_name
from airflow_oracle_etl.metadata import OracleColumn, TableMetadata

__all__ = ["LogonRefusedTaskError", "OracleExtractHook"]

log = logging.getLogger(__name__)

#: rows per round trip for data dictionary queries (Oracle allows at most 1,000 columns)
DICTIONARY_ARRAYSIZE = 1_000
#: rows per round trip (and prefetched with the execute) for the catalog query: its rows are
#: five short columns, so a schema of a few thousand tables comes in one or two round trips
CATALOG_ARRAYSIZE = 5_000
#: ORA numbers of "you may not read this": table or view does not exist / insufficient privileges
ORA_TABLE_OR_VIEW_DOES_NOT_EXIST = 942
ORA_INSUFFICIENT_PRIVILEGES = 1031
_SCN_PRIVILEGE_CODES = frozenset({ORA_TABLE_OR_VIEW_DOES_NOT_EXIST, ORA_INSUFFICIENT_PRIVILEGES})

Parameters = Mapping[str, Any] | Sequence[Any] | None


class LogonRefusedTaskError(LogonRefusedError, AirflowFailException):
    """The refused logon the hook raises (earlier releases' name; every
    :class:`LogonRefusedError` is now permanent): Airflow fails the task without its retries,
    since each retry would be one more failed logon towards locking the account (a storm of
    them with many mapped tasks), and the credentials do not fix themselves between tries."""


class OracleExtractHook(OracleHook):
    """Reads Oracle tables and queries for extraction: introspection, SCN, batched streaming.

    Extras understood besides OracleHook's: ``arraysize`` and ``prefetchrows`` (positive
    integers, default 10,000), ``connect_retries``, ``connect_retry_delay`` and
    ``connect_retry_max_delay`` (default 5 retries from 1 s, doubling, at most 30 s each).
    Fill ``service_name`` (or ``sid``/``dsn``) in the extras and ``schema`` with the default
    owner; see :mod:`airflow_oracle_etl.hooks.settings`.

    Each method opens (and closes) its own connection, unless called inside
    :meth:`session`, which holds one connection for a whole extraction. :meth:`cancel` may be
    called from another thread or a signal handler (``on_kill``).

    :param oracle_conn_id: the Airflow connection (type ``oracle``).
    :param arraysize: rows per fetch round trip; overrides the ``arraysize`` extra.
    :param prefetchrows: rows returned with the execute; overrides the ``prefetchrows`` extra.
    :param thick_mode: use python-oracledb thick mode (default: the extra, else thin).
    """

    conn_name_attr = "oracle_conn_id"
    default_conn_name = "oracle_default"
    conn_type = "oracle"
    hook_name = "Oracle (extract to GCS)"

    #: where the SCN of a consistent snapshot is read
    current_scn_sql = query.CURRENT_SCN_SQL
    #: run on every new connection before anything else: the NLS values the provider's SQL
    #: depends on (see :mod:`airflow_oracle_etl.hooks.session_nls`); None sets nothing
    session_nls_sql: str | None = SESSION_NLS_SQL

    build_select = staticmethod(query.build_select)
    wrap_query = staticmethod(query.wrap_query)

    def __init__(
        self,
        *,
        oracle_conn_id: str = default_conn_name,
        arraysize: int | None = None,
        prefetchrows: int | None = None,
        thick_mode: bool | None = None,
    ) -> None:
        super().__init__(oracle_conn_id=oracle_conn_id, thick_mode=thick_mode)
        self._arraysize = None if arraysize is None else positive_int(arraysize, "arraysize")
        self._prefetchrows = (
            None if prefetchrows is None else positive_int(prefetchrows, "prefetchrows")
        )
        self._connections = ConnectionKeeper(self._connect, oracle_conn_id)
        self._default_owner: str | None = None
        #: metadata read ahead by :meth:`prefetch_metadata`, each taken once
        self._prefetched: dict[tuple[str, str], TableMetadata] = {}

    @classmethod
    def get_connection(cls, conn_id: str) -> Any:
        """The Airflow connection, with a ``schema`` that names the service moved to extras
        (OracleHook.get_conn would otherwise also set that service name as the current
        schema), and a TNS alias resolved from its tnsnames.ora (:mod:`.addresses`)."""
        connection = super().get_connection(conn_id)
        if schema_is_service_name(connection):
            connection = with_schema_as_service_name(connection)
        return resolve_address(connection)

    @cached_property
    def fetch_settings(self) -> FetchSettings:
        """arraysize/prefetchrows: constructor arguments, else connection extras, else 10,000."""
        return fetch_settings(
            self.connection.extra_dejson,
            self.get_conn_id(),
            arraysize=self._arraysize,
            prefetchrows=self._prefetchrows,
        )

    @cached_property
    def connect_retry_settings(self) -> ConnectRetrySettings:
        """connect_retries/connect_retry_delay/connect_retry_max_delay extras, else defaults."""
        return connect_retry_settings(self.connection.extra_dejson, self.get_conn_id())

    # -- connections -------------------------------------------------------------------------

    def _connect(self) -> oracledb.Connection:
        """OracleHook's ``get_conn``, waiting out a database that is down (see the module),
        then the session's NLS set to what the provider's SQL relies on (one round trip:
        ``NLS_NUMERIC_CHARACTERS='.,'``, ``NLS_SORT`` and ``NLS_COMP`` ``BINARY``, whatever
        the database's territory and language; see :mod:`.session_nls`)."""
        connection = connect_with_retries(
            self.get_conn,
            self.connect_retry_settings,
            conn_id=self.get_conn_id(),
            user=self._login,
            wait=self._connections.cancelled.wait,
            refused_error=LogonRefusedTaskError,
        )
        if self.session_nls_sql:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(self.session_nls_sql)
            except BaseException:
                connection.close()
                raise
        return connection

    def session(self) -> contextlib.AbstractContextManager[oracledb.Connection]:
        """Hold one connection for a block; the hook's methods called inside share it.

        Generators from :meth:`stream_batches` must be finished or closed inside the block.
        """
        return self._connections.session()

    def sibling(self) -> OracleExtractHook:
        """A hook on the same connection and settings with sessions of its own, for a read
        that runs beside this hook's on another thread (a connection serves one call at a
        time). It shares what this hook knows that holds for any session of the connection:
        the Airflow connection, the default owner and the metadata read ahead (each table's
        taken by whichever hook reads it first)."""
        sibling = type(self)(
            oracle_conn_id=self.get_conn_id(),
            arraysize=self._arraysize,
            prefetchrows=self._prefetchrows,
            thick_mode=self.thick_mode,
        )
        sibling.connection = self.connection
        sibling._default_owner = self._default_owner
        sibling._prefetched = self._prefetched
        return sibling

    def cancel(self) -> None:
        """Interrupt whatever runs on this hook's connections, and refuse further work.

        Safe from another thread or a signal handler (``on_kill``); never raises. The fetching
        thread then raises :class:`ExtractCancelledError` and closes what it opened.
        """
        self._connections.cancel()

    # -- introspection -----------------------------------------------------------------------

    def resolve_owner(self, owner: str | None = None) -> str:
        """The exact owner name to qualify tables with.

        ``owner`` (configured text) if given, else the connection's ``schema`` when it names an
        owner rather than the service, else the session's ``CURRENT_SCHEMA``.
        """
        if owner is not None:
            return parse_identifier(owner, what="owner")
        return self._owner_by_default()

    def _owner_by_default(self) -> str:
        if self._default_owner is None:
            self._default_owner = connection_owner(self.connection) or self._session_schema()
        return self._default_owner

    def get_table_metadata(self, table: str, owner: str | None = None) -> TableMetadata:
        """Columns (COLUMN_ID order), primary key, NUM_ROWS and comments of a table or view.

        :param table: ``TABLE`` or ``OWNER.TABLE`` as configured (unquoted names are
            upper-cased; quote mixed-case names: ``"Mixed_Case"``).
        :param owner: the owner, if ``table`` does not name one.
        """
        table_owner, name = parse_table_name(table, what="table")
        requested = None if owner is None else parse_identifier(owner, what="owner")
        if table_owner is not None and requested not in (None, table_owner):
            raise ValueError(f"table {table!r} names its owner, which differs from {owner!r}")
        with self.session():
            resolved = table_owner or requested or self._owner_by_default()
            metadata = self._prefetched.pop((resolved, name), None)
            if metadata is None:
                metadata = self._read_metadata(resolved, name)
        log.info(
            "Table %s: %d columns, primary key (%s), NUM_ROWS %s",
            metadata.qualified_name,
            len(metadata.columns),
            ", ".join(metadata.primary_key),
            metadata.num_rows,
        )
        return metadata

    def prefetch_metadata(self, tables: Sequence[tuple[str, str]]) -> int:
        """Read the metadata of many tables (exact ``(owner, name)``) in three queries per
        owner and up to :data:`~.introspection.MAX_NAMES_PER_QUERY` names, for the next
        :meth:`get_table_metadata` of each (a task reading many small tables would otherwise
        spend three round trips on each). Tables not found are left to
        :meth:`get_table_metadata`, which says why. Returns how many were read.
        """
        by_owner: dict[str, list[str]] = {}
        for owner, name in tables:
            by_owner.setdefault(owner, []).append(name)
        found = 0
        with (
            self.session(),
            self._connections.use() as connection,
            connection.cursor() as cursor,
        ):
            cursor.arraysize = DICTIONARY_ARRAYSIZE
            for owner, names in by_owner.items():
                unique = list(dict.fromkeys(names))
                for start in range(0, len(unique), MAX_NAMES_PER_QUERY):
                    chunk = unique[start : start + MAX_NAMES_PER_QUERY]
                    found += self._prefetch_chunk(cursor, owner, chunk)
        return found

    def _prefetch_chunk(self, cursor: oracledb.Cursor, owner: str, names: list[str]) -> int:
        binds = bulk_binds(owner, names)
        rows = {
            single: _rows_by_table(_fetch_all(cursor, bulk_sql(single, len(names)), binds))
            for single in (COLUMNS_SQL, PRIMARY_KEY_SQL, TABLE_SQL)
        }
        found = 0
        for name in names:
            columns = rows[COLUMNS_SQL].get(name)
            if not columns:
                continue
            table_rows = rows[TABLE_SQL].get(name)
            self._prefetched[(owner, name)] = table_metadata(
                owner,
                name,
                columns,
                rows[PRIMARY_KEY_SQL].get(name, []),
                table_rows[0] if table_rows else None,
            )
            found += 1
        return found

    def _read_metadata(self, owner: str, name: str) -> TableMetadata:
        binds = {"owner": owner, "name": name}
        with self._connections.use() as connection, connection.cursor() as cursor:
            cursor.arraysize = DICTIONARY_ARRAYSIZE
            column_rows = _fetch_all(cursor, COLUMNS_SQL, binds)
            if not column_rows:
                raise TableNotFoundError(owner, name, self.get_conn_id())
            key_rows = _fetch_all(cursor, PRIMARY_KEY_SQL, binds)
            table_rows = _fetch_all(cursor, TABLE_SQL, binds)
        return table_metadata(
            owner, name, column_rows, key_rows, table_rows[0] if table_rows else None
        )

    def list_catalog(
        self, owners: Sequence[str], *, current_schema: bool
    ) -> tuple[list[catalog.CatalogEntry], str]:
        """The tables and views of ``owners`` (exact names), and the schema owner-less table
        names resolve to, in one statement (see :mod:`.catalog`).

        :param current_schema: also list the objects of that schema (for tables configured
            without an owner). It is :meth:`resolve_owner`'s default: the connection's
            ``schema`` when it names an owner, else the session's ``CURRENT_SCHEMA``.
        """
        wanted = list(dict.fromkeys(owners))
        default = self._default_owner or connection_owner(self.connection)
        if current_schema and default is not None:
            wanted = list(dict.fromkeys([*wanted, default]))
        sql = catalog.catalog_sql(len(wanted), current_schema=current_schema and default is None)
        with (
            self.session(),
            self._connections.use() as connection,
            connection.cursor() as cursor,
        ):
            cursor.arraysize = CATALOG_ARRAYSIZE
            cursor.prefetchrows = CATALOG_ARRAYSIZE
            rows = _fetch_all(cursor, sql, catalog.catalog_binds(wanted))
        entries, session_schema = catalog.entries_from_rows(rows)
        self._default_owner = default or session_schema
        read = [*wanted, session_schema] if current_schema and default is None else wanted
        log.info(
            "Catalog of %s: %d table(s), %d view(s)",
            ", ".join(dict.fromkeys(read)) or "no owner",
            sum(entry.kind == catalog.KIND_TABLE for entry in entries),
            sum(entry.kind == catalog.KIND_VIEW for entry in entries),
        )
        return entries, self._default_owner

    def _session_schema(self) -> str:
        with self._connections.use() as connection, connection.cursor() as cursor:
            (schema,) = _fetch_all(cursor, query.CURRENT_SCHEMA_SQL, None)[0]
        return schema

    def current_scn(self) -> int:
        """The database's current SCN, to read every table of a run AS OF one snapshot."""
        with self._connections.use() as connection, connection.cursor() as cursor:
            try:
                (scn,) = _fetch_all(cursor, self.current_scn_sql, None)[0]
            except oracledb.DatabaseError as error:
                if _ora_code(error) not in _SCN_PRIVILEGE_CODES:
                    raise
                raise SnapshotPrivilegeError.for_current_scn(
                    self.get_conn_id(), _ora_full_code(error), self._login
                ) from error
        return int(scn)

    def describe_query(self, sql: str) -> tuple[OracleColumn, ...]:
        """The columns a query returns, parsed by the server but not executed.

        Bind variables need no values to be described, so none are taken.
        """
        with self._connections.use() as connection, connection.cursor() as cursor:
            cursor.parse(sql)
            if not cursor.description:
                raise ValueError(
                    "the sql given for extraction is not a query (it returns no columns)"
                )
            return columns_from_description(cursor.description)

    # -- streaming ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def open_cursor(
        self,
        sql: str,
        parameters: Parameters = None,
        *,
        batch_size: int | None = None,
        output_type_handler: Callable[..., Any] | None = None,
        rowfactory: Callable[..., Any] | None = None,
        source: str | None = None,
        arraysize: int | None = None,
    ) -> Iterator[ExtractCursor]:
        """Execute a query and yield it as an :class:`ExtractCursor` (description + batches).

        The cursor, and the connection unless inside :meth:`session`, are closed when the
        block ends, however it ends.

        :param parameters: bind values (by name or position), never pasted into the SQL.
        :param batch_size: rows per batch (default: the hook's arraysize).
        :param source: what the query reads, for error messages (e.g. ``DEMO.SALES p3/8``);
            default: the first table named after a FROM in ``sql``.
        :param arraysize: rows per round trip (and prefetched) for this query only, on the
            same connection: a read of whole LOB values asks for fewer rows at a time.
        """
        fetch_rows = self.fetch_settings.arraysize if arraysize is None else arraysize
        prefetch_rows = self.fetch_settings.prefetchrows if arraysize is None else arraysize
        size = fetch_rows if batch_size is None else batch_size
        size = positive_int(size, "batch_size")
        binds = _bind_values(parameters)
        label = source or describe_source(sql)
        with self._connections.use() as connection, connection.cursor() as cursor:
            cursor.arraysize = positive_int(fetch_rows, "arraysize")
            cursor.prefetchrows = prefetch_rows
            cursor.outputtypehandler = output_type_handler
            self._execute(cursor, sql, binds, label)
            if rowfactory is not None:
                cursor.rowfactory = rowfactory  # after execute: the driver resets it there
            extract = ExtractCursor(
                cursor,
                batch_size=size,
                cancelled=self._connections.cancelled,
                failure=lambda error, rows: query_failure(
                    error, source=label, conn_id=self.get_conn_id(), rows=rows
                ),
            )
            yield extract
            log.info("Fetched %d rows in %d batches", extract.rows_fetched, extract.batches_fetched)

    def stream_batches(
        self,
        sql: str,
        parameters: Parameters = None,
        *,
        batch_size: int | None = None,
        output_type_handler: Callable[..., Any] | None = None,
        rowfactory: Callable[..., Any] | None = None,
        source: str | None = None,
        arraysize: int | None = None,
    ) -> Iterator[list]:
        """Lists of rows until the result is exhausted; see :meth:`open_cursor`.

        Closing the generator early (or an error in it) closes the cursor and connection.
        """
        with self.open_cursor(
            sql,
            parameters,
            batch_size=batch_size,
            output_type_handler=output_type_handler,
            rowfactory=rowfactory,
            source=source,
            arraysize=arraysize,
        ) as cursor:
            yield from cursor

    def _execute(
        self, cursor: oracledb.Cursor, sql: str, binds: dict | list | None, source: str
    ) -> None:
        bind_names = sorted(binds) if isinstance(binds, dict) else len(binds or ())
        log.info("Executing on %r (binds: %s): %s", self.get_conn_id(), bind_names, sql)
        try:
            cursor.execute(sql, binds, fetch_decimals=False, fetch_lobs=True)
        except oracledb.Error as error:
            if self._connections.cancelled.is_set():
                raise ExtractCancelledError("extraction cancelled before its first row") from error
            reads_as_of = isinstance(binds, dict) and query.AS_OF_SCN_BIND in binds
            if reads_as_of and _ora_code(error) == ORA_INSUFFICIENT_PRIVILEGES:
                raise SnapshotPrivilegeError.for_flashback(
                    self.get_conn_id(), _ora_full_code(error), self._login
                ) from error
            failure = query_failure(
                error, source=source, conn_id=self.get_conn_id(), rows=0, fetching=False
            )
            if failure is not None:
                raise failure from error
            raise

    @property
    def _login(self) -> str:
        """The user name, for GRANT statements in error messages (a login is not a secret)."""
        return self.connection.login or "<user>"


def _rows_by_table(rows: Sequence[Sequence[Any]]) -> dict[str, list[Sequence[Any]]]:
    """Rows of a bulk dictionary query (table name first) by table, the name dropped."""
    grouped: dict[str, list[Sequence[Any]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row[1:])
    return grouped


def _fetch_all(cursor: oracledb.Cursor, sql: str, binds: dict[str, Any] | None) -> list[Any]:
    """Run a small query with fetch options pinned (process-wide defaults may differ)."""
    cursor.execute(sql, binds, fetch_decimals=False, fetch_lobs=False)
    return cursor.fetchall()


def _bind_values(parameters: Parameters) -> dict[str, Any] | list[Any] | None:
    """Bind values in the shapes python-oracledb accepts; a bare string is a mistake."""
    if parameters is None:
        return None
    if isinstance(parameters, Mapping):
        return dict(parameters)
    if isinstance(parameters, (str, bytes)) or not isinstance(parameters, Sequence):
        raise TypeError(
            "parameters must be a mapping or a sequence of bind values, "
            f"got {type(parameters).__name__}"
        )
    return list(parameters)


def _ora_code(error: oracledb.Error) -> int | None:
    detail = error.args[0] if error.args else None
    return getattr(detail, "code", None)


def _ora_full_code(error: oracledb.Error) -> str:
    detail = error.args[0] if error.args else None
    return getattr(detail, "full_code", None) or type(error).__name__
