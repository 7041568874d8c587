"""Functions of Oracle's supplied packages called from SQL (UTL_RAW, DBMS_LOB), with the
PL/SQL Packages and Types Reference's results, NULLs and errors."""

from __future__ import annotations

import oracledb
import pyarrow
import pytest


def _row(connection: oracledb.Connection, sql: str, binds: list[object] | None = None) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, binds or [])
        row = cursor.fetchone()
        assert row is not None
        return tuple(value.read() if isinstance(value, oracledb.LOB) else value for value in row)


def test_utl_raw_casts(connection: oracledb.Connection) -> None:
    row = _row(
        connection,
        "SELECT utl_raw.cast_to_raw('Grüße'), UTL_RAW.CAST_TO_VARCHAR2(:1), "
        "utl_raw.cast_to_varchar2('414243'), utl_raw.length(utl_raw.cast_to_raw('Яa')), "
        "utl_raw.cast_to_raw(NULL) FROM dual",
        ["Zürich".encode()],
    )
    assert row == ("Grüße".encode(), "Zürich", "ABC", 3, None)


def test_utl_raw_cast_to_raw_is_described_as_raw(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT utl_raw.cast_to_raw('x'), to_blob(utl_raw.cast_to_raw('y')) FROM dual"
        )
        assert [d[1] for d in cursor.description] == [oracledb.DB_TYPE_RAW, oracledb.DB_TYPE_BLOB]
    frame = pyarrow.table(
        connection.fetch_df_all("SELECT utl_raw.cast_to_raw('test') AS r FROM dual")
    )
    assert frame.to_pylist() == [{"R": b"test"}]


def test_cast_to_varchar2_of_bytes_that_are_no_text_is_refused(
    connection: oracledb.Connection,
) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-03001"):
        _row(connection, "SELECT utl_raw.cast_to_varchar2('41ab42') FROM dual")


def test_dbms_lob_getlength(connection: oracledb.Connection) -> None:
    row = _row(
        connection,
        "SELECT dbms_lob.getlength(to_clob(:1)), dbms_lob.getlength(to_blob(:2)), "
        "dbms_lob.getlength(to_clob(:3)) FROM dual",
        ["Grüße", b"\x00\x01\x02", None],
    )
    assert row == (5, 3, None)


def test_dbms_lob_getlength_in_arithmetic(connection: oracledb.Connection) -> None:
    sql = "SELECT to_clob(:1), 1 / (dbms_lob.getlength(to_clob(:2)) - 1) FROM dual"
    with pytest.raises(oracledb.DatabaseError, match="ORA-01476"):
        _row(connection, sql, ["a", "a"])
    assert _row(connection, sql, ["bb", "bb"]) == ("bb", 1)


def test_dbms_lob_substr(connection: oracledb.Connection) -> None:
    row = _row(
        connection,
        "SELECT dbms_lob.substr(to_clob('abcdef'), 2, 3), dbms_lob.substr(to_clob('abcdef')), "
        "dbms_lob.substr(to_blob(hextoraw('0102030405')), 2, 4), "
        "dbms_lob.substr(to_clob('abc'), 0, 1), dbms_lob.substr(to_clob('abc'), 1, 4), "
        "dbms_lob.substr(to_clob('abc'), 32768, 1) FROM dual",
    )
    assert row == ("cd", "abcdef", b"\x04\x05", None, None, None)


def test_dbms_lob_instr(connection: oracledb.Connection) -> None:
    row = _row(
        connection,
        "SELECT dbms_lob.instr(to_clob('abcabc'), 'bc'), "
        "dbms_lob.instr(to_clob('abcabc'), 'bc', 1, 2), "
        "dbms_lob.instr(to_clob('abcabc'), 'bc', 3), "
        "dbms_lob.instr(to_clob('abc'), 'x'), dbms_lob.instr(to_clob('abc'), 'a', 0) FROM dual",
    )
    assert row == (2, 5, 5, 0, None)


def test_dbms_lob_compare(connection: oracledb.Connection) -> None:
    row = _row(
        connection,
        "SELECT dbms_lob.compare(to_clob('abc'), to_clob('abc')), "
        "dbms_lob.compare(to_clob('abc'), to_clob('abd')), "
        "dbms_lob.compare(to_clob('b'), to_clob('a')), "
        "dbms_lob.compare(to_clob('xabcz'), to_clob('abcy'), 3, 2, 1), "
        "dbms_lob.compare(to_blob(hextoraw('0102')), to_blob(hextoraw('0103'))), "
        "dbms_lob.compare(to_clob('a'), to_clob('a'), 0) FROM dual",
    )
    assert row == (0, -1, 1, 0, -1, None)


def test_wrong_number_of_arguments(connection: oracledb.Connection) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-06553: PLS-00306"):
        _row(connection, "SELECT dbms_lob.getlength(to_clob('a'), 2) FROM dual")


def test_unknown_package_function_is_an_invalid_identifier(
    connection: oracledb.Connection,
) -> None:
    with pytest.raises(oracledb.DatabaseError, match="ORA-00904"):
        _row(connection, "SELECT dbms_lob.fileexists(to_clob('a')) FROM dual")


def test_bfilename_is_a_bfile_locator_naming_its_file(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT BFILENAME(:1, :2) FROM dual "
            "UNION ALL SELECT bfilename('D2', 'b.bin') FROM dual",
            ["MISSING_DIR", "ñame.txt"],
        )
        assert cursor.description[0][1] is oracledb.DB_TYPE_BFILE
        first, second = (row[0] for row in cursor.fetchall())
    assert first.getfilename() == ("MISSING_DIR", "ñame.txt")
    assert second.getfilename() == ("D2", "b.bin")


def test_bfile_of_a_directory_that_does_not_exist(connection: oracledb.Connection) -> None:
    """No directory object exists (CREATE DIRECTORY is not emulated): what needs the file is
    ORA-22285, naming the operation, as Oracle answers for a missing directory."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT BFILENAME('MISSING_DIR', 'f.txt') FROM dual")
        (bfile,) = cursor.fetchone()
    assert not bfile.isopen()
    for call, operation in [
        (bfile.fileexists, "FILEEXISTS"),
        (bfile.read, "FILEOPEN"),
        (bfile.size, "GETLENGTH"),
        (bfile.open, "FILEOPEN"),
    ]:
        with pytest.raises(oracledb.DatabaseError, match=f"ORA-22285: .* {operation} operation"):
            call()
