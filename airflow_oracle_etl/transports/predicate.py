"""A light structural check of a transport's ``where`` predicate, before any SQL is sent.

The predicate is trusted DAG-author SQL, and the extract query wraps it as
``WHERE (<where>) AND (<partition>) ...``. Oracle would reject a broken one only when the job
runs; what can be seen in the text alone is refused at load time instead, with a reason:

- a ``;`` (a second statement), or a ``--`` / ``/* */`` comment, which would swallow the
  parenthesis and the conditions appended after the predicate;
- unbalanced parentheses, which would close the wrapper early;
- an unterminated quoted string or identifier;
- a bind variable (``:name``): a transport passes no bind values, and ``:p_...``/``:wm_...``
  are the planner's own.

Text inside literals (``'a;b'``, ``q'[x]'``, ``"Odd Name"``) and inside Jinja tags
(``{{ ds }}``, ``{% if %}``; the operators render ``where`` as a template) is not looked into.
This is not a SQL parser: it guards against mistakes, not against a hostile author, who could
write any SQL in a DAG anyway.
"""

from __future__ import annotations

__all__ = ["predicate_problem"]

_Q_CLOSERS = {"[": "]", "{": "}", "(": ")", "<": ">"}
_JINJA_TAGS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_IDENTIFIER_CHARS = "_$#"


class _Unterminated(Exception):
    """A quote, q-quote or Jinja tag that never closes."""


def predicate_problem(text: str) -> str | None:
    """Why ``text`` cannot be a ``where`` predicate, or None if it looks like one."""
    if not text.strip():
        return "must not be empty (leave it out to read every row)"
    try:
        return _scan(text)
    except _Unterminated as error:
        return str(error)


def _scan(text: str) -> str | None:
    depth = 0
    index = 0
    while index < len(text):
        char, pair = text[index], text[index : index + 2]
        skip = _skip_quoted(text, index)
        if skip is not None:
            index = skip
            continue
        if pair in ("--", "/*"):
            return f"contains a comment ({pair!r}); comments would hide the conditions after it"
        if char == ";":
            return "contains ';'; it must be one predicate, not statements"
        if char == ":" and _starts_name(text, index + 1):
            return (
                f"uses a bind variable ({_word_at(text, index)}); a transport passes no bind "
                "values: write the value, or a Jinja expression such as '{{ ds }}'"
            )
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return "has a ')' without a matching '('"
        index += 1
    if depth:
        return f"has {depth} unclosed '('"
    return None


def _skip_quoted(text: str, index: int) -> int | None:
    """The index after a literal, quoted identifier or Jinja tag starting at ``index``."""
    pair = text[index : index + 2]
    if pair in _JINJA_TAGS:
        return _find_end(text, index + 2, _JINJA_TAGS[pair], f"Jinja tag {pair!r}")
    char = text[index]
    if char in "qQ" and text[index + 1 : index + 2] == "'" and not _in_word(text, index):
        return _skip_q_quote(text, index + 2)
    if char in "nN" and text[index + 1 : index + 3].lower() == "q'" and not _in_word(text, index):
        return _skip_q_quote(text, index + 3)
    if char == "'":
        return _skip_literal(text, index + 1)
    if char == '"':
        return _find_end(text, index + 1, '"', "quoted identifier")
    return None


def _skip_literal(text: str, start: int) -> int:
    """After ``'...'``, where ``''`` is a quote inside the literal."""
    index = start
    while True:
        found = text.find("'", index)
        if found < 0:
            raise _Unterminated("has an unterminated string literal (a ' without its closing ')")
        if text[found + 1 : found + 2] != "'":
            return found + 1
        index = found + 2


def _skip_q_quote(text: str, start: int) -> int:
    """After Oracle's alternative quoting ``q'<delim>...<closing delim>'``."""
    if start >= len(text):
        raise _Unterminated("has an unterminated q'...' literal")
    opener = text[start]
    closer = _Q_CLOSERS.get(opener, opener)
    return _find_end(text, start + 1, closer + "'", "q'...' literal")


def _find_end(text: str, start: int, end: str, what: str) -> int:
    found = text.find(end, start)
    if found < 0:
        raise _Unterminated(f"has an unterminated {what} (no closing {end!r})")
    return found + len(end)


def _in_word(text: str, index: int) -> bool:
    """Whether ``text[index]`` continues an identifier (so ``q`` in ``freq'`` is no q-quote)."""
    if index == 0:
        return False
    before = text[index - 1]
    return before.isalnum() or before in _IDENTIFIER_CHARS


def _starts_name(text: str, index: int) -> bool:
    return index < len(text) and (text[index].isalnum() or text[index] == "_")


def _word_at(text: str, index: int) -> str:
    end = index + 1
    while end < len(text) and (text[end].isalnum() or text[end] in _IDENTIFIER_CHARS):
        end += 1
    return text[index:end]
