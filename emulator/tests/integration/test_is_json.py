"""The IS [NOT] JSON condition in queries, through the real driver (SQL Language Reference,
JSON Conditions): LAX by default, STRICT, WITH UNIQUE KEYS, DISALLOW SCALARS; NULL is
neither JSON nor not JSON."""

from __future__ import annotations

import oracledb
import pytest

#: ID -> document: standard JSON, lax-only, duplicate keys, a scalar, not JSON, NULL
DOCUMENTS = {
    1: '{"a": 1, "b": [true, null]}',
    2: "{a: 1, 'b': TRUE}",
    3: '{"a": 1, "a": 2}',
    4: "42",
    5: "[1, 2,]",
    6: "not json",
    7: None,
}


@pytest.fixture
def docs(connection: oracledb.Connection, table_name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(9), DOC VARCHAR2(200))")
        cursor.executemany(f"INSERT INTO {table_name} VALUES (:1, :2)", list(DOCUMENTS.items()))
    connection.commit()
    return table_name


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("DOC IS JSON", [1, 2, 3, 4]),
        ("DOC IS NOT JSON", [5, 6]),
        ("DOC IS JSON LAX", [1, 2, 3, 4]),
        ("DOC IS JSON STRICT", [1, 3, 4]),
        ("DOC IS JSON (STRICT)", [1, 3, 4]),
        ("DOC IS NOT JSON STRICT", [2, 5, 6]),
        ("DOC IS JSON WITH UNIQUE KEYS", [1, 2, 4]),
        ("DOC IS JSON STRICT WITH UNIQUE KEYS", [1, 4]),
        ("DOC IS JSON WITHOUT UNIQUE KEYS", [1, 2, 3, 4]),
        ("DOC IS JSON DISALLOW SCALARS", [1, 2, 3]),
        ("DOC IS JSON FORMAT JSON STRICT", [1, 3, 4]),
        ("DOC IS JSON AND ID > 1 OR ID = 6", [2, 3, 4, 6]),
        ("NOT (DOC IS JSON)", [5, 6]),
    ],
)
def test_conditions_in_where(
    connection: oracledb.Connection, docs: str, condition: str, expected: list[int]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ID FROM {docs} WHERE {condition} ORDER BY ID")
        assert [row[0] for row in cursor] == expected


def test_in_a_case_expression_and_a_count(connection: oracledb.Connection, docs: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ID, CASE WHEN DOC IS JSON STRICT THEN 'STRICT' WHEN DOC IS JSON THEN 'LAX'"
            f" WHEN DOC IS NOT JSON THEN 'NO' ELSE 'NULL' END AS KIND FROM {docs} ORDER BY ID"
        )
        assert cursor.fetchall() == [
            (1, "STRICT"),
            (2, "LAX"),
            (3, "STRICT"),
            (4, "STRICT"),
            (5, "NO"),
            (6, "NO"),
            (7, "NULL"),
        ]
        assert [(d.name, d.type_code) for d in cursor.description] == [
            ("ID", oracledb.DB_TYPE_NUMBER),
            ("KIND", oracledb.DB_TYPE_VARCHAR),
        ]
        cursor.execute(f"SELECT COUNT(*) FROM {docs} WHERE DOC IS JSON WITH UNIQUE KEYS")
        assert cursor.fetchone() == (3,)


def test_a_bind_is_tested_too(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM DUAL WHERE :doc IS JSON", doc='{"k": [1]}')
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT COUNT(*) FROM DUAL WHERE :doc IS NOT JSON", doc="{k: }")
        assert cursor.fetchone() == (1,)
