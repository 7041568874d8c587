"""What a new session costs the emulator: every connection's logon opens one, and a job opens
one per task, the test suites thousands.

A session is a DuckDB cursor of its own, given the translator's macros (those of the
session's NLS settings among them; the UDFs belong to the database and are made once). This
script opens ``--sessions`` sessions in the engine (in process, no driver, so the figures are
the engine's alone) and, alternating with them as the baseline measured in the same run, runs
``SELECT 1 FROM DUAL`` on one open session, then prints the median and 90th percentile of
each in milliseconds and a session's cost in such queries.

    .venv/bin/python benchmarks/emulator_logon.py --sessions 100

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse

from cases.timing import summary, timed

from oracle_emulator.sql.engine import EmulatorDatabase

USER = "DEMO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100)
    args = parser.parse_args()

    database = EmulatorDatabase()
    open_session = database.open_session(USER)
    open_session.execute("SELECT 1 FROM DUAL")  # parsed and planned once, untimed

    def new_session() -> None:
        database.open_session(USER).close()

    new_session()  # the first pays for imports and caches no later one does
    sessions: list[float] = []
    queries: list[float] = []
    for _ in range(args.sessions):
        sessions.append(timed(new_session))
        queries.append(timed(lambda: open_session.execute("SELECT 1 FROM DUAL")))

    session_median, session_p90 = summary(sessions)
    query_median, query_p90 = summary(queries)
    print(f"{args.sessions} sessions, each alternating with one query on an open session")
    print("| what | median ms | p90 ms |")
    print("|---|---:|---:|")
    print(f"| new session | {session_median:.1f} | {session_p90:.1f} |")
    print(f"| SELECT 1 FROM DUAL (baseline) | {query_median:.2f} | {query_p90:.2f} |")
    print(f"a new session costs {session_median / query_median:.0f} such queries")


if __name__ == "__main__":
    main()
