"""DDL: create, alter and drop schema objects (Oracle commits around every DDL statement).

Tables get a DuckDB storage table named by object id and a catalogue entry with their
declared types; views are kept as Oracle text and expanded into each query that uses them
(so they read with the querying statement's snapshot); sequences live in the catalogue.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from oracle_emulator.api import ColumnInfo, OracleError, OracleType
from oracle_emulator.sql import editions, parsing, privileges, proxy_users
from oracle_emulator.sql.catalogue import (
    CONSTRAINT_CHECK,
    CONSTRAINT_FOREIGN,
    CONSTRAINT_PRIMARY,
    Column,
    Constraint,
    Index,
    Sequence,
    Table,
    View,
)
from oracle_emulator.sql.ddlparse import (
    ColumnDef,
    ConstraintDef,
    CreateTable,
    parse_column,
    parse_create_table,
    parse_out_of_line_constraint,
)
from oracle_emulator.sql.ddltokens import TokenStream
from oracle_emulator.sql.errors import (
    ORA_USER_NOT_FOUND,
    invalid_identifier,
    name_in_use,
    table_not_found,
)
from oracle_emulator.sql.oratypes import DeclaredType, quote_ident

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

log = logging.getLogger(__name__)

ORA_DUPLICATE_COLUMN = 957
ORA_NO_PARENT_KEY = 2270
ORA_SEQUENCE_NOT_FOUND = 2289
IDENTITY_PREFIX = "ISEQ$$_"


def execute_ddl(session: EmulatorSession, sql: str) -> None:
    """Run one DDL statement (the caller has committed the session's transaction)."""
    stream = TokenStream(sql)
    verb = stream.name()
    handler = _VERBS.get(verb)
    if handler is None:
        raise OracleError(900, "invalid SQL statement")
    session_only = verb == "ALTER" and stream.at_word("SESSION")
    handler(session, stream)
    if not session_only:  # ALTER SESSION changes no catalogue object: plans elsewhere stay
        session.db.after_ddl()


def _owner(session: EmulatorSession, owner: str | None) -> str:
    return owner or session.schema


# -- CREATE ------------------------------------------------------------------------------------


def _create(session: EmulatorSession, stream: TokenStream) -> None:
    stream.accept_words("OR", "REPLACE")
    prefixes = {
        word
        for word in (
            "FORCE",
            "NOFORCE",
            "EDITIONABLE",
            "NONEDITIONABLE",
            "GLOBAL",
            "TEMPORARY",
            "PRIVATE",
            "BIGFILE",
        )
        if stream.accept_word(word)  # in this order, each at most once
    }
    if stream.accept_word("TABLE"):
        global_temporary = {"GLOBAL", "TEMPORARY"} <= prefixes
        create_table(session, parse_create_table(stream, global_temporary=global_temporary))
    elif stream.accept_word("UNIQUE"):
        stream.expect_word("INDEX")
        _create_index(session, stream, unique=True)
    elif stream.accept_word("BITMAP") or stream.at_word("INDEX"):
        stream.expect_word("INDEX")
        _create_index(session, stream, unique=False)
    elif stream.accept_word("SEQUENCE"):
        _create_sequence(session, stream)
    elif stream.accept_word("VIEW"):
        replace = "OR REPLACE" in stream.text[: stream.peek().start if stream.peek() else 0].upper()
        _create_view(session, stream, replace)
    elif stream.accept_word("USER"):
        name = stream.name()
        stream.expect_word("IDENTIFIED")
        stream.expect_word("BY")
        token = stream.next()
        password = (
            token.value
            if token.quoted or token.kind != "ident"
            else stream.text[token.start : token.end]
        )
        session.db.create_user(name, password, exists_ok=False)
    elif stream.accept_word("EDITION"):
        editions.create_edition(session.db.catalogue, session.username, stream)
    elif stream.accept_words("PUBLIC", "SYNONYM") or stream.accept_word("SYNONYM"):
        log.info("CREATE SYNONYM accepted and ignored: %s", stream.text)
    else:
        raise OracleError(901, "invalid CREATE command")


def create_table(session: EmulatorSession, statement: CreateTable) -> Table:
    db = session.db
    owner = _owner(session, statement.owner)
    _check_user(session, owner)
    if statement.as_select is not None:
        return _create_table_as(session, owner, statement)
    with db.catalogue.lock:
        if db.catalogue.object_kind(owner, statement.name):
            raise name_in_use()
        object_id = db.catalogue.new_object_id()
        columns = [_column(session, owner, object_id, c) for c in statement.columns]
        _check_duplicates(columns)
        defs = [c for col in statement.columns for c in col.constraints] + statement.constraints
        constraints = [_constraint(session, owner, d) for d in defs]
        pk_columns = {n for c in constraints if c.kind == CONSTRAINT_PRIMARY for n in c.columns}
        columns = [
            Column(c.name, c.type, c.nullable and c.name not in pk_columns, c.default, c.comment)
            for c in columns
        ]
        table = Table(
            owner,
            statement.name,
            object_id,
            tuple(columns),
            tuple(constraints),
            duration=statement.duration,
        )
        db.create_storage(session.cursor, table)
    return table


def _column(session: EmulatorSession, owner: str, object_id: int, column: ColumnDef) -> Column:
    assert column.type is not None
    default = column.default
    if column.identity:
        name = f"{IDENTITY_PREFIX}{object_id}"
        seq = Sequence(owner, name, session.db.catalogue.new_object_id())
        session.db.catalogue.sequences[(owner, name)] = seq
        default = f'"{name}".NEXTVAL'
    return Column(column.name, column.type, column.nullable, default)


def _check_duplicates(columns: list[Column]) -> None:
    seen = set()
    for column in columns:
        if column.name in seen:
            raise OracleError(ORA_DUPLICATE_COLUMN, "duplicate column name")
        seen.add(column.name)


def _constraint(session: EmulatorSession, owner: str, definition: ConstraintDef) -> Constraint:
    name = definition.name or session.db.generated_constraint_name()
    if definition.kind != CONSTRAINT_FOREIGN:
        if definition.kind == CONSTRAINT_CHECK:
            log.info("CHECK constraint %s recorded, not enforced: %s", name, definition.condition)
        return Constraint(
            name,
            definition.kind,
            tuple(definition.columns),
            condition=definition.condition,
            generated=definition.name is None,
        )
    ref_owner = definition.ref_owner or owner
    parent = session.db.catalogue.tables.get((ref_owner, definition.ref_table or ""))
    if parent is None:
        raise table_not_found()
    wanted = tuple(definition.ref_columns) or (
        parent.primary_key().columns if parent.primary_key() else ()
    )
    key = next((c for c in parent.unique_keys() if c.columns == wanted), None)
    if key is None:
        raise OracleError(
            ORA_NO_PARENT_KEY, "no matching unique or primary key for this column-list"
        )
    return Constraint(
        name, CONSTRAINT_FOREIGN, tuple(definition.columns), ref_owner, parent.name, key.name,
        generated=definition.name is None,
    )  # fmt: skip


def _create_table_as(session: EmulatorSession, owner: str, statement: CreateTable) -> Table:
    from oracle_emulator.sql.query import describe_query, plan_query

    select = statement.as_select or ""
    tree, count = parsing.parse(select)
    infos = describe_query(session, plan_query(session, tree, [None] * count))
    names = [c.name for c in statement.columns] or [i.name for i in infos]
    if len(names) != len(infos):
        raise OracleError(1730, "invalid number of column names specified")
    columns = [
        ColumnDef(n, declared_from_info(i), i.nullable) for n, i in zip(names, infos, strict=True)
    ]
    table = create_table(
        session, CreateTable(owner, statement.name, columns, duration=statement.duration)
    )
    target = f"{quote_ident(owner)}.{quote_ident(table.name)}"
    session.db.dispatcher.dispatch(session, f"INSERT INTO {target} {select}", [])
    session.commit_unlocked()
    return table


def declared_from_info(info: ColumnInfo) -> DeclaredType:
    """The declared type a CREATE TABLE AS SELECT column gets from a result column."""
    kind = info.type
    if kind is OracleType.NUMBER:
        if info.scale == -127:
            return DeclaredType(
                kind, precision=info.precision or None, is_float=bool(info.precision)
            )
        return DeclaredType(kind, precision=info.precision or None, scale=info.scale)
    if kind in (OracleType.TIMESTAMP, OracleType.TIMESTAMP_TZ, OracleType.TIMESTAMP_LTZ):
        return DeclaredType(kind, scale=info.scale)
    if kind in (OracleType.INTERVAL_DS, OracleType.INTERVAL_YM):
        return DeclaredType(kind, precision=info.precision, scale=info.scale)
    if kind is OracleType.ROWID:
        return DeclaredType(OracleType.VARCHAR2, size=18)
    return DeclaredType(kind, size=info.size)


def _create_index(session: EmulatorSession, stream: TokenStream, unique: bool) -> None:
    owner, name = stream.qualified_name()
    stream.expect_word("ON")
    table_owner, table_name = stream.qualified_name()
    table = session.db.catalogue.tables.get((_owner(session, table_owner), table_name))
    if table is None:
        raise table_not_found()
    stream.expect_punct("(")
    columns = [stream.text_until((), (",", ")")).strip('"').upper()]
    while stream.accept_punct(","):
        columns.append(stream.text_until((), (",", ")")).strip('"').upper())
    catalogue = session.db.catalogue
    owner = _owner(session, owner)
    with catalogue.lock:
        if (owner, name) in catalogue.indexes:
            raise name_in_use()
        catalogue.indexes[(owner, name)] = Index(
            owner, name, catalogue.new_object_id(), table.owner, table.name, tuple(columns), unique
        )


def _create_sequence(session: EmulatorSession, stream: TokenStream) -> None:
    owner, name = stream.qualified_name()
    owner = _owner(session, owner)
    options = {
        "start": None,
        "increment": 1,
        "min_value": None,
        "max_value": 10**28 - 1,
        "cycle": False,
        "cache": 20,
    }
    while not stream.done:
        if stream.accept_words("START", "WITH"):
            options["start"] = stream.integer()
        elif stream.accept_words("INCREMENT", "BY"):
            options["increment"] = stream.integer()
        elif stream.accept_word("MINVALUE"):
            options["min_value"] = stream.integer()
        elif stream.accept_word("MAXVALUE"):
            options["max_value"] = stream.integer()
        elif stream.accept_word("CYCLE"):
            options["cycle"] = True
        elif stream.accept_word("CACHE"):
            options["cache"] = stream.integer()
        else:
            stream.next()  # NOCACHE, ORDER, NOCYCLE, NOMINVALUE, ...
    increment = int(options["increment"] or 1)
    min_value = options["min_value"] if options["min_value"] is not None else 1
    start = options["start"] if options["start"] is not None else min_value
    catalogue = session.db.catalogue
    with catalogue.lock:
        if catalogue.object_kind(owner, name):
            raise name_in_use()
        catalogue.sequences[(owner, name)] = Sequence(
            owner, name, catalogue.new_object_id(), int(start), increment, int(min_value),
            int(options["max_value"]), bool(options["cycle"]), int(options["cache"]), int(start),
        )  # fmt: skip


def _create_view(session: EmulatorSession, stream: TokenStream, replace: bool) -> None:
    from oracle_emulator.sql.query import describe_query, plan_query

    owner, name = stream.qualified_name()
    owner = _owner(session, owner)
    aliases: list[str] = []
    if stream.accept_punct("("):
        aliases.append(stream.name())
        while stream.accept_punct(","):
            aliases.append(stream.name())
        stream.expect_punct(")")
    stream.expect_word("AS")
    text = stream.rest()
    catalogue = session.db.catalogue
    with catalogue.lock:
        kind = catalogue.object_kind(owner, name)
        if kind and not (replace and kind == "VIEW"):
            raise name_in_use()
        object_id = catalogue.views[(owner, name)].object_id if kind else catalogue.new_object_id()
    tree, count = parsing.parse(text)
    infos = describe_query(session, plan_query(session, tree, [None] * count))
    if aliases:
        infos = [
            ColumnInfo(a, i.type, i.size, i.precision, i.scale, i.nullable)
            for a, i in zip(aliases, infos, strict=False)
        ]
    with catalogue.lock:
        catalogue.views[(owner, name)] = View(
            owner, name, object_id, text, tuple(aliases), tuple(infos)
        )
        catalogue.bump()


# -- DROP / TRUNCATE ---------------------------------------------------------------------------


def _drop(session: EmulatorSession, stream: TokenStream) -> None:
    catalogue = session.db.catalogue
    kind = stream.expect_word(
        "TABLE", "VIEW", "SEQUENCE", "INDEX", "USER", "SYNONYM", "PUBLIC", "EDITION"
    )
    if kind == "PUBLIC" or kind == "SYNONYM":
        return
    if kind == "EDITION":
        editions.drop_edition(catalogue, session.username, stream)
        return
    if kind == "USER":
        session.db.drop_user(stream.name())
        return
    owner, name = stream.qualified_name()
    owner = _owner(session, owner)
    if kind == "TABLE":
        session.db.drop_table(session.cursor, owner, name)
        return
    store = {"VIEW": catalogue.views, "SEQUENCE": catalogue.sequences, "INDEX": catalogue.indexes}[
        kind
    ]
    with catalogue.lock:
        if store.pop((owner, name), None) is None:
            if kind == "SEQUENCE":
                raise OracleError(ORA_SEQUENCE_NOT_FOUND, "sequence does not exist")
            if kind == "INDEX":
                raise OracleError(1418, "specified index does not exist")
            raise table_not_found()
        catalogue.bump()


def _truncate(session: EmulatorSession, stream: TokenStream) -> None:
    stream.expect_word("TABLE")
    owner, name = stream.qualified_name()
    session.db.truncate_table(session.cursor, _owner(session, owner), name)


# -- COMMENT / ALTER / GRANT -------------------------------------------------------------------


def _comment(session: EmulatorSession, stream: TokenStream) -> None:
    stream.expect_word("ON")
    kind = stream.expect_word("TABLE", "COLUMN", "VIEW", "MATERIALIZED")
    parts = [stream.name()]
    while stream.accept_punct("."):
        parts.append(stream.name())
    stream.expect_word("IS")
    text = stream.next().value or None
    catalogue = session.db.catalogue
    if kind == "COLUMN":
        column_name = parts.pop()
    owner = parts[0] if len(parts) == 2 else session.schema
    table = catalogue.tables.get((owner, parts[-1]))
    if table is None:
        raise table_not_found()
    if kind != "COLUMN":
        catalogue.replace_table(table, comment=text)
        return
    column = table.column(column_name)
    if column is None:
        raise invalid_identifier(column_name)
    columns = tuple(
        Column(c.name, c.type, c.nullable, c.default, text) if c is column else c
        for c in table.columns
    )
    catalogue.replace_table(table, columns=columns)


#: ALTER SESSION SET options Oracle has that change nothing the emulator models
_ACCEPTED_SESSION_OPTIONS = frozenset(
    {
        "CONTAINER", "ISOLATION_LEVEL", "TXN_PRIORITY", "OPTIMIZER_MODE",
        "SQL_TRACE", "STATISTICS_LEVEL", "DDL_LOCK_TIMEOUT", "TRACEFILE_IDENTIFIER",
        "SKIP_UNUSABLE_INDEXES", "SESSION_CACHED_CURSORS", "WORKAREA_SIZE_POLICY",
        "SORT_AREA_SIZE", "HASH_AREA_SIZE", "PLSQL_OPTIMIZE_LEVEL", "PLSQL_WARNINGS",
    }
)  # fmt: skip


def _alter(session: EmulatorSession, stream: TokenStream) -> None:
    if stream.accept_word("SESSION"):
        if stream.accept_word("SET"):
            _alter_session_set(session, stream)
        else:  # ENABLE/DISABLE PARALLEL DML, CLOSE DATABASE LINK...: nothing to change here
            log.info("ALTER SESSION accepted and ignored: %s", stream.text)
        return
    if stream.accept_word("USER"):
        proxy_users.alter_user(session.db.catalogue, session.username, stream)
        return
    if not stream.accept_word("TABLE"):
        log.info("ALTER accepted and ignored: %s", stream.text)
        return
    owner, name = stream.qualified_name()
    table = session.db.catalogue.tables.get((_owner(session, owner), name))
    if table is None:
        raise table_not_found()
    if stream.accept_word("ADD"):
        _alter_add(session, stream, table)
    else:
        log.info("ALTER TABLE accepted and ignored: %s", stream.text)


def _alter_session_set(session: EmulatorSession, stream: TokenStream) -> None:
    """``ALTER SESSION SET p = v [p = v]...``: all the parameters or none (the first bad one
    raises before any is applied)."""
    changes: list[tuple[str, str]] = []
    schema = edition = None
    while not stream.done:
        parameter = stream.name()
        stream.expect_punct("=")
        value = stream.next().value
        if parameter == "CURRENT_SCHEMA":
            _check_user(session, value)
            schema = value
        elif parameter == "EDITION":
            edition = editions.usable_edition(session.db.catalogue, session.username, value)
        elif parameter in _ACCEPTED_SESSION_OPTIONS:
            log.info("ALTER SESSION SET %s accepted and ignored", parameter)
        else:
            changes.append((parameter, value))
    if changes:
        session.alter_nls(changes)
    if schema is not None:
        session.schema = schema
    if edition is not None:
        session.context.edition = edition


def _alter_add(session: EmulatorSession, stream: TokenStream, table: Table) -> None:
    if stream.at_word("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK"):
        constraint = _constraint(session, table.owner, parse_out_of_line_constraint(stream))
        session.db.catalogue.replace_table(table, constraints=(*table.constraints, constraint))
        return
    wrapped = stream.accept_punct("(")
    definitions = [parse_column(stream)]
    while wrapped and stream.accept_punct(","):
        definitions.append(parse_column(stream))
    for definition in definitions:
        column = _column(session, table.owner, table.object_id, definition)
        table = session.db.add_column(session, table, column)


def _grant(session: EmulatorSession, stream: TokenStream, revoke: bool = False) -> None:
    """GRANT and REVOKE: recorded for the privileges :mod:`.privileges` enforces."""
    statement = privileges.parse_grant(stream, revoke, session.username)
    privileges.apply_grant(session.db.catalogue, session.username, statement)


def _revoke(session: EmulatorSession, stream: TokenStream) -> None:
    _grant(session, stream, revoke=True)


def _check_user(session: EmulatorSession, name: str) -> None:
    if name not in session.db.catalogue.users and name != "SYS":
        raise OracleError(ORA_USER_NOT_FOUND, f"user '{name}' does not exist")


def _noop(session: EmulatorSession, stream: TokenStream) -> None:
    log.info("statement accepted as a no-op: %s", stream.text)


_VERBS = {
    "CREATE": _create,
    "DROP": _drop,
    "TRUNCATE": _truncate,
    "COMMENT": _comment,
    "ALTER": _alter,
    "GRANT": _grant,
    "REVOKE": _revoke,
    "ANALYZE": _noop,
    "RENAME": _noop,
    "PURGE": _noop,
    "AUDIT": _noop,
}
