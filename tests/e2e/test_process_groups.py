"""Stopping the stack's process groups: nothing a component started may outlive it, even a
process that moved into a session of its own (as Airflow's task processes can)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from oracle_etl_stack.airflow_stack import _process_table, stop_groups

SLEEPER = "import time; time.sleep(600)"
DESCENDANTS = 2
PARENT = f"""
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN if sys.argv[1] == "stubborn" else signal.SIG_DFL)
subprocess.Popen([sys.executable, "-c", {SLEEPER!r}], start_new_session=True)
subprocess.Popen([sys.executable, "-c", {SLEEPER!r}])
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_family(mode: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    leader = subprocess.Popen([sys.executable, "-c", PARENT, mode], start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        children = [pid for pid, (ppid, _, _) in _process_table().items() if ppid == leader.pid]
        if len(children) == DESCENDANTS:
            return leader, children
        assert time.monotonic() < deadline, "the test processes did not start"
        time.sleep(0.05)


def test_sigterm_stops_the_group_and_a_descendant_in_its_own_session() -> None:
    leader, children = _start_family("polite")
    stop_groups({leader.pid: leader}, timeout=10)
    assert leader.returncode is not None
    assert [pid for pid in children if _running(pid)] == []


def test_a_leader_ignoring_sigterm_is_killed_after_the_timeout() -> None:
    leader, children = _start_family("stubborn")
    stop_groups({leader.pid: leader}, timeout=1)
    assert leader.returncode == -9
    assert [pid for pid in children if _running(pid)] == []
