"""Declared Oracle types: describe metadata and exact round trips through the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from oracle_emulator.api import IntervalYM, NanoDateTime, OracleType
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.session import EmulatorSession

ALL_TYPES_DDL = """
CREATE TABLE t_types (
    id        NUMBER(6) NOT NULL,
    n         NUMBER,
    n38       NUMBER(38),
    nps       NUMBER(12,4),
    nneg      NUMBER(5,-2),
    nsmall    NUMBER(3,5),
    f         FLOAT(126),
    bf        BINARY_FLOAT,
    bd        BINARY_DOUBLE,
    vc        VARCHAR2(10),
    vcc       VARCHAR2(10 CHAR),
    nvc       NVARCHAR2(20),
    c         CHAR(5),
    nc        NCHAR(3),
    d         DATE,
    ts0       TIMESTAMP(0),
    ts        TIMESTAMP,
    ts9       TIMESTAMP(9),
    tstz      TIMESTAMP(6) WITH TIME ZONE,
    tsltz     TIMESTAMP WITH LOCAL TIME ZONE,
    ids       INTERVAL DAY(3) TO SECOND(6),
    iym       INTERVAL YEAR(4) TO MONTH,
    r         RAW(16),
    cl        CLOB,
    ncl       NCLOB,
    bl        BLOB,
    CONSTRAINT t_types_pk PRIMARY KEY (id)
)
"""

BIG = "12345678901234567890123456789012345678"
NINES = "-" + "9" * 38
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))

#: column -> (OracleType, size, precision, scale, nullable)
EXPECTED_DESCRIBE = {
    "ID": (OracleType.NUMBER, 0, 6, 0, False),
    "N": (OracleType.NUMBER, 0, 0, -127, True),
    "N38": (OracleType.NUMBER, 0, 38, 0, True),
    "NPS": (OracleType.NUMBER, 0, 12, 4, True),
    "NNEG": (OracleType.NUMBER, 0, 5, -2, True),
    "NSMALL": (OracleType.NUMBER, 0, 3, 5, True),
    "F": (OracleType.NUMBER, 0, 126, -127, True),
    "BF": (OracleType.BINARY_FLOAT, 0, 0, 0, True),
    "BD": (OracleType.BINARY_DOUBLE, 0, 0, 0, True),
    "VC": (OracleType.VARCHAR2, 10, 0, 0, True),
    "VCC": (OracleType.VARCHAR2, 10, 0, 0, True),
    "NVC": (OracleType.NVARCHAR2, 20, 0, 0, True),
    "C": (OracleType.CHAR, 5, 0, 0, True),
    "NC": (OracleType.NCHAR, 3, 0, 0, True),
    "D": (OracleType.DATE, 0, 0, 0, True),
    "TS0": (OracleType.TIMESTAMP, 0, 0, 0, True),
    "TS": (OracleType.TIMESTAMP, 0, 0, 6, True),
    "TS9": (OracleType.TIMESTAMP, 0, 0, 9, True),
    "TSTZ": (OracleType.TIMESTAMP_TZ, 0, 0, 6, True),
    "TSLTZ": (OracleType.TIMESTAMP_LTZ, 0, 0, 6, True),
    "IDS": (OracleType.INTERVAL_DS, 0, 3, 6, True),
    "IYM": (OracleType.INTERVAL_YM, 0, 4, 0, True),
    "R": (OracleType.RAW, 16, 0, 0, True),
    "CL": (OracleType.CLOB, 0, 0, 0, True),
    "NCL": (OracleType.NCLOB, 0, 0, 0, True),
    "BL": (OracleType.BLOB, 0, 0, 0, True),
}


@pytest.fixture
def session() -> Iterator[EmulatorSession]:
    db = EmulatorDatabase()
    session = db.open_session("DEMO")
    session.execute(ALL_TYPES_DDL)
    yield session
    db.close()


def _value(session: EmulatorSession, column: str) -> object:
    result = session.execute(f"SELECT {column} FROM t_types WHERE id = 1").query
    assert result is not None
    rows = result.rows if result.rows is not None else None
    if rows is None:  # fast path: compare through the slow path instead
        session.db.fast_path_enabled = False
        try:
            return _value(session, column)
        finally:
            session.db.fast_path_enabled = True
    assert len(rows) == 1
    return rows[0][0]


def test_describe_every_declared_type(session: EmulatorSession) -> None:
    columns = session.describe("SELECT * FROM t_types")
    got = {c.name: (c.type, c.size, c.precision, c.scale, c.nullable) for c in columns}
    assert got == EXPECTED_DESCRIBE
    assert [c.name for c in columns] == list(EXPECTED_DESCRIBE)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("n", Decimal(BIG), Decimal(BIG)),
        ("n", Decimal("-1E-30"), Decimal("-1E-30")),
        ("n", Decimal("0.1"), Decimal("0.1")),
        ("n38", Decimal(NINES), Decimal(NINES)),
        ("nps", Decimal("-50000.00015"), Decimal("-50000.0002")),
        ("nneg", 12355, 12400),
        ("nsmall", Decimal("0.00123"), Decimal("0.00123")),
        ("f", 0.1, Decimal("0.1")),
        ("bf", 1.5, 1.5),
        ("bd", -1e300, -1e300),
        ("vc", "O'Brien", "O'Brien"),
        ("vcc", "ÄÖÜäöüßéèê", "ÄÖÜäöüßéèê"),
        ("nvc", "Grüße, 東京 𝄞", "Grüße, 東京 𝄞"),
        ("c", "ab", "ab   "),
        ("nc", "ñ", "ñ  "),
        ("d", dt.datetime(2024, 2, 29, 13, 14, 15, 999999), dt.datetime(2024, 2, 29, 13, 14, 15)),
        ("ts0", dt.datetime(2024, 2, 29, 13, 14, 15, 600000), dt.datetime(2024, 2, 29, 13, 14, 16)),
        ("ts", dt.datetime(1, 1, 1, 0, 0, 0, 1), dt.datetime(1, 1, 1, 0, 0, 0, 1)),
        # the instant, at the session's offset (+00:00): a bind's own offset is not kept
        (
            "tstz",
            dt.datetime(2024, 1, 1, 10, 0, tzinfo=PLUS_TWO),
            dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone.utc),
        ),
        ("tsltz", dt.datetime(2024, 1, 1, 10, 0, 0, 250), dt.datetime(2024, 1, 1, 10, 0, 0, 250)),
        ("ids", dt.timedelta(days=-3, seconds=5, microseconds=7), dt.timedelta(-3, 5, 7)),
        ("iym", IntervalYM(2, 3), IntervalYM(2, 3)),
        ("iym", IntervalYM(0, -11), IntervalYM(0, -11)),
        ("r", b"\x00\xff\x10", b"\x00\xff\x10"),
    ],
)  # fmt: skip
def test_round_trip_is_exact(
    session: EmulatorSession, column: str, value: object, expected: object
) -> None:
    session.execute(f"INSERT INTO t_types (id, {column}) VALUES (1, :v)", [value])
    assert _value(session, column) == expected


def test_nanosecond_timestamp_keeps_all_nine_digits(session: EmulatorSession) -> None:
    session.execute(
        "INSERT INTO t_types (id, ts9) VALUES (1, TO_TIMESTAMP('2024-02-29 23:59:59.123456789', "
        "'YYYY-MM-DD HH24:MI:SS.FF9'))"
    )
    value = _value(session, "ts9")
    assert value == NanoDateTime(dt.datetime(2024, 2, 29, 23, 59, 59, 123456), 123456789)


def test_nanosecond_bind_round_trips(session: EmulatorSession) -> None:
    stamp = NanoDateTime(dt.datetime(1999, 12, 31, 23, 59, 59, 0), 1)
    session.execute("INSERT INTO t_types (id, ts9) VALUES (1, :v)", [stamp])
    assert _value(session, "ts9") == stamp


@pytest.mark.parametrize("column", ["vc", "nvc", "c", "cl", "ncl"])
def test_empty_string_is_null(session: EmulatorSession, column: str) -> None:
    session.execute(f"INSERT INTO t_types (id, {column}) VALUES (1, :v)", [""])
    assert _value(session, column) is None
    count = session.execute(f"SELECT count(*) FROM t_types WHERE {column} IS NULL").query
    assert count is not None and count.rows == [(1,)]


def test_large_lobs_round_trip(session: EmulatorSession) -> None:
    text = "ü" * (5 * 1024 * 1024 // 2)
    data = bytes(range(256)) * (5 * 1024 * 1024 // 256)
    session.execute("INSERT INTO t_types (id, cl, bl) VALUES (1, :1, :2)", [text, data])
    result = session.execute("SELECT cl, bl FROM t_types WHERE id = 1").query
    assert result is not None and result.rows is not None
    assert result.rows[0][0] == text
    assert result.rows[0][1] == data


def test_char_semantics_count_characters_byte_semantics_count_bytes(
    session: EmulatorSession,
) -> None:
    session.execute("INSERT INTO t_types (id, vcc) VALUES (1, :1)", ["ü" * 10])
    with pytest.raises(Exception, match="ORA-12899"):
        session.execute("INSERT INTO t_types (id, vc) VALUES (2, :1)", ["ü" * 6])
    assert _value(session, "vcc") == "ü" * 10
