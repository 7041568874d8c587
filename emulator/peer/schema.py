"""The tables python-oracledb's test suite expects, created in plain SQL through the emulator.

Written for this harness from what the suite's tests read and write (its own schema scripts
are not in the sdist, and theirs populate tables with PL/SQL loops the emulator does not run):
the same table shapes, and rows computed here with the same formulas. Object types, XMLType,
BFILE, queues and PL/SQL packages are left out: the tests that need them fail, and the
expected-failures list names why.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import oracledb

#: the suite's default edition name (PYO_TEST_EDITION_NAME)
EDITION = "pythonedition"

TABLES = [
    """create table TestNumbers (
        IntCol number(9) not null,
        LongIntCol number(16) not null,
        NumberCol number(9, 2) not null,
        FloatCol float not null,
        UnconstrainedCol number not null,
        NullableCol number(38))""",
    """create table TestStrings (
        IntCol number(9) not null,
        StringCol varchar2(20) not null,
        RawCol raw(30) not null,
        FixedCharCol char(40) not null,
        NullableCol varchar2(50))""",
    """create table TestUnicodes (
        IntCol number(9) not null,
        UnicodeCol nvarchar2(20) not null,
        FixedUnicodeCol nchar(40) not null,
        NullableCol nvarchar2(50))""",
    """create table TestDates (
        IntCol number(9) not null,
        DateCol date not null,
        NullableCol date)""",
    """create table TestCLOBs (
        IntCol number(9) not null,
        CLOBCol clob not null,
        ExtraNumCol1 number(9),
        ExtraCLOBCol1 clob,
        ExtraNumCol2 number(9),
        ExtraCLOBCol2 clob)""",
    """create table TestNCLOBs (
        IntCol number(9) not null,
        NCLOBCol nclob not null,
        ExtraNumCol1 number(9),
        ExtraNCLOBCol1 nclob,
        ExtraNumCol2 number(9),
        ExtraNCLOBCol2 nclob)""",
    """create table TestBLOBs (
        IntCol number(9) not null,
        BLOBCol blob not null,
        ExtraNumCol1 number(9),
        ExtraBLOBCol1 blob,
        ExtraNumCol2 number(9),
        ExtraBLOBCol2 blob)""",
    """create table TestLongs (
        IntCol number(9) not null,
        LongCol long)""",
    """create table TestLongRaws (
        IntCol number(9) not null,
        LongRawCol long raw)""",
    """create table TestTempTable (
        IntCol number(9) not null,
        StringCol1 varchar2(400),
        StringCol2 varchar2(400),
        NumberCol number(25, 2),
        constraint TestTempTable_pk primary key (IntCol))""",
    """create table TestArrayDML (
        IntCol number(9) not null,
        StringCol varchar2(100),
        IntCol2 number(3),
        constraint TestArrayDML_pk primary key (IntCol))""",
    """create table TestTimestamps (
        IntCol number(9) not null,
        TimestampCol timestamp not null,
        NullableCol timestamp,
        TimestampPrecisionCol timestamp(4))""",
    """create table TestTimestampLTZs (
        IntCol number(9) not null,
        TimestampLTZCol timestamp with local time zone not null,
        NullableCol timestamp with local time zone,
        TimestampLTZPrecisionCol timestamp(5) with local time zone)""",
    """create table TestTimestampTZs (
        IntCol number(9) not null,
        TimestampTZCol timestamp with time zone not null,
        NullableCol timestamp with time zone,
        TimestampTZPrecisionCol timestamp(7) with time zone)""",
    """create table TestIntervals (
        IntCol number(9) not null,
        IntervalCol interval day to second not null,
        NullableCol interval day to second,
        IntervalPrecisionCol interval day(7) to second,
        IntervalPrecisionScaleCol interval day(8) to second(9))""",
    """create table TestIntervalYMs (
        IntCol number(9) not null,
        IntervalCol interval year to month not null,
        NullableCol interval year to month,
        IntervalPrecisionCol interval year(3) to month)""",
    """create table TestUniversalRowids (
        IntCol number(9) not null,
        StringCol varchar2(250) not null,
        DateCol date not null,
        constraint TestUniversalRowids_pk primary key (IntCol, StringCol, DateCol))""",
    """create table TestRowids (
        IntCol number(9) not null,
        RowidCol rowid,
        URowidCol urowid)""",
    """create table TestJsonCols (
        IntCol number(9) not null,
        JsonVarchar varchar2(4000) not null,
        JsonClob clob not null,
        JsonBlob blob not null,
        constraint TestJsonCols_ck_1 check (JsonVarchar is json),
        constraint TestJsonCols_ck_2 check (JsonClob is json),
        constraint TestJsonCols_ck_3 check (JsonBlob is json))""",
    # the suite's TestAllTypes also has object-type columns: object types are not emulated,
    # and the tests that use this table name their columns
    """create table TestAllTypes (
        NumberValue number,
        StringValue varchar2(60),
        FixedCharValue char(10),
        NStringValue nvarchar2(60),
        NFixedCharValue nchar(10),
        RawValue raw(16),
        IntValue integer,
        SmallIntValue smallint,
        RealValue real,
        DecimalValue number(20, 6),
        DoublePrecisionValue double precision,
        FloatValue float,
        BinaryFloatValue binary_float,
        BinaryDoubleValue binary_double,
        DateValue date,
        TimestampValue timestamp,
        TimestampTZValue timestamp with time zone,
        TimestampLTZValue timestamp with local time zone,
        IntervalDSValue interval day to second,
        IntervalYMValue interval year to month,
        CLOBValue clob,
        NCLOBValue nclob,
        BLOBValue blob)""",
    # LongData and LongRawData are LOBs: a table has at most one LONG column
    """create table TestDataFrame (
        Id number(9),
        FirstName varchar2(100),
        LastName varchar2(100),
        City varchar2(100),
        Country varchar2(100),
        DateOfBirth date,
        Salary number(9, 2),
        CreditScore number(3, 0),
        LastUpdated timestamp,
        DecimalData number(15, 4),
        LongIntegerData number(38),
        UnconstrainedNumberData number,
        FloatData binary_float,
        DoubleData binary_double,
        RawData raw(100),
        LongData clob,
        LongRawData blob)""",
]


#: the non-ASCII character of the suite's unicode strings
HIRAGANA_A = "\u3042"


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ts(value: datetime) -> str:
    return f"timestamp '{value:%Y-%m-%d %H:%M:%S.%f}'"


def _tstz(value: datetime, offset: str) -> str:
    return f"timestamp '{value:%Y-%m-%d %H:%M:%S.%f} {offset}'"


def _fraction(digits: int) -> timedelta:
    """The suite builds fractions by appending digits after a point ('.' || i * 50)."""
    return timedelta(seconds=float(Decimal(f"0.{digits}")))


def _ds(days: int, hours: int, minutes: int, seconds: int) -> str:
    return f"interval '{days} {hours}:{minutes}:{seconds}' day(9) to second(9)"


def _ym(years: int, months: int) -> str:
    sign = "-" if years < 0 else ""
    return f"interval '{sign}{abs(years)}-{months}' year(9) to month"


def rows() -> Iterator[str]:
    """INSERT statements for the ten-row tables the suite reads (TestNumbers, TestStrings...)."""
    base_date = datetime(2002, 12, 9)
    for i in range(1, 11):
        nullable = None if i % 2 == 0 else 143**i
        yield (
            f"insert into TestNumbers values ({i}, {38**i}, {Decimal(i) * Decimal('1.25')}, "
            f"{Decimal(i) * Decimal('1.75')}, {Decimal(i**3) + Decimal(i) / 2}, "
            f"{'null' if nullable is None else nullable})"
        )
        raw = f"Raw {i}".encode().hex().upper()
        yield (
            f"insert into TestStrings values ({i}, {_q(f'String {i}')}, hextoraw('{raw}'), "
            f"{_q(f'Fixed Char {i}')}, {'null' if i % 2 == 0 else _q(f'Nullable {i}')})"
        )
        yield (
            f"insert into TestUnicodes values ({i}, n{_q(f'Unicode {HIRAGANA_A} {i}')}, "
            f"n{_q(f'Fixed Unicode {i}')}, "
            f"{'null' if i % 2 == 0 else 'n' + _q(f'Nullable {i}')})"
        )
        date = base_date + timedelta(days=i, seconds=i * 8640)
        nullable_date = base_date + timedelta(days=2 * i, seconds=i * 12960)
        yield (
            f"insert into TestDates values ({i}, "
            f"to_date('{date:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS'), "
            + (
                "null)"
                if i % 2 == 0
                else f"to_date('{nullable_date:%Y-%m-%d %H:%M:%S}', 'YYYY-MM-DD HH24:MI:SS'))"
            )
        )
        stamp = base_date + timedelta(days=i, seconds=2 * i) + _fraction(i * 50)
        nullable_stamp = base_date + timedelta(days=i + 1, seconds=3 * i) + _fraction(i * 125)
        yield (
            f"insert into TestTimestamps values ({i}, {_ts(stamp)}, "
            f"{'null' if i % 2 == 0 else _ts(nullable_stamp)}, "
            f"{_ts(datetime(2009, 12, 14))})"
        )
        offset = f"{'-' if i % 2 == 0 else '+'}{i:02d}:{'00' if i % 4 == 0 else '30'}"
        for table, day in (("TestTimestampLTZs", 2), ("TestTimestampTZs", 3)):
            start = datetime(2022, 6, day)
            value = start + timedelta(days=i, seconds=2 * i) + _fraction(i * 50)
            nullable_value = start + timedelta(days=i + 1, seconds=3 * i) + _fraction(i * 125)
            yield (
                f"insert into {table} values ({i}, {_tstz(value, offset)}, "
                f"{'null' if i % 2 == 0 else _tstz(nullable_value, '+00:00')}, "
                f"{_tstz(datetime(2009, 12, 14), '+00:00')})"
            )
        yield (
            f"insert into TestIntervals values ({i}, {_ds(i, i, 2 * i, 3 * i)}, "
            f"{'null' if i % 2 == 0 else _ds(i + 5, i + 2, 2 * i + 5, 3 * i + 5)}, "
            f"{_ds(8, 5, 15, 0)}, {_ds(10, 12, 15, 15)})"
        )
        yield (
            f"insert into TestIntervalYMs values ({i}, {_ym(i - 5, i)}, "
            f"{'null' if i % 2 == 0 else _ym(i + 5, i + 2)}, {_ym(3, 8)})"
        )
    yield (
        "insert into TestJsonCols values (1, '[1, 2, 3]', '[4, 5, 6]', "
        f"hextoraw('{b'[7, 8, 9]'.hex()}'))"
    )
    yield "insert into TestJsonCols values (2, 'null', empty_clob(), empty_blob())"


def administer(connection: oracledb.Connection, main_user: str, proxy_user: str) -> list[str]:
    """What the suite's own setup does as an administrator besides creating the users: let
    the main user connect as the proxy user (``main[proxy]``, the pool tests), and create
    the edition the editioning tests switch to. Refusals are returned, as by ``create``."""
    statements = [
        f"alter user {proxy_user} grant connect through {main_user}",
        f"create edition {EDITION}",
        f"grant use on edition {EDITION} to {main_user}",
    ]
    refused = []
    with connection.cursor() as cursor:
        for statement in statements:
            try:
                cursor.execute(statement)
            except oracledb.DatabaseError as error:
                refused.append(f"{statement} -> {error}")
    return refused


def create(connection: oracledb.Connection) -> list[str]:
    """Create the tables and rows in the connected user's schema. Statements the emulator
    refuses are returned (and reported), not raised: their tests fail and are listed."""
    refused = []
    with connection.cursor() as cursor:
        cursor.execute("alter session set time_zone = '+00:00'")
        for statement in [*TABLES, *rows()]:
            try:
                cursor.execute(statement)
            except oracledb.DatabaseError as error:
                refused.append(f"{statement.split(chr(10))[0]}... -> {error}")
    connection.commit()
    return refused
