"""Random and mutated statements with odd binds, through the real thin driver.

Every statement must come back as a result or as an ``oracledb.DatabaseError`` carrying an
ORA- or DPY- code, and the connection must then still answer ``SELECT 1 FROM DUAL``,
unless the error itself said that the session ended (the driver drops a connection that
reported ORA-00600, for one). Seeded (``EMULATOR_FUZZ_SEED``), bounded in statements
(``EMULATOR_FUZZ_STATEMENTS``) and in time (``EMULATOR_FUZZ_BUDGET_S``); each call has a
timeout, so a statement that runs away is cancelled rather than stalling the run.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import oracledb

from oracle_emulator.process import EmulatorProcess
from tests.integration.fuzz import corpus, mutate

STATEMENTS = int(os.environ.get("EMULATOR_FUZZ_STATEMENTS", 1000))
BUDGET_S = float(os.environ.get("EMULATOR_FUZZ_BUDGET_S", 60))
CALL_TIMEOUT_MS = 10_000
#: rows read of any result: enough to encode every column kind, never a flood
FETCH_ROWS = 200
#: the share of statements whose floats go out as BINARY_DOUBLE (NaN and infinity can)
_BINARY_DOUBLE_SHARE = 0.3
_EXECUTEMANY_SHARE = 0.1
_EXECUTEMANY_ROWS = 3
_CODE = re.compile(r"^(ORA|DPY)-\d{4,5}$")
_INTERNAL_LINE = re.compile(r"^ORA-00600: .*$", re.MULTILINE)
_SHOWN = 20


@dataclass
class Tally:
    """What the run saw, for its report and its assertions."""

    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    internal_errors: dict[str, str] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    reconnects: int = 0
    statements: int = 0

    def report(self, seed: int, elapsed: float) -> str:
        lines = [
            f"fuzz seed {seed}: {self.statements} statements in {elapsed:.1f} s, "
            f"{self.reconnects} reconnects",
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in self.outcomes.most_common()),
        ]
        lines += [f"  {text[:160]}  <- {sql[:120]}" for text, sql in self.internal_errors.items()]
        lines += [f"UNEXPECTED {entry}" for entry in self.unexpected[:_SHOWN]]
        return "\n".join(lines)


class Fuzzer:
    """Runs statements on one connection, opening a new one when a session ends."""

    def __init__(self, connect: Callable[..., oracledb.Connection], rng: random.Random) -> None:
        self._connect = connect
        self._rng = rng
        self.tally = Tally()
        self.connection = self._open()

    def _open(self) -> oracledb.Connection:
        connection = self._connect()
        connection.call_timeout = CALL_TIMEOUT_MS
        return connection

    def run_one(self) -> None:
        sql = mutate.statement(self._rng)
        binds = mutate.bind_values(self._rng, len(mutate.placeholders(sql)))
        many = bool(binds) and self._rng.random() < _EXECUTEMANY_SHARE
        as_double = self._rng.random() < _BINARY_DOUBLE_SHARE
        rows = [
            mutate.similar_row(self._rng, binds, finite=not as_double)
            for _ in range(_EXECUTEMANY_ROWS)
        ]
        self.tally.statements += 1
        where = f"{sql[:300]!r} binds {_short(binds)}"
        try:
            with self.connection.cursor() as cursor:
                if as_double:
                    cursor.setinputsizes(*_double_sizes(binds))
                if many:
                    cursor.executemany(sql, [binds, *rows])
                else:
                    cursor.execute(sql, binds)
                if cursor.description:
                    cursor.fetchmany(FETCH_ROWS)
        except oracledb.DatabaseError as exc:
            self._check_error(exc, where)
        except Exception as exc:  # the driver choked on what the emulator sent
            self.tally.unexpected.append(f"{type(exc).__name__}: {exc} <- {where}")
            self._reopen()
            return
        else:
            self.tally.outcomes["result"] += 1
        self._check_usable(where)

    def _check_error(self, exc: oracledb.DatabaseError, where: str) -> None:
        error = exc.args[0]
        code = getattr(error, "full_code", "")
        if not _CODE.match(code):
            self.tally.unexpected.append(f"no ORA/DPY code: {exc!r} <- {where}")
        self.tally.outcomes[code] += 1
        for line in _INTERNAL_LINE.findall(str(error.message)):
            self.tally.internal_errors.setdefault(line, where)
        if error.is_session_dead:
            if not error.code:  # no ORA error behind it: the server dropped the session
                self.tally.unexpected.append(f"session ended without an Oracle error <- {where}")
            self._reopen()

    def _check_usable(self, where: str) -> None:
        if not self.connection.is_healthy():
            return  # the session ended and said so: already replaced in _check_error
        try:
            with self.connection.cursor() as cursor:
                if cursor.execute("SELECT 1 FROM DUAL").fetchone() != (1,):
                    raise AssertionError("SELECT 1 FROM DUAL did not answer 1")
        except Exception as exc:
            self.tally.unexpected.append(f"unusable after: {exc} <- {where}")
            self._reopen()

    def _reopen(self) -> None:
        self.tally.reconnects += 1
        with contextlib.suppress(oracledb.Error):  # it was already gone
            self.connection.close()
        self.connection = self._open()


def _short(binds: list[Any]) -> str:
    return "[" + ", ".join(repr(value)[:40] for value in binds) + "]"


def _double_sizes(binds: list[Any]) -> list[Any]:
    return [oracledb.DB_TYPE_BINARY_DOUBLE if isinstance(v, float) else None for v in binds]


def _setup(connection: oracledb.Connection) -> None:
    with connection.cursor() as cursor:
        for sql in corpus.SETUP:
            cursor.execute(sql)


def test_mutated_statements_never_break_a_session(
    fuzz_emulator: EmulatorProcess,
    fuzz_connect: Callable[..., oracledb.Connection],
    fuzz_seed: int,
) -> None:
    _setup(fuzz_connect())
    fuzzer = Fuzzer(fuzz_connect, random.Random(fuzz_seed))
    started = time.monotonic()
    for _ in range(STATEMENTS):
        if time.monotonic() - started > BUDGET_S:
            break
        fuzzer.run_one()
    tally = fuzzer.tally
    print(tally.report(fuzz_seed, time.monotonic() - started))

    assert not tally.unexpected, tally.report(fuzz_seed, time.monotonic() - started)
    assert fuzz_emulator.running, fuzz_emulator.log_tail()
    with fuzzer.connection.cursor() as cursor:
        assert cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)
    assert fuzz_emulator.log_path is not None
    log = fuzz_emulator.log_path.read_text(errors="replace")
    assert "Exception in thread" not in log
    for line in tally.internal_errors:  # every ORA-00600 went to the log with its traceback
        assert line[:80] in log, f"not in the emulator's log: {line}"
