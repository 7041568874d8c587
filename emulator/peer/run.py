"""Run python-oracledb's own test suite (thin mode) against a fresh emulator and compare the
outcome with ``expected_failures.txt``; exit non-zero on any mismatch.

    python emulator/peer/run.py                 # the whole selection (make peer-test)
    python emulator/peer/run.py -k test_1800    # a subset: only its tests are compared
    python emulator/peer/run.py --write-list    # rewrite the list from this run (new
                                                # failures get cause 'unclassified')
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import oracledb
import pytest
from expectations import LIST_PATH, ExpectedFailures, compare, report
from recorder import OutcomeRecorder
from schema import administer, create
from sdist import suite_root
from selection import SELECTED

from oracle_emulator.process import EmulatorProcess

MAIN_USER, MAIN_PASSWORD = "pythontest", "peer_main"
PROXY_USER, PROXY_PASSWORD = "pythontestproxy", "peer_proxy"
ADMIN_USER, ADMIN_PASSWORD = "system", "manager"
#: a test still running after this long fails (pytest-timeout) instead of stalling the build
TEST_TIMEOUT_S = 30
#: the whole run's budget (it takes 2 to 7 minutes): past it the run is stopped and fails, so
#: a stall that makes many tests time out one after the other cannot hold up the build
RUN_BUDGET_S = 15 * 60


def _abort_after_budget(emulator: EmulatorProcess) -> None:
    print(f"\npeer suite: still running after {RUN_BUDGET_S} s: stopped", flush=True)
    emulator.stop()
    os._exit(3)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="keyword", help="only the tests matching (pytest -k)")
    parser.add_argument("files", nargs="*", help="only these files (paths under tests/)")
    parser.add_argument(
        "--write-list", action="store_true", help=f"rewrite {LIST_PATH.name} from this run"
    )
    parser.add_argument(
        "--reasons", type=Path, help="write each failure's last error line to this file"
    )
    parser.add_argument("-v", dest="verbose", action="store_true", help="pytest -v with tracebacks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    expected = ExpectedFailures.read()
    root = suite_root()
    files = args.files or SELECTED
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="peer-") as scratch,
        EmulatorProcess(
            args=[
                "--user",
                f"{MAIN_USER}/{MAIN_PASSWORD}",
                "--user",
                f"{PROXY_USER}/{PROXY_PASSWORD}",
            ],
            log_path=Path(scratch) / "emulator.log",
            control=False,
        ) as emulator,
    ):
        with oracledb.connect(user=ADMIN_USER, password=ADMIN_PASSWORD, dsn=emulator.dsn) as conn:
            for refused in administer(conn, MAIN_USER, PROXY_USER):
                print(f"schema: refused: {refused}")
        with oracledb.connect(user=MAIN_USER, password=MAIN_PASSWORD, dsn=emulator.dsn) as conn:
            for refused in create(conn):
                print(f"schema: refused: {refused}")
        os.environ.update(
            PYO_TEST_MAIN_USER=MAIN_USER,
            PYO_TEST_MAIN_PASSWORD=MAIN_PASSWORD,
            PYO_TEST_PROXY_USER=PROXY_USER,
            PYO_TEST_PROXY_PASSWORD=PROXY_PASSWORD,
            PYO_TEST_ADMIN_USER=ADMIN_USER,
            PYO_TEST_ADMIN_PASSWORD=ADMIN_PASSWORD,
            PYO_TEST_CONNECT_STRING=emulator.dsn,
        )
        recorder = OutcomeRecorder()
        pytest_args = [
            *files,
            "-c",
            str(root / "pyproject.toml"),
            "--rootdir",
            str(root),
            "-p",
            "no:cacheprovider",
            "-o",
            f"timeout={TEST_TIMEOUT_S}",
            "-W",
            "ignore",
            *(["-k", args.keyword] if args.keyword else []),
            *(["-v", "--tb=short"] if args.verbose else ["-q", "--tb=no", "--no-summary"]),
        ]
        cwd = Path.cwd()
        os.chdir(root)
        watchdog = threading.Timer(RUN_BUDGET_S, _abort_after_budget, args=[emulator])
        watchdog.daemon = True
        watchdog.start()
        try:
            pytest.main(pytest_args, plugins=[recorder])
        finally:
            watchdog.cancel()
            os.chdir(cwd)
    seconds = time.monotonic() - started
    partial = bool(args.files or args.keyword)
    if partial:
        # a subset is compared only against the listed tests it ran
        expected.tests = {t: c for t, c in expected.tests.items() if t in recorder.outcomes}
    comparison = compare(recorder.outcomes, expected)
    print(report(comparison, expected))
    slowest = sorted(recorder.file_seconds.items(), key=lambda item: -item[1])[:5]
    print(
        f"  {seconds:.0f} s in all; slowest files: "
        + ", ".join(f"{Path(name).name} {secs:.0f} s" for name, secs in slowest)
    )
    if args.reasons:
        args.reasons.write_text("".join(f"{t}\t{r}\n" for t, r in sorted(recorder.reasons.items())))
    if args.write_list and not partial:
        expected.write(LIST_PATH, comparison.failed, "unclassified")
        print(f"  {LIST_PATH} rewritten")
        return 0
    return 0 if comparison.matches else 1


if __name__ == "__main__":
    sys.exit(main())
