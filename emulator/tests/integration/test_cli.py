"""The ``oracle-emulator`` command: scripts, users, demo sizes, and a clean stop on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import oracledb

from oracle_emulator.process import EmulatorProcess


def test_script_users_and_clean_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "schema.sql"
    script.write_text(
        "CREATE TABLE PETS (ID NUMBER(3) PRIMARY KEY, NAME VARCHAR2(20));\n"
        "INSERT INTO PETS VALUES (1, 'Rex');\n"
        "INSERT INTO PETS VALUES (2, 'Mia');\n"
        "COMMIT;\n"
    )
    emulator = EmulatorProcess(
        args=["--user", "APP/secret", "--sql", f"{script}:APP"], service_name="APPDB"
    ).start()
    try:
        with oracledb.connect(user="app", password="secret", dsn=emulator.dsn) as connection:
            rows = connection.cursor().execute("SELECT NAME FROM PETS ORDER BY ID").fetchall()
        assert rows == [("Rex",), ("Mia",)]
        # a client still connected must not keep the server from stopping
        idle = oracledb.connect(user="system", password="manager", dsn=emulator.dsn)
    finally:
        exit_code = emulator.stop()
    assert exit_code == 0
    assert "stopped" in emulator.log_tail()
    assert "secret" not in emulator.log_tail(500)
    del idle


def test_demo_sizes_and_seed_are_reproducible() -> None:
    counts = []
    firsts = []
    for _ in range(2):
        emulator = EmulatorProcess(
            args=["--demo", "--bench-rows", "1234", "--orders", "50", "--customers", "7"]
        )
        with (
            emulator,
            oracledb.connect(user="demo", password="demo", dsn=emulator.dsn) as connection,
        ):
            cursor = connection.cursor()
            counts.append(
                cursor.execute(
                    "SELECT (SELECT COUNT(*) FROM BENCH_ROWS), (SELECT COUNT(*) FROM"
                    " SALES_ORDER), (SELECT COUNT(*) FROM CUSTOMER) FROM DUAL"
                ).fetchone()
            )
            firsts.append(cursor.execute("SELECT * FROM BENCH_ROWS WHERE ID = 1000").fetchone())
    assert counts == [(1234, 50, 7)] * 2
    assert firsts[0] == firsts[1]
    assert firsts[0][0] == 1000
