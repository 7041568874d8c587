"""Run a SELECT: rewrite it for the storage, then serve cached encoded rows (fast path) or
DuckDB's rows converted to Oracle's Python values."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from oracle_emulator.api import ColumnInfo, IntervalYM, OracleType, QueryResult
from oracle_emulator.sql import datetime_types, exact_numbers, parsing
from oracle_emulator.sql.binds import (
    BoundBlob,
    BoundClob,
    bind_value,
    check_count,
    pick,
    renumber_placeholders,
)
from oracle_emulator.sql.collation import apply_collation
from oracle_emulator.sql.conversions import READ_MONTHS
from oracle_emulator.sql.outputs import (
    READ_NUMBER_TEXT,
    FastPlan,
    OutputColumn,
    apply_outputs,
    describe_items,
    exact_set_operands,
    fast_plan,
    is_simple,
    leftmost_select,
    locate_placeholders,
    unconstrained_number,
    wall_clock_of_zoned,
)
from oracle_emulator.sql.results import convert_rows, describe
from oracle_emulator.sql.rewrite import Rewriter, Source
from oracle_emulator.sql.storage import Snapshot

if TYPE_CHECKING:
    from oracle_emulator.sql.session import EmulatorSession

log = logging.getLogger(__name__)


#: stand-ins for the session's own-transaction tag range in cached plans
OWN_LO_MARK = "__EMU_OWN_LO__"
OWN_HI_MARK = "__EMU_OWN_HI__"
PLAN_CACHE_SIZE = 256
#: the leading precision of a bound INTERVAL YEAR TO MONTH (the type's largest)
BIND_YEAR_PRECISION = 9
#: bind values whose type a select list shows (see _type_selected_binds)
_TYPED_BINDS = (IntervalYM, BoundBlob, BoundClob)


@dataclass
class QueryPlan:
    """A rewritten query: DuckDB text and parameters, output columns, optional fast path."""

    sql: str
    params: list[Any]
    outputs: list[OutputColumn]
    fast: FastPlan | None = None
    ver_sql: str = ""
    ver_params: list[Any] | None = None
    #: the oldest SCN it reads AS OF (None: it reads the current data)
    as_of: int | None = None


@dataclass
class PlanTemplate:
    """A plan without bind values and with the tag range as markers: reusable."""

    sql: str
    mapping: list[int]
    outputs: list[OutputColumn]
    fast: FastPlan | None
    ver_sql: str
    ver_mapping: list[int] | None
    cacheable: bool
    dictionary: bool
    bind_count: int = 0
    as_of: int | None = None

    def bind(self, session: EmulatorSession, binds: Sequence[Any]) -> QueryPlan:
        lo, hi = (str(n) for n in _own_range(session))
        sql = self.sql.replace(OWN_LO_MARK, lo).replace(OWN_HI_MARK, hi)
        params = pick(binds, self.mapping)
        plan = QueryPlan(sql, params, _bind_outputs(self.outputs, params), self.fast)
        plan.as_of = self.as_of
        if self.ver_mapping is not None:
            plan.ver_sql = self.ver_sql.replace(OWN_LO_MARK, lo).replace(OWN_HI_MARK, hi)
            plan.ver_params = pick(binds, self.ver_mapping)
        return plan


def _bind_outputs(outputs: list[OutputColumn], params: list[Any]) -> list[OutputColumn]:
    """The outputs for these bind values: a bare bind item whose NUMBER value DuckDB would
    turn into a DOUBLE is bound as its exact text (``params`` is changed) and fetched as a
    NUMBER, as Oracle describes a NUMBER bind."""
    changed = list(outputs)
    for index, output in enumerate(outputs):
        position = output.placeholder
        if position is None or position < 0 or position >= len(params):
            continue
        value = params[position]
        if exact_numbers.is_number_value(value) and not exact_numbers.fits_decimal(value):
            params[position] = exact_numbers.exact_text(value)
            changed[index] = OutputColumn(
                output.name, unconstrained_number(output.name), READ_NUMBER_TEXT, True
            )
    return changed


def _own_range(session: EmulatorSession) -> tuple[int, int]:
    snapshot = session.snapshot()
    return int(snapshot.own_lo), int(snapshot.own_hi)


def plan_query(session: EmulatorSession, tree: exp.Expression, binds: Sequence[Any]) -> QueryPlan:
    """Rewrite a query tree (consumed) into DuckDB SQL for this session's snapshot."""
    return build_template(session, tree, binds).bind(session, binds)


def cached_plan(session: EmulatorSession, sql: str, binds: Sequence[Any]) -> QueryPlan:
    """The plan of a query text, reused while the schema and catalogue are unchanged."""
    key = (
        sql,
        session.schema,
        session.db.catalogue.version,
        session.db.fast_path_enabled,
        # a selected bind is described by its type (see _type_selected_binds)
        tuple((i, type(value)) for i, value in enumerate(binds) if isinstance(value, _TYPED_BINDS)),
    )
    template = session.plans.get(key)
    if template is None:
        tree, count = parsing.parse(sql)
        check_count(count, binds)
        if isinstance(tree, exp.Select):
            tree.set("locks", None)
        template = build_template(session, tree, binds)
        if template.cacheable:
            if len(session.plans) >= PLAN_CACHE_SIZE:
                session.plans.clear()
            session.plans[key] = template
    else:
        check_count(template.bind_count, binds)
        if template.dictionary:
            session.db.dictionary.refresh()
    return template.bind(session, binds)


def build_template(
    session: EmulatorSession, tree: exp.Expression, binds: Sequence[Any]
) -> PlanTemplate:
    apply_collation(tree, session.nls)
    _sort_unique(tree)
    context = session.rewrite_context(binds)
    context.snapshot = Snapshot(OWN_LO_MARK, OWN_HI_MARK)  # type: ignore[arg-type]
    rewriter = Rewriter(context)
    rewriter.prepare(tree)
    scopes = [(select, rewriter.sources(select)) for select in tree.find_all(exp.Select)]
    top = leftmost_select(tree)
    outputs: list[OutputColumn] = []
    fast = None
    if top is not None:
        sources = rewriter.sources(top)
        is_set_op = top is not tree and not isinstance(tree, exp.Subquery)
        outputs = describe_items(top, sources, is_set_op)
        _type_selected_binds(top, outputs, binds)
        _mark_timestamp_differences(scopes)
        rewriter.finish(tree)
        wall_clock_of_zoned(scopes)
        if not is_set_op and session.db.fast_path_enabled:
            fast = fast_plan(top, sources, outputs)
        if is_set_op:
            exact_set_operands(tree, outputs)
        apply_outputs(top, outputs, is_simple(top) and not is_set_op)
    else:
        _mark_timestamp_differences(scopes)
        rewriter.finish(tree)
        wall_clock_of_zoned(scopes)
    mapping = renumber_placeholders(tree, len(binds))
    if top is not None and fast is None:
        locate_placeholders(top, outputs)
    else:
        for output in outputs:
            output.placeholder = None
    template = PlanTemplate(
        rewriter.to_sql(tree), mapping, outputs, fast, "", None,
        cacheable=not rewriter.flashback, dictionary=rewriter.dictionary,
    )  # fmt: skip
    template.bind_count = len(binds)
    template.as_of = min(rewriter.as_of_scns, default=None)
    if fast is not None and fast.select is not None:
        template.ver_mapping = renumber_placeholders(fast.select, len(binds))
        template.ver_sql = rewriter.to_sql(fast.select)
    return template


def _mark_timestamp_differences(scopes: list[tuple[exp.Select, list[Source]]]) -> None:
    """TIMESTAMP - TIMESTAMP (or DATE) is an interval in Oracle: see .datetime_types."""
    for select, sources in scopes:
        datetime_types.mark_timestamp_differences(select, sources)


def _type_selected_binds(
    top: exp.Select, outputs: list[OutputColumn], binds: Sequence[Any]
) -> None:
    """A bind selected as is has its bind's type: an INTERVAL YEAR TO MONTH value reaches
    DuckDB as text (it has no months-only interval parameter), so the item is cast back and
    described and fetched as the interval it is; a bound BLOB is a BLOB, not RAW, and a bound
    CLOB (NCLOB) a CLOB (NCLOB), not VARCHAR2."""
    for index, item in enumerate(top.expressions):
        inner = item.this if isinstance(item, exp.Alias) else item
        found, value = bind_value(binds, inner)
        if not found or index >= len(outputs):
            continue
        output = outputs[index]
        if isinstance(value, BoundBlob):
            output.info = ColumnInfo(output.name, OracleType.BLOB)
        elif isinstance(value, BoundClob):
            output.info = ColumnInfo(output.name, value.lob_type)
        elif isinstance(value, IntervalYM):
            output.info = ColumnInfo(
                output.name, OracleType.INTERVAL_YM, precision=BIND_YEAR_PRECISION, scale=0
            )
            output.read = READ_MONTHS
            inner.replace(exp.Cast(this=inner.copy(), to=exp.DataType.build("INTERVAL")))


def _sort_unique(tree: exp.Expression) -> None:
    """Oracle removes the duplicates of UNION, INTERSECT and MINUS by sorting (SORT UNIQUE),
    so without an ORDER BY their rows come back in ascending order of the select items;
    DuckDB hashes, and its order varies. Sort the same way."""
    if not isinstance(tree, exp.SetOperation) or not tree.args.get("distinct"):
        return
    if tree.args.get("order") is not None:
        return
    top = leftmost_select(tree)
    if top is None or any(_is_star(item) for item in top.expressions):
        return
    positions = [exp.Ordered(this=exp.Literal.number(n + 1)) for n in range(len(top.expressions))]
    tree.set("order", exp.Order(expressions=positions))


def _is_star(item: exp.Expression) -> bool:
    return isinstance(item, exp.Star) or (
        isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
    )


def run_query(session: EmulatorSession, plan: QueryPlan) -> QueryResult:
    """Execute a planned query and build its result."""
    cursor = session.cursor
    scn = session.db.clock.current
    if plan.fast is not None and plan.ver_params is not None:
        # the relation API converts to NumPy without DB-API's intermediate copy (half the CPU)
        ver_params = plan.ver_params or None
        versions = session.duck(lambda: cursor.sql(plan.ver_sql, params=ver_params).fetchnumpy())
        ver_array = next(iter(versions.values()))
        encoded = session.db.row_cache.rows_for(cursor, plan.fast, ver_array)
        return QueryResult(
            columns=list(plan.fast.infos),
            encoded_rows=encoded,
            scn=scn,
            row_block=encoded.block,
            check_fetch=_history_check(session, plan),
        )

    def fetch() -> tuple[Any, list[tuple[Any, ...]]]:
        result = cursor.execute(plan.sql, plan.params)
        return result.description, result.fetchall()

    description, rows = session.duck(fetch)
    infos, converters = describe(plan.outputs, description or [])
    return QueryResult(
        columns=infos,
        rows=convert_rows(rows, converters),
        scn=scn,
        check_fetch=_history_check(session, plan),
    )


def _history_check(session: EmulatorSession, plan: QueryPlan) -> Callable[[], None] | None:
    """For a query read AS OF an SCN: what each later fetch checks first. The rows were
    all read at execute, but in Oracle a long fetch of such a cursor keeps needing the undo
    of that SCN and fails with ORA-01555 once it is overwritten; here, once the history
    is purged (:meth:`~.engine.EmulatorDatabase.purge_history`)."""
    if plan.as_of is None:
        return None
    scn, clock = plan.as_of, session.db.clock
    return lambda: clock.check_history(scn)


def describe_query(session: EmulatorSession, plan: QueryPlan) -> list[ColumnInfo]:
    """Columns of a planned query without fetching its rows."""
    if plan.fast is not None:
        return list(plan.fast.infos)
    cursor = session.cursor

    def types() -> Any:
        relation = cursor.sql(plan.sql, params=plan.params) if plan.params else cursor.sql(plan.sql)
        return [(name, kind) for name, kind in zip(relation.columns, relation.types, strict=True)]

    infos, _ = describe(plan.outputs, session.duck(types))
    return infos
