"""ROWIDs as Oracle shapes them, fetched through the thin driver and decoded here.

An extended ROWID is 18 base-64 characters: data object number (6), relative file number
(3, never 0), block (6), row slot (3). The driver rebuilds the text from the row data's
numbers, so decoding what it returns checks what the emulator sent.
"""

from __future__ import annotations

import oracledb
import pytest

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
FIELDS = (("object", 6), ("file", 3), ("block", 6), ("row", 3))
ORA_INVALID_ROWID = 1410
ROWS = 40


def decode(rowid: str) -> dict[str, int]:
    """The four numbers of an extended ROWID text (independent of the emulator's codec)."""
    assert len(rowid) == 18 and set(rowid) <= set(ALPHABET), rowid
    fields, start = {}, 0
    for name, chars in FIELDS:
        value = 0
        for char in rowid[start : start + chars]:
            value = value * 64 + ALPHABET.index(char)
        fields[name] = value
        start += chars
    return fields


@pytest.fixture
def rowids(connection: oracledb.Connection, table_name: str) -> list[str]:
    """ROWIDs of a fresh table's rows, in ID order (which is insertion order)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table_name} (ID NUMBER(5) PRIMARY KEY, V VARCHAR2(10))")
        cursor.executemany(
            f"INSERT INTO {table_name} VALUES (:1, :2)", [(i, f"v{i}") for i in range(ROWS)]
        )
        connection.commit()
        cursor.execute(f"SELECT ROWID FROM {table_name} ORDER BY ID")
        assert cursor.description[0].type_code is oracledb.DB_TYPE_ROWID
        return [row[0] for row in cursor.fetchall()]


def test_fields_are_oracles(
    connection: oracledb.Connection, table_name: str, rowids: list[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DATA_OBJECT_ID FROM USER_OBJECTS WHERE OBJECT_NAME = :name "
            "AND OBJECT_TYPE = 'TABLE'",
            name=table_name,
        )
        (data_object_id,) = cursor.fetchone()
    decoded = [decode(rowid) for rowid in rowids]
    assert {fields["object"] for fields in decoded} == {data_object_id}
    assert all(fields["file"] >= 1 for fields in decoded)
    assert all(fields["block"] >= 1 for fields in decoded)
    addresses = [(fields["file"], fields["block"], fields["row"]) for fields in decoded]
    assert len(set(addresses)) == ROWS
    assert addresses == sorted(addresses)  # rows laid out in insertion order


def test_a_row_keeps_its_rowid_and_is_found_by_it(
    connection: oracledb.Connection, table_name: str, rowids: list[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table_name} SET V = 'changed' WHERE ID = 5")
        connection.commit()
        cursor.execute(f"SELECT ROWID, V FROM {table_name} WHERE ID = 5")
        assert cursor.fetchone() == (rowids[5], "changed")
        cursor.execute(f"SELECT ID FROM {table_name} WHERE ROWID = :r", r=rowids[7])
        assert cursor.fetchall() == [(7,)]
        cursor.execute(
            f"SELECT ID FROM {table_name} WHERE ROWID >= :lo AND ROWID < :hi ORDER BY ID",
            lo=rowids[10],
            hi=rowids[13],
        )
        assert cursor.fetchall() == [(10,), (11,), (12,)]


def test_rowidtochar_and_chartorowid_round_trip(
    connection: oracledb.Connection, table_name: str, rowids: list[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ROWIDTOCHAR(ROWID), CHARTOROWID(ROWIDTOCHAR(ROWID)) FROM {table_name} "
            "WHERE ID = 3"
        )
        text, again = cursor.fetchone()
        assert cursor.description[0].type_code is oracledb.DB_TYPE_VARCHAR
        assert cursor.description[1].type_code is oracledb.DB_TYPE_ROWID
        assert text == again == rowids[3]
        cursor.execute(f"SELECT ID FROM {table_name} WHERE ROWID = CHARTOROWID(:r)", r=text)
        assert cursor.fetchall() == [(3,)]


@pytest.mark.parametrize("text", ["not a rowid", "AAAR3sAAMAAAACD!AB"])
def test_text_that_is_no_rowid_is_refused(
    connection: oracledb.Connection, table_name: str, rowids: list[str], text: str
) -> None:
    with connection.cursor() as cursor:
        for sql in (
            "SELECT CHARTOROWID(:r) FROM DUAL",
            f"SELECT ID FROM {table_name} WHERE ROWID = :r",
        ):
            with pytest.raises(oracledb.DatabaseError) as caught:
                cursor.execute(sql, r=text)
            assert caught.value.args[0].code == ORA_INVALID_ROWID
