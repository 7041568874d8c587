"""A pytest plugin that records each test's outcome (and each file's time) for the harness."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest


class OutcomeRecorder:
    """passed / failed / skipped per test id: a failure in setup, call or teardown is a
    failure; a skip anywhere is a skip unless something failed."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.file_seconds: dict[str, float] = defaultdict(float)
        #: test id -> the last line of its first failure (for classifying new failures)
        self.reasons: dict[str, str] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
        started = time.monotonic()
        yield
        self.file_seconds[item.nodeid.split("::")[0]] += time.monotonic() - started

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        current = self.outcomes.get(report.nodeid)
        if report.failed:
            self.outcomes[report.nodeid] = "failed"
            if report.nodeid not in self.reasons:
                crash = getattr(report.longrepr, "reprcrash", None)
                message = crash.message if crash else report.longreprtext.strip()
                first = message.splitlines()[0] if message else "?"
                self.reasons[report.nodeid] = f"{report.when}: {first}"
        elif report.skipped:
            if current != "failed":
                self.outcomes[report.nodeid] = "skipped"
        elif report.when == "call" and current is None:
            self.outcomes[report.nodeid] = "passed"
