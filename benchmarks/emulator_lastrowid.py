"""What reporting ``cursor.lastrowid`` costs a single-row UPDATE and DELETE in the emulator.

Every INSERT, UPDATE and DELETE reports the ROWID of the last row it changed. An INSERT
knows it from the row identities it allocated; an UPDATE looks its last new version up
(``__ver = X``, appended in increasing order, so DuckDB's min/max statistics skip all but
the newest row group); a DELETE looks up the newest version it marked (``__del = tag``, a
scan of one column). This script fills a table of ``--rows`` rows in the engine (in process,
no driver, so the figures are the engine's alone), then alternates within the run:

* ``update``: ``UPDATE B SET V = V + 1 WHERE ID = :1`` (one row, by primary key);
* ``delete``: ``DELETE FROM B WHERE ID = :1`` then the row put back;
* ``ver look-up`` and ``del look-up``: the two look-ups alone, as the statements run them,

and prints the median and 90th percentile of ``--rounds`` runs in milliseconds, and each
look-up's share of its statement (the baseline measured in the same run).

    .venv/bin/python benchmarks/emulator_lastrowid.py --rows 200000 --rounds 50

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse

from cases.timing import summary, timed

from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.storage import DEL, RID, VER

USER = "DEMO"
BATCH = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    database = EmulatorDatabase()
    session = database.open_session(USER)
    session.execute("CREATE TABLE B (ID NUMBER(10) PRIMARY KEY, V NUMBER(10), S VARCHAR2(40))")
    for start in range(0, args.rows, BATCH):
        rows = [[i, i, f"row {i}"] for i in range(start, min(start + BATCH, args.rows))]
        session.execute_many("INSERT INTO B VALUES (:1, :2, :3)", rows)
    session.commit()
    storage = database.catalogue.tables[(USER, "B")].storage
    cursor = session.cursor

    samples: dict[str, list[float]] = {
        "update": [],
        "delete": [],
        "ver look-up": [],
        "del look-up": [],
    }
    for round_no in range(args.rounds):
        key = (round_no * 7919) % args.rows
        samples["update"].append(
            timed(lambda key=key: session.execute("UPDATE B SET V = V + 1 WHERE ID = :1", [key]))
        )
        (newest,) = cursor.execute(f"SELECT max({VER}) FROM {storage}").fetchone()
        samples["ver look-up"].append(
            timed(
                lambda newest=newest: cursor.execute(
                    f"SELECT {RID} FROM {storage} WHERE {VER} = {newest}"
                ).fetchone()
            )
        )
        samples["delete"].append(
            timed(lambda key=key: session.execute("DELETE FROM B WHERE ID = :1", [key]))
        )
        samples["del look-up"].append(
            timed(
                lambda: cursor.execute(
                    f"SELECT {RID} FROM {storage} WHERE {DEL} = -1 ORDER BY {VER} DESC LIMIT 1"
                ).fetchone()
            )
        )
        session.execute("INSERT INTO B VALUES (:1, :2, :3)", [key, key, f"row {key}"])
        session.commit()

    print(f"{args.rows:,} rows, {args.rounds} rounds (ms: median, p90)")
    figures = {name: summary(values) for name, values in samples.items()}
    for name, (median, p90) in figures.items():
        print(f"  {name:<12} {median:8.2f} {p90:8.2f}")
    for lookup, statement in (("ver look-up", "update"), ("del look-up", "delete")):
        share = figures[lookup][0] / figures[statement][0]
        print(f"  {lookup} is {share:.0%} of a single-row {statement}")


if __name__ == "__main__":
    main()
