"""Functions of Oracle's supplied PL/SQL packages that SQL statements may call.

Oracle lets a query call a packaged function by name (``SELECT DBMS_LOB.GETLENGTH(c) FROM
t``); the emulator runs no PL/SQL, so the few such functions clients use in SQL are DuckDB
macros here, with the semantics of the *PL/SQL Packages and Types Reference*:

- ``UTL_RAW.CAST_TO_RAW(c)``: the bytes of ``c`` in the database character set (AL32UTF8);
  ``UTL_RAW.CAST_TO_VARCHAR2(r)``: those bytes read back as text; ``UTL_RAW.LENGTH(r)``:
  the number of bytes. Text given where a RAW is due is read as hexadecimal digits, as
  Oracle converts text to RAW.
- ``DBMS_LOB.GETLENGTH(lob)``: characters of a CLOB, bytes of a BLOB (0 for an empty LOB);
  ``DBMS_LOB.SUBSTR(lob, amount, offset)``: NULL when ``amount`` is outside 1..32767, the
  offset is below 1 or past the end; ``DBMS_LOB.INSTR(clob, pattern, offset, nth)``: 0 when
  not found, NULL for an offset or nth below 1; ``DBMS_LOB.COMPARE(a, b, amount, offset_a,
  offset_b)``: 0 when the parts compared are equal, -1 or 1 otherwise, NULL for an amount
  or offset below 1.

A NULL argument gives NULL. Bytes that are no text in the character set cannot be held by
the emulator's text values (Oracle would store them as they are): ``CAST_TO_VARCHAR2`` of
such bytes is ORA-03001 rather than a silently altered string.
"""

from __future__ import annotations

from sqlglot import exp

from oracle_emulator.api import OracleError

ORA_WRONG_ARGUMENTS = 6553
#: DBMS_LOB.SUBSTR's largest amount, and its default
_SUBSTR_MAX = 32767
#: DBMS_LOB.LOBMAXSIZE, COMPARE's default amount
_LOB_MAX_SIZE = 18446744073709551615
#: DuckDB's SUBSTRING takes lengths up to 2**32 - 1: longer ones reach the end all the same
_SUBSTRING_MAX = 2**32 - 1
_NOT_TEXT = (
    "'ORA-03001: unimplemented feature: UTL_RAW.CAST_TO_VARCHAR2 of bytes that are no "
    "AL32UTF8 text'"
)


def _compare(left: str, right: str) -> str:
    left, right = (part.format(big=_SUBSTRING_MAX) for part in (left, right))
    return (
        "CASE WHEN n < 1 OR oa < 1 OR ob < 1 THEN NULL "
        f"WHEN {left} = {right} THEN 0 WHEN {left} < {right} THEN -1 ELSE 1 END"
    )


MACROS = (
    # text given where a RAW is due: hexadecimal digits (HEXTORAW)
    "ora_raw(x VARCHAR) AS unhex(x), (x) AS CAST(x AS BLOB)",
    "ora_utl_raw_cast_to_raw(c) AS encode(CAST(c AS VARCHAR))",
    "ora_utl_raw_cast_to_varchar2(r) AS CASE WHEN r IS NULL OR octet_length(r) = 0 THEN NULL "
    f"WHEN try(decode(r)) IS NULL THEN error({_NOT_TEXT}) ELSE decode(r) END",
    "ora_utl_raw_length(r) AS octet_length(r)",
    "ora_lob_length(x VARCHAR) AS length(x), (x BLOB) AS octet_length(x)",
    # SUBSTR of a BLOB: on its hexadecimal digits, two per byte
    "ora_lob_substr(x VARCHAR, n, o) AS CASE WHEN n < 1 OR n > 32767 OR o < 1 "
    "OR o > length(x) THEN NULL ELSE substring(x, CAST(trunc(o) AS BIGINT), "
    "CAST(trunc(n) AS BIGINT)) END, "
    "(x BLOB, n, o) AS CASE WHEN n < 1 OR n > 32767 OR o < 1 OR o > octet_length(x) "
    "THEN NULL ELSE unhex(substring(hex(x), CAST(2 * trunc(o) - 1 AS BIGINT), "
    "CAST(2 * trunc(n) AS BIGINT))) END",
    "ora_lob_instr(x VARCHAR, p VARCHAR, o, k) AS CASE WHEN o < 1 OR k < 1 THEN NULL "
    "ELSE coalesce(ora_instr_udf(x, p, CAST(trunc(o) AS BIGINT), CAST(trunc(k) AS BIGINT)), 0) "
    "END",
    # COMPARE: Oracle compares the bytes (BLOB) or the characters' codes (CLOB)
    "ora_lob_compare(a VARCHAR, b VARCHAR, n, oa, ob) AS "
    + _compare(
        "substring(a, CAST(oa AS BIGINT), CAST(least(CAST(n AS HUGEINT), {big}) AS BIGINT))",
        "substring(b, CAST(ob AS BIGINT), CAST(least(CAST(n AS HUGEINT), {big}) AS BIGINT))",
    )
    + ", (a BLOB, b BLOB, n, oa, ob) AS "
    + _compare(
        "unhex(substring(hex(a), CAST(2 * oa - 1 AS BIGINT), "
        "CAST(least(2 * CAST(n AS HUGEINT), {big}) AS BIGINT)))",
        "unhex(substring(hex(b), CAST(2 * ob - 1 AS BIGINT), "
        "CAST(least(2 * CAST(n AS HUGEINT), {big}) AS BIGINT)))",
    ),
)

#: (package, function) -> (DuckDB macro, fewest arguments, most arguments, defaults of the
#: optional ones, which arguments are RAW)
_FUNCTIONS: dict[tuple[str, str], tuple[str, int, int, tuple[str, ...], tuple[int, ...]]] = {
    ("UTL_RAW", "CAST_TO_RAW"): ("ora_utl_raw_cast_to_raw", 1, 1, (), ()),
    ("UTL_RAW", "CAST_TO_VARCHAR2"): ("ora_utl_raw_cast_to_varchar2", 1, 1, (), (0,)),
    ("UTL_RAW", "LENGTH"): ("ora_utl_raw_length", 1, 1, (), (0,)),
    ("DBMS_LOB", "GETLENGTH"): ("ora_lob_length", 1, 1, (), ()),
    ("DBMS_LOB", "SUBSTR"): ("ora_lob_substr", 1, 3, (str(_SUBSTR_MAX), "1"), ()),
    ("DBMS_LOB", "INSTR"): ("ora_lob_instr", 2, 4, ("1", "1"), ()),
    ("DBMS_LOB", "COMPARE"): ("ora_lob_compare", 2, 5, (str(_LOB_MAX_SIZE), "1", "1"), ()),
}


def function_key(node: exp.Expression) -> tuple[str, str] | None:
    """(package, function) of a call of a supplied package's function the emulator knows."""
    if not isinstance(node, exp.Dot):
        return None
    package, call = node.this, node.expression
    if isinstance(package, exp.Column) and not package.table:
        package = package.this
    if not isinstance(package, exp.Identifier) or not isinstance(call, exp.Anonymous):
        return None
    key = (package.name.upper(), str(call.this).upper())
    return key if key in _FUNCTIONS else None


def package_call(key: tuple[str, str], args: list[exp.Expression]) -> exp.Expression:
    """The DuckDB form of ``PACKAGE.FUNCTION(args)``, its arguments translated already (the
    call itself is not: a function of the same name outside the package, such as SUBSTR,
    is another function)."""
    macro, low, high, defaults, raw = _FUNCTIONS[key]
    if not low <= len(args) <= high:
        raise OracleError(
            ORA_WRONG_ARGUMENTS,
            f"PLS-00306: wrong number or types of arguments in call to '{key[1]}'",
        )
    args += [exp.Literal.number(value) for value in defaults[len(args) - low :]]
    args = [_raw(arg) if index in raw else arg for index, arg in enumerate(args)]
    return exp.Anonymous(this=macro, expressions=args)


def _raw(arg: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="ora_raw", expressions=[arg])
