"""Oracle SQL -> DuckDB, each case parsed, translated and run on a real in-memory DuckDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import duckdb
import pytest

from oracle_emulator import api
from oracle_emulator.api import OracleError
from oracle_emulator.sql import translate
from oracle_emulator.sql.functions import install_functions


@pytest.fixture(scope="module")
def conn() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    install_functions(connection)
    connection.execute(
        "CREATE TABLE t (id DECIMAL(10, 0), a VARCHAR, d TIMESTAMP, ts TIMESTAMP_NS, "
        "n DECIMAL(10, 2))"
    )
    connection.execute(
        "INSERT INTO t SELECT i, 'v' || i, TIMESTAMP '2020-01-01' + to_days(i::INT), "
        "TIMESTAMP_NS '2020-01-01 00:00:00.123456789' + to_hours(i::INT), i * 1.5 "
        "FROM range(1, 21) r(i)"
    )
    connection.execute("CREATE TABLE dual (dummy VARCHAR)")
    connection.execute("INSERT INTO dual VALUES ('X')")
    yield connection
    connection.close()


def run(
    conn: duckdb.DuckDBPyConnection, sql: str, binds: Sequence[Any] | None = None
) -> list[tuple[Any, ...]]:
    """Translate and run; binds are inlined as literals."""
    tree = translate.to_duckdb(translate.parse(sql).tree)
    if binds is not None:
        tree = translate.inline_binds(tree, binds)
    return conn.execute(tree.sql(dialect="duckdb")).fetchall()


def value(conn: duckdb.DuckDBPyConnection, expression: str) -> Any:
    return run(conn, f"SELECT {expression} FROM dual")[0][0]


# -- parse -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("select 1 from dual", "SELECT"),
        ("  WITH x AS (SELECT 1 a FROM dual) SELECT * FROM x ;", "SELECT"),
        ("(select 1 from dual)", "SELECT"),
        ("select 1 from dual union all select 2 from dual", "SELECT"),
        ("insert into t (id) values (1)", "INSERT"),
        ("update t set a = 'x'", "UPDATE"),
        ("delete from t where id = 1", "DELETE"),
        ("merge into t using s on (t.id = s.id) when matched then update set t.a = s.a", "MERGE"),
        ("create table x (a number(10, 2), b varchar2(10) not null, c date)", "CREATE_TABLE"),
        ("create global temporary table x (a number)", "CREATE_TABLE"),
        ("create unique index i on t (a)", "CREATE_INDEX"),
        ("create sequence s start with 1", "CREATE_SEQUENCE"),
        ("create or replace view v as select 1 x from dual", "CREATE_VIEW"),
        ("drop table t purge", "DROP"),
        ("truncate table t", "TRUNCATE"),
        ("comment on table t is 'x'", "COMMENT"),
        ("alter table t add (e number)", "ALTER"),
        ("alter session set nls_date_format = 'YYYY-MM-DD'", "ALTER"),
        ("commit", "COMMIT"),
        ("rollback", "ROLLBACK"),
        ("grant select on t to u", "OTHER"),
        ("begin null; end;", "OTHER"),
    ],
)
def test_statement_kinds(sql: str, kind: str) -> None:
    assert translate.parse(sql).kind == kind


def test_binds_in_occurrence_order() -> None:
    statement = translate.parse(
        "select a, ':x' /* :y */, q'[:z]' from t -- :w\n"
        'where id = :1 and a = :name or a = : other or d = :"Mixed" or id = :name'
    )
    assert statement.bind_names == ["1", "NAME", "OTHER", "Mixed", "NAME"]
    numbers = [p.name for p in statement.tree.find_all(translate.exp.Placeholder)]
    assert sorted(numbers) == ["1", "2", "3", "4", "5"]
    assert "$1" in translate.to_duckdb(statement.tree).sql(dialect="duckdb")


def test_plsql_binds_are_distinct_names() -> None:
    statement = translate.parse("begin :a := :a + :b; end;")
    assert statement.bind_names == ["A", "B"]


def test_binds_run_as_duckdb_parameters(conn: duckdb.DuckDBPyConnection) -> None:
    statement = translate.parse("select a from t where id = :id and a = :a")
    sql = translate.to_duckdb(statement.tree).sql(dialect="duckdb")
    assert conn.execute(sql, [Decimal(3), "v3"]).fetchall() == [("v3",)]


def test_flashback_references() -> None:
    statement = translate.parse(
        "select x.id from t as of scn :1 x, u as of timestamp (systimestamp - 1) y"
    )
    kinds = [(f.table.name, f.kind) for f in statement.flashback]
    assert kinds == [("t", "SCN"), ("u", "TIMESTAMP")]
    assert isinstance(statement.flashback[0].expression, translate.exp.Placeholder)


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("foo bar", api.ORA_INVALID_SQL),
        ("", api.ORA_INVALID_SQL),
        ("select 1 from dual x y", api.ORA_NOT_PROPERLY_ENDED),
        ("select 1 from dual; select 2 from dual", api.ORA_NOT_PROPERLY_ENDED),
        ("select 'abc from dual", 1756),
        # an expression list is no select-list item, aliased or not, at any depth
        ('select ("A", "B") from t', api.ORA_MISSING_RIGHT_PARENTHESIS),
        ("select (a, b) x from t", api.ORA_MISSING_RIGHT_PARENTHESIS),
        ("select 1 from t where (a, b) not in (select (a, b) from u)", 907),
    ],
)
def test_parse_errors(sql: str, code: int) -> None:
    with pytest.raises(OracleError) as error:
        translate.parse(sql)
    assert error.value.code == code


@pytest.mark.parametrize(
    "sql",
    [
        "select 1 from t where (a, b) not in (select a, b from u)",
        "select 1 from t where (a, b) = ((1, 2))",
        "select a, b, count(*) from t group by (a, b)",
        "select (a) from t",
    ],
)
def test_expression_lists_where_oracle_allows_them(sql: str) -> None:
    assert translate.parse(sql).kind == "SELECT"


def test_parse_error_offset_points_into_original_text() -> None:
    with pytest.raises(OracleError) as error:
        translate.parse("select :1 from dual x y")
    assert error.value.offset == len("select :1 from dual x ")


def test_trailing_semicolon_is_stripped() -> None:
    assert translate.parse("select 1 from dual ;  ").kind == "SELECT"


# -- ROWNUM, FETCH ---------------------------------------------------------------------------


def test_rownum_limits(conn: duckdb.DuckDBPyConnection) -> None:
    assert len(run(conn, "select id from t where rownum <= 3")) == 3
    assert len(run(conn, "select id from t where rownum < 3")) == 2
    assert len(run(conn, "select id from t where 4 >= rownum")) == 4
    assert len(run(conn, "select id from t where rownum = 1")) == 1
    assert run(conn, "select id from t where rownum = 2") == []
    assert run(conn, "select id from t where rownum > 1") == []
    assert len(run(conn, "select id from t where rownum > 0")) == 20
    assert len(run(conn, "select id from t where rownum <= :1", [5])) == 5


def test_rownum_applies_before_order_by(conn: duckdb.DuckDBPyConnection) -> None:
    rows = run(conn, "select id, a from t where id > 10 and rownum <= 3 order by id desc")
    ids = [row[0] for row in rows]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and min(ids) > 10
    assert [len(row) for row in rows] == [2, 2, 2]
    # the top-n idiom: order in a subquery, ROWNUM outside
    top = run(conn, "select * from (select id from t order by id desc) where rownum <= 2")
    assert top == [(Decimal(20),), (Decimal(19),)]


def test_rownum_applies_before_aggregation(conn: duckdb.DuckDBPyConnection) -> None:
    assert run(conn, "select count(*) from t where rownum <= 5") == [(5,)]
    assert run(conn, "select count(*) from t x where x.id > 18 and rownum <= 5") == [(2,)]


def test_rownum_in_select_list(conn: duckdb.DuckDBPyConnection) -> None:
    rows = run(conn, "select rownum rn, id from t where id > 10 and rownum < 3")
    assert [row[0] for row in rows] == [1, 2]


def test_rownum_under_or_is_rejected() -> None:
    with pytest.raises(OracleError, match="ROWNUM"):
        translate.to_duckdb(translate.parse("select id from t where rownum < 3 or id = 1").tree)


def test_fetch_first_and_offset(conn: duckdb.DuckDBPyConnection) -> None:
    assert run(conn, "select id from t order by id fetch first 2 rows only") == [
        (Decimal(1),),
        (Decimal(2),),
    ]
    rows = run(conn, "select id from t order by id offset 17 rows fetch next 2 rows only")
    assert rows == [(Decimal(18),), (Decimal(19),)]


# -- set operations, joins, unsupported ------------------------------------------------------


def test_minus_is_except(conn: duckdb.DuckDBPyConnection) -> None:
    rows = run(conn, "select a from t minus select a from t where id > 2 order by 1")
    assert rows == [("v1",), ("v2",)]


def test_outer_join_marker(conn: duckdb.DuckDBPyConnection) -> None:
    rows = run(
        conn, "select t1.id, t2.id from t t1, t t2 where t1.id = t2.id(+) and t1.id < 3 order by 1"
    )
    assert rows == [(Decimal(1), Decimal(1)), (Decimal(2), Decimal(2))]
    rows = run(
        conn,
        "select t1.id, t2.id from t t1, (select id + 1 id from t) t2 "
        "where t1.id = t2.id(+) and t1.id < 3 order by 1",
    )
    assert rows == [(Decimal(1), None), (Decimal(2), Decimal(2))]


def test_connect_by_is_rejected() -> None:
    with pytest.raises(OracleError) as error:
        translate.to_duckdb(translate.parse("select level from dual connect by level < 3").tree)
    assert error.value.code == api.ORA_INVALID_SQL and "CONNECT BY" in error.value.message


# -- functions -------------------------------------------------------------------------------


def test_null_functions(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select nvl(null, 'x'), nvl2(1, 'a', 'b'), nvl2(null, 'a', 'b'), "
        "decode(null, null, 'n', 'z'), decode(2, 1, 'one', 2, 'two'), decode(3, 1, 'one'), "
        "coalesce(null, null, 3) from dual",
    )[0]
    assert row == ("x", "a", "b", "n", "two", None, 3)


def test_empty_string_is_null(conn: duckdb.DuckDBPyConnection) -> None:
    assert run(conn, "select count(*) from dual where '' is null") == [(1,)]
    assert value(conn, "nvl('', 'empty')") == "empty"
    assert value(conn, "length('')") is None


def test_concatenation(conn: duckdb.DuckDBPyConnection) -> None:
    assert value(conn, "'a' || null || 1.50 || ''") == "a1.5"
    assert value(conn, "null || null") is None
    assert value(conn, "concat('x', null)") == "x"
    assert value(conn, "'n=' || 0.5") == "n=.5"
    assert run(conn, "select a || '-' || id from t where id = 3") == [("v3-3",)]


def test_string_functions(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select substr('hello', -3), substr('hello', 2, 3), instr('hello', 'l', 1, 2), "
        "length('hello'), upper('a'), lower('B'), lpad('7', 3, '0'), rpad('ab', 3), "
        "replace('banana', 'an', 'AN'), trim('  x  '), ltrim('xxy', 'x'), rtrim('yxx', 'x'), "
        "trim(leading '0' from '007'), trim('   ') from dual",
    )[0]
    assert row == ("llo", "ell", 4, 5, "A", "b", "007", "ab ", "bANANa", "x", "y", "y", "7", None)


def test_number_functions(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select 7/2, mod(7, 3), trunc(1.99), trunc(1.99, 1), round(2.5), round(-2.45, 1), "
        "ceil(1.2), floor(-1.2), abs(-3), sign(-2), power(2, 10), sqrt(16), "
        "greatest(1, 3, 2), least(2, 1), greatest(1, null) from dual",
    )[0]
    assert row[:8] == (Decimal("3.5"), 1, 1, Decimal("1.9"), 3, Decimal("-2.5"), 2, -2)
    assert row[8:] == (3, -1, 1024, 4, 3, 1, None)
    assert value(conn, "to_number('1,234.5', '9,999.9') + 1") == Decimal("1235.5")
    assert value(conn, "to_number('42')") == 42
    assert run(conn, "select n / 3 from t where id = 2") == [(Decimal(1),)]


def test_ora_hash_buckets(conn: duckdb.DuckDBPyConnection) -> None:
    rows = run(conn, "select ora_hash(id, 3), count(*) from t group by ora_hash(id, 3)")
    assert sum(count for _, count in rows) == 20
    assert {bucket for bucket, _ in rows} <= {0, 1, 2, 3}
    again = run(conn, "select ora_hash(id, 3, 0), count(*) from t group by 1")
    assert sorted(rows) == sorted(again)


def test_to_char(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select to_char(date '2020-01-05', 'YYYY-MM-DD'), "
        "to_char(timestamp '2020-01-05 13:04:05.123456789', 'DD-MON-YYYY HH24:MI:SS.FF9'), "
        "to_char(timestamp '2020-01-05 13:04:05.123456789', 'YYYY-MM-DD\"T\"HH24:MI:SS.FF9'), "
        "to_char(1234.5, '9,999.99'), to_char(0.5), to_char(d, 'FMMonth DD') from t "
        "where id = 4",
    )[0]
    assert row == (
        "2020-01-05",
        "05-JAN-2020 13:04:05.123456789",
        "2020-01-05T13:04:05.123456789",
        " 1,234.50",
        ".5",
        "January 5",
    )


def test_to_date_and_to_timestamp(conn: duckdb.DuckDBPyConnection) -> None:
    assert value(conn, "to_date('2020-01-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS')") == (
        dt.datetime(2020, 1, 5, 10, 11, 12)
    )
    assert value(conn, "to_date('05-JAN-20')") == dt.datetime(2020, 1, 5)
    text = "to_char(to_timestamp('2020-01-05 10:00:00.123456789', " + (
        "'YYYY-MM-DD HH24:MI:SS.FF9'), 'FF9')"
    )
    assert value(conn, text) == "123456789"
    tz = value(conn, "to_timestamp_tz('2020-01-05 10:00 +02:00', 'YYYY-MM-DD HH24:MI TZH:TZM')")
    assert tz == dt.datetime(2020, 1, 5, 8, tzinfo=dt.timezone.utc)


def test_datetime_literals_keep_nanoseconds(conn: duckdb.DuckDBPyConnection) -> None:
    assert value(conn, "date '2020-03-01'") == dt.datetime(2020, 3, 1)
    stamp = "to_char(timestamp '2020-01-05 13:04:05.123456789', 'YYYY-MM-DD HH24:MI:SS.FF9')"
    assert value(conn, stamp) == "2020-01-05 13:04:05.123456789"
    zoned = value(conn, "timestamp '2020-01-05 10:00:00 +02:00'")
    assert zoned == dt.datetime(2020, 1, 5, 8, tzinfo=dt.timezone.utc)


def test_date_arithmetic(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select date '2020-03-01' - date '2020-02-01', date '2020-03-01' + 1, "
        "date '2020-03-01' - 0.5, date '2020-03-01' + 1/24, "
        "timestamp '2020-01-02 00:00:00' - timestamp '2020-01-01 12:00:00', "
        "date '2020-01-01' + interval '1' day from dual",
    )[0]
    assert row == (
        Decimal(29),
        dt.datetime(2020, 3, 2),
        dt.datetime(2020, 2, 29, 12),
        dt.datetime(2020, 3, 1, 1),
        dt.timedelta(hours=12),
        dt.datetime(2020, 1, 2),
    )
    rows = run(conn, "select d - 1, d - date '2020-01-01' from t where id = 2")
    assert rows == [(dt.datetime(2020, 1, 2), Decimal(2))]
    assert run(conn, "select count(*) from t where d > sysdate - 100000") == [(20,)]
    assert run(conn, "select count(*) from t where d < :1 - 1", [dt.datetime(2020, 1, 5)]) == [(2,)]


def test_current_time_functions(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select sysdate, current_date, systimestamp, current_timestamp, localtimestamp from dual",
    )[0]
    assert isinstance(row[0], dt.datetime) and row[0].microsecond == 0
    assert isinstance(row[1], dt.datetime)
    assert row[2].tzinfo is not None and row[3].tzinfo is not None
    assert isinstance(row[4], dt.datetime)


def test_date_functions(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select trunc(date '2020-05-17'), trunc(timestamp '2020-05-17 13:04:05', 'MM'), "
        "add_months(date '2020-01-31', 1), months_between(date '2020-03-01', date '2020-01-01'), "
        "last_day(date '2020-02-10'), extract(year from date '2020-05-17'), "
        "extract(second from timestamp '2020-01-01 00:00:05.123456789') from dual",
    )[0]
    assert row == (
        dt.datetime(2020, 5, 17),
        dt.datetime(2020, 5, 1),
        dt.datetime(2020, 2, 29),
        Decimal(2),
        dt.datetime(2020, 2, 29),
        2020,
        Decimal("5.123456789"),
    )


def test_time_zones(conn: duckdb.DuckDBPyConnection) -> None:
    utc = value(conn, "sys_extract_utc(from_tz(timestamp '2020-01-01 10:00:00', '+02:00'))")
    assert utc == dt.datetime(2020, 1, 1, 8)
    wall = value(conn, "from_tz(timestamp '2020-01-01 00:00:00', 'UTC') at time zone 'Asia/Tokyo'")
    assert wall == dt.datetime(2020, 1, 1, 9)


def test_casts(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select cast(1.555 as number(5, 2)), cast('12.25' as number), cast(12 as varchar2(10)), "
        "cast(1.5 as varchar2(10)), cast('ab' as char(4)), cast(7 as integer), "
        "cast(timestamp '2020-01-05 10:00:00.7' as date), cast(2 as binary_double) from dual",
    )[0]
    assert row == (
        Decimal("1.56"),
        Decimal("12.25"),
        "12",
        "1.5",
        "ab  ",
        7,
        dt.datetime(2020, 1, 5, 10),
        2.0,
    )
    stamp = "to_char(cast(timestamp '2020-01-05 10:00:00.123456789' as timestamp(3)), 'FF9')"
    assert value(conn, stamp) == "123000000"


def test_interval_literals(conn: duckdb.DuckDBPyConnection) -> None:
    row = run(
        conn,
        "select interval '1-2' year to month, interval '2 03:04:05.5' day to second, "
        "interval '30' minute, interval '-1' day, interval '05:30' hour to minute from dual",
    )[0]
    assert row == (
        dt.timedelta(days=420),  # DuckDB shows 14 months as 420 days
        dt.timedelta(days=2, seconds=11045, microseconds=500000),
        dt.timedelta(minutes=30),
        dt.timedelta(days=-1),
        dt.timedelta(hours=5, minutes=30),
    )


def test_function_argument_count_is_checked() -> None:
    with pytest.raises(OracleError) as error:
        translate.to_duckdb(translate.parse("select nvl(1) from dual").tree)
    assert error.value.code == 909


def test_to_duckdb_leaves_input_tree_alone() -> None:
    statement = translate.parse("select nvl(a, 'x') from t where rownum <= 1")
    before = statement.tree.sql()
    translate.to_duckdb(statement.tree)
    assert statement.tree.sql() == before


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        (None, None),
        ("", None),
        ("x", "x"),
        (5, 5),
        (Decimal("1.25"), Decimal("1.25")),
        (2.5, 2.5),
        (b"\x01\x02", b"\x01\x02"),
        (dt.datetime(2020, 1, 5, 10), dt.datetime(2020, 1, 5, 10)),
        (dt.date(2020, 1, 5), dt.datetime(2020, 1, 5)),
        (dt.timedelta(hours=1), dt.timedelta(hours=1)),
        (api.IntervalYM(1, 2), dt.timedelta(days=420)),
    ],
)
def test_inline_binds(conn: duckdb.DuckDBPyConnection, bind: Any, expected: Any) -> None:
    assert run(conn, "select :1 from dual", [bind]) == [(expected,)]


def test_inline_nanosecond_bind(conn: duckdb.DuckDBPyConnection) -> None:
    bind = api.NanoDateTime(dt.datetime(2020, 1, 5, 10, 0, 0, 123456), 123456789)
    assert run(conn, "select to_char(:1, 'FF9') from dual", [bind]) == [("123456789",)]
    with pytest.raises(OracleError) as error:
        run(conn, "select :1, :2 from dual", [1])
    assert error.value.code == 1008


def test_invalid_interval_literal() -> None:
    with pytest.raises(OracleError) as error:
        translate.to_duckdb(translate.parse("select interval '1 2' day from dual").tree)
    assert error.value.code == 1867


def test_rownum_with_joins_and_aggregates_is_rejected() -> None:
    statement = translate.parse("select count(*) from t a, t b where a.id = b.id and rownum < 5")
    with pytest.raises(OracleError, match="ROWNUM"):
        translate.to_duckdb(statement.tree)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("INTERVAL '3 04:05:06.789' DAY(3) TO SECOND(6)", dt.timedelta(3, 14706, 789000)),
        ("INTERVAL '5' DAY(3)", dt.timedelta(days=5)),
        ("INTERVAL '-1 00:00:00.000001' DAY TO SECOND", -dt.timedelta(days=1, microseconds=1)),
    ],
)
def test_interval_literals_with_leading_precision(
    conn: duckdb.DuckDBPyConnection, literal: str, expected: dt.timedelta
) -> None:
    assert value(conn, literal) == expected
