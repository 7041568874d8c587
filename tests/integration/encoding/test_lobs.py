"""LOBs are read inline (never "not JSON serializable"): a 5 MB CLOB, an NCLOB, a BLOB."""

from __future__ import annotations

import base64
import random

import oracledb

from .conftest import fetch_encoded, parse_lines, planned

FIVE_MB = 5 * 1024 * 1024


def test_large_clob_nclob_and_blob(demo: oracledb.Connection, scratch_table) -> None:
    table = scratch_table(
        "ENC_LOBS", "ID NUMBER(3) NOT NULL, DOC CLOB, NDOC NCLOB, BIN BLOB, NOTE VARCHAR2(10)"
    )
    unit = 'Grüße 東京 ✓ 𝄞 "quoted" \\ line\n'
    text = unit * (FIVE_MB // len(unit.encode()) + 1)
    assert len(text.encode()) > FIVE_MB
    blob = random.Random(7).randbytes(1024 * 1024 + 3)
    with demo.cursor() as cursor:
        cursor.setinputsizes(
            None, oracledb.DB_TYPE_CLOB, oracledb.DB_TYPE_NCLOB, oracledb.DB_TYPE_BLOB, None
        )
        cursor.executemany(
            f'INSERT INTO "{table}" VALUES (:1, :2, :3, :4, :5)',
            [(1, text, "ñandú", blob, "after"), (2, None, None, None, "nulls")],
        )
    demo.commit()

    plan, _ = planned(demo, table)
    data = fetch_encoded(demo, plan, table)
    first, second = parse_lines(data)
    assert first["DOC"] == text
    assert first["NDOC"] == "ñandú"
    assert base64.b64decode(first["BIN"], validate=True) == blob
    assert first["NOTE"] == "after"
    assert second == {"ID": 2, "DOC": None, "NDOC": None, "BIN": None, "NOTE": "nulls"}
    assert data.count(b"\n") == 2  # the CLOB's newlines are escaped inside its line
