"""The data dictionary the provider introspects, read through the driver."""

from __future__ import annotations

import contextlib

import oracledb


def test_all_tables_with_num_rows(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT TABLE_NAME, NUM_ROWS FROM ALL_TABLES WHERE OWNER = 'DEMO' ORDER BY TABLE_NAME"
        )
        tables = dict(cursor.fetchall())
        orders = cursor.execute("SELECT COUNT(*) FROM SALES_ORDER").fetchone()[0]
    assert {"ALL_TYPES", "BENCH_ROWS", "CUSTOMER", "SALES_LINE_ITEM", "SALES_ORDER"} <= set(tables)
    assert tables["SALES_ORDER"] == orders


def test_tab_columns_in_order_with_oracle_types(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COLUMN_NAME, DATA_TYPE, DATA_PRECISION, DATA_SCALE, NULLABLE, COLUMN_ID"
            " FROM ALL_TAB_COLUMNS WHERE OWNER = 'DEMO' AND TABLE_NAME = 'CUSTOMER'"
            " ORDER BY COLUMN_ID"
        )
        columns = cursor.fetchall()
    assert [c[0] for c in columns] == [
        "CUSTOMER_ID", "NAME", "EMAIL", "COUNTRY", "CITY", "CREATED_AT", "CREDIT_LIMIT", "NOTES",
    ]  # fmt: skip
    assert columns[0][1:5] == ("NUMBER", 10, 0, "N")
    assert columns[3][1] == "CHAR"
    assert columns[4][1] == "NVARCHAR2"
    assert columns[5][1] == "TIMESTAMP(6) WITH TIME ZONE"
    assert columns[6][1:5] == ("NUMBER", 12, 2, "Y")
    assert columns[7][1] == "CLOB"
    assert [c[5] for c in columns] == list(range(1, 9))


def test_primary_key_and_foreign_keys(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cc.COLUMN_NAME FROM ALL_CONSTRAINTS c JOIN ALL_CONS_COLUMNS cc"
            " ON cc.OWNER = c.OWNER AND cc.CONSTRAINT_NAME = c.CONSTRAINT_NAME"
            " WHERE c.OWNER = 'DEMO' AND c.TABLE_NAME = 'SALES_LINE_ITEM'"
            " AND c.CONSTRAINT_TYPE = 'P' ORDER BY cc.POSITION"
        )
        assert cursor.fetchall() == [("ORDER_ID",), ("LINE_NO",)]
        cursor.execute(
            "SELECT CONSTRAINT_NAME FROM USER_CONSTRAINTS WHERE TABLE_NAME = 'SALES_ORDER'"
            " AND CONSTRAINT_TYPE = 'R'"
        )
        assert cursor.fetchall() == [("SALES_ORDER_CUSTOMER_FK",)]


def test_comments_objects_version_scn(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COMMENTS FROM USER_TAB_COMMENTS WHERE TABLE_NAME = 'CUSTOMER'")
        assert cursor.fetchone() == ("Customers of the demo shop",)
        cursor.execute(
            "SELECT COMMENTS FROM ALL_COL_COMMENTS WHERE OWNER = 'DEMO'"
            " AND TABLE_NAME = 'CUSTOMER' AND COLUMN_NAME = 'CREDIT_LIMIT'"
        )
        assert cursor.fetchone() == ("Credit limit in EUR",)
        cursor.execute(
            "SELECT OBJECT_TYPE, STATUS FROM ALL_OBJECTS WHERE OWNER = 'DEMO'"
            " AND OBJECT_NAME = 'SALES_ORDER'"
        )
        assert cursor.fetchone() == ("TABLE", "VALID")
        banner = cursor.execute("SELECT BANNER FROM V$VERSION").fetchone()[0]
        assert banner.startswith("Oracle Database 19c")
        first = cursor.execute("SELECT CURRENT_SCN FROM V$DATABASE").fetchone()[0]
        assert isinstance(first, int) and first > 0


def test_mixed_case_quoted_identifiers(connection: oracledb.Connection, table_name: str) -> None:
    quoted = f'"{table_name.lower()}_Mixed"'
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE {quoted} ("Id" NUMBER(3), "select" VARCHAR2(5))')
        cursor.execute(f'INSERT INTO {quoted} ("Id", "select") VALUES (1, \'x\')')
        cursor.execute(f'SELECT "Id", "select" FROM {quoted}')
        assert [d.name for d in cursor.description] == ["Id", "select"]
        assert cursor.fetchall() == [(1, "x")]
        cursor.execute(
            "SELECT COUNT(*) FROM USER_TABLES WHERE TABLE_NAME = :n", n=quoted.strip('"')
        )
        assert cursor.fetchone() == (1,)
        cursor.execute(f"DROP TABLE {quoted}")


def test_global_temporary_tables_are_marked_with_their_duration(
    connection: oracledb.Connection,
) -> None:
    """ALL_TABLES says which tables are global temporary ones (TEMPORARY 'Y', DURATION by the
    ON COMMIT clause, no tablespace), as Oracle does: their rows belong to other sessions,
    and a reader of the dictionary must be able to leave them out."""
    gtt = "CREATE GLOBAL TEMPORARY TABLE {}"
    made = {
        "GTT_DELETE_ROWS": f"{gtt} (ID NUMBER)",
        "GTT_DELETE_EXPLICIT": f"{gtt} (ID NUMBER) ON COMMIT DELETE ROWS",
        "GTT_PRESERVE_ROWS": f"{gtt} (ID NUMBER) ON COMMIT PRESERVE ROWS",
        "GTT_AS_SELECT": f"{gtt} ON COMMIT PRESERVE ROWS AS SELECT 1 AS ID FROM DUAL",
        "GTT_PERMANENT": "CREATE TABLE {} (ID NUMBER)",
    }
    with connection.cursor() as cursor:
        try:
            for name, ddl in made.items():
                cursor.execute(ddl.format(name))
            cursor.execute(
                "SELECT TABLE_NAME, TEMPORARY, DURATION, TABLESPACE_NAME FROM USER_TABLES"
                " WHERE TABLE_NAME LIKE 'GTT\\_%' ESCAPE '\\' ORDER BY TABLE_NAME"
            )
            tables = {row[0]: row[1:] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT OBJECT_NAME, TEMPORARY FROM USER_OBJECTS WHERE OBJECT_TYPE = 'TABLE'"
                " AND OBJECT_NAME LIKE 'GTT\\_%' ESCAPE '\\'"
            )
            objects = dict(cursor.fetchall())
        finally:
            for name in made:
                with contextlib.suppress(oracledb.DatabaseError):
                    cursor.execute(f"DROP TABLE {name} PURGE")
    assert tables["GTT_DELETE_ROWS"][:2] == ("Y", "SYS$TRANSACTION")
    assert tables["GTT_DELETE_EXPLICIT"][:2] == ("Y", "SYS$TRANSACTION")
    assert tables["GTT_PRESERVE_ROWS"][:2] == ("Y", "SYS$SESSION")
    assert tables["GTT_AS_SELECT"][:2] == ("Y", "SYS$SESSION")
    assert [tables[n][2] for n in made if n != "GTT_PERMANENT"] == [None] * 4
    assert tables["GTT_PERMANENT"][:2] == ("N", None)
    assert tables["GTT_PERMANENT"][2] is not None
    assert objects == {
        "GTT_DELETE_ROWS": "Y",
        "GTT_DELETE_EXPLICIT": "Y",
        "GTT_PRESERVE_ROWS": "Y",
        "GTT_AS_SELECT": "Y",
        "GTT_PERMANENT": "N",
    }
