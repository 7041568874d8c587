"""NLS through the thin driver: ALTER SESSION, the NLS views, conversions that obey them,
linguistic sorting, the session time zone, and a server started with German defaults."""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from collections.abc import Callable, Iterator

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess

BERLIN = "Europe/Berlin"
WORDS = ["b", "a", "B", "Ä", "A", "ä"]


def _one(connection: oracledb.Connection, sql: str, *binds: object) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(binds))
        return cursor.fetchone()[0]


def _params(connection: oracledb.Connection, view: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT parameter, value FROM {view}")
        return dict(cursor.fetchall())


def _code(error: pytest.ExceptionInfo[oracledb.DatabaseError]) -> int:
    return error.value.args[0].code


@pytest.fixture(scope="module")
def german_emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(
        args=["--user", "DEMO/demo"],
        nls_territory="GERMANY",
        nls_language="GERMAN",
        time_zone=BERLIN,
    ) as emulator:
        yield emulator


@pytest.fixture
def german(german_emulator: EmulatorProcess) -> Iterator[oracledb.Connection]:
    with oracledb.connect(user="DEMO", password="demo", dsn=german_emulator.dsn) as connection:
        yield connection


def test_defaults_are_american(connection: oracledb.Connection) -> None:
    session = _params(connection, "NLS_SESSION_PARAMETERS")
    assert session["NLS_TERRITORY"] == "AMERICA"
    assert session["NLS_NUMERIC_CHARACTERS"] == ".,"
    assert session["NLS_DATE_FORMAT"] == "DD-MON-RR"
    assert "NLS_CHARACTERSET" not in session
    assert _params(connection, "NLS_DATABASE_PARAMETERS")["NLS_CHARACTERSET"] == "AL32UTF8"


def test_alter_session_sets_several_and_shows_them(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = ',.' NLS_DATE_FORMAT = 'DD.MM.YYYY'"
            " NLS_SORT = GERMAN_CI"
        )
    session = _params(connection, "NLS_SESSION_PARAMETERS")
    assert session["NLS_NUMERIC_CHARACTERS"] == ",."
    assert session["NLS_DATE_FORMAT"] == "DD.MM.YYYY"
    assert session["NLS_SORT"] == "GERMAN_CI"
    assert _params(connection, "V$NLS_PARAMETERS")["NLS_SORT"] == "GERMAN_CI"
    database = _params(connection, "NLS_DATABASE_PARAMETERS")
    assert database["NLS_NUMERIC_CHARACTERS"] == ".,"
    assert database["NLS_DATE_FORMAT"] == "DD-MON-RR"


def test_other_sessions_keep_their_own(
    connection: oracledb.Connection, oracle_connect: Callable[..., oracledb.Connection]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET NLS_TERRITORY = GERMANY")
    other = oracle_connect()
    assert _one(connection, "SELECT TO_CHAR(1.5) FROM dual") == "1,5"
    assert _one(other, "SELECT TO_CHAR(1.5) FROM dual") == "1.5"


def test_decimal_comma_conversions(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER SESSION SET NLS_NUMERIC_CHARACTERS = ',.'")
    assert _one(connection, "SELECT TO_CHAR(1234.5, '9G999D99') FROM dual") == " 1.234,50"
    assert _one(connection, "SELECT TO_CHAR(1234.5, '9,999.99') FROM dual") == " 1,234.50"
    assert _one(connection, "SELECT TO_CHAR(0.25) FROM dual") == ",25"
    assert _one(connection, "SELECT 'x' || 2.5 FROM dual") == "x2,5"
    assert _one(connection, "SELECT TO_NUMBER('1,5') FROM dual") == 1.5
    assert _one(connection, "SELECT TO_NUMBER(:1) FROM dual", "-2,25") == -2.25
    assert _one(connection, "SELECT TO_NUMBER('1.234,5', '9G999D9') FROM dual") == 1234.5
    assert _one(connection, "SELECT CAST(:1 AS BINARY_DOUBLE) FROM dual", "0,5") == 0.5
    period = "'NLS_NUMERIC_CHARACTERS=''.,'''"  # the nlsparam argument wins over the session
    assert _one(connection, f"SELECT TO_NUMBER('1.5', '9D9', {period}) FROM dual") == 1.5
    assert _one(connection, f"SELECT TO_CHAR(1.5, '9D9', {period}) FROM dual") == " 1.5"
    for sql in ("SELECT TO_NUMBER('1.5') FROM dual", "SELECT TO_NUMBER(:1) FROM dual"):
        with pytest.raises(oracledb.DatabaseError) as error:
            _one(connection, sql, *(["1.5"] if ":1" in sql else []))
        assert _code(error) == 1722
    with pytest.raises(oracledb.DatabaseError) as error:
        _one(connection, "SELECT CAST(:1 AS BINARY_DOUBLE) FROM dual", "0.5")
    assert _code(error) == 1722


def test_date_formats_follow_the_session(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER SESSION SET NLS_DATE_FORMAT = 'DD.MM.YYYY HH24:MI'"
            " NLS_TIMESTAMP_FORMAT = 'DD.MM.YYYY HH24:MI:SSXFF3'"
        )
    assert _one(connection, "SELECT TO_DATE('05.03.2024 10:30') FROM dual") == dt.datetime(
        2024, 3, 5, 10, 30
    )
    assert _one(connection, "SELECT TO_CHAR(DATE '2024-03-05') FROM dual") == "05.03.2024 00:00"
    assert _one(connection, "SELECT 'am ' || DATE '2024-03-05' FROM dual") == "am 05.03.2024 00:00"
    stamp = _one(connection, "SELECT TO_CHAR(TIMESTAMP '2024-03-05 01:02:03.5') FROM dual")
    assert stamp == "05.03.2024 01:02:03.500"
    with pytest.raises(oracledb.DatabaseError) as error:
        _one(connection, "SELECT TO_DATE('2024-03-05') FROM dual")
    assert _code(error) in (1843, 1847, 1861)


def test_text_written_to_datetime_columns_uses_the_session_formats(
    german: oracledb.Connection,
) -> None:
    with german.cursor() as cursor:
        cursor.execute("CREATE TABLE NLS_WRITTEN (D DATE, TS TIMESTAMP(3))")
        try:
            cursor.execute(
                "INSERT INTO NLS_WRITTEN VALUES ('05.03.24', :1)", ["05.03.24 10:11:12,5"]
            )
            cursor.execute("SELECT D, TS FROM NLS_WRITTEN")
            assert cursor.fetchone() == (
                dt.datetime(2024, 3, 5),
                dt.datetime(2024, 3, 5, 10, 11, 12, 500000),
            )
            with pytest.raises(oracledb.DatabaseError) as error:
                cursor.execute("INSERT INTO NLS_WRITTEN (D) VALUES ('2024-03-05')")
            assert _code(error) in (1830, 1843, 1861)
        finally:
            cursor.execute("DROP TABLE NLS_WRITTEN PURGE")


@pytest.mark.parametrize(
    ("statement", "code"),
    [
        ("ALTER SESSION SET NLS_SORT = KLINGON", 12705),
        ("ALTER SESSION SET NLS_TERRITORY = ATLANTIS", 12705),
        ("ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '..'", 12705),
        ("ALTER SESSION SET NLS_COMP = SOMETIMES", 12705),
        ("ALTER SESSION SET NLS_DATE_FORMAT = 'DD-KK-YYYY'", 1821),
        ("ALTER SESSION SET NO_SUCH_OPTION = 1", 2248),
        ("ALTER SESSION SET TIME_ZONE = 'Mars/Olympus_Mons'", 1882),
        ("ALTER SESSION SET TIME_ZONE = '+15:00'", 1874),
    ],
)
def test_invalid_values_are_refused(
    connection: oracledb.Connection, statement: str, code: int
) -> None:
    before = _params(connection, "NLS_SESSION_PARAMETERS")
    with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as error:
        cursor.execute(statement)
    assert _code(error) == code
    assert _params(connection, "NLS_SESSION_PARAMETERS") == before


def test_linguistic_sort_and_comparison(connection: oracledb.Connection, table_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (s VARCHAR2(4))")
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1)", [[w] for w in WORDS])
        connection.commit()
        query = f"SELECT s FROM {table_name} ORDER BY 1"
        binary = [row[0] for row in cursor.execute(query)]
        cursor.execute("ALTER SESSION SET NLS_SORT = GERMAN")
        german = [row[0] for row in cursor.execute(query)]
        by_alias = [row[0] for row in cursor.execute(f"SELECT s w FROM {table_name} ORDER BY w")]
        numbered = cursor.execute(
            f"SELECT s, ROW_NUMBER() OVER (ORDER BY s) FROM {table_name} ORDER BY 2"
        ).fetchall()
        cursor.execute("ALTER SESSION SET NLS_SORT = GERMAN_CI NLS_COMP = LINGUISTIC")
        equal = sorted(r[0] for r in cursor.execute(f"SELECT s FROM {table_name} WHERE s = 'a'"))
    assert binary == sorted(WORDS)
    assert [w.lower() for w in german] == ["a", "a", "ä", "ä", "b", "b"]
    assert by_alias == german
    assert [word for word, _ in numbered] == german  # the window orders linguistically too
    assert equal == ["A", "a"]


def test_session_time_zone_from_the_client(
    oracle_connect: Callable[..., oracledb.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORA_SDTZ", BERLIN)
    connection = oracle_connect()
    assert _one(connection, "SELECT SESSIONTIMEZONE FROM dual") == BERLIN
    assert _one(connection, "SELECT DBTIMEZONE FROM dual") == "+00:00"
    local = _one(connection, "SELECT LOCALTIMESTAMP FROM dual")
    utc = _one(connection, "SELECT SYS_EXTRACT_UTC(SYSTIMESTAMP) FROM dual")
    offset = zoneinfo.ZoneInfo(BERLIN).utcoffset(utc)
    assert abs((local - utc) - offset) < dt.timedelta(minutes=1)
    monkeypatch.setenv("ORA_SDTZ", "-05:00")
    assert _one(oracle_connect(), "SELECT SESSIONTIMEZONE FROM dual") == "-05:00"


def test_bad_client_time_zone_fails_the_logon(
    oracle_connect: Callable[..., oracledb.Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORA_SDTZ", "Nowhere/Town")
    with pytest.raises(oracledb.DatabaseError) as error:
        oracle_connect()
    assert _code(error) == 1882


def test_german_server_defaults(german: oracledb.Connection) -> None:
    session = _params(german, "NLS_SESSION_PARAMETERS")
    assert session["NLS_LANGUAGE"] == "GERMAN"
    assert session["NLS_TERRITORY"] == "GERMANY"
    assert session["NLS_NUMERIC_CHARACTERS"] == ",."
    assert session["NLS_DATE_FORMAT"] == "DD.MM.RR"
    assert session["NLS_TIMESTAMP_FORMAT"] == "DD.MM.RR HH24:MI:SSXFF"
    assert session["NLS_SORT"] == "GERMAN"
    assert _params(german, "NLS_DATABASE_PARAMETERS")["NLS_TERRITORY"] == "GERMANY"
    assert _one(german, "SELECT DBTIMEZONE FROM dual") == BERLIN
    assert _one(german, "SELECT TO_CHAR(12.5) FROM dual") == "12,5"
    assert _one(german, "SELECT TO_CHAR(DATE '2024-03-05') FROM dual") == "05.03.24"
    named = _one(german, "SELECT TO_CHAR(DATE '2024-03-05', 'Day, DD. Month YYYY') FROM dual")
    assert named == "Dienstag  , 05. März      2024"
    assert _one(german, "SELECT TO_CHAR(DATE '2024-03-05', 'D') FROM dual") == "2"
    assert _one(german, "SELECT TO_DATE('5. MRZ 2024', 'DD. MON YYYY') FROM dual") == dt.datetime(
        2024, 3, 5
    )
    number = _one(german, "SELECT TO_NUMBER('3,75') FROM dual")
    assert decimal.Decimal(str(number)) == decimal.Decimal("3.75")
