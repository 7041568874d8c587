"""NUMBER values that DuckDB's types cannot hold exactly, carried as their exact text.

Oracle's NUMBER is a decimal floating point of up to 40 significant digits from 1e-130 to
below 1e126. DuckDB computes with DECIMAL(38, s), whose scale is fixed per expression (an
unconstrained NUMBER expression is DECIMAL(38, 18) here), or with DOUBLE: neither holds a
38-digit integer and 1e-37 at once, and a DECIMAL bind wider than 38 digits becomes a DOUBLE.
Where a value only passes through, it need not be computed with, so it crosses DuckDB as
the text of Oracle's value and is fetched as a Decimal, described as NUMBER:

- ``TO_NUMBER(...)`` (and ``CAST(... AS NUMBER)``) as a top-level select item reads its
  text with :func:`number_text_udf` instead of the DECIMAL(38, 18) the computing form gives,
  and a NUMBER literal no DECIMAL holds (``1e-76``) is the text of its value there;
- a bind placeholder that is a top-level select item, when its NUMBER value does not fit a
  DECIMAL(38, s), is bound as its text;
- a bind written to an unconstrained NUMBER (or FLOAT) column, which stores the text.

Rounding (40 digits, half away from zero), underflow to zero below 1e-130 and ORA-01426 at
1e126 and beyond are the NUMBER codec's, which are Oracle's.
"""

from __future__ import annotations

import decimal
from typing import Any

import pyarrow as pa
from sqlglot import exp

from oracle_emulator.codecs.number import decode_number, encode_number
from oracle_emulator.sql import format_numbers as fnum
from oracle_emulator.sql import functions_udf as udf

#: DuckDB's DECIMAL holds at most this many digits
DECIMAL_DIGITS = 38
#: the call :func:`mark` wraps an item in, replaced by :func:`translate_marked`
MARKER = "ora_exact_number"
#: the macros of the computing form and of the exact-text form of TO_NUMBER / CAST AS NUMBER
EXACT_FORMS = {
    "ora_to_number": "ora_to_number_text",
    "ora_parse_number_nls": "ora_parse_number_text_nls",
    "ora_cast_number": "ora_cast_number_text",
}


def oracle_value(value: int | decimal.Decimal) -> int | decimal.Decimal:
    """``value`` as a NUMBER holds it: rounded to 40 digits, zero below 1e-130; ORA-01426
    (:class:`~oracle_emulator.codecs.number.NumericOverflow`) from 1e126 on."""
    return decode_number(encode_number(value))


def exact_text(value: int | decimal.Decimal) -> str:
    """The text of the NUMBER ``value`` becomes (``Decimal(text)`` gives it back)."""
    return str(oracle_value(value))


def fits_decimal(value: Any) -> bool:
    """Whether DuckDB binds ``value`` (an int or a Decimal) as a DECIMAL(38, s) or an
    integer, exactly; otherwise it would become a DOUBLE (or be refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        return True
    if isinstance(value, int):
        return abs(value) < 10**DECIMAL_DIGITS
    if not value.is_finite():
        return True
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        return len(digits) + exponent <= DECIMAL_DIGITS
    return max(len(digits), -exponent) <= DECIMAL_DIGITS


def is_number_value(value: Any) -> bool:
    """A bind value that came as a NUMBER (the codec gives ints and Decimals)."""
    return isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool)


def number_text_udf(texts: pa.Array, models: pa.Array, numeric: pa.Array) -> pa.Array:
    """``TO_NUMBER(text, model, numeric characters)`` as the exact text of the value."""
    return udf._map(
        lambda text, model, chars: exact_text(fnum.parse_number(text, model, chars)),
        (texts, models, numeric),
        pa.string(),
    )


def wide_literal(node: exp.Expression) -> decimal.Decimal | None:
    """The value of a NUMBER literal that no DECIMAL(38, s) holds (DuckDB would read it as a
    DOUBLE), else None."""
    negative = isinstance(node, exp.Neg)
    literal = node.this if negative else node
    if not isinstance(literal, exp.Literal) or literal.is_string:
        return None
    try:
        value = decimal.Decimal(literal.this)
    except decimal.InvalidOperation:
        return None
    if fits_decimal(value):
        return None
    return -value if negative else value


def is_to_number(item: exp.Expression) -> bool:
    """A select item (as written) whose value is TO_NUMBER's, a CAST to NUMBER without
    precision or a NUMBER literal wider than DuckDB's DECIMAL: a NUMBER expression whose
    value Oracle keeps exactly."""
    inner = item.this if isinstance(item, exp.Alias) else item
    if wide_literal(inner) is not None:
        return True
    if isinstance(inner, exp.ToNumber):
        return True
    if isinstance(inner, exp.Anonymous) and str(inner.this).upper() == "TO_NUMBER":
        return True
    if isinstance(inner, exp.Cast) and isinstance(inner.to, exp.DataType):
        target = inner.to
        return target.this == exp.DataType.Type.DECIMAL and not target.expressions
    return False


def mark(item: exp.Expression) -> exp.Expression:
    """Wrap a TO_NUMBER item (as written) so that the translation gives its exact form."""
    return exp.Anonymous(this=MARKER, expressions=[item])


def is_marked(inner: exp.Expression) -> bool:
    return isinstance(inner, exp.Anonymous) and str(inner.this).lower() == MARKER


def translate_marked(args: list[exp.Expression]) -> exp.Expression:
    """The translation of :func:`mark`: its argument, translated already, in exact form."""
    value = wide_literal(args[0])
    if value is not None:
        return exp.Literal.string(exact_text(value))
    return exact_form(args[0]) or args[0]


def exact_form(inner: exp.Expression) -> exp.Expression | None:
    """The exact-text form of a translated TO_NUMBER / CAST AS NUMBER item, or None."""
    call = inner.this if isinstance(inner, exp.Cast) else inner
    if not isinstance(call, exp.Anonymous):
        return None
    name = EXACT_FORMS.get(str(call.this).lower())
    if name is None:
        return None
    return exp.Anonymous(this=name, expressions=[arg.copy() for arg in call.expressions])
