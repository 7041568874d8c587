"""Whether text is well-formed JSON as Oracle's ``IS JSON`` condition tests it.

Oracle's IS JSON reads text in one of two syntaxes (JSON Developer's Guide, "About Strict
and Lax JSON Syntax"): STRICT is the JSON standard (RFC 8259); LAX, the default, also takes
what JavaScript writers commonly produce. What the emulator accepts in LAX, on top of
STRICT:

- ``true``, ``false`` and ``null`` in any letter case;
- field names without quotes (a letter, ``_`` or ``$``, then letters, digits, ``_``, ``$``);
- strings in single quotes (where ``\\'`` is an escaped quote);
- numbers with a leading ``+``, leading zeros, or a decimal point with no digit on one side
  (``+1``, ``007``, ``.5``, ``1.``).

Trailing commas, comments, ``NaN`` and ``Infinity`` are refused in both syntaxes. A scalar
at the top level is JSON (Oracle with ``compatible`` 20 or more, RFC 8259). ``WITH UNIQUE
KEYS`` refuses an object with the same field name twice. Text that is not JSON is simply not
JSON (IS JSON is false), never an error, as in Oracle.
"""

from __future__ import annotations

import re

_WHITESPACE = " \t\n\r"
_STRICT_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LAX_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LAX_NAME = re.compile(r"[A-Za-z_$][\w$]*")
_ESCAPES = frozenset('"\\/bfnrtu')
_LITERALS = ("true", "false", "null")


class _NotJson(Exception):
    """The text is not well-formed (the condition is false; nothing is raised)."""


class _Reader:
    def __init__(self, text: str, strict: bool, unique_keys: bool) -> None:
        self.text = text
        self.at = 0
        self.strict = strict
        self.unique_keys = unique_keys

    def skip_blanks(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _WHITESPACE:
            self.at += 1

    def peek(self) -> str:
        self.skip_blanks()
        if self.at >= len(self.text):
            raise _NotJson
        return self.text[self.at]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _NotJson
        self.at += 1

    def value(self) -> None:
        char = self.peek()
        if char == "{":
            self.object()
        elif char == "[":
            self.array()
        elif char == '"' or (char == "'" and not self.strict):
            self.string()
        else:
            self.scalar()

    def object(self) -> None:
        self.expect("{")
        names: set[str] = set()
        if self.peek() == "}":
            self.at += 1
            return
        while True:
            name = self.name()
            if self.unique_keys and name in names:
                raise _NotJson
            names.add(name)
            self.expect(":")
            self.value()
            if self.peek() == "}":
                self.at += 1
                return
            self.expect(",")

    def name(self) -> str:
        char = self.peek()
        if char == '"' or (char == "'" and not self.strict):
            return self.string()
        match = None if self.strict else _LAX_NAME.match(self.text, self.at)
        if match is None:
            raise _NotJson
        self.at = match.end()
        return match.group()

    def array(self) -> None:
        self.expect("[")
        if self.peek() == "]":
            self.at += 1
            return
        while True:
            self.value()
            if self.peek() == "]":
                self.at += 1
                return
            self.expect(",")

    def string(self) -> str:
        quote = self.text[self.at]
        self.at += 1
        out: list[str] = []
        while self.at < len(self.text):
            char = self.text[self.at]
            self.at += 1
            if char == quote:
                return "".join(out)
            if char == "\\":
                escaped = self.text[self.at : self.at + 1]
                if escaped not in _ESCAPES and not (escaped == "'" and quote == "'"):
                    raise _NotJson
                if escaped == "u":
                    digits = self.text[self.at + 1 : self.at + 5]
                    if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                        raise _NotJson
                    out.append(chr(int(digits, 16)))
                    self.at += 5
                    continue
                out.append(escaped)
                self.at += 1
            elif ord(char) < 0x20:
                raise _NotJson  # control characters must be escaped
            else:
                out.append(char)
        raise _NotJson

    def scalar(self) -> None:
        for literal in _LITERALS:
            word = self.text[self.at : self.at + len(literal)]
            matches = word == literal if self.strict else word.lower() == literal
            if matches and not _continues_word(self.text, self.at + len(literal)):
                self.at += len(literal)
                return
        pattern = _STRICT_NUMBER if self.strict else _LAX_NUMBER
        match = pattern.match(self.text, self.at)
        if match is None or _continues_word(self.text, match.end()):
            raise _NotJson
        self.at = match.end()


def _continues_word(text: str, at: int) -> bool:
    return at < len(text) and (text[at].isalnum() or text[at] in "_$.")


def well_formed(text: str, strict: bool = False, unique_keys: bool = False) -> bool:
    """Whether ``text`` is one JSON value (blanks around it allowed) in the given syntax."""
    reader = _Reader(text, strict, unique_keys)
    try:
        reader.value()
        reader.skip_blanks()
    except (_NotJson, RecursionError):
        return False
    return reader.at == len(text)
