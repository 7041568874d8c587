"""Expression-level Oracle -> DuckDB rewrites: functions, operators, literals, casts.

Each Oracle construct becomes either a DuckDB built-in with the same meaning or a call of a
macro/UDF from :mod:`functions` that carries Oracle's semantics. The rewrite works bottom-up
(children first) over a tree parsed with :class:`translate_dialect.EmulatorOracle`.
Where Oracle converts a value to text implicitly (``||``, ``SUBSTR`` of a number...), the
argument is wrapped in ``ora_str()``, whose typed overloads give Oracle's text for numbers
(``.5``, no trailing zeros) and NLS-formatted dates.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Callable

from sqlglot import exp

from oracle_emulator.api import ORA_INVALID_SQL, OracleError
from oracle_emulator.sql import exact_numbers, functions, nls, packages
from oracle_emulator.sql import format_models as fm
from oracle_emulator.sql import format_parse as fp
from oracle_emulator.sql import functions_udf as udf
from oracle_emulator.sql import translate_dialect as dialect
from oracle_emulator.sql.rowid_sql import CHARTOROWID_MACRO

ORA_INVALID_ARGUMENT_COUNT = 909
ORA_INVALID_INTERVAL = 1867
ORA_NUMERIC_OVERFLOW = 1426
_NUMBER_OVERFLOW = decimal.Decimal("1e126")
_NUMBER_UNDERFLOW = decimal.Decimal("1e-130")
_MAX_DECIMAL_PRECISION = 38
_DEFAULT_TIMESTAMP_PRECISION = 6
_DATE_LITERAL = re.compile(r"[+-]?\d{1,4}-\d{1,2}-\d{1,2}")
_TIMESTAMP_LITERAL = re.compile(
    r"[+-]?\d{1,4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}(?::\d{1,2}(?::\d{1,2}(?:\.\d{0,9})?)?)?)?"
)
_TIMESTAMP_LITERAL_MODEL = "SYYYY-MM-DD HH24:MI:SS.FF9"
#: format elements written as names (months, days, eras, meridians), read in the session's
#: date language
_NAMED_ELEMENTS = re.compile(r"MON|DAY|DY|AM|PM|A\.M|P\.M|AD|BC|A\.D|B\.C|RM", re.IGNORECASE)
#: the UDF formatting microsecond timestamps of any year (TO_CHAR before the year 1)
EARLY_FORMAT_UDF = "ora_dt_format_us"
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
        if pattern is not None and not isinstance(value, exp.Struct):  # not a wide constant
            return _strftime(value, pattern, model)
    return _call("ora_to_char", value, model)


def _strftime(value: exp.Expression, pattern: str, model: exp.Expression) -> exp.Expression:
    """TO_CHAR by DuckDB's strftime (vectorised, exact) for the years 1 to 9999; strftime
    writes a BC year astronomically ("-4712" for 4713 BC), so earlier values go to the UDF.
    No overloaded macro here: DuckDB cannot pick an overload for an aggregate argument
    (``TO_CHAR(MAX(d), ...)``)."""
    in_range = exp.GTE(this=_call("year", value.copy()), expression=exp.Literal.number(1))
    rendered = _call("strftime", value.copy(), exp.Literal.string(pattern))
    early = _call(EARLY_FORMAT_UDF, _cast(value, "TIMESTAMP"), model)
    return exp.Case(ifs=[exp.If(this=in_range, true=rendered)], default=early)


def _parser(name: str) -> Callable[..., exp.Expression]:
    """TO_DATE / TO_TIMESTAMP[_TZ]: the session's macro, whose one-argument form reads the
    text with the session's NLS format. TO_TIMESTAMP of a literal text with a literal numeric
    model is read here instead, so that a constant beyond DuckDB's nanosecond range
    (1677-2262) keeps its value; a model with month, day or era names is left to the session's
    macro, which reads them in the session's date language."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 1, 3)
        if (
            name == "TO_TIMESTAMP"
            and len(args) > 1
            and _is_text(args[0])
            and _is_text(args[1])
            and not _NAMED_ELEMENTS.search(args[1].name)
        ):
            value = fp.parse_datetime(args[0].name, args[1].name)
            return _epoch_timestamp(udf.epoch_nanos(value))
        return _call(f"ora_{name.lower()}", _text(args[0]), *args[1:2])

    return build


def _is_text(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _to_number(args: list[exp.Expression]) -> exp.Expression:
    _arity("TO_NUMBER", args, 1, 3)
    if len(args) == 1:
        return _call("ora_to_number", args[0])
    numeric = _numeric_characters(args)
    if numeric is not None:
        return _call("ora_parse_number_nls", _text(args[0]), args[1], numeric)
    return _call("ora_to_number", _text(args[0]), args[1])


def _bfilename(args: list[exp.Expression]) -> exp.Expression:
    """BFILENAME(directory, file): a BFILE value, a struct tagged so that the result layer
    describes and fetches it as a BFILE locator (see results.BFILE_TYPE)."""
    _arity("BFILENAME", args, 2, 2)
    fields = [
        exp.PropertyEQ(this=exp.to_identifier(field), expression=_text(arg))
        for field, arg in zip(udf.BFILE_FIELDS, args, strict=True)
    ]
    return exp.Anonymous(this="struct_pack", expressions=fields)


def _rowidtochar(args: list[exp.Expression]) -> exp.Expression:
    """ROWIDTOCHAR: a ROWID already is its 18-character text here."""
    _arity("ROWIDTOCHAR", args, 1, 1)
    return _text(args[0])


def _chartorowid(args: list[exp.Expression]) -> exp.Expression:
    """CHARTOROWID: the text, checked to be a ROWID (ORA-01410 if not)."""
    _arity("CHARTOROWID", args, 1, 1)
    return _call(CHARTOROWID_MACRO, _text(args[0]))


def _date_literal(args: list[exp.Expression]) -> exp.Expression:
    """DATE 'SYYYY-MM-DD': Oracle's signed year (DATE '-4712-01-01' is 4712 BC), checked
    as TO_DATE checks it, as a microsecond TIMESTAMP built from its epoch count."""
    text = args[0].name.strip()
    if not _DATE_LITERAL.fullmatch(text):
        raise OracleError(1861, "literal does not match format string")
    micros = udf.epoch_nanos(fp.parse_datetime(text, "SYYYY-MM-DD")) // 1000
    return _call("make_timestamp", _cast(exp.Literal.number(micros), "BIGINT"))


def _timestamp_literal(args: list[exp.Expression]) -> exp.Expression:
    """TIMESTAMP 'SYYYY-MM-DD HH24:MI:SS[.FF]' (see :func:`_epoch_timestamp`); one with a
    zone is a TIMESTAMPTZ."""
    text = args[0].name.strip()
    zone = _TZ_SUFFIX.search(text)
    if zone and ":" in text[: zone.start()]:
        local = text[: zone.start()].strip()
        if not _TIMESTAMP_LITERAL.fullmatch(local):
            raise OracleError(1861, "literal does not match format string")
        nanos = udf.epoch_nanos(fp.parse_datetime(local, _TIMESTAMP_LITERAL_MODEL))
        micros = _cast(exp.Literal.number(nanos // 1000), "BIGINT")
        zone_name = exp.Literal.string(zone.group(1))
        return _call("ora_from_tz", _call("make_timestamp", micros), zone_name)
    if not _TIMESTAMP_LITERAL.fullmatch(text):
        raise OracleError(1861, "literal does not match format string")
    nanos = udf.epoch_nanos(fp.parse_datetime(text, _TIMESTAMP_LITERAL_MODEL))
    return _epoch_timestamp(nanos)


def _epoch_timestamp(nanos: int) -> exp.Expression:
    """A constant timestamp: TIMESTAMP_NS (Oracle TIMESTAMP semantics: a difference is an
    interval) within 1677-2262; beyond, a microsecond TIMESTAMP, which holds every Oracle
    year exactly when there are no sub-microsecond digits, or else the tagged count of
    nanoseconds (:data:`functions.WIDE_NANOS_TYPE`), which can be selected, formatted and
    stored but not computed with."""
    if udf.NANOS_MIN <= nanos <= udf.NANOS_MAX:
        return _call("make_timestamp_ns", _cast(exp.Literal.number(nanos), "BIGINT"))
    if nanos % 1000:
        count = _cast(exp.Literal.number(nanos), "HUGEINT")
        return exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier(functions.WIDE_NANOS_FIELD), expression=count)
            ]
        )
    return _call("make_timestamp", _cast(exp.Literal.number(nanos // 1000), "BIGINT"))


def _to_binary(name: str) -> Callable[[list[exp.Expression]], exp.Expression]:
    """TO_BINARY_DOUBLE / TO_BINARY_FLOAT of a number or text, with an optional number
    format model (the text is then read as TO_NUMBER reads it)."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 1, 3)
        value = args[0]
        if len(args) > 1:
            value = _call("ora_parse_number", _text(args[0]), args[1])
        return _call(f"ora_{name.lower()}", value)

    return build


def _to_lob(name: str) -> Callable[[list[exp.Expression]], exp.Expression]:
    """TO_CLOB / TO_NCLOB of character data (a CLOB here is text; the select list describes
    it as a CLOB, see outputs) and TO_BLOB of RAW."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 1, 1)
        if name == "TO_BLOB":
            return _call("ora_to_blob", args[0])
        return _text(args[0])

    return build


def _empty_lob(name: str) -> Callable[[list[exp.Expression]], exp.Expression]:
    """EMPTY_CLOB() / EMPTY_BLOB(): an empty LOB (described as a LOB, see outputs)."""

    def build(args: list[exp.Expression]) -> exp.Expression:
        _arity(name, args, 0, 0)
        return _call(f"ora_{name.lower()}")

    return build


#: Oracle's floating-point constants, as DuckDB values of the same type
FLOAT_CONSTANTS = {
    "BINARY_DOUBLE_NAN": "CAST('NaN' AS DOUBLE)",
    "BINARY_DOUBLE_INFINITY": "CAST('Infinity' AS DOUBLE)",
    "BINARY_DOUBLE_MAX_NORMAL": "CAST(1.7976931348623157E+308 AS DOUBLE)",
    "BINARY_DOUBLE_MIN_NORMAL": "CAST(2.2250738585072014E-308 AS DOUBLE)",
    "BINARY_DOUBLE_MAX_SUBNORMAL": "CAST(2.2250738585072009E-308 AS DOUBLE)",
    "BINARY_DOUBLE_MIN_SUBNORMAL": "CAST(4.9406564584124654E-324 AS DOUBLE)",
    "BINARY_FLOAT_NAN": "CAST('NaN' AS FLOAT)",
    "BINARY_FLOAT_INFINITY": "CAST('Infinity' AS FLOAT)",
    "BINARY_FLOAT_MAX_NORMAL": "CAST(3.40282347E+38 AS FLOAT)",
    "BINARY_FLOAT_MIN_NORMAL": "CAST(1.17549435E-038 AS FLOAT)",
    "BINARY_FLOAT_MAX_SUBNORMAL": "CAST(1.17549421E-038 AS FLOAT)",
    "BINARY_FLOAT_MIN_SUBNORMAL": "CAST(1.40129846E-045 AS FLOAT)",
}


def _float_constant(node: exp.Column) -> exp.Expression | None:
    if node.args.get("table") is not None or node.this.args.get("quoted"):
        return None
    sql = FLOAT_CONSTANTS.get(node.name.upper())
    return None if sql is None else exp.maybe_parse(sql, dialect="duckdb")


def _is_json(args: list[exp.Expression]) -> exp.Expression:
    """``expr IS JSON`` (parsed as a call by translate_dialect): the text tested by a UDF."""
    text = exp.Cast(this=args[0], to=exp.DataType.build("VARCHAR"))
    return _call("ora_is_json", text, *args[1:])


FUNCTIONS: dict[str, Callable[[list[exp.Expression]], exp.Expression]] = {
    dialect.IS_JSON: _is_json,
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
    "BFILENAME": _bfilename,
    exact_numbers.MARKER.upper(): exact_numbers.translate_marked,
    "TO_BINARY_DOUBLE": _to_binary("TO_BINARY_DOUBLE"),
    "TO_BINARY_FLOAT": _to_binary("TO_BINARY_FLOAT"),
    "TO_CLOB": _to_lob("TO_CLOB"),
    "TO_NCLOB": _to_lob("TO_NCLOB"),
    "TO_BLOB": _to_lob("TO_BLOB"),
    "EMPTY_CLOB": _empty_lob("EMPTY_CLOB"),
    "EMPTY_BLOB": _empty_lob("EMPTY_BLOB"),
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


def _number_literal(node: exp.Literal) -> exp.Expression:
    """A NUMBER literal within Oracle's range: ORA-01426 from 1e126 on, 0 below 1e-130 (as
    Oracle stores it)."""
    try:
        value = decimal.Decimal(node.this)
    except decimal.InvalidOperation:
        return node
    magnitude = abs(value)
    if magnitude >= _NUMBER_OVERFLOW:
        raise OracleError(ORA_NUMERIC_OVERFLOW, "numeric overflow")
    if 0 < magnitude < _NUMBER_UNDERFLOW:
        return exp.Literal.number(0)
    return node


def _is_float_literal(node: exp.Expression) -> bool:
    """``1e300d`` / ``1.5f``: the tokenizer's cast of the number (an explicit CAST also has
    its FORMAT, SAFE... arguments), exempt from NUMBER's range."""
    return (
        isinstance(node, exp.Cast)
        and set(node.args) == {"this", "to"}
        and isinstance(node.this, exp.Literal)
        and not node.this.is_string
        and node.args["to"].this in (exp.DType.DOUBLE, exp.DType.FLOAT)
    )


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
        if node.is_string:
            return exp.Null() if node.this == "" else node
        return _number_literal(node)
    if isinstance(node, exp.Column) and not node.table and node.name.upper() in _SESSION_VALUES:
        return _call(_SESSION_VALUES[node.name.upper()])
    if isinstance(node, exp.Column) and isinstance(node.this, exp.Identifier):
        return _float_constant(node) or node
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
    if isinstance(node, exp.AtTimeZone):
        return _call("ora_at_time_zone", node.this, node.args["zone"])
    if isinstance(node, exp.Interval):
        return _interval(node)
    return node


def rewrite(node: exp.Expression) -> exp.Expression:
    """Rewrite ``node`` and everything under it, children first."""
    if isinstance(node, exp.DPipe):  # flattened before its operands turn into calls
        return _concat([rewrite(operand) for operand in _dpipe_operands(node)])
    if _is_float_literal(node):
        return node
    package_function = packages.function_key(node)
    if package_function is not None:
        return packages.package_call(
            package_function, [rewrite(a) for a in node.expression.expressions]
        )
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
