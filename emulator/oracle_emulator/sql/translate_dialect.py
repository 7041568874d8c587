"""The sqlglot dialect the emulator parses with: Oracle, with functions left as written.

sqlglot's Oracle parser turns many functions into generic nodes on the way in (``TO_CHAR``
becomes a strftime-based node whose format is converted lossily, ``TRUNC`` guesses between
dates and numbers, ``DECODE`` becomes a ``CASE`` comparing with ``=``). The emulator needs
Oracle's exact semantics, so those functions are kept as ``exp.Anonymous`` calls with the
original arguments and :mod:`translate_exprs` maps each one to DuckDB itself. Datetime type
literals (``DATE '...'``, ``TIMESTAMP '...'``) become marker calls for the same reason.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.parsers.oracle import OracleParser
from sqlglot.tokens import TokenType

#: functions parsed as plain calls, translated by name in translate_exprs
RAW_FUNCTIONS = frozenset(
    {
        "ADD_MONTHS",
        "CONCAT",
        "DECODE",
        "FROM_TZ",
        "GREATEST",
        "INSTR",
        "LAST_DAY",
        "LEAST",
        "LENGTH",
        "LPAD",
        "MOD",
        "MONTHS_BETWEEN",
        "NVL",
        "NVL2",
        "ORA_HASH",
        "POWER",
        "REPLACE",
        "ROUND",
        "RPAD",
        "SIGN",
        "SUBSTR",
        "SYS_EXTRACT_UTC",
        "TO_CHAR",
        "TO_DATE",
        "TO_NUMBER",
        "TO_TIMESTAMP",
        "TO_TIMESTAMP_TZ",
        "TRUNC",
    }
)

DATE_LITERAL = "__ORA_DATE_LITERAL"
TIMESTAMP_LITERAL = "__ORA_TIMESTAMP_LITERAL"
#: ``expr IS JSON [modifiers]`` as a call: (expr, strict, unique keys, scalars allowed)
IS_JSON = "__ORA_IS_JSON"


def _marker(name: str):
    def build(self: OracleParser, this: exp.Expression, _kind: object) -> exp.Expression:
        return self.expression(exp.Anonymous(this=name, expressions=[this]))

    return build


class EmulatorOracleParser(OracleParser):
    """Oracle's parser minus the function rewrites the emulator does itself."""

    FUNCTIONS = {k: v for k, v in OracleParser.FUNCTIONS.items() if k not in RAW_FUNCTIONS}
    FUNCTION_PARSERS = {
        k: v for k, v in OracleParser.FUNCTION_PARSERS.items() if k not in RAW_FUNCTIONS
    }
    TYPE_LITERAL_PARSERS = {
        exp.DType.DATE: _marker(DATE_LITERAL),
        exp.DType.TIMESTAMP: _marker(TIMESTAMP_LITERAL),
    }

    def _parse_is(self, this: exp.Expr | None) -> exp.Expr | None:
        """``IS [NOT] JSON`` with Oracle's modifiers (sqlglot's reading knows none of
        STRICT, LAX, FORMAT JSON, SCALARS) as an :data:`IS_JSON` call."""
        index = self._index
        negate = self._match(TokenType.NOT)
        if this is None or not self._match(TokenType.JSON):
            self._retreat(index)
            return super()._parse_is(this)
        strict, unique, scalars = _json_modifiers(self)
        flags = [exp.Boolean(this=strict), exp.Boolean(this=unique), exp.Boolean(this=scalars)]
        call = self.expression(exp.Anonymous(this=IS_JSON, expressions=[this, *flags]))
        return self.expression(exp.Not(this=call)) if negate else call


def _json_modifiers(parser: OracleParser) -> tuple[bool, bool, bool]:
    """Oracle's modifiers after ``IS [NOT] JSON`` (SQL Language Reference, JSON Conditions):
    ``[FORMAT JSON] [STRICT | LAX | (STRICT) | (LAX)] [ALLOW | DISALLOW SCALARS]
    [{WITH | WITHOUT} [UNIQUE] KEYS]``, as (strict, unique keys, scalars allowed)."""
    strict, unique, scalars = False, False, True
    while True:
        if parser._match_text_seq("FORMAT", "JSON"):
            continue
        if parser._match_texts(("STRICT", "LAX")):
            strict = parser._prev.text.upper() == "STRICT"
            continue
        if parser._match_text_seq("(", "STRICT", ")") or parser._match_text_seq("(", "LAX", ")"):
            strict = parser._tokens[parser._index - 2].text.upper() == "STRICT"
            continue
        if parser._match_texts(("ALLOW", "DISALLOW")):
            scalars = parser._prev.text.upper() == "ALLOW"
            if not parser._match_text_seq("SCALARS"):
                parser.raise_error("Expected SCALARS")
            continue
        if parser._match_texts(("WITH", "WITHOUT")):
            unique = parser._prev.text.upper() == "WITH"
            parser._match_text_seq("UNIQUE")
            if not parser._match_text_seq("KEYS"):
                parser.raise_error("Expected KEYS")
            continue
        return strict, unique, scalars


class EmulatorOracleTokenizer(Oracle.Tokenizer):
    """Oracle's tokens plus its floating-point literals: ``1e300d`` is a BINARY_DOUBLE,
    ``1.5f`` a BINARY_FLOAT (a cast of the number, which a NUMBER literal could not hold)."""

    NUMERIC_LITERALS = {"D": "BINARY_DOUBLE", "F": "BINARY_FLOAT"}


class EmulatorOracle(Oracle):
    """Oracle as the emulator reads it; generation is unchanged (the output is DuckDB's)."""

    Tokenizer = EmulatorOracleTokenizer
    Parser = EmulatorOracleParser
