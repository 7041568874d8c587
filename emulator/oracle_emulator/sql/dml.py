"""INSERT, UPDATE and DELETE on the multi-version storage.

- INSERT appends versions tagged with the statement's tag, converted column by column
  (:mod:`.conversions`), with DEFAULTs for omitted columns.
- UPDATE appends the new versions (same ``__rid``) and then marks the old ones deleted.
- DELETE marks versions deleted.
Each statement also reports the ROWID of the last row it changed (``cursor.lastrowid``) and,
with a RETURNING INTO clause, its expressions over the changed rows (:mod:`.returning`),
evaluated inside the statement's own DuckDB transaction so that a retry re-evaluates them.
Marking a version another open transaction already marked raises the LOCKED marker from
inside DuckDB, so the statement undoes itself and waits (see :mod:`.session`). Unique keys
are checked among live rows after the change; a clash with another open transaction's
uncommitted row waits for it, as Oracle does, and otherwise raises ORA-00001.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from oracle_emulator.api import OracleError, StatementResult
from oracle_emulator.sql import parsing, returning, zoned
from oracle_emulator.sql.binds import (
    NUMBER_TEXT,
    check_count,
    number_placeholders,
    placeholder_index,
)
from oracle_emulator.sql.catalogue import (
    CONSTRAINT_UNIQUE,
    Column,
    Constraint,
    Table,
)
from oracle_emulator.sql.conversions import READ_EXACT, write_sql
from oracle_emulator.sql.errors import (
    invalid_identifier,
    table_not_found,
    unique_violated,
)
from oracle_emulator.sql.oratypes import quote_ident
from oracle_emulator.sql.outputs import (
    apply_outputs,
    describe_items,
    is_simple,
    leftmost_select,
)
from oracle_emulator.sql.returning import Returning
from oracle_emulator.sql.rewrite import Rewriter, ident_name
from oracle_emulator.sql.rowid_sql import rowid_of
from oracle_emulator.sql.session import LOCKED_MARK, RowLocked
from oracle_emulator.sql.storage import (
    DEL,
    INS,
    RID,
    VER,
    exact_name,
    visible_sql,
)

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

ORA_NOT_ENOUGH_VALUES = 947
ORA_TOO_MANY_VALUES = 913
ORA_MISSING_VALUES = 926
_LOCK_CASE = f"CASE WHEN {DEL} IS NULL THEN {{tag}} ELSE error('{LOCKED_MARK}:' || {DEL}) END"


def execute_dml(
    session: EmulatorSession,
    tree: exp.Expression,
    binds: Sequence[Any],
    clause: Returning | None = None,
) -> StatementResult:
    if isinstance(tree, exp.Insert):
        changed = _insert(session, tree, binds, clause)
        kind = "INSERT"
    elif isinstance(tree, exp.Update):
        changed = _update(session, tree, binds, clause)
        kind = "UPDATE"
    elif isinstance(tree, exp.Delete):
        changed = _delete(session, tree, binds, clause)
        kind = "DELETE"
    else:
        raise OracleError(900, "invalid SQL statement")
    returned = clause.values if clause is not None else None
    return StatementResult(
        rowcount=changed.count, kind=kind, returned=returned, rowid=changed.rowid
    )


@dataclass
class _Changed:
    """What a DML statement changed: its row count and the ROWID of its last row."""

    count: int = 0
    rowid: str | None = None


def _ver_range(alias: str, first: int, count: int) -> exp.Expression:
    """The versions ``first .. first + count - 1`` of the table under ``alias``."""
    column = exp.column(VER, table=exp.to_identifier(alias, quoted=True))
    return exp.Between(
        this=column,
        low=exp.Literal.number(first),
        high=exp.Literal.number(first + count - 1),
    )


def _ver_column(alias: str) -> exp.Expression:
    return exp.column(VER, table=exp.to_identifier(alias, quoted=True))


def _rowid_at_version(session: EmulatorSession, table: Table, ver: int) -> str | None:
    """ROWID of the row behind version ``ver`` (versions are appended in increasing order,
    so DuckDB's min/max statistics keep this look-up to the newest row group)."""
    sql = f"SELECT {RID} FROM {table.storage} WHERE {VER} = {ver}"
    row = session.cursor.execute(sql).fetchone()
    return rowid_of(table.object_id, int(row[0])) if row is not None else None


def resolve_target(session: EmulatorSession, node: exp.Expression) -> Table:
    if not isinstance(node, exp.Table):
        raise OracleError(903, "invalid table name")
    owner_node = node.args.get("db")
    owner = ident_name(owner_node) if owner_node is not None else session.schema
    table = session.db.catalogue.tables.get((owner, ident_name(node.this)))
    if table is None:
        raise table_not_found()
    return table


def label(table: Table, column: Column) -> str:
    return f'"{table.owner}"."{table.name}"."{column.name}"'


def _find(table: Table, node: exp.Expression) -> Column:
    identifier = node.this if isinstance(node, exp.Column) else node
    name = identifier.this if isinstance(identifier, exp.Identifier) else str(identifier)
    quoted = bool(getattr(identifier, "quoted", False))
    column = table.find_column(name, quoted)
    if column is None:
        raise invalid_identifier(name if quoted else name.upper())
    return column


def _record(session: EmulatorSession, table: Table, delta: int) -> None:
    txn = session.ensure_txn()
    txn.deltas.append((txn.statements, table.object_id, delta))


# -- INSERT ----------------------------------------------------------------------------------


def _insert(
    session: EmulatorSession,
    node: exp.Insert,
    binds: Sequence[Any],
    clause: Returning | None = None,
) -> _Changed:
    target = node.this
    table_node = target.this if isinstance(target, exp.Schema) else target
    table = resolve_target(session, table_node)
    if isinstance(target, exp.Schema) and target.expressions:
        columns = [_find(table, item) for item in target.expressions]
    else:
        columns = list(table.columns)
    source = node.expression
    if source is None:  # INSERT INTO t, with no VALUES or query after it
        raise OracleError(ORA_MISSING_VALUES, "missing VALUES keyword")
    _check_arity(source, len(columns))
    _mark_number_text_binds(source, columns)
    zoned.keep_zones(source, [i for i, c in enumerate(columns) if c.type.zoned])
    if clause is not None:
        if not isinstance(source, exp.Values):  # INSERT ... SELECT: no RETURNING before 23ai
            raise OracleError(returning.ORA_NOT_PROPERLY_ENDED, "SQL command not properly ended")
        returning.check_insert(clause)
    alias = _alias(table_node, table)
    changed = _Changed()
    rewriter = Rewriter(session.rewrite_context(binds))
    rewriter.prepare(source)
    top = leftmost_select(source)
    if top is not None and top is source:
        outputs = describe_items(top, rewriter.sources(top), False)
        for output in outputs:
            output.read = output.read if output.read == READ_EXACT else None
        rewriter.finish(source)
        apply_outputs(top, outputs, is_simple(top))
    else:
        rewriter.finish(source)
    params = number_placeholders(source, binds)
    source_sql = rewriter.to_sql(source)
    defaults = _defaults(session, table, columns)

    def work(tag: int) -> int:
        session.ensure_txn().tables[table.object_id] = table
        with session.db.counters.allocating(table.object_id) as alloc:
            sql = _insert_sql(table, columns, defaults, source_sql, alloc.base, tag)
            count = int(session.cursor.execute(sql, params).fetchone()[0])
            alloc.used = count
            base = alloc.base
        if count:
            check_unique(session, table, tag)
        if clause is not None:
            order = _ver_column(alias)
            span = _ver_range(alias, base, count)
            returning.evaluate(session, clause, table_node, span, order, binds)
        changed.rowid = rowid_of(table.object_id, base - 1 + count) if count else None
        return count

    changed.count = session.run_write(work)
    _record(session, table, changed.count)
    return changed


def _mark_number_text_binds(source: exp.Expression, columns: list[Column]) -> None:
    """A bind written as such to an unconstrained NUMBER column is bound as the text of its
    value (the column stores that text): as a DuckDB parameter a 40-digit or 1e-130 value
    would be a DOUBLE, and the rows of a multi-row VALUES would share one type."""
    if not isinstance(source, exp.Values):
        return
    for row in source.expressions:
        values = row.expressions if isinstance(row, exp.Tuple) else [row]
        for value, column in zip(values, columns, strict=False):
            if isinstance(value, exp.Placeholder) and column.type.exact_text:
                value.meta[NUMBER_TEXT] = True


def _check_arity(source: exp.Expression, expected: int) -> None:
    if not isinstance(source, exp.Values):
        return
    for row in source.expressions:
        size = len(row.expressions) if isinstance(row, exp.Tuple) else 1
        if size < expected:
            raise OracleError(ORA_NOT_ENOUGH_VALUES, "not enough values")
        if size > expected:
            raise OracleError(ORA_TOO_MANY_VALUES, "too many values")


def _defaults(session: EmulatorSession, table: Table, given: list[Column]) -> dict[str, str]:
    """DuckDB SQL of the DEFAULT of each column the INSERT leaves out."""
    names = {c.name for c in given}
    out = {}
    for column in table.columns:
        if column.name in names or column.default is None:
            continue
        out[column.name] = default_sql(session, table, column.default)
    return out


def default_sql(session: EmulatorSession, table: Table, text: str) -> str:
    tree, _ = parsing.parse(f"SELECT {text} FROM DUAL")
    context = session.rewrite_context(())
    context.schema = table.owner
    rewriter = Rewriter(context)
    item = tree.expressions[0]
    wrapper = exp.select(item.copy())
    rewriter.rewrite_pseudo(wrapper)
    return rewriter.to_sql(wrapper.expressions[0])


def _insert_sql(
    table: Table,
    columns: list[Column],
    defaults: dict[str, str],
    source_sql: str,
    base: int,
    tag: int,
) -> str:
    aliases = ", ".join(f'"c{i}"' for i in range(len(columns)))
    names = [quote_ident(c.name) for c in columns]
    values = [write_sql(c.type, f'__s."c{i}"', label(table, c)) for i, c in enumerate(columns)]
    default_items = []
    for column in table.columns:
        if column.name in defaults:
            # computed once per row in the derived table: a NEXTVAL must not run per use
            alias = f'"d{len(default_items)}"'
            default_items.append(f"({defaults[column.name]}) AS {alias}")
            names.append(quote_ident(column.name))
            values.append(write_sql(column.type, f"__s.{alias}", label(table, column)))
    extra = "".join(f", {item}" for item in default_items)
    first = base - 1
    return (
        f"INSERT INTO {table.storage} ({', '.join(names)}, {VER}, {RID}, {INS}) "
        f"SELECT {', '.join(values)}, {first} + __s.__n, {first} + __s.__n, {tag} "
        f"FROM (SELECT *, row_number() OVER () AS __n{extra} "
        f"FROM ({source_sql}) AS __q({aliases})) AS __s"
    )


# -- UPDATE ----------------------------------------------------------------------------------


def _update(
    session: EmulatorSession,
    node: exp.Update,
    binds: Sequence[Any],
    clause: Returning | None = None,
) -> _Changed:
    table_node = node.this
    table = resolve_target(session, table_node)
    alias = _alias(table_node, table)
    assignments: dict[str, exp.Expression] = {}
    for item in node.expressions:
        if not isinstance(item, exp.EQ):
            raise OracleError(900, "invalid SQL statement")
        assignments[_find(table, item.this).name] = item.expression
    qualifier = exp.to_identifier(alias, quoted=True)
    items: list[exp.Expression] = []
    for column in table.columns:
        items.append(exp.column(column.name, table=qualifier.copy(), quoted=True))
        if column.type.has_twin:
            items.append(exp.column(exact_name(column.name), table=qualifier.copy(), quoted=True))
    items.append(exp.column(RID, table=qualifier.copy()))
    for index, name in enumerate(assignments):
        items.append(exp.alias_(assignments[name].copy(), f"__set_{index}", quoted=True))
    inner = _scoped_select(table_node, items, node.args.get("where"))
    sql, params = _rewrite(session, inner, binds)
    set_index = {name: i for i, name in enumerate(assignments)}
    changed = _Changed()

    def work(tag: int) -> int:
        txn = session.ensure_txn()
        txn.tables[table.object_id] = table
        with session.db.counters.allocating(table.object_id) as alloc:
            insert = _update_insert_sql(table, set_index, sql, alloc.base, tag)
            count = int(session.cursor.execute(insert, params).fetchone()[0])
            alloc.used = count
            base = alloc.base
        if count:
            mark = (
                f"UPDATE {table.storage} SET {DEL} = {_LOCK_CASE.format(tag=tag)} "
                f"WHERE {RID} IN (SELECT {RID} FROM {table.storage} WHERE {INS} = {tag}) "
                f"AND {VER} < {base} AND {visible_sql(txn.snapshot())}"
            )
            session.cursor.execute(mark)
            check_unique(session, table, tag)
        if clause is not None:
            span = _ver_range(alias, base, count)
            returning.evaluate(session, clause, table_node, span, _ver_column(alias), binds)
        changed.rowid = _rowid_at_version(session, table, base - 1 + count) if count else None
        return count

    changed.count = session.run_write(work, updating=True)
    return changed


def _alias(table_node: exp.Expression, table: Table) -> str:
    alias = table_node.args.get("alias")
    if alias is not None and alias.this:
        return ident_name(alias.this)
    return ident_name(table_node.this)


def _scoped_select(
    table_node: exp.Expression, items: list[exp.Expression], where: Any
) -> exp.Select:
    select = exp.Select(expressions=items)
    select.set("from_", exp.From(this=table_node.copy()))
    if where is not None:
        select.set("where", where.copy())
    return select


def _rewrite(
    session: EmulatorSession, select: exp.Select, binds: Sequence[Any]
) -> tuple[str, list[Any]]:
    rewriter = Rewriter(session.rewrite_context(binds))
    rewriter.prepare(select)
    rewriter.finish(select)
    params = number_placeholders(select, binds)
    return rewriter.to_sql(select), params


def _update_insert_sql(
    table: Table, set_index: dict[str, int], inner_sql: str, base: int, tag: int
) -> str:
    names, values = [], []
    for column in table.columns:
        names.append(quote_ident(column.name))
        if column.name in set_index:
            source = f'__u."__set_{set_index[column.name]}"'
            values.append(write_sql(column.type, source, label(table, column)))
        elif column.type.has_twin:
            values.append(f"__u.{quote_ident(exact_name(column.name))}")
        else:
            values.append(f"__u.{quote_ident(column.name)}")
    return (
        f"INSERT INTO {table.storage} ({', '.join(names)}, {VER}, {RID}, {INS}) "
        f"SELECT {', '.join(values)}, {base - 1} + row_number() OVER (), __u.{RID}, {tag} "
        f"FROM ({inner_sql}) AS __u"
    )


# -- DELETE ----------------------------------------------------------------------------------


def _delete(
    session: EmulatorSession,
    node: exp.Delete,
    binds: Sequence[Any],
    clause: Returning | None = None,
) -> _Changed:
    table_node = node.this
    table = resolve_target(session, table_node)
    alias = _alias(table_node, table)
    items: list[exp.Expression] = [exp.column(VER, table=exp.to_identifier(alias, quoted=True))]
    inner = _scoped_select(table_node, items, node.args.get("where"))
    sql, params = _rewrite(session, inner, binds)
    changed = _Changed()

    def work(tag: int) -> int:
        session.ensure_txn().tables[table.object_id] = table
        if clause is not None:  # the old values: read before the rows are marked
            where = node.args.get("where")
            condition = where.this if where is not None else None
            returning.evaluate(session, clause, table_node, condition, _ver_column(alias), binds)
        mark = (
            f"UPDATE {table.storage} SET {DEL} = {_LOCK_CASE.format(tag=tag)} "
            f"WHERE {VER} IN ({sql})"
        )
        count = int(session.cursor.execute(mark, params).fetchone()[0])
        changed.rowid = _last_deleted(session, table, tag) if count else None
        return count

    changed.count = session.run_write(work)
    _record(session, table, -changed.count)
    return changed


def _last_deleted(session: EmulatorSession, table: Table, tag: int) -> str | None:
    row = session.cursor.execute(
        f"SELECT {RID} FROM {table.storage} WHERE {DEL} = {tag} ORDER BY {VER} DESC LIMIT 1"
    ).fetchone()
    return rowid_of(table.object_id, int(row[0])) if row is not None else None


# -- unique keys -------------------------------------------------------------------------------


def check_unique(session: EmulatorSession, table: Table, tag: int) -> None:
    """ORA-00001 if the statement's new versions duplicate a live key; RowLocked if the
    clash is with another open transaction's uncommitted change."""
    txn = session.ensure_txn()
    lo, hi = txn.range
    storage = table.storage
    for constraint in unique_keys(session, table):
        keys = [_key_sql(table, name) for name in constraint.columns]
        k_cols = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        match = " AND ".join(f"k.k{i} = {k.replace('__KEY__.', 'x.')}" for i, k in enumerate(keys))
        sql = (
            f"WITH k AS (SELECT DISTINCT {k_cols.replace('__KEY__.', '')} FROM {storage} "
            f"WHERE {INS} = {tag} AND {DEL} IS NULL) "
            f"SELECT count(*) AS n, min(CASE "
            f"WHEN x.{INS} < 0 AND x.{INS} NOT BETWEEN {lo} AND {hi} THEN x.{INS} "
            f"WHEN x.{DEL} < 0 AND x.{DEL} NOT BETWEEN {lo} AND {hi} THEN x.{DEL} END) "
            "AS foreign_tag "
            f"FROM {storage} x WHERE EXISTS (SELECT 1 FROM k WHERE {match}) "
            f"AND (x.{DEL} IS NULL OR (x.{DEL} < 0 AND x.{DEL} NOT BETWEEN {lo} AND {hi})) "
            f"GROUP BY {', '.join(k.replace('__KEY__.', 'x.') for k in keys)} "
            f"HAVING count(*) > 1 ORDER BY foreign_tag NULLS FIRST LIMIT 1"
        )
        row = session.cursor.execute(sql).fetchone()
        if row is None:
            continue
        if row[1] is not None:
            raise RowLocked(int(row[1]))
        raise unique_violated(table.owner, constraint.name)


def _key_sql(table: Table, name: str) -> str:
    column = table.column(name)
    ref = f"__KEY__.{quote_ident(name)}"
    if column is not None:
        return column.type.query_sql(ref)
    return ref


#: rows per multi-row INSERT statement built by :func:`batched_insert`
BATCH_ROWS = 1_000


def batched_insert(
    session: EmulatorSession, sql: str, rows: Sequence[Sequence[Any]]
) -> StatementResult | None:
    """Run ``INSERT ... VALUES (:1, ...)`` for many bind rows as a few multi-row inserts;
    None when the statement is not of that shape."""
    tree, count = parsing.parse(sql)
    source = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(source, exp.Values) or len(source.expressions) != 1 or not rows:
        return None
    template = source.expressions[0]
    total = 0
    rowid = None
    for start in range(0, len(rows), BATCH_ROWS):
        chunk = rows[start : start + BATCH_ROWS]
        values, binds = [], []
        for index, row in enumerate(chunk):
            if len(row) != count:
                check_count(count, row)
            values.append(_shifted(template, index * count))
            binds.extend(row)
        statement = tree.copy()
        statement.set("expression", exp.Values(expressions=values))
        changed = _insert(session, statement, binds)
        total += changed.count
        rowid = changed.rowid or rowid
    return StatementResult(rowcount=total, kind="INSERT", rowid=rowid)


def _shifted(template: exp.Expression, offset: int) -> exp.Expression:
    copy = template.copy()
    for node in copy.find_all(exp.Placeholder):
        index = placeholder_index(node)
        if index is not None:
            node.set("this", str(index + offset))
    return copy


def unique_keys(session: EmulatorSession, table: Table) -> list[Constraint]:
    """Primary and unique constraints plus unique indexes: all are enforced."""
    keys = list(table.unique_keys())
    covered = {k.columns for k in keys}
    for index in list(session.db.catalogue.indexes.values()):
        same_table = (index.table_owner, index.table_name) == (table.owner, table.name)
        if index.unique and same_table and index.columns not in covered:
            keys.append(Constraint(index.name, CONSTRAINT_UNIQUE, index.columns))
    return keys
