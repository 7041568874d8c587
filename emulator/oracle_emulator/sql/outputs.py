"""The columns a query returns: Oracle's names, declared types where a select item is a
plain column of a table, the read wrappers those types need, and the fast-path plan.

Oracle names a select item by its alias, else by the column name, else by the expression's
text upper-cased with blanks removed (``SELECT 1 + 1 FROM DUAL`` -> ``1+1``). Declared types
come from the catalogue for plain column references; everything else is described from
DuckDB's result type later (:mod:`.results`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from oracle_emulator.api import ColumnInfo, OracleType
from oracle_emulator.sql import datetime_types, exact_numbers, zoned
from oracle_emulator.sql.catalogue import Column, Table
from oracle_emulator.sql.conversions import (
    READ_EXACT,
    READ_MONTHS,
    READ_NANOS,
    READ_ZONED,
    read_kind,
)
from oracle_emulator.sql.oratypes import UNCONSTRAINED_SCALE
from oracle_emulator.sql.rewrite import (
    ROWID,
    ROWID_TEXT_MACRO,
    Source,
    ident_name,
    resolve_column,
)
from oracle_emulator.sql.storage import VER, exact_name

MAX_NAME_LENGTH = 128
#: Oracle's conversion of text to ROWID: its result is described as a ROWID
CHARTOROWID = "CHARTOROWID"
#: functions whose result Oracle describes with a type DuckDB's result type cannot tell
_FUNCTION_TYPES = {
    CHARTOROWID: OracleType.ROWID,
    "TO_CLOB": OracleType.CLOB,
    "TO_NCLOB": OracleType.NCLOB,
    "TO_BLOB": OracleType.BLOB,
    "EMPTY_CLOB": OracleType.CLOB,
    "EMPTY_BLOB": OracleType.BLOB,
}
MONTHS_MACRO = "__emu_months"
#: TO_CHAR of a TIMESTAMP(7-9) column reads the stored nanoseconds (any year), not the
#: TIMESTAMP_NS queries see (1677-2262)
READ_NANOS_TEXT = "nanos_text"
#: TO_CHAR as written, and the calls it is translated to
TO_CHAR_NAMES = ("to_char", "ora_to_char", "ora_dt_format_us")
NANOS_FORMAT_UDF = "ora_ns_format"
#: the output placeholder of an unexpanded ``alias.*`` (its columns are named by DuckDB)
STAR_NAME = "*"
#: :attr:`OutputColumn.placeholder` of a bare bind item before its renumbering
PLACEHOLDER_PENDING = -1
#: a TO_NUMBER / CAST AS NUMBER item read as the exact text of its value (exact_numbers)
READ_NUMBER_TEXT = "number_text"


@dataclass
class OutputColumn:
    name: str
    #: the declared type (renamed), or None to describe from DuckDB's type
    info: ColumnInfo | None = None
    read: str | None = None
    #: an expression rather than a column reference (described without NUMBER precision)
    expression: bool = False
    #: a bare bind placeholder: its DuckDB parameter position, once renumbered
    placeholder: int | None = None
    #: an expression with no BINARY_FLOAT / BINARY_DOUBLE operand: a DOUBLE result of it
    #: (NUMBER computed in double precision) is a NUMBER, as Oracle types it
    double_is_number: bool = False
    #: the Oracle type of a datetime expression where Oracle's rules decide it (DATE for
    #: ``hire_date + 1``, INTERVAL DAY TO SECOND for ``ts - ts``; see .datetime_types),
    #: taken when DuckDB's result is a datetime or an interval
    datetime: OracleType | None = None


@dataclass
class FastPlan:
    """A single-table query whose rows can be served from the encoded-row cache."""

    table: Table
    columns: list[Column]
    #: the select to run with ``__ver`` as its only item (set by :func:`fast_plan`)
    select: exp.Select | None = None
    infos: list[ColumnInfo] = field(default_factory=list)


def oracle_name(item: exp.Expression) -> str:
    """The column name Oracle gives a select item."""
    if isinstance(item, exp.Alias):
        return ident_name(item.args.get("alias"))
    if isinstance(item, exp.Column) and not isinstance(item.this, exp.Star):
        return ident_name(item.this)
    text = item.sql(dialect="oracle")
    return _squeeze(text)[:MAX_NAME_LENGTH]


def _squeeze(text: str) -> str:
    """Upper-case outside double quotes, drop blanks outside quotes (Oracle's heading)."""
    out: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            out.append(ch if quote == '"' else ch.upper())
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif not ch.isspace():
            out.append(ch.upper())
    return "".join(out)


def leftmost_select(tree: exp.Expression) -> exp.Select | None:
    node = tree
    while isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
        node = node.this
    while isinstance(node, exp.Subquery):
        node = node.this
    return node if isinstance(node, exp.Select) else None


def describe_items(
    select: exp.Select, sources: list[Source], is_set_op: bool
) -> list[OutputColumn]:
    """Names and declared types of the top-level select items (stars already expanded)."""
    outputs = []
    for item in select.expressions:
        if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            outputs.append(OutputColumn(STAR_NAME))
            continue
        name = oracle_name(item)
        column = _plain_column(item, sources)
        if is_set_op or column is None:
            read = READ_NANOS_TEXT if _nanos_to_char(item, sources) else None
            info = _rowid_info(item, name) or _cast_info(item, name) or _number_literal(item, name)
            if exact_numbers.is_to_number(item):
                read, info = READ_NUMBER_TEXT, unconstrained_number(name)
            inner = item.this if isinstance(item, exp.Alias) else item
            expression = not isinstance(inner, exp.Column)
            output = OutputColumn(name, info, read, expression=expression)
            output.double_is_number = expression and _no_binary_float(inner, sources)
            if expression:
                output.datetime = datetime_types.oracle_type(inner, sources)
            if isinstance(inner, exp.Placeholder) and not is_set_op:
                output.placeholder = PLACEHOLDER_PENDING
            outputs.append(output)
            continue
        source, declared = column
        info = declared.type.column_info(name, declared.nullable)
        if source.table is not None and declared.name in source.table.json_columns():
            info = replace(info, is_json=True)
        outputs.append(OutputColumn(name, info, read_kind(declared.type)))
    return outputs


#: Oracle's constants of the binary floating-point types (BINARY_DOUBLE_NAN...)
_FLOAT_CONSTANT_PREFIXES = ("BINARY_DOUBLE_", "BINARY_FLOAT_")
_FLOAT_FUNCTIONS = {"TO_BINARY_DOUBLE", "TO_BINARY_FLOAT"}
_FLOAT_TYPES = (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)


def _no_binary_float(item: exp.Expression, sources: list[Source]) -> bool:
    """Whether a DOUBLE result of ``item`` (as written) is a NUMBER: none of its operands is
    a BINARY_DOUBLE or BINARY_FLOAT (Oracle's numeric precedence), and no operand is an
    unconstrained NUMBER column, whose stored digits the DOUBLE may have lost. Binds (their
    types vary per execution) and columns whose declared type is unknown here (of a
    subquery) leave it undecided: False."""
    for node in item.walk():
        if isinstance(node, exp.Placeholder):
            return False
        if isinstance(node, exp.Cast) and isinstance(node.to, exp.DataType):
            if node.to.this in _FLOAT_TYPES:
                return False
        elif isinstance(node, exp.Anonymous) and str(node.this).upper() in _FLOAT_FUNCTIONS:
            return False
        elif isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
            name = ident_name(node.this)
            if node.args.get("table") is None and name.startswith(_FLOAT_CONSTANT_PREFIXES):
                return False
            found = _plain_column(node, sources)
            if found is None or found[1].type.kind in _BINARY_FLOATS:
                return False
            if found[1].type.exact_text:
                # computed from the DOUBLE view of exact NUMBER text: the result may have lost
                # digits, which a BINARY_DOUBLE type tells the client (a NUMBER would hide it)
                return False
    return True


_BINARY_FLOATS = (OracleType.BINARY_DOUBLE, OracleType.BINARY_FLOAT)


def unconstrained_number(name: str) -> ColumnInfo:
    """How Oracle describes a NUMBER expression: NUMBER without precision."""
    return ColumnInfo(name, OracleType.NUMBER, precision=0, scale=UNCONSTRAINED_SCALE)


def _to_char_parts(item: exp.Expression) -> tuple[exp.Column, exp.Expression] | None:
    """(column, model) of a ``TO_CHAR(column, model)`` select item, as written (when the
    items are described) or as translated (when they are wrapped)."""
    inner = item.this if isinstance(item, exp.Alias) else item
    if isinstance(inner, exp.Case):  # the strftime form: its default is the UDF's
        inner = inner.args.get("default")
    if not (isinstance(inner, exp.Anonymous) and str(inner.this).lower() in TO_CHAR_NAMES):
        return None
    args = inner.expressions
    if len(args) != 2:
        return None
    value = args[0].this if isinstance(args[0], exp.Cast) else args[0]
    return (value, args[1]) if isinstance(value, exp.Column) else None


def _nanos_to_char(item: exp.Expression, sources: list[Source]) -> bool:
    """A TO_CHAR of a TIMESTAMP(7-9) column, formatted from the stored nanoseconds."""
    parts = _to_char_parts(item)
    if parts is None:
        return False
    column = _plain_column(parts[0], sources)
    return column is not None and column[1].type.nanoseconds


def _rowid_info(item: exp.Expression, name: str) -> ColumnInfo | None:
    inner = item.this if isinstance(item, exp.Alias) else item
    if isinstance(inner, exp.Column) and ident_name(inner.this) == ROWID:
        return ColumnInfo(name, OracleType.ROWID, nullable=False)
    if isinstance(inner, exp.Anonymous) and str(inner.this) == ROWID_TEXT_MACRO:
        return ColumnInfo(name, OracleType.ROWID, nullable=False)
    if isinstance(inner, exp.Anonymous) and str(inner.this).upper() in _FUNCTION_TYPES:
        return ColumnInfo(name, _FUNCTION_TYPES[str(inner.this).upper()])
    return None


def _number_literal(item: exp.Expression, name: str) -> ColumnInfo | None:
    """A numeric literal is a NUMBER in Oracle (only a ``d``/``f`` suffix makes it binary),
    also with an exponent, which DuckDB reads as a DOUBLE."""
    inner = item.this if isinstance(item, exp.Alias) else item
    if isinstance(inner, exp.Neg):
        inner = inner.this
    if isinstance(inner, exp.Literal) and not inner.is_string:
        return ColumnInfo(name, OracleType.NUMBER, precision=0, scale=UNCONSTRAINED_SCALE)
    return None


#: CAST targets Oracle describes as NUMBER(38, 0)
_INTEGER_CASTS = (exp.DataType.Type.INT, exp.DataType.Type.SMALLINT, exp.DataType.Type.BIGINT)
#: CAST targets described with the length they name (VARCHAR2(n) is n characters)
_TEXT_CASTS = {
    exp.DataType.Type.VARCHAR: OracleType.VARCHAR2,
    exp.DataType.Type.NVARCHAR: OracleType.NVARCHAR2,
    exp.DataType.Type.CHAR: OracleType.CHAR,
    exp.DataType.Type.NCHAR: OracleType.NCHAR,
}


def _cast_info(item: exp.Expression, name: str) -> ColumnInfo | None:
    """A CAST to NUMBER(p[, s]) or INTEGER is described with the precision it names (other
    NUMBER expressions have none: see :func:`.results.infer_column`), a CAST to VARCHAR2(n),
    NVARCHAR2(n), CHAR(n) or NCHAR(n) with its length."""
    inner = item.this if isinstance(item, exp.Alias) else item
    if not isinstance(inner, exp.Cast) or not isinstance(inner.to, exp.DataType):
        return None
    target = inner.to
    if target.this in _INTEGER_CASTS:
        return ColumnInfo(name, OracleType.NUMBER, precision=38, scale=0)
    text_type = _TEXT_CASTS.get(target.this)
    if text_type is not None and target.expressions:
        try:
            return ColumnInfo(name, text_type, size=int(target.expressions[0].name))
        except ValueError:
            return None
    if target.this is not exp.DataType.Type.DECIMAL or not target.expressions:
        return None
    try:
        params = [int(param.name) for param in target.expressions]
    except ValueError:  # NUMBER(*, s)
        return None
    return ColumnInfo(
        name, OracleType.NUMBER, precision=params[0], scale=params[1] if len(params) > 1 else 0
    )


#: functions that take the wall clock of a TIMESTAMP WITH TIME ZONE (TRUNC and ROUND give
#: the DATE of its local fields; TO_CHAR shows them and the offset)
_WALL_CLOCK_FUNCTIONS = frozenset({"trunc", "round", "to_char"})


def wall_clock_of_zoned(scopes: list[tuple[exp.Select, list[Source]]]) -> None:
    """TRUNC / ROUND / TO_CHAR of a TIMESTAMP WITH TIME ZONE column work on the wall clock
    (and offset) it was written with, as Oracle's do; queries otherwise see the instant
    (see ``sql.zoned``), so the column is replaced by its stored text. (Applied after the
    rewrite; ``scopes`` are each select's sources, taken before it.)"""
    for select, sources in scopes:
        for call in list(select.find_all(exp.Anonymous)):
            if str(call.this).lower() not in _WALL_CLOCK_FUNCTIONS or not call.expressions:
                continue
            argument = call.expressions[0]
            found = _plain_column(argument, sources) if isinstance(argument, exp.Column) else None
            if found is None or not found[1].type.zoned:
                continue
            twin = exp.column(
                exact_name(found[1].name), table=argument.args.get("table"), quoted=True
            )
            if str(call.this).lower() == "to_char":
                rest = [e.copy() for e in call.expressions[1:2]]
                call.replace(exp.Anonymous(this=zoned.TO_CHAR_MACRO, expressions=[twin, *rest]))
            else:
                argument.replace(exp.Anonymous(this=zoned.WALL_CLOCK_MACRO, expressions=[twin]))


def _plain_column(item: exp.Expression, sources: list[Source]) -> tuple[Source, Column] | None:
    inner = item.this if isinstance(item, exp.Alias) else item
    return resolve_column(inner, sources) if isinstance(inner, exp.Column) else None


def apply_outputs(select: exp.Select, outputs: list[OutputColumn], simple: bool) -> None:
    """Alias every top-level item with its Oracle name and wrap the ones whose type needs
    a different form for fetching. ``simple`` allows the exact-text substitution (not
    under GROUP BY/aggregates, where the text column would not be grouped)."""
    items = []
    for item, output in zip(select.expressions, outputs, strict=True):
        if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
            items.append(item)  # a derived table's columns: named by DuckDB
            continue
        inner = item.this if isinstance(item, exp.Alias) else item
        wrapped = _wrap(inner, output, simple)
        items.append(exp.alias_(wrapped, output.name, quoted=True))
    _protect_order_by(select, outputs, simple)
    select.set("expressions", items)


def _wrap(inner: exp.Expression, output: OutputColumn, simple: bool) -> exp.Expression:
    if output.read == READ_NUMBER_TEXT:
        if exact_numbers.is_marked(inner):  # a set operation's branch, done already
            return inner
        if not simple:
            output.read, output.info = None, None
            return inner
        return exact_numbers.mark(inner)
    if output.read == READ_EXACT:
        if simple and isinstance(inner, exp.Column):
            return exp.column(exact_name(inner.name), table=inner.args.get("table"), quoted=True)
        output.read = None
        return inner
    if output.read == READ_ZONED:
        if simple and isinstance(inner, exp.Column):
            return exp.column(exact_name(inner.name), table=inner.args.get("table"), quoted=True)
        output.read = None  # the instant (its offset is the session's)
        return inner
    if output.read == READ_NANOS:
        if simple and isinstance(inner, exp.Column):
            return exp.column(exact_name(inner.name), table=inner.args.get("table"), quoted=True)
        return exp.Anonymous(this="epoch_ns", expressions=[inner])
    if output.read == READ_NANOS_TEXT:
        parts = _to_char_parts(inner)
        if simple and parts is not None:
            column, model = parts
            twin = exp.column(exact_name(column.name), table=column.args.get("table"), quoted=True)
            return exp.Anonymous(this=NANOS_FORMAT_UDF, expressions=[twin, model.copy()])
        return inner
    if output.read == READ_MONTHS:
        return exp.Anonymous(this=MONTHS_MACRO, expressions=[inner])
    return inner


def _protect_order_by(select: exp.Select, outputs: list[OutputColumn], simple: bool) -> None:
    """ORDER BY an exact-text item's name or position must still sort by the number."""
    order = select.args.get("order")
    if order is None or not simple:
        return
    textual = (READ_EXACT, READ_NUMBER_TEXT)
    by_name = {o.name: i for i, o in enumerate(outputs) if o.read in textual}
    for ordered in order.expressions:
        target = ordered.this
        index = _order_target(target, by_name, len(outputs))
        if index is not None and outputs[index].read in textual:
            original = select.expressions[index]
            original = original.this if isinstance(original, exp.Alias) else original
            target.replace(original.copy())


def _order_target(target: exp.Expression, by_name: dict[str, int], count: int) -> int | None:
    if isinstance(target, exp.Literal) and not target.is_string and target.this.isdigit():
        index = int(target.this) - 1
        return index if 0 <= index < count else None
    if isinstance(target, exp.Column) and target.args.get("table") is None:
        return by_name.get(ident_name(target.this))
    return None


def locate_placeholders(select: exp.Select, outputs: list[OutputColumn]) -> None:
    """Record the renumbered parameter position of each bare bind item (after
    :func:`apply_outputs` and the renumbering): its value decides at each execution whether
    it is bound as exact NUMBER text (see :func:`~.exact_numbers.bind_outputs`)."""
    for item, output in zip(select.expressions, outputs, strict=False):
        if output.placeholder is None:
            continue
        inner = item.this if isinstance(item, exp.Alias) else item
        name = inner.name if isinstance(inner, exp.Placeholder) else ""
        output.placeholder = int(name) - 1 if name.isdigit() else None


def exact_set_operands(tree: exp.Expression, outputs: list[OutputColumn]) -> None:
    """Give every branch of a set operation the exact-text form of the TO_NUMBER items that
    are TO_NUMBER items in all of them (the branches must agree on the type); others keep
    the computing form. Not under an ORDER BY of the whole, which would sort the text."""
    branches = list(_branches(tree))
    ordered = tree.args.get("order") is not None
    for index, output in enumerate(outputs):
        if output.read != READ_NUMBER_TEXT:
            continue
        forms = []
        for branch in branches:
            items = branch.expressions if branch is not None else []
            item = items[index] if index < len(items) else None
            inner = item.this if isinstance(item, exp.Alias) else item
            simple = branch is not None and is_simple(branch)
            exact = simple and inner is not None and exact_numbers.is_to_number(inner)
            forms.append(inner if exact else None)
        if ordered or any(form is None for form in forms):
            output.read, output.info = None, None
            continue
        for form in forms:
            assert form is not None
            form.replace(exact_numbers.mark(form.copy()))


def _branches(node: exp.Expression) -> list[exp.Select | None]:
    if isinstance(node, (exp.Union, exp.Intersect, exp.Except)):
        return _branches(node.this) + _branches(node.expression)
    if isinstance(node, exp.Subquery):
        return _branches(node.this)
    return [node if isinstance(node, exp.Select) else None]


def is_simple(select: exp.Select) -> bool:
    """No grouping, aggregation, DISTINCT or windows: items map 1:1 to rows of the FROM."""
    if select.args.get("group") or select.args.get("having") or select.args.get("distinct"):
        return False
    return not any(item.find(exp.AggFunc) or item.find(exp.Window) for item in select.expressions)


def fast_plan(
    select: exp.Select, sources: list[Source], outputs: list[OutputColumn]
) -> FastPlan | None:
    """The cached-rows plan for a one-table query of plain non-LOB columns, if it is one."""
    if len(sources) != 1 or sources[0].table is None or not is_simple(select):
        return None
    for key in ("joins", "with", "connect", "laterals", "pivots"):
        if select.args.get(key):
            return None
    if isinstance(select.parent, (exp.Union, exp.Intersect, exp.Except)):
        return None
    source = sources[0]
    table = source.table
    assert table is not None
    columns = []
    for item in select.expressions:
        found = _plain_column(item, sources)
        if found is None or found[1].type.kind.is_lob:
            return None
        columns.append(found[1])
    plan = FastPlan(table, columns)
    plan.infos = [o.info for o in outputs if o.info is not None]
    if len(plan.infos) != len(columns):
        return None
    ver_select = select.copy()
    _resolve_order_for_ver(ver_select, outputs, table)
    ver_select.set(
        "expressions", [exp.column(VER, table=exp.to_identifier(source.alias, quoted=True))]
    )
    plan.select = ver_select
    return plan


def _resolve_order_for_ver(select: exp.Select, outputs: list[OutputColumn], table: Table) -> None:
    """ORDER BY positions and select aliases refer to items that the ``__ver`` query lacks."""
    order = select.args.get("order")
    if order is None:
        return
    names = {o.name: i for i, o in enumerate(outputs)}
    for ordered in order.expressions:
        target = ordered.this
        index = None
        if isinstance(target, exp.Literal) and not target.is_string and target.this.isdigit():
            index = int(target.this) - 1
        elif isinstance(target, exp.Column) and target.args.get("table") is None:
            name = ident_name(target.this)
            quoted = bool(getattr(target.this, "quoted", False))
            if table.find_column(target.this.this, quoted) is None:
                index = names.get(name)
        if index is not None and 0 <= index < len(select.expressions):
            item = select.expressions[index]
            item = item.this if isinstance(item, exp.Alias) else item
            target.replace(item.copy())
