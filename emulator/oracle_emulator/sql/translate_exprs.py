"""Expression-level Oracle -> DuckDB rewrites: functions, operators, literals, casts.

Each Oracle construct becomes either a DuckDB built-in with the same meaning or a call of a
macro/UDF from :mod:`functions` that carries Oracle's semantics. The rewrite works bottom-up
(children first) over a tree parsed with :class:`translate_dialect.EmulatorOracle`.
Where Oracle converts a value to text implicitly (``||``, ``SUBSTR`` of a number...), the
argument is wrapped in ``ora_str()``, whose typed overloads give Oracle's text for numbers
(``.5``, no trailing zeros) and NLS-formatted dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from oracle_emulator.api import ORA_INVALID_SQL, OracleError
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql import functions, nls
from oracle_emulator.sql import translate_dialect as dialect
from oracle_emulator.sql.rowid_sql import CHARTOROWID_MACRO

ORA_INVALID_ARGUMENT_COUNT = 909
ORA_INVALID_INTERVAL = 1867
_MAX_DECIMAL_PRECISION = 38
_DEFAULT_TIMESTAMP_PRECISION = 6
_DATE_LITERAL = re.compile(r"\d{1,4}-\d{1,2}-\d{1,2}")
_TZ_SUFFIX = re.compile(r"\s([+-]\d{1,2}:\d{2}|[A-Za-z][A-Za-z_/+-]*)$")
_MICROS = {"DAY": 86_400_000_000, "HOUR": 3_600_000_000, "MINUTE": 60_000_000, "SECOND": 1_000_000}
_MONTHS = {"YEAR": 12, "MONTH": 1}
_NLS_NUMERIC = re.compile(r"NLS_NUMERIC_CHARACTERS\s*=\s*'([^']*)'", re.IGNORECASE)


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


_TEXT_FUNCTIONS = frozenset(
    {"ora_str", "ora_substr", "ora_lpad", "ora_rpad", "ora_replace", "ora_to_char", "strftime"}
)
_TEXT_NODES = (exp.Null, exp.Nullif, exp.Upper, exp.Lower, exp.Trim)
#: meta key marking nodes the translator built itself, which the rewrite leaves as they are
TRANSLATED = "ora_translated"


def _text(node: exp.Expression) -> exp.Expression:
    """``node`` as Oracle would convert it to text (text-valued nodes need nothing)."""
    if (isinstance(node, exp.Literal) and node.is_string) or isinstance(node, _TEXT_NODES):
        return node
    if isinstance(node, exp.Anonymous) and node.name.lower() in _TEXT_FUNCTIONS:
        return node
    return _call("ora_str", node)


def _cast(node: exp.Expression, type_sql: str) -> exp.Expression:
    return exp.Cast(this=node, to=exp.DataType.build(type_sql, dialect="duckdb"))


def _arity(name: str, args: list[exp.Expression], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise OracleError(ORA_INVALID_ARGUMENT_COUNT, f"invalid number of arguments for {name}")


# -- functions -------------------------------------------------------------------------------


def _nvl(args: list[exp.Expression]) -> exp.Expression:
    _arity("NVL", args, 2, 2)
    return exp.Coalesce(this=args[0], expressions=[args[1]])


def _nvl2(args: list[exp.Expression]) -> exp.Expression:
    _arity("NVL2", args, 3, 3)
    condition = exp.Not(this=exp.Is(this=args[0], expression=exp.Null()))
    return exp.Case(ifs=[exp.If(this=condition, true=args[1])], default=args[2])


def _decode(args: list[exp.Expression]) -> exp.Expression:
    """DECODE compares with NULL-safe equality: DECODE(NULL, NULL, 'x') is 'x'."""
    if len(args) < 3:
        raise OracleError(ORA_INVALID_ARGUMENT_COUNT, "invalid number of arguments for DECODE")
    subject, rest = args[0], args[1:]
    ifs = [
        exp.If(this=exp.NullSafeEQ(this=subject.copy(), expression=search), true=result)
        for search, result in zip(rest[0::2], rest[1::2], strict=False)
    ]
    default = rest[-1] if len(rest) % 2 else None
    return exp.Case(ifs=ifs, default=default)


def _greatest_least(name: str) -> Callable[[list[exp.Expression]], exp.Expression]:
    """Oracle's GREATEST/LEAST are NULL when any argument is (DuckDB's skip NULLs)."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 1, 255)
        any_null = exp.or_(*(exp.Is(this=arg.copy(), expression=exp.Null()) for arg in args))
        return exp.Case(ifs=[exp.If(this=any_null, true=exp.Null())], default=_call(name, *args))

    return build


def _strings(
    name: str, low: int, high: int, text_args: tuple[int, ...]
) -> Callable[[list[exp.Expression]], exp.Expression]:
    """A string macro whose arguments at positions ``text_args`` are converted to text."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, low, high)
        converted = [_text(a) if i in text_args else a for i, a in enumerate(args)]
        return _call(f"ora_{name.lower()}", *converted)

    return build


def _macro(name: str, low: int, high: int) -> Callable[[list[exp.Expression]], exp.Expression]:
    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, low, high)
        return _call(name.lower() if name.startswith("ORA_") else f"ora_{name.lower()}", *args)

    return build


def _builtin(
    name: str, oracle: str, count: int
) -> Callable[[list[exp.Expression]], exp.Expression]:
    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(oracle, args, count, count)
        return _call(name, *args)

    return build


def _concat_call(args: list[exp.Expression]) -> exp.Expression:
    _arity("CONCAT", args, 2, 2)
    return _concat(args)


def _concat(operands: list[exp.Expression]) -> exp.Expression:
    """Oracle ``||``: NULL operands count as '', and an empty result is NULL."""
    kept = [_text(op) for op in operands if not isinstance(op, exp.Null)]
    if not kept:
        return exp.Null()
    return exp.Nullif(this=_call("concat", *kept), expression=exp.Literal.string(""))


def _numeric_characters(args: list[exp.Expression]) -> exp.Expression | None:
    """The NLS_NUMERIC_CHARACTERS of a third ``'nlsparam'`` argument (TO_CHAR, TO_NUMBER),
    checked as ALTER SESSION checks it; None when there is none."""
    if len(args) < 3 or not (isinstance(args[2], exp.Literal) and args[2].is_string):
        return None
    found = _NLS_NUMERIC.search(args[2].this)
    if found is None:
        return None
    return exp.Literal.string(
        nls.NlsSettings().set("NLS_NUMERIC_CHARACTERS", found.group(1)).numeric_characters
    )


def _to_char(args: list[exp.Expression]) -> exp.Expression:
    _arity("TO_CHAR", args, 1, 3)
    if len(args) == 1:
        return _call("ora_str", args[0])
    value, model = args[0], args[1]
    numeric = _numeric_characters(args)
    if numeric is not None:
        return _call("ora_num_format_nls", _cast(value, "VARCHAR"), model, numeric)
    if isinstance(model, exp.Literal) and model.is_string:
        try:
            pattern = fm.strftime_pattern(model.this)
        except OracleError:
            pattern = None  # not a datetime model: a number model, checked when it runs
        if pattern is not None:
            return _call("strftime", _cast(value, "TIMESTAMP_NS"), exp.Literal.string(pattern))
    return _call("ora_to_char", value, model)


def _parser(name: str) -> Callable[..., exp.Expression]:
    """TO_DATE / TO_TIMESTAMP[_TZ]: the session's macro, whose one-argument form reads the
    text with the session's NLS format."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 1, 3)
        return _call(f"ora_{name.lower()}", _text(args[0]), *args[1:2])

    return build


def _to_number(args: list[exp.Expression]) -> exp.Expression:
    _arity("TO_NUMBER", args, 1, 3)
    if len(args) == 1:
        return _call("ora_to_number", args[0])
    numeric = _numeric_characters(args)
    if numeric is not None:
        return _call("ora_parse_number_nls", _text(args[0]), args[1], numeric)
    return _call("ora_to_number", _text(args[0]), args[1])


def _rowidtochar(args: list[exp.Expression]) -> exp.Expression:
    """ROWIDTOCHAR: a ROWID already is its 18-character text here."""
    _arity("ROWIDTOCHAR", args, 1, 1)
    return _text(args[0])


def _chartorowid(args: list[exp.Expression]) -> exp.Expression:
    """CHARTOROWID: the text, checked to be a ROWID (ORA-01410 if not)."""
    _arity("CHARTOROWID", args, 1, 1)
    return _call(CHARTOROWID_MACRO, _text(args[0]))


def _date_literal(args: list[exp.Expression]) -> exp.Expression:
    text = args[0].name
    if not _DATE_LITERAL.fullmatch(text.strip()):
        raise OracleError(1861, "literal does not match format string")
    return _cast(exp.Literal.string(text.strip()), "TIMESTAMP")


def _timestamp_literal(args: list[exp.Expression]) -> exp.Expression:
    """TIMESTAMP '...' keeps nanoseconds (TIMESTAMP_NS); one with a zone is a TIMESTAMPTZ."""
    text = args[0].name.strip()
    zone = _TZ_SUFFIX.search(text)
    if zone and ":" in text[: zone.start()]:
        local = exp.Literal.string(text[: zone.start()].strip())
        return _call("ora_from_tz", _cast(local, "TIMESTAMP"), exp.Literal.string(zone.group(1)))
    return _cast(exp.Literal.string(text), "TIMESTAMP_NS")


FUNCTIONS: dict[str, Callable[[list[exp.Expression]], exp.Expression]] = {
    "NVL": _nvl,
    "NVL2": _nvl2,
    "DECODE": _decode,
    "GREATEST": _greatest_least("GREATEST"),
    "LEAST": _greatest_least("LEAST"),
    "SUBSTR": _strings("SUBSTR", 2, 3, (0,)),
    "INSTR": _strings("INSTR", 2, 4, (0, 1)),
    "LENGTH": _strings("LENGTH", 1, 1, (0,)),
    "LPAD": _strings("LPAD", 2, 3, (0, 2)),
    "RPAD": _strings("RPAD", 2, 3, (0, 2)),
    "REPLACE": _strings("REPLACE", 2, 3, (0, 1, 2)),
    "CONCAT": _concat_call,
    "MOD": _macro("MOD", 2, 2),
    "TRUNC": _macro("TRUNC", 1, 2),
    "ROUND": _macro("ROUND", 1, 2),
    "ORA_HASH": _macro("ORA_HASH", 1, 3),
    "ADD_MONTHS": _macro("ADD_MONTHS", 2, 2),
    "MONTHS_BETWEEN": _macro("MONTHS_BETWEEN", 2, 2),
    "LAST_DAY": _macro("LAST_DAY", 1, 1),
    "SYS_EXTRACT_UTC": _macro("SYS_EXTRACT_UTC", 1, 1),
    "FROM_TZ": _macro("FROM_TZ", 2, 2),
    "SIGN": _builtin("sign", "SIGN", 1),
    "POWER": _builtin("pow", "POWER", 2),
    "TO_CHAR": _to_char,
    "ROWIDTOCHAR": _rowidtochar,
    "CHARTOROWID": _chartorowid,
    "TO_NUMBER": _to_number,
    "TO_DATE": _parser("TO_DATE"),
    "TO_TIMESTAMP": _parser("TO_TIMESTAMP"),
    "TO_TIMESTAMP_TZ": _parser("TO_TIMESTAMP_TZ"),
    dialect.DATE_LITERAL: _date_literal,
    dialect.TIMESTAMP_LITERAL: _timestamp_literal,
}


# -- casts -----------------------------------------------------------------------------------


def _cast_target(node: exp.Cast) -> exp.Expression | None:
    """The DuckDB form of an Oracle CAST, or None to keep it as it is."""
    target: exp.DataType = node.args["to"]
    kind, params = target.this, [p.this for p in target.expressions]
    value = node.this
    numbers = [int(p.name) for p in params if isinstance(p, exp.Literal) and p.is_int]
    # text becomes a number with the session's decimal character (ora_cast_number)
    if kind == exp.DType.DECIMAL:
        return _cast(_call("ora_cast_number", value), _decimal_type(numbers))
    if kind in (exp.DType.INT, exp.DType.SMALLINT, exp.DType.BIGINT, exp.DType.TINYINT):
        return _cast(_call("ora_cast_number", value), "DECIMAL(38, 0)")
    if kind in (exp.DType.FLOAT, exp.DType.DOUBLE):
        return _cast(_call("ora_cast_number", value), "DOUBLE")
    if kind in (exp.DType.CHAR, exp.DType.NCHAR) and numbers:
        return _call("rpad", _text(value), exp.Literal.number(numbers[0]), exp.Literal.string(" "))
    if kind in (exp.DType.VARCHAR, exp.DType.NVARCHAR, exp.DType.CHAR, exp.DType.NCHAR):
        return _text(value)
    if kind == exp.DType.TEXT:
        return _text(value)
    if kind == exp.DType.DATE:
        return _call("ora_cast_date", value)
    if kind == exp.DType.TIMESTAMP:
        precision = numbers[0] if numbers else _DEFAULT_TIMESTAMP_PRECISION
        return _call("ora_cast_timestamp", value, exp.Literal.number(precision))
    if kind in (exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPLTZ):
        return _cast(value, "TIMESTAMPTZ")
    if kind in (exp.DType.VARBINARY, exp.DType.BINARY, exp.DType.BLOB):
        return _cast(value, "BLOB")
    return None


def _decimal_type(numbers: list[int]) -> str:
    if not numbers:
        return functions.NUMBER_TYPE
    precision = numbers[0]
    scale = numbers[1] if len(numbers) > 1 else 0
    if 0 <= scale <= precision <= _MAX_DECIMAL_PRECISION:
        return f"DECIMAL({precision}, {scale})"
    return functions.NUMBER_TYPE


# -- intervals -------------------------------------------------------------------------------


def _interval(node: exp.Interval) -> exp.Expression:
    """Oracle interval literals, as an exact DuckDB INTERVAL (months, days, microseconds)."""
    value, unit = node.this, node.args.get("unit")
    if not (isinstance(value, exp.Literal) and value.is_string) or unit is None:
        return node
    if isinstance(unit, exp.IntervalSpan):
        start, end = _unit_name(unit.this), _unit_name(unit.expression)
    else:
        start = end = _unit_name(unit)
    start, end = start.rstrip("S"), end.rstrip("S")
    months, micros = _interval_parts(value.name.strip(), start, end)
    days, micros = divmod(abs(micros), _MICROS["DAY"])
    sign = "-" if value.name.strip().startswith("-") else ""
    text = f"{sign}{months} months {sign}{days} days {sign}{micros} microseconds"
    return _cast(exp.Literal.string(text), "INTERVAL")


def _unit_name(unit: exp.Expression) -> str:
    """DAY, or DAY(3): sqlglot parses a unit with a leading precision as a function node."""
    return (unit.name if isinstance(unit, exp.Var) else unit.key).upper()


def _interval_parts(text: str, start: str, end: str) -> tuple[int, int]:
    body = text.lstrip("+-").strip()
    if start in _MONTHS:
        if start == "YEAR" and end == "MONTH":
            years, _, months = body.partition("-")
            return int(years) * 12 + int(months or 0), 0
        return int(body) * _MONTHS[start], 0
    units = ["DAY", "HOUR", "MINUTE", "SECOND"]
    wanted = units[units.index(start) : units.index(end) + 1]
    pieces = re.split(r"[ :]", body)
    if len(pieces) != len(wanted):
        raise OracleError(ORA_INVALID_INTERVAL, "the interval is invalid")
    micros = 0
    for unit, piece in zip(wanted, pieces, strict=True):
        micros += (
            round(float(piece) * _MICROS[unit]) if unit == "SECOND" else int(piece) * _MICROS[unit]
        )
    return 0, micros


# -- the rewrite -----------------------------------------------------------------------------

#: functions whose value is the session's (NLS or time zone), macros of :mod:`.nls_functions`
_SESSION_VALUES = {"SESSIONTIMEZONE": "ora_sessiontimezone", "DBTIMEZONE": "ora_dbtimezone"}


def _is_number_literal(node: exp.Expression) -> bool:
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string


def _arithmetic(node: exp.Expression) -> exp.Expression:
    left, right = node.this, node.expression
    if isinstance(node, exp.Div):
        return _call("ora_div", left, right)
    if _is_number_literal(left) and _is_number_literal(right):
        return node
    return _call("ora_add" if isinstance(node, exp.Add) else "ora_sub", left, right)


def _dpipe_operands(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.DPipe):
        return [*_dpipe_operands(node.this), *_dpipe_operands(node.expression)]
    return [node]


def _rewrite_node(node: exp.Expression) -> exp.Expression:
    """Rewrite one node whose children are already rewritten."""
    if isinstance(node, exp.Literal):
        return exp.Null() if node.is_string and node.this == "" else node
    if isinstance(node, exp.Anonymous):
        builder = FUNCTIONS.get(node.name.upper())
        return builder(list(node.expressions)) if builder else node
    if isinstance(node, (exp.Add, exp.Sub, exp.Div)):
        return _arithmetic(node)
    if isinstance(node, exp.Cast):
        return _cast_target(node) or node
    if isinstance(node, exp.Extract) and node.this.name.upper() == "SECOND":
        return _call("ora_extract_second", node.expression)
    if isinstance(node, exp.Trim):
        return exp.Nullif(this=node, expression=exp.Literal.string(""))
    if isinstance(node, exp.CurrentTimestamp) and node.args.get("sysdate"):
        return _call("ora_sysdate")  # the server's clock
    if isinstance(node, exp.CurrentDate):
        return _call("ora_current_date")  # the session's time zone
    if isinstance(node, (exp.CurrentTimestamp, exp.Systimestamp)):
        return exp.maybe_parse("current_timestamp", dialect="duckdb")
    if isinstance(node, exp.Localtimestamp):
        return _call("ora_localtimestamp")
    if isinstance(node, exp.Column) and not node.table and node.name.upper() in _SESSION_VALUES:
        return _call(_SESSION_VALUES[node.name.upper()])
    if isinstance(node, exp.AtTimeZone):
        return _call("ora_at_time_zone", node.this, node.args["zone"])
    if isinstance(node, exp.Interval):
        return _interval(node)
    return node


def rewrite(node: exp.Expression) -> exp.Expression:
    """Rewrite ``node`` and everything under it, children first."""
    if isinstance(node, exp.DPipe):  # flattened before its operands turn into calls
        return _concat([rewrite(operand) for operand in _dpipe_operands(node)])
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            new = rewrite(value)
            if new is not value:
                node.set(key, new)
        elif isinstance(value, list):
            node.set(key, [rewrite(v) if isinstance(v, exp.Expression) else v for v in value])
    return node if node.meta.get(TRANSLATED) else _rewrite_node(node)


def reject_unsupported(tree: exp.Expression) -> None:
    """Raise ORA-00900 naming constructs the emulator does not implement."""
    if tree.find(exp.Connect):
        raise OracleError(ORA_INVALID_SQL, "CONNECT BY hierarchical queries are not supported")
    if tree.find(exp.Prior):
        raise OracleError(ORA_INVALID_SQL, "PRIOR is not supported")
