"""Oracle number format models (``TO_CHAR(number, fmt)``, ``TO_NUMBER(text, fmt)``) and the
canonical text of a NUMBER (``TO_CHAR(number)``, implicit conversions).

Supported elements: ``9``, ``0``, ``,``/``G``, ``.``/``D``, ``$``, ``S`` (leading or
trailing), ``MI``, ``PR``, ``B``, ``FM``, ``EEEE``, ``X`` (hexadecimal) and ``TM``. Oracle's
layout rules are kept: without ``FM`` the result is padded on the left to the model's width
plus one position for the sign; a value that does not fit gives ``#`` over the whole width;
values are rounded half away from zero to the model's decimals; a zero integer part prints as
blank before a decimal point (``.50``) unless a ``0`` asks for it. Not supported: ``V``,
``RN``, ``L``/``C``/``U`` currency symbols (raise ORA-01481).

``D`` and ``G`` are the session's decimal character and group separator
(NLS_NUMERIC_CHARACTERS, passed as ``numeric``), while ``.`` and ``,`` in a model are always
a period and a comma. Without a model (``TO_CHAR(n)``, ``TO_NUMBER(s)``, implicit
conversions) the decimal character is the session's and no group separator is allowed, so
``TO_NUMBER('1.5')`` is ORA-01722 where the decimal character is a comma, as in Oracle.
"""

from __future__ import annotations

import decimal
import functools
import re
from dataclasses import dataclass

from oracle_emulator.api import ORA_INVALID_NUMBER, OracleError

ORA_INVALID_NUMBER_FORMAT = 1481
_CANONICAL_MAX_CHARS = 40
_CONTEXT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_UP)
_MODEL_CHARS = re.compile(r"^(FM)?(\$|S)?(B)?[09,GD.$]*((EEEE)?)(S|MI|PR)?$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberModel:
    """A compiled number model."""

    integer_part: str  # the 9/0/,/G characters before the decimal point
    fraction_digits: int
    decimal_char: str  # ".", "D" or "" when the model has no decimal point
    fill: bool
    dollar: bool
    blank_zero: bool
    leading_sign: bool
    trailing: str  # "", "S", "MI" or "PR"
    scientific: bool
    width: int  # characters without FM


@functools.lru_cache(maxsize=256)
def compile_number_model(model: str) -> NumberModel:
    """Compile a number model; ORA-01481 for what is not a (supported) number model."""
    upper = model.strip().upper()
    match = _MODEL_CHARS.match(upper)
    if not match:
        raise OracleError(ORA_INVALID_NUMBER_FORMAT, "invalid number format model")
    fill = bool(match.group(1))
    prefix = match.group(2) or ""
    trailing = match.group(6) or ""
    scientific = bool(match.group(4))
    core = upper[len(match.group(1) or "") + len(prefix) + len(match.group(3) or "") :]
    core = core[: len(core) - len(trailing)].removesuffix("EEEE").replace("$", "")
    integer_part, point, fraction = re.split(r"[.D]", core, maxsplit=1)[0], "", ""
    found = re.search(r"[.D]", core)
    if found:
        integer_part, fraction = re.split(r"[.D]", core, maxsplit=1)
        point = found.group(0)
    dollar = "$" in upper
    sign_width = 2 if trailing == "PR" else 1
    width = len(integer_part) + len(point) + len(fraction) + sign_width
    width += (4 if scientific else 0) + (1 if dollar else 0)
    return NumberModel(
        integer_part=integer_part,
        fraction_digits=len(fraction),
        decimal_char=point,
        fill=fill,
        dollar=dollar,
        blank_zero=bool(match.group(3)),
        leading_sign=prefix == "S",
        trailing=trailing,
        scientific=scientific,
        width=width,
    )


def canonical_text(value: decimal.Decimal | int | float | str, decimal_char: str = ".") -> str:
    """Oracle's text for a NUMBER without a model: no trailing zeros, no leading ``0``, the
    session's decimal character."""
    text = _canonical(value)
    return text if decimal_char == "." else text.replace(".", decimal_char)


def _canonical(value: decimal.Decimal | int | float | str) -> str:
    number = decimal.Decimal(str(value)) if not isinstance(value, decimal.Decimal) else value
    if not number.is_finite():
        return {"NaN": "NaN"}.get(str(number), "~" if number > 0 else "-~")
    if number.is_zero():
        return "0"
    text = format(number.normalize(_CONTEXT), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    if len(text) > _CANONICAL_MAX_CHARS:
        mantissa, exponent = f"{number:.{_CANONICAL_MAX_CHARS - 8}E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}E{int(exponent):+03d}"
    return text


def format_number(
    value: decimal.Decimal | int | float | str, model: str, numeric: str = ".,"
) -> str:
    """Oracle ``TO_CHAR(number, model)``; ``numeric`` is NLS_NUMERIC_CHARACTERS."""
    number = decimal.Decimal(str(value)) if not isinstance(value, decimal.Decimal) else value
    upper = model.strip().upper()
    if upper.startswith("TM"):
        return canonical_text(number, numeric[0])
    if upper and set(upper) <= {"X"}:
        return _format_hex(number, model.strip())
    compiled = compile_number_model(model)
    if compiled.blank_zero and number.is_zero():
        return "" if compiled.fill else " " * compiled.width
    body = (
        _scientific(number, compiled, numeric)
        if compiled.scientific
        else _digits(number, compiled, numeric)
    )
    if body is None:
        return "#" * compiled.width
    text = _with_sign(body, number < 0, compiled)
    return text if compiled.fill else text.rjust(compiled.width)


def _digits(number: decimal.Decimal, model: NumberModel, numeric: str) -> str | None:
    rounded = abs(number).quantize(
        decimal.Decimal(1).scaleb(-model.fraction_digits), context=_CONTEXT
    )
    integer_text, _, fraction_text = f"{rounded:f}".partition(".")
    slots = [ch for ch in model.integer_part if ch in "90"]
    if integer_text == "0":
        integer_text = ""
    if len(integer_text) > len(slots):
        return None
    first_zero = next((i for i, ch in enumerate(slots) if ch == "0"), len(slots))
    padded = integer_text.rjust(len(slots), "0")
    start = min(first_zero, len(slots) - len(integer_text))
    if not integer_text and not model.fraction_digits:
        start = min(start, len(slots) - 1)  # a zero without decimals still prints "0"
    out, digit_index = [], 0
    for ch in model.integer_part:
        if ch in "90":
            out.append(padded[digit_index] if digit_index >= start else " ")
            digit_index += 1
        else:  # group separator: only once a digit has been printed
            separator = numeric[1] if ch == "G" else ch
            out.append(separator if digit_index > start else " ")
    integer_out = "".join(out)
    if model.fill:
        integer_out = integer_out.lstrip()
    if model.dollar:
        integer_out = _insert_before_digits(integer_out, "$")
    fraction_out = (fraction_text or "").ljust(model.fraction_digits, "0")
    return integer_out + _decimal_of(model, numeric) + fraction_out


def _decimal_of(model: NumberModel, numeric: str) -> str:
    return numeric[0] if model.decimal_char == "D" else model.decimal_char


def _insert_before_digits(text: str, symbol: str) -> str:
    stripped = text.lstrip()
    return text[: len(text) - len(stripped)] + symbol + stripped


def _scientific(number: decimal.Decimal, model: NumberModel, numeric: str) -> str:
    digits = model.fraction_digits
    mantissa, exponent = f"{abs(number):.{digits}E}".split("E")
    mantissa = mantissa.replace(".", _decimal_of(model, numeric) or ".")
    body = f"{mantissa}E{int(exponent):+03d}"
    return body if not model.fill else body.lstrip()


def _with_sign(body: str, negative: bool, model: NumberModel) -> str:
    stripped = body.lstrip()
    pad = body[: len(body) - len(stripped)]
    if model.trailing == "MI":
        return body + ("-" if negative else " " if not model.fill else "")
    if model.trailing == "PR":
        return f"{pad}<{stripped}>" if negative else f"{pad} {stripped} "
    if model.trailing == "S":
        return body + ("-" if negative else "+")
    if model.leading_sign:
        return pad + ("-" if negative else "+") + stripped
    return pad + "-" + stripped if negative else body


def _format_hex(number: decimal.Decimal, model: str) -> str:
    integer = int(number.to_integral_value(rounding=decimal.ROUND_HALF_UP))
    if integer < 0:
        return "#" * (len(model) + 1)
    text = f"{integer:X}" if model[0] == "X" else f"{integer:x}"
    if len(text) > len(model):
        return "#" * (len(model) + 1)
    return text.rjust(len(model) + 1)


def parse_number(text: str, model: str | None = None, numeric: str = ".,") -> decimal.Decimal:
    """Oracle ``TO_NUMBER(text[, model])``; invalid text is ORA-01722. ``numeric`` is
    NLS_NUMERIC_CHARACTERS (``TM`` models and no model use its decimal character)."""
    cleaned = text.strip()
    negative = False
    upper = (model or "").strip().upper()
    if not upper or upper.startswith("TM"):
        cleaned = _with_period(cleaned, numeric[0], None)
    else:
        if set(upper) <= {"X"}:
            return _parse_hex(cleaned)
        compiled = compile_number_model(model or "")
        group = numeric[1] if "G" in compiled.integer_part else ","
        point = _decimal_of(compiled, numeric) or "."
        kept = group if group != point else None
        cleaned = _with_period(cleaned.replace("$", "").replace(" ", ""), point, kept)
        if cleaned.startswith("<") and cleaned.endswith(">"):
            negative, cleaned = True, cleaned[1:-1]
        elif cleaned.endswith(("-", "+")):
            negative, cleaned = cleaned.endswith("-"), cleaned[:-1]
    try:
        number = decimal.Decimal(cleaned)
    except decimal.InvalidOperation:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number") from None
    if not number.is_finite() or "_" in cleaned:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number")
    if model and not model.strip().upper().startswith("TM"):
        _check_fits(number, compile_number_model(model))
    return -number if negative else number


def _with_period(text: str, point: str, group: str | None) -> str:
    """The text with its decimal character made a period and its group separators dropped;
    a period that is not the decimal character (nor a group separator) is invalid."""
    if group is not None:
        text = text.replace(group, "")
    if point != "." and "." in text:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number")
    return text.replace(point, ".")


def _check_fits(number: decimal.Decimal, model: NumberModel) -> None:
    integer_digits = len(str(abs(int(number)))) if int(number) else 0
    if integer_digits > sum(ch in "90" for ch in model.integer_part) and not model.scientific:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number")


def _parse_hex(text: str) -> decimal.Decimal:
    try:
        return decimal.Decimal(int(text, 16))
    except ValueError:
        raise OracleError(ORA_INVALID_NUMBER, "invalid number") from None
