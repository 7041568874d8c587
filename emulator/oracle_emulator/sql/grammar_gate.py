"""The grammar gate: every statement a client sends is parsed with a real Oracle grammar
before the emulator translates it, and refused with Oracle's error when it does not parse.

Why: the translator (sqlglot) and DuckDB accept far more than Oracle (``LIMIT``, ``AS``
before a table alias, ``ILIKE``...), and users test their own queries against the emulator;
a statement that works here must parse on Oracle. The grammar is grammars-v4's PL/SQL
grammar (PlSqlLexer.g4/PlSqlParser.g4) as generated for the antlr4ts runtime by the npm
package ``antlr4ts-sql``, run by ``grammar/parse_server.js`` in one long-lived Node process
per emulator process (started in the background so its load overlaps the emulator's own
start, restarted if it dies, the statement then asked again). Rules a grammar cannot express
(an expression list as a select-list item) stay in :mod:`.translate`, which applies them to
every statement it parses.

Parsing is deterministic, so answers are cached by statement text (a bounded LRU): a
statement run again, or once per row of an ``executemany``, costs a dictionary look-up
(about a microsecond). Accepted statements are also remembered by their shape
(:func:`statement_shape`: every plain quoted identifier written as ``"Q"``), since the grammar
sees a quoted identifier as one token whatever its letters: the same query over 400 tables
is parsed once, not 400 times. A refusal is cached by text only (its offset is the text's).
A first parse is dear: Node and the grammar load in about 1.3 s and the first statement
walks the grammar's ATN cold for another 1.7 s (2-core VM, loaded), so the gate starts with
the emulator and warms up in a thread of its own; later statements take 1-20 ms
(``benchmarks/grammar_gate.py``).

:data:`ALLOWANCES` is the one place where the grammar is known to be wrong about valid
Oracle: each entry names the Oracle documentation that says the form is valid and replaces
the form, for the parser only, by text of the same length that the grammar takes; the
statements they let through are counted (``allowed``), never silently.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from oracle_emulator.sql.grammar_errors import oracle_error

log = logging.getLogger(__name__)

GRAMMAR_DIR = Path(__file__).resolve().parent.parent / "grammar"
SERVER_SCRIPT = GRAMMAR_DIR / "parse_server.js"
#: how long one parse may take before the Node process is taken as hung (restarted)
PARSE_TIMEOUT_S = 120.0
CACHE_SIZE = 8192
#: refusals kept with their text for the statistics (the first ones)
KEPT_REFUSALS = 50
#: statements parsed while the Node process warms up: the first parse of each statement
#: shape walks the grammar's ATN cold (about a second in all), later ones reuse its DFA
WARM_UP = (
    "SELECT A, B FROM S.T X WHERE X.A = :1 AND B IN (SELECT C FROM U) ORDER BY 1",
    "INSERT INTO T (A, B) VALUES (:1, :2)",
    "UPDATE T SET A = :1 WHERE B = :2",
    "DELETE FROM T WHERE A = :1",
)


@dataclass(frozen=True)
class Allowance:
    """A form of valid Oracle the grammar refuses, and the same-length text it parses
    instead: offsets in the statement stay right for any error after it."""

    name: str
    pattern: re.Pattern[str]
    replacement: Callable[[re.Match[str]], str]
    reference: str


def _same_length_word(match: re.Match[str]) -> str:
    """A string value becomes an identifier of its length (``'+00:00'`` -> ``Q______``)."""
    value = match.group("value")
    return match.group(0)[: match.start("value") - match.start()] + "Q" + "_" * (len(value) - 1)


def _day_to_second(match: re.Match[str]) -> str:
    """``YEAR(4) TO MONTH`` -> ``DAY(4) TO SECOND``: the same length, the same shape."""
    text = match.group(0)
    head = text[: match.start("year") - match.start()]
    precision = match.group("precision") or ""
    return f"{head}DAY{precision}{match.group('to')}SECOND"


def _revoke_as_grant(match: re.Match[str]) -> str:
    """``REVOKE x ON o FROM u`` -> ``GRANT  x ON o TO   u``: REVOKE's clauses mirror GRANT's."""
    return f"GRANT {match.group('body')}TO  {match.group('tail')}"


def _blank(group: str) -> Callable[[re.Match[str]], str]:
    """Blanks the named group out (the same length of spaces)."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        return text[:start] + " " * (end - start) + text[end:]

    return replace


def _is_json_as_is_null(match: re.Match[str]) -> str:
    """``x IS JSON STRICT`` -> ``x IS NULL       ``: the condition of the same shape."""
    text = _blank("modifiers")(match)
    start = match.start("json") - match.start()
    return text[:start] + "NULL" + text[start + len("JSON") :]


def _drop_user_as_drop_view(match: re.Match[str]) -> str:
    return "DROP VIEW" + _blank("cascade")(match)[len("DROP USER") :]


_STRING = r"'(?:[^']|'')*'"
_NAME = r'(?:"[^"]+"|[A-Za-z][\w$#]*)'
#: Oracle that this grammar refuses; each entry says where Oracle documents the form
ALLOWANCES = (
    Allowance(
        name="ALTER SESSION SET parameter = 'string' | number",
        pattern=re.compile(
            rf"(?:\bALTER\s+SESSION\s+SET|(?<=')|(?<=\w))\s+\w+\s*=\s*"
            rf"(?P<value>{_STRING}|\d+(?:\.\d+)?\b)",
            re.IGNORECASE,
        ),
        replacement=_same_length_word,
        reference="Oracle SQL Language Reference, ALTER SESSION: 'SET parameter_name = "
        "parameter_value', e.g. NLS_DATE_FORMAT = 'YYYY MM DD', TIME_ZONE = '-05:00', "
        "OPTIMIZER_INDEX_COST_ADJ = 50 (the grammar's parameter_value takes no string and no "
        "number)",
    ),
    Allowance(
        name="INTERVAL '...' YEAR TO MONTH literal",
        pattern=re.compile(
            rf"\bINTERVAL\s*{_STRING}\s*(?P<year>YEAR)(?P<precision>\s*\(\s*\d+\s*\))?"
            r"(?P<to>\s+TO\s+)MONTH\b",
            re.IGNORECASE,
        ),
        replacement=_day_to_second,
        reference="Oracle SQL Language Reference, Literals, Interval Literals: INTERVAL YEAR TO "
        "MONTH, e.g. INTERVAL '123-2' YEAR(3) TO MONTH (the grammar takes only DAY TO SECOND "
        "with a TO part)",
    ),
    Allowance(
        name="IS [NOT] JSON condition",
        pattern=re.compile(
            r"\bIS\s+(?:NOT\s+)?(?P<json>JSON)\b(?P<modifiers>(?:\s+(?:FORMAT\s+JSON|STRICT|LAX"
            r"|(?:WITH|WITHOUT)(?:\s+UNIQUE)?\s+KEYS|(?:ALLOW|DISALLOW)\s+SCALARS)\b"
            r"|\s*\(\s*(?:STRICT|LAX)\s*\))*)",
            re.IGNORECASE,
        ),
        replacement=_is_json_as_is_null,
        reference="Oracle SQL Language Reference, Conditions, JSON Conditions: 'expr IS [NOT] "
        "JSON [FORMAT JSON] [STRICT | LAX] [{WITH | WITHOUT} UNIQUE KEYS]', e.g. in a check "
        "constraint CHECK (doc IS JSON) (not in the grammar; checked as IS [NOT] NULL, the "
        "same shape)",
    ),
    Allowance(
        name="NUMBER(p, -s) negative scale",
        pattern=re.compile(
            r"\b(?:NUMBER|NUMERIC|DECIMAL|DEC)\s*\(\s*\d+\s*,\s*(?P<minus>-)\s*\d+\s*\)",
            re.IGNORECASE,
        ),
        replacement=_blank("minus"),
        reference="Oracle SQL Language Reference, Data Types, NUMBER: 'The scale s can range "
        "from -84 to 127', e.g. NUMBER(7,-2) rounds to hundreds (the grammar takes no sign)",
    ),
    Allowance(
        name="DROP USER",
        pattern=re.compile(
            rf"^\s*DROP\s+USER\s+{_NAME}(?P<cascade>\s+CASCADE)?\s*$", re.IGNORECASE
        ),
        replacement=_drop_user_as_drop_view,
        reference="Oracle SQL Language Reference, DROP USER: 'DROP USER user [CASCADE]' (not "
        "in the grammar; checked as DROP VIEW of that name, the same shape)",
    ),
    Allowance(
        name="REVOKE",
        pattern=re.compile(
            r"^(?P<lead>\s*)REVOKE\b(?P<body>.*\s)FROM\b(?P<tail>(?:(?!\bFROM\b).)*)$",
            re.IGNORECASE | re.DOTALL,
        ),
        replacement=lambda m: m.group("lead") + _revoke_as_grant(m),
        reference="Oracle SQL Language Reference, REVOKE: 'REVOKE privileges/roles [ON object] "
        "FROM grantees', GRANT's clauses with FROM for TO (not in the grammar; checked as the "
        "GRANT it mirrors)",
    ),
    Allowance(
        name="RESOURCE role",
        pattern=re.compile(
            r"^\s*(?:GRANT|REVOKE)\b(?:(?!\b(?:ON|TO|FROM)\b).)*?\b(?P<role>RESOURCE)\b",
            re.IGNORECASE | re.DOTALL,
        ),
        replacement=lambda m: m.group(0)[: m.start("role") - m.start()] + "RESOURC_",
        reference="Oracle Database Security Guide, predefined roles: RESOURCE, granted with "
        "GRANT RESOURCE TO user (the grammar lexes RESOURCE as a keyword no role name takes)",
    ),
    Allowance(
        name="ALTER SYSTEM KILL/DISCONNECT SESSION",
        pattern=re.compile(
            r"^\s*ALTER\s+SYSTEM\s+(?:KILL|DISCONNECT)\s+SESSION\s+"
            r"'[^']*'"
            r"(?:\s+(?:IMMEDIATE|NOWAIT|POST_TRANSACTION|FORCE(?:\s+TIMEOUT\s+\d+)?))*\s*$",
            re.IGNORECASE,
        ),
        replacement=lambda m: "COMMIT".ljust(len(m.group(0))),
        reference="Oracle SQL Language Reference, ALTER SYSTEM: \"KILL SESSION 'integer1, "
        "integer2 [, @integer3]' [IMMEDIATE | NOWAIT | FORCE TIMEOUT]\" and DISCONNECT SESSION "
        "(the grammar has no ALTER SYSTEM; the whole statement matched, checked as a COMMIT; "
        "the session ID's text is checked when it runs: ORA-00026)",
    ),
    Allowance(
        name="ALTER USER ... GRANT/REVOKE CONNECT THROUGH",
        pattern=re.compile(
            rf"^\s*ALTER\s+USER\s+{_NAME}\s+(?:GRANT|REVOKE)\s+CONNECT\s+THROUGH\s+{_NAME}"
            r"(?:\s+AUTHENTICATION\s+REQUIRED)?\s*$",
            re.IGNORECASE,
        ),
        replacement=lambda m: "COMMIT".ljust(len(m.group(0))),
        reference="Oracle SQL Language Reference, ALTER USER, proxy_clause: '{ GRANT | REVOKE } "
        "CONNECT THROUGH db_user_proxy [AUTHENTICATION REQUIRED]' (not in the grammar; the "
        "whole statement matched, checked as a COMMIT)",
    ),
    Allowance(
        name="CREATE EDITION / DROP EDITION",
        pattern=re.compile(
            rf"^\s*(?:CREATE\s+EDITION\s+{_NAME}(?:\s+AS\s+CHILD\s+OF\s+{_NAME})?"
            rf"|DROP\s+EDITION\s+{_NAME}(?:\s+CASCADE)?)\s*$",
            re.IGNORECASE,
        ),
        replacement=lambda m: "COMMIT".ljust(len(m.group(0))),
        reference="Oracle SQL Language Reference, CREATE EDITION: 'CREATE EDITION edition [AS "
        "CHILD OF parent_edition]', and DROP EDITION: 'DROP EDITION edition [CASCADE]' (not "
        "in the grammar; the whole statement matched, checked as a COMMIT)",
    ),
    Allowance(
        name="DROP TABLE ... CASCADE CONSTRAINTS",
        pattern=re.compile(
            rf"^\s*DROP\s+TABLE\s+{_NAME}(?:\s*\.\s*{_NAME})?(?P<cascade>\s+CASCADE\s+CONSTRAINTS)\b",
            re.IGNORECASE,
        ),
        replacement=_blank("cascade"),
        reference="Oracle SQL Language Reference, DROP TABLE: 'DROP TABLE [schema.]table "
        "[CASCADE CONSTRAINTS] [PURGE]' (the grammar takes PURGE only)",
    ),
)


def for_the_grammar(sql: str) -> tuple[str, list[str]]:
    """``sql`` with the allowances' forms replaced, and the names of those that applied."""
    applied = []
    text = sql
    for allowance in ALLOWANCES:
        if allowance.name.startswith("ALTER SESSION") and not _ALTER_SESSION.match(text):
            continue
        rewritten = allowance.pattern.sub(allowance.replacement, text)
        if rewritten != text and len(rewritten) == len(text):
            applied.append(allowance.name)
            text = rewritten
    more = _MORE_SESSION_PARAMETERS.match(text)
    if more:  # the grammar takes one parameter; Oracle a list ("SET { name = value }...")
        start, end = more.span("more")
        text = text[:start] + " " * (end - start) + text[end:]
        applied.append("ALTER SESSION SET several parameters")
    return text, applied


_ALTER_SESSION = re.compile(r"\s*ALTER\s+SESSION\s+SET\b", re.IGNORECASE)
_MORE_SESSION_PARAMETERS = re.compile(
    r"\s*ALTER\s+SESSION\s+SET\s+\w+\s*=\s*[\w.$#+-]+(?P<more>(?:\s+\w+\s*=\s*[\w.$#+-]+)+)\s*$",
    re.IGNORECASE,
)


#: a quoted identifier the shape may stand for: the grammar's DELIMITED_ID
#: (``'"' (~('"' | '\r' | '\n') | '""')+ '"'``), kept to the letters Oracle's own names use
#: and to Oracle's 128-byte limit, and not part of a ``""`` escape
_PLAIN_QUOTED_ID = re.compile(r'(?<!")"[A-Za-z0-9_$#]{1,128}"(?!")')


def statement_shape(text: str) -> str | None:
    """``text`` (as the grammar is given it) with every plain quoted identifier written
    ``"Q"``; None when the text holds a string literal or a comment, where a ``"`` need not
    start an identifier. Two texts of one shape differ only in the letters of quoted
    identifiers, which the grammar's lexer makes the same token, so they parse alike."""
    if "'" in text or "--" in text or "/*" in text:
        return None
    return _PLAIN_QUOTED_ID.sub('"Q"', text)


class GrammarUnavailable(RuntimeError):
    """Node.js or the grammar's npm packages are missing."""


def missing_parts() -> list[str]:
    """What the gate needs and does not find (empty when it can run)."""
    missing = []
    if shutil.which("node") is None:
        missing.append("Node.js (`node`; Debian: apt-get install nodejs npm)")
    if not (GRAMMAR_DIR / "node_modules" / "antlr4ts-sql").is_dir():
        missing.append(f"the grammar's npm packages (`npm ci` in {GRAMMAR_DIR})")
    return missing


@dataclass
class GateStats:
    """What the gate did, for the shutdown log line, the control port and test reports."""

    checked: int = 0
    parsed: int = 0
    cache_hits: int = 0
    shape_hits: int = 0
    refused: int = 0
    refused_distinct: int = 0
    allowed: int = 0
    restarts: int = 0
    node_start_ms: float = 0.0
    first_parse_ms: float = 0.0
    warm_up_ms: float = 0.0
    parse_ms: float = 0.0
    refusals: list[dict[str, Any]] = field(default_factory=list)
    allowances: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "distinct": self.parsed,
            "cache_hits": self.cache_hits,
            "shape_hits": self.shape_hits,
            "refused": self.refused,
            "refused_distinct": self.refused_distinct,
            "allowed": self.allowed,
            "restarts": self.restarts,
            "node_start_ms": round(self.node_start_ms, 1),
            "first_parse_ms": round(self.first_parse_ms, 1),
            "warm_up_ms": round(self.warm_up_ms, 1),
            "parse_ms": round(self.parse_ms, 1),
            "refusals": list(self.refusals),
            "allowances": dict(self.allowances),
        }

    def summary(self) -> str:
        return (
            f"grammar gate: {self.checked} statements checked ({self.parsed} parsed, "
            f"{self.cache_hits} from the cache, {self.shape_hits} by their shape), "
            f"{self.refused} refused "
            f"({self.refused_distinct} distinct), {self.allowed} allowed by a documented "
            f"allowance; Node start {self.node_start_ms:.0f} ms, first parse "
            f"{self.first_parse_ms:.0f} ms, {self.restarts} restarts"
        )


class _NodeParser:
    """One ``node parse_server.js`` child: JSON lines in, JSON lines out."""

    def __init__(self, node: str) -> None:
        started = time.monotonic()
        self._process = subprocess.Popen(
            [node, str(SERVER_SCRIPT)],
            cwd=GRAMMAR_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._started = started
        self._ready_ms: float | None = None
        self._ids = iter(range(1, 2**62))

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait_ready(self) -> float:
        """Milliseconds from spawn to the grammar loaded (blocks the first time)."""
        if self._ready_ms is None:
            line = self._read_line()
            if not json.loads(line).get("ready"):
                raise RuntimeError(f"the grammar parser did not start: {line[:200]}")
            self._ready_ms = (time.monotonic() - self._started) * 1000
        return self._ready_ms

    def parse(self, sql: str) -> dict[str, Any]:
        self.wait_ready()
        request_id = next(self._ids)
        stdin = self._stream(self._process.stdin)
        stdin.write(json.dumps({"id": request_id, "sql": sql}) + "\n")
        stdin.flush()
        answer = json.loads(self._read_line())
        if answer.get("id") != request_id or "fatal" in answer:
            raise RuntimeError(f"the grammar parser failed: {str(answer)[:300]}")
        return answer

    def _read_line(self) -> str:
        stdout = self._stream(self._process.stdout)
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(PARSE_TIMEOUT_S)
        if reader.is_alive():
            self.close()
            raise RuntimeError(f"the grammar parser gave no answer in {PARSE_TIMEOUT_S:.0f} s")
        if not result or not result[0]:
            raise RuntimeError(f"the grammar parser exited ({self._process.poll()})")
        return result[0]

    @staticmethod
    def _stream(stream: IO[str] | None) -> IO[str]:
        if stream is None:  # pragma: no cover - Popen was given PIPEs
            raise RuntimeError("the grammar parser has no pipe")
        return stream

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class GrammarGate:
    """Checks statements against the grammar; thread-safe (one parse at a time)."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        missing = missing_parts()
        if missing:
            raise GrammarUnavailable(
                "the grammar gate needs "
                + " and ".join(missing)
                + ": run `make install`, or start the emulator with --no-grammar-check"
            )
        self._node = shutil.which("node") or "node"
        self._lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._cache: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
        self._cache_size = cache_size
        #: shapes of accepted statements (:func:`statement_shape`), bounded like the cache
        self._accepted_shapes: OrderedDict[str, None] = OrderedDict()
        self.stats = GateStats()
        self._parser: _NodeParser | None = _NodeParser(self._node)
        self._closed = False
        self._warm = threading.Thread(target=self._warm_up, name="grammar-warm-up", daemon=True)
        self._warm.start()

    # -- the check ---------------------------------------------------------------------------

    def check(self, sql: str) -> None:
        """Raise Oracle's error if ``sql`` (one statement, as the client sent it) does not
        parse; return if it does."""
        with self._stats_lock:
            self.stats.checked += 1
            if sql in self._cache:
                self._cache.move_to_end(sql)
                self.stats.cache_hits += 1
                error = self._cache[sql]
                if error is not None:
                    self.stats.refused += 1
                    raise oracle_error(error, sql)
                return
        text, applied = for_the_grammar(sql)
        shape = statement_shape(text)
        with self._stats_lock:
            if shape is not None and shape in self._accepted_shapes:
                self._accepted_shapes.move_to_end(shape)
                self.stats.shape_hits += 1
                self._count_allowances(applied)
                return
        error = self._parse(text, applied)
        with self._stats_lock:
            self._cache[sql] = error
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            if error is None and shape is not None:
                self._accepted_shapes[shape] = None
                if len(self._accepted_shapes) > self._cache_size:
                    self._accepted_shapes.popitem(last=False)
            if error is not None:
                self.stats.refused += 1
                self.stats.refused_distinct += 1
                refusal = oracle_error(error, sql)
                if len(self.stats.refusals) < KEPT_REFUSALS:
                    self.stats.refusals.append(
                        {"sql": sql[:500], "error": refusal.text, "offset": refusal.offset}
                    )
                log.info("grammar gate refused %s: %s", refusal.text, sql[:300])
                raise refusal

    def _parse(self, text: str, applied: list[str]) -> dict[str, Any] | None:
        """The parser's error record, or None when ``text`` (the statement with the
        allowances' forms replaced, ``applied`` naming them) parses."""
        answer = self._ask(text)
        with self._stats_lock:
            self.stats.parsed += 1
            self.stats.parse_ms += float(answer.get("ms") or 0.0)
            if answer.get("ok"):
                self._count_allowances(applied)
            else:
                for name in applied:
                    self.stats.allowances[name] = self.stats.allowances.get(name, 0) + 1
        if answer.get("ok"):
            return None
        error: dict[str, Any] = answer["error"]
        return error

    def _count_allowances(self, applied: list[str]) -> None:
        """Count an accepted distinct statement's allowances (under the stats lock)."""
        for name in applied:
            self.stats.allowances[name] = self.stats.allowances.get(name, 0) + 1
        if applied:
            self.stats.allowed += 1

    def _ask(self, sql: str) -> dict[str, Any]:
        """One parse; a dead or hung parser is replaced and asked again, once."""
        with self._lock:
            for attempt in (1, 2):
                parser = self._parser_unlocked()
                begun = time.monotonic()
                try:
                    answer = parser.parse(sql)
                except (OSError, ValueError, RuntimeError) as exc:
                    log.warning("grammar parser (pid %d) failed: %s; restarting", parser.pid, exc)
                    parser.close()
                    self._parser = None
                    with self._stats_lock:
                        self.stats.restarts += 1
                    if attempt == 2:
                        raise
                    continue
                if not self.stats.first_parse_ms:
                    self.stats.first_parse_ms = (time.monotonic() - begun) * 1000
                return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _parser_unlocked(self) -> _NodeParser:
        if self._closed:
            raise RuntimeError("the grammar gate is closed")
        if self._parser is None:
            self._parser = _NodeParser(self._node)
        return self._parser

    def _warm_up(self) -> None:
        """Load the grammar and walk its common paths once, off the caller's thread."""
        begun = time.monotonic()
        try:
            with self._lock:
                parser = self._parser_unlocked()
                self.stats.node_start_ms = parser.wait_ready()
                first = time.monotonic()
                parser.parse(WARM_UP[0])
                self.stats.first_parse_ms = (time.monotonic() - first) * 1000
                for sql in WARM_UP[1:]:
                    parser.parse(sql)
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("grammar parser warm-up failed: %s", exc)
            return
        self.stats.warm_up_ms = (time.monotonic() - begun) * 1000
        log.info(
            "grammar gate ready: Node and the grammar loaded in %.0f ms, first parse %.0f ms",
            self.stats.node_start_ms,
            self.stats.first_parse_ms,
        )

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the warm-up is over (benchmarks and tests time what follows)."""
        self._warm.join(timeout)

    # -- test hooks and shutdown ------------------------------------------------------------

    @property
    def parser_pid(self) -> int | None:
        """The Node process's pid (tests kill it to see the gate recover)."""
        with self._lock:
            return self._parser.pid if self._parser is not None else None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._parser is not None:
                self._parser.close()
                self._parser = None


# -- the process-wide gate -------------------------------------------------------------------

_shared: GrammarGate | None = None
_shared_lock = threading.Lock()
_disabled = False
#: ``1`` switches the gate off in this process (``oracle-emulator --no-grammar-check`` does
#: it with :func:`disable`)
DISABLE_ENV = "ORACLE_EMULATOR_NO_GRAMMAR_CHECK"
#: a directory where an emulator process writes its gate figures at exit (``<pid>.json``):
#: the pytest plugin sets it so that a test run can report every emulator's figures
STATS_DIR_ENV = "ORACLE_EMULATOR_GRAMMAR_STATS_DIR"


def disable() -> None:
    """Run this process without the gate (explicitly asked for; the caller logs it)."""
    global _disabled
    _disabled = True


def enabled() -> bool:
    return not _disabled and os.environ.get(DISABLE_ENV) != "1"


def shared_gate() -> GrammarGate | None:
    """The process's gate, started on first use; None when it is switched off. Raises
    :class:`GrammarUnavailable` when it is on and cannot run."""
    global _shared
    if not enabled():
        return None
    with _shared_lock:
        if _shared is None:
            _shared = GrammarGate()
        return _shared


def check(sql: str) -> None:
    """Gate one statement with the process's gate (a no-op when it is switched off)."""
    gate = shared_gate()
    if gate is not None:
        gate.check(sql)


def stats() -> dict[str, Any] | None:
    """The process's gate figures, or None when no gate ran."""
    with _shared_lock:
        return _shared.stats.as_dict() if _shared is not None else None


def shutdown() -> None:
    """Stop the process's gate, log its figures and write them where asked (its exit)."""
    global _shared
    with _shared_lock:
        gate, _shared = _shared, None
    if gate is None:
        return
    log.info("%s", gate.stats.summary())
    gate.close()
    directory = os.environ.get(STATS_DIR_ENV)
    if directory:
        path = Path(directory) / f"{os.getpid()}.json"
        try:
            path.write_text(json.dumps(gate.stats.as_dict()), encoding="utf-8")
        except OSError as exc:
            log.warning("could not write the grammar gate figures to %s: %s", path, exc)
