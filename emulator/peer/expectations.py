"""The expected-failures list: its format, and the comparison of a run against it.

The list (``expected_failures.txt`` beside this file) defines each cause once::

    cause plsql outside-goal: PL/SQL blocks, procedures and packages are not emulated
    cause number-arithmetic: NUMBER arithmetic goes through doubles

then names one failing test per line with its one cause::

    tests/cursor/test_1000_execute.py::test_1001 plsql

A listed test that passes, or an unlisted test that fails, is a mismatch: either the emulator
got better (shrink the list) or worse (fix it), and the build says which tests.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LIST_PATH = Path(__file__).with_name("expected_failures.txt")

_CAUSE = re.compile(
    r"^cause\s+(?P<name>[a-z0-9-]+)(?P<outside>\s+outside-goal)?\s*:\s*(?P<text>.+)$"
)


@dataclass
class ExpectedFailures:
    """Causes (name -> definition), those outside the goal, and test id -> cause."""

    causes: dict[str, str] = field(default_factory=dict)
    outside_goal: set[str] = field(default_factory=set)
    tests: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path = LIST_PATH) -> ExpectedFailures:
        expected = cls()
        for number, raw in enumerate(path.read_text().splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                if not expected.causes and not expected.tests:
                    expected.header.append(raw)
                continue
            cause = _CAUSE.match(line)
            if cause:
                expected.causes[cause["name"]] = cause["text"]
                if cause["outside"]:
                    expected.outside_goal.add(cause["name"])
                continue
            # a parametrized test id may hold blanks: the cause is the last word
            parts = line.rsplit(None, 1)
            if len(parts) != 2:
                raise SystemExit(f"{path}:{number}: want '<test id> <cause>', got {line!r}")
            test_id, name = parts
            if name not in expected.causes:
                raise SystemExit(f"{path}:{number}: cause {name!r} is not defined at the top")
            if test_id in expected.tests:
                raise SystemExit(f"{path}:{number}: {test_id} is listed twice")
            expected.tests[test_id] = name
        return expected

    def write(self, path: Path, failed: list[str], new_cause: str) -> None:
        """Rewrite the list for ``failed``: causes kept for tests already listed, ``new_cause``
        for the others (to be classified by hand before committing)."""
        lines = list(self.header)
        for name, text in self.causes.items():
            flag = " outside-goal" if name in self.outside_goal else ""
            lines.append(f"cause {name}{flag}: {text}")
        if new_cause not in self.causes and any(t not in self.tests for t in failed):
            lines.append(f"cause {new_cause}: not classified yet")
        lines.append("")
        lines.extend(f"{test_id} {self.tests.get(test_id, new_cause)}" for test_id in failed)
        path.write_text("\n".join(lines) + "\n")


@dataclass
class Comparison:
    """A run's outcomes set against the list."""

    passed: list[str]
    failed: list[str]
    skipped: list[str]
    unexpected_failures: list[str]
    unexpected_passes: list[str]
    by_cause: Counter[str]
    goal_passed: int
    goal_total: int

    @property
    def matches(self) -> bool:
        return not self.unexpected_failures and not self.unexpected_passes

    @property
    def goal_percent(self) -> float:
        return 100.0 * self.goal_passed / self.goal_total if self.goal_total else 100.0


def compare(outcomes: dict[str, str], expected: ExpectedFailures) -> Comparison:
    """``outcomes``: test id -> passed / failed / skipped. A listed test that did not run at
    all (renamed, or its file left out) counts as an unexpected pass: the list is stale."""
    passed = sorted(t for t, o in outcomes.items() if o == "passed")
    failed = sorted(t for t, o in outcomes.items() if o == "failed")
    skipped = sorted(t for t, o in outcomes.items() if o == "skipped")
    unexpected_failures = [t for t in failed if t not in expected.tests]
    unexpected_passes = sorted(t for t in expected.tests if outcomes.get(t) != "failed")
    by_cause = Counter(expected.tests[t] for t in failed if t in expected.tests)
    outside = sum(n for cause, n in by_cause.items() if cause in expected.outside_goal)
    goal_total = len(passed) + len(failed) - outside
    return Comparison(
        passed=passed,
        failed=failed,
        skipped=skipped,
        unexpected_failures=unexpected_failures,
        unexpected_passes=unexpected_passes,
        by_cause=by_cause,
        goal_passed=len(passed),
        goal_total=goal_total,
    )


def report(comparison: Comparison, expected: ExpectedFailures) -> str:
    """The summary printed after the run: figures, causes by count, and any mismatch."""
    c = comparison
    total = len(c.passed) + len(c.failed)
    lines = [
        "",
        "python-oracledb's own tests against the emulator",
        f"  passed {len(c.passed)} of {total} ({len(c.skipped)} skipped by the suite itself)",
        f"  failed as expected: {sum(c.by_cause.values())}",
    ]
    for cause, count in sorted(c.by_cause.items(), key=lambda item: (-item[1], item[0])):
        flag = " (outside the goal)" if cause in expected.outside_goal else ""
        lines.append(f"    {count:5d}  {cause}{flag}")
    lines.append(
        f"  goal: {c.goal_passed} of {c.goal_total} tests outside "
        f"{', '.join(sorted(expected.outside_goal))} pass ({c.goal_percent:.1f}%, target 95%)"
    )
    if c.unexpected_failures:
        lines.append(f"  NEWLY FAILING (not in {LIST_PATH.name}):")
        lines.extend(f"    {t}" for t in c.unexpected_failures)
    if c.unexpected_passes:
        lines.append(f"  LISTED BUT NOT FAILING (remove from {LIST_PATH.name}):")
        lines.extend(f"    {t}" for t in c.unexpected_passes)
    lines.append(
        "  the run matches the expected-failures list"
        if c.matches
        else f"  the run does NOT match {LIST_PATH.name}"
    )
    return "\n".join(lines)
