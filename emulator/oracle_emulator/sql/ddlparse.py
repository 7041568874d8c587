"""Parse Oracle DDL into plain records (the executor in :mod:`.ddl` acts on them).

Covers CREATE TABLE (relational and AS SELECT), column types, inline and out-of-line
constraints, DEFAULT, identity columns, and the smaller statements (CREATE INDEX/SEQUENCE/
VIEW/USER, DROP, TRUNCATE, COMMENT ON, ALTER TABLE ADD, ALTER SESSION). Physical clauses
(TABLESPACE, STORAGE, PCTFREE, LOGGING, ...) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oracle_emulator.api import OracleType
from oracle_emulator.sql.catalogue import (
    CONSTRAINT_CHECK,
    CONSTRAINT_FOREIGN,
    CONSTRAINT_PRIMARY,
    CONSTRAINT_UNIQUE,
)
from oracle_emulator.sql.ddltokens import TokenStream
from oracle_emulator.sql.oratypes import MAX_NUMBER_PRECISION, DeclaredType

_COLUMN_CLAUSE_WORDS = (
    "DEFAULT", "NOT", "NULL", "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES",
    "ENABLE", "DISABLE", "GENERATED", "VISIBLE", "INVISIBLE",
)  # fmt: skip
_CONSTRAINT_STARTS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK")
_FLOAT_BINARY_PRECISION = 126
_REAL_BINARY_PRECISION = 63
ORA_INTEGER_REQUIRED = 2017  # ORA-02017: integer value required


@dataclass
class ConstraintDef:
    kind: str
    columns: list[str] = field(default_factory=list)
    name: str | None = None
    ref_owner: str | None = None
    ref_table: str | None = None
    ref_columns: list[str] = field(default_factory=list)
    condition: str | None = None


@dataclass
class ColumnDef:
    name: str
    type: DeclaredType | None
    nullable: bool = True
    default: str | None = None
    identity: bool = False
    constraints: list[ConstraintDef] = field(default_factory=list)


@dataclass
class CreateTable:
    owner: str | None
    name: str
    columns: list[ColumnDef] = field(default_factory=list)
    constraints: list[ConstraintDef] = field(default_factory=list)
    as_select: str | None = None
    #: ALL_TABLES.DURATION of a global temporary table (None: a permanent table)
    duration: str | None = None


# -- types ---------------------------------------------------------------------------------


def parse_type(stream: TokenStream) -> DeclaredType:
    """One column type, e.g. ``NUMBER(12,2)``, ``TIMESTAMP(6) WITH LOCAL TIME ZONE``."""
    word = stream.name()
    handler = _TYPE_PARSERS.get(word)
    if handler is None:
        raise stream.error(f"invalid datatype {word}", 902)
    return handler(stream, word)


def _args(stream: TokenStream) -> list[str]:
    """Parenthesised type arguments as text (numbers, ``*``, ``BYTE``/``CHAR``)."""
    if not stream.accept_punct("("):
        return []
    parts: list[str] = []
    current: list[str] = []
    while not stream.accept_punct(")"):
        token = stream.next()
        if token.value == ",":
            parts.append(" ".join(current))
            current = []
        else:
            current.append(token.value)
    parts.append(" ".join(current))
    return [p.replace("- ", "-") for p in parts]


def _integer(stream: TokenStream, text: str) -> int:
    """A size, precision or scale: Oracle refuses anything but a (signed) integer there."""
    try:
        return int(text)
    except ValueError:
        raise stream.error("integer value required", ORA_INTEGER_REQUIRED) from None


def _number(stream: TokenStream, word: str) -> DeclaredType:
    args = _args(stream)
    if not args:
        if word in ("INTEGER", "INT", "SMALLINT"):
            return DeclaredType(OracleType.NUMBER, precision=MAX_NUMBER_PRECISION, scale=0)
        if word in ("DECIMAL", "DEC", "NUMERIC"):
            return DeclaredType(OracleType.NUMBER, precision=MAX_NUMBER_PRECISION, scale=0)
        return DeclaredType(OracleType.NUMBER)
    precision = MAX_NUMBER_PRECISION if args[0] == "*" else _integer(stream, args[0])
    scale = _integer(stream, args[1]) if len(args) > 1 else 0
    if not 1 <= precision <= MAX_NUMBER_PRECISION:
        raise stream.error("numeric precision specifier is out of range (1 to 38)", 1727)
    return DeclaredType(OracleType.NUMBER, precision=precision, scale=scale)


def _float(stream: TokenStream, word: str) -> DeclaredType:
    if word == "DOUBLE":
        stream.expect_word("PRECISION")
        return DeclaredType(OracleType.NUMBER, precision=_FLOAT_BINARY_PRECISION, is_float=True)
    if word == "REAL":
        return DeclaredType(OracleType.NUMBER, precision=_REAL_BINARY_PRECISION, is_float=True)
    args = _args(stream)
    bits = _integer(stream, args[0]) if args else _FLOAT_BINARY_PRECISION
    return DeclaredType(OracleType.NUMBER, precision=bits, is_float=True)


def _text(stream: TokenStream, word: str) -> DeclaredType:
    kinds = {
        "VARCHAR2": OracleType.VARCHAR2,
        "VARCHAR": OracleType.VARCHAR2,
        "NVARCHAR2": OracleType.NVARCHAR2,
        "CHAR": OracleType.CHAR,
        "CHARACTER": OracleType.CHAR,
        "NCHAR": OracleType.NCHAR,
    }
    kind = kinds[word]
    if kind is OracleType.CHAR and stream.accept_word("VARYING"):
        kind = OracleType.VARCHAR2
    args = _args(stream)
    if not args and kind in (OracleType.VARCHAR2, OracleType.NVARCHAR2):
        raise stream.error("missing left parenthesis", 906)
    size, char_semantics = 1, False
    if args:
        pieces = args[0].split()
        size = _integer(stream, pieces[0] if pieces else "")
        char_semantics = len(pieces) > 1 and pieces[1] == "CHAR"
    return DeclaredType(kind, size=size, char_semantics=char_semantics)


def _simple(kind: OracleType) -> object:
    def parse(stream: TokenStream, word: str) -> DeclaredType:
        return DeclaredType(kind)

    return parse


def _raw(stream: TokenStream, word: str) -> DeclaredType:
    args = _args(stream)
    if not args:
        raise stream.error("missing left parenthesis", 906)
    return DeclaredType(OracleType.RAW, size=_integer(stream, args[0]))


def _long(stream: TokenStream, word: str) -> DeclaredType:
    if stream.accept_word("RAW"):
        return DeclaredType(OracleType.LONG_RAW)
    return DeclaredType(OracleType.LONG)


def _timestamp(stream: TokenStream, word: str) -> DeclaredType:
    args = _args(stream)
    digits = _integer(stream, args[0]) if args else 6
    kind = OracleType.TIMESTAMP
    if stream.accept_word("WITH"):
        kind = OracleType.TIMESTAMP_LTZ if stream.accept_word("LOCAL") else OracleType.TIMESTAMP_TZ
        stream.expect_word("TIME")
        stream.expect_word("ZONE")
    return DeclaredType(kind, scale=digits)


def _interval(stream: TokenStream, word: str) -> DeclaredType:
    unit = stream.expect_word("DAY", "YEAR")
    args = _args(stream)
    leading = _integer(stream, args[0]) if args else 2
    stream.expect_word("TO")
    if unit == "YEAR":
        stream.expect_word("MONTH")
        return DeclaredType(OracleType.INTERVAL_YM, precision=leading, scale=0)
    stream.expect_word("SECOND")
    fraction = _args(stream)
    scale = _integer(stream, fraction[0]) if fraction else 6
    return DeclaredType(OracleType.INTERVAL_DS, precision=leading, scale=scale)


_TYPE_PARSERS = {
    "NUMBER": _number,
    "INTEGER": _number,
    "INT": _number,
    "SMALLINT": _number,
    "DECIMAL": _number,
    "DEC": _number,
    "NUMERIC": _number,
    "FLOAT": _float,
    "DOUBLE": _float,
    "REAL": _float,
    "BINARY_FLOAT": _simple(OracleType.BINARY_FLOAT),
    "BINARY_DOUBLE": _simple(OracleType.BINARY_DOUBLE),
    "VARCHAR2": _text,
    "VARCHAR": _text,
    "NVARCHAR2": _text,
    "CHAR": _text,
    "CHARACTER": _text,
    "NCHAR": _text,
    "DATE": _simple(OracleType.DATE),
    "TIMESTAMP": _timestamp,
    "INTERVAL": _interval,
    "RAW": _raw,
    "LONG": _long,
    "CLOB": _simple(OracleType.CLOB),
    "NCLOB": _simple(OracleType.NCLOB),
    "BLOB": _simple(OracleType.BLOB),
    "ROWID": _simple(OracleType.ROWID),
    "UROWID": _simple(OracleType.ROWID),
}


# -- CREATE TABLE --------------------------------------------------------------------------


#: ALL_TABLES.DURATION of a global temporary table, by its ON COMMIT clause
DURATION_TRANSACTION = "SYS$TRANSACTION"
DURATION_SESSION = "SYS$SESSION"


def parse_create_table(stream: TokenStream, *, global_temporary: bool = False) -> CreateTable:
    """After ``CREATE [GLOBAL TEMPORARY] TABLE``: the rest of the statement.

    A global temporary table is ``ON COMMIT DELETE ROWS`` unless it says ``PRESERVE ROWS``.
    """
    owner, name = stream.qualified_name()
    statement = CreateTable(owner, name)
    if stream.accept_punct("("):
        if _looks_like_name_list(stream):
            statement.columns = [ColumnDef(n, None) for n in _name_list_rest(stream)]
        else:
            _table_elements(stream, statement)
    if global_temporary:
        statement.duration = DURATION_TRANSACTION
        if stream.accept_words("ON", "COMMIT"):
            if stream.accept_word("PRESERVE"):
                statement.duration = DURATION_SESSION
            else:
                stream.expect_word("DELETE")
            stream.expect_word("ROWS")
    _skip_physical(stream)
    if stream.accept_word("AS"):
        statement.as_select = stream.rest().rstrip(";").strip()
    return statement


def _looks_like_name_list(stream: TokenStream) -> bool:
    """``CREATE TABLE t (a, b) AS SELECT``: names without types."""
    first, second = stream.peek(), stream.peek(1)
    return bool(
        first and second and first.kind == "ident" and second.value in (",", ")")
    ) and not first.is_word(*_CONSTRAINT_STARTS)


def _name_list_rest(stream: TokenStream) -> list[str]:
    names = [stream.name()]
    while stream.accept_punct(","):
        names.append(stream.name())
    stream.expect_punct(")")
    return names


def _table_elements(stream: TokenStream, statement: CreateTable) -> None:
    while True:
        if stream.at_word(*_CONSTRAINT_STARTS):
            statement.constraints.append(parse_out_of_line_constraint(stream))
        else:
            statement.columns.append(parse_column(stream))
        if stream.accept_punct(")"):
            return
        stream.expect_punct(",")


def parse_column(stream: TokenStream) -> ColumnDef:
    name = stream.name()
    column = ColumnDef(name, parse_type(stream))
    while not stream.done and not stream.at_punct(",") and not stream.at_punct(")"):
        if not _column_clause(stream, column):
            stream.next()  # ENABLE, VISIBLE, SORT, ENCRYPT...: accepted and ignored
    return column


def _column_clause(stream: TokenStream, column: ColumnDef) -> bool:
    if stream.accept_word("DEFAULT"):
        stream.accept_words("ON", "NULL")
        column.default = stream.text_until(_COLUMN_CLAUSE_WORDS)
        return True
    if stream.accept_word("GENERATED"):
        _identity(stream)
        column.identity = True
        column.nullable = False
        return True
    constraint_name = stream.name() if stream.accept_word("CONSTRAINT") else None
    if stream.accept_words("NOT", "NULL"):
        column.nullable = False
    elif stream.accept_word("NULL"):
        column.nullable = True
    elif stream.accept_words("PRIMARY", "KEY"):
        column.constraints.append(ConstraintDef(CONSTRAINT_PRIMARY, [column.name], constraint_name))
        column.nullable = False
    elif stream.accept_word("UNIQUE"):
        column.constraints.append(ConstraintDef(CONSTRAINT_UNIQUE, [column.name], constraint_name))
    elif stream.accept_word("CHECK"):
        condition = _parenthesised_text(stream)
        column.constraints.append(
            ConstraintDef(CONSTRAINT_CHECK, [column.name], constraint_name, condition=condition)
        )
    elif stream.accept_word("REFERENCES"):
        constraint = ConstraintDef(CONSTRAINT_FOREIGN, [column.name], constraint_name)
        _references(stream, constraint)
        column.constraints.append(constraint)
    else:
        return constraint_name is not None
    return True


def _identity(stream: TokenStream) -> None:
    """``GENERATED [ALWAYS | BY DEFAULT [ON NULL]] AS IDENTITY [(options)]``."""
    while not stream.accept_word("IDENTITY"):
        stream.next()
    if stream.at_punct("("):
        stream.skip_balanced()


def _parenthesised_text(stream: TokenStream) -> str:
    stream.expect_punct("(")
    text = stream.text_until((), (")",))
    stream.expect_punct(")")
    return text


def _references(stream: TokenStream, constraint: ConstraintDef) -> None:
    constraint.ref_owner, constraint.ref_table = stream.qualified_name()
    if stream.accept_punct("("):
        constraint.ref_columns = _name_list_rest(stream)
    if stream.accept_words("ON", "DELETE") and not stream.accept_word("CASCADE"):
        stream.accept_words("SET", "NULL")


def parse_out_of_line_constraint(stream: TokenStream) -> ConstraintDef:
    name = stream.name() if stream.accept_word("CONSTRAINT") else None
    if stream.accept_words("PRIMARY", "KEY"):
        constraint = ConstraintDef(CONSTRAINT_PRIMARY, _column_list(stream), name)
    elif stream.accept_word("UNIQUE"):
        constraint = ConstraintDef(CONSTRAINT_UNIQUE, _column_list(stream), name)
    elif stream.accept_words("FOREIGN", "KEY"):
        constraint = ConstraintDef(CONSTRAINT_FOREIGN, _column_list(stream), name)
        stream.expect_word("REFERENCES")
        _references(stream, constraint)
    elif stream.accept_word("CHECK"):
        constraint = ConstraintDef(
            CONSTRAINT_CHECK, [], name, condition=_parenthesised_text(stream)
        )
    else:
        raise stream.error("invalid constraint", 904)
    _skip_constraint_state(stream)
    return constraint


def _column_list(stream: TokenStream) -> list[str]:
    stream.expect_punct("(")
    return _name_list_rest(stream)


def _skip_constraint_state(stream: TokenStream) -> None:
    """USING INDEX ..., ENABLE, VALIDATE, DEFERRABLE, RELY...: recorded as ENABLED anyway."""
    while not stream.done and not stream.at_punct(",") and not stream.at_punct(")"):
        if stream.at_punct("("):
            stream.skip_balanced()
        else:
            stream.next()


def _skip_physical(stream: TokenStream) -> None:
    """TABLESPACE x, PCTFREE n, STORAGE (...), SEGMENT CREATION ..., etc. up to AS or end."""
    while not stream.done and not stream.at_word("AS"):
        if stream.at_punct("("):
            stream.skip_balanced()
        elif stream.at_punct(";"):
            stream.next()
        else:
            stream.next()
