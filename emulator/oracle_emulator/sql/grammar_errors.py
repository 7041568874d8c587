"""The Oracle error for a statement the grammar refused: a pure function of the parser's
first syntax error (the record ``grammar/parse_server.js`` answers) and the statement text.

Oracle's parser is not ANTLR's, so where it stops and which of its messages it gives is
known from its documented errors and observed behaviour, not derived; the rules below are
the mapping, in the order they are tried, and each says why:

* a character no token starts with: ORA-01756 for an unterminated ``'`` string, ORA-01740
  for an unterminated ``"`` identifier, ORA-00911 for anything else;
* ``;`` after a SQL statement (the driver sends the statement alone): ORA-00911, the error
  every Oracle client reports for a trailing semicolon;
* nothing but comments, a SQL*Plus command, or a first word that begins no Oracle statement
  (``SELEC``, ``SHOW``): ORA-00900 invalid SQL statement;
* more ``(`` than ``)`` before the failure point: ORA-00907 missing right parenthesis, which
  Oracle reports at the first token that cannot continue the parenthesized part; the parser
  expecting only ``)`` there says the same;
* a failure inside the select list: ORA-00936 missing expression where an expression should
  start (``SELECT FROM``, ``SELECT a, FROM``), else ORA-00923 FROM keyword not found where
  expected (``SELECT a b c FROM t``, ``SELECT a, b t``);
* a length, precision or scale that is no integer (``NUMBER()``, ``VARCHAR2(TEN)``):
  ORA-02017 integer value required;
* ``INSERT INTO t`` followed by neither VALUES nor a query: ORA-00926 missing VALUES keyword;
* the end of the text where more was needed: ORA-00903 invalid table name right after
  ``FROM``/``JOIN``/``INTO``/``UPDATE``/``TABLE``, ORA-00936 missing expression otherwise
  (``WHERE a =``, ``ORDER BY``);
* ``FROM`` where an expression should start: ORA-00936;
* an identifier where a condition wants its operator (``WHERE a ILIKE 'x'``, ``ON a SAME b``):
  ORA-00920 invalid relational operator. This is a heuristic: the word follows an operand
  that opens a condition (after WHERE/HAVING/ON/WHEN/AND/OR/NOT or ``(``) and precedes
  another operand;
* an anonymous block that does not parse: ORA-06550 with PL/SQL's PLS-00103 "Encountered
  the symbol ..." at its line and column, as the PL/SQL compiler reports it;
* a token that cannot start an operand where the parser wanted one (``COUNT OR (*)``):
  ORA-00936 missing expression;
* anything left after a statement that parsed whole, or a token a complete statement cannot
  take (``LIMIT 5``, ``AS`` before a table alias, a second statement): ORA-00933 SQL command
  not properly ended.

ORA-00904 (invalid identifier) is never a syntax error: it comes from name resolution, so
the engine gives it after the gate. The offset is the character position of the token
Oracle would point at (the driver's ``error.offset``): the token where the statement stopped
making sense, which is the furthest any of the parser's predictions got.
"""

from __future__ import annotations

import re
from typing import Any

from oracle_emulator.api import (
    ORA_INVALID_SQL,
    ORA_MISSING_RIGHT_PARENTHESIS,
    ORA_NOT_PROPERLY_ENDED,
    OracleError,
)

ORA_INVALID_TABLE_NAME = 903
ORA_INVALID_CHARACTER = 911
ORA_INVALID_RELATIONAL_OPERATOR = 920
ORA_MISSING_VALUES = 926
ORA_INTEGER_REQUIRED = 2017
ORA_FROM_NOT_FOUND = 923
ORA_MISSING_EXPRESSION = 936
ORA_MISSING_DOUBLE_QUOTE = 1740
ORA_QUOTED_STRING_NOT_TERMINATED = 1756
ORA_PLSQL_COMPILATION = 6550

MESSAGES = {
    ORA_INVALID_SQL: "invalid SQL statement",
    ORA_INVALID_TABLE_NAME: "invalid table name",
    ORA_MISSING_RIGHT_PARENTHESIS: "missing right parenthesis",
    ORA_INVALID_CHARACTER: "invalid character",
    ORA_INVALID_RELATIONAL_OPERATOR: "invalid relational operator",
    ORA_MISSING_VALUES: "missing VALUES keyword",
    ORA_INTEGER_REQUIRED: "integer value required",
    ORA_FROM_NOT_FOUND: "FROM keyword not found where expected",
    ORA_NOT_PROPERLY_ENDED: "SQL command not properly ended",
    ORA_MISSING_EXPRESSION: "missing expression",
    ORA_MISSING_DOUBLE_QUOTE: "missing double quote in identifier",
    ORA_QUOTED_STRING_NOT_TERMINATED: "quoted string not properly terminated",
}

#: first words of Oracle SQL statements and PL/SQL blocks (SQL Language Reference, "Types of
#: SQL Statements"); a parenthesized query may start with "(".
STATEMENT_WORDS = frozenset(
    [
        "ADMINISTER",
        "ALTER",
        "ANALYZE",
        "ASSOCIATE",
        "AUDIT",
        "BEGIN",
        "CALL",
        "COMMENT",
        "COMMIT",
        "CREATE",
        "DECLARE",
        "DELETE",
        "DISASSOCIATE",
        "DROP",
        "EXPLAIN",
        "FLASHBACK",
        "GRANT",
        "INSERT",
        "LOCK",
        "MERGE",
        "NOAUDIT",
        "PURGE",
        "RENAME",
        "REVOKE",
        "ROLLBACK",
        "SAVEPOINT",
        "SELECT",
        "SET",
        "TRUNCATE",
        "UPDATE",
        "WITH",
        "(",
    ]
)
_SELECT_LIST_RULES = frozenset({"selected_list", "select_list_elements", "column_alias"})
#: the parser stopped inside an expression: it wanted an operand there
_EXPRESSION_RULES = frozenset(
    {"atom", "unary_expression", "expression", "concatenation", "compound_expression"}
)
_INSERT_RULES = frozenset({"single_table_insert", "insert_into_clause"})
#: types whose parenthesized length, precision or scale must be integers
_SIZED_TYPES = frozenset(
    {"NUMBER", "NUMERIC", "DECIMAL", "DEC", "FLOAT", "VARCHAR2", "VARCHAR", "CHAR", "NCHAR"}
    | {"NVARCHAR2", "RAW", "TIMESTAMP", "CHARACTER", "UROWID"}
)
_PLS_SYMBOLS = {"SEMICOLON": ";", "RIGHT_PAREN": ")", "LEFT_PAREN": "(", "COMMA": ","}
_TABLE_WORDS = frozenset({"FROM", "JOIN", "INTO", "UPDATE", "TABLE"})
_CONDITION_WORDS = frozenset({"WHERE", "HAVING", "ON", "WHEN", "AND", "OR", "NOT"})
_CLAUSE_WORDS = _CONDITION_WORDS | frozenset({"SELECT", "FROM", "GROUP", "ORDER", "BY", "SET"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_$#]*|\"[^\"]*\"|'(?:[^']|'')*'|:\w+|\d[\d.]*|\S")
_OPERAND_END = re.compile(r"^(?:[A-Za-z][\w$#]*|\"[^\"]*\"|'.*'|:\w+|\d[\d.]*|\))$", re.S)
_OPERAND_START = re.compile(r"^(?:[A-Za-z][\w$#]*|\"[^\"]*\"|'.*'|:\w+|\d[\d.]*|\()$", re.S)


def oracle_error(record: dict[str, Any], sql: str) -> OracleError:
    """The error Oracle gives for the statement ``sql`` whose first syntax error the parser
    described in ``record``."""
    if str(record.get("first") or "").upper() in ("BEGIN", "DECLARE"):
        return plsql_error(record, sql)
    code, offset = classify(record, sql)
    return OracleError(code, MESSAGES[code], offset)


def plsql_error(record: dict[str, Any], sql: str) -> OracleError:
    """A block that does not parse: PL/SQL's compiler reports PLS-00103 inside ORA-06550,
    at the line and (1-based) column of the symbol it met."""
    offset = _offset(record, sql)
    line = sql.count("\n", 0, offset) + 1
    column = offset - (sql.rfind("\n", 0, offset) + 1) + 1
    furthest = record.get("furthest") or {}
    token = str(furthest.get("token") or record.get("token") or "")
    symbol = "end-of-file" if token in ("<EOF>", "") else token
    expected = [
        _PLS_SYMBOLS.get(name, name.lower())
        for name in record.get("expected") or []
        if name != "EOF"
    ][:12]
    message = f'line {line}, column {column}:\nPLS-00103: Encountered the symbol "{symbol}"'
    if expected:
        message += " when expecting one of the following:\n\n   " + " ".join(expected)
    return OracleError(ORA_PLSQL_COMPILATION, message, offset)


def classify(record: dict[str, Any], sql: str) -> tuple[int, int]:
    """``(ORA code, character offset)`` for one refusal: see the module docstring."""
    if record.get("lexical"):
        return _lexical(record, sql)
    offset = _offset(record, sql)
    kind = record.get("kind")
    if kind == "semicolon":
        return ORA_INVALID_CHARACTER, offset
    first = str(record.get("first") or "").upper()
    if kind in ("empty", "not_sql") or first not in STATEMENT_WORDS:
        return ORA_INVALID_SQL, 0
    if kind == "trailing":
        return ORA_NOT_PROPERLY_ENDED, offset
    furthest = record.get("furthest") or {}
    token = str(furthest.get("token") if furthest else record.get("token") or "")
    at_end = token == "<EOF>"
    rules = list(record.get("rules") or [])
    expected = list(record.get("expected") or [])
    if int(record.get("parens") or 0) > 0 or expected == ["RIGHT_PAREN"]:
        return ORA_MISSING_RIGHT_PARENTHESIS, offset
    if _in_type_size(sql, offset):
        return ORA_INTEGER_REQUIRED, offset
    if rules and rules[0] in _INSERT_RULES and "VALUES" in expected:
        return ORA_MISSING_VALUES, offset
    if (rules and rules[0] in _SELECT_LIST_RULES) or set(rules[:3]) & _SELECT_LIST_RULES:
        before = _word_before(sql, offset)
        if token.upper() == "FROM" or before in (",", "SELECT", "DISTINCT", "ALL"):
            return ORA_MISSING_EXPRESSION, offset
        return ORA_FROM_NOT_FOUND, offset
    if at_end:
        before = _word_before(sql, offset).upper()
        if before in _TABLE_WORDS:
            return ORA_INVALID_TABLE_NAME, offset
        return ORA_MISSING_EXPRESSION, offset
    if token.upper() == "FROM":
        return ORA_MISSING_EXPRESSION, offset
    operator = _relational_operator_at(sql, offset)
    if operator is not None:
        return ORA_INVALID_RELATIONAL_OPERATOR, operator
    if rules and rules[0] in _EXPRESSION_RULES:
        return ORA_MISSING_EXPRESSION, offset
    return ORA_NOT_PROPERLY_ENDED, offset


def _in_type_size(sql: str, offset: int) -> bool:
    """Whether ``offset`` is inside the parentheses after a sized type (``NUMBER()``,
    ``VARCHAR2(TEN)``, ``NUMBER(5,)``): Oracle wants an integer there."""
    before = [word.upper() for start, word in _words(sql) if start < offset]
    while before and (before[-1] == "," or before[-1][:1].isdigit()):
        before.pop()
    return len(before) >= 2 and before[-1] == "(" and before[-2] in _SIZED_TYPES


def _lexical(record: dict[str, Any], sql: str) -> tuple[int, int]:
    offset = int(record.get("offset") or 0)
    char = sql[offset : offset + 1]
    if char == "'" or sql[offset : offset + 2].upper() in ("Q'", "N'"):
        return ORA_QUOTED_STRING_NOT_TERMINATED, offset
    if char == '"':
        return ORA_MISSING_DOUBLE_QUOTE, offset
    return ORA_INVALID_CHARACTER, offset


def _offset(record: dict[str, Any], sql: str) -> int:
    """The furthest point the parser reached, else where it reported the error."""
    furthest = record.get("furthest") or {}
    candidates = [furthest.get("offset"), record.get("offset")]
    values = [int(value) for value in candidates if value is not None]
    return min(max(values), len(sql)) if values else 0


def _words(text: str) -> list[tuple[int, str]]:
    """Oracle tokens, roughly: enough to look at the neighbours of an offset."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", lambda m: " " * len(m.group()), text, flags=re.S)
    return [(m.start(), m.group()) for m in _WORD.finditer(text)]


def _word_before(sql: str, offset: int) -> str:
    before = [word for start, word in _words(sql) if start < offset]
    return before[-1].upper() if before else ""


def _relational_operator_at(sql: str, offset: int) -> int | None:
    """The offset of a word standing where a condition wants its relational operator, at or
    just before ``offset`` (the parser may have taken the word as an alias and failed on the
    operand after it)."""
    words = _words(sql)
    for index, (start, word) in enumerate(words):
        if start > offset:
            break
        if not (start == offset or (index + 1 < len(words) and words[index + 1][0] == offset)):
            continue
        if not re.fullmatch(r"[A-Za-z][\w$#]*", word) or word.upper() in _CLAUSE_WORDS:
            continue
        if index == 0 or index + 1 >= len(words):
            continue
        if not (
            _OPERAND_END.match(words[index - 1][1]) and _OPERAND_START.match(words[index + 1][1])
        ):
            continue
        if _opens_condition(words, index - 1):
            return start
    return None


def _opens_condition(words: list[tuple[int, str]], operand: int) -> bool:
    """Whether the (possibly qualified) operand ending at ``operand`` is the first of a
    condition: preceded by a word that opens one, or by ``(``."""
    first = operand
    while first >= 2 and words[first - 1][1] == ".":
        first -= 2
    return first > 0 and words[first - 1][1].upper() in _CONDITION_WORDS | {"("}
